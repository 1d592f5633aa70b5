import { describe, expect, it } from 'vitest';
import {
  allClassSlots,
  type ClassSlot,
  createLead,
  day,
  type ErrorBody,
  epochOf,
  freePlaces,
  hour,
  mondayNineAm,
  startSandbox,
  type TestSandbox,
} from './helpers.ts';

async function confirm(test: TestSandbox, bookingId: number) {
  return test.endpoint<{ status: string } & ErrorBody>('confirm', { params: { bookingId } });
}

/** A lead of config 1 (24-hour confirmation term) booked on Rückenfit, the evening after tomorrow. */
async function pendingClassBooking(test: TestSandbox) {
  const lead = await createLead(test, 'confirm@example.org', 1);
  const slot = (await allClassSlots(test, 101)).find(
    (candidate) => candidate.startDateTime.startsWith('2030-03-27') && freePlaces(candidate) > 0,
  ) as ClassSlot;
  const booked = await test.endpoint<{ bookingId: number; bookingStatus: string }>('classBook', {
    body: { customerId: lead, classSlotId: slot.id },
  });
  expect(booked.body.bookingStatus).toBe('BOOKED_WITH_CONFIRMATION_REQUIRED');
  return { lead, slot, bookingId: booked.body.bookingId };
}

async function slotNow(test: TestSandbox, slotId: number): Promise<ClassSlot> {
  return (await allClassSlots(test, 101)).find((candidate) => candidate.id === slotId) as ClassSlot;
}

describe('booking confirmation', () => {
  it('confirms within the term, and confirms again on a second call', async () => {
    const test = await startSandbox();
    const { bookingId, slot } = await pendingClassBooking(test);
    test.sandbox.clock.advance(23 * hour);
    expect((await confirm(test, bookingId)).body.status).toBe('CONFIRMED');
    expect(test.snapshot().bookings[0]?.confirmation.state).toBe('CONFIRMED');
    // Once confirmed, the term no longer matters.
    test.sandbox.clock.advance(5 * hour);
    expect((await confirm(test, bookingId)).body.status).toBe('CONFIRMED');
    expect(freePlaces(await slotNow(test, slot.id))).toBe(freePlaces(slot) - 1);
  });

  it('expires after the term and frees the place', async () => {
    const test = await startSandbox();
    const { bookingId, slot } = await pendingClassBooking(test);
    expect(freePlaces(await slotNow(test, slot.id))).toBe(freePlaces(slot) - 1);
    test.sandbox.clock.advance(24 * hour + 1000);
    expect(freePlaces(await slotNow(test, slot.id))).toBe(freePlaces(slot));
    expect((await confirm(test, bookingId)).body.status).toBe('EXPIRED');
    expect((await confirm(test, bookingId)).body.status).toBe('EXPIRED');
    expect(test.snapshot().bookings[0]).toMatchObject({
      status: 'CANCELED',
      confirmation: { state: 'EXPIRED' },
    });
  });

  it('lets the customer book again once an unconfirmed booking expired', async () => {
    const test = await startSandbox();
    const { lead, slot } = await pendingClassBooking(test);
    const again = () =>
      test.endpoint<{ validationStatus: string }>('classBookingValidate', {
        body: { customerId: lead, classSlotId: slot.id },
      });
    expect((await again()).body.validationStatus).toBe('CUSTOMER_ALREADY_BOOKED');
    test.sandbox.clock.advance(25 * hour);
    expect((await again()).body.validationStatus).toBe('AVAILABLE');
  });

  it('expires appointment bookings too, which frees the slot', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'appointment-confirm@example.org', 1);
    const period = {
      bookableAppointmentId: 201,
      startDateTime: '2030-03-28T12:00:00.000+01:00[Europe/Berlin]',
      endDateTime: '2030-03-28T13:00:00.000+01:00[Europe/Berlin]',
    };
    const booked = await test.endpoint<{ bookingId: number; bookingStatus: string }>('appointmentBook', {
      body: { customerId: lead, ...period },
    });
    expect(booked.body.bookingStatus).toBe('BOOKED_WITH_CONFIRMATION_REQUIRED');
    const listed = async () =>
      (
        await test.endpoint<{ startDateTime: string }[]>('appointmentSlots', {
          params: { bookableAppointmentId: 201 },
          query: { slotWindowStartDate: '2030-03-28' },
        })
      ).body.map((slot) => slot.startDateTime);
    expect(await listed()).not.toContain(period.startDateTime);
    test.sandbox.clock.advance(2 * 24 * hour);
    expect((await confirm(test, booked.body.bookingId)).body.status).toBe('EXPIRED');
    expect(await listed()).toContain(period.startDateTime);
  });

  it('confirms bookings that need no confirmation', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'no-term@example.org', 2);
    const slot = (await allClassSlots(test, 103)).find(
      (candidate) => epochOf(candidate.startDateTime) > mondayNineAm + day && freePlaces(candidate) > 0,
    ) as ClassSlot;
    const booked = await test.endpoint<{ bookingId: number; bookingStatus: string }>('classBook', {
      body: { customerId: lead, classSlotId: slot.id },
    });
    expect(booked.body.bookingStatus).toBe('BOOKED');
    test.sandbox.clock.advance(72 * hour);
    expect((await confirm(test, booked.body.bookingId)).body.status).toBe('CONFIRMED');
  });

  it('answers 404 for an unknown booking', async () => {
    const test = await startSandbox();
    const answer = await confirm(test, 98_765);
    expect(answer.status).toBe(404);
    expect(answer.body.errorCode).toBe('ENTITY_NOT_FOUND');
  });
});
