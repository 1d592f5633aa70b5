/**
 * trialgram under test, wired as `src/app.ts` wires it in polling mode. Kept apart from bots.ts so
 * that only the process that runs trialgram loads its modules.
 */
import { run } from '@grammyjs/runner';
import { createBot } from '../src/bot/index.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { createPerfectGymClient } from '../src/perfectgym/client.ts';
import { createStores } from '../src/store/index.ts';
import { createStudioCatalog } from '../src/studio/catalog.ts';
import { allowedUpdates, type BotSpec, drainTimeoutMs, type LogCounter, type RunningBot } from './bots.ts';
import type { BotRecorder } from './instrument.ts';

/**
 * trialgram as `startApp` builds it in polling mode, minus the HTTP server and the playground, plus
 * the recorder's hooks (the client's onCall and the store's write hooks). Configuration goes
 * through `parseConfig`, so every default (cache TTL, timeouts, locale) is the production one.
 */
export async function startTrialgram(
  spec: BotSpec,
  recorder: BotRecorder,
  logs: LogCounter,
): Promise<RunningBot> {
  if (spec.studio === undefined || spec.storageUrl === undefined) {
    throw new Error('trialgram needs a studio and a storage URL');
  }
  const config = parseConfig({
    BOT_TOKEN: spec.telegram.token,
    TELEGRAM_API_ROOT: spec.telegram.apiRoot,
    PERFECTGYM_BASE_URL: spec.studio.url,
    PERFECTGYM_API_KEY: spec.studio.apiKey,
    STORAGE_URL: spec.storageUrl,
  });
  if (config.telegram.mode !== 'telegram' || config.studio.mode !== 'perfectgym') {
    throw new Error('the benchmark configuration must name Telegram and a studio');
  }
  // Logging costs what it costs in production; the lines go nowhere, but warnings are counted.
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.telegram.token, config.studio.apiKey],
    destination: {
      write: (line: string) => {
        logs.lines += 1;
        if (/"level":(4|5|6)0/.test(line)) logs.warnings += 1;
      },
    },
  });
  const metrics = createMetrics();
  const client = createPerfectGymClient({
    baseUrl: config.studio.baseUrl,
    apiKey: config.studio.apiKey,
    timeoutMs: config.studio.timeoutMs,
    onCall: (event) => {
      metrics.studioCall(event);
      recorder.studioCall(event);
    },
    logger,
  });
  const stores = await createStores({ url: config.storageUrl, conversationTtlMs: config.conversationTtlMs });
  if (spec.recordStoredSizes !== false) recorder.watchStores(stores);
  const catalog = createStudioCatalog({
    client,
    cache: stores.kind === 'redis' ? stores.cache : undefined,
    ttlMs: config.cacheTtlMs,
  });
  const bot = createBot({
    token: config.telegram.token,
    ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
    client,
    catalog,
    stores,
    logger,
    metrics,
    defaultLocale: config.defaultLocale,
    adminIds: config.adminIds,
    fallbackTimeZone: config.studioTimeZone,
  });
  await bot.init();
  recorder.instrument(bot.bot);
  await bot.bot.api.deleteWebhook();
  const runner = run(bot.bot, { runner: { fetch: { allowed_updates: [...allowedUpdates] } } });
  return {
    async stop() {
      if (runner.isRunning()) await runner.stop();
      await recorder.whenIdle(drainTimeoutMs);
      await bot.flush();
      await bot.close();
      await stores.close();
      await client.close();
    },
  };
}
