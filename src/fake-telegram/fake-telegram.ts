import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { UserFromGetMe } from 'grammy/types';
import { closeServer, listen, originOf, sendJson } from '../runtime/http.ts';
import { findMethod } from './bot-api.ts';
import { createControlApi } from './control-api.ts';
import { BotApiError, notFound, unauthorized } from './errors.ts';
import { type ChatView, createChatView, createFakeUser, type FakeUser } from './harness.ts';
import { type CallInput, parseCallInput, readBody, recordableParams } from './params.ts';
import { UpdateFeed, type WebhookSettings } from './updates.ts';
import { type CallRecord, type FakeTelegramEvent, type FakeUserInit, World } from './world.ts';

export interface FakeTelegramOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bot token grammY must use; defaults to one derived from the bot id. */
  token?: string;
  bot?: { id?: number; username?: string; firstName?: string };
  /** Clock for Telegram `date` fields (milliseconds); Date.now by default. */
  clock?: () => number;
  /** Pauses between webhook delivery attempts; one retry per entry. Default [100, 500, 2000]. */
  webhookRetryDelaysMs?: number[];
  /** How long one webhook POST may take before it counts as failed. Default 60 s, like Telegram. */
  webhookTimeoutMs?: number;
  /**
   * settled() additionally waits until the chat saw no Bot API call for this long. Useful for bots
   * that confirm updates before handling them (@grammyjs/runner). Default 0.
   */
  settleQuietMs?: number;
  /** Sets Access-Control-Allow-Origin on the control API, for a playground served elsewhere. */
  controlApiCorsOrigin?: string;
  /** Allow webhook URLs outside loopback. Off by default so a test can never POST to the internet. */
  allowRemoteWebhooks?: boolean;
}

export interface InjectedFailure {
  error_code: number;
  description: string;
  retry_after?: number;
}

/** A call the fake keeps waiting (see {@link FakeTelegram.hold}). */
export interface HeldCall {
  /** Resolves once the bot's call has arrived and waits. */
  readonly arrived: Promise<void>;
  /** Carries the call out and answers it, unless the bot has gone away meanwhile. */
  release(): void;
}

/** A running fake Telegram Bot API server plus the harness to play its users. */
export interface FakeTelegram {
  /** Pass to grammY as `client: { apiRoot }`. */
  readonly apiRoot: string;
  /** Same as apiRoot; the control API lives under `${url}/__fake/`. */
  readonly url: string;
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  /** A user of the bot (created on first use; the same object for the same id). */
  user(init?: FakeUserInit): FakeUser;
  /** Every Bot API call the bot made, in arrival order. */
  readonly calls: ReadonlyArray<CallRecord>;
  /** What the user of this private chat sees now. */
  chat(chatId: number): ChatView;
  /**
   * The next `times` calls of `method` fail with this error (e.g. 429 with retry_after), or, with
   * 'connection-reset', are recorded and then get no answer: their connection is reset (a call
   * inside a webhook reply is dropped).
   */
  failNext(method: string, error: InjectedFailure | 'connection-reset', times?: number): void;
  /**
   * Holds the bot's next call of `method` (into `chatId`, when given): it is neither carried out
   * nor answered until released, as if Telegram were slow to take it. A held call whose bot went
   * away (its process was killed) is dropped: the user never sees it.
   */
  hold(method: string, options?: { chatId?: number }): HeldCall;
  /** Listens to visible changes (messages, edits, deletions, toasts, keyboards, chat actions). */
  subscribe(listener: (event: FakeTelegramEvent) => void): () => void;
  /** Updates the bot has not taken yet. */
  readonly pendingUpdateCount: number;
  close(): Promise<void>;
}

const DEFAULT_BOT_ID = 7_000_000_001;
const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Thrown by a call whose injected failure is a reset connection. */
const connectionReset = new Error('fake-telegram: injected connection reset');

function botInfoFrom(options: FakeTelegramOptions): { bot: UserFromGetMe; token: string } {
  const idFromToken = options.token === undefined ? undefined : Number(options.token.split(':')[0]);
  const id =
    options.bot?.id ??
    (idFromToken !== undefined && Number.isSafeInteger(idFromToken) ? idFromToken : DEFAULT_BOT_ID);
  const bot: UserFromGetMe = {
    id,
    is_bot: true,
    first_name: options.bot?.firstName ?? 'Trialgram Test',
    username: options.bot?.username ?? 'trialgram_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
  return { bot, token: options.token ?? `${id}:AAFakeTelegramTokenForTrialgramTests` };
}

const sendError = (response: ServerResponse, error: BotApiError): void => {
  const status = error.errorCode >= 400 && error.errorCode <= 599 ? error.errorCode : 400;
  sendJson(response, status, error.toJSON());
};

/**
 * Starts a fake Telegram Bot API on loopback. A grammY bot pointed at `apiRoot` with the fake's
 * token cannot tell it from Telegram; tests play its users through `user()` and read what they see
 * through `chat()`.
 */
export async function createFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const { bot, token } = botInfoFrom(options);
  const host = options.host ?? '127.0.0.1';
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 60_000;
  const allowRemoteWebhooks = options.allowRemoteWebhooks ?? false;
  const world = new World({
    bot,
    clock: options.clock ?? Date.now,
    settleQuietMs: options.settleQuietMs ?? 0,
  });
  const failures = new Map<
    string,
    Array<{ error: InjectedFailure | 'connection-reset'; remaining: number }>
  >();
  const users = new Map<number, FakeUser>();
  const holds: Array<{
    method: string;
    chatId: number | undefined;
    arrive(): void;
    released: Promise<void>;
  }> = [];
  // Closing ends every held call without carrying it out.
  let isClosing = false;
  let endHolds = (): void => undefined;
  const closing = new Promise<void>((resolve) => {
    endHolds = resolve;
  });
  let origin = '';

  const takeInjectedFailure = (method: string): Error | undefined => {
    const queue = failures.get(method.toLowerCase());
    const next = queue?.[0];
    if (queue === undefined || next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) queue.shift();
    if (next.error === 'connection-reset') return connectionReset;
    return new BotApiError(next.error.error_code, next.error.description, next.error.retry_after);
  };

  /** Runs one Bot API call; shared by HTTP requests and webhook replies. */
  const executeCall = async (
    methodName: string,
    input: CallInput,
    onClientGone: (listener: () => void) => void,
  ): Promise<unknown> => {
    const method = findMethod(methodName);
    const chat = world.chatOfCall(input.params);
    const holdIndex = holds.findIndex(
      (hold) =>
        hold.method === (method?.name ?? methodName).toLowerCase() &&
        (hold.chatId === undefined || hold.chatId === chat?.id),
    );
    const hold = holdIndex < 0 ? undefined : holds.splice(holdIndex, 1)[0];
    if (hold !== undefined) {
      let gone = false;
      onClientGone(() => {
        gone = true;
      });
      hold.arrive();
      await Promise.race([hold.released, closing]);
      if (gone || isClosing) return undefined;
    }
    world.recordCall(method?.name ?? methodName, recordableParams(input), chat);
    const injected = takeInjectedFailure(method?.name ?? methodName);
    if (injected !== undefined) throw injected;
    if (method === undefined) throw notFound();
    world.callStarted(chat);
    try {
      return await method.handler({ world, input, params: input.params, onClientGone, allowRemoteWebhooks });
    } finally {
      world.callFinished(chat);
    }
  };

  const feed = new UpdateFeed(
    {
      onHandled: (update) => world.updateHandled(update.chatId),
      onFailed: (update) => world.recheckSettled(update.chatId),
      now: Date.now,
      postWebhook: async (settings: WebhookSettings, update, signal) => {
        const response = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(settings.secretToken === undefined
              ? {}
              : { 'x-telegram-bot-api-secret-token': settings.secretToken }),
          },
          body: JSON.stringify(update),
          signal: AbortSignal.any([signal, AbortSignal.timeout(webhookTimeoutMs)]),
        });
        return {
          status: response.status,
          contentType: response.headers.get('content-type') ?? undefined,
          body: await response.text(),
        };
      },
      runWebhookReply: async (response) => {
        // grammY may answer a webhook with one API call in the body (webhookReply); Telegram runs it.
        if (!response.contentType?.includes('json') || response.body.trim() === '') return;
        const parsed: unknown = JSON.parse(response.body);
        if (typeof parsed !== 'object' || parsed === null) return;
        const { method, ...params } = parsed as Record<string, unknown>;
        if (typeof method !== 'string') return;
        const input = parseCallInput(
          new URLSearchParams(),
          Buffer.from(JSON.stringify(params)),
          'application/json',
        );
        await executeCall(method, input, () => undefined);
      },
    },
    options.webhookRetryDelaysMs ?? [100, 500, 2000],
  );
  world.feed = feed;

  const userFor = (chatId: number, init: FakeUserInit = {}): FakeUser => fakeUser({ ...init, id: chatId });
  const fakeUser = (init: FakeUserInit = {}): FakeUser => {
    const record = world.ensureUser(init);
    let user = users.get(record.id);
    if (user === undefined) {
      user = createFakeUser(world, record);
      users.set(record.id, user);
    }
    return user;
  };

  const control = createControlApi({
    world,
    userFor,
    origin: () => origin,
    corsOrigin: options.controlApiCorsOrigin,
  });

  const handleBotApi = async (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    requestToken: string,
    methodName: string,
  ): Promise<void> => {
    if (requestToken !== token) {
      request.resume();
      sendError(response, unauthorized());
      return;
    }
    const input = parseCallInput(url.searchParams, await readBody(request), request.headers['content-type']);
    const result = await executeCall(methodName, input, (listener) => {
      response.on('close', () => {
        if (!response.writableFinished) listener();
      });
    });
    sendJson(response, 200, { ok: true, result });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://fake-telegram.invalid');
    const path = url.pathname;
    try {
      if (path === '/__fake' || path.startsWith('/__fake/')) {
        if (!LOOPBACK_ADDRESSES.has(request.socket.remoteAddress ?? '')) {
          request.resume();
          response.writeHead(403).end();
          return;
        }
        await control.handle(request, response, url);
        return;
      }
      const apiCall = /^\/bot([^/]+)\/([^/]+)\/?$/.exec(path);
      if (apiCall !== null) {
        await handleBotApi(request, response, url, decodeURIComponent(apiCall[1] ?? ''), apiCall[2] ?? '');
        return;
      }
      request.resume();
      sendError(response, notFound());
    } catch (error) {
      if (error instanceof BotApiError) {
        sendError(response, error);
        return;
      }
      if (error === connectionReset) {
        request.socket.resetAndDestroy();
        return;
      }
      // A bug in the fake should look like Telegram having a bad moment, and be visible in test output.
      console.error('fake-telegram: internal error', error);
      sendJson(response, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  origin = originOf(await listen(server, options.port ?? 0, host));

  let closed: Promise<void> | undefined;
  return {
    apiRoot: origin,
    url: origin,
    token,
    botInfo: bot,
    user: fakeUser,
    get calls() {
      return world.calls;
    },
    chat(chatId) {
      const chat = world.chat(chatId);
      if (chat === undefined)
        throw new Error(`No chat ${chatId}: create its user first with fake.user({ id: ${chatId} })`);
      return createChatView(world, chat);
    },
    failNext(method, error, times = 1) {
      const key = method.toLowerCase();
      const queue = failures.get(key) ?? [];
      queue.push({ error, remaining: times });
      failures.set(key, queue);
    },
    hold(method, options = {}) {
      let arrive = (): void => undefined;
      let release = (): void => undefined;
      const arrived = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.push({ method: method.toLowerCase(), chatId: options.chatId, arrive, released });
      return { arrived, release };
    },
    subscribe: (listener) => world.subscribe(listener),
    get pendingUpdateCount() {
      return feed.pendingCount;
    },
    close() {
      closed ??= (async () => {
        isClosing = true;
        endHolds();
        feed.close();
        control.close();
        world.rejectAllWaiters('the fake Telegram was closed');
        await closeServer(server);
      })();
      return closed;
    },
  };
}
