/**
 * Runs a flow event for one user later, outside any update: the end of a studio lockout, when the
 * flow repeats its step by itself. The event goes through the same middleware an update's does
 * (store failures answered, the chat lock, the user's session loaded), on a context built from the
 * update that scheduled it, so it can never run beside that user's next update.
 *
 * Timers live in this process only: a restart loses them (the prospect still has "Try again"), and
 * with several instances only the one that scheduled a timer runs it. One timer per user (a newer
 * one replaces it); the flow checks the event's revision, so a timer that fires after the prospect
 * moved on changes nothing. Timers do not keep the process alive, and `close` cancels them.
 */
import type { Context, MiddlewareFn } from 'grammy';
import type { Chat, Update, User, UserFromGetMe } from 'grammy/types';
import type { TimerEvent } from '../booking/index.ts';
import type { Logger } from '../logger.ts';
import { type BotContext, TrialgramContext } from './context.ts';
import { describeError } from './errors.ts';
import { giveLogger } from './middlewares/update-logger.ts';

export interface LaterRuns {
  schedule(ctx: BotContext, afterMs: number, event: TimerEvent): void;
  /** Cancels every pending timer and waits for the runs already under way. */
  close(): Promise<void>;
}

export interface LaterRunsOptions {
  /** The middleware an update passes before it reaches the conversation (lock, session...). */
  middleware: MiddlewareFn<BotContext>;
  /** What to do with the event once the middleware let it through. */
  handle: (ctx: BotContext, event: TimerEvent) => Promise<void>;
  api: Context['api'];
  me: () => UserFromGetMe;
  logger: Logger;
}

/**
 * Runs `handle` for one user outside any update, behind the middleware an update passes (the chat
 * lock, the session); on a context built from who and which chat. Errors are logged, never thrown.
 */
export async function runOutsideUpdate<E extends { type: string }>(
  options: Pick<LaterRunsOptions, 'middleware' | 'api' | 'me' | 'logger'>,
  target: { from: User; chat: Chat; updateId: number },
  event: E,
  handle: (ctx: BotContext, event: E) => Promise<void>,
): Promise<void> {
  const { from, chat, updateId } = target;
  // Only what the middleware reads: who, which chat, and the update id (the logger's, and the row's).
  const update = {
    update_id: updateId,
    message: { message_id: 0, date: Math.floor(Date.now() / 1000), chat, from },
  } as Update;
  const ctx: BotContext = new TrialgramContext(update, options.api, options.me());
  giveLogger(ctx, options.logger, updateId);
  try {
    await options.middleware(ctx, () => handle(ctx, event));
  } catch (error) {
    ctx.log.error({ event: event.type, error: describeError(error) }, 'timed flow event failed');
  }
}

export function createLaterRuns(options: LaterRunsOptions): LaterRuns {
  const timers = new Map<number, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let closed = false;

  const fire = (from: User, chat: Chat, updateId: number, event: TimerEvent) =>
    runOutsideUpdate(options, { from, chat, updateId }, event, options.handle);

  return {
    schedule(ctx, afterMs, event) {
      const { from, chat } = ctx;
      if (closed || !from || !chat) return;
      clearTimeout(timers.get(from.id));
      const timer = setTimeout(() => {
        timers.delete(from.id);
        const run = fire(from, chat, ctx.update.update_id, event).finally(() => running.delete(run));
        running.add(run);
      }, afterMs);
      timer.unref();
      timers.set(from.id, timer);
    },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}
