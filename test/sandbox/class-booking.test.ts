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

async function validate(test: TestSandbox, customerId: number, classSlotId: number): Promise<string> {
  const answer = await test.endpoint<{ validationStatus: string }>('classBookingValidate', {
    body: { customerId, classSlotId },
  });
  expect(answer.status).toBe(200);
  return answer.body.validationStatus;
}

interface BookingResult {
  bookingId: number;
  bookingStatus: string;
  classSlotId: number;
  classId: number;
  customerId: number;
  classSlotStatus: string;
  participantStatus: string;
}

function book(test: TestSandbox, customerId: number, classSlotId: number) {
  return test.endpoint<BookingResult & ErrorBody>('classBook', { body: { customerId, classSlotId } });
}

async function slotOf(test: TestSandbox, classId: number, slotId: number): Promise<ClassSlot> {
  const slot = (await allClassSlots(test, classId)).find((candidate) => candidate.id === slotId);
  if (!slot) throw new Error(`slot ${slotId} of class ${classId} is not listed`);
  return slot;
}

/** The first listed slot of a class that is open for booking now and matches `wanted`. */
async function openSlot(
  test: TestSandbox,
  classId: number,
  wanted: (slot: ClassSlot) => boolean,
): Promise<ClassSlot> {
  const now = test.sandbox.clock.now();
  const slot = (await allClassSlots(test, classId)).find(
    (candidate) =>
      epochOf(candidate.earliestBookingDateTime) <= now &&
      now <= epochOf(candidate.latestBookingDateTime) &&
      wanted(candidate),
  );
  if (!slot) throw new Error(`class ${classId} has no open slot of that kind`);
  return slot;
}

const hasPlace = (slot: ClassSlot) => freePlaces(slot) > 0;

describe('class booking', () => {
  it('books a free place: AVAILABLE, then BOOKED, one place fewer', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'yoga@example.org', 2);
    const slot = await openSlot(test, 103, hasPlace);
    expect(await validate(test, lead, slot.id)).toBe('AVAILABLE');
    const booked = await book(test, lead, slot.id);
    expect(booked.status).toBe(200);
    expect(booked.body).toMatchObject({
      bookingStatus: 'BOOKED',
      classSlotId: slot.id,
      classId: 103,
      customerId: lead,
      classSlotStatus: 'PLANNED',
      participantStatus: 'PARTICIPATING',
    });
    const after = await slotOf(test, 103, slot.id);
    expect(freePlaces(after)).toBe(freePlaces(slot) - 1);
    expect(test.snapshot().bookings).toMatchObject([
      { id: booked.body.bookingId, kind: 'class', classSlotId: slot.id, customerId: lead, status: 'BOOKED' },
    ]);
  });

  it('answers BOOKED_WITH_CONFIRMATION_REQUIRED in a config with a confirmation term', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'back@example.org', 1);
    const slot = await openSlot(test, 101, hasPlace);
    const booked = await book(test, lead, slot.id);
    expect(booked.body.bookingStatus).toBe('BOOKED_WITH_CONFIRMATION_REQUIRED');
    expect(test.snapshot().bookings[0]?.confirmation).toEqual({
      state: 'PENDING',
      deadline: expect.stringMatching(/^2030-03-26T09:00:00\.\d{3}\+01:00\[Europe\/Berlin\]$/),
    });
  });

  it('puts the customer on the waiting list when the class is full but the list has room', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'wait@example.org', 1);
    const slot = await openSlot(
      test,
      101,
      (candidate) =>
        !hasPlace(candidate) && candidate.waitingListParticipants < candidate.maxWaitingListParticipants,
    );
    // Validation says the customer can book; booking says where they ended up.
    expect(await validate(test, lead, slot.id)).toBe('AVAILABLE');
    const booked = await book(test, lead, slot.id);
    expect(booked.body.bookingStatus).toBe('WAITING_LIST');
    expect(booked.body.participantStatus).toBe('UNSET');
    const after = await slotOf(test, 101, slot.id);
    expect(after.waitingListParticipants).toBe(slot.waitingListParticipants + 1);
    expect(after.bookedParticipants).toBe(slot.bookedParticipants);
  });

  it('answers BOOKING_LIMIT_REACHED when places and waiting list are full, and book refuses', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'full@example.org', 1);
    const slot = await openSlot(
      test,
      101,
      (candidate) =>
        !hasPlace(candidate) && candidate.waitingListParticipants >= candidate.maxWaitingListParticipants,
    );
    expect(await validate(test, lead, slot.id)).toBe('BOOKING_LIMIT_REACHED');
    const refused = await book(test, lead, slot.id);
    expect(refused.status).toBe(400);
    expect(refused.body.errorCode).toBe('BOOKING_LIMIT_REACHED');
    expect(test.snapshot().bookings).toEqual([]);
    expect(await slotOf(test, 101, slot.id)).toEqual(slot);
  });

  it('fills the last place, then refuses the next customer when there is no waiting list', async () => {
    const test = await startSandbox();
    const slot = await openSlot(test, 102, hasPlace);
    const places = freePlaces(slot);
    expect(slot.maxWaitingListParticipants).toBe(0);
    // A different week per customer would need several configs; a fresh lead per place is simpler.
    for (let i = 0; i < places; i++) {
      const lead = await createLead(test, `hiit${i}@example.org`, 1);
      expect((await book(test, lead, slot.id)).status).toBe(200);
    }
    const late = await createLead(test, 'late@example.org', 1);
    expect(await validate(test, late, slot.id)).toBe('BOOKING_LIMIT_REACHED');
    expect(freePlaces(await slotOf(test, 102, slot.id))).toBe(0);
  });

  it('refuses slots outside their booking window', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'window@example.org', 2);
    // Pilates Live opens booking seven days before each slot.
    const tooEarly = (await allClassSlots(test, 104)).find(
      (slot) => epochOf(slot.earliestBookingDateTime) > mondayNineAm,
    ) as ClassSlot;
    expect(tooEarly).toBeDefined();
    expect(await validate(test, lead, tooEarly.id)).toBe('DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME');
    const refused = await book(test, lead, tooEarly.id);
    expect(refused.body.errorCode).toBe('DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME');

    // Yesterday's Rückenfit is still listed (one day back) but long closed.
    const yesterday = (await allClassSlots(test, 101)).find(
      (slot) => epochOf(slot.startDateTime) < mondayNineAm,
    );
    expect(await validate(test, lead, (yesterday as ClassSlot).id)).toBe(
      'DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME',
    );

    // Once the clock reaches the opening, the early slot can be booked.
    test.sandbox.clock.set(epochOf(tooEarly.earliestBookingDateTime) + 1000);
    expect(await validate(test, lead, tooEarly.id)).toMatch(/^(AVAILABLE|BOOKING_LIMIT_REACHED)$/);
  });

  it('closes booking at the latest booking time, measured on the sandbox clock', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'late-evening@example.org', 2);
    const today = await openSlot(
      test,
      103,
      (slot) => slot.startDateTime.startsWith('2030-03-26') && hasPlace(slot),
    );
    test.sandbox.clock.set(epochOf(today.latestBookingDateTime) - 1000);
    expect(await validate(test, lead, today.id)).toBe('AVAILABLE');
    test.sandbox.clock.advance(2000);
    expect(await validate(test, lead, today.id)).toBe('DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME');
  });

  it('answers CUSTOMER_ALREADY_BOOKED for a second booking of the same slot', async () => {
    const test = await startSandbox();
    const member = 501;
    const slot = await openSlot(test, 105, hasPlace);
    expect((await book(test, member, slot.id)).status).toBe(200);
    expect(await validate(test, member, slot.id)).toBe('CUSTOMER_ALREADY_BOOKED');
    expect((await book(test, member, slot.id)).body.errorCode).toBe('CUSTOMER_ALREADY_BOOKED');
  });

  it('answers DISPLAY_ONLY for a class that is not bookable', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'sauna@example.org', 2);
    const slot = (await allClassSlots(test, 106))[3] as ClassSlot;
    expect(await validate(test, lead, slot.id)).toBe('DISPLAY_ONLY');
    expect((await book(test, lead, slot.id)).body.errorCode).toBe('DISPLAY_ONLY');
  });

  it('refuses leads where the config does not allow them, but not members', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'kick@example.org', 2);
    const slot = await openSlot(test, 105, hasPlace);
    expect(await validate(test, lead, slot.id)).toBe('NOT_AVAILABLE');
    expect(await validate(test, 501, slot.id)).toBe('AVAILABLE');
  });

  it('enforces preventMultipleBookingsTerm and the contingent per config', async () => {
    const test = await startSandbox();
    const lead = await createLead(test, 'twice@example.org', 1);
    // Config 1: contingent 2, no second booking within one week of another.
    const first = await openSlot(
      test,
      101,
      (slot) => hasPlace(slot) && slot.startDateTime.startsWith('2030-03-25'),
    );
    expect((await book(test, lead, first.id)).status).toBe(200);
    const sameWeek = await openSlot(
      test,
      102,
      (slot) => hasPlace(slot) && slot.startDateTime.startsWith('2030-03-29'),
    );
    expect(await validate(test, lead, sameWeek.id)).toBe('NO_CONTINGENT');
    expect((await book(test, lead, sameWeek.id)).body.errorCode).toBe('NO_CONTINGENT');
    const weekLater = await openSlot(
      test,
      102,
      (slot) => hasPlace(slot) && epochOf(slot.startDateTime) >= epochOf(first.startDateTime) + 7 * day,
    );
    const second = await book(test, lead, weekLater.id);
    expect(second.status).toBe(200);
    // Config 1 wants confirmation within 24 hours; confirmed bookings keep counting.
    for (const booking of test.snapshot().bookings) {
      expect((await test.endpoint('confirm', { params: { bookingId: booking.id } })).status).toBe(200);
    }
    // A week later the list reaches far enough for a slot a week after the second booking, yet the
    // contingent of two is used up.
    test.sandbox.clock.advance(7 * day);
    const third = await openSlot(
      test,
      102,
      (slot) => hasPlace(slot) && epochOf(slot.startDateTime) >= epochOf(weekLater.startDateTime) + 7 * day,
    );
    expect(await validate(test, lead, third.id)).toBe('NO_CONTINGENT');
    // Other configs keep their own contingent.
    expect(await validate(test, lead, (await openSlot(test, 103, hasPlace)).id)).toBe('AVAILABLE');
  });

  it('answers CUSTOMER_IN_OTHER_BOOKING when the customer is busy at that time', async () => {
    const test = await startSandbox();
    const kickboxing = await openSlot(
      test,
      105,
      (slot) => hasPlace(slot) && slot.startDateTime.startsWith('2030-03-28'),
    );
    const coaching = await test.endpoint<{ bookingStatus: string }>('appointmentBook', {
      body: {
        customerId: 501,
        bookableAppointmentId: 201,
        startDateTime: kickboxing.startDateTime,
        endDateTime: new Date(epochOf(kickboxing.startDateTime) + hour).toISOString(),
      },
    });
    expect(coaching.status).toBe(200);
    expect(await validate(test, 501, kickboxing.id)).toBe('CUSTOMER_IN_OTHER_BOOKING');
  });

  it('gives booking ids that are unique across classes and appointments', async () => {
    const test = await startSandbox();
    const slot = await openSlot(test, 105, hasPlace);
    const classBooking = await book(test, 501, slot.id);
    const appointmentBooking = await test.endpoint<{ bookingId: number }>('appointmentBook', {
      body: {
        customerId: 501,
        bookableAppointmentId: 202,
        startDateTime: '2030-03-26T08:30:00.000+01:00[Europe/Berlin]',
        endDateTime: '2030-03-26T09:00:00.000+01:00[Europe/Berlin]',
      },
    });
    expect(appointmentBooking.status).toBe(200);
    expect(appointmentBooking.body.bookingId).not.toBe(classBooking.body.bookingId);
    expect(new Set(test.snapshot().bookings.map((booking) => booking.id)).size).toBe(2);
  });
});
