/**
 * The user store over the embedded store, whose only writer is this process: the rows it wrote
 * last are read back from memory, and that must change nothing a prospect could notice. A
 * conversation still ends after its time to live, a write that failed is not read back, /forget
 * forgets, an update's last write waits for the next one (or its time, or a clean stop), and a
 * store shared with other writers (Redis) is read every time.
 */
import { setTimeout } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { initialState, type State } from '../../src/booking/index.ts';
import { createUserStore } from '../../src/bot/user-store.ts';
import { createStores, type Stores } from '../../src/store/index.ts';

const ttlMs = 60 * 60_000;
let stores: Stores | undefined;
afterEach(async () => {
  await stores?.close();
  stores = undefined;
});

/** A conversation further along than a new one: at the first lead question. */
const collecting = (rev: number): State => ({ ...initialState(), rev });

/** `real`, with conversation writes that fail with "disk full" while `failing` is set. */
function failingWrites(real: Stores) {
  const disk = { failing: false, stores: real };
  const conversations = new Proxy(real.conversations, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'set' && disk.failing) return () => Promise.reject(new Error('disk full'));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  disk.stores = { ...real, conversations };
  return disk;
}

async function embedded(): Promise<Stores> {
  stores = await createStores({ url: 'memory:', conversationTtlMs: ttlMs });
  return stores;
}

describe('rows read back from memory (the embedded store)', () => {
  it('a conversation left longer than its time to live starts afresh, as one read from the store does', async () => {
    const shortTtlMs = 300;
    stores = await createStores({ url: 'memory:', conversationTtlMs: shortTtlMs });
    const users = createUserStore(stores, { onlyWriter: { conversationTtlMs: shortTtlMs } });
    await users.saveState(1, collecting(4), { updateId: 10, done: true });
    expect((await users.loadState(1)).state.rev).toBe(4);
    // Until the store itself no longer has it.
    while ((await stores.conversations.get('1')) !== undefined) await setTimeout(20);
    expect(await users.loadState(1)).toEqual({ state: initialState(), delivery: {}, reset: false });
  });

  it('a write that failed is not read back: the conversation is what the store holds', async () => {
    const real = await embedded();
    const disk = failingWrites(real);
    const users = createUserStore(disk.stores, { onlyWriter: { conversationTtlMs: ttlMs } });
    await users.saveState(1, collecting(4), { updateId: 10, done: true });
    disk.failing = true;
    await expect(users.saveState(1, collecting(5), { updateId: 11, done: false })).rejects.toThrow(
      /saving a conversation/,
    );
    disk.failing = false;
    const { state, delivery } = await users.loadState(1);
    expect(state.rev).toBe(4);
    expect(delivery).toMatchObject({ updateId: 10, done: true });
  });

  it('/forget forgets the copy in memory too', async () => {
    const users = createUserStore(await embedded(), { onlyWriter: { conversationTtlMs: ttlMs } });
    await users.saveState(1, collecting(4));
    await users.saveProfile(1, { leadId: 77, locale: 'de' });
    expect((await users.loadProfile(1)).profile).toEqual({ leadId: 77, locale: 'de' });
    await users.forget(1);
    expect((await users.loadState(1)).state).toEqual(initialState());
    expect((await users.loadProfile(1)).profile).toEqual({});
  });
});

describe("an update's last write (the embedded store)", () => {
  const stored = async (userId: number) =>
    (await stores?.conversations.get(String(userId))) as Record<string, unknown> | undefined;
  /** Counts the conversation writes that reach the store. */
  const countWrites = (real: Stores) => {
    const count = { writes: 0 };
    real.conversations.hooks.addHandler('postSet', () => {
      count.writes += 1;
    });
    return count;
  };
  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('not within 10 s');
      await setTimeout(20);
    }
  };

  it('waits in memory, and the next write of the conversation stores both: two writes, not three', async () => {
    const real = await embedded();
    const count = countWrites(real);
    const users = createUserStore(real, { onlyWriter: { conversationTtlMs: ttlMs } });
    await users.saveState(1, collecting(5), { updateId: 11, done: false, shownRev: 4 });
    await users.saveState(1, collecting(5), { updateId: 11, done: true, shownRev: 5 }, { last: true });
    // The store still has the first write; the process reads the newest.
    expect(await stored(1)).toMatchObject({ updateId: 11, done: false, shownRev: 4 });
    expect((await users.loadState(1)).delivery).toMatchObject({ updateId: 11, done: true, shownRev: 5 });

    await users.saveState(1, collecting(6), { updateId: 12, done: false, shownRev: 5 });
    expect(await stored(1)).toMatchObject({ updateId: 12, done: false, shownRev: 5 });
    expect(count.writes).toBe(2);
  });

  it('stays when the next write fails: the conversation goes on from it, and it is stored later', async () => {
    const real = await embedded();
    const disk = failingWrites(real);
    const users = createUserStore(disk.stores, { onlyWriter: { conversationTtlMs: ttlMs } });
    await users.saveState(1, collecting(5), { updateId: 11, done: false, shownRev: 4 });
    await users.saveState(1, collecting(5), { updateId: 11, done: true, shownRev: 5 }, { last: true });
    disk.failing = true;
    await expect(users.saveState(1, collecting(6), { updateId: 12, done: false })).rejects.toThrow(
      /saving a conversation/,
    );
    disk.failing = false;
    // The question of revision 5 reached the prospect: the next update knows it.
    expect(await users.loadState(1)).toMatchObject({
      state: { rev: 5 },
      delivery: { updateId: 11, done: true, shownRev: 5 },
    });
    await users.flush();
    expect(await stored(1)).toMatchObject({ updateId: 11, done: true, shownRev: 5 });
  });

  it('is stored by itself once it waited lastWriteWaitMs', async () => {
    const users = createUserStore(await embedded(), {
      onlyWriter: { conversationTtlMs: ttlMs, lastWriteWaitMs: 50 },
    });
    await users.saveState(1, collecting(5), { updateId: 11, done: true, shownRev: 5 }, { last: true });
    await until(async () => (await stored(1))?.done === true);
    expect(await stored(1)).toMatchObject({ updateId: 11, shownRev: 5 });
  });

  it('is stored by flush (a clean stop), and not at all after /forget', async () => {
    const users = createUserStore(await embedded(), { onlyWriter: { conversationTtlMs: ttlMs } });
    await users.saveState(1, collecting(5), { updateId: 11, done: true }, { last: true });
    await users.saveState(2, collecting(7), { updateId: 12, done: true }, { last: true });
    await users.forget(2);
    expect(await stored(1)).toBeUndefined();
    await users.flush();
    expect(await stored(1)).toMatchObject({ updateId: 11, done: true });
    expect(await stored(2)).toBeUndefined();
  });

  it('that fails is reported and tried again until it is stored', async () => {
    const real = await embedded();
    const disk = failingWrites(real);
    disk.failing = true;
    const failures: unknown[] = [];
    const users = createUserStore(disk.stores, {
      onlyWriter: {
        conversationTtlMs: ttlMs,
        lastWriteWaitMs: 20,
        onDeferredWriteFailed: (error) => failures.push(error),
      },
    });
    await users.saveState(1, collecting(5), { updateId: 11, done: true }, { last: true });
    await until(async () => failures.length > 0);
    expect(String(failures[0])).toMatch(/disk full/);
    // Meanwhile the conversation goes on from memory.
    expect((await users.loadState(1)).delivery).toMatchObject({ updateId: 11, done: true });
    disk.failing = false;
    await until(async () => (await stored(1))?.done === true);
  });
});

describe('a store other instances write too (Redis)', () => {
  it('is read every time: a row another instance wrote is what the next update sees', async () => {
    const shared = await embedded();
    const here = createUserStore(shared);
    const there = createUserStore(shared);
    await here.saveState(1, collecting(4));
    await here.saveProfile(1, { leadId: 1 });
    expect((await here.loadState(1)).state.rev).toBe(4);
    await there.saveState(1, collecting(9));
    await there.saveProfile(1, { leadId: 2 });
    expect((await here.loadState(1)).state.rev).toBe(9);
    expect((await here.loadProfile(1)).profile).toEqual({ leadId: 2 });
  });
});
