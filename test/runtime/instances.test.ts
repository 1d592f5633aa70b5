/**
 * Two webhook-mode instances on one Redis behind a round-robin load balancer, as a studio chain
 * runs trialgram in a busy month. Prospects book at the same time; each one's updates land on both
 * instances, and some are delivered twice (Telegram re-sending), sometimes to both instances at
 * once. Every booking must happen exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createFakeTelegram, type FakeTelegram, type FakeUser } from '../../src/fake-telegram/index.ts';
import { createLogger } from '../../src/logger.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { deleteRedisKeys, redisKeys, redisUrl, uniqueRedisPrefix } from '../store/redis-helpers.ts';
import {
  answerLeadQuestions,
  bookAndConfirm,
  botEnv,
  chooseOfferAndSlot,
  countMatching,
  eventually,
  type LoadBalancer,
  metricValue,
  type Prospect,
  sentTexts,
  startLoadBalancer,
  step,
  texts,
} from './helpers.ts';

const secret = 'studio-chain_webhook-secret';
const prefix = uniqueRedisPrefix('instances');

let sandbox: Sandbox;
let fake: FakeTelegram;
let balancer: LoadBalancer;
const apps: RunningApp[] = [];
const logLines: string[][] = [[], []];

beforeAll(async () => {
  sandbox = await createSandbox({ rateLimitPerMinute: false });
  fake = await createFakeTelegram();
  balancer = await startLoadBalancer({
    // Every fifth request is re-sent to the other instance at once, every seventh after the answer.
    redeliver: (position) =>
      position % 5 === 2 ? 'concurrent' : position % 7 === 4 ? 'afterAnswer' : undefined,
  });
  const config = parseConfig(
    botEnv({ fake, sandbox, storageUrl: redisUrl(prefix), webhookUrl: balancer.url, webhookSecret: secret }),
  );
  for (const lines of logLines) {
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(line) },
    });
    apps.push(await startApp(config, { host: '127.0.0.1', logger, announce: () => undefined }));
  }
  balancer.setBackends(apps.map((app) => `${app.http?.url}/telegram`));
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await balancer?.close();
  await fake?.close();
  await sandbox?.close();
  await deleteRedisKeys(prefix);
});

function prospect(n: number, firstName: string): Prospect {
  return {
    firstName,
    lastName: `Testerin${n}`,
    email: `prospect${n}.${prefix}@example.com`,
    telephone: `+491510000000${n}`,
    street: 'Schönhauser Allee',
    houseNumber: String(10 + n),
    zipCode: '10437',
    city: 'Berlin',
  };
}

describe('two webhook instances on one Redis', () => {
  it('complete every booking exactly once, whichever instance gets which update', async () => {
    const people = [
      { user: fake.user({ firstName: 'Ada' }), offer: /Yoga Flow/, details: prospect(1, 'Ada') },
      { user: fake.user({ firstName: 'Bea' }), offer: /Rückenfit/, details: prospect(2, 'Bea') },
      { user: fake.user({ firstName: 'Cem' }), offer: /Yoga Flow/, details: prospect(3, 'Cem') },
      { user: fake.user({ firstName: 'Dan' }), offer: /Rückenfit/, details: prospect(4, 'Dan') },
    ];
    await Promise.all(
      people.map(async ({ user, offer, details }) => {
        await chooseOfferAndSlot(user, offer);
        await answerLeadQuestions(user, details);
        await bookAndConfirm(user);
      }),
    );
    await balancer.idle();

    // The setup did what it claims: both instances served every prospect, and updates came twice.
    const redeliveries = balancer.deliveries.filter((d) => d.redelivery);
    expect(redeliveries.length).toBeGreaterThanOrEqual(8);
    expect(balancer.deliveries.every((d) => d.status === 200)).toBe(true);
    for (const { user } of people) {
      const backends = new Set(balancer.deliveries.filter((d) => d.chatId === user.id).map((d) => d.backend));
      expect(backends).toEqual(new Set([0, 1]));
    }

    // What each prospect saw: one booking, confirmed where the studio asks for it, nothing twice.
    for (const { user, offer } of people) {
      expect(
        countMatching(user, new RegExp(`${texts.booked.source}|${texts.confirmationRequired.source}`)),
      ).toBe(1);
      expect(countMatching(user, texts.confirmed)).toBe(offer.source === 'Rückenfit' ? 1 : 0);
      expect(countMatching(user, texts.storeUnavailable)).toBe(0);
      expectNoRepeatedReplies(user);
    }

    // What the studio holds: one lead and one booking per prospect, no class over capacity.
    const studio = sandbox.snapshot();
    const emails = studio.leads.map((lead) => (lead.leadCustomerData as { email: string }).email).sort();
    expect(emails).toEqual(people.map((p) => p.details.email).sort());
    expect(studio.bookings).toHaveLength(people.length);
    expect(new Set(studio.bookings.map((b) => b.customerId)).size).toBe(people.length);
    expect(studio.bookings.filter((b) => b.confirmation.state === 'CONFIRMED')).toHaveLength(2);
    for (const slot of studio.classSlots) {
      expect(slot.bookedParticipants + slot.additionalParticipants).toBeLessThanOrEqual(slot.maxParticipants);
    }
    expect(studio.callCounts.leadCreate).toBe(people.length);
    expect(studio.callCounts.classBook).toBe(people.length);

    // Each redelivered update was recognised as such by whichever instance got it second.
    const ignored = logLines.flat().filter((line) => line.includes('update delivered again, ignored'));
    expect(ignored).toHaveLength(redeliveries.length);
    expect(ignored.every((line) => /"updateId":\d+/.test(line))).toBe(true);

    // The funnel, summed over both instances.
    const metrics = await Promise.all(
      apps.map(async (app) => (await fetch(`${app.http?.url}/metrics`)).text()),
    );
    const total = (stage: string) =>
      metrics.reduce(
        (sum, text) => sum + (metricValue(text, 'trialgram_booking_funnel_total', { stage }) ?? 0),
        0,
      );
    expect([total('lead_created'), total('booked'), total('confirmed')]).toEqual([4, 4, 2]);

    // Logs: update ids, but nothing a prospect typed, and never a credential.
    const log = logLines.flat().join('');
    for (const { details } of people) {
      for (const value of [details.email, details.lastName, details.telephone])
        expect(log).not.toContain(value);
    }
    expect(log).not.toContain(sandbox.apiKey);
    expect(log).not.toContain(fake.token);
    expect(log).not.toContain(secret);
    // Conversation state, lead mapping and the shared cache live in Redis, under this run's prefix;
    // each conversation row also names the update it applied, so private chats need no update records.
    const keys = await redisKeys(prefix);
    for (const namespace of ['conversations', 'leads', 'cache']) {
      expect(keys.some((key) => key.startsWith(`${prefix}:${namespace}::`))).toBe(true);
    }
    expect(keys.some((key) => key.startsWith(`${prefix}:records::update:`))).toBe(false);
  });

  it('refuses a webhook post without the right secret, and it changes nothing', async () => {
    const user = fake.user({ firstName: 'Mallory' });
    // Mallory has talked to the bot before (Telegram lets a bot write only to such users).
    const helpId = await user.sendText('/help');
    await user.chat.waitFor((chat) => chat.last('bot') !== undefined);
    await balancer.idle();
    const app = apps[0] as RunningApp;
    const callsBefore = user.chat.calls.length;
    const stateBefore = await app.stores.conversations.get(String(user.id));
    // A later update than any Telegram sent so far (update ids keep rising).
    const updateId = helpId + 1_000_000;
    const update = JSON.stringify({
      update_id: updateId,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: 'private', first_name: 'Mallory' },
        from: { id: user.id, is_bot: false, first_name: 'Mallory' },
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${app.http?.url}/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: update,
      });

    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-telegram-bot-api-secret-token': `${secret}x` })).status).toBe(401);
    expect(user.chat.calls).toHaveLength(callsBefore);
    expect(await app.stores.records.get(`update:${updateId}`)).toBeUndefined();
    expect(await app.stores.conversations.get(String(user.id))).toEqual(stateBefore);

    // The same post with the secret is an ordinary /start.
    expect((await post({ 'x-telegram-bot-api-secret-token': secret })).status).toBe(200);
    await user.chat
      .waitFor((chat) => texts.offers.test(chat.last('bot')?.text ?? ''))
      .catch((e) => {
        console.log(JSON.stringify(user.chat.calls), logLines.flat().slice(-10).join(''));
        throw e;
      });
  });
});

describe('a rolling restart behind the load balancer', () => {
  it('stops one instance while it books, finishes that booking, and the other carries on', async () => {
    const user = fake.user({ firstName: 'Eve' });
    await chooseOfferAndSlot(user, /Yoga Flow/);
    await answerLeadQuestions(user, prospect(5, 'Eve'));
    await balancer.idle();

    const bookingsBefore = sandbox.snapshot().bookings.length;
    const callsBefore = sandbox.callCounts().classBook;
    sandbox.faults.set('classBook', { kind: 'delay', ms: 1_000, times: 1 });
    const tap = await user.tap(/Book now/);
    await user.chat.waitFor(() => balancer.backendOf(tap) !== undefined);
    const stopping = apps[balancer.backendOf(tap) as number] as RunningApp;
    // The booking is at the studio when the instance is told to stop.
    await eventually(async () => sandbox.callCounts().classBook === callsBefore + 1);
    expect(countMatching(user, texts.booked)).toBe(0);

    await stopping.stop();
    expect(countMatching(user, texts.booked)).toBe(1);

    // Telegram's next update finds the stopped instance gone and lands on the other one.
    await step(user, () => user.sendText('/help'), /I book free trial sessions/);
    expect(sandbox.snapshot().bookings).toHaveLength(bookingsBefore + 1);
  });
});

function expectNoRepeatedReplies(user: FakeUser) {
  const seen = sentTexts(user, ['sendMessage']);
  expect(seen.length).toBeGreaterThan(3);
  expect(seen.filter((text, index) => seen.indexOf(text) !== index)).toEqual([]);
}
