import type { Message, MessageEntity } from 'grammy/types';
import type { FileStore } from './files.ts';

/** A message stored in a chat: the Telegram object plus the HTML it was written in, if any. */
export interface StoredMessage {
  message: Message;
  /** The markup the bot sent with `parse_mode: 'HTML'` (latest edit), for display. */
  html?: string;
}

export interface ViewButton {
  text: string;
  callbackData?: string;
  url?: string;
}

/** One message as the user sees it in the chat. */
export interface ViewMessage {
  messageId: number;
  from: 'bot' | 'user';
  /** Unix seconds, like Telegram's `date`. */
  date: number;
  /** Plain text as the user reads it (a media message's caption). */
  text?: string;
  /** The HTML source, when the bot sent this text with `parse_mode: 'HTML'`. */
  html?: string;
  entities: MessageEntity[];
  /** The inline keyboard under the message, row by row. */
  buttons: ViewButton[][];
  document?: { fileId: string; fileName?: string; mimeType?: string; bytes: Uint8Array };
  photo?: { fileId: string; width: number; height: number; bytes: Uint8Array };
  sticker?: { fileId: string; emoji?: string };
  contact?: { phoneNumber: string; firstName: string; lastName?: string; userId?: number };
  venue?: { latitude: number; longitude: number; title: string; address: string };
  replyToMessageId?: number;
  edited: boolean;
}

const EMPTY_BYTES = new Uint8Array(0);

export function toViewMessage(stored: StoredMessage, files: FileStore, botId: number): ViewMessage {
  const { message } = stored;
  const text = message.text ?? message.caption;
  const entities = message.entities ?? message.caption_entities ?? [];
  const view: ViewMessage = {
    messageId: message.message_id,
    from: message.from?.id === botId ? 'bot' : 'user',
    date: message.date,
    entities,
    buttons: (message.reply_markup?.inline_keyboard ?? []).map((row) =>
      row.map((button) => ({
        text: button.text,
        ...('callback_data' in button && typeof button.callback_data === 'string'
          ? { callbackData: button.callback_data }
          : {}),
        ...('url' in button && typeof button.url === 'string' ? { url: button.url } : {}),
      })),
    ),
    edited: message.edit_date !== undefined,
  };
  if (text !== undefined) view.text = text;
  if (stored.html !== undefined) view.html = stored.html;
  if (message.reply_to_message !== undefined) view.replyToMessageId = message.reply_to_message.message_id;
  if (message.document !== undefined) {
    const { document } = message;
    view.document = {
      fileId: document.file_id,
      bytes: files.get(document.file_id)?.bytes ?? EMPTY_BYTES,
      ...(document.file_name === undefined ? {} : { fileName: document.file_name }),
      ...(document.mime_type === undefined ? {} : { mimeType: document.mime_type }),
    };
  }
  const largest = message.photo?.at(-1);
  if (largest !== undefined) {
    view.photo = {
      fileId: largest.file_id,
      width: largest.width,
      height: largest.height,
      bytes: files.get(largest.file_id)?.bytes ?? EMPTY_BYTES,
    };
  }
  if (message.sticker !== undefined) {
    view.sticker = {
      fileId: message.sticker.file_id,
      ...(message.sticker.emoji === undefined ? {} : { emoji: message.sticker.emoji }),
    };
  }
  if (message.contact !== undefined) {
    const { contact } = message;
    view.contact = {
      phoneNumber: contact.phone_number,
      firstName: contact.first_name,
      ...(contact.last_name === undefined ? {} : { lastName: contact.last_name }),
      ...(contact.user_id === undefined ? {} : { userId: contact.user_id }),
    };
  }
  if (message.venue !== undefined) {
    const { venue } = message;
    view.venue = {
      latitude: venue.location.latitude,
      longitude: venue.location.longitude,
      title: venue.title,
      address: venue.address,
    };
  }
  return view;
}
