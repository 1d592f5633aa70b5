/**
 * The stores trialgram keeps, chosen by STORAGE_URL:
 * - `sqlite:<path>` (default `sqlite:./data/trialgram.sqlite`): embedded and durable, one process;
 * - `redis://…` or `rediss://…`: shared by several instances, with a cross-instance chat lock;
 *   `?prefix=<name>` puts every key under `<name>:` (default `trialgram`), so several bots or
 *   test runs can share one Redis;
 * - `memory:`: an in-memory SQLite database; nothing survives a restart (tests, benchmarks).
 * Namespaces: conversation state (expires after inactivity), the Telegram-user-to-lead mapping
 * (long-lived) and small idempotency records; with Redis also the cache of offers, configs and
 * studio information that the instances share (the embedded store's one process caches in memory).
 *
 * Every store throws when its backend fails, so the bot can tell "Redis is away" from "nothing
 * stored". A stored value that is not readable JSON is not a backend failure: it reads as the raw
 * text in the conversation namespace (the bot's state parser rejects it and restarts that user)
 * and as absent elsewhere, and is reported through `onUnreadable`.
 */

import type { DatabaseSync } from 'node:sqlite';
import { createClient } from '@keyv/redis';
import { type DeserializedData, Keyv } from 'keyv';
import { within } from '../runtime/within.ts';
import { type ChatLock, LocalChatLock, RedisChatLock } from './chat-lock.ts';
import { serializeConversation } from './conversation-texts.ts';
import { parseKeyvText, serializeForKeyv } from './keyv-format.ts';
import { parseStorageUrl, type StorageLocation } from './location.ts';
import { RedisCalls, RedisKeyvStore } from './redis-keyv.ts';
import { openKeyvDatabase, SqliteKeyvStore } from './sqlite-keyv.ts';

export type { ChatLock } from './chat-lock.ts';
export { parseStorageUrl, type StorageLocation } from './location.ts';

export interface Stores {
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /** How long a conversation lives after its last write (StoresOptions.conversationTtlMs). */
  readonly conversationTtlMs: number;
  /**
   * Whether this process is the only one writing these stores (`sqlite:`, `memory:`; not Redis,
   * which several instances share): what it wrote last can then be read back from memory.
   */
  readonly onlyWriter: boolean;
  readonly conversations: Keyv;
  readonly leads: Keyv;
  /**
   * The offers, configs and studio information shared by every instance: Redis (and `memory:`,
   * for tests) only. The embedded store has none: its one process caches them in memory.
   */
  readonly cache?: Keyv;
  /** Idempotency records and other small shared facts (e.g. processed update ids). */
  readonly records: Keyv;
  readonly chatLock: ChatLock;
  /**
   * Redis: the next write of this user's conversation is the last of the update that holds its
   * chat's lock; it goes to Redis with the lock's release (one round trip less). A failure of it
   * comes out of `chatLock.run` as a `LastWriteError`.
   */
  deferLastWrite?(userKey: string): void;
  /** `sqlite:` and `memory:`: the open database, for other tables in it (the reminders). */
  readonly database?: DatabaseSync;
  /** True when the backing store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const storeNamespaces = ['conversations', 'leads', 'cache', 'records'] as const;
export type StoreNamespace = (typeof storeNamespaces)[number];
/** What the embedded store keeps: everything but the cache, which only instances sharing Redis need. */
const sqliteNamespaces = ['conversations', 'leads', 'records'] as const;

export interface StoresOptions {
  url: string;
  conversationTtlMs: number;
  /** A stored value in `namespace` could not be read (corrupt); it was treated as described above. */
  onUnreadable?: (namespace: StoreNamespace) => void;
  /**
   * Redis only: how long start-up waits for the first connection. After that the app starts
   * anyway (health reports the store unavailable, users hear "temporarily unavailable") and the
   * client keeps reconnecting in the background. Default 5 s.
   */
  redisConnectWaitMs?: number;
  /**
   * Redis only: the time limit of every Redis call (and of connecting). A Redis that does not
   * answer fails the call after it, like one that is down. Default 2 s.
   */
  redisTimeoutMs?: number;
}

/**
 * keyv's own format (see `keyv-format.ts`), read tolerantly. `shared`: Redis, where an update
 * writes its state twice (the only writer keeps the second write in memory), so the conversations'
 * texts reuse the first write's (see `conversation-texts.ts`).
 */
function keyvOptions(namespace: StoreNamespace, options: StoresOptions, shared: boolean) {
  const { onUnreadable } = options;
  return {
    throwOnErrors: true,
    serialize: shared && namespace === 'conversations' ? serializeConversation : serializeForKeyv,
    deserialize: <Value>(text: string): DeserializedData<Value> | undefined => {
      try {
        return parseKeyvText(text) as DeserializedData<Value>;
      } catch {
        onUnreadable?.(namespace);
        return namespace === 'conversations' ? { value: text as Value } : undefined;
      }
    },
    ...(namespace === 'conversations' ? { ttl: options.conversationTtlMs } : {}),
  };
}

export async function createStores(options: StoresOptions): Promise<Stores> {
  const location = parseStorageUrl(options.url);
  if (location.kind === 'redis') return createRedisStores(location, options);
  // memory: the same store on an in-memory SQLite database, so that expired entries are swept
  // (a Map kept every conversation and update id for ever) and nothing survives the process; it
  // also keeps the shared cache, as Redis does, so tests see it. One connection for all
  // namespaces; one of them sweeps expired rows for all.
  const memory = location.kind === 'memory';
  const database = openKeyvDatabase(memory ? ':memory:' : location.path);
  const sqliteStores = (memory ? storeNamespaces : sqliteNamespaces).map((namespace, index) => ({
    namespace,
    store: new SqliteKeyvStore(index === 0 ? { database } : { database, sweepIntervalMs: 0 }),
  }));
  const keyvs = new Map(
    sqliteStores.map(({ namespace, store }) => [
      namespace,
      new Keyv({ store, namespace, ...keyvOptions(namespace, options, false) }),
    ]),
  );
  const records = keyvs.get('records') as Keyv;
  const cache = keyvs.get('cache');
  return {
    kind: location.kind,
    conversationTtlMs: options.conversationTtlMs,
    onlyWriter: true,
    database,
    conversations: keyvs.get('conversations') as Keyv,
    leads: keyvs.get('leads') as Keyv,
    ...(cache ? { cache } : {}),
    records,
    chatLock: new LocalChatLock(),
    ping: async () => {
      try {
        await records.get('ping');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await Promise.all(sqliteStores.map(({ store }) => store.disconnect()));
      if (database.isOpen) database.close();
    },
  };
}

async function createRedisStores(
  location: Extract<StorageLocation, { kind: 'redis' }>,
  options: StoresOptions,
): Promise<Stores> {
  const timeoutMs = options.redisTimeoutMs ?? 2_000;
  const client = createClient({
    url: location.url,
    socket: {
      connectTimeout: timeoutMs,
      // Keep reconnecting while Redis is away; calls fail fast meanwhile (no offline queue).
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
    },
    disableOfflineQueue: true,
    // While Redis stalls, commands waiting for an answer pile up; beyond this many, calls fail at once.
    commandsQueueMaxLength: 10_000,
  });
  // Errors surface on the calls that hit them; the event only needs a listener so it never crashes.
  client.on('error', () => undefined);
  const calls = new RedisCalls(client, { timeoutMs });
  // Writes' deadlines are in Redis's clock: measured on every (re)connect and then every minute.
  const calibrate = () => void calls.calibrate().catch(() => undefined);
  client.on('ready', calibrate);
  const calibration = setInterval(calibrate, 60_000).unref();
  // connect() keeps retrying until Redis answers; start-up waits only a while for it (see options).
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  const waitMs = options.redisConnectWaitMs ?? 5_000;
  await within(connected, waitMs, false);

  const namespaceOf = (namespace: StoreNamespace) => `${location.keyPrefix}:${namespace}`;
  const rowKey = (namespace: StoreNamespace, key: string) =>
    RedisKeyvStore.keyOf(namespaceOf(namespace), key);
  const make = (namespace: StoreNamespace) =>
    new Keyv({
      // Throws when Redis is away or does not answer in time, never answers "not found" then:
      // that would silently restart every conversation during an outage.
      store: new RedisKeyvStore(calls),
      ...keyvOptions(namespace, options, true),
      // keyv hands its namespace to the adapter, which puts it in front of every key.
      namespace: namespaceOf(namespace),
      useKeyPrefix: false,
    });
  return {
    kind: 'redis',
    conversationTtlMs: options.conversationTtlMs,
    onlyWriter: false,
    conversations: make('conversations'),
    leads: make('leads'),
    cache: make('cache'),
    records: make('records'),
    deferLastWrite: (userKey) => calls.deferWrite(rowKey('conversations', userKey)),
    chatLock: new RedisChatLock(calls, {
      prefix: `${location.keyPrefix}:lock:`,
      // A private chat's id is its user's: the rows the update reads first.
      prefetch: (chat) => [rowKey('conversations', chat), rowKey('leads', chat)],
    }),
    ping: async () => {
      try {
        return await calls.ping();
      } catch {
        return false;
      }
    },
    close: async () => {
      clearInterval(calibration);
      calls.close();
      // close() lets sent commands finish, for as long as a call may take (a stalled Redis never
      // answers them); without a connection there is nothing to finish.
      if (client.isReady)
        await within(
          client.close().catch(() => undefined),
          timeoutMs,
          undefined,
        );
      if (client.isOpen) client.destroy();
      await connected;
    },
  };
}
