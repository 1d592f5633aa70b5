/**
 * Redis calls that cannot hang and writes that cannot land late.
 *
 * node-redis gives up on a command only while it has not been written; once written, it waits for
 * the answer for ever. So a Redis that accepts the connection but stops answering (a stall) would
 * hold every update. Here every call has a time limit ({@link RedisTimeoutError} after it), and a
 * connection that has not answered anything for that long is dropped and opened again.
 *
 * A write that timed out may still be on its way: in a socket buffer, or in Redis's own input
 * while Redis is frozen. Applied later, it would change a conversation behind the prospect's back
 * (they were told "technical trouble", the state moved on anyway, and their next message would be
 * filed under a question they never saw). So every write carries a deadline in Redis's clock, half
 * the time limit after it was sent, and a script checks it before writing: a write arriving later is
 * refused by Redis itself. A write Redis applied in time but whose answer was lost is still
 * possible; it needs the answer path to fail within half the time limit.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/** The part of a node-redis client used here. */
export interface RedisCallsClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  get(key: string): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  connect(): Promise<unknown>;
  destroy(): void;
}

export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  constructor(operation: string, timeoutMs: number) {
    super(`Redis did not answer ${operation} within ${timeoutMs} ms`);
  }
}

/** Redis refused a write because it arrived after its deadline (the caller had given up on it). */
export class LateWriteError extends Error {
  override readonly name = 'LateWriteError';
  constructor(operation: string) {
    super(`Redis refused ${operation}: it arrived after its deadline`);
  }
}

/** What a deadline script answers when it arrived too late and did nothing. */
const late = -1;
// Before Redis 5 a script may write after TIME only when it replicates its effects, not itself.
const deadlineCheck = `
if redis.replicate_commands then redis.replicate_commands() end
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[1]) then return ${late} end
`;

/** A row's last write, kept for the release of its chat's lock: the value and its PX ('' for none). */
export interface StashedWrite {
  key: string;
  text: string;
  px: string;
}

interface WaitingCall {
  /** `performance.now()` when its time limit is up. */
  dueAt: number;
  operation: string;
  reject: (error: unknown) => void;
  /** Answered, failed or timed out. */
  done: boolean;
}

export interface RedisCallsOptions {
  /** Time limit of every call. Default 2 000. */
  timeoutMs?: number;
}

export class RedisCalls {
  readonly timeoutMs: number;
  readonly #client: RedisCallsClient;
  /** Redis's clock minus ours, measured with TIME; writes' deadlines are in Redis's clock. */
  #clockOffsetMs = 0;
  #lastAnswerAt = Date.now();
  #droppedAt = 0;
  #closed = false;
  /** Each script's SHA1, for EVALSHA. */
  readonly #sha1s = new Map<string, string>();
  /** Each write script with its deadline check in front (built once, not per call). */
  readonly #withDeadline = new Map<string, string>();
  /** Calls waiting for their answer, oldest first (from `#oldest` on), and the one timer for them. */
  #waiting: WaitingCall[] = [];
  #oldest = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Values read along with a chat lock (see {@link RedisCalls.holding}), by key; null: none. */
  readonly #prefetched = new Map<string, string | null>();
  /** Rows of chats whose lock this process holds now: their last write may go with the release. */
  readonly #locked = new Set<string>();
  /** Rows whose next write waits for the release ({@link RedisCalls.deferWrite}). */
  readonly #deferred = new Set<string>();
  /** Writes waiting for their chat's release, by key. */
  readonly #stashed = new Map<string, Omit<StashedWrite, 'key'>>();

  constructor(client: RedisCallsClient, options: RedisCallsOptions = {}) {
    this.#client = client;
    this.timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** Runs one call with the time limit. */
  async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      // The answer may come after the time limit; nobody waits for it then.
      const result = await this.#limited(operation, run());
      this.#lastAnswerAt = Date.now();
      return result;
    } catch (error) {
      // Not ready: connecting, perhaps to a Redis that takes the connection and never answers.
      if (error instanceof RedisTimeoutError || !this.#client.isReady) this.#dropIfStalled();
      throw error;
    }
  }

  /**
   * `running`, or a {@link RedisTimeoutError} once the time limit passed. Every call has the same
   * limit, so their deadlines come in the order the calls were made: one timer, for the oldest
   * call still waiting, serves them all (a timer of its own per call was a share of its CPU).
   */
  #limited<T>(operation: string, running: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: WaitingCall = { dueAt: performance.now() + this.timeoutMs, operation, reject, done: false };
      this.#waiting.push(call);
      this.#armTimer();
      running.then(
        (value) => {
          if (call.done) return;
          call.done = true;
          resolve(value);
        },
        (error: unknown) => {
          if (call.done) return;
          call.done = true;
          reject(error);
        },
      );
    });
  }

  #armTimer(): void {
    if (this.#timer !== undefined) return;
    const oldest = this.#waiting[this.#oldest];
    if (oldest === undefined) return;
    // Unref'd: a call still waiting holds its connection, which keeps the process up anyway.
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, oldest.dueAt - performance.now())).unref();
  }

  /** Fails the calls whose time is up and forgets the finished ones before them. */
  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (let call = this.#waiting[this.#oldest]; call !== undefined; call = this.#waiting[this.#oldest]) {
      if (!call.done && call.dueAt > now) break;
      if (!call.done) {
        call.done = true;
        call.reject(new RedisTimeoutError(call.operation, this.timeoutMs));
      }
      this.#oldest++;
    }
    if (this.#oldest === this.#waiting.length) {
      this.#waiting = [];
      this.#oldest = 0;
    } else if (this.#oldest > 1_024) {
      this.#waiting = this.#waiting.slice(this.#oldest);
      this.#oldest = 0;
    }
    this.#armTimer();
  }

  /** Runs a script without a deadline (reads, and writes that are harmless when late). */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.call('a script', () => this.#script(script, options));
  }

  /**
   * A script by its SHA1 (EVALSHA), so its text does not travel with every call; a Redis that
   * does not know it yet (new, restarted, flushed) answers NOSCRIPT and gets the text once (EVAL).
   */
  async #script(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    let sha1 = this.#sha1s.get(script);
    if (sha1 === undefined) {
      sha1 = createHash('sha1').update(script).digest('hex');
      this.#sha1s.set(script, sha1);
    }
    try {
      return await this.#client.evalSha(sha1, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.#client.eval(script, options);
    }
  }

  /**
   * Runs a write script that Redis carries out only before the call's deadline: the script sees
   * the deadline as ARGV[1] and its own arguments from ARGV[2] on. Rejects with
   * {@link LateWriteError} when Redis got it too late.
   */
  async write(operation: string, script: string, keys: string[], args: string[]): Promise<unknown> {
    const deadline = Date.now() + this.#clockOffsetMs + Math.floor(this.timeoutMs / 2);
    let checked = this.#withDeadline.get(script);
    if (checked === undefined) {
      checked = deadlineCheck + script;
      this.#withDeadline.set(script, checked);
    }
    const text = checked;
    const result = await this.call(operation, () =>
      this.#script(text, { keys, arguments: [String(deadline), ...args] }),
    );
    if (result === late) throw new LateWriteError(operation);
    return result;
  }

  get(key: string): Promise<string | null> {
    const stashed = this.#stashed.get(key);
    if (stashed !== undefined) return Promise.resolve(stashed.text);
    const prefetched = this.#prefetched.get(key);
    if (prefetched !== undefined) {
      this.#prefetched.delete(key);
      return Promise.resolve(prefetched);
    }
    return this.call('GET', () => this.#client.get(key));
  }

  /**
   * This process took a chat's lock, reading `values` of these rows' keys in the same script (the
   * chat's conversation and profile). Until `releasing`, the next `get` of each key answers with
   * its value instead of asking Redis again (two round trips less per update: nobody else writes a
   * locked chat's rows; a write of the key drops its value), and the rows' last write may wait for
   * the release (see {@link RedisCalls.deferWrite}).
   */
  holding(keys: readonly string[], values: ReadonlyArray<string | null>): void {
    keys.forEach((key, i) => {
      this.#prefetched.set(key, values[i] ?? null);
      this.#locked.add(key);
    });
  }

  /** The chat's lock is being released: forgets what `holding` kept; answers the writes kept for it. */
  releasing(keys: readonly string[]): StashedWrite[] {
    const writes: StashedWrite[] = [];
    for (const key of keys) {
      this.#prefetched.delete(key);
      this.#locked.delete(key);
      this.#deferred.delete(key);
      const stashed = this.#stashed.get(key);
      if (stashed === undefined) continue;
      this.#stashed.delete(key);
      writes.push({ key, ...stashed });
    }
    return writes;
  }

  /**
   * The next write of `key` is the last its chat's update makes: while this process holds the
   * chat's lock it goes to Redis in the script that releases the lock, one round trip less per
   * update (`releasing` hands it over).
   */
  deferWrite(key: string): void {
    if (this.#locked.has(key)) this.#deferred.add(key);
  }

  /**
   * A write of `key` (for the store's `set`): kept for the release when it was deferred (answers
   * true); otherwise it supersedes a kept one, which is dropped. Either way a prefetched value of
   * the key is stale now.
   */
  stash(key: string, text: string, px: string): boolean {
    this.#prefetched.delete(key);
    if (!this.#deferred.delete(key)) {
      this.#stashed.delete(key);
      return false;
    }
    this.#stashed.set(key, { text, px });
    return true;
  }

  /** A delete of `key`: a value read with the lock, or a write kept for its release, would undo it. */
  unstash(key: string): void {
    this.#prefetched.delete(key);
    this.#deferred.delete(key);
    this.#stashed.delete(key);
  }

  async ping(): Promise<boolean> {
    return (await this.call('PING', () => this.#client.sendCommand(['PING']))) === 'PONG';
  }

  /** Measures the offset between Redis's clock and ours (half a round trip is the error). */
  async calibrate(): Promise<void> {
    const sentAt = Date.now();
    const answer = (await this.call('TIME', () => this.#client.sendCommand(['TIME']))) as [string, string];
    const receivedAt = Date.now();
    const redisNow = Number(answer[0]) * 1000 + Math.floor(Number(answer[1]) / 1000);
    this.#clockOffsetMs = redisNow - Math.round((sentAt + receivedAt) / 2);
  }

  /** Every key matching `pattern`, one SCAN call (with the time limit) at a time. */
  async *scan(pattern: string): AsyncGenerator<string, void, undefined> {
    let cursor = '0';
    do {
      const [next, keys] = (await this.call('SCAN', () =>
        this.#client.sendCommand(['SCAN', cursor, 'MATCH', pattern, 'COUNT', '500']),
      )) as [string, string[]];
      yield* keys;
      cursor = next;
    } while (cursor !== '0');
  }

  /** The stores are closing the connection: it is not opened again. */
  close(): void {
    this.#closed = true;
  }

  /**
   * A call failed on a connection that has answered nothing for a whole time limit: it is stalled
   * (and might stay so until the kernel gives up on it, many minutes), or its opening is. A new
   * connection, at most once per time limit, gets the bot going again as soon as Redis answers.
   */
  #dropIfStalled(): void {
    const now = Date.now();
    if (this.#closed || !this.#client.isOpen) return;
    if (now - this.#lastAnswerAt < this.timeoutMs || now - this.#droppedAt < this.timeoutMs) return;
    this.#droppedAt = now;
    this.#client.destroy();
    this.#client.connect().catch(() => undefined);
  }
}

const setScript = `
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;
const deleteScript = `return redis.call('DEL', KEYS[1])`;

/**
 * A keyv store over {@link RedisCalls}: reads and writes with time limits, writes with deadlines.
 * Keys are `<namespace>::<key>`, as @keyv/redis writes them, so existing data stays readable.
 */
export class RedisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: Record<string, unknown> = {};
  namespace?: string | undefined;
  readonly #calls: RedisCalls;

  constructor(calls: RedisCalls) {
    super();
    this.#calls = calls;
  }

  /** The Redis key of `key` in `namespace`, as @keyv/redis writes it. */
  static keyOf(namespace: string | undefined, key: string): string {
    return namespace ? `${namespace}::${key}` : key;
  }

  #key(key: string): string {
    return RedisKeyvStore.keyOf(this.namespace, key);
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.#calls.get(this.#key(key));
    return value === null ? undefined : (value as StoredData<Value>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const px = typeof ttl === 'number' && ttl > 0 ? String(Math.ceil(ttl)) : '';
    const full = this.#key(key);
    if (this.#calls.stash(full, text, px)) return true;
    await this.#calls.write('SET', setScript, [full], [text, px]);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const full = this.#key(key);
    this.#calls.unstash(full);
    return Number(await this.#calls.write('DEL', deleteScript, [full], [])) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async clear(): Promise<void> {
    const pattern = this.namespace ? `${this.namespace}::*` : '*';
    for await (const key of this.#calls.scan(pattern)) {
      await this.#calls.write('DEL', deleteScript, [key], []);
    }
  }

  async disconnect(): Promise<void> {
    // The connection belongs to the stores, which close it.
  }
}
