import { expect, it } from 'vitest';
import { dayNumber, dayNumberOfIsoDate } from '../../src/booking/calendar.ts';

/** The day as Intl says, without any memo. */
function formattedDay(epochMs: number, zone: string): number {
  const iso = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(epochMs);
  return dayNumberOfIsoDate(iso);
}

it.each([
  ['Europe/Berlin', '2026-03-28T00:00:00Z'], // the night clocks go forward
  ['Europe/Berlin', '2026-10-24T00:00:00Z'], // and back
  ['Asia/Kathmandu', '2026-06-01T00:00:00Z'], // UTC+5:45
  ['Pacific/Chatham', '2026-04-04T00:00:00Z'], // UTC+12:45/+13:45, DST ends
  ['America/St_Johns', '2026-11-01T00:00:00Z'], // UTC-3:30/-2:30, DST ends
])('the studio day of every minute around midnight in %s is the calendar day there', (zone, from) => {
  const start = Date.parse(from);
  for (let minute = 0; minute < 3 * 24 * 60; minute += 7) {
    const at = start + minute * 60_000 + 13_000;
    expect(dayNumber(at, zone), new Date(at).toISOString()).toBe(formattedDay(at, zone));
  }
});
