/**
 * Updates of one chat are processed one at a time. Within a process a promise chain per chat does
 * it; across instances sharing Redis a lock with expiry (SET NX PX, released only by its owner).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** The part of a node-redis client the lock uses. */
export interface RedisLockClient {
  set(key: string, value: string, options: { NX: true; PX: number }): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class LockTimeoutError extends Error {
  constructor(key: string) {
    super(`could not acquire the lock for ${key}`);
    this.name = 'LockTimeoutError';
  }
}

export interface RedisChatLockOptions {
  /** How long a lock lives if its holder dies mid-update. */
  ttlMs?: number;
  /** How long to wait for another instance to finish before giving up. */
  waitMs?: number;
  prefix?: string;
}

export class RedisChatLock implements ChatLock {
  readonly #client: RedisLockClient;
  readonly #local = new LocalChatLock();
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #prefix: string;

  constructor(client: RedisLockClient, options: RedisChatLockOptions = {}) {
    this.#client = client;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#waitMs = options.waitMs ?? 20_000;
    this.#prefix = options.prefix ?? 'trialgram:lock:';
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    // Queue locally first so one instance never competes with itself for Redis.
    return this.#local.run(key, async () => {
      const lockKey = this.#prefix + key;
      const token = randomUUID();
      const deadline = Date.now() + this.#waitMs;
      let delay = 5;
      while ((await this.#client.set(lockKey, token, { NX: true, PX: this.#ttlMs })) !== 'OK') {
        if (Date.now() > deadline) throw new LockTimeoutError(key);
        await sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, 100);
      }
      try {
        return await task();
      } finally {
        await this.#client
          .eval(releaseScript, { keys: [lockKey], arguments: [token] })
          .catch(() => undefined);
      }
    });
  }
}
