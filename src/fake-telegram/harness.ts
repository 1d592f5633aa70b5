import type { BotCommand, Message } from 'grammy/types';
import { commandScopeKey, photoSizes } from './bot-api.ts';
import { SAMPLE_PNG, SAMPLE_WEBP } from './files.ts';
import { detectEntities, trimFormattedText } from './formatting.ts';
import type { ReplyKeyboardView } from './reply-markup.ts';
import type { ViewButton, ViewMessage } from './views.ts';
import type { CallRecord, ChatRecord, Toast, UserRecord, World } from './world.ts';

/** What the user sees in their private chat with the bot, read live on every access. */
export interface ChatView {
  readonly chatId: number;
  /** Visible messages in order, from both sides. */
  readonly messages: ViewMessage[];
  /** The newest message, optionally only the bot's or only the user's. */
  last(from?: 'bot' | 'user'): ViewMessage | undefined;
  message(messageId: number): ViewMessage | undefined;
  /** Every answerCallbackQuery for this user, in order; `text` is absent for silent answers. */
  readonly toasts: Toast[];
  /** The reply keyboard under the input field, if any. */
  readonly replyKeyboard: ReplyKeyboardView | undefined;
  /** Set after the bot sent `force_reply`, until the user writes. */
  readonly forceReply: { placeholder?: string } | undefined;
  /** The latest sendChatAction ("typing"…). */
  readonly chatAction: { action: string; at: number } | undefined;
  /** The command menu this user sees (their chat's scope, then private chats, then default). */
  readonly commands: BotCommand[];
  /** Calls the bot made about this chat, in order. */
  readonly calls: ReadonlyArray<CallRecord>;
  /**
   * Resolves once `condition(this)` holds, checking now and after every visible change in the
   * chat. For bots that confirm updates before handling them (@grammyjs/runner), where settled()
   * cannot know when the handler is done: wait for what the user should see instead.
   */
  waitFor(condition: (chat: ChatView) => boolean, timeoutMs?: number): Promise<void>;
}

export interface ShareContactOptions {
  phoneNumber?: string;
  /** false: the user shares someone else's contact (different user_id and name). Default true. */
  ownContact?: boolean;
}

/** A Telegram user talking to the bot in a private chat (chat id = user id). */
export interface FakeUser {
  readonly id: number;
  readonly firstName: string;
  /** This user's chat as they see it. */
  readonly chat: ChatView;
  /** Sends a text message; text starting with `/` carries a bot_command entity, as from a real client. */
  sendText(text: string): Promise<number>;
  /** Edits a text message this user sent earlier (an `edited_message` update). */
  editText(messageId: number, text: string): Promise<number>;
  /** Sends `/start` or `/start <payload>` (a deep link). */
  start(payload?: string): Promise<number>;
  /**
   * Taps an inline button found by its text or callback data (exact string or RegExp), on the
   * newest message that has it or on `messageId`; sends the bot a callback query.
   */
  tap(buttonTextOrData: string | RegExp, options?: { messageId?: number }): Promise<number>;
  /** Shares a contact, as the request_contact keyboard button does. */
  shareContact(options?: ShareContactOptions): Promise<number>;
  /** Shares a location, as the request_location keyboard button does. */
  shareLocation(latitude: number, longitude: number): Promise<number>;
  sendSticker(): Promise<number>;
  sendPhoto(options?: { bytes?: Uint8Array; caption?: string }): Promise<number>;
  /**
   * Resolves when the bot has finished with the update (default: the last one this user sent):
   * polling — confirmed by a later getUpdates offset and no call for the chat in flight;
   * webhook — its POST returned. Rejects after `timeoutMs` saying what is still missing.
   */
  settled(updateId?: number, timeoutMs?: number): Promise<void>;
  /** The user blocks the bot: from now on the bot's sends fail with 403. */
  blockBot(): void;
  unblockBot(): void;
}

export const DEFAULT_SETTLE_TIMEOUT_MS = 10_000;
const MAX_USER_TEXT_LENGTH = 4096;

export function createChatView(world: World, chat: ChatRecord): ChatView {
  const view: ChatView = {
    chatId: chat.id,
    get messages() {
      return Array.from(chat.messages.values(), (stored) => world.view(stored));
    },
    last(from) {
      const stored = [...chat.messages.values()];
      for (let index = stored.length - 1; index >= 0; index -= 1) {
        const view = world.view(stored[index] as (typeof stored)[number]);
        if (from === undefined || view.from === from) return view;
      }
      return undefined;
    },
    message(messageId) {
      const stored = chat.messages.get(messageId);
      return stored === undefined ? undefined : world.view(stored);
    },
    get toasts() {
      return [...chat.toasts];
    },
    get replyKeyboard() {
      return chat.replyKeyboard;
    },
    get forceReply() {
      return chat.forceReply;
    },
    get chatAction() {
      return chat.chatAction;
    },
    get commands() {
      return visibleCommands(world, chat);
    },
    get calls() {
      return chat.calls;
    },
    waitFor(condition, timeoutMs = DEFAULT_SETTLE_TIMEOUT_MS) {
      return new Promise<void>((resolve, reject) => {
        if (condition(view)) {
          resolve();
          return;
        }
        const finish = (error?: unknown): void => {
          clearTimeout(timer);
          unsubscribe();
          if (error === undefined) resolve();
          else reject(error);
        };
        const timer = setTimeout(
          () => finish(new Error(`Chat ${chat.id} did not reach the expected state within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const unsubscribe = world.subscribeToChat(chat.id, () => {
          try {
            if (condition(view)) finish();
          } catch (error) {
            finish(error);
          }
        });
      });
    },
  };
  return view;
}

/** Telegram's documented lookup order for a private chat, language-specific list first at each scope. */
function visibleCommands(world: World, chat: ChatRecord): BotCommand[] {
  const language = chat.user.languageCode?.slice(0, 2) ?? '';
  const scopes: Array<[string, unknown]> = [
    ['chat', chat.id],
    ['all_private_chats', undefined],
    ['default', undefined],
  ];
  for (const [type, chatId] of scopes) {
    for (const lang of language === '' ? [''] : [language, '']) {
      const commands = world.commands.get(commandScopeKey(type, chatId, undefined, lang));
      if (commands !== undefined) return commands;
    }
  }
  return [];
}

function describeButtons(chat: ChatRecord, world: World): string {
  const lines: string[] = [];
  for (const stored of [...chat.messages.values()].reverse()) {
    const view = world.view(stored);
    if (view.buttons.length === 0) continue;
    const buttons = view.buttons
      .flat()
      .map((button) =>
        button.callbackData !== undefined
          ? `"${button.text}" (data: ${button.callbackData})`
          : `"${button.text}" (${button.url ?? 'no callback data'})`,
      );
    lines.push(`  message ${view.messageId}: ${buttons.join(', ')}`);
  }
  return lines.length === 0 ? ' none' : `\n${lines.join('\n')}`;
}

const buttonMatches = (button: ViewButton, query: string | RegExp): boolean => {
  if (typeof query === 'string') return button.text === query || button.callbackData === query;
  query.lastIndex = 0;
  if (query.test(button.text)) return true;
  query.lastIndex = 0;
  return button.callbackData !== undefined && query.test(button.callbackData);
};

export function createFakeUser(world: World, user: UserRecord): FakeUser {
  const chat = world.chat(user.id);
  if (chat === undefined) throw new Error(`No chat for user ${user.id}`);
  const view = createChatView(world, chat);

  const sendText = async (text: string): Promise<number> => {
    const formatted = detectEntities(trimFormattedText({ text, entities: [] }));
    if (formatted.text.length === 0) throw new Error('A Telegram user cannot send an empty message');
    if (formatted.text.length > MAX_USER_TEXT_LENGTH) {
      throw new Error(`A Telegram message holds at most ${MAX_USER_TEXT_LENGTH} characters`);
    }
    return world.userSendsMessage(user, {
      text: formatted.text,
      ...(formatted.entities.length === 0 ? {} : { entities: formatted.entities }),
    } as Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>);
  };

  return {
    id: user.id,
    firstName: user.firstName,
    chat: view,
    sendText,
    editText: async (messageId, text) => world.userEditsMessage(user, messageId, text),
    start: (payload) => sendText(payload === undefined || payload === '' ? '/start' : `/start ${payload}`),

    async tap(query, options) {
      const candidates =
        options?.messageId === undefined
          ? [...chat.messages.values()].reverse()
          : [chat.messages.get(options.messageId)].filter((stored) => stored !== undefined);
      if (options?.messageId !== undefined && candidates.length === 0) {
        throw new Error(`Message ${options.messageId} is not visible in chat ${chat.id}`);
      }
      for (const stored of candidates) {
        if (stored.message.from?.id !== world.bot.id) continue;
        const button = world
          .view(stored)
          .buttons.flat()
          .find((candidate) => buttonMatches(candidate, query));
        if (button === undefined) continue;
        if (button.callbackData === undefined) {
          throw new Error(
            `Button "${button.text}" opens ${button.url ?? 'something'}; it sends no callback query`,
          );
        }
        return world.userTapsButton(user, stored.message, button.callbackData);
      }
      const where = options?.messageId === undefined ? `chat ${chat.id}` : `message ${options.messageId}`;
      throw new Error(
        `No inline button matching ${String(query)} in ${where}. Visible buttons:${describeButtons(chat, world)}`,
      );
    },

    async shareContact(options = {}) {
      const own = options.ownContact ?? true;
      // As Telegram sends it: the account's number, country code first, without "+". A German
      // mobile number, valid in the number plan (a 555 number would be refused as unreal).
      const phoneNumber = options.phoneNumber ?? `49151${String(user.id % 100_000_000).padStart(8, '0')}`;
      const contact = own
        ? {
            phone_number: phoneNumber,
            first_name: user.firstName,
            ...(user.lastName === undefined ? {} : { last_name: user.lastName }),
            user_id: user.id,
          }
        : {
            phone_number: phoneNumber,
            first_name: 'Alex',
            last_name: 'Someone-Else',
            user_id: user.id + 1_000_000_000,
          };
      return world.userSendsMessage(user, { contact } as Omit<
        Message,
        'message_id' | 'date' | 'chat' | 'from'
      >);
    },

    async shareLocation(latitude, longitude) {
      return world.userSendsMessage(user, { location: { latitude, longitude } } as Omit<
        Message,
        'message_id' | 'date' | 'chat' | 'from'
      >);
    },

    async sendSticker() {
      const file = world.files.add('sticker', SAMPLE_WEBP, { mimeType: 'image/webp' });
      return world.userSendsMessage(user, {
        sticker: {
          file_id: file.fileId,
          file_unique_id: file.fileUniqueId,
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
          emoji: '👍',
          file_size: file.bytes.length,
        },
      } as Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>);
    },

    async sendPhoto(options = {}) {
      const file = world.files.add('photo', options.bytes ?? SAMPLE_PNG, {
        mimeType: 'image/png',
      });
      return world.userSendsMessage(user, {
        photo: photoSizes(file),
        ...(options.caption === undefined ? {} : { caption: options.caption }),
      } as Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>);
    },

    settled(updateId, timeoutMs = DEFAULT_SETTLE_TIMEOUT_MS) {
      const target = updateId ?? user.lastUpdateId;
      if (target === undefined) return Promise.reject(new Error(`User ${user.id} has not sent anything yet`));
      return world.settled(target, user.id, timeoutMs);
    },

    blockBot() {
      chat.blockedBot = true;
    },
    unblockBot() {
      chat.blockedBot = false;
    },
  };
}
