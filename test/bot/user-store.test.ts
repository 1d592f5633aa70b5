/**
 * The user store over the embedded store, whose only writer is this process: the rows it wrote
 * last are read back from memory, and that must change nothing a prospect could notice. A
 * conversation still ends after its time to live, a write that failed is not read back, /forget
 * forgets, and a store shared with other writers (Redis) is read every time.
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
    let failing = false;
    const conversations = new Proxy(real.conversations, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property === 'set' && failing) return () => Promise.reject(new Error('disk full'));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const users = createUserStore({ ...real, conversations }, { onlyWriter: { conversationTtlMs: ttlMs } });
    await users.saveState(1, collecting(4), { updateId: 10, done: true });
    failing = true;
    await expect(users.saveState(1, collecting(5), { updateId: 11, done: false })).rejects.toThrow(
      /saving a conversation/,
    );
    failing = false;
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
