/**
 * The embedded reminder store: a `reminders` table in the bot's SQLite file (same connection, so
 * the same pragmas, secure_delete included), polled by one timer.
 *
 * Exactly once: a due row is claimed (`sending`, attempts + 1) in one statement before `deliver`
 * is called, and marked done after. A row a killed process left in `sending` is tried once more at
 * the next start: that is the one duplicate possible, when the process died after Telegram took
 * the message but before its answer was recorded. With `:memory:` (for `memory:` stores) nothing
 * survives a restart.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { describeError } from '../bot/errors.ts';
import { groupCommitOf } from '../store/sqlite-keyv.ts';
import { StartPacer } from './pacer.ts';
import {
  type DeliveryResult,
  lateVerdict,
  maxDeliveryAttempts,
  type Reminder,
  type ReminderKind,
  type ReminderOutcome,
  reminderKinds,
  type ScheduledReminder,
} from './reminder.ts';
import {
  defaultConcurrency,
  doneRetentionMs,
  type ReminderScheduler,
  type SchedulerOptions,
} from './scheduler.ts';

export interface SqliteSchedulerOptions extends SchedulerOptions {
  /** The stores' database (`stores.database`); omitted: a private `:memory:` one. */
  database?: DatabaseSync;
  /** Longest pause between two looks at the table (another process may add rows). Default 30 s. */
  maxPollMs?: number;
}

type Status = 'pending' | 'sending' | 'sent' | 'skipped' | 'late_dropped' | 'blocked' | 'failed';

interface Row {
  id: string;
  user_id: number;
  chat_id: number;
  booking_ref: string;
  kind: ReminderKind;
  due_at: number;
  slot_start_at: number;
  lead_ms: number;
  payload: string;
  status: Status;
  attempts: number;
}

const schema = `
  CREATE TABLE IF NOT EXISTS reminders (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    booking_ref TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    slot_start_at INTEGER NOT NULL,
    lead_ms INTEGER NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER NOT NULL,
    claimed_at INTEGER,
    done_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS reminders_due ON reminders (next_try_at, id) WHERE status = 'pending';
  CREATE INDEX IF NOT EXISTS reminders_user ON reminders (user_id);
`;

const liveStatuses = `status IN ('pending', 'sending')`;

function toReminder(row: Row): Reminder {
  return {
    id: row.id,
    userId: row.user_id,
    chatId: row.chat_id,
    bookingRef: row.booking_ref,
    kind: row.kind,
    dueAt: row.due_at,
    slotStartAt: row.slot_start_at,
    leadMs: row.lead_ms,
    payload: JSON.parse(row.payload) as Reminder['payload'],
  };
}

export function createSqliteReminderScheduler(options: SqliteSchedulerOptions): ReminderScheduler {
  const ownsDatabase = options.database === undefined;
  const db = options.database ?? new DatabaseSync(':memory:');
  const writes = groupCommitOf(db);
  db.exec(schema);
  const now = options.now ?? Date.now;
  const maxPollMs = options.maxPollMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 30_000;
  const concurrency = options.concurrency ?? defaultConcurrency(options.ratePerSecond);
  const pacer = new StartPacer(options.ratePerSecond);
  const count = (kind: ReminderKind, outcome: ReminderOutcome, n = 1) =>
    options.metrics?.reminders(kind, outcome, n);

  const statements = {
    insert: db.prepare(
      `INSERT INTO reminders (id, user_id, chat_id, booking_ref, kind, due_at, slot_start_at, lead_ms, payload, next_try_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
    ),
    claim: db.prepare(
      `UPDATE reminders SET status = 'sending', attempts = attempts + 1, claimed_at = ?
       WHERE id = (SELECT id FROM reminders WHERE status = 'pending' AND next_try_at <= ? ORDER BY next_try_at, id LIMIT 1)
       RETURNING *`,
    ),
    finish: db.prepare(`UPDATE reminders SET status = ?, done_at = ? WHERE id = ?`),
    release: db.prepare(
      `UPDATE reminders SET status = 'pending', attempts = attempts - ?, next_try_at = ? WHERE id = ?`,
    ),
    // Keeps its place in the queue: it was due before anything claimed after it.
    requeue: db.prepare(`UPDATE reminders SET status = 'pending' WHERE id = ?`),
    nextDue: db.prepare(`SELECT MIN(next_try_at) AS at FROM reminders WHERE status = 'pending'`),
    dropPending: db.prepare(`DELETE FROM reminders WHERE user_id = ? AND status = 'pending' RETURNING kind`),
    dropUser: db.prepare(`DELETE FROM reminders WHERE user_id = ? RETURNING kind, status`),
    dropBooking: db.prepare(
      `DELETE FROM reminders WHERE user_id = ? AND booking_ref = ? AND status = 'pending'
       AND kind IN (SELECT value FROM json_each(?)) RETURNING kind`,
    ),
    nudged: db.prepare(
      `SELECT COUNT(*) AS n FROM reminders
       WHERE user_id = ? AND booking_ref = ? AND kind = 'confirmation_nudge' AND status = 'sent'`,
    ),
    listAll: db.prepare(`SELECT * FROM reminders WHERE ${liveStatuses} ORDER BY due_at, id`),
    listUser: db.prepare(`SELECT * FROM reminders WHERE user_id = ? AND ${liveStatuses} ORDER BY due_at, id`),
    orphans: db.prepare(`SELECT * FROM reminders WHERE status = 'sending'`),
    purge: db.prepare(
      `DELETE FROM reminders WHERE status NOT IN ('pending', 'sending') AND slot_start_at < ?`,
    ),
  } satisfies Record<string, StatementSync>;

  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  /** performance.now() until which Telegram asked us to send nothing (429 retry_after). */
  let pausedUntil = 0;
  let lastPurge = 0;
  const inFlight = new Set<Promise<void>>();

  /** One timer: the earliest moment something may need doing. */
  const wakeIn = (ms: number) => {
    if (closed || !started) return;
    const delay = Math.min(Math.max(ms, 0), maxPollMs);
    const at = performance.now() + delay;
    if (timer !== undefined && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      pump();
    }, delay).unref();
  };

  const dropCounted = (rows: Array<{ kind: ReminderKind }>, outcome: ReminderOutcome) => {
    for (const row of rows) count(row.kind, outcome);
    return rows.length;
  };

  const settle = (row: Row, result: DeliveryResult) => {
    const at = now();
    switch (result.status) {
      case 'sent':
        statements.finish.run('sent', at, row.id);
        count(row.kind, 'sent');
        return;
      case 'skipped':
        statements.finish.run('skipped', at, row.id);
        count(row.kind, 'cancelled');
        return;
      case 'blocked': {
        statements.finish.run('blocked', at, row.id);
        count(row.kind, 'blocked');
        dropCounted(statements.dropPending.all(row.user_id) as Array<{ kind: ReminderKind }>, 'blocked');
        return;
      }
      case 'rate_limited':
        // Nothing was sent: not an attempt. Everything waits for Telegram's retry_after.
        statements.release.run(1, at, row.id);
        pausedUntil = Math.max(pausedUntil, performance.now() + result.retryAfterMs);
        options.logger?.warn({ retryAfterMs: result.retryAfterMs }, 'reminders: Telegram asked to slow down');
        return;
      case 'failed':
        if (result.retry && row.attempts < maxDeliveryAttempts) {
          statements.release.run(0, at + retryDelayMs, row.id);
          return;
        }
        statements.finish.run('failed', at, row.id);
        count(row.kind, 'failed');
        options.logger?.warn({ kind: row.kind }, 'reminder not delivered; given up');
    }
  };

  const deliverOne = async (row: Row) => {
    let result: DeliveryResult;
    try {
      result = await options.deliver({ ...toReminder(row), attempt: row.attempts });
    } catch (error) {
      options.logger?.error({ error: describeError(error), kind: row.kind }, 'reminder delivery threw');
      result = { status: 'failed', retry: true };
    }
    if (!db.isOpen) return;
    settle(row, result);
  };

  let pumping = false;
  /** Claims and starts as many due reminders as the rate, the concurrency and a 429 allow. */
  function pump(): void {
    if (pumping || closed || !started || !db.isOpen) return;
    pumping = true;
    try {
      purgeNowAndThen();
      for (;;) {
        const pause = pausedUntil - performance.now();
        if (pause > 0) {
          wakeIn(pause);
          return;
        }
        if (inFlight.size >= concurrency) return; // a finishing delivery pumps again
        const wait = pacer.waitMs();
        if (wait > 0) {
          wakeIn(wait);
          return;
        }
        const at = now();
        const row = statements.claim.get(at, at) as Row | undefined;
        if (row === undefined) {
          const next = (statements.nextDue.get() as { at: number | null }).at;
          wakeIn(next === null ? maxPollMs : next - at);
          return;
        }
        if (lateVerdict(toReminder(row), at) === 'late_dropped') {
          statements.finish.run('late_dropped', at, row.id);
          count(row.kind, 'late_dropped');
          continue;
        }
        pacer.record();
        const delivery = deliverOne(row).finally(() => {
          inFlight.delete(delivery);
          pump();
        });
        inFlight.add(delivery);
      }
    } finally {
      pumping = false;
    }
  }

  function purgeNowAndThen() {
    if (performance.now() - lastPurge < 10 * 60_000 && lastPurge !== 0) return;
    lastPurge = performance.now();
    statements.purge.run(now() - doneRetentionMs);
  }

  /** Rows a killed process left in `sending`: tried once more, or given up after the last try. */
  function recoverOrphans() {
    const at = now();
    for (const row of statements.orphans.all() as unknown as Row[]) {
      if (row.attempts < maxDeliveryAttempts) {
        statements.requeue.run(row.id);
      } else {
        statements.finish.run('failed', at, row.id);
        count(row.kind, 'failed');
      }
    }
  }

  const scheduler: ReminderScheduler = {
    kind: ownsDatabase ? 'memory' : 'sqlite',
    async schedule(reminders) {
      const at = now();
      // In the database's next group commit, with the conversation rows written alongside; the
      // savepoint makes the lot one write, within that transaction or on its own.
      const added = await writes.write(() => {
        const inserted: Reminder[] = [];
        db.exec('SAVEPOINT schedule_reminders');
        try {
          for (const r of reminders) {
            if (r.slotStartAt <= at) continue;
            const result = statements.insert.run(
              r.id,
              r.userId,
              r.chatId,
              r.bookingRef,
              r.kind,
              r.dueAt,
              r.slotStartAt,
              r.leadMs,
              JSON.stringify(r.payload),
              r.dueAt,
            );
            if (Number(result.changes) > 0) inserted.push(r);
          }
          db.exec('RELEASE schedule_reminders');
        } catch (error) {
          db.exec('ROLLBACK TO schedule_reminders');
          db.exec('RELEASE schedule_reminders');
          throw error;
        }
        return inserted;
      });
      for (const r of added) count(r.kind, 'scheduled');
      if (added.length > 0)
        wakeIn(added.reduce((earliest, r) => Math.min(earliest, r.dueAt), Number.POSITIVE_INFINITY) - at);
      return added.length;
    },
    async cancelBooking(userId, bookingRef, kinds = reminderKinds) {
      const rows = await writes.write(() =>
        statements.dropBooking.all(userId, bookingRef, JSON.stringify(kinds)),
      );
      return dropCounted(rows as Array<{ kind: ReminderKind }>, 'cancelled');
    },
    async cancelUser(userId) {
      const rows = statements.dropUser.all(userId) as Array<{ kind: ReminderKind; status: Status }>;
      return dropCounted(
        rows.filter((row) => row.status === 'pending'),
        'cancelled',
      );
    },
    async bookingConfirmed(userId, bookingRef) {
      const afterNudge = (statements.nudged.get(userId, bookingRef) as { n: number }).n > 0;
      const cancelled = await scheduler.cancelBooking(userId, bookingRef, [
        'confirmation_nudge',
        'lapse_notice',
      ]);
      if (afterNudge) options.metrics?.confirmedAfterNudge();
      return { cancelled, afterNudge };
    },
    async list(filter) {
      const rows = (filter?.userId === undefined
        ? statements.listAll.all()
        : statements.listUser.all(filter.userId)) as unknown as Row[];
      return rows.map((row) => ({ ...toReminder(row), state: row.status as ScheduledReminder['state'] }));
    },
    async start() {
      if (started || closed) return;
      started = true;
      recoverOrphans();
      pump();
    },
    async fireDue() {
      pump();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
      if (db.isOpen) writes.flush();
      if (ownsDatabase && db.isOpen) db.close();
    },
  };

  return scheduler;
}
