/**
 * Long polling that confirms updates to Telegram only once they are handled, against the fake
 * Telegram over HTTP: what stays unconfirmed (and so reaches the next process), what still gets
 * through while an update is slow.
 */
import { Api } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { confirmOnlyHandled } from '../../src/runtime/confirm-handled.ts';
import { eventually } from './helpers.ts';

type Signal = NonNullable<Parameters<Api['getUpdates']>[1]>;
type Args = { offset: number; limit: number; timeout: number };

let fake: FakeTelegram;
let api: Api;
const signal = new AbortController().signal as unknown as Signal;
const ask = { offset: 0, limit: 100, timeout: 0 };

beforeEach(async () => {
  fake = await createFakeTelegram();
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
});

afterEach(async () => {
  await fake.close();
});

const polling = () =>
  confirmOnlyHandled((args: Args, s: Signal) => api.getUpdates(args, s), { pollIntervalMs: 20 });
const ids = (updates: Array<{ update_id: number }>) => updates.map((u) => u.update_id);

describe('polling that confirms only handled updates', () => {
  it('keeps an unfinished update unconfirmed, hands out newer ones meanwhile, confirms once handled', async () => {
    const poll = polling();
    const user = fake.user();
    const slow = await user.sendText('slow');
    expect(ids(await poll.getUpdates(ask, signal))).toEqual([slow]);

    const quick = await user.sendText('quick');
    // The slow one is not handed out twice, and the newer one is not held up behind it.
    expect(ids(await poll.getUpdates({ ...ask, timeout: 5 }, signal))).toEqual([quick]);
    poll.finished(quick);
    expect(ids(await poll.getUpdates(ask, signal))).toEqual([]);
    // Both were fetched, neither confirmed: a process dying now would get the slow one again.
    expect(fake.pendingUpdateCount).toBe(2);
    expect(poll.confirmOffset()).toBe(slow);

    poll.finished(slow);
    expect(poll.confirmOffset()).toBe(quick + 1);
    expect(ids(await poll.getUpdates(ask, signal))).toEqual([]);
    expect(fake.pendingUpdateCount).toBe(0);
  });

  it('waits for new updates without asking Telegram in a loop while one is slow', async () => {
    const poll = polling();
    const user = fake.user();
    await user.sendText('slow');
    await poll.getUpdates(ask, signal);
    const count = () => fake.calls.filter((call) => call.method === 'getUpdates').length;
    const before = count();
    const started = performance.now();
    const waiting = poll.getUpdates({ ...ask, timeout: 10 }, signal);
    // It asks again now and then (the slow update might finish, a new one arrive)…
    await eventually(async () => count() >= before + 3);
    const later = await user.sendText('later');
    expect(ids(await waiting)).toEqual([later]);
    // …but once per poll interval (20 ms), not in a busy loop.
    const elapsedMs = performance.now() - started;
    expect(count() - before).toBeLessThanOrEqual(elapsedMs / 20 + 2);
  });

  it('lets unfinished updates go once Telegram’s 100-update window is full of them, so new ones still arrive', async () => {
    const poll = polling();
    const user = fake.user();
    for (let i = 0; i < 100; i++) await user.sendText(`message ${i}`);
    expect(await poll.getUpdates(ask, signal)).toHaveLength(100);
    const next = await user.sendText('one more');
    expect(ids(await poll.getUpdates(ask, signal))).toEqual([next]);
    // The 100 unfinished ones were confirmed to make room: at least once holds below that.
    expect(fake.pendingUpdateCount).toBe(1);
  });
});
