import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createStores, type Stores } from '../../src/store/index.ts';

const open: Stores[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function stores(url: string, conversationTtlMs = 60_000) {
  const s = await createStores({ url, conversationTtlMs });
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

  it('expires conversations after the inactivity period, but not leads', async () => {
    const s = await stores(tempSqliteUrl(), 50);
    await s.conversations.set('7', { step: 'x' });
    await s.leads.set('7', { leadId: 5 });
    await sleep(80);
    expect(await s.conversations.get('7')).toBeUndefined();
    expect(await s.leads.get('7')).toEqual({ leadId: 5 });
  });

  it('keeps namespaces apart: clearing the cache leaves conversations', async () => {
    const s = await stores(tempSqliteUrl());
    await s.cache.set('offers', [1, 2]);
    await s.conversations.set('offers', { step: 'y' });
    await s.cache.clear();
    expect(await s.cache.get('offers')).toBeUndefined();
    expect(await s.conversations.get('offers')).toEqual({ step: 'y' });
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
});

describe('redis store', () => {
  const url = 'redis://127.0.0.1:6379/0';

  it('shares state between two instances', async () => {
    const a = await stores(url);
    const b = await stores(url);
    const key = `user-${Date.now()}-${Math.random()}`;
    await a.leads.set(key, { leadId: 77 });
    expect(await b.leads.get(key)).toEqual({ leadId: 77 });
    expect(await a.ping()).toBe(true);
    await a.leads.delete(key);
  });

  it('never runs one chat on two instances at once', async () => {
    const a = await stores(url);
    const b = await stores(url);
    const key = `chat-${Date.now()}-${Math.random()}`;
    let running = 0;
    let maxRunning = 0;
    const task = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(15);
      running--;
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).chatLock.run(key, task)));
    expect(maxRunning).toBe(1);
  });
});
