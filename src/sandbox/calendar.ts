/**
 * Wall-clock arithmetic in the studio's zone. Slots are planned in local time ("every day at
 * 18:00"), so a day is not always 24 hours: across a DST change the instants shift, the wall times
 * do not.
 */
import { fromZonedTime } from 'date-fns-tz/fromZonedTime';
import { formatInZone } from '../perfectgym/datetime.ts';
import type { termWithMinutesUnits } from '../perfectgym/schemas.ts';

/** A calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

export const daysOfWeek = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
] as const;
export type DayOfWeek = (typeof daysOfWeek)[number];

export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;
export const dayMs = 24 * hourMs;

export function localDateOf(epochMs: number, zone: string): LocalDate {
  return formatInZone(epochMs, zone, 'yyyy-MM-dd');
}

/** The instant at which the wall clock in `zone` shows `time` (`HH:mm`) on `date`. */
export function atLocalTime(date: LocalDate, time: string, zone: string): number {
  return fromZonedTime(`${date}T${time}:00`, zone).getTime();
}

export function addDaysToDate(date: LocalDate, days: number): LocalDate {
  const utc = new Date(`${date}T00:00:00Z`);
  utc.setUTCDate(utc.getUTCDate() + days);
  return utc.toISOString().slice(0, 10);
}

export function dayOfWeekOf(date: LocalDate): DayOfWeek {
  const sundayFirst = new Date(`${date}T00:00:00Z`).getUTCDay();
  return daysOfWeek[(sundayFirst + 6) % 7] as DayOfWeek;
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD` (rejects 2024-02-30). */
export function isLocalDate(text: string): text is LocalDate {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

/** `HH:mm` to minutes after midnight. */
export function minutesOfDay(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** `minutes` after midnight to `HH:mm`. */
export function timeOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export type TermUnit = (typeof termWithMinutesUnits)[number];

/**
 * `epochMs` plus a term. Minutes and hours are exact durations; days and longer keep the wall
 * time in the studio zone (a one-day term booked at 18:00 ends at 18:00 the next day, DST or not),
 * and a month from January 31 ends on the last day of February.
 */
export function addTerm(epochMs: number, term: { value: number; unit: TermUnit }, zone: string): number {
  if (term.unit === 'MINUTES') return epochMs + term.value * minuteMs;
  if (term.unit === 'HOURS') return epochMs + term.value * hourMs;
  const wall = new Date(`${formatInZone(epochMs, zone, "yyyy-MM-dd'T'HH:mm:ss.SSS")}Z`);
  if (term.unit === 'DAY' || term.unit === 'WEEK') {
    wall.setUTCDate(wall.getUTCDate() + term.value * (term.unit === 'WEEK' ? 7 : 1));
  } else {
    const months = term.value * (term.unit === 'YEAR' ? 12 : 1);
    const day = wall.getUTCDate();
    wall.setUTCDate(1);
    wall.setUTCMonth(wall.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 0)).getUTCDate();
    wall.setUTCDate(Math.min(day, lastDay));
  }
  return fromZonedTime(wall.toISOString().slice(0, 23), zone).getTime();
}
