/**
 * Calendar days in the studio's time zone. A "day" is counted as whole days since 1970-01-01 of
 * the studio's wall-clock calendar, so windows of days ("the next three days") and yyyy-MM-dd
 * parameters are plain integer arithmetic, with no DST surprises.
 */
import { formatInZone } from '../perfectgym/datetime.ts';

const msPerDay = 86_400_000;

/** The studio-calendar day an instant falls on. */
export function dayNumber(epochMs: number, zone: string): number {
  const iso = formatInZone(epochMs, zone, 'yyyy-MM-dd');
  return dayNumberOfIsoDate(iso);
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
