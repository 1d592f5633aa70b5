/**
 * Prometheus metrics (prom-client), one registry per bot instance so that tests and benchmarks
 * can run several side by side.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { type FunnelStage, funnelStages } from './booking/index.ts';
import type { EndpointName } from './perfectgym/endpoints.ts';
import {
  type ReminderKind,
  type ReminderOutcome,
  reminderKinds,
  reminderOutcomes,
} from './reminders/reminder.ts';

export type { FunnelStage } from './booking/index.ts';

export interface Metrics {
  readonly registry: Registry;
  updateHandled(type: string): void;
  funnel(stage: FunnelStage): void;
  /** `studio`: the chain's studio id (label `studio`); absent, the call counts without it. */
  studioCall(event: {
    endpoint: EndpointName;
    status: number | string;
    durationMs: number;
    studio?: string | undefined;
  }): void;
  telegramError(method: string, code: number | string): void;
  /** `count` reminders of `kind` reached `outcome` (scheduled, sent, late_dropped, …). */
  reminders(kind: ReminderKind, outcome: ReminderOutcome, count?: number): void;
  /** A booking was confirmed after a confirmation nudge had been sent for it. */
  confirmedAfterNudge(): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'trialgram_' });
  const updates = new Counter({
    name: 'trialgram_updates_total',
    help: 'Telegram updates handled, by update type',
    labelNames: ['type'],
    registers: [registry],
  });
  const funnel = new Counter({
    name: 'trialgram_booking_funnel_total',
    help: 'Prospects reaching each stage of the booking funnel',
    labelNames: ['stage'],
    registers: [registry],
  });
  for (const stage of funnelStages) funnel.inc({ stage }, 0);
  const studioCalls = new Counter({
    name: 'trialgram_studio_api_calls_total',
    help: 'Calls to the studio API, by studio, endpoint and HTTP status (or failure kind)',
    labelNames: ['endpoint', 'status', 'studio'],
    registers: [registry],
  });
  const studioLatency = new Histogram({
    name: 'trialgram_studio_api_duration_seconds',
    help: 'Studio API call latency, by studio and endpoint',
    labelNames: ['endpoint', 'studio'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const telegramErrors = new Counter({
    name: 'trialgram_telegram_api_errors_total',
    help: 'Errors answered by the Telegram Bot API, by method and error code',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const reminders = new Counter({
    name: 'trialgram_reminders_total',
    help: 'Reminders by kind and what became of them',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  for (const kind of reminderKinds)
    for (const outcome of reminderOutcomes) reminders.inc({ kind, outcome }, 0);
  const confirmedAfterNudge = new Counter({
    name: 'trialgram_reminders_confirmed_after_nudge_total',
    help: 'Bookings confirmed after a confirmation nudge was sent',
    registers: [registry],
  });
  return {
    registry,
    updateHandled: (type) => updates.inc({ type }),
    funnel: (stage) => funnel.inc({ stage }),
    studioCall: ({ endpoint, status, durationMs, studio }) => {
      const where = studio === undefined ? {} : { studio };
      studioCalls.inc({ endpoint, status: String(status), ...where });
      studioLatency.observe({ endpoint, ...where }, durationMs / 1000);
    },
    telegramError: (method, code) => telegramErrors.inc({ method, code: String(code) }),
    reminders: (kind, outcome, count = 1) => {
      if (count > 0) reminders.inc({ kind, outcome }, count);
    },
    confirmedAfterNudge: () => confirmedAfterNudge.inc(),
  };
}
