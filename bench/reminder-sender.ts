/**
 * The process that sends the reminder burst (see reminder-burst.ts): trialgram as the composition
 * root builds it for STORAGE_URL (stores, scheduler, the bot's own `deliver`, which renders each
 * reminder and sends it, with the studio's map pin, to the fake Telegram), the benchmark only timing
 * and counting each delivery through `wrapDeliver`. On "start" it schedules the burst and starts
 * sending; it reports when every reminder is done.
 */
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { type Reminder, reminderId } from '../src/reminders/index.ts';
import { createTrialgram, secretsOf } from '../src/trialgram.ts';

export interface SenderSpec {
  storageUrl: string;
  token: string;
  apiRoot: string;
  /** The sandbox studio whose name and address the reminders carry. */
  studio: { url: string; apiKey: string };
  count: number;
  rate: number;
  dueAt: number;
  firstUserId: number;
}

export type FromSender =
  | { type: 'scheduled'; scheduleCpuMs: number; scheduleMs: number }
  | {
      type: 'done';
      /** Epoch ms (fractional) at which each delivery started. */
      starts: number[];
      sendCpuMs: number;
      sendSeconds: number;
      sent: number;
      failed: number;
      peakRssBytes: number;
    }
  | { type: 'failed'; message: string };

const cpuMs = (since?: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function run(spec: SenderSpec): Promise<void> {
  const config = parseConfig({
    BOT_TOKEN: spec.token,
    TELEGRAM_API_ROOT: spec.apiRoot,
    PERFECTGYM_BASE_URL: spec.studio.url,
    PERFECTGYM_API_KEY: spec.studio.apiKey,
    STORAGE_URL: spec.storageUrl,
    REMINDER_RATE: String(spec.rate),
  });
  const starts: number[] = [];
  let sent = 0;
  let failed = 0;
  let peakRss = 0;
  let firstStart: NodeJS.CpuUsage | undefined;
  let firstStartAt = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const app = await createTrialgram(config, {
    // Logged as production does, on stderr: stdout is the benchmark's report.
    logger: createLogger({
      level: config.logLevel,
      secrets: secretsOf(config),
      destination: { write: (line: string) => void process.stderr.write(line) },
    }),
    metrics: createMetrics({ defaultMetrics: false }),
    wrapDeliver: (deliver) => async (reminder) => {
      if (firstStart === undefined) {
        firstStart = process.cpuUsage();
        firstStartAt = performance.now();
      }
      starts.push(performance.timeOrigin + performance.now());
      try {
        const result = await deliver(reminder);
        if (result.status === 'sent') sent++;
        else failed++;
        return result;
      } catch (error) {
        failed++;
        throw error;
      } finally {
        if (sent + failed >= spec.count) finish();
      }
    },
  });
  const scheduler = app.bot.reminders;
  if (!scheduler) throw new Error('trialgram was built without its reminder scheduler');
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 250);
  const slotStartAt = spec.dueAt + 2 * 3_600_000;
  const reminders: Reminder[] = Array.from({ length: spec.count }, (_, i) => {
    const userId = spec.firstUserId + i;
    // The payload a class booking's slot reminder carries (see planReminders' callers).
    const bookingRef = String(1 + i);
    return {
      id: reminderId(userId, bookingRef, 'slot_reminder', spec.dueAt),
      userId,
      chatId: userId,
      bookingRef,
      kind: 'slot_reminder',
      dueAt: spec.dueAt,
      slotStartAt,
      leadMs: 2 * 3_600_000,
      payload: { offer: 'Yoga Flow', offerCode: 'c1', zone: config.studioTimeZone },
    };
  });
  const scheduleCpu = process.cpuUsage();
  const scheduleStarted = performance.now();
  await scheduler.schedule(reminders);
  await send({
    type: 'scheduled',
    scheduleCpuMs: cpuMs(scheduleCpu),
    scheduleMs: performance.now() - scheduleStarted,
  });
  // Reaches the fake Telegram, sets the command menus and starts the scheduler.
  await app.init();
  await finished;
  const sendCpuMs = cpuMs(firstStart);
  const sendSeconds = (performance.now() - firstStartAt) / 1000;
  clearInterval(rssTimer);
  await app.close();
  await send({ type: 'done', starts, sendCpuMs, sendSeconds, sent, failed, peakRssBytes: peakRss });
}

function send(message: FromSender): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

process.on('message', (message: { type: 'start'; spec: SenderSpec }) => {
  run(message.spec).then(
    () => process.disconnect?.(),
    async (error: unknown) => {
      await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));
