/**
 * trialgram as a process (`node src/main.ts`, long polling, the embedded sqlite store): killed
 * without warning mid-conversation, and stopped with SIGTERM while a booking is on its way to the
 * studio. Nothing the prospect did may be lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
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
  type Prospect,
  spawnBot,
  step,
  texts,
} from './helpers.ts';

const zofia: Prospect = {
  firstName: 'Zofia',
  lastName: 'Kowalczyk',
  email: 'zofia.k@example.com',
  telephone: '+4915112345678',
  street: 'Kastanienallee',
  houseNumber: '7',
  zipCode: '10435',
  city: 'Berlin',
};
const helpText = /I book free trial sessions at the studio for you/;

let sandbox: Sandbox;
let fake: FakeTelegram;
let directory: string;
let env: Record<string, string>;
const processes: BotProcess[] = [];

beforeEach(async () => {
  sandbox = await createSandbox({ rateLimitPerMinute: false });
  fake = await createFakeTelegram();
  directory = mkdtempSync(join(tmpdir(), 'trialgram-process-'));
  env = botEnv({ fake, sandbox, storageUrl: `sqlite:${join(directory, 'trialgram.sqlite')}` });
});

afterEach(async () => {
  for (const bot of processes.splice(0)) await killBot(bot);
  await fake.close();
  await sandbox.close();
  rmSync(directory, { recursive: true, force: true });
});

async function startBot(): Promise<BotProcess> {
  const bot = await spawnBot(env);
  processes.push(bot);
  return bot;
}

function expectNothingPersonalOrSecretIn(bot: BotProcess) {
  const output = bot.stdout() + bot.stderr();
  for (const value of [zofia.lastName, zofia.email, zofia.telephone, zofia.street]) {
    expect(output).not.toContain(value);
  }
  expect(output).not.toContain(sandbox.apiKey);
  expect(output).not.toContain(fake.token);
}

describe('a bot process', () => {
  it('with a bot token but no studio credentials books at the embedded sandbox and says so at start-up', async () => {
    const { PERFECTGYM_BASE_URL: _url, PERFECTGYM_API_KEY: _key, ...withoutStudio } = env;
    const bot = await spawnBot(withoutStudio);
    processes.push(bot);
    expect(bot.stderr()).toMatch(/^SANDBOX MODE: no PERFECTGYM_BASE_URL\/PERFECTGYM_API_KEY set/m);

    const user = fake.user({ firstName: 'Sami' });
    // The sandbox serves the demo chain: /start asks which studio, and Berlin's offers follow.
    await step(user, () => user.start(), /Which studio|share your location/);
    await user.chat.waitFor((chat) =>
      chat.messages.some(
        (m) => m.from === 'bot' && /^Which studio would you like to train at\?/.test(m.text ?? ''),
      ),
    );
    await step(user, () => user.tap(/^Berlin · /), texts.offers);
    expect(user.chat.messages.some((m) => /Studio Kiez Berlin/.test(m.text ?? ''))).toBe(true);
    // The studio configured through the environment was never asked.
    expect(sandbox.callCounts().studio + sandbox.callCounts().classes).toBe(0);
  });

  it('is killed mid-conversation, and a new process carries on where the prospect was', async () => {
    const first = await startBot();
    const user = fake.user({ firstName: 'Zofia' });
    await chooseOfferAndSlot(user, /Rückenfit/);
    const asked = await answerLeadQuestions(user, zofia, texts.gender);
    expect(asked.text).toMatch(texts.gender);

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const second = await startBot();

    const summary = await answerLeadQuestions(user, zofia);
    expect(summary.text).toContain('Name: Zofia Kowalczyk');
    expect(summary.text).toContain('E-mail: zofia.k@example.com');
    await bookAndConfirm(user);

    // The studio got one lead, with what was typed before and after the kill, and one booking.
    const studio = sandbox.snapshot();
    expect(studio.leads).toHaveLength(1);
    expect(studio.leads[0]?.leadCustomerData).toMatchObject({
      firstname: 'Zofia',
      lastname: 'Kowalczyk',
      email: 'zofia.k@example.com',
      telephone: zofia.telephone,
    });
    expect(studio.bookings).toHaveLength(1);
    expect(studio.bookings[0]?.confirmation.state).toBe('CONFIRMED');
    expect(countMatching(user, texts.firstName)).toBe(1);

    // Both processes logged JSON lines, without what Zofia typed or any credential.
    expect(second.stdout()).toMatch(
      /^\{"level":30,.*"updateId":\d+,"type":"callback_query".*"msg":"update handled"\}$/m,
    );
    expectNothingPersonalOrSecretIn(first);
    expectNothingPersonalOrSecretIn(second);
  });

  it('on SIGTERM finishes the booking in flight, takes no new update, and exits 0', async () => {
    const first = await startBot();
    const user = fake.user({ firstName: 'Zofia' });
    await chooseOfferAndSlot(user, /Yoga Flow/);
    await answerLeadQuestions(user, zofia);

    sandbox.faults.set('classBook', { kind: 'delay', ms: 1_500, times: 1 });
    await user.tap(/Book now/);
    // The booking request has reached the studio and waits there.
    await eventually(async () => sandbox.callCounts().classBook === 1);
    first.child.kill('SIGTERM');
    await first.waitForOutput(/SIGTERM: finishing updates in flight/);
    // Written while the process is stopping: it must wait for the next process, not vanish.
    await user.sendText('/help');

    const exit = await first.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(countMatching(user, texts.booked)).toBe(1);
    expect(sandbox.snapshot().bookings).toHaveLength(1);
    expect(countMatching(user, helpText)).toBe(0);
    expect(fake.pendingUpdateCount).toBe(1);

    await startBot();
    await user.chat.waitFor((chat) => helpText.test(chat.last('bot')?.text ?? ''));
    // The booking was confirmed to Telegram before exiting: the new process does not handle it again.
    expect(countMatching(user, texts.booked)).toBe(1);
    await step(user, () => user.start(), texts.offers);
    expect(sandbox.snapshot().callCounts.classBook).toBe(1);
  });

  it('gives way to a second process polling the same bot: stops with exit code 1, not silently', async () => {
    const first = await startBot();
    await startBot();
    expect(await first.exited).toEqual({ code: 1, signal: null });
    expect(first.stdout()).toMatch(/"level":60,.*"msg":"long polling stopped"/);

    const user = fake.user({ firstName: 'Zofia' });
    await step(user, () => user.start(), texts.offers);
  });
});
