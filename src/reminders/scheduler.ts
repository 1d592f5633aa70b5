/**
 * The one small interface both reminder stores implement: the embedded one (a table in the SQLite
 * file, polled by one timer; also `:memory:` for `memory:` stores) and the Redis one (BullMQ).
 */
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Deliver, Reminder, ReminderKind, ScheduledReminder } from './reminder.ts';

export interface ReminderScheduler {
  readonly kind: 'sqlite' | 'memory' | 'redis';
  /**
   * Stores reminders to be sent when due. Idempotent: a reminder whose id is already stored
   * (pending, being sent or done) is left as it is; one whose slot has started is skipped.
   * Resolves with how many were new. Being idempotent, it can run right after the step that
   * records the booking and again when that step is replayed. With `sqlite:` the rows go into the
   * database's next group commit (one savepoint), with the conversation rows written alongside.
   */
  schedule(reminders: readonly Reminder[]): Promise<number>;
  /** Drops one booking's pending reminders (all, or only `kinds`); resolves with how many. */
  cancelBooking(userId: number, bookingRef: string, kinds?: readonly ReminderKind[]): Promise<number>;
  /** Forgets every reminder of one user (/forget, reminders switched off); resolves with how many were pending. */
  cancelUser(userId: number): Promise<number>;
  /**
   * The booking was confirmed: drops its pending nudges and lapse notice and, if a nudge had been
   * sent for it, counts a confirmation after a nudge.
   */
  bookingConfirmed(userId: number, bookingRef: string): Promise<{ cancelled: number; afterNudge: boolean }>;
  /** Reminders not yet sent, by due time: one user's, or everyone's (the playground's panel). */
  list(filter?: { userId?: number }): Promise<ScheduledReminder[]>;
  /** Starts sending what is due (and, after a crash, what was being sent). */
  start(): Promise<void>;
  /** Sends what is due by the injected clock now, e.g. after the playground moved its clock. */
  fireDue(): Promise<void>;
  /** Stops sending; deliveries under way finish first. Leaves the store open. */
  close(): Promise<void>;
}

export interface SchedulerOptions {
  /** Renders and sends one reminder; its answer decides what happens next. */
  deliver: Deliver;
  /** REMINDER_RATE: at most this many deliveries start in any second (across instances on Redis). */
  ratePerSecond: number;
  /** The clock due times and the late rule are read on (the sandbox clock in the playground). */
  now?: () => number;
  metrics?: Metrics;
  logger?: Logger;
  /** How long to wait before the second try of a delivery whose outcome was unknown. Default 30 s. */
  retryDelayMs?: number;
  /** Deliveries under way at once (Telegram answers take a while). Default: one second's worth (4 to 200). */
  concurrency?: number;
}

/** One second's worth of sends may wait for Telegram's answers at once (the rate holds regardless). */
export function defaultConcurrency(ratePerSecond: number): number {
  return Math.min(Math.max(ratePerSecond, 4), 200);
}

/** How long done reminders are kept after their slot started, so scheduling them again is harmless. */
export const doneRetentionMs = 24 * 3_600_000;
