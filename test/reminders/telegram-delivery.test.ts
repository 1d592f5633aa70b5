/**
 * Reminders sent through grammY to the fake Telegram Bot API, with `deliveryResultOf` mapping
 * Telegram's answers: what prospects see, a user who blocked the bot, and a 429 with retry_after.
 */
import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { createMetrics } from '../../src/metrics.ts';
import {
  createReminderScheduler,
  type Deliver,
  deliveryResultOf,
  type ReminderScheduler,
} from '../../src/reminders/index.ts';
import { hour, reminder, reminderCount, sleep, waitFor } from './helpers.ts';

describe('reminders through the Telegram Bot API', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function setUp() {
    const fake: FakeTelegram = await createFakeTelegram();
    cleanups.push(() => fake.close());
    const api = new Api(fake.token, { apiRoot: fake.apiRoot });
    const deliver: Deliver = async (r) => {
      try {
        await api.sendMessage(r.chatId, `Reminder: ${String(r.payload.title)} (${r.kind})`);
        return { status: 'sent' };
      } catch (error) {
        return deliveryResultOf(error);
      }
    };
    const metrics = createMetrics({ defaultMetrics: false });
    const clock = { t: Date.UTC(2026, 5, 1, 8, 0) };
    const scheduler: ReminderScheduler = createReminderScheduler({
      stores: { kind: 'memory' },
      storageUrl: 'memory:',
      deliver,
      ratePerSecond: 25,
      now: () => clock.t,
      metrics,
    });
    cleanups.push(() => scheduler.close());
    await scheduler.start();
    return { fake, scheduler, metrics, clock };
  }

  it('a prospect who blocked the bot gets nothing more: the 403 drops their remaining reminders', async () => {
    const { fake, scheduler, metrics, clock } = await setUp();
    const ann = fake.user({ id: 501, firstName: 'Ann' });
    const bob = fake.user({ id: 502, firstName: 'Bob' });
    await ann.start();
    await bob.start();
    await scheduler.schedule([
      reminder({ userId: 501, dueAt: clock.t, kind: 'confirmation_nudge', leadMs: hour }),
      reminder({ userId: 501, dueAt: clock.t + hour }),
      reminder({ userId: 502, dueAt: clock.t }),
    ]);
    await waitFor(
      () => ann.chat.last('bot') !== undefined && bob.chat.last('bot') !== undefined,
      'both nudged',
    );
    expect(ann.chat.last('bot')?.text).toBe('Reminder: Yoga (confirmation_nudge)');

    ann.blockBot();
    await scheduler.schedule([reminder({ userId: 501, dueAt: clock.t + 30_000 }, 'b2')]);
    clock.t += 40_000;
    await scheduler.fireDue();
    await waitFor(async () => (await reminderCount(metrics, 'slot_reminder', 'blocked')) === 2, 'the drop');
    ann.unblockBot();
    clock.t += hour;
    await scheduler.fireDue();
    await sleep(300);
    expect(ann.chat.messages.filter((m) => m.from === 'bot')).toHaveLength(1);
    expect(await scheduler.list({ userId: 501 })).toEqual([]);
  });

  it("waits out Telegram's retry_after on a 429, then the prospect gets the reminder once", async () => {
    const { fake, scheduler } = await setUp();
    const ann = fake.user({ id: 601, firstName: 'Ann' });
    await ann.start();
    fake.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      retry_after: 1,
    });
    const started = performance.now();
    await scheduler.schedule([reminder({ userId: 601, dueAt: Date.UTC(2026, 5, 1, 8, 0) })]);
    await waitFor(() => ann.chat.last('bot') !== undefined, 'the reminder');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    await sleep(300);
    expect(ann.chat.messages.filter((m) => m.from === 'bot')).toHaveLength(1);
  });
});
