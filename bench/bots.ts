/**
 * The two bots the benchmark drives: trialgram built by the composition root and long polling as
 * `npm start` does (against the fake Telegram and the sandbox studio), and the baseline, a bare grammY bot that
 * answers every message with one sendMessage. Both run under @grammyjs/runner like production.
 */
import { run } from '@grammyjs/runner';
import { Bot } from 'grammy';
import { allowedUpdates } from '../src/bot/allowed-updates.ts';
import type { BotRecorder } from './instrument.ts';

export type BotKind = 'trialgram' | 'baseline';

/** What a bot under test needs to know; plain data, so it can be sent to a child process. */
export interface BotSpec {
  kind: BotKind;
  telegram: { token: string; apiRoot: string };
  /** trialgram only. */
  studio?: { url: string; apiKey: string };
  /** trialgram only: a chain of several studios instead (the composition root's `studios`). */
  chain?: Array<{ id: string; url: string; apiKey: string; timeZone: string }>;
  /** trialgram only: STORAGE_URL. */
  storageUrl?: string;
  /**
   * trialgram only: record the size of every stored conversation (default true). The recorder
   * keeps one entry per conversation for that, so soak runs, which watch the heap, leave it off.
   */
  recordStoredSizes?: boolean;
}

export interface RunningBot {
  /** Stops taking updates, waits for those in flight, closes pools and the store. */
  stop(): Promise<void>;
}

/** Counts what trialgram logs (at the production default level) to spot trouble. */
export interface LogCounter {
  lines: number;
  warnings: number;
}

/** The update types trialgram asks for (as `src/app.ts` does); the baseline takes the same. */
export { allowedUpdates };

/** How long stop() waits for updates still being handled when the runner stops. */
export const drainTimeoutMs = 30_000;

/**
 * Starts the bot under test. `logs`: count trialgram's log lines in the process (the smoke test);
 * without it trialgram logs to its stdout as in production (a file, in the bot's own process).
 */
export async function startBot(spec: BotSpec, recorder: BotRecorder, logs?: LogCounter): Promise<RunningBot> {
  recorder.startSampling();
  let bot: RunningBot;
  if (spec.kind === 'baseline') bot = await startBaseline(spec, recorder);
  else {
    // Imported only here, so the baseline's process never loads (nor pays the memory of) trialgram.
    const { startTrialgram } = await import('./trialgram-bot.ts');
    bot = await startTrialgram(spec, recorder, logs);
  }
  recorder.botStarted();
  return bot;
}

/** The framework's floor: grammY, the runner, one sendMessage per message, nothing else. */
async function startBaseline(spec: BotSpec, recorder: BotRecorder): Promise<RunningBot> {
  const bot = new Bot(spec.telegram.token, { client: { apiRoot: spec.telegram.apiRoot } });
  bot.on('message', (ctx) => ctx.reply('ok'));
  await bot.init();
  recorder.instrument(bot);
  await bot.api.deleteWebhook();
  const runner = run(bot, { runner: { fetch: { allowed_updates: [...allowedUpdates] } } });
  return {
    async stop() {
      if (runner.isRunning()) await runner.stop();
      await recorder.whenIdle(drainTimeoutMs);
    },
  };
}
