/**
 * A last-resort guard for shutdown that does not depend on the main thread. The graceful stop has
 * its own timer, but a timer on the main thread cannot fire while that thread is blocked (a
 * synchronous write into a pipe nobody reads, a native call that never returns). This one runs on
 * a worker thread of its own and, once armed and `limitMs` later, kills the whole process with
 * SIGKILL: from a worker, `process.exit` would end only the worker, and no signal but SIGKILL is
 * sure to end a process whose main thread cannot run its handlers.
 *
 * The worker is started ahead (a thread does not come up while its parent is blocked) and armed
 * through shared memory, which needs nothing from the main thread's event loop.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

// Evaluated on the worker thread: it sleeps in a futex until armed. Its message goes
// straight to file descriptor 2 without waiting for the write: a worker's process.stderr is
// relayed through the (blocked) main thread, and a write into a full pipe must not hold up the kill.
const workerSource = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const fs = process.getBuiltinModule('node:fs');
const armed = new Int32Array(workerData.armed);
Atomics.wait(armed, 0, 0);
setTimeout(() => {
  const kill = () => process.kill(process.pid, 'SIGKILL');
  fs.write(2, workerData.message, kill);
  setTimeout(kill, 200);
}, workerData.limitMs);
`;

export interface ExitWatchdog {
  /** Resolves once the watchdog's thread runs. */
  readonly ready: Promise<void>;
  /** From now on, the process has `limitMs` to end by itself. */
  arm(): void;
}

/** Starts the watchdog's thread, idle until {@link ExitWatchdog.arm}. */
export function startExitWatchdog(options: { limitMs: number; message: string }): ExitWatchdog {
  const armed = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(workerSource, {
    eval: true,
    // Not the main thread's flags (`--input-type=module`, `-e …` would change what runs here).
    execArgv: [],
    workerData: { armed: armed.buffer, limitMs: options.limitMs, message: options.message },
  });
  // It must not keep a process alive that is done; process.exit ends it with the process.
  worker.unref();
  const ready = once(worker, 'online').then(() => undefined);
  // A watchdog that could not start must not take the process down with it.
  worker.on('error', () => undefined);
  return {
    ready,
    arm() {
      Atomics.store(armed, 0, 1);
      Atomics.notify(armed, 0);
    },
  };
}
