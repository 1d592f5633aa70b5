/**
 * Test helpers around the real Redis on 127.0.0.1:6379: a key prefix per test run (so parallel
 * runs never see each other's keys) with clean-up, and a TCP proxy that can cut Redis off or stall it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server, Socket } from 'node:net';
import { createClient } from '@keyv/redis';

export const redisHost = '127.0.0.1';
export const redisPort = 6379;

/** A prefix no other test run uses; pass it as `?prefix=` in STORAGE_URL. */
export function uniqueRedisPrefix(label: string): string {
  return `trialgram-test-${label}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

export function redisUrl(prefix: string, port = redisPort): string {
  return `redis://${redisHost}:${port}/0?prefix=${prefix}`;
}

/** Makes Redis forget every script it was sent (as a restart does). */
export async function flushRedisScripts(): Promise<void> {
  const client = createClient({ url: `redis://${redisHost}:${redisPort}/0` });
  await client.connect();
  try {
    await client.sendCommand(['SCRIPT', 'FLUSH']);
  } finally {
    await client.close();
  }
}

/** Every key under `prefix:` (for assertions), read straight from Redis. */
export async function redisKeys(prefix: string): Promise<string[]> {
  const client = createClient({ url: `redis://${redisHost}:${redisPort}/0` });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
      keys.push(...(Array.isArray(batch) ? batch : [batch as string]));
    }
    return keys.sort();
  } finally {
    await client.close();
  }
}

/** Deletes every key under `prefix:`; the clean-up after a test run. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const keys = await redisKeys(prefix);
  if (keys.length === 0) return;
  const client = createClient({ url: `redis://${redisHost}:${redisPort}/0` });
  await client.connect();
  try {
    await client.del(keys);
  } finally {
    await client.close();
  }
}

/** Writes a raw string under a key, bypassing keyv (to plant a corrupt value). */
export async function setRawRedisValue(key: string, value: string): Promise<void> {
  const client = createClient({ url: `redis://${redisHost}:${redisPort}/0` });
  await client.connect();
  try {
    await client.set(key, value);
  } finally {
    await client.close();
  }
}

export interface TcpProxy {
  readonly port: number;
  /** Redis becomes unreachable: open connections are reset and new ones refused (reset at once). */
  cut(): void;
  /** Redis is reachable again through the proxy. */
  restore(): void;
  /**
   * Redis stalls: connections are accepted and bytes taken in both directions, but nothing is
   * passed on (like a frozen Redis, or a network that drops packets without a reset).
   */
  stall(): void;
  /**
   * The stall ends: everything held is passed on, late, also what clients sent before they hung
   * up (it had reached Redis's side already).
   */
  resume(): void;
  /**
   * The connections open now stall for good (a peer gone without a reset: its bytes go nowhere);
   * new connections work.
   */
  stallOpenConnections(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `target`, to take Redis away from an app and give it back. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  let stalled = false;
  const flushes = new Set<() => void>();
  const deadSwitches = new Set<() => void>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!open) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    track(upstream);
    upstream.connect(target.port, target.host);
    const toRedis: Buffer[] = [];
    const toClient: Buffer[] = [];
    let clientGone = false;
    let dead = false;
    deadSwitches.add(() => (dead = true));
    const flush = () => {
      for (const chunk of toRedis.splice(0)) upstream.write(chunk);
      for (const chunk of toClient.splice(0)) if (!client.destroyed) client.write(chunk);
      if (clientGone) {
        upstream.end();
        flushes.delete(flush);
      }
    };
    flushes.add(flush);
    client.on('data', (chunk: Buffer) => {
      if (dead) return;
      if (stalled) toRedis.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dead) return;
      if (stalled) toClient.push(chunk);
      else client.write(chunk);
    });
    client.on('close', () => {
      clientGone = true;
      // What the client sent during a stall still arrives, when the stall ends.
      if (stalled && toRedis.length > 0) return;
      flushes.delete(flush);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    cut() {
      open = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      open = true;
    },
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const flush of [...flushes]) flush();
    },
    stallOpenConnections() {
      for (const kill of deadSwitches) kill();
      deadSwitches.clear();
    },
    async close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
