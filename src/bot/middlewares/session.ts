/**
 * Loads the booking session of the user behind a private-chat update: their conversation state
 * and their profile (lead id, language). A state that cannot be read is not an error the user
 * should be stuck with: it is replaced by a fresh one, with a short "let's start again".
 */
import type { MiddlewareFn } from 'grammy';
import type { SupportedLocale } from '../../config.ts';
import { type BotContext, chooseLocale } from '../context.ts';
import { describeError } from '../errors.ts';
import type { Translator } from '../i18n.ts';
import type { UserStore } from '../user-store.ts';

export function loadBookingSession(options: {
  userStore: UserStore;
  translator: Translator;
  defaultLocale: SupportedLocale;
}): MiddlewareFn<BotContext> {
  const { userStore, translator } = options;
  return async (ctx, next) => {
    const from = ctx.from;
    // Bookings happen in private chats only; groups (such as the staff chat) have no session.
    if (!from || from.is_bot || ctx.chat?.type !== 'private') return next();
    const [{ state, delivery, reset }, { profile, unreadable }] = await Promise.all([
      userStore.loadState(from.id),
      userStore.loadProfile(from.id),
    ]);
    if (unreadable) ctx.log.warn('stored profile unreadable, ignoring it');
    const locale = chooseLocale(profile, from.language_code, options.defaultLocale);
    ctx.booking = { userId: from.id, state, delivery, interrupted: false, recorded: false, profile, locale };
    if (reset) {
      ctx.log.warn('stored conversation unreadable, starting afresh');
      await userStore.saveState(from.id, state);
      await ctx
        .reply(translator.bot(locale, 'bot-state-reset'), { reply_markup: { remove_keyboard: true } })
        .catch((error: unknown) => ctx.log.warn({ error: describeError(error) }, 'reset notice failed'));
    }
    await next();
  };
}
