/**
 * The stores trialgram keeps, chosen by STORAGE_URL:
 * - `sqlite:<path>` (default `sqlite:./data/trialgram.sqlite`): embedded and durable, one process;
 * - `redis://…`: shared by several instances, with a cross-instance chat lock;
 * - `memory:`: nothing survives a restart (tests, benchmarks).
 * Three namespaces: conversation state (expires after inactivity), the Telegram-user-to-lead
 * mapping (long-lived), and the shared cache of offers, configs and studio information.
 */
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import { type ChatLock, LocalChatLock, RedisChatLock, type RedisLockClient } from './chat-lock.ts';
import { SqliteKeyvStore } from './sqlite-keyv.ts';

export type { ChatLock } from './chat-lock.ts';

export interface Stores {
  readonly kind: 'sqlite' | 'redis' | 'memory';
  readonly conversations: Keyv;
  readonly leads: Keyv;
  readonly cache: Keyv;
  /** Idempotency records and other small shared facts (e.g. processed update ids). */
  readonly records: Keyv;
  readonly chatLock: ChatLock;
  /** True when the backing store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoresOptions {
  url: string;
  conversationTtlMs: number;
}

const namespaces = ['conversations', 'leads', 'cache', 'records'] as const;
type Namespace = (typeof namespaces)[number];

function keyvOptions(namespace: Namespace, ttlMs: number) {
  return {
    namespace,
    throwOnErrors: true,
    ...(namespace === 'conversations' ? { ttl: ttlMs } : {}),
  };
}

export async function createStores(options: StoresOptions): Promise<Stores> {
  const { url } = options;
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return createRedisStores(options);
  if (url === 'memory:') {
    const [conversations, leads, cache, records] = namespaces.map(
      (ns) => new Keyv({ store: new Map(), ...keyvOptions(ns, options.conversationTtlMs) }),
    ) as [Keyv, Keyv, Keyv, Keyv];
    return {
      kind: 'memory',
      conversations,
      leads,
      cache,
      records,
      chatLock: new LocalChatLock(),
      ping: async () => true,
      close: async () => undefined,
    };
  }
  const path = url.slice('sqlite:'.length);
  const sqliteStores = namespaces.map((ns) => ({ ns, store: new SqliteKeyvStore({ path }) }));
  const [conversations, leads, cache, records] = sqliteStores.map(
    ({ ns, store }) => new Keyv({ store, ...keyvOptions(ns, options.conversationTtlMs) }),
  ) as [Keyv, Keyv, Keyv, Keyv];
  return {
    kind: 'sqlite',
    conversations,
    leads,
    cache,
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
    },
  };
}

async function createRedisStores(options: StoresOptions): Promise<Stores> {
  const client = createClient({
    url: options.url,
    socket: {
      connectTimeout: 2_000,
      // Keep reconnecting while Redis is away; calls fail fast meanwhile (no offline queue).
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
    },
    disableOfflineQueue: true,
  });
  // Errors surface on the calls that hit them; the event only needs a listener so it never crashes.
  client.on('error', () => undefined);
  await client.connect();
  const make = (ns: Namespace) =>
    new Keyv({
      store: new KeyvRedis(client, { namespace: `trialgram:${ns}`, throwOnConnectError: true }),
      ...keyvOptions(ns, options.conversationTtlMs),
      useKeyPrefix: false,
    });
  return {
    kind: 'redis',
    conversations: make('conversations'),
    leads: make('leads'),
    cache: make('cache'),
    records: make('records'),
    chatLock: new RedisChatLock(client as unknown as RedisLockClient),
    ping: async () => {
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}
