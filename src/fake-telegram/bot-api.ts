import type {
  BotCommand,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  Update,
  UserFromGetMe,
  WebhookInfo,
} from 'grammy/types';
import { badRequest, MESSAGE_NOT_MODIFIED, QUERY_TOO_OLD } from './errors.ts';
import { imageInfo, mimeTypeFor, type StoredFile } from './files.ts';
import {
  detectEntities,
  EntityParseError,
  type FormattedText,
  parseMarkup,
  resolveParseMode,
  sortEntities,
  trimFormattedText,
} from './formatting.ts';
import type { UploadedFile } from './multipart.ts';
import { type CallInput, uploadedFileFor } from './params.ts';
import { parseInlineMarkup, parseReplyMarkup } from './reply-markup.ts';
import type { UpdateType } from './updates.ts';
import type { ChatRecord, World } from './world.ts';

export interface MethodContext {
  world: World;
  input: CallInput;
  params: Record<string, unknown>;
  /** Registers a callback for when the HTTP client disconnects (long polling). */
  onClientGone(listener: () => void): void;
  /** Loopback hosts are the only webhook targets unless this is set. */
  allowRemoteWebhooks: boolean;
}

type MethodHandler = (context: MethodContext) => unknown;

const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

// ---------------------------------------------------------------------------------------------
// Shared helpers

interface TextSource {
  field: 'text' | 'caption';
  entitiesField: 'entities' | 'caption_entities';
  maxLength: number;
  tooLong: string;
  /** undefined: an empty value is allowed (captions are optional). */
  empty: string | undefined;
}

const MESSAGE_TEXT: TextSource = {
  field: 'text',
  entitiesField: 'entities',
  maxLength: MAX_TEXT_LENGTH,
  tooLong: 'message is too long',
  empty: 'message text is empty',
};

const CAPTION: TextSource = {
  field: 'caption',
  entitiesField: 'caption_entities',
  maxLength: MAX_CAPTION_LENGTH,
  tooLong: 'message caption is too long',
  empty: undefined,
};

interface FormattedInput extends FormattedText {
  html: string | undefined;
}

/** Turns text + parse_mode (or explicit entities) into what Telegram stores, with its errors. */
function formatInput(context: MethodContext, source: TextSource): FormattedInput {
  const raw = context.params[source.field];
  // Telegram takes numbers as text too; anything else counts as no text at all.
  const input = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : '';
  const explicit = context.params[source.entitiesField];
  let parsed: FormattedText;
  let html: string | undefined;
  if (Array.isArray(explicit)) {
    parsed = { text: input, entities: validateEntities(explicit, input.length) };
  } else {
    const mode = resolveParseMode(context.params.parse_mode);
    if (mode === 'unsupported')
      throw badRequest(`unsupported parse_mode "${String(context.params.parse_mode)}"`);
    if (mode === 'not-implemented')
      throw badRequest(`parse_mode "${String(context.params.parse_mode)}" is not implemented by this fake`);
    try {
      parsed = parseMarkup(input, mode);
    } catch (error) {
      if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
      throw error;
    }
    if (mode === 'HTML') html = input;
  }
  const formatted = detectEntities(trimFormattedText(parsed));
  if (formatted.text.length === 0 && source.empty !== undefined) throw badRequest(source.empty);
  if (formatted.text.length > source.maxLength) throw badRequest(source.tooLong);
  return { ...formatted, entities: linkMentions(context.world, formatted.entities), html };
}

const ENTITY_TYPES = new Set([
  'mention',
  'hashtag',
  'cashtag',
  'bot_command',
  'url',
  'email',
  'phone_number',
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'blockquote',
  'expandable_blockquote',
  'code',
  'pre',
  'text_link',
  'text_mention',
  'custom_emoji',
]);

function validateEntities(raw: unknown[], textLength: number): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) throw badRequest("can't parse entities JSON object");
    const entity = item as Record<string, unknown>;
    const type = String(entity.type);
    if (!ENTITY_TYPES.has(type))
      throw badRequest(`can't parse MessageEntity: Unsupported type "${type}" specified`);
    const offset = Number(entity.offset);
    const length = Number(entity.length);
    if (!Number.isInteger(offset) || !Number.isInteger(length)) {
      throw badRequest('can\'t parse MessageEntity: Field "offset" must be of type Integer');
    }
    // Telegram quietly clips entities to the text rather than refusing the message.
    const start = Math.max(0, offset);
    const end = Math.min(textLength, offset + length);
    if (end <= start) continue;
    if (type === 'text_link' && typeof entity.url !== 'string') {
      throw badRequest('can\'t parse MessageEntity: Field "url" must be of type String');
    }
    const copy: Record<string, unknown> = { ...entity, type, offset: start, length: end - start };
    entities.push(copy as unknown as MessageEntity);
  }
  return sortEntities(entities);
}

/** `tg://user?id=N` links to a known user become text_mention entities, as in Telegram. */
function linkMentions(world: World, entities: MessageEntity[]): MessageEntity[] {
  if (!entities.some((entity) => entity.type === 'text_link' && entity.url.startsWith('tg://user?id='))) {
    return entities;
  }
  return entities.map((entity) => {
    if (entity.type !== 'text_link') return entity;
    const id = /^tg:\/\/user\?id=(\d+)$/.exec(entity.url)?.[1];
    const chat = id === undefined ? undefined : world.chat(Number(id));
    if (chat === undefined) return entity;
    return {
      type: 'text_mention',
      offset: entity.offset,
      length: entity.length,
      user: world.userObject(chat.user),
    };
  });
}

function textFields(formatted: FormattedText): { text?: string; entities?: MessageEntity[] } {
  if (formatted.text.length === 0) return {};
  return formatted.entities.length === 0
    ? { text: formatted.text }
    : { text: formatted.text, entities: formatted.entities };
}

function captionFields(formatted: FormattedText): { caption?: string; caption_entities?: MessageEntity[] } {
  if (formatted.text.length === 0) return {};
  return formatted.entities.length === 0
    ? { caption: formatted.text }
    : { caption: formatted.text, caption_entities: formatted.entities };
}

function requireMessageId(params: Record<string, unknown>): number {
  const id = params.message_id;
  if (typeof id !== 'number') {
    if (params.inline_message_id !== undefined)
      throw badRequest('inline messages are not supported by the fake Telegram');
    throw badRequest('message identifier is not specified');
  }
  return id;
}

/** The message this one replies to (reply_parameters or the older reply_to_message_id). */
function replyTarget(chat: ChatRecord, params: Record<string, unknown>): { reply_to_message?: Message } {
  const replyParameters = params.reply_parameters as Record<string, unknown> | undefined;
  const targetId =
    typeof replyParameters?.message_id === 'number' ? replyParameters.message_id : params.reply_to_message_id;
  if (typeof targetId !== 'number') return {};
  const target = chat.messages.get(targetId);
  if (target === undefined) {
    const allowMissing =
      replyParameters?.allow_sending_without_reply === true || params.allow_sending_without_reply === true;
    if (allowMissing) return {};
    throw badRequest('message to be replied not found');
  }
  const { reply_to_message: _nested, ...withoutNested } = target.message;
  return { reply_to_message: withoutNested as Message };
}

const linkPreview = (
  params: Record<string, unknown>,
): { link_preview_options?: Message['link_preview_options'] } => {
  const options = params.link_preview_options;
  if (typeof options === 'object' && options !== null) {
    return { link_preview_options: options as Message['link_preview_options'] };
  }
  return params.disable_web_page_preview === true ? { link_preview_options: { is_disabled: true } } : {};
};

const inlineMarkupField = (
  markup: InlineKeyboardMarkup | undefined,
): { reply_markup?: InlineKeyboardMarkup } =>
  markup === undefined || markup.inline_keyboard.length === 0 ? {} : { reply_markup: markup };

// ---------------------------------------------------------------------------------------------
// Files

interface ResolvedFile {
  file: StoredFile | undefined;
  upload: UploadedFile | undefined;
  fetched: { bytes: Uint8Array; fileName: string; contentType: string | undefined } | undefined;
}

async function resolveInputFile(context: MethodContext, field: 'document' | 'photo'): Promise<ResolvedFile> {
  const upload = uploadedFileFor(context.input, field);
  if (upload !== undefined) return { file: undefined, upload, fetched: undefined };
  const value = context.params[field];
  if (typeof value !== 'string' || value === '') {
    throw badRequest(`there is no ${field} in the request`);
  }
  if (/^https?:\/\//i.test(value)) {
    const response = await fetch(value, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    if (response === undefined || !response.ok) throw badRequest('failed to get HTTP URL content');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const fileName = decodeURIComponent(new URL(value).pathname.split('/').pop() || field);
    return {
      file: undefined,
      upload: undefined,
      fetched: { bytes, fileName, contentType: response.headers.get('content-type') ?? undefined },
    };
  }
  const stored = context.world.files.get(value);
  if (stored === undefined) throw badRequest('wrong file identifier/HTTP URL specified');
  return { file: stored, upload: undefined, fetched: undefined };
}

// ---------------------------------------------------------------------------------------------
// Methods

const getMe: MethodHandler = ({ world }): UserFromGetMe => world.bot;

const getUpdates: MethodHandler = ({ world, params, onClientGone }): Promise<Update[]> =>
  world.feed.getUpdates(params, onClientGone);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const setWebhook: MethodHandler = ({ world, params, allowRemoteWebhooks }) => {
  const url = typeof params.url === 'string' ? params.url.trim() : '';
  if (params.drop_pending_updates === true) world.feed.dropPending();
  if (url === '') {
    world.feed.deleteWebhook();
    return true;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  }
  if (!allowRemoteWebhooks && !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw badRequest('bad webhook: the fake Telegram only delivers webhooks to loopback addresses');
  }
  const secretToken = params.secret_token;
  if (
    secretToken !== undefined &&
    (typeof secretToken !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken))
  ) {
    throw badRequest('secret token contains unallowed characters');
  }
  const maxConnections = typeof params.max_connections === 'number' ? params.max_connections : 40;
  if (maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: invalid max_connections');
  const allowed = params.allowed_updates;
  world.feed.setWebhook({
    url,
    secretToken: typeof secretToken === 'string' ? secretToken : undefined,
    maxConnections,
    allowedUpdates:
      Array.isArray(allowed) && allowed.length > 0 ? (allowed.map(String) as UpdateType[]) : undefined,
  });
  return true;
};

const deleteWebhook: MethodHandler = ({ world, params }) => {
  if (params.drop_pending_updates === true) world.feed.dropPending();
  world.feed.deleteWebhook();
  return true;
};

const getWebhookInfo: MethodHandler = ({ world }): WebhookInfo => {
  const { webhook, lastWebhookError } = world.feed;
  return {
    url: webhook?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: world.feed.pendingCount,
    ...(webhook === undefined ? {} : { max_connections: webhook.maxConnections, ip_address: '127.0.0.1' }),
    ...(webhook?.allowedUpdates === undefined ? {} : { allowed_updates: webhook.allowedUpdates }),
    ...(lastWebhookError === undefined
      ? {}
      : { last_error_date: lastWebhookError.date, last_error_message: lastWebhookError.message }),
  };
};

/**
 * Checks where the call's message goes and the keyboard it carries (before anything else is read,
 * as Telegram does), and returns how to post it: into the chat as the bot's, as a reply where
 * asked, with its inline keyboard; a reply keyboard (or its removal) applies to the chat.
 */
function botMessageTo(context: MethodContext): (content: object, html?: string) => Message {
  const { world, params } = context;
  const chat = world.chatToWriteTo(params.chat_id);
  const markup = parseReplyMarkup(params.reply_markup);
  return (content, html) => {
    const stored = world.addMessage(
      chat,
      'bot',
      {
        ...replyTarget(chat, params),
        ...content,
        ...inlineMarkupField(markup?.kind === 'inline' ? markup.markup : undefined),
      } as Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>,
      html,
    );
    world.applyReplyMarkup(chat, markup);
    return stored.message;
  };
}

const sendMessage: MethodHandler = (context): Message => {
  const formatted = formatInput(context, MESSAGE_TEXT);
  const post = botMessageTo(context);
  return post({ ...textFields(formatted), ...linkPreview(context.params) }, formatted.html);
};

/** Shared by the edit methods: finds the bot's message or fails like Telegram. */
function editableMessage(context: MethodContext): { chat: ChatRecord; message: Message } {
  const chat = context.world.findChat(context.params.chat_id);
  const messageId = requireMessageId(context.params);
  const stored = chat.messages.get(messageId);
  if (stored === undefined) throw badRequest('message to edit not found');
  if (stored.message.from?.id !== context.world.bot.id) throw badRequest("message can't be edited");
  return { chat, message: stored.message };
}

const sameContent = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const editMessageText: MethodHandler = (context): Message => {
  const formatted = formatInput(context, MESSAGE_TEXT);
  const { chat, message } = editableMessage(context);
  if (message.text === undefined) throw badRequest('there is no text in the message to edit');
  const markup = parseInlineMarkup(context.params.reply_markup);
  if (
    sameContent([message.text, message.entities ?? []], [formatted.text, formatted.entities]) &&
    sameContent(message.reply_markup, markup)
  ) {
    throw badRequest(MESSAGE_NOT_MODIFIED);
  }
  const {
    text: _text,
    entities: _entities,
    reply_markup: _markup,
    link_preview_options: _preview,
    ...rest
  } = message;
  const edited = {
    ...rest,
    ...textFields(formatted),
    ...linkPreview(context.params),
    ...inlineMarkupField(markup),
  } as Message;
  return context.world.replaceMessage(chat, edited, formatted.html).message;
};

const editMessageReplyMarkup: MethodHandler = (context): Message => {
  const { chat, message } = editableMessage(context);
  const markup = parseInlineMarkup(context.params.reply_markup);
  if (sameContent(message.reply_markup, markup)) throw badRequest(MESSAGE_NOT_MODIFIED);
  const { reply_markup: _markup, ...rest } = message;
  const html = chat.messages.get(message.message_id)?.html;
  return context.world.replaceMessage(chat, { ...rest, ...inlineMarkupField(markup) } as Message, html)
    .message;
};

const answerCallbackQuery: MethodHandler = ({ world, params }) => {
  const chat = world.answerCallbackQuery(String(params.callback_query_id ?? ''));
  if (chat === undefined) throw badRequest(QUERY_TOO_OLD);
  const text = typeof params.text === 'string' && params.text !== '' ? params.text : undefined;
  world.addToast(chat, {
    showAlert: params.show_alert === true,
    ...(text === undefined ? {} : { text }),
    ...(typeof params.url === 'string' ? { url: params.url } : {}),
  });
  return true;
};

type FileSource = NonNullable<ResolvedFile['upload'] | ResolvedFile['fetched']>;

/**
 * sendDocument and sendPhoto: the caption, the file (one sent before, an upload or a URL to
 * fetch; `store` keeps a new one) and the message that shows it (`content`).
 */
async function sendFile(
  context: MethodContext,
  field: 'document' | 'photo',
  store: (source: FileSource) => StoredFile,
  content: (file: StoredFile) => object,
): Promise<Message> {
  const caption = formatInput(context, CAPTION);
  const post = botMessageTo(context);
  const resolved = await resolveInputFile(context, field);
  let file = resolved.file;
  if (file === undefined) {
    const source = resolved.upload ?? resolved.fetched;
    if (source === undefined) throw badRequest(`there is no ${field} in the request`);
    file = store(source);
  }
  return post({ ...content(file), ...captionFields(caption) }, caption.html);
}

const sendDocument: MethodHandler = (context): Promise<Message> =>
  sendFile(
    context,
    'document',
    (source) =>
      context.world.files.add('document', source.bytes, {
        fileName: source.fileName,
        mimeType: mimeTypeFor(source.fileName, source.contentType),
      }),
    (file) => ({
      document: {
        file_id: file.fileId,
        file_unique_id: file.fileUniqueId,
        ...(file.fileName === undefined ? {} : { file_name: file.fileName }),
        ...(file.mimeType === undefined ? {} : { mime_type: file.mimeType }),
        file_size: file.bytes.length,
      },
    }),
  );

/** A coordinate parameter: a number (or numeric text, as Telegram reads form fields) within ±`limit`. */
function coordinate(value: unknown, limit: number): number | undefined {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  return Number.isFinite(number) && Math.abs(number) <= limit ? number : undefined;
}

/** A required text parameter of a venue: trimmed, not empty. */
function venueText(value: unknown, name: string): string {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (text === '') throw badRequest(`venue ${name} is empty`);
  return text;
}

/**
 * `sendVenue`: latitude (-90..90), longitude (-180..180), title and address are required. Like
 * Telegram, the message carries the venue and, for older clients, its location too.
 */
const sendVenue: MethodHandler = (context): Message => {
  const { world, params } = context;
  const chat = world.chatToWriteTo(params.chat_id);
  const latitude = coordinate(params.latitude, 90);
  const longitude = coordinate(params.longitude, 180);
  if (latitude === undefined || longitude === undefined) throw badRequest('wrong latitude or longitude');
  const title = venueText(params.title, 'title');
  const address = venueText(params.address, 'address');
  const markup = parseReplyMarkup(params.reply_markup);
  const location = { latitude, longitude };
  const optional = (key: string) => (typeof params[key] === 'string' ? { [key]: params[key] } : {});
  const stored = world.addMessage(chat, 'bot', {
    ...replyTarget(chat, params),
    venue: {
      location,
      title,
      address,
      ...optional('foursquare_id'),
      ...optional('foursquare_type'),
      ...optional('google_place_id'),
      ...optional('google_place_type'),
    },
    location,
    ...inlineMarkupField(markup?.kind === 'inline' ? markup.markup : undefined),
  } as Omit<Message, 'message_id' | 'date' | 'chat' | 'from'>);
  world.applyReplyMarkup(chat, markup);
  return stored.message;
};

/** Builds the PhotoSize list for an image; Telegram would add downscaled copies, the fake keeps one. */
export function photoSizes(file: StoredFile): PhotoSize[] {
  const info = imageInfo(file.bytes);
  return [
    {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.bytes.length,
      width: info?.width ?? 0,
      height: info?.height ?? 0,
    },
  ];
}

const sendPhoto: MethodHandler = (context): Promise<Message> =>
  sendFile(
    context,
    'photo',
    (source) => {
      const info = imageInfo(source.bytes);
      if (info === undefined) throw badRequest('IMAGE_PROCESS_FAILED');
      return context.world.files.add('photo', source.bytes, {
        mimeType: `image/${info.format}`,
      });
    },
    (file) => ({ photo: photoSizes(file) }),
  );

const sendChatAction: MethodHandler = ({ world, params }) => {
  const chat = world.chatToWriteTo(params.chat_id);
  const action = String(params.action ?? '');
  if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
  world.setChatAction(chat, action);
  return true;
};

// Commands are stored per scope and language, like Telegram's setMyCommands.
const COMMAND_SCOPES = new Set([
  'default',
  'all_private_chats',
  'all_group_chats',
  'all_chat_administrators',
  'chat',
  'chat_administrators',
  'chat_member',
]);

function commandsKey(world: World, params: Record<string, unknown>): string {
  const scope = (params.scope ?? { type: 'default' }) as Record<string, unknown>;
  const type = String(scope.type ?? '');
  if (!COMMAND_SCOPES.has(type)) throw badRequest('wrong bot command scope type specified');
  if (type.startsWith('chat')) world.findChat(scope.chat_id);
  const language = typeof params.language_code === 'string' ? params.language_code : '';
  if (language !== '' && !/^[a-z]{2}$/.test(language)) throw badRequest('invalid language code specified');
  return commandScopeKey(type, scope.chat_id, scope.user_id, language);
}

export const commandScopeKey = (type: string, chatId: unknown, userId: unknown, language: string): string =>
  `${type}:${chatId ?? ''}:${userId ?? ''}|${language}`;

const setMyCommands: MethodHandler = ({ world, params }) => {
  const commands = params.commands;
  if (!Array.isArray(commands)) throw badRequest('commands must be an array');
  if (commands.length > 100) throw badRequest('too many commands specified');
  const cleaned: BotCommand[] = commands.map((item) => {
    const command = String((item as Record<string, unknown>)?.command ?? '').replace(/^\//, '');
    const description = String((item as Record<string, unknown>)?.description ?? '');
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
    if (description.trim() === '' || description.length > 256)
      throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    return { command, description };
  });
  const key = commandsKey(world, params);
  if (cleaned.length === 0) world.commands.delete(key);
  else world.commands.set(key, cleaned);
  return true;
};

const getMyCommands: MethodHandler = ({ world, params }): BotCommand[] =>
  world.commands.get(commandsKey(world, params)) ?? [];

const METHODS: Record<string, MethodHandler> = {
  getMe,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  sendMessage,
  editMessageText,
  editMessageReplyMarkup,
  answerCallbackQuery,
  sendDocument,
  sendPhoto,
  sendVenue,
  sendChatAction,
  setMyCommands,
  getMyCommands,
};

const METHODS_BY_LOWERCASE_NAME = new Map(
  Object.entries(METHODS).map(([name, handler]) => [name.toLowerCase(), { name, handler }] as const),
);

/** Looks a method up case-insensitively (Telegram accepts `sendmessage` too). */
export function findMethod(name: string): { name: string; handler: MethodHandler } | undefined {
  return METHODS_BY_LOWERCASE_NAME.get(name.toLowerCase());
}
