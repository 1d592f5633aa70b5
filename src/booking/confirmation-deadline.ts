/**
 * When a booking that needs confirmation lapses: the trial-offer config's
 * `confirmationOfBookingTerm` (value + unit) counted from the moment of booking. Minutes and hours
 * are exact durations; days and longer are calendar steps in the studio's zone, so "1 DAY" booked at
 * 18:00 before a DST change still ends at 18:00 the next day.
 */
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { addWeeks } from 'date-fns/addWeeks';
import { addYears } from 'date-fns/addYears';
import { fromZonedTime } from 'date-fns-tz/fromZonedTime';
import { toZonedTime } from 'date-fns-tz/toZonedTime';
import type { SupportedLocale } from '../config.ts';
import type { TermWithMinutes } from '../perfectgym/schemas.ts';
import { formatLongDate, formatTime } from './format.ts';

/** The deadline in epoch ms, or `undefined` for a unit this code does not know or a negative value. */
export function confirmationDeadline(
  bookedAtMs: number,
  term: TermWithMinutes,
  zone: string,
): number | undefined {
  const { value, unit } = term;
  if (!Number.isInteger(value) || value < 0) return undefined;
  switch (unit) {
    case 'MINUTES':
      return bookedAtMs + value * 60_000;
    case 'HOURS':
      return bookedAtMs + value * 3_600_000;
    case 'DAY':
      return inZone(bookedAtMs, zone, (d) => addDays(d, value));
    case 'WEEK':
      return inZone(bookedAtMs, zone, (d) => addWeeks(d, value));
    case 'MONTH':
      return inZone(bookedAtMs, zone, (d) => addMonths(d, value));
    case 'YEAR':
      return inZone(bookedAtMs, zone, (d) => addYears(d, value));
    default:
      return undefined;
  }
}

function inZone(epochMs: number, zone: string, step: (wallClock: Date) => Date): number {
  return fromZonedTime(step(toZonedTime(epochMs, zone)), zone).getTime();
}

/** Epoch minutes, rounded up so a deadline carried in a button is never earlier than the real one. */
export function toEpochMinutes(epochMs: number): number {
  return Math.ceil(epochMs / 60_000);
}

/**
 * The deadline as the confirmation message names it, date and time apart, so each language joins
 * them its own way ("by Thursday, 13 June 2030 at 12:00", "bis Donnerstag, 13. Juni 2030 um 12:00 Uhr").
 */
export function deadlineArgs(
  deadlineMs: number,
  zone: string,
  locale: SupportedLocale,
): { deadlineDate: string; deadlineTime: string } {
  return {
    deadlineDate: formatLongDate(deadlineMs, zone, locale),
    deadlineTime: formatTime(deadlineMs, zone, locale),
  };
}
