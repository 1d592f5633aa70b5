/**
 * Updates of one chat are handled one after another (also across instances sharing Redis): two
 * quick taps on "Book" must see each other's result, never the same state.
 */
import type { MiddlewareFn } from 'grammy';
import type { ChatLock } from '../../store/index.ts';
import type { BotContext } from '../context.ts';
import { StoreUnavailableError } from '../user-store.ts';

export function oneUpdatePerChat(lock: ChatLock): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const chatId = ctx.chatId ?? ctx.from?.id;
    if (chatId === undefined) return next();
    let entered = false;
    try {
      await lock.run(String(chatId), async () => {
        entered = true;
        await next();
      });
    } catch (error) {
      // Failing to take the lock is the store's failure; anything after that belongs to the update.
      if (!entered) throw new StoreUnavailableError('waiting for the chat lock', error);
      throw error;
    }
  };
}
