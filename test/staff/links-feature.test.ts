import { Api, Bot } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logPerUpdate } from '../../src/bot/middlewares/update-logger.ts';
import { createFakeTelegram, type FakeTelegram, type FakeUser } from '../../src/fake-telegram/index.ts';
import { silentLogger } from '../../src/logger.ts';
import type { TrialOfferClass } from '../../src/perfectgym/schemas.ts';
import { createSandbox, demoChain } from '../../src/sandbox/index.ts';
import type { OfferSource } from '../../src/staff/links.ts';
import {
  createLinksFeature,
  type LinksChain,
  type LinksContext,
  setStaffCommands,
} from '../../src/staff/links-feature.ts';
import { createStudioRegistry, type StudioRegistry, sandboxStudios } from '../../src/studio/registry.ts';
import { demoStudio, readQrCode, startPolling, translations } from './helpers.ts';

const adminId = 111;
const link = (payload: string) => `https://t.me/kiez_trial_bot?start=${payload}`;

let fake: FakeTelegram;
let studio: Awaited<ReturnType<typeof demoStudio>>;
let stopBot: (() => Promise<void>) | undefined;
let catchAllReached: number;

beforeEach(async () => {
  fake = await createFakeTelegram({ bot: { username: 'kiez_trial_bot' } });
  studio = await demoStudio();
  catchAllReached = 0;
  stopBot = undefined;
});
afterEach(async () => {
  await stopBot?.();
  await fake.close();
  await studio.close();
});

/** A bot as the adapter builds it: the feature, then a catch-all for everything unhandled. */
async function startBot(catalog: OfferSource = studio.catalog, chain?: LinksChain): Promise<void> {
  const bot = new Bot<LinksContext>(fake.token, { client: { apiRoot: fake.apiRoot } });
  bot.use(logPerUpdate(silentLogger()));
  // Puts a QR button into any chat, as a forwarded /links answer or one in a group would.
  bot.command('button', (ctx) =>
    ctx.reply('A message with a QR button', {
      reply_markup: { inline_keyboard: [[{ text: 'QR', callback_data: ctx.match }]] },
    }),
  );
  bot.use(
    createLinksFeature({
      adminIds: [adminId],
      catalog,
      chain,
      botUsername: () => bot.botInfo.username,
      t: translations,
    }),
  );
  bot.on('message', async (ctx) => {
    catchAllReached += 1;
    await ctx.reply('unknown command');
  });
  stopBot = await startPolling(bot);
}

async function send(user: FakeUser, text: string): Promise<void> {
  await user.sendText(text);
  await user.settled();
}

async function tap(user: FakeUser, data: string): Promise<void> {
  await user.tap(data);
  await user.settled();
}

const botMessages = (user: FakeUser) => user.chat.messages.filter((message) => message.from === 'bot');

describe('/links for an admin', () => {
  it('lists every bookable offer with its link, and a QR button per offer', async () => {
    await startBot();
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links');

    const [answer, ...more] = botMessages(admin);
    expect(more).toEqual([]);
    expect(answer?.text?.split('\n')).toEqual([
      'Trial offers with their links: 8',
      'Tap an offer below to get its QR code.',
      '',
      '🏋️ Rückenfit (class)',
      link('c101'),
      '',
      '🏋️ HIIT Express (class)',
      link('c102'),
      '',
      '🏋️ Yoga Flow (class)',
      link('c103'),
      '',
      '🏋️ Pilates Live (class)',
      link('c104'),
      '',
      '📅 Probetraining mit Coach (appointment)',
      link('a201'),
      '',
      '📅 Body-Check (appointment)',
      link('a202'),
      '',
      '📋 Everything in Probetraining',
      link('o1'),
      '',
      '📋 Everything in Schnupperstunde',
      link('o2'),
    ]);
    expect(answer?.html).toContain('<b>Rückenfit</b>');
    expect(answer?.buttons).toEqual([
      [{ text: '🏋️ Rückenfit', callbackData: 'sq:c101' }],
      [{ text: '🏋️ HIIT Express', callbackData: 'sq:c102' }],
      [{ text: '🏋️ Yoga Flow', callbackData: 'sq:c103' }],
      [{ text: '🏋️ Pilates Live', callbackData: 'sq:c104' }],
      [{ text: '📅 Probetraining mit Coach', callbackData: 'sq:a201' }],
      [{ text: '📅 Body-Check', callbackData: 'sq:a202' }],
      [{ text: '📋 Probetraining (all)', callbackData: 'sq:o1' }],
      [{ text: '📋 Schnupperstunde (all)', callbackData: 'sq:o2' }],
    ]);
    expect(catchAllReached).toBe(0);
  });

  it('sends the QR code of a tapped offer as a photo that scans back to its link', async () => {
    await startBot();
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links');
    await tap(admin, 'sq:a201');

    const photo = admin.chat.last('bot');
    expect(photo?.photo).toBeDefined();
    expect(readQrCode(photo?.photo?.bytes ?? new Uint8Array())).toBe(link('a201'));
    expect(photo?.text).toBe(`📅 Probetraining mit Coach\n${link('a201')}`);
    expect(admin.chat.toasts).toEqual([{ showAlert: false }]);
  });

  it('puts a campaign tag given after /links into every link and QR code', async () => {
    await startBot();
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links poster');

    const answer = admin.chat.last('bot');
    expect(answer?.text).toContain('Campaign tag: poster');
    expect(answer?.text).toContain(link('c101_poster'));
    expect(answer?.text).not.toMatch(/start=[a-z0-9]+\n/);
    expect(answer?.buttons.flat().map((button) => button.callbackData)).toContain('sq:o2_poster');

    await tap(admin, 'sq:o2_poster');
    expect(readQrCode(admin.chat.last('bot')?.photo?.bytes ?? new Uint8Array())).toBe(link('o2_poster'));
  });

  it('explains the campaign tag format instead of listing links with a bad one', async () => {
    await startBot();
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links Instagram!');

    expect(botMessages(admin).map((message) => message.text)).toEqual([
      'A campaign tag has 1 to 24 characters: lowercase letters a-z, digits and hyphens. Example: /links poster',
    ]);
  });

  it('answers in German for a German admin', async () => {
    await startBot();
    const admin = fake.user({ id: adminId, languageCode: 'de' });
    await send(admin, '/links');

    const answer = admin.chat.last('bot');
    expect(answer?.text).toMatch(/^Probeangebote mit ihren Links: 8\n/);
    expect(answer?.text).toContain('🏋️ Rückenfit (Kurs)');
    expect(answer?.buttons.at(-1)).toEqual([{ text: '📋 Schnupperstunde (alle)', callbackData: 'sq:o2' }]);
  });

  it('says so when the studio does not answer', async () => {
    studio.sandbox.faults.set('classes', { kind: 'status', status: 503, times: 10 });
    await startBot();
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links');

    expect(botMessages(admin).map((message) => message.text)).toEqual([
      "The studio's booking system isn't answering, so the offers can't be listed. Please try again in a moment.",
    ]);
  });

  it('splits a long offer list into several messages, each with the buttons of its own offers', async () => {
    const classes: TrialOfferClass[] = Array.from({ length: 60 }, (_, index) => ({
      id: 1000 + index,
      trialOfferConfigId: 1,
      trialOfferClass: {
        id: 1000 + index,
        title: `Kurs Nummer ${index + 1} mit langem Namen`,
        bookable: true,
      },
    }));
    const catalog: OfferSource = {
      offers: async () => ({ classes, appointments: [] }),
      config: (id) => studio.catalog.config(id),
    };
    await startBot(catalog);
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links');

    const answers = botMessages(admin);
    expect(answers.length).toBeGreaterThan(1);
    const payloads = answers.flatMap((answer) => {
      const inText = [...(answer.text ?? '').matchAll(/start=(\w+)/g)].map((match) => match[1]);
      const onButtons = answer.buttons.flat().map((button) => button.callbackData?.slice('sq:'.length));
      expect(onButtons).toEqual(inText);
      return inText;
    });
    expect(payloads).toEqual([...classes.map((c) => `c${c.id}`), 'o1']);
  });
});

describe('/links for everybody else', () => {
  it('passes the command on to the catch-all: no list, no links', async () => {
    await startBot();
    const prospect = fake.user({ id: 222, languageCode: 'en' });
    await send(prospect, '/links');

    expect(botMessages(prospect).map((message) => message.text)).toEqual(['unknown command']);
    expect(catchAllReached).toBe(1);
  });

  it('refuses a QR button tap with a toast and sends no QR code', async () => {
    await startBot();
    const prospect = fake.user({ id: 222, languageCode: 'en' });
    await send(prospect, '/button sq:c101');
    await tap(prospect, 'sq:c101');

    expect(prospect.chat.toasts).toEqual([{ text: 'Only studio staff can do this.', showAlert: false }]);
    expect(botMessages(prospect).filter((message) => message.photo)).toEqual([]);
    expect(prospect.chat.calls.map((call) => call.method)).not.toContain('sendPhoto');
  });

  it('tells an admin that a QR button with an unreadable payload is out of date', async () => {
    await startBot();
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/button sq:zz9');
    await tap(admin, 'sq:zz9');

    expect(admin.chat.toasts).toEqual([
      { text: 'This button is out of date. Please send /links again.', showAlert: false },
    ]);
    expect(admin.chat.calls.map((call) => call.method)).not.toContain('sendPhoto');
  });
});

describe('setStaffCommands', () => {
  const publicCommands = {
    en: [{ command: 'start', description: 'Book a trial session' }],
    de: [{ command: 'start', description: 'Probetraining buchen' }],
  };

  it('shows /links in the menu of each admin chat only, in each language', async () => {
    const api = new Api(fake.token, { apiRoot: fake.apiRoot });
    const admin = fake.user({ id: adminId, languageCode: 'de' });
    const prospect = fake.user({ id: 222, languageCode: 'de' });
    await api.setMyCommands(publicCommands.en);

    const result = await setStaffCommands(api, [adminId], {
      publicCommands,
      defaultLocale: 'en',
      t: translations,
    });

    expect(result).toEqual({ failed: [] });
    const scope = { type: 'chat', chat_id: adminId } as const;
    expect(await api.getMyCommands({ scope, language_code: 'de' })).toEqual([
      { command: 'start', description: 'Probetraining buchen' },
      { command: 'links', description: 'Angebotslinks und QR-Codes (Team)' },
    ]);
    expect(await api.getMyCommands({ scope, language_code: 'en' })).toEqual([
      { command: 'start', description: 'Book a trial session' },
      { command: 'links', description: 'Offer links and QR codes (staff)' },
    ]);
    // Admins whose Telegram speaks another language get the default locale's list.
    expect(await api.getMyCommands({ scope })).toEqual(
      await api.getMyCommands({ scope, language_code: 'en' }),
    );
    expect(admin.chat.commands.map((command) => command.command)).toEqual(['start', 'links']);
    expect(prospect.chat.commands.map((command) => command.command)).toEqual(['start']);
    expect(await api.getMyCommands()).toEqual(publicCommands.en);
  });

  it('still sets the others when an admin has never opened the bot, and reports that one', async () => {
    const api = new Api(fake.token, { apiRoot: fake.apiRoot });
    fake.user({ id: adminId });

    const result = await setStaffCommands(api, [4242, adminId], {
      publicCommands,
      defaultLocale: 'en',
      t: translations,
    });

    expect(result.failed.map((failure) => failure.adminId)).toEqual([4242]);
    expect(result.failed[0]?.reason).toMatch(/chat not found/);
    expect(fake.chat(adminId).commands.map((command) => command.command)).toEqual(['start', 'links']);
  });
});

describe('/links in a studio chain', () => {
  const hamburgAdminId = 222;
  let chain: StudioRegistry;
  let closeChain: () => Promise<void>;

  beforeEach(async () => {
    const sandbox = await createSandbox({
      rateLimitPerMinute: false,
      studios: demoChain.map((entry) => ({ id: entry.id, seed: entry.seed })),
    });
    chain = createStudioRegistry({
      studios: sandboxStudios(sandbox).map((entry) => ({
        ...entry,
        adminIds: entry.id === 'hamburg' ? [hamburgAdminId] : [],
      })),
      timeoutMs: 5_000,
      ttlMs: 60_000,
    });
    closeChain = async () => {
      await chain.close();
      await sandbox.close();
    };
  });
  afterEach(async () => {
    await stopBot?.();
    stopBot = undefined;
    await closeChain();
  });

  it("gives a studio's admin that studio's offers, each link naming the studio", async () => {
    await startBot(studio.catalog, chain);
    const admin = fake.user({ id: hamburgAdminId, languageCode: 'en' });
    await send(admin, '/links door');

    const [answer, ...more] = botMessages(admin);
    expect(more).toEqual([]);
    const lines = answer?.text?.split('\n') ?? [];
    expect(lines.slice(0, 3)).toEqual([
      'Studio: Studio Kiez Hamburg',
      'Trial offers with their links: 7',
      'Campaign tag: door',
    ]);
    expect(lines).toContain('🏋️ Rücken stark (class)');
    expect(lines).toContain(link('s-hamburg_c101_door'));
    expect(answer?.text).not.toMatch(/start=(?!s-hamburg_)/);
    expect(answer?.buttons[0]).toEqual([{ text: '🏋️ Rücken stark', callbackData: 'sq:s-hamburg_c101_door' }]);

    await tap(admin, 'sq:s-hamburg_c101_door');
    expect(readQrCode(admin.chat.last('bot')?.photo?.bytes ?? new Uint8Array())).toBe(
      link('s-hamburg_c101_door'),
    );
  });

  it('keeps a studio admin to their own studios, for lists and QR codes alike', async () => {
    await startBot(studio.catalog, chain);
    const admin = fake.user({ id: hamburgAdminId, languageCode: 'en' });
    await send(admin, '/links lisboa');
    expect(admin.chat.last('bot')?.text).toBe("You don't look after that studio. Your studios: hamburg");

    await send(admin, '/button sq:s-lisboa_c101');
    await tap(admin, 'sq:s-lisboa_c101');
    expect(admin.chat.toasts.at(-1)).toMatchObject({ text: 'Only studio staff can do this.' });
    expect(botMessages(admin).filter((message) => message.photo)).toEqual([]);

    const stranger = fake.user({ id: 333, languageCode: 'en' });
    await send(stranger, '/links');
    expect(stranger.chat.last('bot')?.text).toBe('unknown command');
  });

  it('gives an ADMIN_IDS admin every studio: a whole-offer link each, then one studio on request', async () => {
    await startBot(studio.catalog, chain);
    const admin = fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links');

    const overview = admin.chat.last('bot');
    expect(overview?.text?.split('\n')).toEqual([
      'Your studios: 3',
      expect.stringContaining('Send /links followed by a studio'),
      '',
      '🏢 berlin',
      link('s-berlin'),
      '',
      '🏢 hamburg',
      link('s-hamburg'),
      '',
      '🏢 lisboa',
      link('s-lisboa'),
    ]);
    expect(overview?.buttons.map((row) => row[0]?.callbackData)).toEqual([
      'sq:s-berlin',
      'sq:s-hamburg',
      'sq:s-lisboa',
    ]);
    await tap(admin, 'sq:s-lisboa');
    expect(readQrCode(admin.chat.last('bot')?.photo?.bytes ?? new Uint8Array())).toBe(link('s-lisboa'));

    await send(admin, '/links lisboa insta');
    const lisboa = admin.chat.last('bot');
    expect(lisboa?.text).toMatch(/^Studio: Studio Kiez Lisboa\n/);
    expect(lisboa?.text).toContain('🏋️ Costas em forma (class)');
    expect(lisboa?.text).toContain(link('s-lisboa_c101_insta'));
  });

  it('splits the studio list of a long chain into messages of 25 studios each', async () => {
    const many = createStudioRegistry({
      studios: Array.from({ length: 60 }, (_, index) => ({
        id: `studio-${index + 1}`,
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'unused',
        adminIds: [],
        timeZone: 'Europe/Berlin',
      })),
      timeoutMs: 1_000,
      ttlMs: 0,
    });
    try {
      await startBot(studio.catalog, many);
      const admin = fake.user({ id: adminId, languageCode: 'en' });
      await send(admin, '/links');
      const answers = botMessages(admin);
      expect(answers.map((answer) => answer.buttons.length)).toEqual([25, 25, 10]);
      expect(answers[0]?.text).toMatch(/^Your studios: 60\n/);
      expect(answers.at(-1)?.text?.split('\n').at(-1)).toBe(link('s-studio-60'));
      // No studio was called for it.
      expect(many.openCount).toBe(0);
    } finally {
      await many.close();
    }
  });
});
