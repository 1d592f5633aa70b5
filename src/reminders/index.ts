/**
 * Durable reminders (issue #14): the booking flow plans them (`planReminders`, pure) and emits
 * them as effects; the adapter hands them to a ReminderScheduler, which calls the app's `deliver`
 * when each is due, at most REMINDER_RATE per second.
 *
 * ```ts
 * const reminders = createReminderScheduler({ stores, storageUrl, deliver, ratePerSecond, metrics, logger });
 * await reminders.start();
 * await reminders.schedule(planReminders(booking, config.reminders));
 * ```
 */
import type { Stores } from '../store/index.ts';
import { parseStorageUrl } from '../store/location.ts';
import { type BullmqSchedulerOptions, createBullmqReminderScheduler } from './bullmq-scheduler.ts';
import type { ReminderScheduler, SchedulerOptions } from './scheduler.ts';
import { createSqliteReminderScheduler, type SqliteSchedulerOptions } from './sqlite-scheduler.ts';

export * from './reminder.ts';
export type { ReminderScheduler, SchedulerOptions } from './scheduler.ts';
export { deliveryResultOf } from './telegram.ts';

export interface CreateReminderSchedulerOptions
  extends SchedulerOptions,
    Pick<BullmqSchedulerOptions, 'lockDurationMs' | 'stalledIntervalMs'>,
    Pick<SqliteSchedulerOptions, 'maxPollMs'> {
  /** The app's stores: `sqlite:` puts the table in their database. */
  stores: Pick<Stores, 'kind' | 'database'>;
  /** STORAGE_URL, for the Redis server and prefix of `redis://` stores. */
  storageUrl: string;
}

/** The scheduler that matches STORAGE_URL: a SQLite table, memory, or BullMQ on the same Redis. */
export function createReminderScheduler(options: CreateReminderSchedulerOptions): ReminderScheduler {
  const { stores, storageUrl, ...common } = options;
  const location = parseStorageUrl(storageUrl);
  if (location.kind === 'redis') {
    return createBullmqReminderScheduler({ ...common, url: location.url, keyPrefix: location.keyPrefix });
  }
  return createSqliteReminderScheduler({
    ...common,
    ...(stores.database ? { database: stores.database } : {}),
  });
}
