/** The commands besides /start: /help, /cancel, /language [en|de], /reminders, /forget. */
import { Composer, Context } from 'grammy';
import type { BotContext } from '../context.ts';
import type { Conversation } from '../conversation.ts';
import { when } from './when.ts';

export function createCommandsFeature(conversation: Conversation): Composer<BotContext> {
  return new Composer<BotContext>(
    when(
      Context.has.chatType('private'),
      when(Context.has.command('help'), (ctx) => conversation.handle(ctx, { type: 'help' })),
      when(Context.has.command('cancel'), (ctx) => conversation.handle(ctx, { type: 'cancel' })),
      when(Context.has.command('forget'), (ctx) => conversation.handle(ctx, { type: 'forget' })),
      when(Context.has.command('reminders'), (ctx) => conversation.handle(ctx, { type: 'reminders' })),
      when(Context.has.command('language'), async (ctx) => {
        const code = ctx.match.trim();
        await conversation.handle(
          ctx,
          code === '' ? { type: 'language' } : { type: 'language', locale: code },
        );
      }),
    ),
  );
}
