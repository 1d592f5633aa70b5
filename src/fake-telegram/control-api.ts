import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody, sendJson } from '../runtime/http.ts';
import { type ChatView, createChatView, type FakeUser } from './harness.ts';
import type { ViewMessage } from './views.ts';
import type { FakeTelegramEvent, FakeUserInit, World } from './world.ts';

/** The control API's view of a message: file bytes become download URLs. */
export type ViewMessageJson = Omit<ViewMessage, 'document' | 'photo' | 'sticker'> & {
  document?: { fileId: string; fileName?: string; mimeType?: string; size: number; url: string };
  photo?: { fileId: string; width: number; height: number; size: number; url: string };
  sticker?: { fileId: string; emoji?: string; url: string };
};

export interface ControlApiDependencies {
  world: World;
  /** The FakeUser for a chat, created (with `init`) when the chat does not exist yet. */
  userFor(chatId: number, init?: FakeUserInit): FakeUser;
  /** Origin of the fake's server, for absolute file URLs. */
  origin(): string;
  /** Value for Access-Control-Allow-Origin, when a page on another origin drives the fake. */
  corsOrigin: string | undefined;
}

/** A control request is a few fields (a text, a tap); nothing the page sends comes near this. */
export const maxControlBodyBytes = 64 * 1024;

class ControlApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The JSON control API under `/__fake/` that the browser playground uses. It is a thin layer over
 * the same harness functions tests call: reading a chat, acting as its user, and a Server-Sent
 * Events stream with one event per visible change.
 */
export function createControlApi(deps: ControlApiDependencies): {
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void>;
  close(): void;
} {
  const { world } = deps;
  const streams = new Set<ServerResponse>();

  const fileUrl = (fileId: string): string => `${deps.origin()}/__fake/files/${encodeURIComponent(fileId)}`;

  const messageJson = (view: ViewMessage): ViewMessageJson => {
    const { document, photo, sticker, ...rest } = view;
    const json: ViewMessageJson = { ...rest };
    if (document !== undefined) {
      const { bytes, ...meta } = document;
      json.document = { ...meta, size: bytes.length, url: fileUrl(document.fileId) };
    }
    if (photo !== undefined) {
      const { bytes, ...meta } = photo;
      json.photo = { ...meta, size: bytes.length, url: fileUrl(photo.fileId) };
    }
    if (sticker !== undefined) json.sticker = { ...sticker, url: fileUrl(sticker.fileId) };
    return json;
  };

  const chatJson = (view: ChatView): unknown => {
    const chat = world.chat(view.chatId);
    return {
      chatId: view.chatId,
      user: chat === undefined ? undefined : world.userObject(chat.user),
      messages: view.messages.map(messageJson),
      toasts: view.toasts,
      replyKeyboard: view.replyKeyboard ?? null,
      forceReply: view.forceReply ?? null,
      chatAction: view.chatAction ?? null,
      commands: view.commands,
    };
  };

  const eventJson = (event: FakeTelegramEvent): unknown =>
    event.type === 'message' || event.type === 'message_edited'
      ? { ...event, message: messageJson(event.message) }
      : event;

  const send = (response: ServerResponse, status: number, body: unknown): void =>
    sendJson(response, status, body, { 'content-type': 'application/json; charset=utf-8', ...corsHeaders() });

  const corsHeaders = (): Record<string, string> =>
    deps.corsOrigin === undefined
      ? {}
      : {
          'access-control-allow-origin': deps.corsOrigin,
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type',
        };

  const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    let raw: string;
    try {
      raw = (await readBody(request, maxControlBodyBytes)).toString('utf8');
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw new ControlApiError(413, `the body is larger than ${maxControlBodyBytes} bytes`);
      }
      throw error;
    }
    if (raw.trim() === '') return {};
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // fall through to the error below
    }
    throw new ControlApiError(400, 'the body must be a JSON object');
  };

  /** A user who has a chat already; `init` (e.g. a new language_code) applies from this update on. */
  const existingUser = (chatId: number, init: FakeUserInit = {}): FakeUser => {
    if (world.chat(chatId) === undefined) throw new ControlApiError(404, `no chat ${chatId}`);
    return deps.userFor(chatId, init);
  };

  const openEventStream = (request: IncomingMessage, response: ServerResponse, url: URL): void => {
    const chatFilter = url.searchParams.has('chatId') ? Number(url.searchParams.get('chatId')) : undefined;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...corsHeaders(),
    });
    response.write(': connected\n\n');
    streams.add(response);
    const unsubscribe = world.subscribe((event) => {
      if (chatFilter !== undefined && event.chatId !== chatFilter) return;
      response.write(`event: ${event.type}\ndata: ${JSON.stringify(eventJson(event))}\n\n`);
    });
    // Comments keep proxies and browsers from timing the idle stream out.
    const heartbeat = setInterval(() => response.write(': ping\n\n'), 15_000);
    heartbeat.unref();
    const stop = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(response);
    };
    request.on('close', stop);
    response.on('close', stop);
  };

  const routes = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const method = request.method ?? 'GET';
    const parts = url.pathname
      .split('/')
      .filter((part) => part !== '')
      .slice(1); // drop "__fake"
    if (method === 'OPTIONS') {
      response.writeHead(204, corsHeaders());
      response.end();
      return;
    }
    if (method === 'GET' && parts.length === 1 && parts[0] === 'events') {
      openEventStream(request, response, url);
      return;
    }
    if (method === 'GET' && parts.length === 2 && parts[0] === 'files') {
      const file = world.files.get(decodeURIComponent(parts[1] ?? ''));
      if (file === undefined) throw new ControlApiError(404, 'no such file');
      response.writeHead(200, {
        'content-type': file.mimeType ?? 'application/octet-stream',
        'content-length': String(file.bytes.length),
        ...corsHeaders(),
      });
      response.end(file.bytes);
      return;
    }
    if (parts[0] !== 'chats') throw new ControlApiError(404, 'unknown control API route');
    if (parts.length === 1 && method === 'GET') {
      const chats = [...world.chats].map((chat) => ({
        chatId: chat.id,
        user: world.userObject(chat.user),
        messageCount: chat.messages.size,
      }));
      send(response, 200, { chats });
      return;
    }
    const chatId = Number(parts[1]);
    if (!Number.isSafeInteger(chatId) || chatId <= 0)
      throw new ControlApiError(400, 'chat ids are positive integers');
    const action = parts[2];
    if (action === undefined && method === 'GET') {
      const chat = world.chat(chatId);
      if (chat === undefined) throw new ControlApiError(404, `no chat ${chatId}`);
      send(response, 200, chatJson(createChatView(world, chat)));
      return;
    }
    if (method !== 'POST' || parts.length !== 3) throw new ControlApiError(404, 'unknown control API route');
    const body = await readJson(request);
    let updateId: number;
    switch (action) {
      case 'text': {
        if (typeof body.text !== 'string') throw new ControlApiError(400, 'text must be a string');
        updateId = await deps.userFor(chatId, userInit(body.user)).sendText(body.text);
        break;
      }
      case 'start':
        updateId = await deps
          .userFor(chatId, userInit(body.user))
          .start(typeof body.payload === 'string' ? body.payload : undefined);
        break;
      case 'tap': {
        const query = typeof body.callbackData === 'string' ? body.callbackData : body.text;
        if (typeof query !== 'string')
          throw new ControlApiError(400, 'callbackData (or text) must be a string');
        const options = typeof body.messageId === 'number' ? { messageId: body.messageId } : undefined;
        updateId = await existingUser(chatId, userInit(body.user)).tap(query, options);
        break;
      }
      case 'contact':
        updateId = await existingUser(chatId, userInit(body.user)).shareContact({
          ...(typeof body.phoneNumber === 'string' ? { phoneNumber: body.phoneNumber } : {}),
          ...(typeof body.ownContact === 'boolean' ? { ownContact: body.ownContact } : {}),
        });
        break;
      case 'sticker':
        updateId = await existingUser(chatId).sendSticker();
        break;
      case 'photo':
        updateId = await existingUser(chatId).sendPhoto();
        break;
      default:
        throw new ControlApiError(404, 'unknown control API route');
    }
    send(response, 200, { updateId });
  };

  return {
    async handle(request, response, url) {
      try {
        await routes(request, response, url);
      } catch (error) {
        const status = error instanceof ControlApiError ? error.status : 400;
        send(response, status, { error: error instanceof Error ? error.message : String(error) });
      }
    },
    close() {
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

function userInit(value: unknown): FakeUserInit {
  if (typeof value !== 'object' || value === null) return {};
  const user = value as Record<string, unknown>;
  const init: FakeUserInit = {};
  if (typeof user.firstName === 'string') init.firstName = user.firstName;
  if (typeof user.lastName === 'string') init.lastName = user.lastName;
  if (typeof user.username === 'string') init.username = user.username;
  if (typeof user.languageCode === 'string') init.languageCode = user.languageCode;
  return init;
}
