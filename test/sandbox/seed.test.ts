import { describe, expect, it } from 'vitest';
import { addTerm } from '../../src/sandbox/calendar.ts';
import { createSandboxClock, demoSeed } from '../../src/sandbox/index.ts';
import { day, hour, mondayNineAm } from './helpers.ts';

describe('demoSeed', () => {
  it('is deterministic for a given time', () => {
    expect(demoSeed(mondayNineAm)).toStrictEqual(demoSeed(mondayNineAm));
    expect(demoSeed(mondayNineAm + 3 * hour)).toStrictEqual(demoSeed(mondayNineAm));
    expect(demoSeed(mondayNineAm + day)).not.toStrictEqual(demoSeed(mondayNineAm));
  });

  it('has the offers the demo needs', () => {
    const seed = demoSeed(mondayNineAm);
    expect(seed.classes.length).toBeGreaterThanOrEqual(5);
    expect(seed.classes.some((seedClass) => !seedClass.bookable)).toBe(true);
    expect(Math.max(...seed.classes.map((seedClass) => seedClass.slots.length))).toBeGreaterThan(25);
    expect(seed.appointments.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seed.appointments.map((appointment) => appointment.trialOfferConfigId)).size).toBe(3);
    expect(seed.customers.map((customer) => customer.email)).toContain('known@example.com');
    const slotIds = seed.classes.flatMap((seedClass) => seedClass.slots.map((slot) => slot.id));
    expect(new Set(slotIds).size).toBe(slotIds.length);
  });
});

describe('createSandboxClock', () => {
  it('starts where told, ticks with real time, and moves by advance and set', async () => {
    const clock = createSandboxClock(mondayNineAm);
    expect(clock.now() - mondayNineAm).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(clock.now() - mondayNineAm).toBeGreaterThanOrEqual(50);
    clock.advance(day);
    expect(clock.now() - mondayNineAm).toBeGreaterThanOrEqual(day);
    clock.set(mondayNineAm - day);
    expect(Math.abs(clock.now() - (mondayNineAm - day))).toBeLessThan(50);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });

  it('defaults to real time', () => {
    expect(Math.abs(createSandboxClock().now() - Date.now())).toBeLessThan(50);
  });
});

describe('addTerm', () => {
  const zone = 'Europe/Berlin';
  it('keeps the wall time for days across the summer-time change, not for hours', () => {
    const saturdayEvening = Date.parse('2030-03-30T18:00:00+01:00');
    expect(addTerm(saturdayEvening, { value: 1, unit: 'DAY' }, zone)).toBe(
      Date.parse('2030-03-31T18:00:00+02:00'),
    );
    expect(addTerm(saturdayEvening, { value: 24, unit: 'HOURS' }, zone)).toBe(
      Date.parse('2030-03-31T19:00:00+02:00'),
    );
    expect(addTerm(saturdayEvening, { value: 1, unit: 'WEEK' }, zone)).toBe(
      Date.parse('2030-04-06T18:00:00+02:00'),
    );
  });

  it('ends a month from January 31 on the last day of February', () => {
    const start = Date.parse('2030-01-31T10:00:00+01:00');
    expect(addTerm(start, { value: 1, unit: 'MONTH' }, zone)).toBe(Date.parse('2030-02-28T10:00:00+01:00'));
    expect(addTerm(start, { value: 1, unit: 'YEAR' }, zone)).toBe(Date.parse('2031-01-31T10:00:00+01:00'));
    expect(addTerm(start, { value: 90, unit: 'MINUTES' }, zone)).toBe(start + 90 * 60_000);
  });
});
