/**
 * Helpers for the reminder tests: reminders to schedule, a `deliver` that records when each
 * delivery started and answers as told, condition waits, counters read from the metrics registry.
 */
import type { Metrics } from '../../src/metrics.ts';
import {
  type DeliveryResult,
  type DueReminder,
  type Reminder,
  type ReminderKind,
  type ReminderOutcome,
  reminderId,
} from '../../src/reminders/index.ts';

export const minute = 60_000;
export const hour = 60 * minute;

export function reminder(
  init: Partial<Omit<Reminder, 'id'>> & { userId: number; dueAt: number },
  bookingRef = 'b1',
): Reminder {
  const kind: ReminderKind = init.kind ?? 'slot_reminder';
  const leadMs = init.leadMs ?? 2 * hour;
  return {
    userId: init.userId,
    chatId: init.chatId ?? init.userId,
    bookingRef,
    kind,
    dueAt: init.dueAt,
    leadMs,
    slotStartAt: init.slotStartAt ?? init.dueAt + leadMs,
    payload: init.payload ?? { title: 'Yoga' },
    id: reminderId(init.userId, bookingRef, kind, init.dueAt),
  };
}

export interface RecordedDelivery {
  id: string;
  attempt: number;
  /** performance.now() + timeOrigin: comparable across processes on this machine. */
  startedAt: number;
  answeredAt?: number;
  result?: DeliveryResult;
}

/** A deliver that records every call; `answer` picks the result (default sent). */
export function recordingDeliver(
  answer: (reminder: DueReminder, call: number) => DeliveryResult | Promise<DeliveryResult> = () => ({
    status: 'sent',
  }),
) {
  const deliveries: RecordedDelivery[] = [];
  const deliver = async (r: DueReminder): Promise<DeliveryResult> => {
    const record: RecordedDelivery = {
      id: r.id,
      attempt: r.attempt,
      startedAt: performance.timeOrigin + performance.now(),
    };
    deliveries.push(record);
    const result = await answer(r, deliveries.length);
    record.result = result;
    record.answeredAt = performance.timeOrigin + performance.now();
    return result;
  };
  const timesDelivered = (id: string) => deliveries.filter((d) => d.id === id).length;
  return { deliver, deliveries, timesDelivered };
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export { setTimeout as sleep } from 'node:timers/promises';
/** The most deliveries that started within any one second (a sliding window): the benchmark's count. */
export { maxPerSecond as maxStartsPerSecond } from '../../bench/reminder-burst.ts';

export async function reminderCount(metrics: Metrics, kind: ReminderKind, outcome: ReminderOutcome) {
  const metric = await metrics.registry.getSingleMetric('trialgram_reminders_total')?.get();
  return metric?.values.find((v) => v.labels.kind === kind && v.labels.outcome === outcome)?.value ?? 0;
}
