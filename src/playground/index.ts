/**
 * The playground: a web page that looks and behaves like a Telegram chat with the bot, next to a
 * panel showing the sandbox studio. The bot runs unmodified against the fake Telegram Bot API; the
 * page acts as the Telegram user through the fake's control API and watches the sandbox through
 * its admin API. This server serves the page's static files and proxies both APIs, so the page
 * needs one origin only and the sandbox's API key stays on the server.
 */
import { readFile } from 'node:fs/promises';
import {
  type ClientRequest,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeTelegram } from '../fake-telegram/index.ts';
import type { Logger } from '../logger.ts';
import { endpointNames, endpoints } from '../perfectgym/endpoints.ts';
import type { ReminderScheduler } from '../reminders/index.ts';
import { closeServer, listen, originOf, sendJson } from '../runtime/http.ts';

export interface PlaygroundOptions {
  /** The running fake Telegram the bot polls; the page plays its user through `/__fake/`. */
  fake: FakeTelegram;
  /**
   * The sandbox studio's base URL and admin key; the key is added here, never sent to the browser.
   * `studios`: a chain's studios (each behind its own key), for the panel to switch between; the
   * first is the one `apiKey` names.
   */
  sandbox: {
    url: string;
    apiKey: string;
    studios?: ReadonlyArray<{ id: string; name: string; apiKey: string }>;
  };
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. Anything else exposes the sandbox's admin API to that network. */
  host?: string;
  logger: Logger;
  /** The bot's reminders: listed in the panel, and sent when a clock move makes them due. */
  reminders?: Pick<ReminderScheduler, 'list' | 'fireDue'>;
}

/** One row of `GET /api/reminders`: no user data beyond the ids, the offer's title. */
export interface PlaygroundReminderJson {
  id: string;
  bookingRef: string;
  kind: string;
  dueAt: number;
  offer: string | undefined;
  state: string;
}

export interface Playground {
  /** Where to open the page, such as `http://127.0.0.1:3000/`. */
  readonly url: string;
  /** Stops serving and ends open event streams. */
  close(): Promise<void>;
}

/** What the page learns at start-up from `GET /api/config`. */
export interface PlaygroundConfigJson {
  bot: { firstName: string; username: string | undefined };
  /** Endpoint names the fault form offers. */
  endpoints: string[];
  /**
   * Class and appointment titles by id, for the sandbox panel (of the studio `?studio=<id>` names,
   * else the first); empty when the studio did not answer.
   */
  titles: { classes: Record<string, string>; appointments: Record<string, string> };
  /** The sandbox's studios, for the panel to switch between (`?studio=<id>` on `/api/sandbox/*`). */
  studios: Array<{ id: string; name: string }>;
}

const staticDirectory = fileURLToPath(new URL('./static/', import.meta.url));
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const staticFileName = /^[a-z0-9][a-z0-9-]*\.(?:js|css|svg)$/;

/** Bot text is rendered as DOM nodes, never markup; the policy backs that up should a bug slip in. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const pageHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);
const requestHeadersToForward = ['content-type', 'content-length', 'accept', 'accept-language'];
const responseHeadersToForward = [
  'content-type',
  'content-length',
  'cache-control',
  'content-language',
  'retry-after',
];
const maxProxiedBodyBytes = 1024 * 1024;

class PlaygroundHttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Starts the playground's web server. The page is at the returned `url`; `/api/fake/*` goes to
 * the fake Telegram's control API, `/api/sandbox/*` to the sandbox's admin API (`/__sandbox/*`,
 * with its X-API-KEY added), and `/api/config` names the bot and the studio's classes.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const { fake, sandbox, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const boundToLoopback = loopbackHosts.has(host);
  const upstreams = new Set<ClientRequest>();
  const titlesByKey = new Map<string, PlaygroundConfigJson['titles']>();
  const studios = sandbox.studios ?? [];
  /** The key of the studio `?studio=<id>` names; none: the first. */
  const apiKeyOf = (studioId: string | null): string => {
    if (studioId === null) return sandbox.apiKey;
    const found = studios.find((studio) => studio.id === studioId);
    if (!found) throw new PlaygroundHttpError(404, `the sandbox has no studio "${studioId}"`);
    return found.apiKey;
  };

  /**
   * Refuses requests a web page on another site could make to this loopback server: DNS
   * rebinding (a foreign Host header) and cross-site writes (a foreign Origin).
   */
  const checkCaller = (request: IncomingMessage): void => {
    const hostHeader = request.headers.host ?? '';
    if (boundToLoopback && !loopbackHosts.has(hostnameOf(hostHeader))) {
      throw new PlaygroundHttpError(403, 'the playground answers only on localhost');
    }
    const origin = request.headers.origin;
    if (request.method !== 'GET' && request.method !== 'HEAD' && origin !== undefined) {
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = '';
      }
      if (originHost !== hostHeader) throw new PlaygroundHttpError(403, 'cross-origin requests are refused');
    }
  };

  const proxy = (
    request: IncomingMessage,
    response: ServerResponse,
    target: URL,
    extraHeaders: Record<string, string>,
    upstreamName: string,
  ): void => {
    const declaredLength = Number(request.headers['content-length'] ?? 0);
    if (declaredLength > maxProxiedBodyBytes) throw new PlaygroundHttpError(413, 'request body too large');
    const headers: Record<string, string> = { ...extraHeaders };
    for (const name of requestHeadersToForward) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = httpRequest(target, { method: request.method ?? 'GET', headers }, (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, {
        ...pickHeaders(upstreamResponse.headers, responseHeadersToForward),
        'x-content-type-options': 'nosniff',
      });
      // Event streams must reach the browser event by event, not when a buffer fills.
      response.flushHeaders();
      upstreamResponse.pipe(response);
    });
    upstreams.add(upstream);
    upstream.on('close', () => upstreams.delete(upstream));
    upstream.on('error', (error) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      logger.warn({ upstream: upstreamName, err: { message: error.message } }, 'playground proxy failed');
      sendJson(response, 502, { error: `the ${upstreamName} did not answer` }, apiHeaders);
    });
    // The browser closing an event stream must end the upstream stream too.
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  };

  const loadTitles = async (apiKey: string): Promise<PlaygroundConfigJson['titles']> => {
    const known = titlesByKey.get(apiKey);
    if (known !== undefined) return known;
    const fetchTitles = async (path: string, field: string): Promise<Record<string, string>> => {
      const found: Record<string, string> = {};
      let offset = '0';
      // The demo studio has a handful of offers; the cap guards against a studio that never ends.
      for (let page = 0; page < 20; page += 1) {
        const response = await fetch(`${sandbox.url}${path}?sliceSize=100&offset=${offset}`, {
          headers: { 'x-api-key': apiKey },
          signal: AbortSignal.timeout(5_000),
        });
        if (!response.ok) throw new Error(`${path} answered ${response.status}`);
        const slice = (await response.json()) as {
          result?: Array<Record<string, unknown>>;
          hasNext?: boolean;
          offset?: string;
        };
        for (const item of slice.result ?? []) {
          const title = (item[field] as { title?: unknown } | undefined)?.title;
          if (typeof title === 'string') found[String(item.id)] = title;
        }
        if (slice.hasNext !== true || slice.offset === undefined) break;
        offset = slice.offset;
      }
      return found;
    };
    try {
      const [classes, appointments] = await Promise.all([
        fetchTitles(endpoints.classes.path, 'trialOfferClass'),
        fetchTitles(endpoints.appointments.path, 'trialOfferBookableAppointment'),
      ]);
      const titles = { classes, appointments };
      titlesByKey.set(apiKey, titles);
      return titles;
    } catch (error) {
      // Titles are a nicety: the panel shows ids instead, and the next page load tries again.
      logger.warn({ err: { message: (error as Error).message } }, 'playground could not load offer titles');
      return { classes: {}, appointments: {} };
    }
  };

  const serveStatic = async (response: ServerResponse, name: string): Promise<void> => {
    if (!staticFileName.test(name) && name !== 'index.html') throw new PlaygroundHttpError(404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(join(staticDirectory, name));
    } catch {
      throw new PlaygroundHttpError(404, 'not found');
    }
    response.writeHead(200, {
      'content-type': contentTypes[extname(name)] ?? 'application/octet-stream',
      'content-length': String(body.length),
      ...pageHeaders,
    });
    response.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    checkCaller(request);
    const url = new URL(request.url ?? '/', 'http://playground.invalid');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if (path.startsWith('/api/fake/')) {
      const target = new URL(`/__fake/${path.slice('/api/fake/'.length)}${url.search}`, fake.url);
      if (!target.pathname.startsWith('/__fake/')) throw new PlaygroundHttpError(404, 'not found');
      proxy(request, response, target, {}, 'fake Telegram');
      return;
    }
    if (path.startsWith('/api/sandbox/')) {
      const apiKey = apiKeyOf(url.searchParams.get('studio'));
      url.searchParams.delete('studio');
      const target = new URL(`/__sandbox/${path.slice('/api/sandbox/'.length)}${url.search}`, sandbox.url);
      // Only the admin API: the studio endpoints belong to the bot, not to the page.
      if (!target.pathname.startsWith('/__sandbox/')) throw new PlaygroundHttpError(404, 'not found');
      if (target.pathname === '/__sandbox/clock' && method === 'POST') {
        // The clock moved: what is now due goes out, as it would have in that much real time.
        response.once('finish', () => void options.reminders?.fireDue());
      }
      proxy(request, response, target, { 'x-api-key': apiKey }, 'sandbox studio');
      return;
    }
    request.resume();
    if (method !== 'GET' && method !== 'HEAD') throw new PlaygroundHttpError(405, 'method not allowed');
    if (path === '/api/reminders') {
      const scheduled = (await options.reminders?.list()) ?? [];
      const rows: PlaygroundReminderJson[] = scheduled.map((r) => ({
        id: r.id,
        bookingRef: r.bookingRef,
        kind: r.kind,
        dueAt: r.dueAt,
        offer: typeof r.payload.offer === 'string' ? r.payload.offer : undefined,
        state: r.state,
      }));
      sendJson(response, 200, rows, apiHeaders);
      return;
    }
    if (path === '/api/config') {
      const config: PlaygroundConfigJson = {
        bot: { firstName: fake.botInfo.first_name, username: fake.botInfo.username },
        endpoints: [...endpointNames],
        titles: await loadTitles(apiKeyOf(url.searchParams.get('studio'))),
        studios: studios.map(({ id, name }) => ({ id, name })),
      };
      sendJson(response, 200, config, apiHeaders);
      return;
    }
    if (path === '/' || path === '/index.html') {
      await serveStatic(response, 'index.html');
      return;
    }
    if (path.startsWith('/assets/')) {
      await serveStatic(response, path.slice('/assets/'.length));
      return;
    }
    throw new PlaygroundHttpError(404, 'not found');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      request.resume();
      if (error instanceof PlaygroundHttpError) {
        sendJson(response, error.status, { error: error.message }, apiHeaders);
        return;
      }
      logger.error({ err: error, path: (request.url ?? '').split('?')[0] }, 'playground request failed');
      sendJson(response, 500, { error: 'internal error' }, apiHeaders);
    });
  });
  const url = `${originOf(await listen(server, options.port ?? 0, host))}/`;
  if (!boundToLoopback) {
    logger.warn(
      { host },
      'the playground listens beyond loopback: anyone who reaches it controls the sandbox',
    );
  }
  logger.info({ url }, 'playground listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    close() {
      closed ??= (async () => {
        for (const upstream of upstreams) upstream.destroy();
        await closeServer(server);
      })();
      return closed;
    },
  };
}

const apiHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function pickHeaders(headers: IncomingHttpHeaders, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

/** `127.0.0.1:3000` → `127.0.0.1`, `[::1]:3000` → `::1`. */
function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}
