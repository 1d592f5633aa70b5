/**
 * How grammY reaches the Bot API: a `fetch` for its client (`client: { fetch }`) over undici
 * connection pools with keep-alive, in place of grammY's node-fetch default.
 *
 * - Long polls (`getUpdates`) have a pool of their own, so a request Telegram holds open for up to
 *   its `timeout` never occupies a connection another call is waiting for, and they have no
 *   undici time limit (grammY's own timeout and the runner's abort end them).
 * - No pipelining: every Bot API call is a POST, and a request queued behind another on one
 *   connection would share its fate when that connection breaks.
 * - A call that fails before any answer arrived, because its connection was refused, reset or
 *   closed by the peer (the kept-alive connection Telegram closed just as it was reused), is sent
 *   again on a new connection, a bounded number of times with a short backoff. A failure after the
 *   answer began, a timeout and an abort are not repeated. Telegram may have acted on a request
 *   whose connection broke before its answer; repeating it can then show a message twice, which is
 *   taken over a reply the prospect never gets.
 */
import { randomUUID } from 'node:crypto';
import { HttpError, InputFile, type Transformer } from 'grammy';
import { Client, type Dispatcher, Pool } from 'undici';
import { backoffDelayMs, errorCode, provablyNotSent } from '../perfectgym/retry.ts';
import { type AbortSignalLike, exchange } from '../runtime/undici-exchange.ts';
import { hasBytesAt, integerAt, updatesAnswerAfter } from './updates-answer.ts';

export interface TelegramTransportOptions {
  /** Default https://api.telegram.org (a local Bot API server may have a path). */
  apiRoot?: string;
  /**
   * Connections for calls other than getUpdates; a call beyond them waits for a free one. Default
   * 256: a connection is held for a whole round trip, event-loop waits included, and 200 chats
   * at once in the benchmark were held up behind a cap of 32.
   */
  connections?: number;
  /** Attempts per call, the first included. Default 3. */
  attempts?: number;
  /** Backoff before the n-th retry: a random wait up to `base * 2^n`. Default 100 ms. */
  retryBaseDelayMs?: number;
  /** Told about every failed attempt that will be repeated (metrics, debug logs). */
  onRetry?: (event: { method: string; code: string; attempt: number }) => void;
}

/** The part of grammY's fetch call the transport reads. */
interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Iterable<[string, string]>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array | string> | null;
  /** grammY passes its own (polyfilled) AbortSignal; undici accepts anything with this shape. */
  signal?: AbortSignalLike | null;
}

/** What grammY reads of an answer: only its JSON. */
export interface TelegramAnswer {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/** An answer as the transport has it: its bytes too, read in part where that is enough. */
interface ReceivedAnswer extends TelegramAnswer {
  readonly body: Buffer;
}

const noBody = Buffer.alloc(0);

export interface TelegramTransport {
  /** For grammY: `new Bot(token, { client: { fetch: transport.fetch } })`. */
  fetch(url: string | URL, init?: FetchInit): Promise<TelegramAnswer>;
  /**
   * A transformer to install first (innermost) on an Api whose calls carry no abort signal or
   * time limit of their own: it sends the calls of {@link jsonOnlyMethods} as JSON straight
   * through this transport, past grammY's request building (its abort controller polyfill, time
   * limit timer, race of three promises, form-data check walking the payload and JSON replacer),
   * which was a fifth of a call's CPU. Every other call (uploads, long polls with their signal)
   * goes the usual way. Failures come out as grammY's own: `HttpError` for a network failure, an
   * answer with `ok: false` for Telegram's refusals.
   */
  directJson(token: string): Transformer;
  /**
   * The poller tells which update ids it has handed out already (all up to the returned one):
   * getUpdates answers are then parsed from the first later update on (see updates-answer.ts).
   */
  skipUpdatesUpTo(seenUpTo: () => number | undefined): void;
  /** Closes the pools (idle connections do not keep the process alive anyway). */
  close(): Promise<void>;
}

/** Thrown for a call whose answer broke off after it began: Telegram handled it; never repeated. */
class TelegramAnswerCutOffError extends Error {
  readonly code = 'TELEGRAM_ANSWER_CUT_OFF';
  constructor(cause: unknown) {
    super('the Bot API answer broke off', { cause });
    this.name = 'TelegramAnswerCutOffError';
  }
}

/**
 * Failures that happen before any byte of an answer: the connection was refused or could not be
 * made (nothing was sent), or it was reset or closed by the peer while the request was on its way.
 */
const diedBeforeAnswerCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'UND_ERR_SOCKET']);

function diedBeforeAnswer(error: unknown): boolean {
  const code = errorCode(error);
  return (code !== undefined && diedBeforeAnswerCodes.has(code)) || provablyNotSent(error);
}

export function createTelegramTransport(options: TelegramTransportOptions = {}): TelegramTransport {
  const origin = new URL(options.apiRoot ?? 'https://api.telegram.org').origin;
  const attempts = Math.max(1, options.attempts ?? 3);
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
  const calls = new Pool(origin, { connections: options.connections ?? 256, pipelining: 1 });
  let closing: Promise<void> | undefined;
  let seenUpdatesUpTo: (() => number | undefined) | undefined;
  const longPolls = new Pool(origin, {
    connections: 2,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  /** One request; its answer's text, for grammY to read as JSON. */
  async function send(
    dispatcher: Pool | Client,
    path: string,
    init: FetchInit,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Promise<ReceivedAnswer> {
    const { status, body: answer = noBody } = await exchange(
      dispatcher,
      { path, method: (init.method ?? 'POST') as Dispatcher.HttpMethod, headers, body: body ?? null },
      { signal: init.signal ?? undefined, cutOff: (error) => new TelegramAnswerCutOffError(error) },
    );
    return {
      ok: status >= 200 && status < 300,
      status,
      body: answer,
      json: async () =>
        seenUpdatesUpTo && path.endsWith('/getUpdates')
          ? updatesAnswerAfter(answer, seenUpdatesUpTo())
          : JSON.parse(answer.toString('utf8')),
      text: async () => answer.toString('utf8'),
    };
  }

  /** A connection of its own, closed after the one request: no kept-alive socket can be stale. */
  async function sendOnNewConnection(
    path: string,
    init: FetchInit,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Promise<ReceivedAnswer> {
    const client = new Client(origin, { pipelining: 1 });
    try {
      return await send(client, path, init, headers, body);
    } finally {
      void client.destroy().catch(() => undefined);
    }
  }

  /** One call, sent again on a new connection while it provably never got an answer. */
  async function call(
    method: string,
    path: string,
    init: FetchInit,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Promise<ReceivedAnswer> {
    const pool = method === 'getUpdates' ? longPolls : calls;
    for (let attempt = 1; ; attempt++) {
      try {
        return attempt === 1
          ? await send(pool, path, init, headers, body)
          : await sendOnNewConnection(path, init, headers, body);
      } catch (error) {
        if (init.signal?.aborted || attempt >= attempts || !diedBeforeAnswer(error)) throw error;
        options.onRetry?.({ method, code: errorCode(error) ?? 'network', attempt });
        await pause(backoffDelayMs(attempt - 1, retryBaseDelayMs), init.signal ?? undefined);
      }
    }
  }

  // The apiRoot's own path (a local Bot API server may have one), before grammY's `/bot<token>/<method>`.
  const rootPath = new URL(options.apiRoot ?? 'https://api.telegram.org').pathname.replace(/\/$/, '');
  const jsonHeaders = { 'content-type': 'application/json' };

  return {
    async fetch(url, init = {}) {
      const target = String(url);
      // Never put the URL in a message: it holds the bot token.
      if (!target.startsWith(`${origin}/`)) throw new Error('Bot API call outside the configured apiRoot');
      const path = target.slice(origin.length);
      const method = path.slice(path.lastIndexOf('/') + 1);
      // Buffered, so that a repeat sends the same bytes (grammY streams multipart uploads).
      return call(method, path, init, requestHeaders(init.headers), await bufferedBody(init.body));
    },
    directJson(token) {
      const prefix = `${rootPath}/bot${token}/`;
      return async (prev, method, payload, signal) => {
        if (signal !== undefined) return prev(method, payload, signal);
        const request = jsonOnlyMethods.has(method)
          ? { headers: jsonHeaders, body: jsonPayload(payload) }
          : uploadOf(method, payload);
        if (request === undefined) return prev(method, payload, signal);
        try {
          const answer = await call(method, prefix + method, {}, request.headers, request.body);
          const parsed = sentMessageMethods.has(method)
            ? sentMessage(answer.body)
            : JSON.parse(answer.body.toString('utf8'));
          // biome-ignore lint/suspicious/noExplicitAny: grammY's transformer returns the method's answer type.
          return parsed as any;
        } catch (error) {
          // grammY's own wording, which never holds the URL (and with it the token); an answer that
          // is not JSON (a proxy's error page) fails the same way, as it does in grammY's client.
          throw new HttpError(`Network request for '${method}' failed!`, error);
        }
      };
    },
    skipUpdatesUpTo(seenUpTo) {
      seenUpdatesUpTo = seenUpTo;
    },
    async close() {
      // Shutdown paths may close twice (the app's clean-up and a test's stop); the second is a no-op.
      closing ??= Promise.all([calls.close(), longPolls.close()]).then(() => undefined);
      await closing;
    },
  };
}

/**
 * Methods whose parameters can never hold a file to upload, sent by {@link TelegramTransport.directJson}:
 * the ones the bot makes on every update.
 */
const jsonOnlyMethods: ReadonlySet<string> = new Set([
  'sendMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'answerCallbackQuery',
  'sendChatAction',
  'sendVenue',
  'sendLocation',
  'deleteMessage',
]);

/** Methods whose answer is the message sent (or edited): the bot reads its id, rarely more. */
const sentMessageMethods: ReadonlySet<string> = new Set([
  'sendMessage',
  'editMessageText',
  'sendVenue',
  'sendLocation',
]);

const sentMessagePrefix = Buffer.from('{"ok":true,"result":{"message_id":');

/**
 * A successful answer carrying a message, decoded and parsed only once something besides the
 * message id is read: the bot reads the id of every message it sends, and the rest (the text
 * echoed back, the keyboard, the chat) almost never; decoding and parsing those answers was 3-4 %
 * of the bot's CPU. Telegram writes `message_id` first; any other answer is parsed at once.
 */
function sentMessage(body: Buffer): unknown {
  const closed = body.length > 2 && body[body.length - 2] === 0x7d && body[body.length - 1] === 0x7d;
  const id =
    closed && hasBytesAt(body, sentMessagePrefix, 0) ? integerAt(body, sentMessagePrefix.length) : undefined;
  if (id === undefined || body[id.end] !== 0x2c /* , */) return JSON.parse(body.toString('utf8'));
  const messageId = id.value;
  let message: Record<string | symbol, unknown> | undefined;
  const parsed = () => {
    message ??= (JSON.parse(body.toString('utf8')) as { result: Record<string | symbol, unknown> }).result;
    return message;
  };
  const result = new Proxy<Record<string | symbol, unknown>>(
    {},
    {
      get: (_target, key) => {
        if (message === undefined) {
          if (key === 'message_id') return messageId;
          // Awaiting a value reads its `then`; a message has none.
          if (key === 'then') return undefined;
        }
        return parsed()[key];
      },
      set: (_target, key, value) => Reflect.set(parsed(), key, value),
      has: (_target, key) => key in parsed(),
      deleteProperty: (_target, key) => Reflect.deleteProperty(parsed(), key),
      ownKeys: () => Reflect.ownKeys(parsed()),
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(parsed(), key);
        // The target has none of these properties, so they must read as configurable.
        return descriptor && { ...descriptor, configurable: true };
      },
      defineProperty: (_target, key, descriptor) => Reflect.defineProperty(parsed(), key, descriptor),
    },
  );
  return { ok: true, result };
}

/** A file to send whose bytes are in memory: the transport writes its upload itself (see {@link uploadOf}). */
export class InMemoryFile extends InputFile {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, filename: string) {
    super(bytes, filename);
    this.bytes = bytes;
  }
}

/**
 * A `sendDocument` of a file held in memory (the booking's calendar file) as one multipart body,
 * as grammY writes it (each field a part, objects as JSON, the file under an `attach://` name):
 * grammY builds it through async generators and a stream, which the transport then collects
 * again, and that one call per booking cost as much CPU as three messages. Anything else
 * (another method, a file on disk or in a stream, a second file) goes grammY's way.
 */
function uploadOf(
  method: string,
  payload: unknown,
): { headers: Record<string, string>; body: Buffer } | undefined {
  if (method !== 'sendDocument' || typeof payload !== 'object' || payload === null) return undefined;
  const fields = payload as Record<string, unknown>;
  const file = fields.document;
  if (!(file instanceof InMemoryFile)) return undefined;
  const filename = file.filename ?? 'document.dat';
  if (/[\r\n"]/.test(filename)) return undefined;
  const boundary = `----------trialgram${randomUUID().replaceAll('-', '')}`;
  const fileId = randomUUID().replaceAll('-', '').slice(0, 16);
  const parts: Array<string | Uint8Array> = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (key !== 'document' && value instanceof InputFile) return undefined;
    const text =
      key === 'document'
        ? `attach://${fileId}`
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    parts.push(`--${boundary}\r\ncontent-disposition:form-data;name="${key}"\r\n\r\n${text}\r\n`);
  }
  parts.push(
    `--${boundary}\r\ncontent-disposition:form-data;name="${fileId}";filename=${filename}\r\ncontent-type:application/octet-stream\r\n\r\n`,
    file.bytes,
    `\r\n--${boundary}--\r\n`,
  );
  const body = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body };
}

/**
 * The payload as JSON, as grammY sends it: without `null` values (grammY's replacer drops them),
 * which only the rare payload holding one pays for.
 */
function jsonPayload(payload: unknown): string {
  const text = JSON.stringify(payload ?? {});
  return text.includes('null') ? JSON.stringify(payload, (_key, value: unknown) => value ?? undefined) : text;
}

/** The request's headers, without `connection` (grammY sets keep-alive; the pool decides). */
function requestHeaders(headers: FetchInit['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  const entries = Symbol.iterator in headers ? headers : Object.entries(headers);
  for (const [name, value] of entries) {
    if (name.toLowerCase() !== 'connection') result[name] = value;
  }
  return result;
}

async function bufferedBody(body: FetchInit['body']): Promise<string | Uint8Array | undefined> {
  if (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array) {
    return body ?? undefined;
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Waits `ms`; an abort ends the wait at once, with the error undici gives an aborted request. */
function pause(ms: number, signal: AbortSignalLike | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('This operation was aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort);
  });
}
