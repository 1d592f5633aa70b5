/**
 * The bot's own HTTP server: the Telegram webhook, `/healthz` and `/metrics`.
 *
 * Webhook updates are acknowledged once handled or after `ackAfterMs`, whichever comes first:
 * Telegram wants a quick answer and re-sends an update whose request times out, while a prospect's
 * step may wait on the studio API for seconds. Handling goes on after the acknowledgement and is
 * tracked, so a graceful shutdown still finishes it. Per-chat order is the bot's chat lock's job.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';
import type { Logger } from '../logger.ts';

export interface HealthCheck {
  name: string;
  check(): Promise<boolean>;
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
    secret?: string;
    handle(update: Update): Promise<void>;
    ackAfterMs?: number;
  };
}

export interface BotHttpServer {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting requests and waits for every webhook update already taken. */
  close(): Promise<void>;
  /** Webhook updates taken but not finished. */
  inFlight(): number;
}

const maxBodyBytes = 1024 * 1024;

export async function startHttpServer(options: HttpServerOptions): Promise<BotHttpServer> {
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) throw new Error('body too large');
      chunks.push(chunk as Buffer);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }

  function send(res: ServerResponse, status: number, body: string, type = 'application/json') {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  function secretMatches(given: string | string[] | undefined, expected: string): boolean {
    if (typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async function onWebhook(req: IncomingMessage, res: ServerResponse) {
    const webhook = options.webhook;
    if (!webhook) return send(res, 404, '{"error":"not found"}');
    if (webhook.secret && !secretMatches(req.headers['x-telegram-bot-api-secret-token'], webhook.secret)) {
      options.logger.warn(
        { remote: req.socket.remoteAddress },
        'webhook request without the right secret token',
      );
      return send(res, 401, '{"error":"unauthorized"}');
    }
    if (closing) return send(res, 503, '{"error":"shutting down"}');
    let update: Update;
    try {
      update = (await readJson(req)) as Update;
      if (typeof update?.update_id !== 'number') throw new Error('not an update');
    } catch {
      return send(res, 400, '{"error":"bad update"}');
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
    send(res, 200, '{"ok":true}');
  }

  async function onHealth(res: ServerResponse) {
    const timeoutMs = options.healthTimeoutMs ?? 3_000;
    const results = await Promise.all(
      options.health.map(async ({ name, check }) => {
        // A dependency that hangs is as unavailable as one that refuses; the probe must answer.
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        const ok = await Promise.race([check().catch(() => false), timedOut]);
        clearTimeout(timer);
        return [name, ok ? 'ok' : 'unavailable'] as const;
      }),
    );
    const healthy = results.every(([, status]) => status === 'ok');
    send(
      res,
      healthy ? 200 : 503,
      JSON.stringify({ status: healthy ? 'ok' : 'unhealthy', ...Object.fromEntries(results) }),
    );
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const handler =
      route === 'GET /healthz'
        ? onHealth(res)
        : route === 'GET /metrics' && options.metrics
          ? options.metrics.metrics().then((text) => send(res, 200, text, options.metrics?.contentType))
          : options.webhook && route === `POST ${options.webhook.path}`
            ? onWebhook(req, res)
            : Promise.resolve(send(res, 404, '{"error":"not found"}'));
    handler.catch((error: unknown) => {
      options.logger.error({ err: error, route }, 'http request failed');
      if (!res.headersSent) send(res, 500, '{"error":"internal"}');
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    server,
    inFlight: () => inFlight.size,
    close: async () => {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await stopped;
    },
  };
}
