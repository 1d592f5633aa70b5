/**
 * Edge cases with real processes (`node src/main.ts`): Redis stalling (the connection open, no
 * answers) while a prospect writes, a slot that fills up between the summary and "Book now", and
 * Telegram resetting the connection of a reply. The in-process versions live in test/bot/resilience.test.ts and
 * test/bot/refusals.test.ts; these show that the production wiring behaves the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { demoSeed } from '../../src/sandbox/seed.ts';
import {
  deleteRedisKeys,
  redisHost,
  redisPort,
  redisUrl,
  startTcpProxy,
  type TcpProxy,
  uniqueRedisPrefix,
} from '../store/redis-helpers.ts';
import {
  answerLeadQuestions,
  type BotProcess,
  bookAndConfirm,
  botEnv,
  chooseOfferAndSlot,
  killBot,
  type Prospect,
  spawnBot,
  step,
  texts,
} from './helpers.ts';

let fake: FakeTelegram;
let directory: string;
const bots: BotProcess[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'trialgram-store-slot-'));
});

afterEach(async () => {
  for (const bot of bots.splice(0)) await killBot(bot);
});

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
});

/**
 * A Telegram of the describe's own: its bots are SIGKILLed, so their last update is never
 * confirmed, and a shared fake would hand it to the next describe's bot, whose fresh store has
 * never seen it (a reply to it took the connection resets one test had set up: the CI failure).
 */
function ownTelegram(): void {
  beforeAll(async () => {
    fake = await createFakeTelegram();
  });
  afterAll(async () => {
    await fake?.close();
  });
}

function person(n: number, firstName: string): Prospect {
  return {
    firstName,
    lastName: `Proc${n}`,
    email: `proc${n}.slot@example.com`,
    telephone: `+4915133300${String(n).padStart(3, '0')}`,
    street: 'Kastanienallee',
    houseNumber: String(n),
    zipCode: '10435',
    city: 'Berlin',
  };
}

describe('Redis stalling under a bot process (connected, no answers)', () => {
  ownTelegram();
  let sandbox: Sandbox;
  let proxy: TcpProxy;
  const prefix = uniqueRedisPrefix('proc-stall');

  beforeAll(async () => {
    sandbox = await createSandbox({ rateLimitPerMinute: false });
    proxy = await startTcpProxy({ host: redisHost, port: redisPort });
  });

  afterAll(async () => {
    await proxy?.close();
    await sandbox?.close();
    await deleteRedisKeys(prefix);
  });

  it('answers "technical trouble" instead of silence, and carries on once Redis answers again', async () => {
    const bot = await spawnBot(botEnv({ fake, sandbox, storageUrl: redisUrl(prefix, proxy.port) }));
    bots.push(bot);
    const ann = fake.user({ firstName: 'Ann' });
    await step(ann, () => ann.start(), texts.offers);

    proxy.stall();
    // The store's time limits turn the stall into an answer; the wait here is only a ceiling.
    await step(ann, () => ann.sendText('/help'), texts.storeUnavailable, 20_000);

    proxy.resume();
    // The client replaces the connection that stalled; a message in that moment may still get the
    // same answer (truthfully). A prospect trying again shortly after is answered normally.
    let answer = '';
    const deadline = Date.now() + 30_000;
    while (!/\/forget/.test(answer) && Date.now() < deadline) {
      const reply = await step(ann, () => ann.sendText('/help'), /\/forget|technical trouble/, 20_000);
      answer = reply.text ?? '';
    }
    expect(answer).toMatch(/\/forget deletes everything/);
  }, 60_000);
});

describe('a slot that fills up between the summary and "Book now" (bot process)', () => {
  ownTelegram();
  let sandbox: Sandbox;

  beforeAll(async () => {
    // Every Yoga Flow class has one place left, and room on its waiting list.
    sandbox = await createSandbox({
      rateLimitPerMinute: false,
      seed: (() => {
        const seed = demoSeed(Date.now());
        return {
          ...seed,
          classes: seed.classes.map((c) =>
            c.title === 'Yoga Flow'
              ? {
                  ...c,
                  slots: c.slots.map((slot) => ({
                    ...slot,
                    bookedParticipants: slot.maxParticipants - 1,
                    additionalParticipants: 0,
                    waitingListParticipants: 0,
                    maxWaitingListParticipants: Math.max(slot.maxWaitingListParticipants, 1),
                  })),
                }
              : c,
          ),
        };
      })(),
    });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('asks before the waiting list: nothing is booked for the prospect who agreed to a free place', async () => {
    const bot = await spawnBot(
      botEnv({ fake, sandbox, storageUrl: `sqlite:${join(directory, 'slot.sqlite')}` }),
    );
    bots.push(bot);
    const ann = fake.user({ firstName: 'Ann' });
    const ben = fake.user({ firstName: 'Ben' });
    const annika = person(1, 'Ann');
    await chooseOfferAndSlot(ann, /Yoga Flow/);
    await answerLeadQuestions(ann, annika);

    // Ben takes the same (first free) time, and with it its last place.
    await chooseOfferAndSlot(ben, /Yoga Flow/);
    await answerLeadQuestions(ben, person(2, 'Ben'));
    await bookAndConfirm(ben);

    await step(
      ann,
      () => ann.tap(/Book now/),
      /^Sorry, this time has just filled up\. You can still join its waiting list/,
    );
    const leads = sandbox
      .snapshot()
      .leads.filter((lead) => (lead.leadCustomerData as { email?: string }).email === annika.email);
    expect(leads).toEqual([]);
    expect(sandbox.snapshot().bookings).toHaveLength(1);
  }, 90_000);
});

describe('Telegram resetting the connection of a reply (bot process)', () => {
  ownTelegram();
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createSandbox({ rateLimitPerMinute: false });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('sends the reply again on a new connection: the prospect gets it, exactly once', async () => {
    const bot = await spawnBot(
      botEnv({ fake, sandbox, storageUrl: `sqlite:${join(directory, 'reset.sqlite')}` }),
    );
    bots.push(bot);
    const ann = fake.user({ firstName: 'Ann' });
    fake.failNext('sendMessage', 'connection-reset', 2);
    await step(ann, () => ann.start(), texts.offers);
    const offers = ann.chat.messages.filter((m) => m.from === 'bot' && texts.offers.test(m.text ?? ''));
    expect(offers).toHaveLength(1);
    expect(bot.stdout()).not.toMatch(/telegram call failed/);
  }, 60_000);
});
