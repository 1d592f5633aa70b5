/**
 * `npm run sandbox`: the demo studio on SANDBOX_PORT (default 8787) with SANDBOX_API_KEY
 * (default `sandbox-dev-key`), until SIGINT or SIGTERM.
 */
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
  const sandbox = await createSandbox({ port, apiKey, host });
  // The key is the sandbox's own development key, not a studio credential: printing it is the point.
  // One write: a reader that sees the first line sees the key too.
  process.stdout.write(
    [
      `Sandbox studio listening on ${sandbox.url}`,
      `X-API-KEY: ${sandbox.apiKey}`,
      `State: GET ${sandbox.url}/__sandbox/state (same X-API-KEY). Stop with Ctrl+C.`,
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
