/**
 * Wires trialgram together from a Config: the studio (real or the embedded sandbox), the stores,
 * the bot, and how updates arrive (long polling, webhook, or the local playground).
 */
import { run } from '@grammyjs/runner';
import type { Update } from 'grammy/types';
import { describeError } from './bot/errors.ts';
import { allowedUpdates, createBot, type TrialgramBot } from './bot/index.ts';
import { updateType } from './bot/middlewares/count-updates.ts';
import type { Config } from './config.ts';
import type { FakeTelegram } from './fake-telegram/index.ts';
import { createLogger, type Logger, scrubSecrets, writeStderr } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { PerfectGymClient } from './perfectgym/client.ts';
import { confirmOnlyHandled } from './runtime/confirm-handled.ts';
import { type BotHttpServer, startHttpServer } from './runtime/http-server.ts';
import { reachTelegram } from './runtime/telegram-startup.ts';
import type { Sandbox } from './sandbox/index.ts';
import { createStores, type Stores } from './store/index.ts';
import { createStudioRegistry, type StudioRegistry, sandboxStudios } from './studio/registry.ts';

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
  const secrets = [
    ...(config.telegram.mode === 'telegram' ? [config.telegram.token] : []),
    ...config.studios.map((studio) => studio.apiKey),
    ...(config.webhook ? [config.webhook.secret] : []),
  ];
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
    let studios = config.studios;
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

    const stores = await createStores({
      url: config.storageUrl,
      conversationTtlMs: config.conversationTtlMs,
      onUnreadable: (namespace) =>
        logger.warn(
          { namespace },
          'unreadable stored value: a conversation starts afresh, anything else counts as absent',
        ),
    });
    if (stores.kind === 'redis' && !(await stores.ping())) {
      logger.warn('Redis is not reachable yet; starting anyway and reconnecting in the background');
    }
    cleanups.push(() => stores.close());
    const registry = createStudioRegistry({
      studios,
      timeoutMs: config.studio.timeoutMs,
      deadlineMs: config.studioDeadlineMs,
      cache: stores.kind === 'redis' ? stores.cache : undefined,
      ttlMs: config.cacheTtlMs,
      metrics,
      logger,
    });
    cleanups.push(() => registry.close());
    // The single-studio paths (health check) speak to the first; conversations to their own studio.
    const { client, catalog } = registry.studio();

    let fake: FakeTelegram | undefined;
    let token: string;
    let apiRoot: string | undefined;
    if (config.telegram.mode === 'telegram') {
      token = config.telegram.token;
      apiRoot = config.telegram.apiRoot;
    } else {
      const { createFakeTelegram } = await import('./fake-telegram/index.ts');
      fake = await createFakeTelegram({
        host: options.host ?? '127.0.0.1',
        bot: { username: 'trialgram_playground_bot', firstName: 'trialgram' },
      });
      cleanups.push(() => (fake as FakeTelegram).close());
      token = fake.token;
      apiRoot = fake.apiRoot;
    }

    const bot = createBot({
      token,
      ...(apiRoot ? { apiRoot } : {}),
      client,
      catalog,
      stores,
      logger,
      metrics,
      defaultLocale: config.defaultLocale,
      ...(config.privacyUrl ? { privacyUrl: config.privacyUrl } : {}),
      adminIds: config.adminIds,
      studios: registry,
      // The demo chain's plain /start opens its first studio (the playground walks it so).
      ...(sandbox ? { studioPicker: false } : {}),
      fallbackTimeZone: config.studioTimeZone,
      ...(config.phoneRegion ? { phoneRegion: config.phoneRegion } : {}),
      minAgeYears: config.minAgeYears,
      ...(config.staffChatId !== undefined ? { staffChatId: config.staffChatId } : {}),
    });
    // getMe here rather than in grammY's init, which retries silently and forever.
    bot.bot.botInfo = await reachTelegram({
      api: bot.bot.api,
      apiRoot: apiRoot ?? 'https://api.telegram.org',
      limitMs: config.telegramStartupTimeoutMs,
      logger,
    });
    await bot.init();
    cleanups.push(() => bot.close());
    // One line per update, like an access log: ids, type and duration, never its content.
    const handleUpdate = async (update: Update) => {
      const started = performance.now();
      await bot.handleUpdate(update);
      logger.info(
        {
          updateId: update.update_id,
          type: updateType(update),
          durationMs: Math.round(performance.now() - started),
        },
        'update handled',
      );
    };

    const health = [
      { name: 'store', check: () => stores.ping() },
      {
        name: 'studio',
        check: async () => {
          await client.getStudioInformation();
          return true;
        },
        cacheMs: options.studioHealthCacheMs ?? studioHealthCacheMs,
      },
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
      const polling = startPolling(bot, handleUpdate, logger, options.onFatal);
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

/**
 * Long polling with @grammyjs/runner: updates of different chats run concurrently, one chat's in
 * order (the bot's chat lock). Updates are confirmed to Telegram once handled (see
 * confirm-handled.ts), so a killed process's unfinished updates reach the next one. The runner's
 * own stop() does not wait for updates being handled, so they are tracked here; and the handled
 * updates are confirmed to Telegram before exiting, so the next process does not receive them again.
 */
function startPolling(
  bot: TrialgramBot,
  handleUpdate: (update: Update) => Promise<void>,
  logger: Logger,
  onFatal: ((error: unknown) => void) | undefined,
): { stop(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  type Signal = NonNullable<Parameters<typeof bot.bot.api.getUpdates>[1]>;
  const confirm = confirmOnlyHandled(
    (args: { offset: number; limit: number; timeout: number }, signal: Signal) =>
      bot.bot.api.getUpdates(args, signal).catch((error: unknown) => {
        if (!signal.aborted) {
          logger.warn({ error: describeError(error) }, 'fetching updates failed; retrying');
        }
        throw error;
      }),
  );
  const handle = run(
    {
      api: { getUpdates: confirm.getUpdates },
      init: () => bot.bot.init(),
      handleUpdate: (update: Update) => {
        const handling = handleUpdate(update);
        inFlight.add(handling);
        const done = () => {
          inFlight.delete(handling);
          confirm.finished(update.update_id);
        };
        void handling.then(done, done);
        return handling;
      },
      errorHandler: (error: unknown) => {
        logger.error({ error: describeError(error) }, 'update failed');
      },
    },
    // silent: the runner would print fetch errors to stderr unstructured; getUpdates above logs them.
    { runner: { fetch: { allowed_updates: [...allowedUpdates] }, silent: true } },
  );
  handle.task()?.catch((error: unknown) => {
    logger.fatal({ error: describeError(error) }, 'long polling stopped');
    onFatal?.(error);
  });
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        await handle.stop();
        await Promise.allSettled([...inFlight]);
        const offset = confirm.confirmOffset();
        if (offset === undefined) return;
        await bot.bot.api
          .getUpdates({ offset, limit: 1, timeout: 0 })
          .catch((error: unknown) =>
            logger.warn(
              { error: describeError(error) },
              'could not confirm the last updates; Telegram will send them again',
            ),
          );
      })();
      return stopped;
    },
  };
}
