/**
 * The store the benchmarked bot uses, set up and removed by the benchmark:
 * - embedded: SQLite in a temporary directory, deleted afterwards;
 * - memory: nothing to set up;
 * - redis: the Redis server on 127.0.0.1:6379, every key under a prefix of this run's own
 *   (`STORAGE_URL=redis://…?prefix=…`), all deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import type { StoreKind } from './options.ts';

export const benchRedisServer = 'redis://127.0.0.1:6379';

export interface PreparedStorage {
  /** STORAGE_URL for the bot. */
  url: string;
  /** Where the data lives, for the report. */
  description: string;
  cleanup(): Promise<void>;
}

export async function prepareStorage(kind: StoreKind): Promise<PreparedStorage> {
  switch (kind) {
    case 'memory':
      return { url: 'memory:', description: 'in memory', cleanup: async () => undefined };
    case 'embedded': {
      const directory = await mkdtemp(join(tmpdir(), 'trialgram-bench-'));
      return {
        url: `sqlite:${join(directory, 'trialgram.sqlite')}`,
        description: 'SQLite (node:sqlite) in a temporary directory',
        cleanup: () => rm(directory, { recursive: true, force: true }),
      };
    }
    case 'redis':
      return redisUnderOwnPrefix();
  }
}

async function redisUnderOwnPrefix(): Promise<PreparedStorage> {
  const client = createClient({
    url: benchRedisServer,
    socket: { connectTimeout: 2_000, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `--store redis needs a Redis server on ${benchRedisServer} (${error instanceof Error ? error.message : error})`,
    );
  }
  const prefix = `trialgram-bench-${randomUUID().slice(0, 8)}`;
  return {
    url: `${benchRedisServer}?prefix=${prefix}`,
    description: `Redis on 127.0.0.1:6379, keys under ${prefix}:`,
    async cleanup() {
      try {
        let deleted = 0;
        for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
          if (keys.length > 0) deleted += await client.unlink(keys);
        }
        // The bot stores something for every prospect; nothing under the prefix means it wrote elsewhere.
        if (deleted === 0) {
          throw new Error(`found no key under ${prefix}: in Redis; did the store ignore the prefix?`);
        }
      } finally {
        client.destroy();
      }
    },
  };
}
