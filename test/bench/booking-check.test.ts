/**
 * The benchmark's "every booking landed exactly once" check, on sandbox states built by hand, so
 * the smoke test's green result means something: the check does catch each way a booking can go
 * wrong.
 */
import { describe, expect, it } from 'vitest';
import { checkBookings } from '../../bench/benchmark.ts';
import type { FlowOutcome } from '../../bench/prospects.ts';
import type { SandboxSnapshot } from '../../src/sandbox/index.ts';

type Booking = SandboxSnapshot['bookings'][number];

const finished = (email: string): FlowOutcome => ({ completed: true, stuck: false, updatesSent: 15, email });

function lead(id: number, email: string) {
  return { id, trialOfferConfigId: 1, createdAt: '2030-06-12T12:00:00+02:00', leadCustomerData: { email } };
}

function booking(id: number, customerId: number, overrides: Partial<Booking> = {}): Booking {
  return {
    id,
    kind: 'class',
    customerId,
    trialOfferConfigId: 1,
    classId: 101,
    classSlotId: 10_001,
    startDateTime: '2030-06-13T18:00:00+02:00',
    endDateTime: '2030-06-13T19:00:00+02:00',
    status: 'BOOKED_WITH_CONFIRMATION_REQUIRED',
    bookedAt: '2030-06-12T12:00:00+02:00',
    confirmation: { state: 'CONFIRMED' },
    ...overrides,
  };
}

function snapshot(leads: ReturnType<typeof lead>[], bookings: Booking[]): SandboxSnapshot {
  return { leads, bookings } as Partial<SandboxSnapshot> as SandboxSnapshot;
}

describe('checkBookings', () => {
  it('counts a confirmed booking per finished prospect as landed once', () => {
    const check = checkBookings(
      snapshot([lead(1, 'a@x'), lead(2, 'b@x')], [booking(10, 1), booking(11, 2)]),
      [finished('a@x'), finished('b@x')],
    );
    expect(check).toMatchObject({ expected: 2, landedOnce: 2, missing: 0, duplicated: 0, stray: 0 });
    expect(check.problems).toEqual([]);
  });

  it('finds a missing booking, a duplicate, an unconfirmed one and a stray one', () => {
    const check = checkBookings(
      snapshot(
        [lead(1, 'a@x'), lead(2, 'b@x'), lead(3, 'c@x'), lead(4, 'c@x'), lead(5, 'd@x'), lead(6, 'e@x')],
        [
          booking(10, 2),
          booking(11, 2, { classSlotId: 10_002 }),
          booking(12, 3),
          booking(13, 5, { confirmation: { state: 'PENDING' } }),
          booking(14, 6),
        ],
      ),
      [
        finished('a@x'),
        finished('b@x'),
        finished('c@x'),
        finished('d@x'),
        { completed: false, stuck: true, failedStep: 'confirm', updatesSent: 15, email: 'e@x' },
      ],
    );
    expect(check).toMatchObject({
      expected: 4,
      landedOnce: 0,
      missing: 1, // a: lead without booking
      duplicated: 2, // b: two bookings; c: two leads
      notConfirmed: 1, // d
      stray: 1, // e gave up, yet a booking exists
    });
    expect(check.problems).toHaveLength(5);
  });

  it('does not count a cancelled booking as landed', () => {
    const check = checkBookings(snapshot([lead(1, 'a@x')], [booking(10, 1, { status: 'CANCELED' })]), [
      finished('a@x'),
    ]);
    expect(check).toMatchObject({ landedOnce: 0, notConfirmed: 1 });
  });
});
