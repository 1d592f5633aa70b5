/**
 * Telegram re-sends a webhook update it thinks was not received, and a restarted poller may see
 * an update again. Each update is applied once, and at least once: a private chat's update counts
 * as applied only once its conversation row says so (the conversation writes it there, with the
 * state, after the update's messages were sent), so a redelivery of an update whose process died
 * is carried on, and one that was applied is ignored. Updates without a conversation (groups, such
 * as the staff chat) are recorded after handling. Runs inside the chat lock, after the session is
 * loaded: a redelivery of the same chat waits for the first delivery to finish.
 */
import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.ts';
import { maxAttempts, updateStatus } from '../delivery.ts';
import type { UserStore } from '../user-store.ts';

export function ignoreRedeliveries(
  userStore: UserStore,
  now: () => number = Date.now,
): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const updateId = ctx.update.update_id;
    const session = ctx.booking;
    if (!session) {
      if (await userStore.wasHandled(updateId)) return ignored(ctx);
      await next();
      await userStore.recordHandled(updateId);
      return;
    }
    const status = updateStatus(session.delivery, updateId, now());
    if (status === 'applied') return ignored(ctx);
    if (status === 'interrupted') {
      const attempts = (session.delivery.attempts ?? 1) + 1;
      const giveUp = attempts > maxAttempts;
      // Counted before handling: an update that takes the process down must not do so forever.
      session.delivery = { ...session.delivery, attempts, ...(giveUp ? { done: true } : {}) };
      await userStore.saveState(session.userId, session.state, session.delivery);
      if (giveUp) {
        ctx.log.error({ attempts: maxAttempts }, 'update died with its process every time, ignored');
        return;
      }
      ctx.log.info('update delivered again after its handling died, resuming');
      session.interrupted = true;
    }
    await next();
    // An update the conversation did not handle (an edited message, /links): its id joins the row.
    if (!session.recorded) {
      session.delivery = { ...session.delivery, updateId, done: true };
      await userStore.saveState(session.userId, session.state, session.delivery, { last: true });
    }
  };
}

function ignored(ctx: BotContext): void {
  ctx.log.info('update delivered again, ignored');
}
