/**
 * What a prospect gets when the bot's process dies mid-update (SIGKILL, a crash): a message is
 * only ever taken as the answer to a question that reached them, and an update whose handling died
 * is carried on when Telegram delivers it again. Real processes, the sqlite store, the sandbox
 * studio and the fake Telegram.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram, type FakeUser } from '../../src/fake-telegram/index.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import {
  answerLeadQuestions,
  type BotProcess,
  bookAndConfirm,
  botEnv,
  chooseOfferAndSlot,
  countMatching,
  eventually,
  killBot,
  type LoadBalancer,
  type Prospect,
  spawnBot,
  startLoadBalancer,
  step,
  texts,
} from './helpers.ts';

const erika: Prospect = {
  firstName: 'Erika',
  lastName: 'Mustermann',
  email: 'erika.m@example.com',
  telephone: '+4915198765432',
  street: 'Kastanienallee',
  houseNumber: '7',
  zipCode: '10435',
  city: 'Berlin',
};

let sandbox: Sandbox;
let fake: FakeTelegram;
let directory: string;
let storageUrl: string;
const processes: BotProcess[] = [];

afterEach(async () => {
  for (const bot of processes.splice(0)) await killBot(bot);
  await fake.close();
  await sandbox.close();
  rmSync(directory, { recursive: true, force: true });
});

async function setUp(fakeOptions: Parameters<typeof createFakeTelegram>[0] = {}) {
  sandbox = await createSandbox({ rateLimitPerMinute: false });
  fake = await createFakeTelegram(fakeOptions);
  directory = mkdtempSync(join(tmpdir(), 'trialgram-delivery-'));
  storageUrl = `sqlite:${join(directory, 'trialgram.sqlite')}`;
}

async function startBot(env: Record<string, string>): Promise<BotProcess> {
  const bot = await spawnBot(env);
  processes.push(bot);
  return bot;
}

async function kill(bot: BotProcess): Promise<void> {
  bot.child.kill('SIGKILL');
  expect((await bot.exited).signal).toBe('SIGKILL');
}

/**
 * Sends `text` and kills the bot once it has stored the next step and its question is on the way
 * to Telegram but not there: the fake holds that sendMessage until the process is gone.
 */
async function killBeforeTheNextQuestionArrives(bot: BotProcess, user: FakeUser, text: string) {
  const held = fake.hold('sendMessage', { chatId: user.id });
  await user.sendText(text);
  await held.arrived;
  await kill(bot);
  // Not handled to the end, so not confirmed: Telegram sends it to the next process.
  expect(fake.pendingUpdateCount).toBe(1);
}

describe('a bot killed after storing the next question, before it reached the prospect', () => {
  beforeEach(() => setUp());

  it('asks that question once restarted, and files nothing the prospect re-sent meanwhile under it', async () => {
    const env = botEnv({ fake, sandbox, storageUrl });
    let bot = await startBot(env);
    const user = fake.user({ firstName: 'Erika' });
    await chooseOfferAndSlot(user, /Rückenfit/);

    // Killed before "And your last name?" arrives; the prospect, hearing nothing, sends the first name again.
    await killBeforeTheNextQuestionArrives(bot, user, 'Erika');
    expect(countMatching(user, texts.lastName)).toBe(0);
    await user.sendText('Erika');
    bot = await startBot(env);
    // Asked when the interrupted update comes again; the re-sent name was written before the
    // question arrived, so it is not the last name (and needs no answer: the question is there).
    await user.chat.waitFor(() => countMatching(user, texts.lastName) === 1, 15_000);
    await step(user, () => user.sendText('Mustermann'), texts.email);
    expect(countMatching(user, texts.lastName)).toBe(1);
    await answerLeadQuestions(user, erika, texts.dateOfBirth);

    // Killed before "What's your phone number?" arrives; the prospect sends the date of birth again.
    await killBeforeTheNextQuestionArrives(bot, user, '15.06.1990');
    await user.sendText('15.06.1990');
    bot = await startBot(env);
    await user.chat.waitFor(() => countMatching(user, texts.telephone) === 1, 15_000);
    const summary = await answerLeadQuestions(user, erika);
    expect(summary.text).toContain('Name: Erika Mustermann');
    await bookAndConfirm(user);

    const leads = sandbox.snapshot().leads;
    expect(leads).toHaveLength(1);
    expect(leads[0]?.leadCustomerData).toMatchObject({
      firstname: 'Erika',
      lastname: 'Mustermann',
      email: erika.email,
      dateOfBirth: '1990-06-15',
      telephone: erika.telephone,
    });
    expect(sandbox.snapshot().bookings).toHaveLength(1);
  }, 60_000);
});

/**
 * An update's last write (its question reached the prospect, it was applied) waits in memory for
 * the conversation's next write; a crash loses it, a clean stop stores it.
 */
describe('a bot stopped just after the next question reached the prospect', () => {
  beforeEach(() => setUp());

  /** Erika gives her first name; the last-name question arrives and the update is confirmed. */
  async function answeredFirstName(user: FakeUser): Promise<void> {
    await chooseOfferAndSlot(user, /Rückenfit/);
    await step(user, () => user.sendText('Erika'), texts.lastName);
    await eventually(async () => fake.pendingUpdateCount === 0);
  }

  it('killed: asks that question again at the next answer, and files nothing under the wrong one', async () => {
    const env = botEnv({ fake, sandbox, storageUrl });
    const first = await startBot(env);
    const user = fake.user({ firstName: 'Erika' });
    await answeredFirstName(user);
    await kill(first);

    await startBot(env);
    // The store does not know the question arrived: the answer is not filed under it, it is asked again.
    await step(user, () => user.sendText('Mustermann'), texts.lastName, 15_000);
    expect(countMatching(user, texts.lastName)).toBe(2);
    await step(user, () => user.sendText('Mustermann'), texts.email);
    const summary = await answerLeadQuestions(user, erika);
    expect(summary.text).toContain('Name: Erika Mustermann');
  }, 60_000);

  it('stopped cleanly (SIGTERM): stores it first, so the answer after the restart counts', async () => {
    const env = botEnv({ fake, sandbox, storageUrl });
    const first = await startBot(env);
    const user = fake.user({ firstName: 'Erika' });
    await answeredFirstName(user);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    await startBot(env);
    await step(user, () => user.sendText('Mustermann'), texts.email, 15_000);
    expect(countMatching(user, texts.lastName)).toBe(1);
    const summary = await answerLeadQuestions(user, erika);
    expect(summary.text).toContain('Name: Erika Mustermann');
  }, 60_000);
});

describe('an update whose handling died with a polling process', () => {
  beforeEach(() => setUp());

  it('reaches the restarted bot again, since it was not confirmed, and is carried on', async () => {
    const env = botEnv({ fake, sandbox, storageUrl });
    const first = await startBot(env);
    const user = fake.user({ firstName: 'Erika' });
    await step(user, () => user.start(), texts.offers);

    sandbox.faults.set('classSlots', { kind: 'delay', ms: 60_000, times: 1 });
    await user.tap(/Yoga Flow/);
    await eventually(async () => sandbox.callCounts().classSlots === 1);
    await kill(first);
    // Fetched, but not confirmed to Telegram: it was not handled.
    expect(fake.pendingUpdateCount).toBe(1);

    const second = await startBot(env);
    await user.chat.waitFor((chat) => texts.slots.test(chat.last('bot')?.text ?? ''), 15_000);
    expect(second.stdout()).toMatch(/"msg":"update delivered again after its handling died, resuming"/);
    await step(user, () => user.tap(/^[^(]*\d{1,2}:\d{2}$/), texts.firstName);
    expect(countMatching(user, texts.slots)).toBe(1);
    await eventually(async () => fake.pendingUpdateCount === 0);
  }, 60_000);
});

describe('an update whose handling died with a webhook process', () => {
  let balancer: LoadBalancer;

  beforeEach(async () => {
    // Telegram keeps trying a webhook for far longer than a restart takes.
    await setUp({ webhookRetryDelaysMs: [250, 500, ...Array<number>(60).fill(1_000)] });
    balancer = await startLoadBalancer();
  });

  afterEach(async () => {
    await balancer.close();
  });

  /** A webhook-mode bot behind the load balancer (its port is known only once it runs). */
  async function startWebhookBot(): Promise<BotProcess> {
    const bot = await startBot(botEnv({ fake, sandbox, storageUrl, webhookUrl: balancer.url }));
    await bot.waitForOutput(/"msg":"trialgram started"/);
    const started = bot
      .stdout()
      .split('\n')
      .find((line) => line.includes('"msg":"trialgram started"'));
    const { httpUrl } = JSON.parse(started ?? '{}') as { httpUrl: string };
    balancer.setBackends([`${httpUrl}/telegram`]);
    return bot;
  }

  it('is handled when Telegram delivers it again to the restarted bot: the prospect gets their answer', async () => {
    const first = await startWebhookBot();
    const user = fake.user({ firstName: 'Erika' });
    await step(user, () => user.start(), texts.offers);

    // The slot list request reaches the studio and hangs there; the process dies meanwhile.
    sandbox.faults.set('classSlots', { kind: 'delay', ms: 60_000, times: 1 });
    await user.tap(/Yoga Flow/);
    await eventually(async () => sandbox.callCounts().classSlots === 1);
    await kill(first);
    expect(countMatching(user, texts.slots)).toBe(0);
    expect(fake.pendingUpdateCount).toBe(1);

    const second = await startWebhookBot();
    await user.chat.waitFor((chat) => texts.slots.test(chat.last('bot')?.text ?? ''), 30_000);
    expect(second.stdout()).toMatch(/"msg":"update delivered again after its handling died, resuming"/);
    expect(sandbox.callCounts().classSlots).toBe(2);
    await eventually(async () => fake.pendingUpdateCount === 0);

    // And the conversation simply goes on.
    await step(user, () => user.tap(/^[^(]*\d{1,2}:\d{2}$/), texts.firstName);
    expect(countMatching(user, texts.slots)).toBe(1);
  }, 60_000);
});

describe('the playground restarted on the same sqlite file', () => {
  beforeEach(() => setUp());

  /** `npm start` without BOT_TOKEN; resolves with the playground's URL. */
  async function startPlayground(): Promise<{ bot: BotProcess; url: string }> {
    const bot = await startBot({ STORAGE_URL: storageUrl, PORT: '0', PLAYGROUND_PORT: '0' });
    await bot.waitForOutput(/Playground: open \S+/);
    const url = /Playground: open (\S+)/.exec(bot.stderr())?.[1] ?? '';
    return { bot, url: url.endsWith('/') ? url : `${url}/` };
  }

  /** The playground's demo chain has three studios, so /start is answered with the studio question. */
  async function startAndSeeStudios(url: string, chatId: number): Promise<void> {
    // Counted before sending: a quick answer could otherwise land before the count and be missed.
    const before = await botTexts(url, chatId);
    const sent = await fetch(`${url}api/fake/chats/${chatId}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { firstName: 'Pia' } }),
    });
    expect(sent.status).toBe(200);
    await eventually(async () => {
      const now = await botTexts(url, chatId);
      return now.slice(before.length).some((text) => /^Which studio would you like to train at\?/.test(text));
    }, 15_000);
  }

  async function botTexts(url: string, chatId: number): Promise<string[]> {
    const response = await fetch(`${url}api/fake/chats/${chatId}`);
    if (response.status !== 200) return [];
    const chat = (await response.json()) as { messages: Array<{ from: string; text?: string }> };
    return chat.messages.filter((m) => m.from === 'bot').map((m) => m.text ?? '');
  }

  it('answers /start after the restart: update ids keep rising, nothing counts as seen before', async () => {
    const chatId = 5151;
    const first = await startPlayground();
    await startAndSeeStudios(first.url, chatId);
    first.bot.child.kill('SIGTERM');
    expect((await first.bot.exited).code).toBe(0);

    const second = await startPlayground();
    await startAndSeeStudios(second.url, chatId);
    expect(second.bot.stdout()).not.toMatch(/update delivered again, ignored/);
  }, 60_000);
});
