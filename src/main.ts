/**
 * `npm start`: reads the environment, starts trialgram, stops it cleanly on SIGTERM/SIGINT: no
 * new updates are taken, those in flight are finished, then pools and the store are closed.
 */
import { type RunningApp, startApp } from './app.ts';
import { describeError } from './bot/errors.ts';
import { ConfigError, parseConfig } from './config.ts';
import { flushOutput, scrubSecrets, writeStderr } from './logger.ts';
import { startExitWatchdog } from './runtime/watchdog.ts';

/** Longest a graceful stop may take before the process gives up on it. */
const stopTimeoutMs = 30_000;
/** After this, a watchdog thread kills the process whose main thread could not even give up. */
const watchdogGraceMs = 500;

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  let app: RunningApp | undefined;
  let stopping = false;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    startExitWatchdog({
      limitMs: stopTimeoutMs + watchdogGraceMs,
      message: `Could not stop within ${stopTimeoutMs / 1000} s and the process is stuck; killing it.\n`,
    });
    writeStderr(`${reason}: finishing updates in flight, then stopping.\n`);
    const force = setTimeout(() => {
      writeStderr(`Could not stop within ${stopTimeoutMs / 1000} s; exiting anyway.\n`);
      process.exit(1);
    }, stopTimeoutMs).unref();
    (app?.stop() ?? Promise.resolve()).then(
      async () => {
        await flushOutput(1_000);
        clearTimeout(force);
        process.exit(exitCode);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));

  app = await startApp(config, { onFatal: () => stop('Long polling stopped', 1) });
  const { logger } = app;
  // A stray rejection is a bug to log, not a reason to drop every conversation in flight.
  process.on('unhandledRejection', (reason) =>
    logger.error({ error: describeError(reason) }, 'unhandled rejection'),
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const secrets = [process.env.BOT_TOKEN, process.env.PERFECTGYM_API_KEY, process.env.WEBHOOK_SECRET].filter(
    (secret): secret is string => typeof secret === 'string',
  );
  writeStderr(`trialgram failed to start: ${scrubSecrets(message, secrets)}\n`);
  process.exit(1);
});
