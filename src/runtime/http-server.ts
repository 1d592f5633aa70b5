/**
 * The bot's own HTTP server: the Telegram webhook, `/livez`, `/healthz` and `/metrics`.
 *
 * Webhook updates are acknowledged once handled or after `ackAfterMs`, whichever comes first:
 * Telegram wants a quick answer and re-sends an update whose request times out, while a prospect's
 * step may wait on the studio API for seconds. Handling goes on after the acknowledgement and is
 * tracked, so a graceful shutdown still finishes it. Per-chat order is the bot's chat lock's job.
 *
 * The webhook is always authenticated by its secret token; at most `maxInFlight` updates are
 * taken at once (beyond that the answer is 503 and Telegram sends the update again later). Health
 * checks are cached, so a probe storm never turns into a storm of calls to the studio.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Update } from 'grammy/types';
import type { Logger } from '../logger.ts';
import { closeServer, headerMatches, listen, originOf, readBody, sendJson } from './http.ts';
import { within } from './within.ts';

export interface HealthCheck {
  name: string;
  check(): Promise<boolean>;
  /**
   * Checks of one group (a chain's studios) are reported together under the group's name, and the
   * group is down only when every one of them is: one studio's outage leaves the instance serving
   * the others ("degraded"), so it must not take the instance out of a load balancer.
   */
  group?: string;
  /**
   * How long an answer is reused for every probe, failed or not. Default 0: asked on every probe
   * (still one check at a time, shared by concurrent probes).
   */
  cacheMs?: number;
}

export interface HttpServerOptions {
  host?: string;
  port: number;
  logger: Logger;
  metrics?: { contentType: string; metrics(): Promise<string> };
  health: HealthCheck[];
  /** A health check that has not answered after this long counts as unavailable. Default 3 s. */
  healthTimeoutMs?: number;
  webhook?: {
    path: string;
    /** The `X-Telegram-Bot-Api-Secret-Token` every webhook request must carry. */
    secret: string;
    handle(update: Update): Promise<void>;
    ackAfterMs?: number;
    /** Updates taken at once (being read or handled); beyond that 503. Default {@link defaultMaxInFlight}. */
    maxInFlight?: number;
    /** At most one "wrong secret" warning per this interval. Default 60 s. */
    rejectionLogIntervalMs?: number;
  };
  now?: () => number;
}

export interface BotHttpServer {
  readonly url: string;
  readonly server: Server;
  /**
   * Stops taking webhook updates (answered 503 while the listener stays open), waits for every
   * update already taken, then stops listening.
   */
  close(): Promise<void>;
  /** Webhook updates taken but not finished. */
  inFlight(): number;
}

const maxBodyBytes = 1024 * 1024;
export const defaultMaxInFlight = 100;

export async function startHttpServer(options: HttpServerOptions): Promise<BotHttpServer> {
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  /** Requests past the secret check whose body is still being read. */
  let reading = 0;
  let closing = false;
  const health = options.health.map((check) => cachedCheck(check, options.healthTimeoutMs ?? 3_000, now));
  const rejections = rateLimitedWarning(
    options.logger,
    options.webhook?.rejectionLogIntervalMs ?? 60_000,
    now,
    'webhook request without the right secret token',
  );

  async function onWebhook(req: IncomingMessage, res: ServerResponse) {
    const webhook = options.webhook;
    if (!webhook) return sendJson(res, 404, { error: 'not found' });
    if (!headerMatches(req.headers['x-telegram-bot-api-secret-token'], webhook.secret)) {
      rejections.record({ remote: req.socket.remoteAddress });
      return sendJson(res, 401, { error: 'unauthorized' });
    }
    // Telegram re-sends an update answered with an error, so 503 loses nothing.
    if (closing) return sendJson(res, 503, { error: 'shutting down' }, { connection: 'close' });
    if (inFlight.size + reading >= (webhook.maxInFlight ?? defaultMaxInFlight)) {
      return sendJson(res, 503, { error: 'busy' }, { 'retry-after': '1' });
    }
    let update: Update;
    reading++;
    try {
      update = JSON.parse((await readBody(req, maxBodyBytes)).toString('utf8')) as Update;
      if (typeof update?.update_id !== 'number') throw new Error('not an update');
    } catch {
      return sendJson(res, 400, { error: 'bad update' });
    } finally {
      reading--;
    }
    const handling = webhook.handle(update).catch((error: unknown) => {
      options.logger.error({ err: error, updateId: update.update_id }, 'webhook update failed');
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
    let ackTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      handling,
      new Promise((resolve) => {
        ackTimer = setTimeout(resolve, webhook.ackAfterMs ?? 5_000);
      }),
    ]);
    clearTimeout(ackTimer);
    sendJson(res, 200, { ok: true });
  }

  async function onHealth(res: ServerResponse) {
    // A stopping instance is not ready: the load balancer should send nothing new its way.
    if (closing) return sendJson(res, 503, { status: 'shutting down' });
    const results = await Promise.all(health.map(async (entry) => ({ ...entry, ok: await entry.check() })));
    const body: Record<string, string | Record<string, string>> = {};
    const groups = new Map<string, { members: Record<string, string>; up: boolean }>();
    for (const { name, group, ok } of results) {
      const status = ok ? 'ok' : 'unavailable';
      if (group === undefined) {
        body[name] = status;
        continue;
      }
      const known = groups.get(group) ?? { members: {}, up: false };
      known.members[name] = status;
      known.up ||= ok;
      groups.set(group, known);
      body[group] = known.members;
    }
    const healthy =
      results.every(({ ok, group }) => ok || group !== undefined) && [...groups.values()].every((g) => g.up);
    const whole = results.every(({ ok }) => ok);
    sendJson(res, healthy ? 200 : 503, {
      status: whole ? 'ok' : healthy ? 'degraded' : 'unhealthy',
      ...body,
    });
  }

  const { metrics } = options;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const handler =
      route === 'GET /livez'
        ? Promise.resolve(sendJson(res, 200, { status: 'ok' }))
        : route === 'GET /healthz'
          ? onHealth(res)
          : route === 'GET /metrics' && metrics
            ? metrics.metrics().then((text) => sendText(res, text, metrics.contentType))
            : options.webhook && route === `POST ${options.webhook.path}`
              ? onWebhook(req, res)
              : Promise.resolve(sendJson(res, 404, { error: 'not found' }));
    handler.catch((error: unknown) => {
      options.logger.error({ err: error, route }, 'http request failed');
      sendJson(res, 500, { error: 'internal' });
    });
  });
  server.keepAliveTimeout = 65_000;
  const address = await listen(server, options.port, options.host ?? '127.0.0.1');

  let closed: Promise<void> | undefined;
  return {
    url: originOf(address),
    server,
    inFlight: () => inFlight.size,
    close: () => {
      closed ??= (async () => {
        closing = true;
        // Still listening: new webhook requests get a 503 (Telegram re-sends them) rather than a
        // refused connection, and /healthz says the instance is going away.
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        await closeServer(server);
      })();
      return closed;
    },
  };
}

function sendText(res: ServerResponse, text: string, contentType: string) {
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * One health check with a time limit, shared by concurrent probes, and its answer reused for
 * `cacheMs`: a dependency that hangs counts as unavailable, and however often the probe comes,
 * the dependency is asked at most once per interval.
 */
function cachedCheck(health: HealthCheck, timeoutMs: number, now: () => number) {
  let last: { at: number; ok: boolean } | undefined;
  let pending: Promise<boolean> | undefined;
  const ask = async (): Promise<boolean> => {
    const ok = await within(
      health.check().catch(() => false),
      timeoutMs,
      false,
    );
    last = { at: now(), ok };
    return ok;
  };
  return {
    name: health.name,
    group: health.group,
    check: (): Promise<boolean> => {
      if (last && now() - last.at < (health.cacheMs ?? 0)) return Promise.resolve(last.ok);
      pending ??= ask().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

/**
 * A warning that floods cannot multiply: the first occurrence is logged at once, later ones are
 * counted and reported with the next line, at most one line per `intervalMs`.
 */
function rateLimitedWarning(logger: Logger, intervalMs: number, now: () => number, message: string) {
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return {
    record(context: Record<string, unknown>) {
      if (now() - lastLoggedAt < intervalMs) {
        suppressed++;
        return;
      }
      lastLoggedAt = now();
      logger.warn({ ...context, ...(suppressed > 0 ? { suppressed } : {}) }, message);
      suppressed = 0;
    },
  };
}
