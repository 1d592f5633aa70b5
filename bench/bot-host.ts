/**
 * Where the bot under test runs. By default in a child process of its own, so that its memory
 * (peak RSS, growth over a soak run) is the bot's alone and not the fake Telegram's, the sandbox
 * studio's or the simulated prospects'. In-process hosting is for the smoke test, which needs no
 * memory figures and starts faster.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BotSpec, type LogCounter, startBot } from './bots.ts';
import { BotRecorder, type BotSideReport, type MemoryMark } from './instrument.ts';

export type Isolation = 'process' | 'in-process';

export interface HostedReport extends BotSideReport {
  logs: LogCounter;
}

export interface BotHost {
  markMemory(label: string): Promise<MemoryMark>;
  /** Stops the bot (updates in flight finish first) and returns what was measured inside it. */
  finish(): Promise<HostedReport>;
  /** Ends the bot at once, for error paths. */
  abort(): void;
}

/** Messages between the benchmark and the bot's process. */
export type ToBotProcess =
  | { type: 'start'; spec: BotSpec }
  | { type: 'mark'; id: number; label: string }
  | { type: 'finish' };
export type FromBotProcess =
  | { type: 'ready' }
  | { type: 'marked'; id: number; mark: MemoryMark }
  | { type: 'report'; report: HostedReport }
  | { type: 'failed'; message: string };

const startTimeoutMs = 30_000;
/** Numbers the CPU profiles, one per bot process started, in the order of the run. */
let hostedBots = 0;
const replyTimeoutMs = 60_000;

/**
 * Starts the bot under test. `cpuProfileDir` (child process only) makes Node write a V8 CPU
 * profile of the bot's process there when it exits.
 */
export async function hostBot(spec: BotSpec, isolation: Isolation, cpuProfileDir?: string): Promise<BotHost> {
  return isolation === 'process' ? hostInChildProcess(spec, cpuProfileDir) : hostInProcess(spec);
}

async function hostInProcess(spec: BotSpec): Promise<BotHost> {
  const recorder = new BotRecorder();
  const logs: LogCounter = { lines: 0, warnings: 0 };
  const bot = await startBot(spec, recorder, logs);
  return {
    markMemory: async (label) => recorder.markMemory(label),
    async finish() {
      await bot.stop();
      return { ...recorder.report(), logs: { ...logs } };
    },
    abort() {
      void bot.stop().catch(() => undefined);
    },
  };
}

async function hostInChildProcess(spec: BotSpec, cpuProfileDir: string | undefined): Promise<BotHost> {
  const profile =
    cpuProfileDir === undefined
      ? []
      : [
          '--cpu-prof',
          `--cpu-prof-dir=${cpuProfileDir}`,
          `--cpu-prof-name=${String(++hostedBots).padStart(2, '0')}-${spec.kind}.cpuprofile`,
        ];
  // The bot's stdout (its JSON log lines, as in production) goes to a real file, counted at the end.
  const logDirectory = mkdtempSync(join(tmpdir(), 'trialgram-bench-log-'));
  const logPath = join(logDirectory, `${spec.kind}.log`);
  const logFd = openSync(logPath, 'w');
  const child = fork(fileURLToPath(new URL('./bot-process.ts', import.meta.url)), [], {
    // A full collection before each memory reading keeps garbage out of the soak figures.
    execArgv: ['--expose-gc', ...profile],
    stdio: ['ignore', logFd, 'inherit', 'ipc'],
  });
  closeSync(logFd);
  const removeLog = () => rmSync(logDirectory, { recursive: true, force: true });
  const waiters = new Set<{ accept(message: FromBotProcess): boolean; fail(error: Error): void }>();
  let exited: Error | undefined;
  child.on('message', (message: FromBotProcess) => {
    for (const waiter of waiters) if (waiter.accept(message)) return;
  });
  const onGone = (why: string) => {
    exited ??= new Error(`the bot's process ended (${why})`);
    for (const waiter of [...waiters]) waiter.fail(exited);
  };
  child.on('exit', (code, signal) => onGone(signal ? `signal ${signal}` : `exit code ${code}`));
  child.on('error', (error) => onGone(error.message));

  /** Sends a message and waits for the answer `pick` recognises; a 'failed' answer rejects. */
  function request<T>(
    message: ToBotProcess,
    pick: (reply: FromBotProcess) => T | undefined,
    timeoutMs: number,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (exited) {
        reject(exited);
        return;
      }
      const waiter = {
        accept(reply: FromBotProcess) {
          if (reply.type === 'failed') {
            done();
            reject(new Error(`the bot's process failed: ${reply.message}`));
            return true;
          }
          const value = pick(reply);
          if (value === undefined) return false;
          done();
          resolve(value);
          return true;
        },
        fail(error: Error) {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        done();
        child.kill('SIGKILL');
        reject(new Error(`the bot's process did not answer "${message.type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
      child.send(message);
    });
  }

  try {
    await request(
      { type: 'start', spec },
      (reply) => (reply.type === 'ready' ? true : undefined),
      startTimeoutMs,
    );
  } catch (error) {
    child.kill('SIGKILL');
    removeLog();
    throw error;
  }
  let nextMarkId = 1;
  return {
    markMemory(label) {
      const id = nextMarkId++;
      return request(
        { type: 'mark', id, label },
        (reply) => (reply.type === 'marked' && reply.id === id ? reply.mark : undefined),
        replyTimeoutMs,
      );
    },
    async finish() {
      const report = await request(
        { type: 'finish' },
        (reply) => (reply.type === 'report' ? reply.report : undefined),
        replyTimeoutMs,
      );
      await waitForExit(child);
      try {
        return { ...report, logs: countLogLines(readFileSync(logPath, 'utf8')) };
      } finally {
        removeLog();
      }
    },
    abort() {
      if (child.exitCode === null) child.kill('SIGKILL');
      removeLog();
    },
  };
}

/** Log lines and, among them, warnings and errors (pino levels 40, 50, 60). */
function countLogLines(text: string): LogCounter {
  const lines = text.split('\n').filter((line) => line.length > 0);
  return { lines: lines.length, warnings: lines.filter((line) => /"level":(4|5|6)0/.test(line)).length };
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
