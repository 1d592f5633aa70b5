/** `npm run sandbox` as a person runs it: a real child process, stopped with a signal. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const mainPath = fileURLToPath(new URL('../../src/sandbox/main.ts', import.meta.url));

function start(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, [mainPath], { env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('npm run sandbox', () => {
  it('serves the demo chain, the first studio with the given key, and stops cleanly on SIGTERM', async () => {
    const { child, output } = start({ SANDBOX_PORT: '0', SANDBOX_API_KEY: 'main-test-key' });
    const done = exited(child);
    await waitFor(() => /listening on (http:\/\/\S+)/.test(output()) && output().includes('X-API-KEY'));
    const url = /listening on (http:\/\/\S+)/.exec(output())?.[1];
    expect(output()).toContain('X-API-KEY: main-test-key');
    const answer = await fetch(`${url}/v1/studios/information`, {
      headers: { 'X-API-KEY': 'main-test-key' },
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { name: string }).name).toBe('Studio Kiez Berlin');
    // The other studios of the demo chain, each behind its own key.
    expect(output()).toContain(
      'studio lisboa (Studio Kiez Lisboa, Europe/Lisbon): X-API-KEY main-test-key-lisboa',
    );
    const lisboa = await fetch(`${url}/v1/studios/information`, {
      headers: { 'X-API-KEY': 'main-test-key-lisboa' },
    });
    expect(((await lisboa.json()) as { name: string }).name).toBe('Studio Kiez Lisboa');
    child.kill('SIGTERM');
    expect(await done).toBe(0);
  });

  it('refuses an invalid SANDBOX_PORT, naming the variable', async () => {
    const { child, output } = start({ SANDBOX_PORT: 'eighty' });
    expect(await exited(child)).toBe(1);
    expect(output()).toContain('SANDBOX_PORT');
  });
});
