/** The commands besides /start: /help, /cancel, /language [en|de], /reminders, /forget. */
import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';

export function createCommandsFeature(conversation: Conversation): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChats = composer.chatType('private');
  privateChats.command('help', (ctx) => conversation.handle(ctx, { type: 'help' }));
  privateChats.command('cancel', (ctx) => conversation.handle(ctx, { type: 'cancel' }));
  privateChats.command('forget', (ctx) => conversation.handle(ctx, { type: 'forget' }));
  privateChats.command('reminders', (ctx) => conversation.handle(ctx, { type: 'reminders' }));
  privateChats.command('language', async (ctx) => {
    const code = ctx.match.trim();
    await conversation.handle(ctx, code === '' ? { type: 'language' } : { type: 'language', locale: code });
  });
  return composer;
}
