/**
 * Updates of one chat are processed one at a time. Within a process a promise chain per chat does
 * it; across instances sharing Redis a lock with expiry (SET NX PX, renewed while its holder works,
 * released only by its owner).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StashedWrite } from './redis-keyv.ts';

export interface ChatLock {
  /** Runs `task` when no other task for `key` runs, here or in another instance. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export class LocalChatLock implements ChatLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

/** Redis calls the lock makes; each rejects when Redis fails or does not answer in time. */
export interface RedisLockClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** A write script Redis carries out only before the call's deadline (ARGV[1]); see `RedisCalls.write`. */
  write(operation: string, script: string, keys: string[], args: string[]): Promise<unknown>;
  /** The lock over these rows was taken, their values read with it (see `RedisCalls.holding`). */
  holding?(keys: readonly string[], values: ReadonlyArray<string | null>): void;
  /** The lock is being released: answers the rows' writes kept for the release. */
  releasing?(keys: readonly string[]): StashedWrite[];
}

/** The update's last write, which went with the lock's release, did not reach Redis in time. */
export class LastWriteError extends Error {
  override readonly name = 'LastWriteError';
  constructor(cause: unknown) {
    super('the last write, sent with the release of the chat lock, failed', { cause });
  }
}

// A lock taken by a SET that arrived after its caller gave up would block the chat for a whole
// expiry with nobody to release it, so taking it is a deadline write.
// Taken, it answers 1, or (with keys to read along) {1, value or nil, ...}; held by another, 0.
const acquireScript = `if not redis.call('set', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return 0 end
if #KEYS == 1 then return 1 end
local answer = {1}
for i = 2, #KEYS do answer[i] = redis.call('get', KEYS[i]) end
return answer`;
// The rows' last writes (KEYS[2..], each a text and its PX or '' in ARGV from 3 on) and the release:
// a deadline write, since a row applied late would change a conversation behind the prospect's back.
const releaseWithWritesScript = `for i = 2, #KEYS do
  local text, px = ARGV[2 * i - 1], ARGV[2 * i]
  if px == '' then redis.call('SET', KEYS[i], text) else redis.call('SET', KEYS[i], text, 'PX', px) end
end
if redis.call('get', KEYS[1]) == ARGV[2] then redis.call('del', KEYS[1]) end
return 1`;
// Renewing and releasing check the token, so they are harmless when late.
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`could not acquire the lock for ${key}`);
    this.name = 'LockTimeoutError';
  }
}

export interface RedisChatLockOptions {
  /**
   * How long a lock lives without renewal: how long a chat stays blocked after its holder died
   * mid-update (SIGKILL, lost host). The holder renews it every third of this while it works.
   */
  ttlMs?: number;
  /**
   * How long an update waits for another instance to finish with its chat before giving up
   * (the holder renews its lock while it works, so this bounds a slow holder). Default 120 000.
   */
  waitMs?: number;
  /** Key prefix, e.g. `trialgram:lock:`. */
  prefix?: string;
  /**
   * Keys to read in the same script that takes the lock (a chat's conversation and profile, which
   * the update reads first): handed to the client's `holding`, they spare two round trips.
   */
  prefetch?: (key: string) => string[];
}

interface HeldLock {
  lockKey: string;
  token: string;
  /** `performance.now()` when it was taken or last renewed. */
  renewedAt: number;
}

export class RedisChatLock implements ChatLock {
  readonly #client: RedisLockClient;
  readonly #local = new LocalChatLock();
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #prefix: string;
  readonly #prefetch: ((key: string) => string[]) | undefined;
  /** The locks this instance holds now, renewed by one timer while there are any. */
  readonly #held = new Set<HeldLock>();
  #renewal: NodeJS.Timeout | undefined;

  constructor(client: RedisLockClient, options: RedisChatLockOptions = {}) {
    this.#client = client;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#waitMs = options.waitMs ?? 120_000;
    this.#prefix = options.prefix ?? 'trialgram:lock:';
    this.#prefetch = client.holding ? options.prefetch : undefined;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    // Queue locally first so one instance never competes with itself for Redis.
    return this.#local.run(key, async () => {
      const lockKey = this.#prefix + key;
      const token = randomUUID();
      const deadline = Date.now() + this.#waitMs;
      let delay = 5;
      // Another holder means waiting; Redis failing (or not answering) means failing at once.
      const read = this.#prefetch?.(key) ?? [];
      const acquire = async (): Promise<boolean> => {
        const answer = await this.#client.write(
          'the lock',
          acquireScript,
          [lockKey, ...read],
          [token, String(this.#ttlMs)],
        );
        if (!Array.isArray(answer)) return answer === 1;
        if (answer[0] !== 1) return false;
        this.#client.holding?.(
          read,
          answer.slice(1).map((value) => (typeof value === 'string' ? value : null)),
        );
        return true;
      };
      try {
        while (!(await acquire())) {
          if (Date.now() > deadline) throw new LockTimeoutError(key);
          await sleep(delay + Math.random() * delay);
          delay = Math.min(delay * 2, 100);
        }
      } catch (error) {
        // A SET whose answer was lost may have taken the lock all the same.
        if (!(error instanceof LockTimeoutError)) void this.#release(lockKey, token);
        throw error;
      }
      // A slow studio call must not let the lock lapse while this instance still works on the chat.
      const held = { lockKey, token, renewedAt: performance.now() };
      this.#hold(held);
      let outcome: { value: T } | { error: unknown };
      try {
        outcome = { value: await task() };
      } catch (error) {
        outcome = { error };
      }
      this.#held.delete(held);
      // Unread values are stale once another instance may take the chat.
      const writes = read.length > 0 ? (this.#client.releasing?.(read) ?? []) : [];
      const written = writes.length > 0 ? await this.#releaseWith(lockKey, token, writes) : undefined;
      if (writes.length === 0) await this.#release(lockKey, token);
      if ('error' in outcome) throw outcome.error;
      if (written !== undefined) throw written;
      return outcome.value;
    });
  }

  /**
   * Keeps `held` renewed until it leaves {@link RedisChatLock.#held}: one timer for every lock this
   * instance holds (a timer of its own per update was a share of its CPU), ticking every third of
   * the expiry and renewing the locks not renewed for that long. A lock is renewed at most two
   * thirds of its expiry after it was taken or last renewed.
   */
  #hold(held: HeldLock): void {
    this.#held.add(held);
    if (this.#renewal !== undefined) return;
    const everyMs = Math.max(1, Math.floor(this.#ttlMs / 3));
    this.#renewal = setInterval(() => {
      if (this.#held.size === 0) {
        clearInterval(this.#renewal);
        this.#renewal = undefined;
        return;
      }
      const now = performance.now();
      for (const lock of this.#held) {
        if (lock.renewedAt > now - everyMs) continue;
        lock.renewedAt = now;
        this.#client
          .eval(renewScript, { keys: [lock.lockKey], arguments: [lock.token, String(this.#ttlMs)] })
          .catch(() => undefined);
      }
    }, everyMs).unref();
  }

  /**
   * Writes the update's last rows and releases the lock in one script; resolves with the failure
   * (a {@link LastWriteError}) if that did not happen in time, after which the lock is released the
   * usual way.
   */
  async #releaseWith(
    lockKey: string,
    token: string,
    writes: StashedWrite[],
  ): Promise<LastWriteError | undefined> {
    try {
      await this.#client.write(
        'the last write',
        releaseWithWritesScript,
        [lockKey, ...writes.map((w) => w.key)],
        [token, ...writes.flatMap((w) => [w.text, w.px])],
      );
      return undefined;
    } catch (error) {
      await this.#release(lockKey, token);
      return new LastWriteError(error);
    }
  }

  /**
   * Releases the lock if this instance still owns it. When Redis cannot be reached at that moment
   * (a blip just as the update finished), the release is retried in the background until the lock
   * would expire anyway: otherwise the chat's next update waits out the whole expiry.
   */
  async #release(lockKey: string, token: string): Promise<void> {
    const release = () => this.#client.eval(releaseScript, { keys: [lockKey], arguments: [token] });
    try {
      await release();
    } catch {
      const giveUpAt = Date.now() + this.#ttlMs;
      const retry = () => {
        if (Date.now() > giveUpAt) return;
        release().catch(() => setTimeout(retry, 100).unref());
      };
      setTimeout(retry, 100).unref();
    }
  }
}
