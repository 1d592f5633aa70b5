/**
 * What a reminder is, which ones a booking gets, and when a late one is still worth sending. Pure
 * (no I/O), so the booking flow can plan reminders as effects and the stores share one rule.
 */

export const reminderKinds = ['confirmation_nudge', 'lapse_notice', 'slot_reminder'] as const;
/**
 * - `confirmation_nudge`: before the confirmation deadline, while the booking is unconfirmed;
 * - `lapse_notice`: at the deadline, if still unconfirmed (the flow cancels it on confirmation);
 * - `slot_reminder`: before the slot starts.
 */
export type ReminderKind = (typeof reminderKinds)[number];

/** What happened to reminders, as counted in `trialgram_reminders_total{outcome}`. */
export const reminderOutcomes = [
  'scheduled',
  'sent',
  'late_dropped',
  'blocked',
  'cancelled',
  'failed',
] as const;
export type ReminderOutcome = (typeof reminderOutcomes)[number];

/** Small values the message needs (offer title, raw slot start, room…); no e-mail or phone. */
export type ReminderPayload = Readonly<Record<string, string | number | boolean | null>>;

export interface Reminder {
  /** Deterministic: the same booking, kind and point always give the same id (see reminderId). */
  readonly id: string;
  readonly userId: number;
  readonly chatId: number;
  /** The studio's booking id (or another stable reference of the booking). */
  readonly bookingRef: string;
  readonly kind: ReminderKind;
  /** When it is due, epoch ms. */
  readonly dueAt: number;
  /** When the slot starts, epoch ms: nothing is sent once it has started. */
  readonly slotStartAt: number;
  /** How far ahead of what it announces it is due; a reminder later than half of it is dropped. */
  readonly leadMs: number;
  readonly payload: ReminderPayload;
}

/** A reminder handed to `deliver`; attempt 2 means an earlier attempt's outcome is unknown. */
export interface DueReminder extends Reminder {
  readonly attempt: number;
}

/**
 * What `deliver` reports. Map Telegram's answers with `deliveryResultOf` (telegram.ts):
 * - `sent`: Telegram accepted the message;
 * - `blocked`: 403, the user blocked the bot: the user's remaining reminders are dropped;
 * - `rate_limited`: 429, nothing was sent; every sender pauses `retryAfterMs`, then it is tried again;
 * - `failed`: `retry: true` when the outcome is unknown (network, timeout, 5xx): tried once more
 *   later; `retry: false` when Telegram refused it for good (400): not tried again;
 * - `skipped`: the app found nothing to say any more (e.g. the booking was cancelled meanwhile):
 *   nothing sent, counted as cancelled.
 */
export type DeliveryResult =
  | { readonly status: 'sent' }
  | { readonly status: 'skipped' }
  | { readonly status: 'blocked' }
  | { readonly status: 'rate_limited'; readonly retryAfterMs: number }
  | { readonly status: 'failed'; readonly retry: boolean };

export type Deliver = (reminder: DueReminder) => Promise<DeliveryResult>;

/** A reminder still to be sent (or being sent), for /reminders and the playground's panel. */
export interface ScheduledReminder extends Reminder {
  readonly state: 'pending' | 'sending';
}

/** Every delivery of a reminder counts; after this many whose outcome is unknown it is given up. */
export const maxDeliveryAttempts = 2;

const bookingRefPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** `r.<userId>.<bookingRef>.<kind>.<dueAt>`; BullMQ job ids may not contain ':'. */
export function reminderId(userId: number, bookingRef: string, kind: ReminderKind, dueAt: number): string {
  if (!bookingRefPattern.test(bookingRef)) {
    throw new RangeError('a booking reference may only use A-Z, a-z, 0-9, _ and - (1-64 chars)');
  }
  return `r.${userId}.${bookingRef}.${kind}.${dueAt}`;
}

/** The prefix every id of one booking's reminders starts with. */
export function bookingIdPrefix(userId: number, bookingRef: string): string {
  return `r.${userId}.${bookingRef}.`;
}

/**
 * Send it now, or drop it as too late: a reminder is sent while its slot has not started and it is
 * late by less than half its lead time (a 24 h reminder up to 12 h late, a 10 min nudge up to 5 min).
 */
export function lateVerdict(reminder: Reminder, now: number): 'send' | 'late_dropped' {
  if (now >= reminder.slotStartAt) return 'late_dropped';
  return now - reminder.dueAt < reminder.leadMs / 2 ? 'send' : 'late_dropped';
}

export interface ReminderSettings {
  /** Before the slot's start (REMINDERS), e.g. [24 h, 2 h] in ms. */
  readonly slotLeadsMs: readonly number[];
  /** Before the confirmation deadline (CONFIRMATION_REMINDERS), e.g. [1 h, 10 min] in ms. */
  readonly confirmationLeadsMs: readonly number[];
}

export interface BookingForReminders {
  readonly userId: number;
  readonly chatId: number;
  readonly bookingRef: string;
  /** When the booking was made (the flow's clock), epoch ms. */
  readonly bookedAt: number;
  readonly slotStartAt: number;
  /** Set when the studio requires confirmation: nudges before it and a lapse notice at it. */
  readonly confirmationDeadlineAt?: number;
  readonly payload: ReminderPayload;
}

/** A confirmation nudge closer than this to the booking would only repeat what was just said. */
export const nudgeMinDelayMs = 5 * 60_000;

/**
 * The reminders a booking gets: slot reminders at each lead before the start, skipping points
 * already past; where confirmation is required, nudges at each lead before the deadline (skipping
 * points past or less than 5 minutes after the booking) and the lapse notice at the deadline
 * (when that is before the slot starts). Ordered by due time.
 */
export function planReminders(booking: BookingForReminders, settings: ReminderSettings): Reminder[] {
  const { userId, chatId, bookingRef, bookedAt, slotStartAt, confirmationDeadlineAt, payload } = booking;
  const planned = new Map<string, Reminder>();
  const add = (kind: ReminderKind, dueAt: number, leadMs: number) => {
    const id = reminderId(userId, bookingRef, kind, dueAt);
    planned.set(id, { id, userId, chatId, bookingRef, kind, dueAt, slotStartAt, leadMs, payload });
  };
  for (const lead of settings.slotLeadsMs) {
    if (slotStartAt - lead > bookedAt) add('slot_reminder', slotStartAt - lead, lead);
  }
  if (confirmationDeadlineAt !== undefined && confirmationDeadlineAt < slotStartAt) {
    for (const lead of settings.confirmationLeadsMs) {
      const dueAt = confirmationDeadlineAt - lead;
      if (dueAt >= bookedAt + nudgeMinDelayMs) add('confirmation_nudge', dueAt, lead);
    }
    // Its "lead" is the time from the deadline to the slot: a lapse notice is worth sending late
    // while the prospect could still book another slot before this one starts.
    if (confirmationDeadlineAt > bookedAt) {
      add('lapse_notice', confirmationDeadlineAt, slotStartAt - confirmationDeadlineAt);
    }
  }
  return [...planned.values()].sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id));
}

const durationPattern = /^(\d{1,6})(s|m|h|d)$/;
const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Reads a list of durations such as `24h,2h` or `90m, 45s` (`off` or empty: none) into ms, largest
 * first; throws a RangeError naming the item that is wrong.
 */
export function parseDurationList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === 'off' || trimmed === '') return [];
  const values = trimmed.split(',').map((item) => {
    const match = durationPattern.exec(item.trim());
    if (!match) {
      throw new RangeError(
        `has "${item.trim()}", which is not a duration like 24h, 90m or 45s (or use off for none)`,
      );
    }
    const value = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
    if (value === 0) throw new RangeError(`has "${item.trim()}": a duration must be more than zero`);
    return value;
  });
  return [...new Set(values)].sort((a, b) => b - a);
}
