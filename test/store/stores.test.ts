import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseStoredState } from '../../src/booking/index.ts';
import { LastWriteError, RedisChatLock } from '../../src/store/chat-lock.ts';
import {
  createStores,
  parseStorageUrl,
  type StoreNamespace,
  type Stores,
  type StoresOptions,
} from '../../src/store/index.ts';
import { RedisCalls, RedisKeyvStore } from '../../src/store/redis-keyv.ts';
import { SqliteKeyvStore } from '../../src/store/sqlite-keyv.ts';
import {
  deleteRedisKeys,
  flushRedisScripts,
  redisKeys,
  redisUrl,
  setRawRedisValue,
  startTcpProxy,
  type TcpProxy,
  uniqueRedisPrefix,
} from './redis-helpers.ts';

const open: Stores[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function stores(url: string, conversationTtlMs = 60_000, extra: Partial<StoresOptions> = {}) {
  const s = await createStores({ url, conversationTtlMs, ...extra });
  open.push(s);
  return s;
}

function tempSqliteUrl() {
  const dir = mkdtempSync(join(tmpdir(), 'trialgram-store-'));
  dirs.push(dir);
  return `sqlite:${join(dir, 'nested', 'trialgram.sqlite')}`;
}

describe('embedded sqlite store', () => {
  it('keeps conversations and leads across a reopen (a restart)', async () => {
    const url = tempSqliteUrl();
    const first = await stores(url);
    await first.conversations.set('42', { step: 'summary', version: 1 });
    await first.leads.set('42', { leadId: 1001 });
    await first.close();
    open.pop();

    const second = await stores(url);
    expect(await second.conversations.get('42')).toEqual({ step: 'summary', version: 1 });
    expect(await second.leads.get('42')).toEqual({ leadId: 1001 });
  });

  it('has a write on disk once it returns, also while writes come faster than they are committed', async () => {
    const url = tempSqliteUrl();
    const s = await stores(url);
    const reader = new DatabaseSync(url.slice('sqlite:'.length), { readOnly: true });
    const onDisk = (key: string) =>
      reader.prepare('SELECT 1 FROM keyv WHERE key = ?').get(`conversations:${key}`) !== undefined;
    try {
      // A write a millisecond, many within one commit's wait: each is there when its own call returns.
      const writes: Array<Promise<boolean>> = [];
      for (let i = 0; i < 30; i++) {
        writes.push(
          s.conversations.set(String(i), { step: 'summary', version: 1 }).then(() => onDisk(String(i))),
        );
        await sleep(1);
      }
      expect(await Promise.all(writes)).toEqual(Array<boolean>(30).fill(true));
    } finally {
      reader.close();
    }
  });

  it('expires conversations after the inactivity period, but not leads', async () => {
    const s = await stores(tempSqliteUrl(), 50);
    await s.conversations.set('7', { step: 'x' });
    await s.leads.set('7', { leadId: 5 });
    await sleep(80);
    expect(await s.conversations.get('7')).toBeUndefined();
    expect(await s.leads.get('7')).toEqual({ leadId: 5 });
  });

  it('keeps namespaces apart: clearing the records leaves conversations', async () => {
    const s = await stores(tempSqliteUrl());
    await s.records.set('offers', [1, 2]);
    await s.conversations.set('offers', { step: 'y' });
    await s.records.clear();
    expect(await s.records.get('offers')).toBeUndefined();
    expect(await s.conversations.get('offers')).toEqual({ step: 'y' });
  });

  it('keeps no offer cache of its own: its one process caches in memory', async () => {
    expect((await stores(tempSqliteUrl())).cache).toBeUndefined();
  });

  it('serialises tasks of one chat and runs other chats alongside', async () => {
    const s = await stores('memory:');
    const order: string[] = [];
    const slow = s.chatLock.run('a', async () => {
      order.push('a1 start');
      await sleep(30);
      order.push('a1 end');
    });
    const other = s.chatLock.run('b', async () => void order.push('b'));
    const next = s.chatLock.run('a', async () => void order.push('a2'));
    await Promise.all([slow, other, next]);
    expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it("keeps texts starting with ':' and binary values as keyv's format writes them, across a reopen", async () => {
    const url = tempSqliteUrl();
    const value = {
      note: ':colon',
      list: [':first', 'plain', { inner: '::two' }],
      'key:': 'a key ending in a colon',
      bytes: Buffer.from('hi'),
      plain: 'no colon',
    };
    const first = await stores(url);
    await first.conversations.set('42', value);
    await first.conversations.set('43', { plain: 'text', n: 1, list: [1, 'x'] });
    await first.close();
    open.pop();
    const db = new DatabaseSync(url.slice('sqlite:'.length));
    const rows = db
      .prepare("SELECT key, value FROM keyv WHERE key LIKE 'conversations:%' ORDER BY key")
      .all();
    db.close();
    // keyv's format: strings starting with ':' get one more in front, Buffers are ':base64:'.
    expect(JSON.parse(String(rows[0]?.value)).value).toEqual({
      note: '::colon',
      list: ['::first', 'plain', { inner: ':::two' }],
      'key:': 'a key ending in a colon',
      bytes: ':base64:aGk=',
      plain: 'no colon',
    });
    expect(JSON.parse(String(rows[1]?.value)).value).toEqual({ plain: 'text', n: 1, list: [1, 'x'] });

    const second = await stores(url);
    expect(await second.conversations.get('42')).toEqual(value);
    expect(await second.conversations.get('43')).toEqual({ plain: 'text', n: 1, list: [1, 'x'] });
  });

  it('reads a corrupt conversation as unreadable text for that user only, never as a failure', async () => {
    const url = tempSqliteUrl();
    const unreadable: StoreNamespace[] = [];
    const s = await stores(url, 60_000, { onUnreadable: (namespace) => void unreadable.push(namespace) });
    await s.conversations.set('42', { step: 'summary' });
    await s.conversations.set('43', { step: 'summary' });
    await s.leads.set('42', { leadId: 9 });
    const db = new DatabaseSync(url.slice('sqlite:'.length));
    db.prepare("UPDATE keyv SET value = '{half a write' WHERE key IN ('conversations:42', 'leads:42')").run();
    db.close();

    const raw = await s.conversations.get('42');
    expect(raw).toBe('{half a write');
    expect(parseStoredState(raw)).toBeUndefined();
    expect(await s.leads.get('42')).toBeUndefined();
    expect(await s.conversations.get('43')).toEqual({ step: 'summary' });
    expect(unreadable).toEqual(['conversations', 'leads']);
    expect(await s.ping()).toBe(true);
  });
});

/** Whether the database file or its -wal/-shm files hold `text`, byte for byte. */
function onDisk(url: string, text: string): boolean {
  const path = url.slice('sqlite:'.length);
  return ['', '-wal', '-shm'].some(
    (suffix) => existsSync(path + suffix) && readFileSync(path + suffix).includes(Buffer.from(text)),
  );
}

describe('conversation rows', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });
  const urls = {
    sqlite: () => tempSqliteUrl(),
    memory: () => 'memory:',
    redis: () => {
      const prefix = uniqueRedisPrefix('rows');
      prefixes.push(prefix);
      return redisUrl(prefix);
    },
  };

  it.each(Object.keys(urls) as Array<keyof typeof urls>)(
    "%s: reads back what the update's two writes of one state stored, escaped texts too",
    async (kind) => {
      const s = await stores(urls[kind]());
      const state = {
        version: 1,
        rev: 3,
        step: { name: 'askLastName' },
        flow: { lead: { firstName: 'Ann' } },
      };
      const odd = { version: 1, rev: 4, step: { name: 'askEmail' }, flow: { lead: { lastName: ':colon' } } };
      // The same state object twice, as an update writes it: before its messages, then delivered.
      await s.conversations.set('7', { state, updateId: 10, done: false, at: 1 });
      expect(await s.conversations.get('7')).toEqual({ state, updateId: 10, done: false, at: 1 });
      await s.conversations.set('7', { state, shownRev: 3, updateId: 10, done: true, at: 2 });
      expect(await s.conversations.get('7')).toEqual({ state, shownRev: 3, updateId: 10, done: true, at: 2 });
      // A state whose text keyv's format escapes, and one without delivery facts at all.
      await s.conversations.set('8', { state: odd, at: 3 });
      await s.conversations.set('9', { state });
      expect(await s.conversations.get('8')).toEqual({ state: odd, at: 3 });
      expect(await s.conversations.get('9')).toEqual({ state });
    },
  );
});

describe('embedded sqlite store: what is deleted leaves the disk', () => {
  it('sweeps conversations that expired while the bot was stopped at start, out of every file', async () => {
    const url = tempSqliteUrl();
    const first = await stores(url, 50);
    await first.conversations.set('42', { name: 'Zephyrine Quastelbaum' });
    await first.leads.set('43', { leadId: 5 });
    expect(onDisk(url, 'Quastelbaum')).toBe(true);
    await first.close();
    open.pop();
    await sleep(80);

    const second = await stores(url, 50);
    expect(onDisk(url, 'Quastelbaum')).toBe(false);
    expect(await second.leads.get('43')).toEqual({ leadId: 5 });
  });

  it('sweeps expired rows while running, out of the write-ahead log too', async () => {
    const url = tempSqliteUrl();
    const path = url.slice('sqlite:'.length);
    const store = new SqliteKeyvStore({ path, sweepIntervalMs: 50 });
    try {
      await store.set('conversations:42', JSON.stringify({ name: 'Zephyrine Quastelbaum' }), 30);
      await store.set('leads:43', JSON.stringify({ leadId: 5 }));
      expect(onDisk(url, 'Quastelbaum')).toBe(true);
      await expect.poll(() => onDisk(url, 'Quastelbaum'), { timeout: 5_000 }).toBe(false);
      expect(await store.get('leads:43')).toBe(JSON.stringify({ leadId: 5 }));
    } finally {
      await store.disconnect();
    }
  });

  it('erases what an older version deleted without overwriting, once, at start', async () => {
    const url = tempSqliteUrl();
    const path = url.slice('sqlite:'.length);
    mkdirSync(dirname(path), { recursive: true });
    const old = new DatabaseSync(path);
    old.exec(`
      PRAGMA journal_mode = WAL;
      CREATE TABLE keyv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER);
      INSERT INTO keyv VALUES ('leads:7', '{"value":{"leadId":3}}', NULL);
      INSERT INTO keyv VALUES ('conversations:42', '{"value":"Zephyrine Quastelbaum"}', NULL);
      DELETE FROM keyv WHERE key = 'conversations:42';
      PRAGMA wal_checkpoint(TRUNCATE);
    `);
    old.close();
    expect(onDisk(url, 'Quastelbaum')).toBe(true);

    const s = await stores(url);
    expect(onDisk(url, 'Quastelbaum')).toBe(false);
    expect(await s.leads.get('7')).toEqual({ leadId: 3 });
  });
});

describe('storage url', () => {
  it('takes a key prefix from a redis url and leaves it out of the connection url', () => {
    expect(parseStorageUrl('redis://10.0.0.5:6379/2?prefix=studio-north')).toEqual({
      kind: 'redis',
      url: 'redis://10.0.0.5:6379/2',
      keyPrefix: 'studio-north',
    });
    expect(parseStorageUrl('rediss://cache.internal:6380')).toMatchObject({ keyPrefix: 'trialgram' });
    expect(parseStorageUrl('sqlite:./data/x.sqlite')).toEqual({ kind: 'sqlite', path: './data/x.sqlite' });
    expect(() => parseStorageUrl('redis://h:1?prefix=a b')).toThrow(/prefix/);
  });
});

describe('redis store', () => {
  const prefixes: string[] = [];
  const proxies: TcpProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });
  function prefix(label: string) {
    const value = uniqueRedisPrefix(label);
    prefixes.push(value);
    return value;
  }
  async function proxyToRedis() {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    proxies.push(proxy);
    return proxy;
  }
  async function eventually(check: () => Promise<boolean>, timeoutMs = 8_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(50);
    }
  }

  it('keeps writing once Redis has forgotten its scripts (restarted, flushed)', async () => {
    const s = await stores(redisUrl(prefix('scripts')));
    await s.leads.set('user-1', { leadId: 1 });
    await flushRedisScripts();
    await s.leads.set('user-1', { leadId: 2 });
    await s.conversations.set('user-1', { step: 'summary' });
    expect(await s.leads.get('user-1')).toEqual({ leadId: 2 });
    expect(await s.conversations.get('user-1')).toEqual({ step: 'summary' });
  });

  it('shares state between two instances', async () => {
    const p = prefix('share');
    const a = await stores(redisUrl(p));
    const b = await stores(redisUrl(p));
    await a.leads.set('user-1', { leadId: 77 });
    expect(await b.leads.get('user-1')).toEqual({ leadId: 77 });
    expect(await a.ping()).toBe(true);
  });

  it('keeps every key under its prefix, invisible to a bot on another prefix', async () => {
    const north = prefix('north');
    const south = prefix('south');
    const a = await stores(redisUrl(north));
    const b = await stores(redisUrl(south));
    await a.leads.set('5', { leadId: 1 });
    await a.conversations.set('5', { step: 'x' });
    await a.chatLock.run('5', async () => {
      expect(await redisKeys(north)).toContain(`${north}:lock:5`);
    });
    expect(await b.leads.get('5')).toBeUndefined();
    expect(await redisKeys(north)).toEqual([`${north}:conversations::5`, `${north}:leads::5`]);
    expect(await redisKeys(south)).toEqual([]);
  });

  it('never runs one chat on two instances at once', async () => {
    const p = prefix('lock');
    const a = await stores(redisUrl(p));
    const b = await stores(redisUrl(p));
    let running = 0;
    let maxRunning = 0;
    const task = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(15);
      running--;
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).chatLock.run('chat-1', task)));
    expect(maxRunning).toBe(1);
  });

  it('keeps the lock while a slow update runs longer than its expiry', async () => {
    const p = prefix('renew');
    const clients = [
      createClient({ url: 'redis://127.0.0.1:6379/0' }),
      createClient({ url: 'redis://127.0.0.1:6379/0' }),
    ];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      // Renewed every third of its life: the holder's process may stall for up to two thirds of it
      // (a loaded machine stalls a test process for 100 ms and more) without losing the lock.
      const ttlMs = 600;
      const [a, b] = clients.map(
        (c) =>
          new RedisChatLock(new RedisCalls(c), {
            ttlMs,
            waitMs: 10_000,
            prefix: `${p}:lock:`,
          }),
      ) as [RedisChatLock, RedisChatLock];
      const order: string[] = [];
      // Two chats held at once, taken half an expiry apart (one timer renews every lock held).
      const slowly = (chat: string) => {
        let started: () => void = () => undefined;
        const holding = new Promise<void>((resolve) => (started = resolve));
        const done = a.run(chat, async () => {
          order.push(`a start ${chat}`);
          started();
          // Well past the expiry: without renewal, b would get in meanwhile.
          await sleep(2.5 * ttlMs);
          order.push(`a end ${chat}`);
        });
        return { holding, done };
      };
      const first = slowly('chat');
      await first.holding;
      await sleep(ttlMs / 2);
      const second = slowly('chat-2');
      await second.holding;
      const others = ['chat', 'chat-2'].map((chat) => b.run(chat, async () => void order.push(`b ${chat}`)));
      await Promise.all([first.done, second.done, ...others]);
      expect(order.indexOf('b chat')).toBeGreaterThan(order.indexOf('a end chat'));
      expect(order.indexOf('b chat-2')).toBeGreaterThan(order.indexOf('a end chat-2'));
      expect(order).toHaveLength(6);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it("reads a chat's rows in the script that takes its lock, and never answers from that read once the lock is gone", async () => {
    const p = prefix('prefetch');
    const client = createClient({ url: 'redis://127.0.0.1:6379/0' });
    await client.connect();
    try {
      let gets = 0;
      const counting = Object.assign(Object.create(client) as typeof client, {
        get: (key: string) => {
          gets++;
          return client.get(key);
        },
      });
      const calls = new RedisCalls(counting);
      const row = `${p}:conversations::8`;
      const profile = `${p}:leads::8`;
      const lock = new RedisChatLock(calls, { prefix: `${p}:lock:`, prefetch: () => [row, profile] });
      const store = new RedisKeyvStore(calls);
      store.namespace = `${p}:conversations`;
      await client.set(row, 'before');

      const seen = await lock.run('8', async () => [await calls.get(row), await calls.get(profile)]);
      expect(seen).toEqual(['before', null]);
      expect(gets).toBe(0);

      // Written inside the lock: the update reads its own write, not what the lock read.
      const own = await lock.run('8', async () => {
        await store.set('8', 'written');
        return calls.get(row);
      });
      expect(own).toBe('written');

      // Taken but not read, then another instance writes: a later read asks Redis.
      await lock.run('8', async () => undefined);
      await client.set(row, 'by another instance');
      expect(await calls.get(row)).toBe('by another instance');
    } finally {
      await client.close();
    }
  });

  it("lets the next instance in once a crashed holder's lock expires", async () => {
    const p = prefix('crash');
    const s = await stores(redisUrl(p));
    // What a SIGKILLed instance leaves behind: its lock, never released.
    await setRawRedisValue(`${p}:lock:chat-9`, 'dead-instance');
    const raw = createClient({ url: 'redis://127.0.0.1:6379/0' });
    await raw.connect();
    await raw.pExpire(`${p}:lock:chat-9`, 400);
    await raw.close();
    const started = Date.now();
    const waited = await s.chatLock.run('chat-9', async () => Date.now() - started);
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(3_000);
  });

  it('fails loudly while Redis is away, instead of answering "nothing stored", and recovers', async () => {
    const p = prefix('outage');
    const proxy = await proxyToRedis();
    const s = await stores(redisUrl(p, proxy.port));
    await s.conversations.set('7', { step: 'summary' });

    proxy.cut();
    await expect(s.conversations.get('7')).rejects.toThrow();
    await expect(s.conversations.set('7', { step: 'idle' })).rejects.toThrow();
    const ran: string[] = [];
    await expect(s.chatLock.run('7', async () => void ran.push('task'))).rejects.toThrow();
    expect(ran).toEqual([]);
    expect(await s.ping()).toBe(false);

    proxy.restore();
    await eventually(() => s.ping());
    expect(await s.conversations.get('7')).toEqual({ step: 'summary' });
  });

  it('releases a lock whose release hit a Redis blip as soon as Redis is back', async () => {
    const p = prefix('blip');
    const proxy = await proxyToRedis();
    const s = await stores(redisUrl(p, proxy.port));
    // Redis goes away just as the update finishes: the release cannot reach it.
    await s.chatLock.run('3', async () => proxy.cut());
    proxy.restore();
    await eventually(() => s.ping());
    const started = Date.now();
    await s.chatLock.run('3', async () => undefined);
    // Without the retried release the chat would wait for the lock's 10 s expiry.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('starts while Redis is unreachable and connects by itself once it is back', async () => {
    const p = prefix('late');
    const proxy = await proxyToRedis();
    proxy.cut();
    const s = await stores(redisUrl(p, proxy.port), 60_000, { redisConnectWaitMs: 200 });
    expect(await s.ping()).toBe(false);
    proxy.restore();
    await eventually(() => s.ping());
    await s.leads.set('1', { leadId: 3 });
    expect(await s.leads.get('1')).toEqual({ leadId: 3 });
  });

  it('closes promptly while still trying to reach Redis', async () => {
    const proxy = await proxyToRedis();
    proxy.cut();
    const s = await createStores({
      url: redisUrl(prefix('close'), proxy.port),
      conversationTtlMs: 60_000,
      redisConnectWaitMs: 100,
    });
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers every call within its time limit while Redis stalls, and carries on when it answers again', async () => {
    const p = prefix('stall');
    const proxy = await proxyToRedis();
    const s = await stores(redisUrl(p, proxy.port), 60_000, { redisTimeoutMs: 1_000 });
    await s.conversations.set('7', { step: 'summary' });

    proxy.stall();
    const started = Date.now();
    await expect(s.conversations.get('7')).rejects.toThrow(/did not answer/);
    await expect(s.conversations.set('7', { step: 'idle' })).rejects.toThrow();
    const ran: string[] = [];
    await expect(s.chatLock.run('7', async () => void ran.push('task'))).rejects.toThrow();
    expect(await s.ping()).toBe(false);
    expect(ran).toEqual([]);
    // Four calls, each given up after its 1 s limit (or at once once the connection is dropped).
    expect(Date.now() - started).toBeLessThan(6_000);

    proxy.resume();
    await eventually(() => s.ping());
    expect(await s.conversations.get('7')).toEqual({ step: 'summary' });
  });

  it('replaces a connection that stalls for good, so the bot carries on within seconds', async () => {
    const p = prefix('half-open');
    const proxy = await proxyToRedis();
    const s = await stores(redisUrl(p, proxy.port), 60_000, { redisTimeoutMs: 500 });
    await s.leads.set('1', { leadId: 3 });

    proxy.stallOpenConnections();
    await expect(s.leads.get('1')).rejects.toThrow(/did not answer/);
    // The kernel would keep the dead connection for many minutes; a new one works at once.
    await eventually(() => s.ping(), 5_000);
    expect(await s.leads.get('1')).toEqual({ leadId: 3 });
  });

  it('closes within its time limit while Redis stalls', async () => {
    const proxy = await proxyToRedis();
    const s = await createStores({
      url: redisUrl(prefix('close-stalled'), proxy.port),
      conversationTtlMs: 60_000,
      redisTimeoutMs: 500,
    });
    proxy.stall();
    const pending = s.leads.set('1', { leadId: 3 }).catch(() => undefined);
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await pending;
  });

  it('clears one namespace of its own keys only', async () => {
    const p = prefix('clear');
    const { cache, conversations } = await stores(redisUrl(p));
    if (!cache) throw new Error('a Redis store has a cache');
    await cache.set('offers', [1, 2]);
    await conversations.set('offers', { step: 'y' });
    await cache.clear();
    expect(await cache.get('offers')).toBeUndefined();
    expect(await conversations.get('offers')).toEqual({ step: 'y' });
  });

  /** Two instances on one prefix, `a` behind a proxy that can stall, with a conversation at its first name. */
  async function aboutToStall(label: string, user: string) {
    const p = prefix(label);
    const proxy = await proxyToRedis();
    const a = await stores(redisUrl(p, proxy.port), 60_000, { redisTimeoutMs: 1_000 });
    const b = await stores(redisUrl(p));
    await a.conversations.set(user, { step: 'first name' });
    return { p, proxy, a, b };
  }

  it('never applies a write late: what timed out during a stall is refused when it reaches Redis', async () => {
    const { p, proxy, a, b } = await aboutToStall('late-write', '7');

    proxy.stall();
    // Sent, then given up on: the prospect hears "technical trouble" and the step must not move.
    await expect(a.conversations.set('7', { step: 'last name' })).rejects.toThrow(/did not answer/);
    await expect(a.chatLock.run('7', async () => undefined)).rejects.toThrow();
    // Everything held by the stall now reaches Redis, late.
    proxy.resume();
    await eventually(() => a.ping());
    await sleep(200);

    expect(await b.conversations.get('7')).toEqual({ step: 'first name' });
    expect(await redisKeys(p)).not.toContain(`${p}:lock:7`);
    const started = Date.now();
    await b.chatLock.run('7', async () => undefined);
    // A lock taken by the late SET would hold the chat for its 10 s expiry.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("sends an update's last write with the release of its chat's lock, for the next holder to read", async () => {
    const p = prefix('last-write');
    const a = await stores(redisUrl(p));
    const b = await stores(redisUrl(p));
    await a.conversations.set('9', { step: 'first name' });

    let seenInside: unknown;
    await a.chatLock.run('9', async () => {
      await a.conversations.get('9');
      a.deferLastWrite?.('9');
      await a.conversations.set('9', { step: 'last name' });
      // Not in Redis yet, but this process reads its own last write.
      expect(await b.conversations.get('9')).toEqual({ step: 'first name' });
      seenInside = await a.conversations.get('9');
    });
    expect(seenInside).toEqual({ step: 'last name' });
    // Released, with the write: the other instance takes the chat and reads it.
    expect(await b.chatLock.run('9', () => b.conversations.get('9'))).toEqual({ step: 'last name' });
    expect(await redisKeys(p)).not.toContain(`${p}:lock:9`);

    // A write outside a held lock, or after a deferred one, goes to Redis at once.
    a.deferLastWrite?.('9');
    await a.conversations.set('9', { step: 'e-mail' });
    expect(await b.conversations.get('9')).toEqual({ step: 'e-mail' });
    await a.chatLock.run('9', async () => {
      a.deferLastWrite?.('9');
      await a.conversations.set('9', { step: 'gender' });
      await a.conversations.set('9', { step: 'date of birth' });
      expect(await b.conversations.get('9')).toEqual({ step: 'date of birth' });
    });
    expect(await b.conversations.get('9')).toEqual({ step: 'date of birth' });
  });

  it('fails the lock with a LastWriteError when the last write cannot reach Redis, and never applies it late', async () => {
    const { proxy, a, b } = await aboutToStall('last-write-stall', '5');

    const run = a.chatLock.run('5', async () => {
      a.deferLastWrite?.('5');
      await a.conversations.set('5', { step: 'last name' });
      proxy.stall();
    });
    await expect(run).rejects.toBeInstanceOf(LastWriteError);
    proxy.resume();
    await eventually(() => a.ping());
    await sleep(200);
    expect(await b.conversations.get('5')).toEqual({ step: 'first name' });
    const started = Date.now();
    await b.chatLock.run('5', async () => undefined);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reads a corrupt conversation as unreadable text for that user only', async () => {
    const p = prefix('corrupt');
    const unreadable: StoreNamespace[] = [];
    const s = await stores(redisUrl(p), 60_000, {
      onUnreadable: (namespace) => void unreadable.push(namespace),
    });
    await s.conversations.set('43', { step: 'summary' });
    await setRawRedisValue(`${p}:conversations::42`, '{"value":{"step":');
    const raw = await s.conversations.get('42');
    expect(parseStoredState(raw)).toBeUndefined();
    expect(raw).toBe('{"value":{"step":');
    expect(await s.conversations.get('43')).toEqual({ step: 'summary' });
    expect(unreadable).toEqual(['conversations']);
  });
});
