/**
 * When the store is down (Redis unreachable, disk full) nothing can be remembered, so going on
 * would lose what the prospect does next. The prospect is told the bot is temporarily unavailable,
 * in their Telegram language, and nothing else happens.
 */
import type { MiddlewareFn } from 'grammy';
import type { SupportedLocale } from '../../config.ts';
import { type BotContext, localeOf } from '../context.ts';
import { describeError } from '../errors.ts';
import type { Translator } from '../i18n.ts';
import { StoreUnavailableError } from '../user-store.ts';

export function answerStoreFailures(options: {
  translator: Translator;
  defaultLocale: SupportedLocale;
}): MiddlewareFn<BotContext> {
  const { translator } = options;
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      ctx.log.error({ error: describeError(error) }, 'store unavailable');
      const locale = localeOf(ctx, options.defaultLocale);
      // Best effort: the query may be answered already, and Telegram may be the next thing to fail.
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
      if (ctx.chat?.type === 'private') {
        await ctx.reply(translator.bot(locale, 'bot-store-unavailable')).catch(() => undefined);
      }
    }
  };
}
