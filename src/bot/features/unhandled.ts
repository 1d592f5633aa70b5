/**
 * The catch-all, registered last: unknown commands get a pointer to /help, edited messages a
 * request to send the answer anew, stray button taps a silent answer (so the spinner stops).
 * Service messages and updates from groups (such as the staff chat) get no answer.
 */
import { Composer, Context } from 'grammy';
import type { SupportedLocale } from '../../config.ts';
import { type BotContext, localeOf } from '../context.ts';
import type { Translator } from '../i18n.ts';
import { when } from './when.ts';

export function createUnhandledFeature(
  translator: Translator,
  defaultLocale: SupportedLocale,
): Composer<BotContext> {
  const localeOfUpdate = (ctx: BotContext) => localeOf(ctx, defaultLocale);
  return new Composer<BotContext>(
    when(
      Context.has.chatType('private'),
      // Only commands get this far as text: the messages feature takes every other text.
      when(Context.has.filterQuery('message:text'), (ctx) =>
        ctx.reply(translator.bot(localeOfUpdate(ctx), 'bot-unknown-command')),
      ),
      when(Context.has.filterQuery('edited_message'), (ctx) =>
        ctx.reply(translator.bot(localeOfUpdate(ctx), 'bot-edited-message')),
      ),
    ),
    when(Context.has.filterQuery('callback_query'), (ctx) => ctx.answerCallbackQuery()),
  );
}
