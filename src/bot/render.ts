/**
 * Turns the flow's views into what Telegram takes: plain text (no parse_mode, since the text
 * carries what users and the studio typed) and a reply markup.
 */
import type {
  ForceReply,
  InlineKeyboardMarkup,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
} from 'grammy/types';
import type { Keyboard, View } from '../booking/index.ts';
import type { SupportedLocale } from '../config.ts';
import type { Translator } from './i18n.ts';

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

export interface RenderedView {
  text: string;
  replyMarkup?: ReplyMarkup;
  /** Only an inline keyboard (or none) can replace the content of an existing message. */
  editable: boolean;
}

/** Telegram's limit for one message; the flow's views stay far below it, this is a safety net. */
export const maxMessageLength = 4096;

export function renderView(view: View, locale: SupportedLocale, translator: Translator): RenderedView {
  let text = view.parts.map((part) => translator.render(locale, part)).join('\n');
  if (text.length > maxMessageLength) text = `${text.slice(0, maxMessageLength - 1)}…`;
  if (!view.keyboard) return { text, editable: true };
  return {
    text,
    replyMarkup: renderKeyboard(view.keyboard, locale, translator),
    editable: view.keyboard.type === 'inline',
  };
}

function renderKeyboard(keyboard: Keyboard, locale: SupportedLocale, translator: Translator): ReplyMarkup {
  switch (keyboard.type) {
    case 'inline':
      return {
        inline_keyboard: keyboard.rows.map((row) =>
          row.map((button) => ({ text: translator.render(locale, button.text), callback_data: button.data })),
        ),
      };
    case 'shareContact':
      return {
        keyboard: [
          [{ text: translator.render(locale, keyboard.share), request_contact: true }],
          ...(keyboard.skip ? [[{ text: translator.render(locale, keyboard.skip) }]] : []),
        ],
        resize_keyboard: true,
        one_time_keyboard: true,
      };
    case 'removeReplyKeyboard':
      return { remove_keyboard: true };
  }
}
