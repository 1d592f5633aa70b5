/**
 * Every button tap of the booking flow. Data that does not parse (a button of an older release,
 * a forged payload) still reaches the flow, as `undefined`: it answers "out of date" and shows
 * the current step again.
 */
import { Composer, Context } from 'grammy';
import { parseCallbackData } from '../../booking/index.ts';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';
import { when } from './when.ts';

export function createCallbacksFeature(conversation: Conversation): Composer<BotContext> {
  return new Composer<BotContext>(
    when(
      Context.has.chatType('private'),
      when(Context.has.filterQuery('callback_query'), async (ctx) => {
        await conversation.handle(ctx, { type: 'callback', data: parseCallbackData(ctx.callbackQuery.data) });
      }),
    ),
  );
}
