/**
 * The catch-all, registered last: unknown commands get a pointer to /help, edited messages a
 * request to send the answer anew, stray button taps a silent answer (so the spinner stops).
 * Service messages and updates from groups (such as the staff chat) get no answer.
 */
import { Composer } from 'grammy';
import type { SupportedLocale } from '../../config.ts';
import { type BotContext, localeOf } from '../context.ts';
import type { Translator } from '../i18n.ts';

export function createUnhandledFeature(
  translator: Translator,
  defaultLocale: SupportedLocale,
): Composer<BotContext> {
  const localeOfUpdate = (ctx: BotContext) => localeOf(ctx, defaultLocale);
  const composer = new Composer<BotContext>();
  const privateChats = composer.chatType('private');

  // Only commands get this far as text: the messages feature takes every other text.
  privateChats.on('message:text', (ctx) =>
    ctx.reply(translator.bot(localeOfUpdate(ctx), 'bot-unknown-command')),
  );
  privateChats.on('edited_message', (ctx) =>
    ctx.reply(translator.bot(localeOfUpdate(ctx), 'bot-edited-message')),
  );
  composer.on('callback_query', (ctx) => ctx.answerCallbackQuery());
  return composer;
}
