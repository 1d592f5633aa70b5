/**
 * A trial appointment: slots come in windows of days from the studio, with "earlier" and
 * "later", and the slot's own date-time strings go back to the studio unchanged.
 */
import { describe, expect, test } from 'vitest';
import { dayNumber, dayNumberOfIsoDate } from '../../src/booking/calendar.ts';
import { zonedDateTime } from '../../src/perfectgym/datetime.ts';
import type { AppointmentSlot } from '../../src/perfectgym/schemas.ts';
import {
  appointmentSlot,
  buttonData,
  buttonKeys,
  context,
  fresh,
  lastView,
  offers,
  run,
  type StudioScript,
  shownKeys,
  tap,
  trialConfig,
  tuesdayEvening,
  views,
  zone,
} from './fixtures.ts';

const ctx = context();
const friday = Date.parse('2026-06-19T07:00:00Z'); // 09:00 Berlin
const nextMonday = Date.parse('2026-06-22T07:00:00Z');
const studioSlots: AppointmentSlot[] = [
  appointmentSlot(tuesdayEvening, 30, 9),
  appointmentSlot(friday, 45, 12),
  appointmentSlot(nextMonday),
];

const studio: StudioScript = {
  offers: () => offers,
  config: () => trialConfig({ id: 2 }),
  // Like the API: the slots from slotWindowStartDate for daysAhead days, in the studio's calendar.
  appointmentSlots: (call) => {
    const from = dayNumberOfIsoDate(call.slotWindowStartDate);
    return studioSlots.filter((slot) => {
      const day = dayNumber(slot.startDateTime?.epochMs ?? 0, zone);
      return day >= from && day < from + call.daysAhead;
    });
  },
  leadValidate: () => ({ validationStatus: 'POSSIBLE' }),
  leadCreate: () => ({ leadCustomerId: 556 }),
  appointmentBookingValidate: () => ({ validationStatus: 'AVAILABLE' }),
  appointmentBook: (call) => ({
    bookingId: 7001,
    bookingStatus: 'BOOKED',
    startDateTime: zonedDateTime(Date.parse(call.request.startDateTime.slice(0, 29)), zone),
    endDateTime: zonedDateTime(Date.parse(call.request.endDateTime.slice(0, 29)), zone),
    appointmentStatus: 'PLANNED',
    participantStatus: 'PARTICIPATING',
  }),
};

function openIntro() {
  const started = run(fresh(), { type: 'start' }, ctx, studio);
  return run(started.state, tap(lastView(started.effects), 'offer-button-appointment'), ctx, studio);
}

describe('happy path: trial appointment', () => {
  test('the first window starts today, in the studio zone, six days long, day first', () => {
    const opened = openIntro();
    expect(opened.calls.at(-1)).toEqual({
      name: 'appointmentSlots',
      bookableAppointmentId: 2001,
      slotWindowStartDate: '2026-06-15',
      daysAhead: 6,
    });
    const shown = lastView(opened.effects);
    expect(shown.parts).toEqual([
      { key: 'slots-header', args: { offer: 'Personal training intro' } },
      { key: 'slots-pick-time', args: { day: 'Tuesday, 16 June 2026' } },
    ]);
    // Today is the first day: no "earlier".
    expect(buttonKeys(shown)).toEqual([
      'slot-day-none',
      'slot-day-selected',
      'slot-day-none',
      'slot-day-none',
      'slot-day-free',
      'slot-day-none',
      'slot-button',
      'button-later',
      'button-other-offers',
    ]);
  });

  test('"later" and "earlier" move the window and edit the list in place', () => {
    const opened = openIntro();
    const later = run(opened.state, tap(lastView(opened.effects), 'button-later'), ctx, studio);
    expect(later.calls).toEqual([
      {
        name: 'appointmentSlots',
        bookableAppointmentId: 2001,
        slotWindowStartDate: '2026-06-21',
        daysAhead: 6,
      },
    ]);
    expect(later.effects.filter((e) => e.type === 'edit')).toHaveLength(1);
    expect(later.effects.some((e) => e.type === 'reply')).toBe(false);
    expect(lastView(later.effects).parts.slice(1)).toEqual([
      { key: 'slots-pick-time', args: { day: 'Monday, 22 June 2026' } },
    ]);
    expect(buttonKeys(lastView(later.effects)).slice(6)).toEqual([
      'slot-button',
      'button-earlier',
      'button-later',
      'button-other-offers',
    ]);

    const laterStill = run(later.state, tap(lastView(later.effects), 'button-later'), ctx, studio);
    expect(laterStill.calls[0]).toMatchObject({ slotWindowStartDate: '2026-06-27' });
    const back = run(laterStill.state, tap(lastView(laterStill.effects), 'button-earlier'), ctx, studio);
    expect(back.calls[0]).toMatchObject({ slotWindowStartDate: '2026-06-21' });
  });

  test('a window never starts before today, whatever the button says', () => {
    const opened = openIntro();
    const forged = {
      type: 'callback' as const,
      data: { action: 'slotWindow' as const, rev: opened.state.rev, fromDay: 0 },
    };
    const moved = run(opened.state, forged, ctx, studio);
    expect(moved.calls[0]).toMatchObject({ slotWindowStartDate: '2026-06-15' });
  });

  test('an empty window says so and still offers the other windows and offers', () => {
    const empty: StudioScript = { ...studio, appointmentSlots: () => [] };
    const started = run(fresh(), { type: 'start' }, ctx, empty);
    const opened = run(started.state, tap(lastView(started.effects), 'offer-button-appointment'), ctx, empty);
    expect(lastView(opened.effects).parts).toEqual([
      { key: 'slots-none-in-window', args: { from: 'Mon 15 Jun', to: 'Sat 20 Jun' } },
    ]);
    expect(buttonKeys(lastView(opened.effects))).toEqual([
      ...Array.from({ length: 6 }, () => 'slot-day-none'),
      'button-later',
      'button-other-offers',
    ]);
  });

  test("booking sends the slot's own date-times and instructor back; success comes with a calendar file", () => {
    const opened = openIntro();
    const fridayTimes = run(opened.state, tap(lastView(opened.effects), 'slot-day-free'), ctx, studio);
    let at = run(fridayTimes.state, tap(lastView(fridayTimes.effects), 'slot-button'), ctx, studio);
    expect(lastView(at.effects).parts[0]).toEqual({
      key: 'lead-intro',
      args: { offer: 'Personal training intro', date: 'Friday, 19 June 2026', time: '09:00' },
    });
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, ctx, studio);
    const booked = run(at.state, tap(lastView(at.effects), 'button-book'), ctx, studio);
    expect(booked.calls.map((c) => c.name)).toEqual([
      'appointmentSlots',
      'leadValidate',
      'leadCreate',
      'appointmentBookingValidate',
      'appointmentBook',
    ]);
    // The re-check reloads the window the slot was picked from.
    expect(booked.calls[0]).toMatchObject({ slotWindowStartDate: '2026-06-15', daysAhead: 6 });
    const fridaySlot = studioSlots[1];
    expect(booked.calls[4]).toEqual({
      name: 'appointmentBook',
      request: {
        customerId: 556,
        bookableAppointmentId: 2001,
        startDateTime: fridaySlot?.startDateTime?.raw,
        endDateTime: fridaySlot?.endDateTime?.raw,
        instructorIds: [12],
      },
    });
    expect(shownKeys(booked.effects)).toEqual([
      'booking-success',
      'booking-detail-studio',
      'booking-detail-instructors',
    ]);
    const calendar = booked.effects.find((e) => e.type === 'sendCalendar');
    expect(calendar?.type === 'sendCalendar' && calendar.ics).toContain('DTEND:20260619T074500Z');
  });

  test('two instructors at the same time are two different choices', () => {
    const twin: StudioScript = {
      ...studio,
      appointmentSlots: () => [
        appointmentSlot(tuesdayEvening, 30, 9),
        appointmentSlot(tuesdayEvening, 30, 10),
      ],
    };
    const started = run(fresh(), { type: 'start' }, ctx, twin);
    const opened = run(started.state, tap(lastView(started.effects), 'offer-button-appointment'), ctx, twin);
    const first = buttonData(lastView(opened.effects), 'slot-button', 0);
    const second = buttonData(lastView(opened.effects), 'slot-button', 1);
    expect(first).not.toEqual(second);
    let at = run(opened.state, { type: 'callback', data: second }, ctx, twin);
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, ctx, twin);
    const booked = run(at.state, tap(lastView(at.effects), 'button-book'), ctx, twin);
    const book = booked.calls.find((c) => c.name === 'appointmentBook');
    expect(book?.name === 'appointmentBook' && book.request.instructorIds).toEqual([10]);
    expect(views(booked.effects).at(-1)?.parts[0]?.key).toBe('booking-success');
  });
});
