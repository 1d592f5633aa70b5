/**
 * `npm run bench -- --reminders`: a burst of reminders all due in the same minute, sent by a
 * process of its own (trialgram as the composition root builds it: the real stores, scheduler and
 * reminder delivery) to the fake Telegram in this process, naming the sandbox studio's address. Checks that each reminder reached its chat exactly once and that no second ever saw more
 * than REMINDER_RATE deliveries start (nor more than that many arrive at the fake Telegram), and
 * reports the sending process's CPU time per reminder.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFakeTelegram } from '../src/fake-telegram/index.ts';
import { createSandbox } from '../src/sandbox/index.ts';
import type { StoreKind } from './options.ts';
import type { FromSender, SenderSpec } from './reminder-sender.ts';
import { prepareStorage } from './storage.ts';

export interface ReminderBurstOptions {
  count: number;
  rate: number;
  store: StoreKind;
  progress?: (line: string) => void;
}

export interface ReminderBurstResult {
  count: number;
  rate: number;
  store: string;
  /** Reminders whose chat got exactly one message / none / more than one. */
  deliveredOnce: number;
  missing: number;
  duplicated: number;
  /** Most deliveries that started within any one second, in the sender. */
  maxStartsPerSecond: number;
  /** Most sendMessage calls that reached the fake Telegram within any one second. */
  maxArrivalsPerSecond: number;
  sendSeconds: number;
  achievedPerSecond: number;
  /** CPU time of the sending process from the first delivery to the last, per reminder. */
  cpuMsPerReminder: number;
  scheduleCpuMsPerReminder: number;
  scheduleMs: number;
  senderPeakRssMiB: number;
  /** All reminders once and the rate never exceeded. */
  ok: boolean;
}

/** The most timestamps within any window of one second. */
export function maxPerSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= 1000) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

const firstUserId = 900_000_000;

export async function runReminderBurst(options: ReminderBurstOptions): Promise<ReminderBurstResult> {
  const progress = options.progress ?? (() => undefined);
  const storage = await prepareStorage(options.store);
  const fake = await createFakeTelegram();
  const sandbox = await createSandbox({ rateLimitPerMinute: false });
  const child = fork(fileURLToPath(new URL('./reminder-sender.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    progress(`starting ${options.count} chats in the fake Telegram`);
    for (let i = 0; i < options.count; i++)
      await fake.user({ id: firstUserId + i, firstName: 'Bench' }).start();
    const callsBefore = fake.calls.length;
    const spec: SenderSpec = {
      storageUrl: storage.url,
      token: fake.token,
      apiRoot: fake.apiRoot,
      studio: { url: sandbox.url, apiKey: sandbox.apiKey },
      count: options.count,
      rate: options.rate,
      // All due at one moment (so within the same minute): one burst.
      dueAt: Date.now(),
      firstUserId,
    };
    const expectedSeconds = Math.ceil(options.count / options.rate);
    progress(
      `sending ${options.count} reminders at REMINDER_RATE=${options.rate} (${storage.description}); at least ${expectedSeconds} s`,
    );
    const messages: FromSender[] = [];
    const done = new Promise<Extract<FromSender, { type: 'done' }>>((resolve, reject) => {
      child.on('message', (message: FromSender) => {
        messages.push(message);
        if (message.type === 'scheduled') progress(`scheduled in ${Math.round(message.scheduleMs)} ms`);
        if (message.type === 'done') resolve(message);
        if (message.type === 'failed') reject(new Error(`the sender failed: ${message.message}`));
      });
      child.on('exit', (code) => reject(new Error(`the sender exited (code ${code})`)));
    });
    // Each reminder is one sendMessage (its map pin a sendVenue after it).
    const sentSoFar = () =>
      fake.calls.slice(callsBefore).filter((call) => call.method === 'sendMessage').length;
    const timer = setInterval(() => progress(`${sentSoFar()} sent`), 10_000);
    child.send({ type: 'start', spec });
    const report = await Promise.race([
      done,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error('the burst did not finish in time')),
          (expectedSeconds * 3 + 120) * 1000,
        ).unref(),
      ),
    ]).finally(() => clearInterval(timer));
    const scheduled = messages.find((m) => m.type === 'scheduled') as Extract<
      FromSender,
      { type: 'scheduled' }
    >;

    const sends = fake.calls.slice(callsBefore).filter((call) => call.method === 'sendMessage');
    const perChat = new Map<number, number>();
    for (const call of sends)
      perChat.set(Number(call.params.chat_id), (perChat.get(Number(call.params.chat_id)) ?? 0) + 1);
    let deliveredOnce = 0;
    let missing = 0;
    let duplicated = 0;
    for (let i = 0; i < options.count; i++) {
      const n = perChat.get(firstUserId + i) ?? 0;
      if (n === 1) deliveredOnce++;
      else if (n === 0) missing++;
      else duplicated++;
    }
    const maxStarts = maxPerSecond(report.starts);
    const maxArrivals = maxPerSecond(sends.map((call) => call.at));
    return {
      count: options.count,
      rate: options.rate,
      store: storage.description,
      deliveredOnce,
      missing,
      duplicated,
      maxStartsPerSecond: maxStarts,
      maxArrivalsPerSecond: maxArrivals,
      sendSeconds: report.sendSeconds,
      achievedPerSecond: options.count / report.sendSeconds,
      cpuMsPerReminder: report.sendCpuMs / options.count,
      scheduleCpuMsPerReminder: scheduled.scheduleCpuMs / options.count,
      scheduleMs: scheduled.scheduleMs,
      senderPeakRssMiB: report.peakRssBytes / 2 ** 20,
      ok: deliveredOnce === options.count && maxStarts <= options.rate,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
    await sandbox.close();
    await storage.cleanup().catch((error: unknown) => progress(`cleanup: ${(error as Error).message}`));
  }
}

export function formatReminderBurst(r: ReminderBurstResult): string {
  const n = (value: number, digits = 0) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return [
    `Reminder burst: ${n(r.count)} reminders due in the same minute, REMINDER_RATE=${r.rate}, ${r.store}`,
    '',
    '| Figure | Value |',
    '| --- | --- |',
    `| Each reminder sent once | ${n(r.deliveredOnce)} of ${n(r.count)} (missing ${r.missing}, duplicated ${r.duplicated}) |`,
    `| Most deliveries started in any one second (sender) | ${r.maxStartsPerSecond} (limit ${r.rate}) |`,
    `| Most messages reaching Telegram in any one second | ${r.maxArrivalsPerSecond} |`,
    `| Sending time, achieved rate | ${n(r.sendSeconds, 1)} s, ${n(r.achievedPerSecond, 1)} per second |`,
    `| Sender CPU per reminder (first delivery to last) | ${n(r.cpuMsPerReminder, 3)} ms |`,
    `| Scheduling the burst | ${n(r.scheduleMs)} ms, ${n(r.scheduleCpuMsPerReminder, 3)} ms CPU per reminder |`,
    `| Sender peak RSS | ${n(r.senderPeakRssMiB)} MiB |`,
    `| Verdict | ${r.ok ? 'met: each once, rate never exceeded' : 'MISSED'} |`,
  ].join('\n');
}
