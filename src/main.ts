/** `npm start`: reads the environment, starts trialgram, stops it cleanly on SIGTERM/SIGINT. */
import { startApp } from './app.ts';
import { ConfigError, parseConfig } from './config.ts';

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
  const app = await startApp(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: finishing updates in flight, then stopping.\n`);
    const force = setTimeout(() => process.exit(1), 30_000).unref();
    app.stop().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `trialgram failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
