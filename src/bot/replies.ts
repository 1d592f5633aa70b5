/**
 * Shows the flow's views to the user of one update: send, edit the message with the tapped
 * button, answer the callback query (exactly once), send the calendar file. A failed Telegram call
 * is logged and counted but does not stop the remaining effects: the flow's state is already
 * saved, and a later effect (the studio call) must still happen for the state to stay true.
 */
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Text, Venue, View } from '../booking/index.ts';
import type { SupportedLocale } from '../config.ts';
import type { BotContext } from './context.ts';
import { describeError, isMessageNotModified, isTelegramError } from './errors.ts';
import type { Translator } from './i18n.ts';
import { renderView } from './render.ts';
import { InMemoryFile } from './telegram-transport.ts';

/**
 * What `reply`, `edit` and `sendCalendar` resolve to: the message the user got (sent or edited)
 * with Telegram's date of it (seconds), `undefined` when it failed.
 */
export type Shown = { messageId: number; date: number } | undefined;

interface SentMessage {
  message_id: number;
  date: number;
  edit_date?: number;
}

/**
 * The date is read only when it is needed (rarely): the rest of a sent message is parsed then. A
 * class, since an object literal with a getter is built the slow way every time.
 */
class ShownMessage {
  readonly messageId: number;
  readonly #message: SentMessage;
  constructor(message: SentMessage) {
    this.messageId = message.message_id;
    this.#message = message;
  }
  get date(): number {
    return this.#message.edit_date ?? this.#message.date;
  }
}

const shownAs = (message: SentMessage): Shown => new ShownMessage(message);

export interface Replies {
  reply(view: View, locale: SupportedLocale): Promise<Shown>;
  edit(view: View, locale: SupportedLocale): Promise<Shown>;
  answerCallback(locale: SupportedLocale, text?: Text, alert?: boolean): Promise<void>;
  /** Removes the inline buttons of the message whose button was tapped. */
  clearKeyboard(): Promise<void>;
  sendCalendar(ics: string, filename: string, caption: Text, locale: SupportedLocale): Promise<Shown>;
  /** The studio as a venue (a map pin with its name and address). */
  sendVenue(venue: Venue): Promise<void>;
  /** Answers the update's callback query silently if nothing answered it yet (stops the spinner). */
  answerPendingCallback(): Promise<void>;
}

export function createReplies(ctx: BotContext, translator: Translator): Replies {
  let answered = ctx.callbackQuery === undefined;

  /** Runs a Telegram call; a Telegram failure is logged (the metrics transformer counts it). */
  async function attempt<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (!isTelegramError(error)) throw error;
      ctx.log.warn({ effect: what, error: describeError(error) }, 'telegram call failed');
      return undefined;
    }
  }

  async function reply(view: View, locale: SupportedLocale): Promise<Shown> {
    const { text, replyMarkup } = renderView(view, locale, translator);
    const sent = await attempt('reply', () =>
      ctx.reply(text, replyMarkup ? { reply_markup: replyMarkup } : {}),
    );
    return sent && shownAs(sent);
  }

  return {
    reply,
    async edit(view, locale) {
      const rendered = renderView(view, locale, translator);
      const message = ctx.callbackQuery?.message;
      // An inaccessible message (date 0) or a view with a reply keyboard cannot be edited in place.
      if (!rendered.editable || !message || message.date === 0) return reply(view, locale);
      try {
        const edited = await ctx.api.editMessageText(message.chat.id, message.message_id, rendered.text, {
          // Without a markup Telegram drops the old buttons, which is what a view without buttons means.
          ...(rendered.replyMarkup ? { reply_markup: rendered.replyMarkup as InlineKeyboardMarkup } : {}),
        });
        return shownAs(edited === true ? message : edited);
      } catch (error) {
        if (isMessageNotModified(error)) return shownAs(message);
        if (!isTelegramError(error)) throw error;
        // Too old to edit, deleted, a document: the user still needs to see the new content.
        ctx.log.debug({ error: describeError(error) }, 'edit failed, sending instead');
        return reply(view, locale);
      }
    },
    async answerCallback(locale, text, alert) {
      if (answered) return;
      answered = true;
      const other = text
        ? { text: translator.render(locale, text), ...(alert ? { show_alert: true } : {}) }
        : {};
      await attempt('answerCallback', () => ctx.answerCallbackQuery(other));
    },
    async clearKeyboard() {
      const message = ctx.callbackQuery?.message;
      if (!message || message.date === 0) return;
      try {
        await ctx.api.editMessageReplyMarkup(message.chat.id, message.message_id);
      } catch (error) {
        if (isMessageNotModified(error)) return;
        if (!isTelegramError(error)) throw error;
        // Cosmetic: an old keyboard left in place is answered "out of date" if tapped.
        ctx.log.debug({ error: describeError(error) }, 'clearing the keyboard failed');
      }
    },
    async sendCalendar(ics, filename, caption, locale) {
      const file = new InMemoryFile(Buffer.from(ics, 'utf8'), filename);
      const sent = await attempt('sendCalendar', () =>
        ctx.replyWithDocument(file, { caption: translator.render(locale, caption) }),
      );
      return sent && shownAs(sent);
    },
    async sendVenue(venue) {
      await attempt('sendVenue', () =>
        ctx.replyWithVenue(venue.latitude, venue.longitude, venue.title, venue.address),
      );
    },
    async answerPendingCallback() {
      if (answered) return;
      answered = true;
      await attempt('answerCallback', () => ctx.answerCallbackQuery());
    },
  };
}
