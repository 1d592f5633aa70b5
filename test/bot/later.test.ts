/**
 * The adapter's timers for flow events (a lockout's end): they run through the middleware they are
 * given, one per user, never keep the process alive, and stop on close.
 */
import { Api, Context } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import type { TimerEvent } from '../../src/booking/index.ts';
import type { BotContext } from '../../src/bot/context.ts';
import { createLaterRuns } from '../../src/bot/later.ts';
import { silentLogger } from '../../src/logger.ts';

const me = { id: 1, is_bot: true, first_name: 'Bot', username: 'kiez_trial_bot' } as UserFromGetMe;

function updateOf(userId: number): BotContext {
  const from = { id: userId, is_bot: false, first_name: 'Ann' };
  const update = {
    update_id: 7,
    callback_query: {
      id: 'q',
      from,
      chat_instance: 'c',
      data: 'x',
      message: { message_id: 3, date: 1, chat: { id: userId, type: 'private', first_name: 'Ann' } },
    },
  } as unknown as Update;
  return new Context(update, new Api('1:x'), me) as BotContext;
}

function setUp() {
  const ran: Array<{ userId: number | undefined; chatId: number | undefined; event: TimerEvent }> = [];
  const passed: string[] = [];
  const later = createLaterRuns({
    middleware: async (_ctx, next) => {
      passed.push('middleware');
      await next();
    },
    handle: async (ctx, event) => {
      ran.push({ userId: ctx.from?.id, chatId: ctx.chat?.id, event });
    },
    api: new Api('1:x'),
    me: () => me,
    logger: silentLogger(),
  });
  return { later, ran, passed };
}

const timeoutsKeepingTheProcess = () =>
  process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('timed flow events', () => {
  it('run through the middleware for the user and chat that scheduled them', async () => {
    const { later, ran, passed } = setUp();
    later.schedule(updateOf(42), 5, { type: 'retryDue', rev: 3 });
    while (ran.length === 0) await tick(5);
    expect(passed).toEqual(['middleware']);
    expect(ran).toEqual([{ userId: 42, chatId: 42, event: { type: 'retryDue', rev: 3 } }]);
    await later.close();
  });

  it('one per user: a newer timer replaces the older one', async () => {
    const { later, ran } = setUp();
    later.schedule(updateOf(42), 5, { type: 'retryDue', rev: 3 });
    later.schedule(updateOf(42), 10, { type: 'retryDue', rev: 4 });
    later.schedule(updateOf(43), 15, { type: 'retryDue', rev: 1 });
    while (ran.length < 2) await tick(5);
    await tick(20);
    expect(ran.map((r) => [r.userId, r.event.rev])).toEqual([
      [42, 4],
      [43, 1],
    ]);
    await later.close();
  });

  it('do not keep the process alive, and close cancels them', async () => {
    const { later, ran } = setUp();
    const before = timeoutsKeepingTheProcess();
    later.schedule(updateOf(42), 60_000, { type: 'retryDue', rev: 3 });
    expect(timeoutsKeepingTheProcess()).toBe(before);

    later.schedule(updateOf(43), 5, { type: 'retryDue', rev: 1 });
    await later.close();
    // Long after the 5 ms timer would have fired.
    await tick(50);
    expect(ran).toEqual([]);
    // Nothing is scheduled after close either.
    later.schedule(updateOf(44), 1, { type: 'retryDue', rev: 1 });
    await tick(20);
    expect(ran).toEqual([]);
  });
});
