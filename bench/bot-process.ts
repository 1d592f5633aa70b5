/**
 * The bot under test in a process of its own (see bot-host.ts): starts it on "start", takes memory
 * readings on "mark", and on "finish" stops it, sends back what was measured, and exits.
 */

import type { FromBotProcess, ToBotProcess } from './bot-host.ts';
import { type BotSpec, type RunningBot, startBot } from './bots.ts';
import { BotRecorder } from './instrument.ts';

const recorder = new BotRecorder();
let bot: RunningBot | undefined;

function send(message: FromBotProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

async function start(spec: BotSpec): Promise<void> {
  // trialgram logs to stdout, as in production; the benchmark points it at a file and counts there.
  bot = await startBot(spec, recorder);
  await send({ type: 'ready' });
}

async function finish(): Promise<void> {
  await bot?.stop();
  await send({ type: 'report', report: { ...recorder.report(), logs: { lines: 0, warnings: 0 } } });
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: ToBotProcess) => {
  const task =
    message.type === 'start'
      ? start(message.spec)
      : message.type === 'mark'
        ? send({ type: 'marked', id: message.id, mark: recorder.markMemory(message.label) })
        : finish();
  task.catch(async (error: unknown) => {
    await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
});

// The benchmark went away: nothing left to measure for.
process.on('disconnect', () => process.exit(0));
