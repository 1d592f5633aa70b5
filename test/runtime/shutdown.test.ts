/**
 * Stopping `node src/main.ts` when its output goes nowhere: a log collector that stalled, so that
 * the pipes of stdout and stderr are full. Logging must not block the bot, and SIGTERM must still
 * end it within the promised 30 s. And the last-resort watchdog, which ends a process whose main
 * thread is stuck.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { botEnv, repoRoot, step } from './helpers.ts';

const helpText = /I book free trial sessions at the studio for you/;
/** What the README promises for a stop. */
const stopLimitMs = 30_000;

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function exited(child: ChildProcess) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A named pipe that nobody reads: its reading end stays open (as a stalled collector's would), the
 * process gets a writing end, and the test keeps a non-blocking writing end of its own to fill it.
 */
function stalledPipe(directory: string, name: string) {
  const path = join(directory, name);
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const forProcess = openSync(path, constants.O_WRONLY);
  const filler = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  cleanups.push(() => {
    for (const fd of [reader, filler]) closeSync(fd);
  });
  return {
    forProcess,
    /** Writes until the pipe takes no more. */
    fill() {
      const chunk = Buffer.alloc(4096, 'junk from a log line nobody reads\n');
      for (;;) {
        try {
          writeSync(filler, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
          throw error;
        }
      }
    },
  };
}

describe('a bot process whose output nobody reads any more', () => {
  it.each(['sqlite', 'memory'])(
    'keeps answering prospects and on SIGTERM exits 0 within 30 s (%s store)',
    { timeout: 90_000 },
    async (store) => {
      const sandbox: Sandbox = await createSandbox({ rateLimitPerMinute: false });
      cleanups.push(() => sandbox.close());
      const fake: FakeTelegram = await createFakeTelegram();
      cleanups.push(() => fake.close());
      const directory = mkdtempSync(join(tmpdir(), 'trialgram-stalled-'));
      cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
      const stdout = stalledPipe(directory, 'stdout');
      const stderr = stalledPipe(directory, 'stderr');

      const storageUrl = store === 'sqlite' ? `sqlite:${join(directory, 'trialgram.sqlite')}` : 'memory:';
      const env = botEnv({ fake, sandbox, storageUrl });
      const child = spawn(process.execPath, ['src/main.ts'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', stdout.forProcess, stderr.forProcess],
      });
      closeSync(stdout.forProcess);
      closeSync(stderr.forProcess);
      const exit = exited(child);
      cleanups.push(async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exit;
      });

      const user = fake.user({ firstName: 'Zofia' });
      await step(user, () => user.sendText('/help'), helpText, 20_000);

      // The collector stalls: both pipes fill up.
      stdout.fill();
      stderr.fill();
      // Each answer is followed by an "update handled" log line into the full pipe.
      for (let i = 0; i < 3; i++) await step(user, () => user.sendText('/help'), helpText);
      stdout.fill();
      stderr.fill();

      const stopped = Date.now();
      child.kill('SIGTERM');
      const result = await within(exit, stopLimitMs + 10_000, 'exit after SIGTERM');
      expect(Date.now() - stopped).toBeLessThan(stopLimitMs);
      expect(result).toEqual({ code: 0, signal: null });
    },
  );
});

describe('the exit watchdog', () => {
  /** Runs `body` in a process of its own after starting a watchdog with `limitMs`. */
  function runWithWatchdog(limitMs: number, body: string) {
    const watchdog = join(repoRoot, 'src/runtime/watchdog.ts');
    const script = `
      import { startExitWatchdog } from ${JSON.stringify(watchdog)};
      startExitWatchdog({ limitMs: ${limitMs}, message: 'watchdog: stuck, killing\\n' });
      ${body}
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exit = exited(child);
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    });
    return { exit, output: () => output };
  }

  it('kills the process when its limit passes while the main thread is stuck', async () => {
    const run = runWithWatchdog(
      300,
      `process.stdout.write('stuck now\\n');
      // The main thread waits in a futex forever: no timer, no signal handler of its own can run.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`,
    );
    expect(await within(run.exit, 15_000, 'the watchdog kill')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(run.output()).toContain('stuck now');
    expect(run.output()).toContain('watchdog: stuck, killing');
  });

  it('neither keeps alive nor kills a process that ends in time', async () => {
    const run = runWithWatchdog(20_000, `setTimeout(() => process.stdout.write('done\\n'), 100);`);
    // Well before the limit: the watchdog's thread does not hold the process.
    expect(await within(run.exit, 15_000, 'the natural exit')).toEqual({ code: 0, signal: null });
    expect(run.output()).toBe('done\n');
  });
});
