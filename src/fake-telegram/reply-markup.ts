import type { InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton } from 'grammy/types';
import { badRequest } from './errors.ts';
import { normalizeUrl } from './formatting.ts';

/** The reply keyboard a user currently sees under the input field. */
export interface ReplyKeyboardView {
  rows: Array<Array<{ text: string; requestContact: boolean; requestLocation: boolean }>>;
  oneTime: boolean;
  resize: boolean;
  persistent: boolean;
  placeholder?: string;
}

export type ParsedReplyMarkup =
  | { kind: 'inline'; markup: InlineKeyboardMarkup }
  | { kind: 'keyboard'; keyboard: ReplyKeyboardView; buttons: KeyboardButton[][] }
  | { kind: 'remove_keyboard' }
  | { kind: 'force_reply'; placeholder?: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isArrayOfArrays = (value: unknown): value is unknown[][] =>
  Array.isArray(value) && value.every((row) => Array.isArray(row));

const INLINE_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
] as const;

function parseInlineButton(value: unknown): InlineKeyboardButton {
  if (!isRecord(value) || typeof value.text !== 'string') {
    throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
  }
  const actions = INLINE_ACTIONS.filter((key) => value[key] !== undefined && value[key] !== null);
  if (actions.length === 0) {
    throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  }
  if (value.callback_data !== undefined) {
    const data = value.callback_data;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
    if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
  }
  if (value.url !== undefined) {
    const url = typeof value.url === 'string' ? normalizeUrl(value.url) : undefined;
    if (url === undefined) throw badRequest('BUTTON_URL_INVALID');
  }
  const button: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined && field !== null) button[key] = field;
  }
  return button as unknown as InlineKeyboardButton;
}

function parseKeyboardButton(value: unknown): KeyboardButton.CommonButton & Record<string, unknown> {
  if (typeof value === 'string') return { text: value };
  if (!isRecord(value) || typeof value.text !== 'string') {
    throw badRequest('can\'t parse keyboard button: Field "text" must be of type String');
  }
  const button: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined && field !== null) button[key] = field;
  }
  return button as KeyboardButton.CommonButton & Record<string, unknown>;
}

/** Validates a `reply_markup` parameter with Telegram's error messages. */
export function parseReplyMarkup(value: unknown): ParsedReplyMarkup | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw badRequest("can't parse reply keyboard markup JSON object");
  if (value.inline_keyboard !== undefined) {
    if (!isArrayOfArrays(value.inline_keyboard)) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    }
    const rows = value.inline_keyboard.map((row) => row.map(parseInlineButton));
    // Telegram's limit: at most 100 buttons in one inline keyboard.
    if (rows.reduce((count, row) => count + row.length, 0) > 100) throw badRequest('REPLY_MARKUP_TOO_LONG');
    return { kind: 'inline', markup: { inline_keyboard: rows } };
  }
  if (value.keyboard !== undefined) {
    if (!isArrayOfArrays(value.keyboard)) {
      throw badRequest('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays');
    }
    const buttons = value.keyboard.map((row) => row.map(parseKeyboardButton));
    const placeholder = value.input_field_placeholder;
    return {
      kind: 'keyboard',
      buttons,
      keyboard: {
        rows: buttons.map((row) =>
          row.map((button) => ({
            text: button.text,
            requestContact: button.request_contact === true,
            requestLocation: button.request_location === true,
          })),
        ),
        oneTime: value.one_time_keyboard === true,
        resize: value.resize_keyboard === true,
        persistent: value.is_persistent === true,
        ...(typeof placeholder === 'string' ? { placeholder } : {}),
      },
    };
  }
  if (value.remove_keyboard === true) return { kind: 'remove_keyboard' };
  if (value.force_reply === true) {
    const placeholder = value.input_field_placeholder;
    return { kind: 'force_reply', ...(typeof placeholder === 'string' ? { placeholder } : {}) };
  }
  throw badRequest("can't parse reply keyboard markup JSON object");
}

/** Only inline keyboards may be attached to an existing message (edits). */
export function parseInlineMarkup(value: unknown): InlineKeyboardMarkup | undefined {
  const parsed = parseReplyMarkup(value);
  if (parsed === undefined) return undefined;
  if (parsed.kind !== 'inline') throw badRequest('inline keyboard expected');
  // An empty inline keyboard removes the keyboard, exactly like omitting it.
  return parsed.markup.inline_keyboard.length === 0 ? undefined : parsed.markup;
}
