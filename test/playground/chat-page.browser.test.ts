/**
 * The playground page against the fake Telegram and a small scripted grammY bot: what a person
 * sees and can do in the page, and what the bot receives in return.
 */
import { readFile } from 'node:fs/promises';
import { Bot, InlineKeyboard, InputFile, Keyboard } from 'grammy';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { endpointPath } from '../../src/perfectgym/endpoints.ts';
import { type Playground, startPlayground } from '../../src/playground/index.ts';
import { createSandbox, createSandboxClock, type Sandbox } from '../../src/sandbox/index.ts';
import { botMessages, launchChromium, openPlayground, shownUserId, userMessages } from './browser.ts';

const ticket = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Trial class\r\nEND:VCALENDAR\r\n';
/** Monday 2030-03-25, 09:00 in Berlin: a fixed studio clock keeps slots and deadlines predictable. */
const mondayNineAm = Date.parse('2030-03-25T09:00:00+01:00');
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** A 40×30 PNG, as a photo the bot can send. */
function samplePng(): Buffer {
  const png = new PNG({ width: 40, height: 30 });
  png.data.fill(0x80);
  return PNG.sync.write(png);
}

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** What the scripted bot received, for asserting the page's effect on the bot's side. */
interface Seen {
  starts: Array<{ userId: number; languageCode: string | undefined; payload: string }>;
  contacts: Array<{ fromId: number; userId: number | undefined; phoneNumber: string }>;
}

function scriptedBot(fake: FakeTelegram, seen: Seen): Bot {
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  const menu = new InlineKeyboard()
    .text('Edit me', 'edit')
    .row()
    .text('Toast', 'toast')
    .text('Alert', 'alert')
    .row()
    .text('Ticket', 'ticket')
    .text('Phone', 'phone')
    .text('Photo', 'photo')
    .row()
    .url('Website', 'https://studio.example/');
  bot.command('start', async (ctx) => {
    const from = ctx.from;
    if (from === undefined) return;
    seen.starts.push({ userId: from.id, languageCode: from.language_code, payload: ctx.match });
    const greeting =
      from.language_code === 'de'
        ? `Hallo <b>${escapeHtml(from.first_name)}</b>!`
        : `Hello <b>${escapeHtml(from.first_name)}</b>!`;
    const payload = ctx.match === '' ? '' : `\nPayload: <code>${escapeHtml(ctx.match)}</code>`;
    await ctx.reply(
      `${greeting} Read our <a href="https://studio.example/privacy">privacy notes</a>.${payload}`,
      {
        parse_mode: 'HTML',
        reply_markup: menu,
      },
    );
  });
  bot.callbackQuery('edit', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText('Edited: <i>all <b>done</b></i>', { parse_mode: 'HTML' });
  });
  bot.callbackQuery('toast', (ctx) =>
    ctx.answerCallbackQuery({
      text: ctx.from.language_code === 'de' ? 'Für später gemerkt' : 'Saved for later',
    }),
  );
  bot.callbackQuery('alert', (ctx) =>
    ctx.answerCallbackQuery({ text: 'This class is full', show_alert: true }),
  );
  bot.callbackQuery('ticket', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.replyWithDocument(new InputFile(Buffer.from(ticket), 'trial.ics'), { caption: 'Your ticket' });
  });
  bot.callbackQuery('photo', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.replyWithPhoto(new InputFile(samplePng(), 'qr.png'), { caption: 'Scan me' });
  });
  bot.callbackQuery('phone', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply('Share your number?', {
      reply_markup: new Keyboard().requestContact('📱 Share my number').row().text('No thanks').resized(),
    });
  });
  bot.on('message:contact', async (ctx) => {
    const { contact } = ctx.message;
    seen.contacts.push({ fromId: ctx.from.id, userId: contact.user_id, phoneNumber: contact.phone_number });
    await ctx.reply(`Thanks, I have ${contact.phone_number}.`, { reply_markup: { remove_keyboard: true } });
  });
  bot.on('message:text', (ctx) =>
    ctx.reply(`You said: <b>${escapeHtml(ctx.message.text)}</b>`, { parse_mode: 'HTML' }),
  );
  return bot;
}

let browser: Browser;
let fake: FakeTelegram;
let sandbox: Sandbox;
let playground: Playground;
let bot: Bot;
let polling: Promise<void>;
const seen: Seen = { starts: [], contacts: [] };

beforeAll(async () => {
  [browser, fake, sandbox] = await Promise.all([
    launchChromium(),
    createFakeTelegram({ bot: { firstName: 'Studio Kiez Bot', username: 'kiez_test_bot' } }),
    createSandbox({ clock: createSandboxClock(mondayNineAm) }),
  ]);
  bot = scriptedBot(fake, seen);
  await new Promise<void>((resolve, reject) => {
    polling = bot.start({ onStart: () => resolve() });
    polling.catch(reject);
  });
  playground = await startPlayground({
    fake,
    sandbox: { url: sandbox.url, apiKey: sandbox.apiKey },
    logger: silentLogger(),
  });
});

afterAll(async () => {
  await browser?.close();
  await playground?.close();
  await bot?.stop();
  await polling;
  await Promise.all([fake?.close(), sandbox?.close()]);
});

/** A fresh browser profile: a new Telegram user with an empty chat. */
const freshPage = (): Promise<Page> => openPlayground(browser, playground.url);

describe('the chat', () => {
  let page: Page;

  beforeAll(async () => {
    page = await freshPage();
  });

  it('shows the bot by name and the bot’s formatted answer to Start, with its buttons', async () => {
    await expect.poll(() => page.locator('#bot-name').textContent()).toBe('Studio Kiez Bot');
    await expect.poll(() => page.locator('#empty-hint').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Start', exact: true }).click();

    const reply = botMessages(page).last();
    await reply.waitFor();
    expect(await reply.locator('.text').textContent()).toBe('Hello Alex! Read our privacy notes.');
    expect(await reply.locator('.text b').textContent()).toBe('Alex');
    const link = reply.getByRole('link', { name: 'privacy notes' });
    expect(await link.getAttribute('href')).toBe('https://studio.example/privacy');
    expect(await userMessages(page).last().locator('.text').textContent()).toBe('/start');
    expect(await reply.locator('time').textContent()).toMatch(/\d{1,2}:\d{2}/);
    expect(await reply.locator('.inline-keyboard button').allTextContents()).toEqual([
      'Edit me',
      'Toast',
      'Alert',
      'Ticket',
      'Phone',
      'Photo',
    ]);
    expect(await reply.getByRole('link', { name: /Website/ }).getAttribute('href')).toBe(
      'https://studio.example/',
    );
    await expect.poll(() => page.locator('#empty-hint').isVisible()).toBe(false);
  });

  it('sends typed text, and shows text the bot echoes as text, never as markup', async () => {
    const typed = '<img src=x onerror="document.body.dataset.hacked=1"> & co';
    await page.getByLabel('Message', { exact: true }).fill(typed);
    await page.getByRole('button', { name: 'Send' }).click();

    await expect
      .poll(() => botMessages(page).last().locator('.text').textContent())
      .toBe(`You said: ${typed}`);
    expect(await userMessages(page).last().locator('.text').textContent()).toBe(typed);
    expect(await page.locator('#messages img').count()).toBe(0);
    expect(await page.locator('body').getAttribute('data-hacked')).toBeNull();
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('');
  });

  it('edits a message in place when the bot edits it after a tap', async () => {
    const menu = botMessages(page).filter({ hasText: 'Hello Alex' });
    const messageId = await menu.getAttribute('data-message-id');
    const botMessageCount = await botMessages(page).count();

    await menu.getByRole('button', { name: 'Edit me' }).click();

    const edited = page.locator(`#messages > li[data-message-id="${messageId}"]`);
    await expect.poll(() => edited.locator('.text').textContent()).toBe('Edited: all done');
    expect(await edited.locator('.text i b').textContent()).toBe('done');
    expect(await edited.locator('.edited').textContent()).toBe('edited');
    expect(await edited.locator('.inline-keyboard').count()).toBe(0);
    expect(await botMessages(page).count()).toBe(botMessageCount);
  });

  it('shows callback answers as a toast, and an alert as a dialog', async () => {
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => botMessages(page).last().locator('.inline-keyboard').count()).toBe(1);

    await botMessages(page).last().getByRole('button', { name: 'Toast' }).click();
    await page.locator('.toast', { hasText: 'Saved for later' }).waitFor();

    await botMessages(page).last().getByRole('button', { name: 'Alert' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('This class is full');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('offers the document the bot sent for download', async () => {
    await botMessages(page).last().getByRole('button', { name: 'Ticket' }).click();
    const documentMessage = botMessages(page).filter({ has: page.locator('.document') });
    await documentMessage.waitFor();
    expect(await documentMessage.locator('.text').textContent()).toBe('Your ticket');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      documentMessage.getByRole('link', { name: 'trial.ics' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('trial.ics');
    expect(await readFile(await download.path(), 'utf8')).toBe(ticket);
  });

  it('shows a photo the bot sent, with its caption', async () => {
    await botMessages(page)
      .filter({ hasText: 'Hello Alex' })
      .last()
      .getByRole('button', { name: 'Photo' })
      .click();
    const photo = page.getByRole('img', { name: 'Photo: Scan me' });
    await photo.waitFor();
    await expect.poll(() => photo.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(40);
    expect(await botMessages(page).last().locator('.text').textContent()).toBe('Scan me');
  });

  it('shows a reply keyboard, shares the user’s own contact from it, and hides it when the bot removes it', async () => {
    const userId = await shownUserId(page);
    await botMessages(page)
      .filter({ hasText: 'Hello Alex' })
      .last()
      .getByRole('button', { name: 'Phone' })
      .click();
    const keyboard = page.getByRole('group', { name: 'Keyboard from the bot' });
    await keyboard.waitFor();
    expect(await keyboard.getByRole('button').allTextContents()).toEqual(['📱 Share my number', 'No thanks']);

    await keyboard.getByRole('button', { name: '📱 Share my number' }).click();

    await expect.poll(() => seen.contacts.length).toBe(1);
    expect(seen.contacts[0]).toMatchObject({ fromId: userId, userId });
    const phone = seen.contacts[0]?.phoneNumber ?? '';
    await expect
      .poll(() => botMessages(page).last().locator('.text').textContent())
      .toBe(`Thanks, I have ${phone}.`);
    expect(await userMessages(page).last().locator('.contact').textContent()).toContain(phone);
    await keyboard.waitFor({ state: 'hidden' });
  });

  it('shows the same chat again after a reload', async () => {
    const before = await page.locator('#messages > li').allTextContents();
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.locator('#messages > li').allTextContents()).toEqual(before);
  });
});

describe('the simulated Telegram user', () => {
  it('opens a deep link as /start with its payload, and refuses a payload Telegram would not carry', async () => {
    const page = await freshPage();
    const userId = await shownUserId(page);
    await page.getByLabel('Deep-link payload').fill('https://t.me/kiez_test_bot?start=class-101');
    await page.getByRole('button', { name: 'Open link' }).click();

    await expect.poll(() => botMessages(page).last().locator('.text code').textContent()).toBe('class-101');
    expect(seen.starts.at(-1)).toMatchObject({ userId, payload: 'class-101' });

    const startsBefore = seen.starts.length;
    await page.getByLabel('Deep-link payload').fill('two words');
    await page.getByRole('button', { name: 'Open link' }).click();
    await page.locator('.toast.error', { hasText: 'deep-link payload' }).waitFor();
    expect(seen.starts.length).toBe(startsBefore);
    await page.context().close();
  });

  it('talks to the same user in German after the language switch, keeping the chat', async () => {
    const page = await freshPage();
    const userId = await shownUserId(page);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => botMessages(page).last().locator('.text').textContent()).toMatch(/^Hello Alex!/);

    await page.getByLabel('Telegram language').selectOption('de');
    // A tap right after the switch already tells the bot the new language.
    await botMessages(page).first().getByRole('button', { name: 'Toast' }).click();
    await page.locator('.toast', { hasText: 'Für später gemerkt' }).waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();

    await expect.poll(() => botMessages(page).last().locator('.text').textContent()).toMatch(/^Hallo Alex!/);
    expect(await shownUserId(page)).toBe(userId);
    expect(await botMessages(page).first().locator('.text').textContent()).toMatch(/^Hello Alex!/);
    expect(seen.starts.at(-1)).toMatchObject({ userId, languageCode: 'de' });
    await page.context().close();
  });

  it('starts over as a different Telegram user with an empty chat', async () => {
    const page = await freshPage();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await botMessages(page).first().waitFor();
    const firstUserId = await shownUserId(page);

    await page.getByRole('button', { name: 'New user' }).click();

    await expect.poll(() => shownUserId(page)).not.toBe(firstUserId);
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.locator('#messages > li').count()).toBe(0);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await botMessages(page).first().waitFor();
    const secondUserId = await shownUserId(page);
    expect(seen.starts.at(-1)?.userId).toBe(secondUserId);
    expect(secondUserId).not.toBe(firstUserId);
    await page.context().close();
  });
});

describe('the sandbox panel', () => {
  let page: Page;
  let bookingId: number;
  let bookedSlotId: number | undefined;

  const studio = async (method: string, name: Parameters<typeof endpointPath>[0], body?: unknown) => {
    const response = await fetch(`${sandbox.url}${endpointPath(name, {})}`, {
      method,
      headers: { 'x-api-key': sandbox.apiKey, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    page = await freshPage();
    // A prospect books "Rückenfit" (trial offer 1: needs confirmation within 24 hours) directly at the studio.
    const lead = await studio('POST', 'leadCreate', {
      trialOfferConfigId: 1,
      leadCustomerData: {
        firstname: 'Mia',
        lastname: 'Muster',
        email: 'mia@example.org',
        telephone: '+49 30 1234567',
        address: { street: 'Oderberger Straße 1', zipCode: '10435', city: 'Berlin' },
      },
    });
    expect(lead).toMatchObject({ status: 200 });
    const slot = sandbox
      .snapshot()
      .classSlots.find(
        (candidate) =>
          candidate.classId === 101 &&
          candidate.freePlaces > 0 &&
          Date.parse(candidate.startDateTime.replace(/\[.*\]$/, '')) > mondayNineAm + dayMs,
      );
    const booking = await studio('POST', 'classBook', {
      customerId: lead.body.leadCustomerId,
      classSlotId: slot?.id,
    });
    expect(booking.body).toMatchObject({ bookingStatus: 'BOOKED_WITH_CONFIRMATION_REQUIRED' });
    bookingId = Number(booking.body.bookingId);
    bookedSlotId = slot?.id;
  });

  afterAll(async () => {
    await page.context().close();
  });

  it('lists the studio’s leads and bookings with their status', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    const leads = page.getByRole('table', { name: 'Leads' });
    await expect.poll(() => leads.locator('tbody tr').first().textContent()).toContain('Mia Muster');
    expect(await leads.locator('tbody tr').first().textContent()).toContain('Probetraining');
    expect(await leads.locator('tbody tr').first().textContent()).toContain('mia@example.org');

    const booking = page
      .getByRole('table', { name: 'Bookings' })
      .locator('tbody tr', { hasText: String(bookingId) });
    expect(await booking.textContent()).toContain('Rückenfit');
    expect(await booking.locator('td.status').textContent()).toMatch(/^Awaiting confirmation until /);
    expect(await page.locator('#studio-name').textContent()).toBe('Studio Kiez Berlin');
    const bookedSlot = page.getByRole('table', { name: 'Class slots, next 7 days' }).locator('tr.booked');
    expect(await bookedSlot.count()).toBe(1);
    expect(await bookedSlot.getAttribute('data-slot-id')).toBe(String(bookedSlotId));
  });

  it('moves the studio clock, so an unconfirmed booking lapses', async () => {
    const before = sandbox.clock.now();
    await page.getByRole('button', { name: '+1 hour' }).click();
    await expect.poll(() => sandbox.clock.now() - before).toBeGreaterThanOrEqual(hourMs);
    expect(sandbox.clock.now() - before).toBeLessThan(hourMs + 60_000);

    await page.getByRole('button', { name: '+1 day' }).click();
    await expect.poll(() => sandbox.clock.now() - before).toBeGreaterThanOrEqual(hourMs + dayMs);
    const shownClock = async () =>
      Date.parse((await page.locator('#studio-clock').getAttribute('datetime')) ?? '');
    await expect.poll(shownClock).toBeGreaterThanOrEqual(before + hourMs + dayMs);
    expect(await page.locator('#studio-clock').textContent()).toMatch(/^Tue 26 Mar, 1\d:\d\d$/);
    const booking = page
      .getByRole('table', { name: 'Bookings' })
      .locator('tbody tr', { hasText: String(bookingId) });
    await expect
      .poll(() => booking.locator('td.status').textContent())
      .toMatch(/^Canceled: not confirmed in time/);

    await page.getByRole('button', { name: 'Back to now' }).click();
    await expect.poll(() => Math.abs(sandbox.clock.now() - Date.now())).toBeLessThan(60_000);
    await expect
      .poll(() => page.locator('#studio-clock-offset').textContent())
      .toBe('(Europe/Berlin, real time)');
  });

  it('injects a fault the studio then answers with, and clears it', async () => {
    const classesPath = `${sandbox.url}${endpointPath('classes', {})}`;
    const getClasses = async () =>
      (await fetch(classesPath, { headers: { 'x-api-key': sandbox.apiKey } })).status;
    expect(await getClasses()).toBe(200);

    await page.getByLabel('Endpoint').selectOption('classes');
    await page.getByLabel('Answer').selectOption('500');
    await page.getByRole('button', { name: 'Inject fault' }).click();
    const faults = page.getByRole('list', { name: 'Active faults' });
    await expect.poll(() => faults.textContent()).toContain('classes answers 500, until cleared');
    expect(await getClasses()).toBe(500);
    expect(await getClasses()).toBe(500);

    await page.getByRole('button', { name: 'Clear faults' }).click();
    await expect.poll(() => faults.textContent()).toContain('No faults');
    expect(await getClasses()).toBe(200);
  });

  it('injects a fault that lets the studio act and then loses its answer', async () => {
    await page.getByLabel('Endpoint').selectOption('classBook');
    await page.getByLabel('Answer').selectOption('after:drop');
    await page.getByLabel('Times (empty: until cleared)').fill('1');
    await page.getByRole('button', { name: 'Inject fault' }).click();
    const faults = page.getByRole('list', { name: 'Active faults' });
    await expect.poll(() => faults.textContent()).toContain('classBook drop after acting, 1 more time(s)');
    const listed = (await (
      await fetch(`${sandbox.url}/__sandbox/faults`, { headers: { 'x-api-key': sandbox.apiKey } })
    ).json()) as Record<string, unknown>;
    expect(listed.classBook).toEqual({ kind: 'drop', afterHandling: true, times: 1, remaining: 1 });
    await page.getByRole('button', { name: 'Clear faults' }).click();
    await expect.poll(() => faults.textContent()).toContain('No faults');
  });
});

describe('formatted text', () => {
  let page: Page;

  beforeAll(async () => {
    page = await freshPage();
  });

  afterAll(async () => {
    await page.context().close();
  });

  /**
   * The markup the page builds for a text and its entities (read here only to compare structure).
   * The script is a string: Vitest would rewrite an import() written in test code.
   */
  const rendered = (text: string, entities: unknown[]): Promise<string> =>
    page.evaluate(`(async () => {
      const { renderFormattedText } = await import('/assets/format-text.js');
      const container = document.createElement('div');
      container.append(renderFormattedText(${JSON.stringify(text)}, ${JSON.stringify(entities)}));
      return container.innerHTML;
    })()`);

  it.each([
    {
      what: 'nested entities',
      text: 'bold italic',
      entities: [
        { type: 'bold', offset: 0, length: 11 },
        { type: 'italic', offset: 5, length: 6 },
      ],
      html: '<b>bold <i>italic</i></b>',
    },
    {
      what: 'offsets in UTF-16 code units after an emoji',
      text: '👋 Hi Ann!',
      entities: [{ type: 'bold', offset: 6, length: 3 }],
      html: '👋 Hi <b>Ann</b>!',
    },
    {
      what: 'markup-like text as text',
      text: '<script>alert(1)</script>',
      entities: [],
      html: '&lt;script&gt;alert(1)&lt;/script&gt;',
    },
    {
      what: 'a javascript: link without a link',
      text: 'click',
      entities: [{ type: 'text_link', offset: 0, length: 5, url: 'javascript:alert(1)' }],
      html: '<span>click</span>',
    },
    {
      what: 'a bare URL as a link',
      text: 'see example.com',
      entities: [{ type: 'url', offset: 4, length: 11 }],
      html: 'see <a href="http://example.com/" target="_blank" rel="noopener noreferrer">example.com</a>',
    },
    {
      what: 'code blocks with their language',
      text: 'let a = 1;',
      entities: [{ type: 'pre', offset: 0, length: 10, language: 'ts' }],
      html: '<pre><code class="language-ts">let a = 1;</code></pre>',
    },
    {
      what: 'a partial overlap split rather than dropped',
      text: 'abcdef',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 2, length: 4 },
      ],
      html: '<b>ab<i>cd</i></b><i>ef</i>',
    },
  ])('renders $what', async ({ text, entities, html }) => {
    expect(await rendered(text, entities)).toBe(html);
  });
});
