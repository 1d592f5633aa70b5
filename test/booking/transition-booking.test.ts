/**
 * The studio's answers around booking: lead check, booking validation (each status), re-check
 * of the slot, double taps, and the confirm button.
 */
import { describe, expect, test } from 'vitest';
import { addRecord, bookingRefusals, refusalFor } from '../../src/booking/flow-booking.ts';
import type { State } from '../../src/booking/state.ts';
import { transition } from '../../src/booking/transition.ts';
import {
  appointmentBookingValidationStatuses,
  classBookingValidationStatuses,
} from '../../src/perfectgym/schemas.ts';
import {
  answers,
  appointmentSlot,
  buttonData,
  buttonKeys,
  classBookResult,
  classSlot,
  context,
  day,
  fresh,
  happyStudio,
  hour,
  lastView,
  now,
  offers,
  openYoga,
  pickFirstSlot,
  reachSummary,
  run,
  type StudioScript,
  shownKeys,
  tap,
  trialConfig,
  tuesdayEvening,
  views,
} from './fixtures.ts';

const ctx = context();

describe('lead check at the studio', () => {
  test('DUPLICATE_CUSTOMER explains, shows the studio contact, and lets the prospect fix the e-mail', () => {
    let validations = 0;
    const studio = happyStudio({
      leadValidate: () => ({ validationStatus: validations++ === 0 ? 'DUPLICATE_CUSTOMER' : 'POSSIBLE' }),
    });
    const summary = reachSummary(ctx, studio);
    const duplicate = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(duplicate.calls.map((c) => c.name)).toEqual(['classSlots', 'leadValidate']);
    const shown = lastView(duplicate.effects);
    expect(shown.parts.map((p) => p.key)).toEqual([
      'lead-duplicate',
      'studio-contact-intro',
      'studio-contact-telephone',
      'studio-contact-email',
      'studio-contact-website',
      'studio-contact-address',
    ]);
    expect(shown.parts.at(-1)).toEqual({
      key: 'studio-contact-address',
      args: { address: 'Burgring 23A, 13000 Berlin' },
    });
    expect(buttonKeys(shown)).toEqual(['button-fix-email', 'button-other-offers']);

    const fixing = run(duplicate.state, tap(shown, 'button-fix-email'), ctx, studio);
    expect(fixing.state.step).toEqual({ name: 'collectingLead', field: 'email' });
    const fixed = run(fixing.state, { type: 'text', text: 'anna.schmidt@example.com' }, ctx, studio);
    expect(fixed.state.step).toEqual({ name: 'summary' });
    const booked = run(fixed.state, tap(lastView(fixed.effects), 'button-book'), ctx, studio);
    const create = booked.calls.find((c) => c.name === 'leadCreate');
    expect(create?.name === 'leadCreate' && create.request.leadCustomerData.email).toBe(
      'anna.schmidt@example.com',
    );
    expect(views(booked.effects).at(-1)?.parts[0]?.key).toBe('booking-success');
  });

  test.each([
    ['INVALID_LEAD_CUSTOMER_DATA', 'lead-invalid-data'],
    ['SOMETHING_ELSE', 'lead-unknown-status'],
  ])('%s goes back to the summary with %s; no lead is created', (status, hint) => {
    const studio = happyStudio({ leadValidate: () => ({ validationStatus: status as 'POSSIBLE' }) });
    const summary = reachSummary(ctx, studio);
    const refused = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(refused.calls.map((c) => c.name)).toEqual(['classSlots', 'leadValidate']);
    expect(refused.state.step).toEqual({ name: 'summary' });
    expect(
      lastView(refused.effects)
        .parts.map((p) => p.key)
        .slice(0, 2),
    ).toEqual([hint, 'summary-header']);
    expect(buttonKeys(lastView(refused.effects))).toContain('button-book');
  });
});

describe('re-check before the lead is created', () => {
  test('a slot that is gone by then leaves no lead behind; the fresh list is shown', () => {
    let loads = 0;
    const studio = happyStudio({
      classSlots: () =>
        loads++ === 0
          ? [classSlot(501, now + day), classSlot(502, now + 2 * day)]
          : [classSlot(501, now + day, { bookedParticipants: 12 }), classSlot(502, now + 2 * day)],
    });
    const summary = reachSummary(ctx, studio);
    const gone = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(gone.calls.map((c) => c.name)).toEqual(['classSlots']);
    expect(gone.state.step.name).toBe('choosingSlot');
    const shown = lastView(gone.effects);
    expect(shown.parts[0]).toEqual({ key: 'slot-gone' });
    expect(buttonKeys(shown).filter((k) => k === 'slot-button')).toHaveLength(1);
    // The answers are kept: picking another slot goes straight to the summary.
    const again = run(gone.state, tap(shown, 'slot-button'), ctx, studio);
    expect(again.state.step).toEqual({ name: 'summary' });
  });

  test('only the re-check must reach the studio: the listing may come from a shared cache', () => {
    const studio = happyStudio();
    const slots = openYoga(ctx, studio);
    const listing = slots.calls.find((c) => c.name === 'classSlots');
    expect(listing).toBeDefined();
    expect(listing).not.toHaveProperty('fresh');
    const summary = reachSummary(ctx, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(booked.calls[0]).toMatchObject({ name: 'classSlots', fresh: true });
    // The tapped summary loses its buttons at once, before any studio call.
    expect(booked.effects.slice(0, 2).map((e) => e.type)).toEqual(['answerCallback', 'clearKeyboard']);
  });

  test('a full slot with waiting-list room is marked, and the summary says so', () => {
    const studio = happyStudio({
      classSlots: () => [
        classSlot(501, now + day, { bookedParticipants: 12, maxWaitingListParticipants: 3 }),
      ],
    });
    const slots = openYoga(ctx, studio);
    expect(lastView(slots.effects).parts[2]).toEqual({ key: 'slots-waiting-list-note' });
    // The only day has no free place but its waiting list: marked so, and its time too.
    expect(buttonKeys(lastView(slots.effects)).slice(0, 2)).toEqual(['slot-day-selected', 'slot-day-none']);
    expect(buttonKeys(lastView(slots.effects))).toContain('slot-button-waiting-list');
    let at = run(slots.state, tap(lastView(slots.effects), 'slot-button-waiting-list'), ctx, studio);
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, ctx, studio);
    expect(lastView(at.effects).parts[1]).toEqual({ key: 'summary-waiting-list' });
  });
});

describe('booking validation: every status has its own message and next step', () => {
  const documented = [
    ...new Set([...classBookingValidationStatuses, ...appointmentBookingValidationStatuses]),
  ].filter((s) => s !== 'AVAILABLE');

  test('each documented status has a message of its own', () => {
    const keys = documented.map((status) => refusalFor(status).key);
    expect(new Set(keys).size).toBe(documented.length);
    expect(Object.keys(bookingRefusals).sort()).toEqual([...documented].sort());
    expect(keys).not.toContain('booking-status-unknown');
    expect(refusalFor('SOMETHING_NEW').key).toBe('booking-status-unknown');
    expect(refusalFor('toString').key).toBe('booking-status-unknown');
  });

  const classCases = [...classBookingValidationStatuses.filter((s) => s !== 'AVAILABLE'), 'SOMETHING_NEW'];
  test.each(classCases)('class: %s', (status) => {
    const studio = happyStudio({ classBookingValidate: () => ({ validationStatus: status as 'AVAILABLE' }) });
    const summary = reachSummary(ctx, studio);
    const refused = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expectRefusal(
      status,
      refused.state,
      refused.calls.map((c) => c.name),
      shownKeys(refused.effects),
      'classBook',
    );
  });

  const appointmentCases = [
    ...appointmentBookingValidationStatuses.filter((s) => s !== 'AVAILABLE'),
    'SOMETHING_NEW',
  ];
  test.each(appointmentCases)('appointment: %s', (status) => {
    const known = context({ knownLeadId: 777 });
    const studio: StudioScript = {
      offers: () => offers,
      config: () => trialConfig({ id: 2 }),
      appointmentSlots: () => [appointmentSlot(tuesdayEvening)],
      appointmentBookingValidate: () => ({ validationStatus: status as 'AVAILABLE' }),
    };
    const started = run(fresh(), { type: 'start' }, known, studio);
    const opened = run(
      started.state,
      tap(lastView(started.effects), 'offer-button-appointment'),
      known,
      studio,
    );
    const picked = run(opened.state, tap(lastView(opened.effects), 'slot-button'), known, studio);
    const refused = run(picked.state, tap(lastView(picked.effects), 'button-book'), known, studio);
    expectRefusal(
      status,
      refused.state,
      refused.calls.map((c) => c.name),
      shownKeys(refused.effects),
      'appointmentBook',
    );
  });

  function expectRefusal(status: string, state: State, calls: string[], shown: string[], bookCall: string) {
    const refusal = refusalFor(status);
    expect(calls).not.toContain(bookCall);
    expect(shown[0]).toBe(refusal.key);
    if (refusal.next === 'slots') {
      // The message, then the slots again (a fresh list).
      expect(calls.at(-1)).toMatch(/Slots$/);
      expect(state.step.name).toBe('choosingSlot');
      expect(state.flow?.slot).toBeUndefined();
    } else {
      expect(state.step).toEqual({ name: 'done' });
      expect(shown.includes('studio-contact-intro')).toBe(refusal.next === 'contact');
    }
  }

  // NO_CONTINGENT means "all trials used" or "another booking within preventMultipleBookingsTerm";
  // the text names both limits, so it is true for a prospect who used 1 of 2 as well.
  test('NO_CONTINGENT names both limits from the config: how often, and how far apart', () => {
    const studio = happyStudio({
      config: () => trialConfig({ contingent: 2, preventMultipleBookingsTerm: { value: 2, unit: 'WEEK' } }),
      classBookingValidate: () => ({ validationStatus: 'NO_CONTINGENT' }),
    });
    const summary = reachSummary(ctx, studio);
    const refused = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(views(refused.effects).at(-1)?.parts[0]).toEqual({
      key: 'booking-status-no-contingent-term',
      args: { contingent: 2, value: 2, unit: 'WEEK' },
    });
  });

  test('NO_CONTINGENT with one trial per person names only that (the term cannot be the cause)', () => {
    const studio = happyStudio({
      config: () => trialConfig({ contingent: 1 }),
      classBookingValidate: () => ({ validationStatus: 'NO_CONTINGENT' }),
    });
    const summary = reachSummary(ctx, studio);
    const refused = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(views(refused.effects).at(-1)?.parts[0]).toEqual({
      key: 'booking-status-no-contingent',
      args: { contingent: 1 },
    });
  });
});

describe('never booking twice', () => {
  test('a repeated "Book now" after booking answers with the booking instead of calling the studio', () => {
    const studio = happyStudio();
    const summary = reachSummary(ctx, studio);
    const bookTap = tap(lastView(summary.effects), 'button-book');
    const booked = run(summary.state, bookTap, ctx, studio);
    const again = run(booked.state, bookTap, ctx, studio);
    expect(again.calls).toEqual([]);
    // A toast, no second message.
    expect(again.effects).toEqual([
      {
        type: 'answerCallback',
        text: { key: 'booking-existing', args: { date: 'Tuesday, 16 June 2026', time: '10:00' } },
      },
    ]);
  });

  test('a tap on the old slot keyboard for the booked slot answers with the booking too', () => {
    const studio = happyStudio();
    const slots = openYoga(ctx, studio);
    let at = pickFirstSlot(slots, ctx, studio);
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, ctx, studio);
    const booked = run(at.state, tap(lastView(at.effects), 'button-book'), ctx, studio);
    const oldTap = run(booked.state, tap(lastView(slots.effects), 'slot-button'), ctx, studio);
    expect(oldTap.calls).toEqual([]);
    expect(shownKeys(oldTap.effects)).toEqual(['booking-existing']);
  });

  test('a double tap while the booking is under way does not start a second one', () => {
    const studio = happyStudio();
    const summary = reachSummary(ctx, studio);
    const bookTap = tap(lastView(summary.effects), 'button-book');
    // The adapter has started the re-check call but not finished it when the second tap arrives.
    const first = transition(summary.state, bookTap, ctx);
    expect(first.effects.at(-1)).toMatchObject({ type: 'call', call: { name: 'classSlots' } });
    const second = transition(first.state, bookTap, ctx);
    expect(second.effects).toEqual([{ type: 'answerCallback', text: { key: 'booking-busy' } }]);
    expect(second.state).toEqual(first.state);
  });
});

describe('confirm button', () => {
  const studio = happyStudio({
    config: () => trialConfig({ confirmationOfBookingTerm: { value: 1, unit: 'DAY' } }),
    classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED'),
  });

  function awaitingConfirmation() {
    const summary = reachSummary(ctx, studio);
    return run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
  }

  test("a booking id that is not in this user's state is refused without a call", () => {
    const booked = awaitingConfirmation();
    const foreign = run(
      booked.state,
      { type: 'callback', data: { action: 'confirm', bookingId: 1234, deadlineMin: 0 } },
      ctx,
      studio,
    );
    expect(foreign.calls).toEqual([]);
    expect(foreign.effects).toEqual([
      { type: 'answerCallback', text: { key: 'confirm-not-yours' }, alert: true },
    ]);
    expect(foreign.state).toEqual(booked.state);
  });

  test('another user tapping a forwarded button is refused: their state has no such booking', () => {
    const booked = awaitingConfirmation();
    const data = buttonData(lastView(booked.effects), 'button-confirm');
    const stranger = run(
      fresh(),
      { type: 'callback', data },
      context({ user: { id: 99, firstName: 'Eve' } }),
      studio,
    );
    expect(stranger.calls).toEqual([]);
    expect(answers(stranger.effects)[0]).toMatchObject({ text: { key: 'confirm-not-yours' } });
  });

  test('the right booking id with a forged deadline is refused', () => {
    const booked = awaitingConfirmation();
    const data = buttonData(lastView(booked.effects), 'button-confirm');
    if (data.action !== 'confirm') throw new Error('not a confirm button');
    const forged = run(
      booked.state,
      { type: 'callback', data: { ...data, deadlineMin: data.deadlineMin + 600 } },
      ctx,
      studio,
    );
    expect(forged.calls).toEqual([]);
    expect(answers(forged.effects)[0]).toMatchObject({ text: { key: 'confirm-not-yours' } });
  });

  test('a second tap is answered without a second call', () => {
    const booked = awaitingConfirmation();
    const confirmTap = tap(lastView(booked.effects), 'button-confirm');
    const first = run(booked.state, confirmTap, ctx, studio);
    expect(first.calls).toHaveLength(1);
    const second = run(first.state, confirmTap, ctx, studio);
    expect(second.calls).toEqual([]);
    expect(second.effects).toEqual([{ type: 'answerCallback', text: { key: 'confirm-already-confirmed' } }]);
    // A record still CONFIRMING at the next tap lost its answer (taps run one at a time): the
    // confirmation, safe to repeat, is sent again.
    const inFlight = transition(booked.state, confirmTap, ctx);
    const during = transition(inFlight.state, confirmTap, ctx);
    expect(during.effects).toEqual([
      { type: 'answerCallback', text: { key: 'confirm-in-progress' } },
      { type: 'call', call: { name: 'confirm', bookingId: expect.any(Number) } },
    ]);
  });

  test('the studio answering EXPIRED edits the message and offers to book again', () => {
    const expiring = { ...studio, confirm: () => ({ status: 'EXPIRED' as const }) };
    const booked = awaitingConfirmation();
    const expired = run(booked.state, tap(lastView(booked.effects), 'button-confirm'), ctx, expiring);
    const edit = expired.effects.find((e) => e.type === 'edit');
    expect(edit?.type === 'edit' && edit.view.parts).toEqual([{ key: 'confirm-expired' }]);
    expect(edit?.type === 'edit' && buttonKeys(edit.view)).toEqual(['button-book-again']);
    expect(expired.state.bookings[0]?.status).toBe('EXPIRED');
    expect(expired.effects).toContainEqual(
      expect.objectContaining({ type: 'notifyStaff', notice: expect.objectContaining({ kind: 'expired' }) }),
    );
    const again = run(expired.state, tap(lastView(expired.effects), 'button-book-again'), ctx, expiring);
    expect(again.calls.map((c) => c.name)).toEqual(['offers', 'config', 'classSlots']);
    expect(again.state.step.name).toBe('choosingSlot');
  });

  test('after the deadline the button expires without asking the studio', () => {
    const booked = awaitingConfirmation();
    const late = context({ now: ctx.now + day + hour });
    const expired = run(booked.state, tap(lastView(booked.effects), 'button-confirm'), late, studio);
    expect(expired.calls).toEqual([]);
    expect(expired.effects.find((e) => e.type === 'edit')).toMatchObject({
      view: { parts: [{ key: 'confirm-expired' }] },
    });
    expect(expired.state.bookings[0]?.status).toBe('EXPIRED');
  });

  test('a failed confirm call keeps the booking confirmable and brings the button back', () => {
    const down = { ...studio, confirm: () => ({ fail: 'temporary' as const }) };
    const booked = awaitingConfirmation();
    const failed = run(booked.state, tap(lastView(booked.effects), 'button-confirm'), ctx, down);
    expect(failed.calls).toHaveLength(1);
    expect(failed.state.bookings[0]?.status).toBe('BOOKED_WITH_CONFIRMATION_REQUIRED');
    const shown = lastView(failed.effects);
    expect(shown.parts).toEqual([{ key: 'error-studio-unavailable' }]);
    const retried = run(failed.state, tap(shown, 'button-confirm'), ctx, studio);
    expect(retried.calls).toEqual([{ name: 'confirm', bookingId: 9001 }]);
    expect(retried.state.bookings[0]?.status).toBe('CONFIRMED');
  });

  test('confirming works from a later conversation too (the button is not tied to a step)', () => {
    const booked = awaitingConfirmation();
    const confirmTap = tap(lastView(booked.effects), 'button-confirm');
    const restarted = run(booked.state, { type: 'start' }, ctx, studio);
    const confirmed = run(restarted.state, confirmTap, ctx, studio);
    expect(confirmed.calls).toEqual([{ name: 'confirm', bookingId: 9001 }]);
    expect(confirmed.effects.find((e) => e.type === 'edit')).toMatchObject({
      view: { parts: [{ key: 'confirm-done-short' }] },
    });
    expect(confirmed.state.step.name).toBe('choosingOffer');
  });
});

describe('booking records', () => {
  test('when there are too many, settled bookings make room first; one waiting for its tap stays confirmable', () => {
    const record = (bookingId: number, status: string) => ({
      bookingId,
      status,
      choice: `c1:${bookingId}`,
      startMin: bookingId,
    });
    const kept = addRecord(
      [record(1, 'BOOKED_WITH_CONFIRMATION_REQUIRED'), record(2, 'CONFIRMED'), record(3, 'BOOKED')],
      record(4, 'WAITING_LIST'),
    );
    expect(kept.map((b) => b.bookingId)).toEqual([1, 3, 4]);
  });
});
