/** `/start`, with a deep-link payload (`/start c101_poster`) when the prospect came through a link. */
import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';

export function createStartFeature(conversation: Conversation): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType('private').command('start', async (ctx) => {
    const payload = ctx.match.trim();
    await conversation.handle(ctx, payload === '' ? { type: 'start' } : { type: 'start', payload });
  });
  return composer;
}
