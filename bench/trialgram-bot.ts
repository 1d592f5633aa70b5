/**
 * trialgram under test, built by the composition root (`createTrialgram`, as `npm start` builds
 * it) and polling through `src/runtime/polling.ts`, minus the HTTP server. Kept apart from bots.ts
 * so that only the process that runs trialgram loads its modules.
 */
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startPolling } from '../src/runtime/polling.ts';
import { createTrialgram } from '../src/trialgram.ts';
import { type BotSpec, drainTimeoutMs, type LogCounter, type RunningBot } from './bots.ts';
import type { BotRecorder } from './instrument.ts';

/**
 * Configuration goes through `parseConfig`, so every default (log level, cache TTL, timeouts,
 * locale) is the production one. In its own process the bot logs as production does, to its
 * stdout, which the benchmark points at a file; in the benchmark's process (the smoke test) the
 * lines are counted instead.
 */
export async function startTrialgram(
  spec: BotSpec,
  recorder: BotRecorder,
  logs: LogCounter | undefined,
): Promise<RunningBot> {
  if (spec.studio === undefined || spec.storageUrl === undefined) {
    throw new Error('trialgram needs a studio and a storage URL');
  }
  const { chain } = spec;
  const config = parseConfig({
    BOT_TOKEN: spec.telegram.token,
    TELEGRAM_API_ROOT: spec.telegram.apiRoot,
    // A chain comes in as the composition root's `studios`, as the embedded sandbox's does.
    ...(chain ? {} : { PERFECTGYM_BASE_URL: spec.studio.url, PERFECTGYM_API_KEY: spec.studio.apiKey }),
    STORAGE_URL: spec.storageUrl,
  });
  const logger = logs
    ? createLogger({
        level: config.logLevel,
        destination: {
          write: (line: string) => {
            logs.lines += 1;
            if (/"level":(4|5|6)0/.test(line)) logs.warnings += 1;
          },
        },
      })
    : undefined;
  const trialgram = await createTrialgram(config, {
    ...(chain
      ? {
          studios: chain.map(({ url, ...studio }) => ({ ...studio, baseUrl: url, adminIds: [] })),
        }
      : {}),
    ...(logger ? { logger } : {}),
    onStudioCall: (event) => recorder.studioCall(event),
  });
  if (spec.recordStoredSizes !== false) recorder.watchStores(trialgram.stores);
  await trialgram.init();
  recorder.instrument(trialgram.bot.bot);
  await trialgram.bot.bot.api.deleteWebhook();
  const polling = startPolling({
    bot: trialgram.bot,
    handleUpdate: trialgram.handleUpdate,
    logger: trialgram.logger,
  });
  return {
    async stop() {
      await polling.stop();
      await recorder.whenIdle(drainTimeoutMs);
      await trialgram.close();
    },
  };
}
