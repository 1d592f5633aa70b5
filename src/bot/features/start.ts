/** `/start`, with a deep-link payload (`/start c101_poster`) when the prospect came through a link. */
import { Composer, Context } from 'grammy';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';
import { when } from './when.ts';

export function createStartFeature(conversation: Conversation): Composer<BotContext> {
  return new Composer<BotContext>(
    when(
      Context.has.chatType('private'),
      when(Context.has.command('start'), async (ctx) => {
        const payload = ctx.match.trim();
        await conversation.handle(ctx, payload === '' ? { type: 'start' } : { type: 'start', payload });
      }),
    ),
  );
}
