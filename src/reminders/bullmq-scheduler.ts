/**
 * The Redis reminder store: BullMQ on the bot's Redis (keys under `<prefix>:reminders:`), one
 * delayed job per reminder with the reminder's id as job id, so scheduling twice is harmless.
 * Every instance runs a worker; BullMQ hands each job to one of them.
 *
 * The send rate is BullMQ's limiter, which is global across the queue's workers, set to one job
 * per 1050/REMINDER_RATE ms: a limiter of REMINDER_RATE per 1000 ms counts in fixed windows, so
 * the end of one window and the start of the next could send twice the rate within one second;
 * the 5 % margin (as the pacer's 1.05 s window) absorbs the jitter between a job's start in Redis
 * and its send reaching Telegram from one of several instances.
 * A 429 sets the limiter for everyone (`queue.rateLimit(retry_after)`) and puts the job back.
 *
 * Exactly once: a job is locked by the worker processing it and completed after `deliver`
 * answered. A worker killed while sending loses its lock; after `lockDurationMs` BullMQ's stalled
 * check hands the job to another worker once (`maxStalledCount: 1`): the one duplicate possible,
 * when Telegram took the message but its answer was lost with the process.
 */
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describeError } from '../bot/errors.ts';
import { windowMs as limiterWindowMs, StartPacer } from './pacer.ts';
import {
  bookingIdPrefix,
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

export interface BullmqSchedulerOptions extends SchedulerOptions {
  /** `redis://host:port[/db]` without `?prefix` (see parseStorageUrl). */
  url: string;
  /** STORAGE_URL's prefix: the queue's keys are `<keyPrefix>:reminders:…`. */
  keyPrefix: string;
  /** How long a worker's claim on a job lasts without renewal (a killed worker's job waits this long). Default 30 s. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died. Default 30 s. */
  stalledIntervalMs?: number;
}

interface JobData extends Reminder {
  /** Times Telegram answered 429: those starts were not deliveries. */
  rateLimited?: number;
}

type JobResult = Extract<ReminderOutcome, 'sent' | 'late_dropped' | 'blocked'> | 'skipped';

/**
 * A user's index of reminder ids (KEYS[1]): answers for each id (ARGV[2] on) whether it was in it
 * already, adds them, and keeps the index at least ARGV[1] ms longer (never shorter).
 */
const indexScript = `local known = {}
for i = 2, #ARGV do known[i - 1] = redis.call('SISMEMBER', KEYS[1], ARGV[i]) end
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'GT')
return known`;

/** Each job hash's name, finishedOn and returnvalue (KEYS: the jobs' keys). */
const jobFactsScript = `local facts = {}
for i = 1, #KEYS do facts[i] = redis.call('HMGET', KEYS[i], 'name', 'finishedOn', 'returnvalue') end
return facts`;

const queueName = 'reminders';
const pendingStates = new Set(['delayed', 'waiting', 'wait', 'prioritized', 'paused']);

export function createBullmqReminderScheduler(options: BullmqSchedulerOptions): ReminderScheduler {
  const now = options.now ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? 30_000;
  const concurrency = options.concurrency ?? defaultConcurrency(options.ratePerSecond);
  const pacer = new StartPacer(options.ratePerSecond);
  /** performance.now() until which Telegram asked this process to send nothing (429 retry_after). */
  let pausedUntil = 0;
  const count = (kind: ReminderKind, outcome: ReminderOutcome, n = 1) =>
    options.metrics?.reminders(kind, outcome, n);
  // Commands fail fast while Redis is away (the caller hears it); the worker's own connection
  // waits for Redis instead, as BullMQ requires for its blocking calls.
  const client = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: true,
  });
  client.on('error', () => undefined);
  const queue = new Queue<JobData, JobResult>(queueName, { connection: client, prefix: options.keyPrefix });
  queue.on('error', () => undefined);
  const userKey = (userId: number) => `${options.keyPrefix}:reminders-by-user:${userId}`;
  let worker: Worker<JobData, JobResult> | undefined;
  let workerClient: Redis | undefined;

  /**
   * The commands `task` sends in this turn of the event loop leave in one write. ioredis writes
   * each command to its socket as it is made, a system call each (on loopback the costly part of a
   * command), and a MULTI or pipeline copies every script onto itself when it is made.
   */
  const inOneWrite = <T>(task: () => Promise<T>): Promise<T> => {
    // No socket before the first connection (the commands wait in ioredis's queue then).
    const stream = client.stream as typeof client.stream | undefined;
    if (stream !== undefined) {
      stream.cork();
      setImmediate(() => stream.uncork());
    }
    return task();
  };

  // In place of a MULTI or pipeline, which ioredis builds with a copy of every script defined on
  // the connection (BullMQ's fifty) each time. ioredis sends them by SHA1 (EVALSHA), the text only
  // when Redis does not know them yet.
  client.defineCommand('trialgramReminderIndex', { lua: indexScript, numberOfKeys: 1 });
  client.defineCommand('trialgramJobFacts', { lua: jobFactsScript });
  const scripts = client as unknown as {
    trialgramReminderIndex(key: string, keepMs: number, ...ids: string[]): Promise<number[]>;
    trialgramJobFacts(numberOfKeys: number, ...keys: string[]): Promise<Array<Array<string | null>>>;
  };

  /**
   * What each job's hash says of it (one script for all, not BullMQ's job object and state script
   * per job): its kind (the job's name), whether it is done (`finishedOn`: completed or failed for
   * good) and what it returned; absent: the job is gone.
   */
  async function jobFacts(
    ids: readonly string[],
  ): Promise<Array<{ kind: ReminderKind; done: boolean; sent: boolean } | undefined>> {
    if (ids.length === 0) return [];
    const replies = await scripts.trialgramJobFacts(ids.length, ...ids.map((id) => queue.toKey(id)));
    return ids.map((_, i) => {
      const [name, finishedOn, returnvalue] = replies[i] ?? [];
      if (name === null || name === undefined) return undefined;
      return {
        kind: name as ReminderKind,
        done: finishedOn !== null && finishedOn !== undefined,
        sent: returnvalue === '"sent"',
      };
    });
  }

  /** Removes the user's (or booking's) reminders not yet sent; resolves with the removed kinds. */
  async function removePending(
    userId: number,
    pick: (id: string) => boolean = () => true,
    alsoDone = false,
    known?: { ids: string[]; facts: Awaited<ReturnType<typeof jobFacts>> },
  ): Promise<ReminderKind[]> {
    const ids = known?.ids ?? (await client.smembers(userKey(userId))).filter(pick);
    const facts = known?.facts ?? (await jobFacts(ids));
    const removed: ReminderKind[] = [];
    const leave: string[] = [];
    await inOneWrite(() =>
      Promise.all(
        ids.map(async (id, i) => {
          const job = facts[i];
          if (!job) {
            leave.push(id);
            return;
          }
          if (job.done && !alsoDone) return;
          // BullMQ refuses to remove a job a worker holds: it is being sent right now.
          if ((await queue.remove(id)) !== 1) return;
          leave.push(id);
          if (!job.done) removed.push(job.kind);
        }),
      ),
    );
    if (leave.length > 0) await client.srem(userKey(userId), ...leave);
    return removed;
  }

  const counted = (kinds: ReminderKind[], outcome: ReminderOutcome) => {
    for (const kind of kinds) count(kind, outcome);
    return kinds.length;
  };

  /** Back to the queue without counting as a delivery (BullMQ counts every start). */
  async function putBack(job: Job<JobData, JobResult>): Promise<never> {
    await job.updateData({ ...job.data, rateLimited: (job.data.rateLimited ?? 0) + 1 });
    throw Worker.RateLimitError();
  }

  async function process(job: Job<JobData, JobResult>): Promise<JobResult> {
    const reminder = job.data;
    const attempt = job.attemptsStarted - (reminder.rateLimited ?? 0);
    if (attempt > maxDeliveryAttempts) {
      count(reminder.kind, 'failed');
      throw new UnrecoverableError('reminder: no delivery attempt left');
    }
    if (lateVerdict(reminder, now()) === 'late_dropped') {
      count(reminder.kind, 'late_dropped');
      return 'late_dropped';
    }
    // BullMQ spaces the jobs it hands out; this spaces the deliveries that follow in this process.
    await pacer.acquire();
    // Taken before this process heard a 429: it waits for the pause like the rest.
    if (performance.now() < pausedUntil) return putBack(job);
    let result: DeliveryResult;
    try {
      const { rateLimited: _, ...plain } = reminder;
      result = await options.deliver({ ...plain, attempt });
    } catch (error) {
      options.logger?.error({ error: describeError(error), kind: reminder.kind }, 'reminder delivery threw');
      result = { status: 'failed', retry: true };
    }
    switch (result.status) {
      case 'sent':
        count(reminder.kind, 'sent');
        return 'sent';
      case 'skipped':
        count(reminder.kind, 'cancelled');
        return 'skipped';
      case 'blocked':
        count(reminder.kind, 'blocked');
        counted(await removePending(reminder.userId, (id) => id !== job.id), 'blocked');
        return 'blocked';
      case 'rate_limited':
        options.logger?.warn({ retryAfterMs: result.retryAfterMs }, 'reminders: Telegram asked to slow down');
        pausedUntil = Math.max(pausedUntil, performance.now() + result.retryAfterMs);
        await queue.rateLimit(result.retryAfterMs);
        return putBack(job);
      case 'failed':
        if (result.retry && attempt < maxDeliveryAttempts)
          throw new Error('reminder: delivery outcome unknown');
        count(reminder.kind, 'failed');
        options.logger?.warn({ kind: reminder.kind }, 'reminder not delivered; given up');
        throw new UnrecoverableError('reminder: not delivered');
    }
  }

  const scheduler: ReminderScheduler = {
    kind: 'redis',
    async schedule(reminders) {
      const at = now();
      const fresh = reminders.filter((r) => r.slotStartAt > at);
      if (fresh.length === 0) return 0;
      // Per user (a booking's reminders are one user's): which ids are new, then the index, kept
      // as long as its longest-lived reminder. One script per user.
      const byUser = new Map<number, Reminder[]>();
      for (const r of fresh) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
      const known = new Set<string>();
      // The index first, then one `add` each (rather than `addBulk`, whose ioredis pipeline copies
      // every BullMQ script onto itself: 1 % of the bot's CPU on Redis), all in one write; Redis
      // runs them in the order sent.
      await inOneWrite(() =>
        Promise.all([
          ...[...byUser].map(async ([userId, own]) => {
            const keepMs = Math.max(...own.map((r) => r.slotStartAt - at + doneRetentionMs));
            const members = await scripts.trialgramReminderIndex(
              userKey(userId),
              keepMs,
              ...own.map((r) => r.id),
            );
            own.forEach((r, j) => {
              if (members[j] === 1) known.add(r.id);
            });
          }),
          ...fresh.map((r) => {
            const keepSeconds = Math.ceil((r.slotStartAt - at + doneRetentionMs) / 1000);
            return queue.add(r.kind, r, {
              jobId: r.id,
              delay: Math.max(0, r.dueAt - at),
              attempts: maxDeliveryAttempts,
              backoff: { type: 'fixed', delay: retryDelayMs },
              removeOnComplete: { age: keepSeconds },
              removeOnFail: { age: keepSeconds },
            });
          }),
        ]),
      );
      let added = 0;
      for (const r of fresh) {
        if (known.has(r.id)) continue;
        added++;
        count(r.kind, 'scheduled');
      }
      return added;
    },
    async cancelBooking(userId, bookingRef, kinds = reminderKinds) {
      const prefix = bookingIdPrefix(userId, bookingRef);
      const ofKinds = (id: string) =>
        id.startsWith(prefix) && kinds.some((kind) => id.startsWith(`${prefix}${kind}.`));
      return counted(await removePending(userId, ofKinds), 'cancelled');
    },
    async cancelUser(userId) {
      const removed = await removePending(userId, undefined, true);
      return counted(removed, 'cancelled');
    },
    async bookingConfirmed(userId, bookingRef) {
      const prefix = bookingIdPrefix(userId, bookingRef);
      const ids = (await client.smembers(userKey(userId))).filter(
        (id) => id.startsWith(`${prefix}confirmation_nudge.`) || id.startsWith(`${prefix}lapse_notice.`),
      );
      const facts = await jobFacts(ids);
      const afterNudge = facts.some((job) => job?.kind === 'confirmation_nudge' && job.sent);
      const cancelled = counted(await removePending(userId, undefined, false, { ids, facts }), 'cancelled');
      if (afterNudge) options.metrics?.confirmedAfterNudge();
      return { cancelled, afterNudge };
    },
    async list(filter) {
      const listed: ScheduledReminder[] = [];
      if (filter?.userId !== undefined) {
        for (const id of await client.smembers(userKey(filter.userId))) {
          const job = await queue.getJob(id);
          if (!job) continue;
          const state = await job.getState();
          if (state === 'active') listed.push({ ...plainReminder(job.data), state: 'sending' });
          else if (pendingStates.has(state)) listed.push({ ...plainReminder(job.data), state: 'pending' });
        }
      } else {
        for (const job of await queue.getJobs(['active'])) {
          if (job) listed.push({ ...plainReminder(job.data as JobData), state: 'sending' });
        }
        for (const job of await queue.getJobs(['delayed', 'waiting', 'prioritized'])) {
          if (job) listed.push({ ...plainReminder(job.data as JobData), state: 'pending' });
        }
      }
      return listed.sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id));
    },
    async start() {
      if (worker) return;
      workerClient = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: true });
      workerClient.on('error', () => undefined);
      worker = new Worker<JobData, JobResult>(queueName, process, {
        connection: workerClient,
        prefix: options.keyPrefix,
        concurrency,
        limiter: { max: 1, duration: Math.ceil(limiterWindowMs / options.ratePerSecond) },
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: 1,
      });
      worker.on('error', (error) =>
        options.logger?.warn({ error: describeError(error) }, 'reminders: worker trouble (Redis?)'),
      );
      // Like the stores: start-up waits a while for Redis, then goes on; the worker connects when it can.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        worker.waitUntilReady().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 5_000);
        }),
      ]);
      clearTimeout(timer);
    },
    async fireDue() {
      const at = now();
      for (const job of await queue.getDelayed()) {
        if (job && (job.data as JobData).dueAt <= at) await job.promote().catch(() => undefined);
      }
    },
    async close() {
      await worker?.close();
      await queue.close();
      for (const redis of [client, workerClient]) {
        if (redis && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
  return scheduler;
}

function plainReminder(data: JobData): Reminder {
  const { rateLimited: _, ...reminder } = data;
  return reminder;
}
