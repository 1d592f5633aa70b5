/**
 * The composition root: the one place that builds the studio client, the stores, the shared
 * catalog and the bot from a Config, and the per-update log line around the bot. `src/app.ts`
 * (production and the playground), the benchmark and the bot tests all build trialgram here; what
 * they must observe or change comes in through {@link TrialgramOverrides}, never a second wiring.
 * How updates arrive (long polling in src/runtime/polling.ts, the webhook in the HTTP server) is
 * the caller's choice.
 */
import type { Update } from 'grammy/types';
import { describeError } from './bot/errors.ts';
import { createBot, type TrialgramBot } from './bot/index.ts';
import { updateType } from './bot/middlewares/count-updates.ts';
import type { Config } from './config.ts';
import { createLogger, type Logger, withoutRedaction } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { CallEvent, PerfectGymClient, PerfectGymClientOptions } from './perfectgym/client.ts';
import { createReminderScheduler, type Deliver } from './reminders/index.ts';
import { reachTelegram } from './runtime/telegram-startup.ts';
import { createStores, type Stores } from './store/index.ts';
import type { StudioCatalog } from './studio/catalog.ts';
import { createStudioRegistry, type StudioRegistry } from './studio/registry.ts';
import type { StudioConfig } from './studio/studios-file.ts';

export interface TrialgramOverrides {
  /** The studios when the config names none (`studio.mode` sandbox): the embedded sandbox's chain. */
  studios?: StudioConfig[];
  /** Or one studio by its address (a sandbox of one, a proxy in front of it). */
  studio?: { baseUrl: string; apiKey: string };
  /** Telegram when the config names none (the playground): the local Bot API's token and root. */
  telegram?: { token: string; apiRoot: string };
  /** Default: pino at `config.logLevel` on stdout, scrubbing the token, API key and webhook secret. */
  logger?: Logger;
  /** Default: a registry with Node's process metrics. */
  metrics?: Metrics;
  /** Sees every studio call attempt after the metrics (the benchmark's recorder). */
  onStudioCall?: (event: CallEvent) => void;
  /** Wraps the stores the bot gets (tests make one namespace fail). */
  wrapStores?: (stores: Stores) => Stores;
  /** Wraps the bot's reminder `deliver` the scheduler calls (the reminder benchmark times each one). */
  wrapDeliver?: (deliver: Deliver) => Deliver;
  /**
   * Client options on top of the config's (tests: `maxRateLimitWaitMs: 0` fails a locked endpoint's
   * call at once; a short timeout or fewer retries).
   */
  client?: Partial<Omit<PerfectGymClientOptions, 'baseUrl' | 'apiKey' | 'onCall' | 'logger'>>;
  /** The bot's clock, reminders included (tests and the playground: the sandbox clock). Default Date.now. */
  now?: () => number;
  /** REMINDERS and CONFIRMATION_REMINDERS instead of the config's (tests). */
  reminders?: Config['reminders'];
  /** `false`: a chain's plain /start opens its first studio, no picker (the sandbox's demo chain). */
  studioPicker?: boolean;
}

export interface Trialgram {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The first studio's client and catalog (the flow books there until it picks a studio). */
  readonly client: PerfectGymClient;
  /** The stores as opened (unwrapped); closed by {@link Trialgram.close}. */
  readonly stores: Stores;
  readonly catalog: StudioCatalog;
  /** Every studio of the chain: clients and catalogs made on first use. */
  readonly studios: StudioRegistry;
  readonly bot: TrialgramBot;
  /** Where the Bot API is (for messages). */
  readonly apiRoot: string;
  /** Reaches Telegram (getMe with logged retries, see telegram-startup.ts), then sets the command menus. */
  init(): Promise<void>;
  /** One update through the bot, then its `update handled` line (ids, type, duration; never content). */
  handleUpdate(update: Update): Promise<void>;
  /** Cancels the bot's timers and flushes staff notices, then closes the store and the studio pool. */
  close(): Promise<void>;
}

/** The secrets no log line may carry. */
export function secretsOf(config: Config): string[] {
  return [
    ...(config.telegram.mode === 'telegram' ? [config.telegram.token] : []),
    ...config.studios.map((studio) => studio.apiKey),
    ...(config.webhook ? [config.webhook.secret] : []),
  ];
}

/** The chain: configured studios, else the sandbox's (or the one studio) the caller brings. */
function studiosOf(config: Config, overrides: TrialgramOverrides): StudioConfig[] {
  if (config.studios.length > 0) return config.studios;
  if (overrides.studios) return overrides.studios;
  if (!overrides.studio) return [];
  return [
    {
      id: 'main',
      ...overrides.studio,
      ...(config.privacyUrl ? { privacyUrl: config.privacyUrl } : {}),
      ...(config.staffChatId !== undefined ? { staffChatId: config.staffChatId } : {}),
      adminIds: [],
      timeZone: config.studioTimeZone,
    },
  ];
}

export async function createTrialgram(
  config: Config,
  overrides: TrialgramOverrides = {},
): Promise<Trialgram> {
  const telegram = config.telegram.mode === 'telegram' ? config.telegram : overrides.telegram;
  const studios = studiosOf(config, overrides);
  if (studios.length === 0) throw new Error('createTrialgram: no studio configured and no sandbox given');
  if (!telegram) throw new Error('createTrialgram: no bot token configured and no local Bot API given');
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const metrics = overrides.metrics ?? createMetrics();

  let stores: Stores;
  try {
    stores = await createStores({
      url: config.storageUrl,
      conversationTtlMs: config.conversationTtlMs,
      onUnreadable: (namespace) =>
        logger.warn(
          { namespace },
          'unreadable stored value: a conversation starts afresh, anything else counts as absent',
        ),
    });
  } catch (error) {
    logger.error({ error: describeError(error) }, 'could not open the store');
    throw error;
  }
  if (stores.kind === 'redis' && !(await stores.ping())) {
    logger.warn('Redis is not reachable yet; starting anyway and reconnecting in the background');
  }
  // One process caches for itself; several instances share the cache in Redis.
  const registry = createStudioRegistry({
    studios,
    timeoutMs: config.studio.timeoutMs,
    deadlineMs: config.studioDeadlineMs,
    cache: stores.kind === 'redis' ? stores.cache : undefined,
    ttlMs: config.cacheTtlMs,
    metrics: {
      studioCall: (event) => {
        metrics.studioCall(event);
        overrides.onStudioCall?.(event);
      },
    },
    logger,
    ...(overrides.client ? { clientOptions: overrides.client } : {}),
  });
  const { client, catalog } = registry.studio();
  const apiRoot = telegram.apiRoot ?? 'https://api.telegram.org';
  const bot = createBot({
    token: telegram.token,
    ...(telegram.apiRoot ? { apiRoot: telegram.apiRoot } : {}),
    client,
    catalog,
    studios: registry,
    ...(overrides.studioPicker !== undefined ? { studioPicker: overrides.studioPicker } : {}),
    stores: overrides.wrapStores ? overrides.wrapStores(stores) : stores,
    logger,
    metrics,
    defaultLocale: config.defaultLocale,
    ...(config.privacyUrl ? { privacyUrl: config.privacyUrl } : {}),
    adminIds: config.adminIds,
    fallbackTimeZone: config.studioTimeZone,
    ...(config.phoneRegion ? { phoneRegion: config.phoneRegion } : {}),
    minAgeYears: config.minAgeYears,
    ...(config.staffChatId !== undefined ? { staffChatId: config.staffChatId } : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
    // The scheduler is built around the bot's `deliver`, on the stores; the bot closes it first.
    reminders: {
      settings: overrides.reminders ?? config.reminders,
      create: (deliver) =>
        createReminderScheduler({
          stores,
          storageUrl: config.storageUrl,
          deliver: overrides.wrapDeliver ? overrides.wrapDeliver(deliver) : deliver,
          ratePerSecond: (overrides.reminders ?? config.reminders).ratePerSecond,
          ...(overrides.now ? { now: overrides.now } : {}),
          metrics,
          logger,
        }),
    },
  });

  // The line of every update holds numbers and a type only, so it skips the redaction pass.
  const accessLog = withoutRedaction(logger);
  let closed: Promise<void> | undefined;
  return {
    config,
    logger,
    metrics,
    client,
    stores,
    catalog,
    studios: registry,
    bot,
    apiRoot,
    async init() {
      // getMe here rather than in grammY's init, which retries silently and forever.
      bot.bot.botInfo = await reachTelegram({
        api: bot.bot.api,
        apiRoot,
        limitMs: config.telegramStartupTimeoutMs,
        logger,
      });
      await bot.init();
    },
    async handleUpdate(update) {
      const started = performance.now();
      await bot.handleUpdate(update);
      accessLog.info(
        {
          updateId: update.update_id,
          type: updateType(update),
          durationMs: Math.round(performance.now() - started),
        },
        'update handled',
      );
    },
    close() {
      closed ??= (async () => {
        for (const step of [() => bot.close(), () => stores.close(), () => registry.close()]) {
          await step().catch((error: unknown) =>
            logger.error({ error: describeError(error) }, 'cleanup failed'),
          );
        }
      })();
      return closed;
    },
  };
}
