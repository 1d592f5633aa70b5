/**
 * A last-resort guard for shutdown that does not depend on the main thread. The graceful stop has
 * its own timer, but a timer on the main thread cannot fire while that thread is blocked (a
 * synchronous write into a pipe nobody reads, a native call that never returns). This one runs on
 * a worker thread of its own (which comes up without help from the main thread) and, `limitMs`
 * after it was started, kills the whole process with SIGKILL: from a worker, `process.exit` would
 * end only the worker, and no signal but SIGKILL is sure to end a process whose main thread cannot
 * run its handlers. It is started only when a stop begins, so a running bot pays nothing for it
 * (a worker thread costs some 18 MiB).
 */
import { Worker } from 'node:worker_threads';

// Evaluated on the worker thread. Its message goes straight to file descriptor 2 without waiting
// for the write: a worker's process.stderr is relayed through the (blocked) main thread, and a
// write into a full pipe must not hold up the kill.
const workerSource = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const fs = process.getBuiltinModule('node:fs');
setTimeout(() => {
  const kill = () => process.kill(process.pid, 'SIGKILL');
  fs.write(2, workerData.message, kill);
  setTimeout(kill, 200);
}, workerData.limitMs);
`;

/** Kills this process `limitMs` from now unless it has ended by then, even when its main thread is stuck. */
export function startExitWatchdog(options: { limitMs: number; message: string }): void {
  const worker = new Worker(workerSource, {
    eval: true,
    // Not the main thread's flags (`--input-type=module`, `-e …` would change what runs here).
    execArgv: [],
    workerData: { limitMs: options.limitMs, message: options.message },
  });
  // It must not keep a process alive that is done; process.exit ends it with the process.
  worker.unref();
  // A watchdog that could not start must not take the process down with it.
  worker.on('error', () => undefined);
}
