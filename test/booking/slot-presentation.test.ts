import { describe, expect, test } from 'vitest';
import { dayNumberOfIsoDate } from '../../src/booking/calendar.ts';
import {
  freePlaces,
  groupByDay,
  presentAppointmentSlots,
  presentClassSlots,
  slotsInWindow,
} from '../../src/booking/slot-presentation.ts';
import { zonedDateTime } from '../../src/perfectgym/datetime.ts';
import { appointmentSlot, classSlot, day, hour, now, zone } from './fixtures.ts';

describe('class slots', () => {
  test("free places are the maximum minus bookings minus the operator's additional participants", () => {
    expect(
      freePlaces(
        classSlot(1, now + day, { maxParticipants: 12, bookedParticipants: 4, additionalParticipants: 3 }),
      ),
    ).toBe(5);
    expect(
      freePlaces(
        classSlot(1, now + day, { maxParticipants: 10, bookedParticipants: 8, additionalParticipants: 5 }),
      ),
    ).toBe(-3);
    expect(freePlaces(classSlot(1, now + day, { maxParticipants: undefined }))).toBeUndefined();
  });

  test('past slots, slots outside their booking window and full slots without waiting list are hidden', () => {
    const slots = [
      classSlot(1, now - hour),
      classSlot(2, now + day, { earliestBookingDateTime: zonedDateTime(now + hour, zone) }),
      classSlot(3, now + day, { latestBookingDateTime: zonedDateTime(now - hour, zone) }),
      classSlot(4, now + day, {
        maxParticipants: 5,
        bookedParticipants: 5,
        maxWaitingListParticipants: 2,
        waitingListParticipants: 2,
      }),
      classSlot(5, now + 2 * day, { maxParticipants: 5, bookedParticipants: 3, additionalParticipants: 2 }),
      classSlot(6, now + 3 * day, { startDateTime: undefined }),
    ];
    expect(presentClassSlots(slots, now, zone)).toEqual([]);
  });

  test('a full slot with waiting-list room is shown as waiting list; free slots with their free places; earliest first', () => {
    const slots = [
      classSlot(8, now + 2 * day, { maxParticipants: 10, bookedParticipants: 9 }),
      classSlot(7, now + day, {
        maxParticipants: 5,
        bookedParticipants: 4,
        additionalParticipants: 1,
        maxWaitingListParticipants: 3,
        waitingListParticipants: 1,
      }),
      classSlot(9, now + 3 * day, {
        earliestBookingDateTime: zonedDateTime(now - day, zone),
        latestBookingDateTime: zonedDateTime(now + day, zone),
      }),
    ];
    const shown = presentClassSlots(slots, now, zone);
    expect(shown.map((s) => [s.slot.ref, s.availability, s.freePlaces])).toEqual([
      [7, 'waitingList', 0],
      [8, 'free', 1],
      [9, 'free', 8],
    ]);
    expect(shown[0]).toMatchObject({
      zone,
      startRaw: zonedDateTime(now + day, zone).raw,
      location: 'Room 1',
      instructorNames: ['Lena Berg'],
      slot: { durationMin: 60 },
    });
  });
});

describe('appointment slots', () => {
  test('past slots and slots without a proper end are hidden; raw times and instructors are kept', () => {
    const slots = [
      appointmentSlot(now - hour),
      { startDateTime: zonedDateTime(now + day, zone) },
      appointmentSlot(now + day + 2 * hour, 45, 11),
    ];
    const shown = presentAppointmentSlots(slots, now, zone);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      slot: { startMin: (now + day + 2 * hour) / 60_000, durationMin: 45, ref: 11 },
      startRaw: zonedDateTime(now + day + 2 * hour, zone).raw,
      endRaw: zonedDateTime(now + day + 2 * hour + 45 * 60_000, zone).raw,
      instructorIds: [11],
      availability: 'free',
    });
  });
});

describe('days in the studio zone', () => {
  test('a slot at 00:30 Berlin time belongs to that Berlin day, not the UTC day before', () => {
    // 2026-06-16 22:30 UTC is 2026-06-17 00:30 in Berlin (UTC+2).
    const lateNight = Date.parse('2026-06-16T22:30:00Z');
    const shown = presentAppointmentSlots(
      [appointmentSlot(lateNight), appointmentSlot(now + 2 * hour)],
      now,
      zone,
    );
    const groups = groupByDay(shown);
    expect(groups.map((g) => g.day)).toEqual([
      dayNumberOfIsoDate('2026-06-15'),
      dayNumberOfIsoDate('2026-06-17'),
    ]);
    expect(slotsInWindow(shown, { fromDay: dayNumberOfIsoDate('2026-06-16'), days: 1 })).toEqual([]);
    expect(slotsInWindow(shown, { fromDay: dayNumberOfIsoDate('2026-06-17'), days: 1 })).toHaveLength(1);
  });

  test('a slot whose date-time names another zone is grouped by that zone', () => {
    const slot = {
      startDateTime: zonedDateTime(Date.parse('2026-06-16T23:30:00Z'), 'America/New_York'),
      endDateTime: zonedDateTime(Date.parse('2026-06-17T00:00:00Z'), 'America/New_York'),
    };
    const [shown] = presentAppointmentSlots([slot], now, zone);
    expect(shown?.zone).toBe('America/New_York');
    expect(groupByDay(shown ? [shown] : [])[0]?.day).toBe(dayNumberOfIsoDate('2026-06-16'));
  });
});
