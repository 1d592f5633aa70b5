/**
 * How the flow answers the studio's refusals and dead ends: a lead the studio no longer knows, a
 * 429 lockout, a slot that filled up before booking, a repeated tap, /forget with a booking still
 * to confirm, and the wording of limits and deadlines.
 */
import { describe, expect, test } from 'vitest';
import { deadlineArgs } from '../../src/booking/confirmation-deadline.ts';
import type { Effect } from '../../src/booking/effects.ts';
import type { BookingEvent } from '../../src/booking/events.ts';
import { text } from '../../src/booking/messages.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import {
  answerAll,
  appointmentSlot,
  buttonKeys,
  classBookResult,
  classSlot,
  context,
  day,
  fresh,
  happyStudio,
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
} from './fixtures.ts';

const ctx = context();
const yogaTuesday = { offer: 'Yoga Flow', date: 'Tuesday, 16 June 2026', time: '10:00' };

describe('a lead the studio no longer knows (404 ENTITY_NOT_FOUND for the stored lead id)', () => {
  const gone = { fail: 'permanent', customerNotFound: true } as const;

  test('drops the stored id, says so in one sentence and asks the details for the chosen slot', () => {
    const known = context({ knownLeadId: 777 });
    const studio = happyStudio({
      classBookingValidate: (call) =>
        call.request.customerId === 777 ? gone : { validationStatus: 'AVAILABLE' },
    });
    const picked = pickFirstSlot(openYoga(known, studio), known, studio);
    const refused = run(picked.state, tap(lastView(picked.effects), 'button-book'), known, studio);

    // The Book tap's own effects, then: drop the id, ask.
    expect(refused.effects.map((e) => e.type)).toEqual([
      'answerCallback',
      'clearKeyboard',
      'forgetLead',
      'reply',
    ]);
    expect(refused.state.step).toEqual({ name: 'collectingLead', field: 'firstName' });
    expect(refused.state.flow?.slot?.slot.startMin).toBe(picked.state.flow?.slot?.slot.startMin);
    expect(lastView(refused.effects).parts).toEqual([
      { key: 'lead-details-again', args: yogaTuesday },
      { key: 'lead-ask-first-name' },
    ]);
    expect(shownKeys(refused.effects)).not.toContain('error-studio-failed');

    // The adapter dropped the id, so the next updates come without it: a new lead, then the booking.
    const after = context();
    const summary = answerAll(refused, ['Anna', 'Schmidt', 'anna@example.com'], after, studio);
    expect(summary.state.step).toEqual({ name: 'summary' });
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), after, studio);
    expect(booked.calls.map((c) => c.name)).toEqual([
      'classSlots',
      'leadValidate',
      'leadCreate',
      'classBookingValidate',
      'classBook',
    ]);
    expect(booked.calls[3]).toMatchObject({ request: { customerId: 555 } });
    expect(shownKeys(booked.effects)).toContain('booking-success');
  });

  test('a lead created in this flow and lost again: the names it still holds are kept', () => {
    const studio = happyStudio({
      leadCreate: () => ({ leadCustomerId: 556 }),
      classBookingValidate: (call) =>
        call.request.customerId === 556 ? gone : { validationStatus: 'AVAILABLE' },
    });
    const summary = reachSummary(ctx, studio);
    const refused = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(refused.effects).toContainEqual({ type: 'forgetLead' });
    expect(refused.state.flow?.leadId).toBeUndefined();
    expect(refused.state.flow?.lead).toEqual({ firstName: 'Anna', lastName: 'Schmidt' });
    expect(refused.state.step).toEqual({ name: 'collectingLead', field: 'email' });
    expect(lastView(refused.effects).parts[0]).toEqual({ key: 'lead-details-again', args: yogaTuesday });
  });

  test('on an appointment list that names the customer: the list comes again without it', () => {
    const known = context({ knownLeadId: 777 });
    const studio: StudioScript = {
      offers: () => offers,
      config: () => trialConfig({ id: 2 }),
      appointmentSlots: (call) => (call.customerId === 777 ? gone : [appointmentSlot(tuesdayEvening)]),
    };
    const started = run(fresh(), { type: 'start' }, known, studio);
    const opened = run(
      started.state,
      tap(lastView(started.effects), 'offer-button-appointment'),
      known,
      studio,
    );
    const slotCalls = opened.calls.filter((c) => c.name === 'appointmentSlots');
    expect(slotCalls.map((c) => c.name === 'appointmentSlots' && c.customerId)).toEqual([777, undefined]);
    expect(opened.effects).toContainEqual({ type: 'forgetLead' });
    expect(shownKeys(opened.effects)).toEqual(['lead-details-again-list', 'slots-header', 'slots-pick-time']);
    expect(opened.state.step.name).toBe('choosingSlot');
    // The next slot tap asks for the details (the context no longer has the id).
    const picked = run(opened.state, tap(lastView(opened.effects), 'slot-button'), context(), studio);
    expect(picked.state.step).toEqual({ name: 'collectingLead', field: 'firstName' });
  });

  test('any other failure of the same call is still an ordinary failure', () => {
    const known = context({ knownLeadId: 777 });
    const studio = happyStudio({ classBookingValidate: () => ({ fail: 'permanent' }) });
    const picked = pickFirstSlot(openYoga(known, studio), known, studio);
    const failed = run(picked.state, tap(lastView(picked.effects), 'button-book'), known, studio);
    expect(failed.effects.some((e) => e.type === 'forgetLead')).toBe(false);
    expect(shownKeys(failed.effects)).toEqual(['error-studio-failed-plain']);
  });
});

describe('a 429 lockout the client knows of', () => {
  const lockedSlots = happyStudio({ classSlots: () => ({ fail: 'temporary', retryAfterMs: 60_000 }) });

  function lockedAtSlots() {
    const started = run(fresh(), { type: 'start' }, ctx, lockedSlots);
    return run(started.state, tap(lastView(started.effects), 'offer-button-class'), ctx, lockedSlots);
  }

  function laterEffect(effects: readonly Effect[]) {
    const found = effects.find((e) => e.type === 'later');
    if (found?.type !== 'later') throw new Error('no later effect');
    return found;
  }

  test('says the system is busy and for how long (nothing said to be saved), and sets a timer', () => {
    const busy = lockedAtSlots();
    expect(busy.state.step.name).toBe('loadingSlots');
    const notice = lastView(busy.effects);
    expect(notice.parts).toEqual([{ key: 'studio-busy-minutes', args: { minutes: 1 } }]);
    expect(buttonKeys(notice)).toEqual(['button-try-again']);
    expect(laterEffect(busy.effects)).toEqual({
      type: 'later',
      afterMs: 60_500,
      event: { type: 'retryDue', rev: busy.state.rev },
    });
  });

  test('"try again" during the lockout edits the one notice and calls nothing', () => {
    const busy = lockedAtSlots();
    const early = context({ now: now + 35_000 });
    const tapped = run(busy.state, tap(lastView(busy.effects), 'button-try-again'), early, lockedSlots);
    expect(tapped.calls).toEqual([]);
    expect(tapped.effects.map((e) => e.type)).toEqual(['answerCallback', 'edit']);
    expect(tapped.effects[0]).toEqual({ type: 'answerCallback', text: { key: 'studio-busy-toast' } });
    const edited = tapped.effects[1];
    expect(edited?.type === 'edit' && edited.view.parts).toEqual([
      { key: 'studio-busy', args: { seconds: 25 } },
    ]);
    expect(tapped.state).toEqual(busy.state);
  });

  test('when the timer fires, the step is repeated by itself and its result shown', () => {
    const busy = lockedAtSlots();
    const due = laterEffect(busy.effects).event;
    const resumed = run(busy.state, due, context({ now: now + 61_000 }), happyStudio());
    expect(resumed.calls.map((c) => c.name)).toEqual(['classSlots']);
    expect(resumed.state.step.name).toBe('choosingSlot');
    expect(shownKeys(resumed.effects)[0]).toBe('slots-header');
  });

  test.each<[string, BookingEvent]>([
    ['/cancel', { type: 'cancel' }],
    ['/forget', { type: 'forget' }],
    ['/start', { type: 'start' }],
  ])('the timer changes nothing after %s', (_name, event) => {
    const busy = lockedAtSlots();
    const due = laterEffect(busy.effects).event;
    const moved = run(busy.state, event, ctx, happyStudio());
    const late = run(moved.state, due, context({ now: now + 61_000 }), happyStudio());
    expect(late.calls).toEqual([]);
    expect(late.effects).toEqual([]);
    expect(late.state).toEqual(moved.state);
  });

  test('the timer changes nothing once "try again" after the lockout has repeated the step', () => {
    const busy = lockedAtSlots();
    const due = laterEffect(busy.effects).event;
    const after = context({ now: now + 61_000 });
    const retried = run(busy.state, tap(lastView(busy.effects), 'button-try-again'), after, happyStudio());
    expect(retried.calls.map((c) => c.name)).toEqual(['classSlots']);
    const late = run(retried.state, due, after, happyStudio());
    expect(late.calls).toEqual([]);
    expect(late.effects).toEqual([]);
  });

  test('a timer of an earlier revision does not repeat a later failure of the same step', () => {
    const busy = lockedAtSlots();
    const due = laterEffect(busy.effects).event;
    // "Try again" after the lockout: the same step fails again, now with a 500 (no lockout).
    const after = context({ now: now + 61_000 });
    const broken = happyStudio({ classSlots: () => ({ fail: 'temporary' }) });
    const failedAgain = run(busy.state, tap(lastView(busy.effects), 'button-try-again'), after, broken);
    expect(failedAgain.state).toMatchObject({ step: { name: 'loadingSlots' }, stalled: true });
    const late = run(failedAgain.state, due, after, happyStudio());
    expect(late.calls).toEqual([]);
    expect(late.effects).toEqual([]);
  });

  test('a lockout that comes after "try again" edits that message into the notice', () => {
    let failures: Array<{ fail: 'temporary'; retryAfterMs?: number }> = [];
    const studio = happyStudio({
      leadValidate: () => failures.shift() ?? { validationStatus: 'POSSIBLE' },
    });
    const summary = reachSummary(ctx, studio);
    failures = [{ fail: 'temporary' }, { fail: 'temporary', retryAfterMs: 20_000 }];
    const failed = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(failed.effects.map((e) => e.type)).toContain('reply');
    const locked = run(failed.state, tap(lastView(failed.effects), 'button-try-again'), ctx, studio);
    expect(locked.effects.filter((e) => e.type === 'reply' || e.type === 'edit').map((e) => e.type)).toEqual([
      'edit',
    ]);
    expect(lastView(locked.effects).parts[0]).toEqual({ key: 'studio-busy', args: { seconds: 20 } });
  });

  test('with details entered, the notice says they are saved', () => {
    const studio = happyStudio({ leadValidate: () => ({ fail: 'temporary', retryAfterMs: 20_000 }) });
    const summary = reachSummary(ctx, studio);
    const busy = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(busy.state.step.name).toBe('validatingLead');
    expect(lastView(busy.effects).parts).toEqual([
      { key: 'studio-busy', args: { seconds: 20 } },
      { key: 'studio-busy-saved' },
    ]);
  });
});

describe('"saved" only when something was entered', () => {
  test('a failure before any detail was typed does not say "saved"; after, it does', () => {
    const broken = happyStudio({ classSlots: () => ({ fail: 'permanent' }) });
    const started = run(fresh(), { type: 'start' }, ctx, broken);
    const failed = run(started.state, tap(lastView(started.effects), 'offer-button-class'), ctx, broken);
    expect(shownKeys(failed.effects)).toEqual(['error-studio-failed-plain']);

    const lateFailure = happyStudio({ leadValidate: () => ({ fail: 'temporary' }) });
    const summary = reachSummary(ctx, lateFailure);
    const failedLater = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, lateFailure);
    expect(shownKeys(failedLater.effects)).toEqual(['error-studio-unavailable']);
  });
});

describe('"saved" on a failed confirm', () => {
  test('a returning prospect who typed nothing is not told their entries are saved', () => {
    const known = context({ knownLeadId: 777 });
    const studio = happyStudio({
      config: () => trialConfig({ confirmationOfBookingTerm: { value: 2, unit: 'HOURS' } }),
      classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED', 777),
      confirm: () => ({ fail: 'temporary' }),
    });
    const picked = pickFirstSlot(openYoga(known, studio), known, studio);
    const booked = run(picked.state, tap(lastView(picked.effects), 'button-book'), known, studio);
    const failed = run(booked.state, tap(lastView(booked.effects), 'button-confirm'), known, studio);
    expect(shownKeys(failed.effects)).toEqual(['error-studio-unavailable-plain']);
    expect(buttonKeys(lastView(failed.effects))).toEqual(['button-confirm']);
  });
});

describe('a slot that filled up before booking', () => {
  test('the re-check asks before the waiting list: the list again, the slot marked, nothing sent', () => {
    let full = false;
    const studio = happyStudio({
      classSlots: () => [
        classSlot(501, now + day, full ? { bookedParticipants: 12, maxWaitingListParticipants: 5 } : {}),
        classSlot(502, now + 2 * day),
      ],
      classBook: () => classBookResult(9002, 'WAITING_LIST'),
    });
    const summary = reachSummary(ctx, studio);
    expect(shownKeys(summary.effects)).not.toContain('summary-waiting-list');
    full = true;

    const asked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(asked.calls.map((c) => c.name)).toEqual(['classSlots']);
    expect(asked.state.step.name).toBe('choosingSlot');
    const list = lastView(asked.effects);
    expect(list.parts[0]).toEqual({ key: 'slot-now-waiting-list' });
    // The chosen slot's day is the one shown: its time is now marked as the waiting list.
    expect(buttonKeys(list).filter((key) => !key.startsWith('slot-day-'))).toEqual([
      'slot-button-waiting-list',
      'button-other-offers',
    ]);
    expect(buttonKeys(list)[0]).toBe('slot-day-selected');
    // Everything typed is still there.
    expect(asked.state.flow?.lead).toEqual({
      firstName: 'Anna',
      lastName: 'Schmidt',
      email: 'anna@example.com',
    });

    // Choosing the waiting list is the prospect's own tap, with the summary saying so.
    const chosen = run(asked.state, tap(list, 'slot-button-waiting-list'), ctx, studio);
    expect(chosen.state.step).toEqual({ name: 'summary' });
    expect(shownKeys(chosen.effects)).toContain('summary-waiting-list');
    const booked = run(chosen.state, tap(lastView(chosen.effects), 'button-book'), ctx, studio);
    expect(booked.calls.map((c) => c.name)).toEqual([
      'classSlots',
      'leadValidate',
      'leadCreate',
      'classBookingValidate',
      'classBook',
    ]);
    expect(shownKeys(booked.effects)).toEqual(['booking-waiting-list', 'booking-waiting-list-contact']);
  });

  test('for a returning prospect too, before the short summary', () => {
    const known = context({ knownLeadId: 777 });
    const studio = happyStudio({
      classSlots: () => [
        classSlot(501, now + day, { bookedParticipants: 12, maxWaitingListParticipants: 5 }),
      ],
    });
    const slots = openYoga(known, studio);
    // The list showed a free place (the prospect's tap says so); it filled before the re-check.
    const list = lastView(slots.effects);
    const waitingTap = tap(list, 'slot-button-waiting-list');
    if (waitingTap.type !== 'callback' || waitingTap.data?.action !== 'slot') throw new Error('no slot tap');
    const freeTap: BookingEvent = { type: 'callback', data: { ...waitingTap.data, waitingList: false } };
    const asked = run(slots.state, freeTap, known, studio);
    expect(asked.state.step.name).toBe('choosingSlot');
    expect(lastView(asked.effects).parts[0]).toEqual({ key: 'slot-now-waiting-list' });
  });
});

describe('a returning prospect after a refused validation', () => {
  test('picks another time and gets the short summary, not a booking', () => {
    let refusals = 1;
    const studio = happyStudio({
      classBookingValidate: () =>
        refusals-- > 0 ? { validationStatus: 'STUDIO_CLOSED' } : { validationStatus: 'AVAILABLE' },
    });
    const summary = reachSummary(ctx, studio);
    const refused = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(refused.state.step.name).toBe('choosingSlot');
    // Another time: the next free day, then its time.
    const nextDay = run(refused.state, tap(lastView(refused.effects), 'slot-day-free'), ctx, studio);
    expect(nextDay.state.step.name).toBe('choosingSlot');
    const picked = run(nextDay.state, tap(lastView(nextDay.effects), 'slot-button'), ctx, studio);
    expect(picked.calls.map((c) => c.name)).toEqual(['classSlots']);
    expect(picked.state.step).toEqual({ name: 'summary' });
    expect(shownKeys(picked.effects)).toEqual([
      'summary-header',
      'booking-detail-location',
      'summary-name',
      'summary-consent',
    ]);
  });
});

describe('/forget with a booking still to confirm', () => {
  const studio = happyStudio({
    config: () => trialConfig({ confirmationOfBookingTerm: { value: 2, unit: 'HOURS' } }),
    classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED'),
  });

  test('says the booking stays at the studio and how to reach it', () => {
    const summary = reachSummary(ctx, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(booked.state.step.name).toBe('awaitingConfirmation');
    const forgotten = run(booked.state, { type: 'forget' }, ctx, studio);
    expect(forgotten.effects[0]).toEqual({ type: 'forgetUser' });
    expect(shownKeys(forgotten.effects)).toEqual([
      'forget-done',
      'forget-pending-booking',
      'studio-contact-intro',
      'studio-contact-telephone',
      'studio-contact-email',
      'studio-contact-website',
      'studio-contact-address',
    ]);
    expect(shownKeys(forgotten.effects)).toContain('forget-pending-booking');
  });

  test('says nothing more once the booking is confirmed', () => {
    const summary = reachSummary(ctx, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    const confirmed = run(booked.state, tap(lastView(booked.effects), 'button-confirm'), ctx, studio);
    const forgotten = run(confirmed.state, { type: 'forget' }, ctx, studio);
    expect(shownKeys(forgotten.effects)).toEqual(['forget-done']);
  });
});

describe('a repeated "Book now" for a booking that needs confirmation', () => {
  test('is answered with a toast pointing at the confirm button: no second message, no second button', () => {
    const studio = happyStudio({
      config: () => trialConfig({ confirmationOfBookingTerm: { value: 2, unit: 'HOURS' } }),
      classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED'),
    });
    const summary = reachSummary(ctx, studio);
    const bookTap = tap(lastView(summary.effects), 'button-book');
    const booked = run(summary.state, bookTap, ctx, studio);
    const again = run(booked.state, bookTap, ctx, studio);
    expect(again.calls).toEqual([]);
    expect(again.effects).toEqual([
      {
        type: 'answerCallback',
        text: { key: 'booking-existing-confirm', args: { date: 'Tuesday, 16 June 2026', time: '10:00' } },
      },
    ]);
  });
});

describe('the confirmation deadline, written out', () => {
  const translator = createTranslator();
  const deadline = Date.parse('2026-12-02T05:51:00Z');
  const slot = { offer: 'Yoga Flow', date: 'Thursday, 3 December 2026', time: '18:00' };

  test('English says "by <date> at <time>"', () => {
    const message = text('booking-confirm-required', {
      ...slot,
      ...deadlineArgs(deadline, 'Europe/Berlin', 'en'),
    });
    expect(translator.render('en', message)).toContain(
      'Please confirm it by Wednesday, 2 December 2026 at 06:51,',
    );
  });

  test('German says "bis <Datum> um <Uhrzeit> Uhr"', () => {
    const message = text('booking-confirm-required', {
      ...slot,
      ...deadlineArgs(deadline, 'Europe/Berlin', 'de'),
    });
    expect(translator.render('de', message)).toContain(
      'Bitte bestätige bis Mittwoch, 2. Dezember 2026 um 06:51 Uhr, sonst verfällt die Buchung.',
    );
  });
});

describe('NO_CONTINGENT, rendered', () => {
  const translator = createTranslator();
  test.each([
    [
      'en',
      "This trial offer can be booked 2 times per person, and only once within 2 weeks, so I can't book this time for you.",
    ],
    [
      'de',
      'Dieses Probetraining kann man 2-mal pro Person buchen, aber nur einmal innerhalb von 2 Wochen, deshalb kann ich diesen Termin nicht für dich buchen.',
    ],
  ] as const)('%s names both limits', (locale, expected) => {
    const message = text('booking-status-no-contingent-term', { contingent: 2, value: 2, unit: 'WEEK' });
    expect(translator.render(locale, message)).toContain(expected);
  });
});
