/**
 * Telegram re-sends a webhook update it thinks was not received, and a restarted poller may see
 * an update again. Each update id is handled once, so a redelivered tap never applies a step twice.
 * Runs inside the chat lock: a redelivery of the same chat waits for the first delivery to finish.
 */
import type { MiddlewareFn } from 'grammy';
import type { Logger } from '../../logger.ts';
import type { BotContext } from '../context.ts';
import type { UserStore } from '../user-store.ts';

export function ignoreRedeliveries(userStore: UserStore, logger: Logger): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const updateId = ctx.update.update_id;
    if (!(await userStore.firstDelivery(updateId))) {
      logger.info({ updateId }, 'update delivered again, ignored');
      return;
    }
    await next();
  };
}
