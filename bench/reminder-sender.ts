/**
 * The process that sends the reminder burst (see reminder-burst.ts): the real stores and
 * scheduler for STORAGE_URL, a `deliver` that sends through grammY to the fake Telegram. On
 * "start" it schedules the burst and starts sending; it reports when every reminder is done.
 */
import { Api } from 'grammy';
import { createMetrics } from '../src/metrics.ts';
import {
  createReminderScheduler,
  deliveryResultOf,
  type Reminder,
  reminderId,
} from '../src/reminders/index.ts';
import { createStores } from '../src/store/index.ts';

export interface SenderSpec {
  storageUrl: string;
  token: string;
  apiRoot: string;
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
  const stores = await createStores({ url: spec.storageUrl, conversationTtlMs: 3_600_000 });
  const api = new Api(spec.token, { apiRoot: spec.apiRoot });
  const metrics = createMetrics({ defaultMetrics: false });
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
  const scheduler = createReminderScheduler({
    stores,
    storageUrl: spec.storageUrl,
    ratePerSecond: spec.rate,
    metrics,
    deliver: async (reminder) => {
      if (firstStart === undefined) {
        firstStart = process.cpuUsage();
        firstStartAt = performance.now();
      }
      starts.push(performance.timeOrigin + performance.now());
      try {
        await api.sendMessage(reminder.chatId, `Reminder: ${String(reminder.payload.title)} starts soon.`);
        sent++;
        return { status: 'sent' };
      } catch (error) {
        failed++;
        return deliveryResultOf(error);
      } finally {
        if (sent + failed >= spec.count) finish();
      }
    },
  });
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 250);
  const reminders: Reminder[] = Array.from({ length: spec.count }, (_, i) => {
    const userId = spec.firstUserId + i;
    return {
      id: reminderId(userId, `bench${i}`, 'slot_reminder', spec.dueAt),
      userId,
      chatId: userId,
      bookingRef: `bench${i}`,
      kind: 'slot_reminder',
      dueAt: spec.dueAt,
      slotStartAt: spec.dueAt + 2 * 3_600_000,
      leadMs: 2 * 3_600_000,
      payload: { title: 'Yoga Flow', slotStart: new Date(spec.dueAt + 2 * 3_600_000).toISOString() },
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
  await scheduler.start();
  await finished;
  const sendCpuMs = cpuMs(firstStart);
  const sendSeconds = (performance.now() - firstStartAt) / 1000;
  clearInterval(rssTimer);
  await scheduler.close();
  await stores.close();
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
