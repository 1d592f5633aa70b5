/**
 * `npm run sandbox`: the demo chain on SANDBOX_PORT (default 8787), until SIGINT or SIGTERM. The
 * first studio (Berlin, the demo studio) answers SANDBOX_API_KEY (default `sandbox-dev-key`), each
 * other one `<that key>-<studio id>`.
 */
import { demoChain } from './seed.ts';
import { createSandbox } from './server.ts';

const defaultPort = 8787;
const defaultApiKey = 'sandbox-dev-key';

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return defaultPort;
  const port = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new Error(
      `SANDBOX_PORT must be a port number from 0 to 65535 (0: any free port), got ${JSON.stringify(raw)}`,
    );
  }
  return port;
}

async function main(): Promise<void> {
  let port: number;
  try {
    port = parsePort(process.env.SANDBOX_PORT);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
    return;
  }
  const apiKey = process.env.SANDBOX_API_KEY?.trim() || defaultApiKey;
  const host = process.env.SANDBOX_HOST?.trim() || '127.0.0.1';
  const sandbox = await createSandbox({
    port,
    host,
    studios: demoChain.map((studio, index) => ({
      id: studio.id,
      apiKey: index === 0 ? apiKey : `${apiKey}-${studio.id}`,
      seed: studio.seed,
    })),
  });
  // The keys are the sandbox's own development keys, not studio credentials: printing them is the
  // point. One write: a reader that sees the first line sees the keys too.
  process.stdout.write(
    [
      `Sandbox studio listening on ${sandbox.url}`,
      `X-API-KEY: ${sandbox.apiKey}`,
      ...sandbox.studios.map(
        (studio) => `  studio ${studio.id} (${studio.name}, ${studio.zone}): X-API-KEY ${studio.apiKey}`,
      ),
      `State: GET ${sandbox.url}/__sandbox/state (with a studio's X-API-KEY). Stop with Ctrl+C.`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}, stopping the sandbox studio.`);
    void sandbox.close().then(() => {
      process.exitCode = 0;
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Could not start the sandbox studio: ${message}`);
  process.exitCode = 1;
});
