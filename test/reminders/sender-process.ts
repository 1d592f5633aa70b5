/**
 * A reminder sender in a process of its own, for the crash and multi-instance tests: the real
 * stores and scheduler for STORAGE_URL, with a `deliver` that posts each reminder to a loopback
 * server standing in for Telegram (TELEGRAM_URL) and counts it sent when that answers 200.
 *
 * Env: STORAGE_URL, TELEGRAM_URL, REMINDER_RATE, SCHEDULE (how many reminders, due at DUE_AT, to
 * schedule at start; idempotent), DUE_AT, REMINDERS_JSON (more reminders to schedule), LOCK_MS
 * (BullMQ lock). Prints "ready" once sending.
 */
import { createReminderScheduler, type Reminder, reminderId } from '../../src/reminders/index.ts';
import { createStores } from '../../src/store/index.ts';

const env = process.env;
const storageUrl = env.STORAGE_URL as string;
const telegramUrl = env.TELEGRAM_URL as string;
const stores = await createStores({ url: storageUrl, conversationTtlMs: 3_600_000 });
const lockMs = Number(env.LOCK_MS ?? 30_000);
const scheduler = createReminderScheduler({
  stores,
  storageUrl,
  ratePerSecond: Number(env.REMINDER_RATE ?? 25),
  lockDurationMs: lockMs,
  stalledIntervalMs: Math.max(200, lockMs / 3),
  deliver: async (reminder) => {
    const response = await fetch(telegramUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: reminder.id,
        attempt: reminder.attempt,
        pid: process.pid,
        startedAt: performance.timeOrigin + performance.now(),
      }),
    });
    await response.arrayBuffer();
    return response.ok ? { status: 'sent' } : { status: 'failed', retry: true };
  },
});
const count = Number(env.SCHEDULE ?? 0);
if (count > 0) {
  const dueAt = Number(env.DUE_AT);
  const reminders: Reminder[] = Array.from({ length: count }, (_, i) => ({
    id: reminderId(1000 + i, 'b1', 'slot_reminder', dueAt),
    userId: 1000 + i,
    chatId: 1000 + i,
    bookingRef: 'b1',
    kind: 'slot_reminder',
    dueAt,
    slotStartAt: dueAt + 2 * 3_600_000,
    leadMs: 2 * 3_600_000,
    payload: { title: 'Yoga' },
  }));
  await scheduler.schedule(reminders);
}
if (env.REMINDERS_JSON) await scheduler.schedule(JSON.parse(env.REMINDERS_JSON) as Reminder[]);
await scheduler.start();
process.stdout.write('ready\n');
// The scheduler's timer never keeps a process alive (the bot's server or polling does that).
const keepAlive = setInterval(() => undefined, 60_000);
process.on('SIGTERM', async () => {
  clearInterval(keepAlive);
  await scheduler.close();
  await stores.close();
  process.exit(0);
});
