import { describe, expect, test } from 'vitest';
import { confirmationDeadline, toEpochMinutes } from '../../src/booking/confirmation-deadline.ts';

const zone = 'Europe/Berlin';
const bookedAt = Date.parse('2026-03-28T17:30:00Z'); // Saturday 18:30 in Berlin, the day before DST starts

describe('confirmation deadline', () => {
  test.each([
    [{ value: 30, unit: 'MINUTES' }, '2026-03-28T18:00:00.000Z'],
    [{ value: 2, unit: 'HOURS' }, '2026-03-28T19:30:00.000Z'],
    // Calendar days keep the wall-clock time across the DST change: 18:30 Berlin is 16:30 UTC on Sunday.
    [{ value: 1, unit: 'DAY' }, '2026-03-29T16:30:00.000Z'],
    [{ value: 1, unit: 'WEEK' }, '2026-04-04T16:30:00.000Z'],
    [{ value: 1, unit: 'MONTH' }, '2026-04-28T16:30:00.000Z'],
    // 28 March 2027 is itself a DST Sunday, so 18:30 Berlin is 16:30 UTC again.
    [{ value: 1, unit: 'YEAR' }, '2027-03-28T16:30:00.000Z'],
  ] as const)('%o after booking ends at %s', (term, expected) => {
    const deadline = confirmationDeadline(bookedAt, term, zone);
    expect(deadline === undefined ? undefined : new Date(deadline).toISOString()).toBe(expected);
  });

  test('an unknown unit or a negative value gives no deadline', () => {
    expect(confirmationDeadline(bookedAt, { value: 1, unit: 'FORTNIGHT' } as never, zone)).toBeUndefined();
    expect(confirmationDeadline(bookedAt, { value: -1, unit: 'DAY' }, zone)).toBeUndefined();
  });

  test('epoch minutes round up, so a button never expires before the real deadline', () => {
    expect(toEpochMinutes(60_000)).toBe(1);
    expect(toEpochMinutes(60_001)).toBe(2);
  });
});
