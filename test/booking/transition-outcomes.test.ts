/**
 * Lost answers: a lead creation, booking or confirmation whose answer never came. The flow finds
 * out what happened by validating the same choice again, never sends a lead creation or booking
 * twice blindly, tells the prospect the truth and tells the staff.
 */
import { describe, expect, test } from 'vitest';
import type { ApiCall, Effect, StaffNotice } from '../../src/booking/effects.ts';
import type { BookingEvent } from '../../src/booking/events.ts';
import type { State } from '../../src/booking/state.ts';
import { transition } from '../../src/booking/transition.ts';
import { zonedDateTime } from '../../src/perfectgym/datetime.ts';
import {
  answerCall,
  appointmentSlot,
  buttonKeys,
  classBookResult,
  context,
  day,
  fresh,
  happyStudio,
  lastView,
  now,
  offers,
  reachSummary,
  run,
  type StudioScript,
  shownKeys,
  tap,
  trialConfig,
  tuesdayEvening,
  zone,
} from './fixtures.ts';

const ctx = context();

/** Answers each call of `name` in turn from `answers` (the last one repeats). */
function sequence<T>(answers: T[]): () => T {
  let index = 0;
  return () => answers[Math.min(index++, answers.length - 1)] as T;
}

function notices(effects: readonly Effect[]): StaffNotice[] {
  return effects.flatMap((e) => (e.type === 'notifyStaff' ? [e.notice] : []));
}

const names = (calls: ApiCall[]) => calls.map((call) => call.name);

function bookFromSummary(script: StudioScript, flowCtx = ctx) {
  const summary = reachSummary(flowCtx, script);
  return run(summary.state, tap(lastView(summary.effects), 'button-book'), flowCtx, script);
}

/** The state saved just before the `callName` call, as a process killed during that call leaves it. */
function killedDuring(callName: ApiCall['name'], script: StudioScript): State {
  const summary = reachSummary(ctx, script);
  let state = summary.state;
  let event: BookingEvent = tap(lastView(summary.effects), 'button-book');
  for (let round = 0; round < 10; round++) {
    const result = transition(state, event, ctx);
    state = result.state;
    const call = result.effects.find((e) => e.type === 'call');
    if (call?.type !== 'call') break;
    if (call.call.name === callName) return state;
    event = answerCall(call.call, script);
  }
  throw new Error(`the flow never made a ${callName} call`);
}

/** /start → the appointment → its first slot → name and e-mail → "Book now". */
function bookAppointment(script: StudioScript) {
  const started = run(fresh(), { type: 'start' }, ctx, script);
  const opened = run(started.state, tap(lastView(started.effects), 'offer-button-appointment'), ctx, script);
  let at = run(opened.state, tap(lastView(opened.effects), 'slot-button'), ctx, script);
  for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
    at = run(at.state, { type: 'text', text: answer }, ctx, script);
  return run(at.state, tap(lastView(at.effects), 'button-book'), ctx, script);
}

describe('a class booking whose answer was lost', () => {
  const rows: Array<{
    name: string;
    revalidation: string;
    shown: string[];
    books: number;
    resolution: StaffNotice['resolution'];
  }> = [
    {
      name: 'CUSTOMER_ALREADY_BOOKED: the studio holds it, the prospect is told so with the details',
      revalidation: 'CUSTOMER_ALREADY_BOOKED',
      shown: [
        'booking-found',
        'booking-detail-studio',
        'booking-detail-location',
        'booking-detail-instructors',
      ],
      books: 1,
      resolution: 'found',
    },
    {
      name: 'AVAILABLE: it did not book, and it is booked once more',
      revalidation: 'AVAILABLE',
      shown: [
        'booking-success',
        'booking-detail-studio',
        'booking-detail-location',
        'booking-detail-instructors',
      ],
      books: 2,
      resolution: 'notMade',
    },
    {
      name: 'NO_CONTINGENT: the API cannot tell (our booking may have used it); handed over, never booked again',
      revalidation: 'NO_CONTINGENT',
      shown: [
        'booking-outcome-unclear',
        'studio-contact-intro',
        'studio-contact-telephone',
        'studio-contact-email',
        'studio-contact-website',
        'studio-contact-address',
      ],
      books: 1,
      resolution: 'unclear',
    },
  ];

  test.each(rows)('$name', ({ revalidation, shown, books, resolution }) => {
    const script = happyStudio({
      classBook: sequence([{ fail: 'unknown' as const }, classBookResult(9001, 'BOOKED')]),
      classBookingValidate: sequence([
        { validationStatus: 'AVAILABLE' as const },
        { validationStatus: revalidation as never },
      ]),
    });
    const booked = bookFromSummary(script);
    expect(names(booked.calls).filter((n) => n === 'classBook')).toHaveLength(books);
    // Every classBook follows a validation that said AVAILABLE, and the lost one is looked up first.
    expect(names(booked.calls).slice(-3 - (books - 1))).toEqual(
      books === 2
        ? ['classBookingValidate', 'classBook', 'classBookingValidate', 'classBook']
        : ['classBookingValidate', 'classBook', 'classBookingValidate'],
    );
    expect(shownKeys(booked.effects).filter((k) => k !== 'booking-calendar-caption')).toEqual(shown);
    expect(buttonKeys(lastView(booked.effects))).not.toContain('button-try-again');
    const lost = notices(booked.effects).filter((n) => n.kind === 'bookingUnknown');
    expect(lost).toEqual([
      expect.objectContaining({ resolution, telegramUserId: 42, offerId: 1001, attempt: expect.any(String) }),
    ]);
    expect(lost[0]?.email).toBeUndefined();
    expect(booked.state.step.name).toBe('done');
  });

  test('where confirmation is required and the id is unknown, the studio e-mails the link', () => {
    const script = happyStudio({
      config: () => trialConfig({ confirmationOfBookingTerm: { value: 1, unit: 'DAY' } }),
      classBook: () => ({ fail: 'unknown' }),
      classBookingValidate: sequence([
        { validationStatus: 'AVAILABLE' as const },
        { validationStatus: 'CUSTOMER_ALREADY_BOOKED' as const },
      ]),
    });
    const booked = bookFromSummary(script);
    expect(shownKeys(booked.effects)).toContain('booking-found-confirm-by-email');
    expect(buttonKeys(lastView(booked.effects))).toEqual(['button-book-another']);
    expect(booked.state.bookings).toEqual([]);
  });

  test('a second lost answer after "it did not book" books nothing more by itself; Try again does', () => {
    const script = happyStudio({
      classBook: sequence([
        { fail: 'unknown' as const },
        { fail: 'unknown' as const },
        classBookResult(9002, 'BOOKED'),
      ]),
    });
    const lostTwice = bookFromSummary(script);
    expect(names(lostTwice.calls).filter((n) => n === 'classBook')).toHaveLength(2);
    expect(lastView(lostTwice.effects).parts).toEqual([{ key: 'booking-not-made' }]);
    const again = run(lostTwice.state, tap(lastView(lostTwice.effects), 'button-try-again'), ctx, script);
    expect(names(again.calls)).toEqual(['classBookingValidate', 'classBook']);
    expect(shownKeys(again.effects)[0]).toBe('booking-success');
  });

  test('when the look-up gets no answer either: nothing is booked again, staff are told once', () => {
    let lookups = 0;
    const script = happyStudio({
      classBook: () => ({ fail: 'unknown' }),
      classBookingValidate: () =>
        ++lookups === 1
          ? { validationStatus: 'AVAILABLE' }
          : lookups < 4
            ? { fail: 'temporary' }
            : { validationStatus: 'CUSTOMER_ALREADY_BOOKED' },
    });
    const lost = bookFromSummary(script);
    expect(lastView(lost.effects).parts).toEqual([{ key: 'booking-check-failed' }]);
    expect(buttonKeys(lastView(lost.effects))).toEqual(['button-try-again']);
    expect(notices(lost.effects).map((n) => `${n.kind}:${n.resolution}`)).toEqual([
      'leadCreated:undefined',
      'bookingUnknown:unchecked',
    ]);
    const stillDown = run(lost.state, tap(lastView(lost.effects), 'button-try-again'), ctx, script);
    expect(names(stillDown.calls)).toEqual(['classBookingValidate']);
    expect(notices(stillDown.effects)).toEqual([]);
    // The look-up failing again edits the tapped "try again" message instead of posting another.
    expect(
      stillDown.effects.filter((e) => e.type === 'reply' || e.type === 'edit').map((e) => e.type),
    ).toEqual(['edit']);
    expect(lastView(stillDown.effects).parts).toEqual([{ key: 'booking-check-failed' }]);
    const found = run(stillDown.state, tap(lastView(stillDown.effects), 'button-try-again'), ctx, script);
    expect(names(found.calls)).toEqual(['classBookingValidate']);
    expect(shownKeys(found.effects)[0]).toBe('booking-found');
    expect(notices(found.effects).map((n) => n.resolution)).toEqual(['found']);
  });

  test('a refusal (4xx) is not a lost answer: "Try again" validates and shows the reason', () => {
    const script = happyStudio({
      classBook: () => ({ fail: 'permanent' }),
      classBookingValidate: sequence([
        { validationStatus: 'AVAILABLE' as const },
        { validationStatus: 'BOOKING_LIMIT_REACHED' as const },
      ]),
    });
    const refused = bookFromSummary(script);
    expect(lastView(refused.effects).parts).toEqual([{ key: 'error-studio-failed' }]);
    expect(notices(refused.effects).map((n) => n.kind)).toEqual(['leadCreated']);
    const again = run(refused.state, tap(lastView(refused.effects), 'button-try-again'), ctx, script);
    expect(names(again.calls)).toEqual(['classBookingValidate', 'classSlots']);
    expect(shownKeys(again.effects)[0]).toBe('booking-status-limit-reached');
  });

  const nextUpdates: Array<{ name: string; event: BookingEvent }> = [
    { name: 'a text', event: { type: 'text', text: 'hello?' } },
    { name: 'a new /start', event: { type: 'start' } },
    { name: '/cancel', event: { type: 'cancel' } },
    { name: 'an old button', event: { type: 'callback', data: { action: 'otherOffers', rev: 0 } } },
  ];

  test.each(nextUpdates)(
    'killed during the call: $name finds the booking instead of booking again',
    ({ event }) => {
      const script = happyStudio({
        classBookingValidate: sequence([
          { validationStatus: 'AVAILABLE' as const },
          { validationStatus: 'CUSTOMER_ALREADY_BOOKED' as const },
        ]),
      });
      const stored = killedDuring('classBook', script);
      expect(stored.step).toMatchObject({ name: 'booking', attempt: expect.any(String) });
      const next = run(stored, event, ctx, script);
      expect(names(next.calls)).toEqual(['classBookingValidate']);
      expect(shownKeys(next.effects)[0]).toBe('booking-found');
      expect(notices(next.effects)).toMatchObject([{ kind: 'bookingUnknown', resolution: 'found' }]);
    },
  );
});

describe('an appointment booking whose answer was lost', () => {
  const studioSlots = [appointmentSlot(tuesdayEvening, 30, 9)];
  function appointmentStudio(overrides: StudioScript): StudioScript {
    return {
      offers: () => offers,
      config: () => trialConfig({ id: 2 }),
      appointmentSlots: () => studioSlots,
      leadValidate: () => ({ validationStatus: 'POSSIBLE' }),
      leadCreate: () => ({ leadCustomerId: 556 }),
      appointmentBook: (call) => ({
        bookingId: 7001,
        bookingStatus: 'BOOKED',
        startDateTime: zonedDateTime(tuesdayEvening, zone),
        endDateTime: zonedDateTime(tuesdayEvening + 30 * 60_000, zone),
        appointmentStatus: 'PLANNED',
        participantStatus: 'PARTICIPATING',
        ...(call.request.customerId === 556 ? {} : { bookingStatus: 'CANCELED' }),
      }),
      ...overrides,
    };
  }

  test.each([
    { revalidation: 'CUSTOMER_IN_OTHER_BOOKING', shown: 'booking-found', books: 1 },
    { revalidation: 'AVAILABLE', shown: 'booking-success', books: 2 },
    { revalidation: 'RESOURCE_NOT_AVAILABLE', shown: 'booking-outcome-unclear', books: 1 },
  ])('re-validation $revalidation: $shown, $books book call(s)', ({ revalidation, shown, books }) => {
    const script = appointmentStudio({
      appointmentBook: sequence([
        { fail: 'unknown' as const },
        {
          bookingId: 7002,
          bookingStatus: 'BOOKED' as const,
          startDateTime: zonedDateTime(tuesdayEvening, zone),
          endDateTime: zonedDateTime(tuesdayEvening + 30 * 60_000, zone),
          appointmentStatus: 'PLANNED' as const,
          participantStatus: 'PARTICIPATING' as const,
        },
      ]),
      appointmentBookingValidate: sequence([
        { validationStatus: 'AVAILABLE' as const },
        { validationStatus: revalidation as never },
      ]),
    });
    const booked = bookAppointment(script);
    expect(names(booked.calls).filter((n) => n === 'appointmentBook')).toHaveLength(books);
    expect(shownKeys(booked.effects)[0]).toBe(shown);
    // Never "that time has just filled up" and a second slot for the same person.
    expect(shownKeys(booked.effects)).not.toContain('booking-status-limit-reached');
    const firstBook = names(booked.calls).indexOf('appointmentBook');
    expect(names(booked.calls).slice(firstBook)).not.toContain('appointmentSlots');
  });
});

describe('an appointment booking refused on re-validation for a reason the lost booking would cause', () => {
  const slot = appointmentSlot(tuesdayEvening, 30, 9);
  test.each([
    { listed: false, shown: 'booking-found', resolution: 'found' },
    { listed: true, shown: 'booking-status-no-contingent', resolution: 'notMade' },
  ])('NO_CONTINGENT, slot listed as free: $listed: $shown', ({ listed, shown, resolution }) => {
    let lists = 0;
    const script: StudioScript = {
      offers: () => offers,
      config: () => trialConfig({ id: 2 }),
      // The re-check before booking lists it; the look-up after the lost answer per `listed`.
      appointmentSlots: () => (++lists <= 2 || listed ? [slot] : []),
      leadValidate: () => ({ validationStatus: 'POSSIBLE' }),
      leadCreate: () => ({ leadCustomerId: 556 }),
      appointmentBook: () => ({ fail: 'unknown' }),
      appointmentBookingValidate: sequence([
        { validationStatus: 'AVAILABLE' as const },
        { validationStatus: 'NO_CONTINGENT' as const },
      ]),
    };
    const booked = bookAppointment(script);
    expect(names(booked.calls).slice(-3)).toEqual([
      'appointmentBook',
      'appointmentBookingValidate',
      'appointmentSlots',
    ]);
    expect(booked.calls.at(-1)).toMatchObject({ name: 'appointmentSlots', customerId: 556, fresh: true });
    expect(shownKeys(booked.effects)[0]).toBe(shown);
    expect(notices(booked.effects).filter((n) => n.kind === 'bookingUnknown')).toMatchObject([
      listed ? { resolution, status: 'NO_CONTINGENT' } : { resolution },
    ]);
  });
});

describe('a lead creation whose answer was lost', () => {
  test('DUPLICATE_CUSTOMER right after it: the studio has the details, staff get the e-mail, no second lead', () => {
    const script = happyStudio({
      leadCreate: () => ({ fail: 'unknown' }),
      leadValidate: sequence([
        { validationStatus: 'POSSIBLE' as const },
        { validationStatus: 'DUPLICATE_CUSTOMER' as const },
      ]),
    });
    const lost = bookFromSummary(script);
    expect(names(lost.calls).slice(-3)).toEqual(['leadValidate', 'leadCreate', 'leadValidate']);
    expect(shownKeys(lost.effects)[0]).toBe('lead-details-with-studio');
    expect(shownKeys(lost.effects)).not.toContain('lead-duplicate');
    expect(buttonKeys(lastView(lost.effects))).not.toContain('button-fix-email');
    expect(lost.effects).toContainEqual({ type: 'rememberLeadWithoutId' });
    expect(notices(lost.effects)).toEqual([
      expect.objectContaining({
        kind: 'leadUnknown',
        resolution: 'found',
        telegramUserId: 42,
        email: 'anna@example.com',
        name: 'Anna Schmidt',
      }),
    ]);
    expect(lost.state.step.name).toBe('done');
    // What the flow keeps is the name only.
    expect(lost.state.flow?.lead).toEqual({ firstName: 'Anna', lastName: 'Schmidt' });
  });

  test('POSSIBLE: it was not created, and it is created once more, then booked', () => {
    const script = happyStudio({
      leadCreate: sequence([{ fail: 'unknown' as const }, { leadCustomerId: 777 }]),
    });
    const booked = bookFromSummary(script);
    expect(names(booked.calls).filter((n) => n === 'leadCreate')).toHaveLength(2);
    expect(shownKeys(booked.effects)[0]).toBe('booking-success');
    expect(booked.effects).toContainEqual({ type: 'rememberLead', leadId: 777 });
  });

  test('a creation answered without a lead id is a lead the bot cannot book for', () => {
    const script = happyStudio({ leadCreate: () => ({}) });
    const created = bookFromSummary(script);
    expect(names(created.calls)).not.toContain('classBookingValidate');
    expect(shownKeys(created.effects)[0]).toBe('lead-details-with-studio');
    expect(created.effects).toContainEqual({ type: 'rememberLeadWithoutId' });
  });

  test('killed during the call, then /start: looked up first, never a second lead', () => {
    const script = happyStudio({
      leadValidate: sequence([
        { validationStatus: 'POSSIBLE' as const },
        { validationStatus: 'DUPLICATE_CUSTOMER' as const },
      ]),
    });
    const stored = killedDuring('leadCreate', script);
    const next = run(stored, { type: 'start' }, ctx, script);
    expect(names(next.calls)).toEqual(['leadValidate']);
    expect(shownKeys(next.effects)[0]).toBe('lead-details-with-studio');
  });

  test('while the look-up gets no answer, starting over looks up again instead of asking the details anew', () => {
    let lookups = 0;
    const script = happyStudio({
      leadCreate: () => ({ fail: 'unknown' }),
      leadValidate: () =>
        ++lookups === 1
          ? { validationStatus: 'POSSIBLE' }
          : lookups === 2
            ? { fail: 'temporary' }
            : { validationStatus: 'DUPLICATE_CUSTOMER' },
    });
    const unchecked = bookFromSummary(script);
    expect(lastView(unchecked.effects).parts).toEqual([{ key: 'lead-check-failed' }]);
    const restarted = run(unchecked.state, { type: 'start' }, ctx, script);
    expect(names(restarted.calls)).toEqual(['leadValidate']);
    expect(shownKeys(restarted.effects)[0]).toBe('lead-details-with-studio');
    expect(names(restarted.calls)).not.toContain('leadCreate');
  });

  test('a prospect whose lead has no known id is not asked for details again', () => {
    const withoutId = context({ leadWithoutId: true });
    const script = happyStudio();
    const started = run(fresh(), { type: 'start' }, withoutId, script);
    const opened = run(
      started.state,
      tap(lastView(started.effects), 'offer-button-class'),
      withoutId,
      script,
    );
    const picked = run(opened.state, tap(lastView(opened.effects), 'slot-button'), withoutId, script);
    expect(picked.calls).toEqual([]);
    expect(shownKeys(picked.effects)[0]).toBe('lead-details-with-studio');
    expect(picked.state.step.name).toBe('done');
  });
});

describe('a confirmation whose answer was lost', () => {
  const confirming = happyStudio({
    config: () => trialConfig({ confirmationOfBookingTerm: { value: 1, unit: 'DAY' } }),
    classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED'),
    confirm: sequence([{ fail: 'unknown' as const }, { status: 'CONFIRMED' as const }]),
  });

  test('says so, tells staff, and the next tap, even past the deadline, confirms again', () => {
    const booked = bookFromSummary(confirming);
    const confirmTap = tap(lastView(booked.effects), 'button-confirm');
    const lost = run(booked.state, confirmTap, ctx, confirming);
    expect(lastView(lost.effects).parts).toEqual([{ key: 'confirm-outcome-unknown' }]);
    expect(buttonKeys(lastView(lost.effects))).toEqual(['button-confirm']);
    expect(notices(lost.effects)).toMatchObject([
      { kind: 'confirmUnknown', bookingId: 9001, telegramUserId: 42 },
    ]);
    expect(lost.state.bookings[0]?.status).toBe('CONFIRMING');

    const late = context({ now: now + 2 * day });
    const again = run(lost.state, tap(lastView(lost.effects), 'button-confirm'), late, confirming);
    expect(names(again.calls)).toEqual(['confirm']);
    expect(shownKeys(again.effects)).toContain('confirm-done');
    expect(again.state.bookings[0]?.status).toBe('CONFIRMED');
  });

  test('killed during the call: the record is not stuck; the next tap confirms', () => {
    const booked = bookFromSummary(confirming);
    const confirmTap = tap(lastView(booked.effects), 'button-confirm');
    const killed = transition(booked.state, confirmTap, ctx).state;
    expect(killed.bookings[0]?.status).toBe('CONFIRMING');
    // A message shows the Confirm button again.
    const reminder = run(killed, { type: 'text', text: 'hi' }, ctx, confirming);
    expect(buttonKeys(lastView(reminder.effects))).toEqual(['button-confirm']);
    const script = { ...confirming, confirm: () => ({ status: 'CONFIRMED' as const }) };
    const tapped = run(killed, confirmTap, context({ now: now + 2 * day }), script);
    expect(names(tapped.calls)).toEqual(['confirm']);
    expect(tapped.state.bookings[0]?.status).toBe('CONFIRMED');
  });
});
