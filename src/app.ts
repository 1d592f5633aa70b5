/**
 * Runs trialgram from a Config: the embedded sandbox studio and the local Bot API when the config
 * names none, trialgram itself from the composition root (src/trialgram.ts), and how updates
 * arrive (long polling, webhook, or the local playground), with the HTTP server.
 */
import { describeError } from './bot/errors.ts';
import { allowedUpdates, type TrialgramBot } from './bot/index.ts';
import type { Config } from './config.ts';
import type { FakeTelegram } from './fake-telegram/index.ts';
import { createLogger, type Logger, scrubSecrets, writeStderr } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { PerfectGymClient } from './perfectgym/client.ts';
import { type BotHttpServer, type HealthCheck, startHttpServer } from './runtime/http-server.ts';
import { startPolling } from './runtime/polling.ts';
import type { Sandbox } from './sandbox/index.ts';
import type { Stores } from './store/index.ts';
import { type StudioRegistry, sandboxStudios } from './studio/registry.ts';
import { createTrialgram, secretsOf } from './trialgram.ts';

export interface RunningApp {
  readonly bot: TrialgramBot;
  readonly stores: Stores;
  readonly metrics: Metrics;
  /** The first studio's client (the single-studio path). */
  readonly client: PerfectGymClient;
  /** Every studio of the chain, each created on first use. */
  readonly studios: StudioRegistry;
  readonly http?: BotHttpServer;
  readonly sandbox?: Sandbox;
  readonly fake?: FakeTelegram;
  readonly playgroundUrl?: string;
  readonly logger: Logger;
  /** Stops taking updates, finishes those in flight, closes pools and the store. */
  stop(): Promise<void>;
}

export interface StartAppOptions {
  logger?: Logger;
  /** Human-facing start-up lines (URLs, sandbox mode). Defaults to stderr. */
  announce?: (line: string) => void;
  /** Serve /healthz and /metrics in polling mode too (on config.port). Default true. */
  httpInPollingMode?: boolean;
  /** Loopback host for everything the app listens on in tests (overrides `HOST`). */
  host?: string;
  /** How long /healthz reuses the studio's answer. Default {@link studioHealthCacheMs}. */
  studioHealthCacheMs?: number;
  /** Passed to the embedded sandbox studio. */
  sandboxOptions?: Parameters<typeof import('./sandbox/index.ts').createSandbox>[0];
  /**
   * Long polling stopped for good (Telegram refused the token, or another process polls the same
   * bot). Default: logged; `npm start` exits so that a supervisor restarts it.
   */
  onFatal?: (error: unknown) => void;
}

/** /healthz asks the studio at most once per this interval, whatever the probe rate. */
export const studioHealthCacheMs = 15_000;

export async function startApp(config: Config, options: StartAppOptions = {}): Promise<RunningApp> {
  const secrets = secretsOf(config);
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets });
  const writeLine = options.announce ?? ((line: string) => writeStderr(`${line}\n`));
  // WEBHOOK_URL may carry the bot token in its path; what is announced is scrubbed like a log line.
  const announce = (line: string) => writeLine(scrubSecrets(line, secrets));
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse())
      await fn().catch((error) => logger.error({ error: describeError(error) }, 'cleanup failed'));
  };

  try {
    const metrics = createMetrics();

    let sandbox: Sandbox | undefined;
    let studios: ReturnType<typeof sandboxStudios> | undefined;
    if (config.studio.mode === 'sandbox') {
      const { createSandbox, demoChain } = await import('./sandbox/index.ts');
      const own = options.sandboxOptions ?? {};
      // The demo chain, unless the caller brings its own studio (data, key or clock).
      const chain = !own.seed && !own.apiKey && !own.clock && !own.studios;
      sandbox = await createSandbox({
        host: options.host ?? '127.0.0.1',
        ...(chain ? { studios: [...demoChain] } : {}),
        ...own,
      });
      cleanups.push(() => (sandbox as Sandbox).close());
      studios = sandboxStudios(sandbox, config);
      announce(
        `SANDBOX MODE: no PERFECTGYM_BASE_URL/PERFECTGYM_API_KEY set (nor STUDIOS_FILE), so bookings go to the embedded sandbox studio at ${sandbox.url} (demo data, nothing reaches a real studio; studios ${sandbox.studios.map((studio) => studio.id).join(', ')}).`,
      );
    }

    let fake: FakeTelegram | undefined;
    let telegram: { token: string; apiRoot: string } | undefined;
    if (config.telegram.mode === 'playground') {
      const { createFakeTelegram } = await import('./fake-telegram/index.ts');
      fake = await createFakeTelegram({
        host: options.host ?? '127.0.0.1',
        bot: { username: 'trialgram_playground_bot', firstName: 'trialgram' },
      });
      cleanups.push(() => (fake as FakeTelegram).close());
      telegram = { token: fake.token, apiRoot: fake.apiRoot };
    }

    const trialgram = await createTrialgram(config, {
      logger,
      metrics,
      // The sandbox's clock, so the playground's clock control moves the bot's time and its reminders.
      ...(sandbox ? { now: () => (sandbox as Sandbox).clock.now() } : {}),
      ...(studios ? { studios } : {}),
      ...(telegram ? { telegram } : {}),
    });
    cleanups.push(() => trialgram.close());
    const { bot, stores, client, studios: registry } = trialgram;
    await trialgram.init();
    const handleUpdate = trialgram.handleUpdate;

    const cacheMs = options.studioHealthCacheMs ?? studioHealthCacheMs;
    const studioCheck = (studio: () => PerfectGymClient) => async () => {
      await studio().getStudioInformation();
      return true;
    };
    // A chain reports each studio; one studio of several being down leaves the instance ready.
    const health: HealthCheck[] = [
      { name: 'store', check: () => stores.ping() },
      ...(registry.ids.length > 1
        ? registry.ids.map((id) => ({
            name: id,
            group: 'studios',
            check: studioCheck(() => registry.studio(id).client),
            cacheMs,
          }))
        : [{ name: 'studio', check: studioCheck(() => client), cacheMs }]),
    ];

    // One server for /healthz, /metrics and, in webhook mode, the webhook itself.
    let http: BotHttpServer | undefined;
    const { webhook } = config;
    if (webhook || (options.httpInPollingMode ?? true)) {
      http = await startHttpServer({
        port: config.port,
        host: options.host ?? config.host,
        logger,
        metrics: metrics.registry,
        health,
        ...(webhook
          ? {
              webhook: {
                path: new URL(webhook.url).pathname || '/',
                secret: webhook.secret,
                handle: handleUpdate,
              },
            }
          : {}),
      });
      const server = http;
      cleanups.push(() => server.close());
    }
    if (webhook) {
      await bot.bot.api.setWebhook(webhook.url, {
        secret_token: webhook.secret,
        allowed_updates: [...allowedUpdates],
      });
      const listening = http?.server.address();
      const where =
        typeof listening === 'object' && listening !== null
          ? `${listening.address}:${listening.port}`
          : `port ${config.port}`;
      announce(`Webhook mode: Telegram posts to ${webhook.url}; serving on ${where} (HOST, PORT).`);
    } else {
      await bot.bot.api.deleteWebhook();
      const polling = startPolling({ bot, handleUpdate, logger, onFatal: options.onFatal });
      cleanups.push(() => polling.stop());
      announce(`Long polling as @${bot.bot.botInfo.username}.`);
    }

    let playgroundUrl: string | undefined;
    if (fake && sandbox) {
      const { startPlayground } = await import('./playground/index.ts');
      const playground = await startPlayground({
        fake,
        sandbox: { url: sandbox.url, apiKey: sandbox.apiKey, studios: sandbox.studios },
        port: config.telegram.mode === 'playground' ? config.telegram.port : 0,
        host: options.host ?? config.host,
        logger,
        ...(bot.reminders ? { reminders: bot.reminders } : {}),
      });
      cleanups.push(() => playground.close());
      playgroundUrl = playground.url;
      announce(`Playground: open ${playground.url} to chat with the bot (no BOT_TOKEN set).`);
    }

    logger.info(
      {
        mode: config.webhook ? 'webhook' : 'polling',
        storage: stores.kind,
        studio: config.studio.mode,
        ...(http ? { httpUrl: http.url } : {}),
      },
      'trialgram started',
    );
    let stopped: Promise<void> | undefined;
    return {
      bot,
      stores,
      metrics,
      client,
      studios: registry,
      ...(http ? { http } : {}),
      ...(sandbox ? { sandbox } : {}),
      ...(fake ? { fake } : {}),
      ...(playgroundUrl ? { playgroundUrl } : {}),
      logger,
      stop: () => {
        stopped ??= (async () => {
          logger.info('stopping: no new updates, finishing those in flight');
          await cleanup();
          logger.info('stopped');
        })();
        return stopped;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
