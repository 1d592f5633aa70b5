import type { BotCommand, Chat, Message, Update, User, UserFromGetMe } from 'grammy/types';
import { badRequest, forbidden } from './errors.ts';
import { FileStore } from './files.ts';
import type { ParsedReplyMarkup, ReplyKeyboardView } from './reply-markup.ts';
import type { UpdateFeed, UpdateType } from './updates.ts';
import { type StoredMessage, toViewMessage, type ViewMessage } from './views.ts';

export interface FakeUserInit {
  id?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

export interface UserRecord {
  id: number;
  firstName: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
  /** update_id of the last update this user caused; the default for `settled()`. */
  lastUpdateId: number | undefined;
}

export interface Toast {
  text?: string;
  showAlert: boolean;
  url?: string;
}

export interface CallRecord {
  method: string;
  params: Record<string, unknown>;
  /** Milliseconds since the epoch when the call arrived. */
  at: number;
}

export interface ChatRecord {
  id: number;
  user: UserRecord;
  /** Visible messages in send order; deleting removes the entry. */
  messages: Map<number, StoredMessage>;
  nextMessageId: number;
  toasts: Toast[];
  replyKeyboard: ReplyKeyboardView | undefined;
  forceReply: { placeholder?: string } | undefined;
  chatAction: { action: string; at: number } | undefined;
  /** The user has written to the bot, so the bot may write back (Telegram's rule). */
  started: boolean;
  blockedBot: boolean;
  calls: CallRecord[];
  callsInFlight: number;
  /** When a call for this chat last ended or one of its updates was handled (for settleQuietMs). */
  lastActivityAt: number;
}

/** One change a user would notice; the control API streams these as Server-Sent Events. */
export type FakeTelegramEvent =
  | { type: 'message'; chatId: number; message: ViewMessage }
  | { type: 'message_edited'; chatId: number; message: ViewMessage }
  | { type: 'toast'; chatId: number; toast: Toast }
  | { type: 'reply_keyboard'; chatId: number; replyKeyboard: ReplyKeyboardView | undefined }
  | { type: 'chat_action'; chatId: number; action: string };

interface CallbackQueryRecord {
  chatId: number;
  answered: boolean;
}

interface SettleWaiter {
  updateId: number;
  chatId: number;
  resolve(): void;
  reject(error: Error): void;
  timeout: NodeJS.Timeout | undefined;
  quietTimer: NodeJS.Timeout | undefined;
}

export interface WorldOptions {
  bot: UserFromGetMe;
  /** Clock for Telegram `date` fields, in milliseconds. */
  clock: () => number;
  settleQuietMs: number;
}

const FIRST_AUTO_USER_ID = 100_000_001;

/**
 * Everything the fake Telegram knows: users and their private chats with the bot, messages,
 * files, callback queries, commands, the calls the bot made, and who waits for what. The Bot API
 * handlers, the harness and the control API all read and change this one object.
 */
export class World {
  readonly bot: UserFromGetMe;
  readonly files = new FileStore();
  readonly calls: CallRecord[] = [];
  readonly commands = new Map<string, BotCommand[]>();
  /** Set right after construction: the feed's hooks call back into this world, so neither can be built first. */
  feed!: UpdateFeed;

  readonly #clock: () => number;
  readonly #settleQuietMs: number;
  readonly #users = new Map<number, UserRecord>();
  readonly #chats = new Map<number, ChatRecord>();
  readonly #callbackQueries = new Map<string, CallbackQueryRecord>();
  readonly #listeners = new Set<(event: FakeTelegramEvent) => void>();
  // Per-chat listeners keep thousands of concurrent waitFor() calls from each seeing every event.
  readonly #chatListeners = new Map<number, Set<(event: FakeTelegramEvent) => void>>();
  readonly #settleWaiters = new Map<number, Set<SettleWaiter>>();
  #nextUserId = FIRST_AUTO_USER_ID;
  #nextCallbackQuery = 1;

  constructor(options: WorldOptions) {
    this.bot = options.bot;
    this.#clock = options.clock;
    this.#settleQuietMs = options.settleQuietMs;
  }

  /** Unix seconds, for Telegram `date` fields. */
  nowSeconds(): number {
    return Math.floor(this.#clock() / 1000);
  }

  // -------------------------------------------------------------------------------------------
  // Users and chats

  ensureUser(init: FakeUserInit = {}): UserRecord {
    if (init.id !== undefined) {
      const existing = this.#users.get(init.id);
      if (existing !== undefined) {
        // Telegram sends the app's current language with every update: a user who switched their
        // app's language is the same user with another language_code from then on.
        if (init.languageCode !== undefined) existing.languageCode = init.languageCode;
        return existing;
      }
    }
    let id = init.id;
    if (id === undefined) {
      while (this.#users.has(this.#nextUserId)) this.#nextUserId += 1;
      id = this.#nextUserId;
      this.#nextUserId += 1;
    }
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new Error(`A fake user id must be a positive integer, got ${id}`);
    const user: UserRecord = {
      id,
      firstName: init.firstName ?? `User ${id}`,
      ...(init.lastName === undefined ? {} : { lastName: init.lastName }),
      ...(init.username === undefined ? {} : { username: init.username }),
      ...(init.languageCode === undefined ? {} : { languageCode: init.languageCode }),
      lastUpdateId: undefined,
    };
    this.#users.set(id, user);
    this.#chats.set(id, {
      id,
      user,
      messages: new Map(),
      nextMessageId: 1,
      toasts: [],
      replyKeyboard: undefined,
      forceReply: undefined,
      chatAction: undefined,
      started: false,
      blockedBot: false,
      calls: [],
      callsInFlight: 0,
      lastActivityAt: 0,
    });
    return user;
  }

  chat(chatId: number): ChatRecord | undefined {
    return this.#chats.get(chatId);
  }

  get chats(): IterableIterator<ChatRecord> {
    return this.#chats.values();
  }

  userObject(user: UserRecord): User {
    return {
      id: user.id,
      is_bot: false,
      first_name: user.firstName,
      ...(user.lastName === undefined ? {} : { last_name: user.lastName }),
      ...(user.username === undefined ? {} : { username: user.username }),
      ...(user.languageCode === undefined ? {} : { language_code: user.languageCode }),
    };
  }

  botObject(): User {
    return { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username };
  }

  chatObject(chat: ChatRecord): Chat.PrivateChat {
    const { user } = chat;
    return {
      id: chat.id,
      type: 'private',
      first_name: user.firstName,
      ...(user.lastName === undefined ? {} : { last_name: user.lastName }),
      ...(user.username === undefined ? {} : { username: user.username }),
    };
  }

  /** Resolves a `chat_id` parameter: the chat must exist (Telegram: "chat not found"). */
  findChat(chatIdParam: unknown): ChatRecord {
    if (chatIdParam === undefined || chatIdParam === '') throw badRequest('chat_id is empty');
    const chat = typeof chatIdParam === 'number' ? this.#chats.get(chatIdParam) : undefined;
    if (chat === undefined) throw badRequest('chat not found');
    return chat;
  }

  /** Like findChat, plus Telegram's rules for writing to a user: they started the bot and did not block it. */
  chatToWriteTo(chatIdParam: unknown): ChatRecord {
    const chat = this.findChat(chatIdParam);
    if (chat.blockedBot) throw forbidden('bot was blocked by the user');
    if (!chat.started) throw forbidden("bot can't initiate conversation with a user");
    return chat;
  }

  /** The chat a Bot API call concerns, for per-chat call tracking; undefined for bot-wide calls. */
  chatOfCall(params: Record<string, unknown>): ChatRecord | undefined {
    if (typeof params.chat_id === 'number') return this.#chats.get(params.chat_id);
    if (params.callback_query_id !== undefined) {
      const query = this.#callbackQueries.get(String(params.callback_query_id));
      return query === undefined ? undefined : this.#chats.get(query.chatId);
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Messages

  /** Stores a new message in the chat and tells listeners; returns the stored entry. */
  addMessage(
    chat: ChatRecord,
    from: 'bot' | 'user',
    content: Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>,
    html?: string,
  ): StoredMessage {
    const message = {
      message_id: chat.nextMessageId,
      from: from === 'bot' ? this.botObject() : this.userObject(chat.user),
      chat: this.chatObject(chat),
      date: this.nowSeconds(),
      ...content,
    } as Message;
    chat.nextMessageId += 1;
    const stored: StoredMessage = html === undefined ? { message } : { message, html };
    chat.messages.set(message.message_id, stored);
    if (this.hasListeners) this.emit({ type: 'message', chatId: chat.id, message: this.view(stored) });
    return stored;
  }

  /** Replaces a message's content after an edit (sets `edit_date`). */
  replaceMessage(chat: ChatRecord, message: Message, html: string | undefined): StoredMessage {
    const edited = { ...message, edit_date: this.nowSeconds() } as Message;
    const stored: StoredMessage = html === undefined ? { message: edited } : { message: edited, html };
    chat.messages.set(message.message_id, stored);
    if (this.hasListeners) this.emit({ type: 'message_edited', chatId: chat.id, message: this.view(stored) });
    return stored;
  }

  view(stored: StoredMessage): ViewMessage {
    return toViewMessage(stored, this.files, this.bot.id);
  }

  /** Applies what a sent reply_markup changes under the input field (reply keyboards, force reply). */
  applyReplyMarkup(chat: ChatRecord, markup: ParsedReplyMarkup | undefined): void {
    if (markup === undefined || markup.kind === 'inline') return;
    if (markup.kind === 'force_reply') {
      chat.forceReply = markup.placeholder === undefined ? {} : { placeholder: markup.placeholder };
      return;
    }
    chat.replyKeyboard = markup.kind === 'keyboard' ? markup.keyboard : undefined;
    this.emit({ type: 'reply_keyboard', chatId: chat.id, replyKeyboard: chat.replyKeyboard });
  }

  addToast(chat: ChatRecord, toast: Toast): void {
    chat.toasts.push(toast);
    this.emit({ type: 'toast', chatId: chat.id, toast });
  }

  setChatAction(chat: ChatRecord, action: string): void {
    chat.chatAction = { action, at: Date.now() };
    this.emit({ type: 'chat_action', chatId: chat.id, action });
  }

  // -------------------------------------------------------------------------------------------
  // What users do

  /** A user sends a message to the bot: it appears in the chat and becomes an update. */
  userSendsMessage(
    user: UserRecord,
    content: Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>,
  ): number {
    const chat = this.#chats.get(user.id);
    if (chat === undefined) throw new Error(`No chat for user ${user.id}`);
    chat.started = true;
    if (chat.replyKeyboard?.oneTime) {
      chat.replyKeyboard = undefined;
      this.emit({ type: 'reply_keyboard', chatId: chat.id, replyKeyboard: undefined });
    }
    chat.forceReply = undefined;
    const stored = this.addMessage(chat, 'user', content);
    return this.#enqueue(user, 'message', { message: stored.message } as Omit<Update, 'update_id'>);
  }

  /**
   * A user edits a text message they sent: the chat shows the new text and the bot gets an
   * `edited_message` update carrying the whole message with `edit_date`.
   */
  userEditsMessage(user: UserRecord, messageId: number, text: string): number {
    const chat = this.#chats.get(user.id);
    const stored = chat?.messages.get(messageId);
    if (chat === undefined || stored === undefined || stored.message.from?.id !== user.id) {
      throw new Error(`User ${user.id} has no message ${messageId} to edit`);
    }
    if (stored.message.text === undefined) throw new Error(`Message ${messageId} has no text to edit`);
    const { entities: _old, ...rest } = stored.message;
    const edited = this.replaceMessage(chat, { ...rest, text } as Message, undefined);
    return this.#enqueue(user, 'edited_message', { edited_message: edited.message } as Omit<
      Update,
      'update_id'
    >);
  }

  /** A user taps an inline button: Telegram sends the bot a callback query with the button's data. */
  userTapsButton(user: UserRecord, message: Message, callbackData: string): number {
    const id = `${user.id}${String(this.#nextCallbackQuery).padStart(6, '0')}`;
    this.#nextCallbackQuery += 1;
    this.#callbackQueries.set(id, { chatId: user.id, answered: false });
    return this.#enqueue(user, 'callback_query', {
      callback_query: {
        id,
        from: this.userObject(user),
        message,
        chat_instance: `-${user.id}${this.bot.id}`,
        data: callbackData,
      },
    });
  }

  #enqueue(user: UserRecord, type: UpdateType, payload: Omit<Update, 'update_id'>): number {
    const updateId = this.feed.enqueue(user.id, type, payload);
    user.lastUpdateId = updateId;
    return updateId;
  }

  /** Marks a callback query answered; false when it is unknown or was answered before. */
  answerCallbackQuery(queryId: string): ChatRecord | undefined {
    const query = this.#callbackQueries.get(queryId);
    if (query === undefined || query.answered) return undefined;
    query.answered = true;
    return this.#chats.get(query.chatId);
  }

  // -------------------------------------------------------------------------------------------
  // Calls and settling

  recordCall(method: string, params: Record<string, unknown>, chat: ChatRecord | undefined): void {
    const record: CallRecord = { method, params, at: Date.now() };
    this.calls.push(record);
    chat?.calls.push(record);
  }

  callStarted(chat: ChatRecord | undefined): void {
    if (chat !== undefined) chat.callsInFlight += 1;
  }

  callFinished(chat: ChatRecord | undefined): void {
    if (chat === undefined) return;
    chat.callsInFlight -= 1;
    chat.lastActivityAt = Date.now();
    if (chat.callsInFlight === 0) this.recheckSettled(chat.id);
  }

  /**
   * Resolves once the bot is done with the update: it was confirmed (polling) or its webhook POST
   * returned, and no Bot API call for the chat is still running.
   */
  settled(updateId: number, chatId: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: SettleWaiter = {
        updateId,
        chatId,
        resolve,
        reject,
        timeout: undefined,
        quietTimer: undefined,
      };
      if (this.#checkWaiter(waiter)) return;
      let waiters = this.#settleWaiters.get(chatId);
      if (waiters === undefined) {
        waiters = new Set();
        this.#settleWaiters.set(chatId, waiters);
      }
      waiters.add(waiter);
      waiter.timeout = setTimeout(() => {
        this.#removeWaiter(waiter);
        reject(
          new Error(
            `Update ${updateId} was not settled within ${timeoutMs} ms: ${this.#whyNotSettled(waiter)}`,
          ),
        );
      }, timeoutMs);
    });
  }

  /** The bot took an update of this chat (confirmed, or its webhook POST returned). */
  updateHandled(chatId: number): void {
    const chat = this.#chats.get(chatId);
    if (chat !== undefined) chat.lastActivityAt = Date.now();
    this.recheckSettled(chatId);
  }

  recheckSettled(chatId: number): void {
    const waiters = this.#settleWaiters.get(chatId);
    if (waiters === undefined) return;
    for (const waiter of [...waiters]) this.#checkWaiter(waiter);
  }

  /** Settles or fails the waiter if its update's fate is known; true when it is finished. */
  #checkWaiter(waiter: SettleWaiter): boolean {
    const status = this.feed.status(waiter.updateId);
    if (status.state === 'failed') {
      this.#removeWaiter(waiter);
      waiter.reject(new Error(`Update ${waiter.updateId} will never reach the bot: ${status.reason}`));
      return true;
    }
    if (status.state !== 'handled') return false;
    const chat = this.#chats.get(waiter.chatId);
    if (chat !== undefined && chat.callsInFlight > 0) return false;
    const quietLeft = chat === undefined ? 0 : chat.lastActivityAt + this.#settleQuietMs - Date.now();
    if (quietLeft > 0) {
      // The bot may still be between two calls (e.g. awaiting the studio API); wait for a quiet spell.
      if (waiter.quietTimer === undefined) {
        waiter.quietTimer = setTimeout(() => {
          waiter.quietTimer = undefined;
          this.#checkWaiter(waiter);
        }, quietLeft);
      }
      return false;
    }
    this.#removeWaiter(waiter);
    waiter.resolve();
    return true;
  }

  #removeWaiter(waiter: SettleWaiter): void {
    if (waiter.timeout !== undefined) clearTimeout(waiter.timeout);
    if (waiter.quietTimer !== undefined) clearTimeout(waiter.quietTimer);
    const waiters = this.#settleWaiters.get(waiter.chatId);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.#settleWaiters.delete(waiter.chatId);
  }

  #whyNotSettled(waiter: SettleWaiter): string {
    const status = this.feed.status(waiter.updateId);
    if (status.state === 'pending' && !status.fetched) {
      return this.feed.webhook === undefined
        ? 'the bot never fetched it (is it running? is it polling getUpdates?)'
        : 'the webhook has not received it yet';
    }
    if (status.state === 'pending') {
      return this.feed.webhook === undefined
        ? 'the bot fetched it but has not confirmed it with a later getUpdates offset (still handling it?)'
        : 'its webhook POST has not returned successfully';
    }
    const inFlight = this.#chats.get(waiter.chatId)?.callsInFlight ?? 0;
    if (inFlight > 0) return `${inFlight} Bot API call(s) for chat ${waiter.chatId} still in progress`;
    return `its state is ${status.state}`;
  }

  /** Fails every pending settled() promise; used when the fake shuts down. */
  rejectAllWaiters(reason: string): void {
    for (const waiters of [...this.#settleWaiters.values()]) {
      for (const waiter of [...waiters]) {
        this.#removeWaiter(waiter);
        waiter.reject(new Error(reason));
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Events

  subscribe(listener: (event: FakeTelegramEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  subscribeToChat(chatId: number, listener: (event: FakeTelegramEvent) => void): () => void {
    let listeners = this.#chatListeners.get(chatId);
    if (listeners === undefined) {
      listeners = new Set();
      this.#chatListeners.set(chatId, listeners);
    }
    const chatListeners = listeners;
    chatListeners.add(listener);
    return () => {
      chatListeners.delete(listener);
      if (chatListeners.size === 0 && this.#chatListeners.get(chatId) === chatListeners) {
        this.#chatListeners.delete(chatId);
      }
    };
  }

  /** Building a view for an event costs a little; skip it when nobody listens. */
  get hasListeners(): boolean {
    return this.#listeners.size > 0 || this.#chatListeners.size > 0;
  }

  emit(event: FakeTelegramEvent): void {
    const chatListeners = this.#chatListeners.get(event.chatId);
    const listeners =
      chatListeners === undefined ? [...this.#listeners] : [...this.#listeners, ...chatListeners];
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (e.g. a closed SSE stream) must not break the Bot API call that caused the event.
      }
    }
  }
}
