/**
 * Updates of one chat are handled one after another (also across instances sharing Redis): two
 * quick taps on "Book" must see each other's result, never the same state.
 *
 * An update whose chat is busy (a slow update before it, here or on another instance) waits for
 * its turn, up to the lock's bound, and is then handled; it is not dropped. If the wait goes on for
 * a few seconds the prospect is told, once per wait, that the bot is still on their earlier message.
 */
import type { MiddlewareFn } from 'grammy';
import type { SupportedLocale } from '../../config.ts';
import { LastWriteError } from '../../store/chat-lock.ts';
import type { ChatLock } from '../../store/index.ts';
import { type BotContext, localeOf } from '../context.ts';
import type { Translator } from '../i18n.ts';
import { StoreUnavailableError } from '../user-store.ts';

export interface WaitNotice {
  translator: Translator;
  defaultLocale: SupportedLocale;
  /** How long an update waits before the prospect hears "one moment". Default 3 000. */
  afterMs?: number;
}

export function oneUpdatePerChat(lock: ChatLock, notice?: WaitNotice): MiddlewareFn<BotContext> {
  // Chats told "one moment" whose waiting update has not started yet: told once, not per message.
  const told = new Set<string>();
  return async (ctx, next) => {
    const chatId = ctx.chatId ?? ctx.from?.id;
    if (chatId === undefined) return next();
    const key = String(chatId);
    let entered = false;
    const timer =
      notice && ctx.chat?.type === 'private'
        ? setTimeout(() => {
            if (entered || told.has(key)) return;
            told.add(key);
            const text = notice.translator.bot(localeOf(ctx, notice.defaultLocale), 'bot-chat-busy');
            // Best effort: the update is handled all the same once its turn comes.
            ctx.reply(text).catch(() => undefined);
          }, notice.afterMs ?? 3_000)
        : undefined;
    try {
      await lock.run(key, async () => {
        entered = true;
        clearTimeout(timer);
        told.delete(key);
        await next();
      });
    } catch (error) {
      // Failing to take the lock is the store's failure; anything after that belongs to the update,
      // but for its last write, which went with the release.
      if (!entered) throw new StoreUnavailableError('waiting for the chat lock', error);
      if (error instanceof LastWriteError) throw new StoreUnavailableError('saving a conversation', error);
      throw error;
    } finally {
      clearTimeout(timer);
      if (!entered) told.delete(key);
    }
  };
}
