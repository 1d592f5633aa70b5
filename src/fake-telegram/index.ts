/**
 * trialgram's fake Telegram Bot API: a real HTTP server a grammY bot talks to, plus a harness to
 * play its users.
 *
 * ```ts
 * const fake = await createFakeTelegram();
 * const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
 * // ...register handlers, then bot.start() (long polling) or setWebhook + webhookCallback
 * const ann = fake.user({ firstName: 'Ann' });
 * await ann.start();
 * await ann.settled();            // the bot is done with /start
 * ann.chat.last('bot')?.text;     // what Ann reads
 * await ann.tap('Book');          // inline button by text or callback_data
 * await fake.close();             // after bot.stop()
 * ```
 *
 * The playground's control API lives under `${fake.url}/__fake/` (see control-api.ts).
 */
export type { ViewMessageJson } from './control-api.ts';
export { MESSAGE_NOT_MODIFIED, QUERY_TOO_OLD } from './errors.ts';
export {
  createFakeTelegram,
  type FakeTelegram,
  type FakeTelegramOptions,
  type HeldCall,
  type InjectedFailure,
} from './fake-telegram.ts';
export { type FormattedText, parseHtml } from './formatting.ts';
export type { ChatView, FakeUser, ShareContactOptions } from './harness.ts';
export type { ReplyKeyboardView } from './reply-markup.ts';
export type { ViewButton, ViewMessage } from './views.ts';
export type { CallRecord, FakeTelegramEvent, FakeUserInit, Toast } from './world.ts';
