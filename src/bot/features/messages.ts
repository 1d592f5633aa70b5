/**
 * What prospects send: text (answers to the flow's questions), a shared contact (the phone
 * number), and anything else (stickers, photos…), which the flow answers with "please type it".
 * Commands are left to the features before and the catch-all after this one.
 */
import { Composer, Context } from 'grammy';
import type { Message } from 'grammy/types';
import type { NonTextKind } from '../../booking/index.ts';
import { supportedLocales } from '../../config.ts';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';
import type { Translator } from '../i18n.ts';
import { when } from './when.ts';

function isCommand(message: Message): boolean {
  const first = message.entities?.[0];
  return first?.type === 'bot_command' && first.offset === 0;
}

export function nonTextKind(message: Message): NonTextKind {
  if (message.photo) return 'photo';
  if (message.sticker) return 'sticker';
  if (message.voice || message.audio) return 'voice';
  if (message.video || message.video_note || message.animation) return 'video';
  if (message.document) return 'document';
  if (message.location || message.venue) return 'location';
  return 'other';
}

export function createMessagesFeature(
  conversation: Conversation,
  translator: Translator,
): Composer<BotContext> {
  // The Skip button of the phone-number keyboard sends its label as text. Every locale's label
  // counts, so a keyboard shown before a language switch still works.
  const skipLabels = new Set(
    supportedLocales.map((locale) => translator.render(locale, { key: 'button-skip' })),
  );
  return new Composer<BotContext>(
    when(
      Context.has.chatType('private'),
      when(Context.has.filterQuery('message:text'), async (ctx, next) => {
        if (isCommand(ctx.message)) return next();
        const { text } = ctx.message;
        await conversation.handle(ctx, skipLabels.has(text) ? { type: 'skip' } : { type: 'text', text });
      }),
      when(Context.has.filterQuery('message:contact'), async (ctx) => {
        const { phone_number: phoneNumber, user_id: userId } = ctx.message.contact;
        await conversation.handle(ctx, { type: 'contact', phoneNumber, userId });
      }),
      when(Context.has.filterQuery('message'), async (ctx, next) => {
        // Commands (text) go on to the catch-all; service messages are not answers to anything.
        if (ctx.message.text !== undefined || isServiceMessage(ctx.message)) return next();
        await conversation.handle(ctx, { type: 'nonText', kind: nonTextKind(ctx.message) });
      }),
    ),
  );
}

function isServiceMessage(message: Message): boolean {
  return (
    message.pinned_message !== undefined ||
    message.new_chat_photo !== undefined ||
    message.delete_chat_photo !== undefined ||
    message.new_chat_title !== undefined
  );
}
