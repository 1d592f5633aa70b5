/**
 * Both reminder stores against the same expectations: the SQLite table in a real database file,
 * and BullMQ on the real Redis under a prefix of this run's own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import { createReminderScheduler, type Deliver, type ReminderScheduler } from '../../src/reminders/index.ts';
import { createStores, type Stores } from '../../src/store/index.ts';
import { deleteRedisKeys, flushRedisScripts, redisUrl, uniqueRedisPrefix } from '../store/redis-helpers.ts';
import {
  hour,
  maxStartsPerSecond,
  minute,
  recordingDeliver,
  reminder,
  reminderCount,
  sleep,
  waitFor,
} from './helpers.ts';

interface Backend {
  name: 'sqlite' | 'redis';
  /** A STORAGE_URL of its own for one test. */
  url(): Promise<{ url: string; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    async url() {
      const dir = await mkdtemp(join(tmpdir(), 'trialgram-reminders-'));
      return {
        url: `sqlite:${join(dir, 'bot.sqlite')}`,
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'redis',
    async url() {
      const prefix = uniqueRedisPrefix('reminders');
      return { url: redisUrl(prefix), cleanup: () => deleteRedisKeys(prefix) };
    },
  },
];

describe.each(backends)('reminder scheduler ($name)', (backend) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  /** A scheduler on a fresh store, with a clock the test moves (starting at `clock.t`). */
  async function setUp(deliver: Deliver, options: { rate?: number; retryDelayMs?: number } = {}) {
    const { url, cleanup } = await backend.url();
    cleanups.push(cleanup);
    const stores: Stores = await createStores({ url, conversationTtlMs: hour });
    cleanups.push(() => stores.close());
    const metrics: Metrics = createMetrics({ defaultMetrics: false });
    const clock = { t: Date.UTC(2026, 5, 1, 8, 0, 0) };
    const scheduler: ReminderScheduler = createReminderScheduler({
      stores,
      storageUrl: url,
      deliver,
      ratePerSecond: options.rate ?? 50,
      now: () => clock.t,
      metrics,
      retryDelayMs: options.retryDelayMs ?? 200,
    });
    cleanups.push(() => scheduler.close());
    await scheduler.start();
    return { scheduler, metrics, clock };
  }

  it('delivers a reminder scheduled twice once, and scheduling it again after it was sent does nothing', async () => {
    const { deliver, deliveries, timesDelivered } = recordingDeliver();
    const { scheduler, metrics, clock } = await setUp(deliver);
    const due = reminder({ userId: 1, dueAt: clock.t });
    const later = reminder({
      userId: 1,
      dueAt: clock.t + 10 * minute,
      kind: 'confirmation_nudge',
      leadMs: hour,
    });
    expect(await scheduler.schedule([due, later])).toBe(2);
    expect(await scheduler.schedule([due, later])).toBe(0);
    await waitFor(() => timesDelivered(due.id) === 1, 'the due reminder');
    expect(await scheduler.schedule([due])).toBe(0);
    await sleep(500);
    expect(deliveries.map((d) => d.id)).toEqual([due.id]);
    expect(deliveries[0]?.attempt).toBe(1);
    expect((await scheduler.list()).map((r) => [r.id, r.state])).toEqual([[later.id, 'pending']]);
    expect(await reminderCount(metrics, 'slot_reminder', 'scheduled')).toBe(1);
    expect(await reminderCount(metrics, 'slot_reminder', 'sent')).toBe(1);
  });

  it('skips reminders whose slot has started', async () => {
    const { deliver, deliveries } = recordingDeliver();
    const { scheduler, clock } = await setUp(deliver);
    expect(
      await scheduler.schedule([reminder({ userId: 1, dueAt: clock.t - hour, slotStartAt: clock.t })]),
    ).toBe(0);
    expect(await scheduler.list()).toEqual([]);
    expect(deliveries).toEqual([]);
  });

  it('cancels one booking (all kinds or some), and every reminder of one user', async () => {
    const { deliver, deliveries } = recordingDeliver();
    const { scheduler, metrics, clock } = await setUp(deliver);
    const at = clock.t + hour;
    const nudge = reminder({ userId: 1, dueAt: at, kind: 'confirmation_nudge' }, 'b1');
    const lapse = reminder({ userId: 1, dueAt: at + minute, kind: 'lapse_notice' }, 'b1');
    const slot = reminder({ userId: 1, dueAt: at + 2 * minute }, 'b1');
    const otherBooking = reminder({ userId: 1, dueAt: at }, 'b2');
    const otherUser = reminder({ userId: 2, dueAt: at }, 'b1');
    await scheduler.schedule([nudge, lapse, slot, otherBooking, otherUser]);

    expect(await scheduler.cancelBooking(1, 'b1', ['confirmation_nudge', 'lapse_notice'])).toBe(2);
    expect((await scheduler.list({ userId: 1 })).map((r) => r.id)).toEqual([otherBooking.id, slot.id]);
    expect(await scheduler.cancelBooking(1, 'b1')).toBe(1);
    expect((await scheduler.list({ userId: 1 })).map((r) => r.id)).toEqual([otherBooking.id]);
    expect(await scheduler.cancelUser(1)).toBe(1);
    expect((await scheduler.list()).map((r) => r.id)).toEqual([otherUser.id]);
    expect(await reminderCount(metrics, 'confirmation_nudge', 'cancelled')).toBe(1);
    expect(await reminderCount(metrics, 'slot_reminder', 'cancelled')).toBe(2);

    // Nothing cancelled is sent when its time comes.
    clock.t = at + 3 * minute;
    await scheduler.fireDue();
    await waitFor(() => deliveries.length === 1, 'the other user’s reminder');
    await sleep(300);
    expect(deliveries.map((d) => d.id)).toEqual([otherUser.id]);
  });

  it('never starts more than REMINDER_RATE deliveries in any second, and delivers each once', async () => {
    const rate = 15;
    const { deliver, deliveries, timesDelivered } = recordingDeliver(async () => {
      await sleep(5);
      return { status: 'sent' };
    });
    const { scheduler, clock } = await setUp(deliver, { rate });
    const burst = Array.from({ length: 3 * rate + 5 }, (_, i) =>
      reminder({ userId: 100 + i, dueAt: clock.t }),
    );
    await scheduler.schedule(burst);
    await waitFor(() => deliveries.length >= burst.length, 'the whole burst', 30_000);
    await sleep(200);
    expect(burst.every((r) => timesDelivered(r.id) === 1)).toBe(true);
    expect(deliveries).toHaveLength(burst.length);
    expect(maxStartsPerSecond(deliveries.map((d) => d.startedAt))).toBeLessThanOrEqual(rate);
  });

  it("honours Telegram's 429 retry_after: nothing starts before it has passed, then the reminder is sent once", async () => {
    const retryAfterMs = 1_500;
    const { deliver, deliveries, timesDelivered } = recordingDeliver((_r, call) =>
      call === 1 ? { status: 'rate_limited', retryAfterMs } : { status: 'sent' },
    );
    const { scheduler, metrics, clock } = await setUp(deliver, { rate: 5 });
    const batch = Array.from({ length: 4 }, (_, i) => reminder({ userId: 10 + i, dueAt: clock.t }));
    await scheduler.schedule(batch);
    await waitFor(
      () => deliveries.filter((d) => d.result?.status === 'sent').length === batch.length,
      'all sent',
    );
    const limited = deliveries[0];
    expect(limited?.result?.status).toBe('rate_limited');
    const answeredAt = limited?.answeredAt as number;
    // Deliveries that began before the 429 came back may finish; none may begin in the pause.
    const startedInPause = deliveries.filter(
      (d) => d.startedAt >= answeredAt && d.startedAt < answeredAt + retryAfterMs - 20,
    );
    expect(startedInPause).toEqual([]);
    expect(timesDelivered(limited?.id as string)).toBe(2);
    expect(deliveries.find((d, i) => i > 0 && d.id === limited?.id)?.attempt).toBe(1);
    expect(await reminderCount(metrics, 'slot_reminder', 'sent')).toBe(batch.length);
  });

  it("drops the user's remaining reminders when Telegram answers 403 (the user blocked the bot)", async () => {
    const { deliver, deliveries } = recordingDeliver((r) =>
      r.userId === 1 ? { status: 'blocked' } : { status: 'sent' },
    );
    const { scheduler, metrics, clock } = await setUp(deliver);
    const first = reminder({ userId: 1, dueAt: clock.t, kind: 'confirmation_nudge' }, 'b1');
    const rest = [
      reminder({ userId: 1, dueAt: clock.t + hour }, 'b1'),
      reminder({ userId: 1, dueAt: clock.t + 2 * hour }, 'b2'),
    ];
    const otherUser = reminder({ userId: 2, dueAt: clock.t + hour });
    await scheduler.schedule([first, ...rest, otherUser]);
    await waitFor(() => deliveries.length === 1, 'the first delivery');
    await waitFor(
      async () => (await scheduler.list({ userId: 1 })).length === 0,
      "user 1's reminders dropped",
    );
    expect(await reminderCount(metrics, 'confirmation_nudge', 'blocked')).toBe(1);
    expect(await reminderCount(metrics, 'slot_reminder', 'blocked')).toBe(2);

    clock.t += hour + minute;
    await scheduler.fireDue();
    await waitFor(() => deliveries.length === 2, "the other user's reminder");
    await sleep(300);
    expect(deliveries.map((d) => d.id)).toEqual([first.id, otherUser.id]);
  });

  it('sends a reminder found late by less than half its lead time, and drops and counts a later one', async () => {
    const { deliver, deliveries } = recordingDeliver();
    const { scheduler, metrics, clock } = await setUp(deliver);
    const start = clock.t;
    // Due in 20 and 10 minutes, each 10 minutes ahead of the confirmation deadline it announces.
    const nudge = { kind: 'confirmation_nudge', leadMs: 10 * minute, slotStartAt: start + 3 * hour } as const;
    const slightlyLate = reminder({ userId: 1, dueAt: start + 20 * minute, ...nudge });
    const tooLate = reminder({ userId: 2, dueAt: start + 10 * minute, ...nudge });
    // Already 59 and 61 minutes late for a 2 h reminder when scheduled.
    const lateButFine = reminder({ userId: 3, dueAt: start - 59 * minute });
    const lateDropped = reminder({ userId: 4, dueAt: start - 61 * minute });
    await scheduler.schedule([slightlyLate, tooLate, lateButFine, lateDropped]);
    await waitFor(() => deliveries.length === 1, 'the reminder 59 minutes late');
    await waitFor(
      async () => (await reminderCount(metrics, 'slot_reminder', 'late_dropped')) === 1,
      'the drop',
    );

    // The clock jumps (downtime, or the playground): 4 minutes late is in time, 11 minutes is not.
    clock.t = start + 24 * minute;
    await scheduler.fireDue();
    await waitFor(() => deliveries.length === 2, 'the nudge 1 minute late');
    await waitFor(
      async () => (await reminderCount(metrics, 'confirmation_nudge', 'late_dropped')) === 1,
      'the nudge 11 minutes late dropped',
    );
    expect(deliveries.map((d) => d.id)).toEqual([lateButFine.id, slightlyLate.id]);
    expect(await scheduler.list()).toEqual([]);
  });

  it('counts a confirmation that followed a nudge and drops the booking’s pending nudges and lapse notice', async () => {
    const { deliver, timesDelivered } = recordingDeliver();
    const { scheduler, metrics, clock } = await setUp(deliver);
    const nudge = reminder({ userId: 1, dueAt: clock.t, kind: 'confirmation_nudge', leadMs: hour });
    const lapse = reminder({ userId: 1, dueAt: clock.t + hour, kind: 'lapse_notice', leadMs: hour });
    const slot = reminder({ userId: 1, dueAt: clock.t + 2 * hour, leadMs: 2 * hour });
    await scheduler.schedule([nudge, lapse, slot]);
    await waitFor(() => timesDelivered(nudge.id) === 1, 'the nudge');
    await waitFor(
      async () => (await reminderCount(metrics, 'confirmation_nudge', 'sent')) === 1,
      'its count',
    );
    expect(await scheduler.bookingConfirmed(1, 'b1')).toEqual({ cancelled: 1, afterNudge: true });
    expect((await scheduler.list()).map((r) => r.id)).toEqual([slot.id]);
    const confirmed = await metrics.registry
      .getSingleMetric('trialgram_reminders_confirmed_after_nudge_total')
      ?.get();
    expect(confirmed?.values[0]?.value).toBe(1);
    expect(await scheduler.bookingConfirmed(1, 'b2')).toEqual({ cancelled: 0, afterNudge: false });
  });

  it('counts a reminder the app found nothing to say for as cancelled, and sends it no more', async () => {
    const { deliver, deliveries } = recordingDeliver(() => ({ status: 'skipped' }));
    const { scheduler, metrics, clock } = await setUp(deliver);
    const lapse = reminder({ userId: 1, dueAt: clock.t, kind: 'lapse_notice', leadMs: hour });
    await scheduler.schedule([lapse]);
    await waitFor(async () => (await reminderCount(metrics, 'lapse_notice', 'cancelled')) === 1, 'the skip');
    expect(await scheduler.schedule([lapse])).toBe(0);
    clock.t += 5 * 60_000;
    await scheduler.fireDue();
    await sleep(300);
    expect(deliveries).toHaveLength(1);
    expect(await scheduler.list()).toEqual([]);
  });

  it('tries a delivery whose outcome was unknown once more, and gives up after that', async () => {
    const { deliver, deliveries } = recordingDeliver((r) =>
      r.userId === 1 ? { status: 'failed', retry: true } : { status: 'failed', retry: false },
    );
    // The second try waits for the clock move below: BullMQ's backoff runs on real time, so a short
    // delay would retry by itself, and the state waited for first (tried once, pending again) could
    // come and go between two looks. Within a minute of the test's clock, for the SQLite scheduler.
    const { scheduler, metrics, clock } = await setUp(deliver, { retryDelayMs: 30_000 });
    const unknown = reminder({ userId: 1, dueAt: clock.t });
    const refused = reminder({ userId: 2, dueAt: clock.t });
    await scheduler.schedule([unknown, refused]);
    await waitFor(async () => {
      const left = await scheduler.list();
      return left.length === 1 && left[0]?.id === unknown.id && left[0].state === 'pending';
    }, 'the first attempts answered');
    clock.t += minute;
    await scheduler.fireDue();
    await waitFor(
      async () => (await reminderCount(metrics, 'slot_reminder', 'failed')) === 2,
      'both given up',
    );
    clock.t += 10 * minute;
    await scheduler.fireDue();
    await sleep(500);
    expect(deliveries.filter((d) => d.id === unknown.id).map((d) => d.attempt)).toEqual([1, 2]);
    expect(deliveries.filter((d) => d.id === refused.id).map((d) => d.attempt)).toEqual([1]);
  });
});

describe('Redis reminder store', () => {
  it('keeps scheduling and cancelling once Redis has forgotten its scripts (restarted, flushed)', async () => {
    const prefix = uniqueRedisPrefix('reminders-scripts');
    const url = redisUrl(prefix);
    const stores = await createStores({ url, conversationTtlMs: hour });
    const { deliver } = recordingDeliver();
    const scheduler = createReminderScheduler({ stores, storageUrl: url, deliver, ratePerSecond: 10 });
    try {
      const at = Date.now() + hour;
      const nudge = reminder(
        { userId: 3, dueAt: at, slotStartAt: at + 2 * hour, kind: 'confirmation_nudge' },
        'b1',
      );
      await flushRedisScripts();
      expect(await scheduler.schedule([nudge])).toBe(1);
      expect(await scheduler.schedule([nudge])).toBe(0);
      await flushRedisScripts();
      expect(await scheduler.bookingConfirmed(3, 'b1')).toEqual({ cancelled: 1, afterNudge: false });
      expect(await scheduler.list({ userId: 3 })).toEqual([]);
    } finally {
      await scheduler.close();
      await stores.close();
      await deleteRedisKeys(prefix);
    }
  });
});

describe('embedded reminder store', () => {
  it('keeps reminders in the bot’s own SQLite file, on its connection, and /forget’s cancel removes them from it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trialgram-reminders-file-'));
    const path = join(dir, 'bot.sqlite');
    const stores = await createStores({ url: `sqlite:${path}`, conversationTtlMs: hour });
    const scheduler = createReminderScheduler({
      stores,
      storageUrl: `sqlite:${path}`,
      deliver: async () => ({ status: 'sent' }),
      ratePerSecond: 25,
    });
    try {
      await scheduler.schedule([reminder({ userId: 42, dueAt: Date.now() + hour })]);
      const file = new DatabaseSync(path, { readOnly: true });
      const rows = () =>
        file
          .prepare('SELECT user_id, kind FROM reminders')
          .all()
          .map((row) => ({ ...row }));
      expect(rows()).toEqual([{ user_id: 42, kind: 'slot_reminder' }]);
      await scheduler.cancelUser(42);
      expect(rows()).toEqual([]);
      file.close();
    } finally {
      await scheduler.close();
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
