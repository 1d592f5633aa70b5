/**
 * Every button tap of the booking flow. Data that does not parse (a button of an older release,
 * a forged payload) still reaches the flow, as `undefined`: it answers "out of date" and shows
 * the current step again.
 */
import { Composer } from 'grammy';
import { parseCallbackData } from '../../booking/index.ts';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';

export function createCallbacksFeature(conversation: Conversation): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType('private').on('callback_query', async (ctx) => {
    await conversation.handle(ctx, { type: 'callback', data: parseCallbackData(ctx.callbackQuery.data) });
  });
  return composer;
}
