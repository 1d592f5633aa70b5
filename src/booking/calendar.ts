/**
 * Calendar days in the studio's time zone. A "day" is counted as whole days since 1970-01-01 of
 * the studio's wall-clock calendar, so windows of days ("the next three days") and yyyy-MM-dd
 * parameters are plain integer arithmetic, with no DST surprises.
 */
import { remembered } from './remembered.ts';

const msPerDay = 86_400_000;

// en-CA writes dates as yyyy-MM-dd. One formatter per zone: a slot list asks for many days.
const isoDateFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Days already worked out, by zone and quarter hour: every zone's offset today is a whole number of
 * quarter hours, so all instants of one UTC quarter hour fall on the same day in any zone, and the
 * flow asks for the same few days again and again (today, each listed slot's day).
 */
const quarterHourMs = 15 * 60_000;
/** By zone, then by quarter hour (no key text built per call). */
const knownDays = new Map<string, (quarter: number) => number>();
const maxKnownDays = 4096;

/** The studio-calendar day an instant falls on. */
export function dayNumber(epochMs: number, zone: string): number {
  let days = knownDays.get(zone);
  if (days === undefined) {
    days = remembered(maxKnownDays, (quarter: number) => formattedDayNumber(quarter * quarterHourMs, zone));
    knownDays.set(zone, days);
  }
  return days(Math.floor(epochMs / quarterHourMs));
}

function formattedDayNumber(epochMs: number, zone: string): number {
  let formatter = isoDateFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    isoDateFormatters.set(zone, formatter);
  }
  return dayNumberOfIsoDate(formatter.format(epochMs));
}

export function dayNumberOfIsoDate(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / msPerDay);
}

/** yyyy-MM-dd of a day number. */
export function isoDateOfDay(day: number): string {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

/** A window of studio-calendar days: `fromDay` and the `days - 1` days after it. */
export interface SlotWindow {
  fromDay: number;
  days: number;
}

export function windowContains(window: SlotWindow, day: number): boolean {
  return day >= window.fromDay && day < window.fromDay + window.days;
}
