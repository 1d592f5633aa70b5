/**
 * A whole trial-class booking, as the prospect sees it and as the studio is called.
 */
import { describe, expect, test } from 'vitest';
import type { Effect } from '../../src/booking/effects.ts';
import type { LeadDataConfig } from '../../src/perfectgym/schemas.ts';
import {
  buttonData,
  buttonKeys,
  classBookResult,
  classSlot,
  context,
  day,
  fresh,
  happyStudio,
  lastView,
  leadDataConfig,
  now,
  openYoga,
  pickFirstSlot,
  reachSummary,
  run,
  type StudioScript,
  shownKeys,
  studio as studioInformation,
  tap,
  trialConfig,
  views,
} from './fixtures.ts';

const ctx = context();

describe('happy path: trial class that needs confirmation', () => {
  const studio = happyStudio({
    config: () => trialConfig({ confirmationOfBookingTerm: { value: 2, unit: 'HOURS' } }),
    classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED'),
  });

  test('/start greets with the studio name and lists the bookable offers', () => {
    const started = run(fresh(), { type: 'start' }, ctx, studio);
    const shown = lastView(started.effects);
    expect(shown.parts[0]).toEqual({ key: 'start-greeting', args: { studio: 'Move Studio' } });
    const labels = shown.keyboard?.type === 'inline' ? shown.keyboard.rows.flat().map((b) => b.text) : [];
    // "Boxing" is not bookable, so it is not offered.
    expect(labels).toEqual([
      { key: 'offer-button-class', args: { title: 'Yoga Flow' } },
      { key: 'offer-button-appointment', args: { title: 'Personal training intro' } },
    ]);
    expect(started.state.step).toEqual({ name: 'choosingOffer', page: 0 });
  });

  test("the slot list is day first: day buttons for the window, then the first free day's times only", () => {
    const slots = openYoga(ctx, studio);
    const list = lastView(slots.effects);
    // The text names the offer and the day; it does not repeat the buttons.
    expect(list.parts).toEqual([
      { key: 'slots-header', args: { offer: 'Yoga Flow' } },
      { key: 'slots-pick-time', args: { day: 'Tuesday, 16 June 2026' } },
    ]);
    const rows = list.keyboard?.type === 'inline' ? list.keyboard.rows : [];
    // Six days from the first free one, three a row; Tuesday shown, Wednesday free, the rest without a class.
    expect(rows.slice(0, 2).map((row) => row.map((b) => b.text))).toEqual([
      [
        { key: 'slot-day-selected', args: { day: 'Tue 16' } },
        { key: 'slot-day-free', args: { day: 'Wed 17' } },
        { key: 'slot-day-none', args: { day: 'Thu 18' } },
      ],
      [
        { key: 'slot-day-none', args: { day: 'Fri 19' } },
        { key: 'slot-day-none', args: { day: 'Sat 20' } },
        { key: 'slot-day-none', args: { day: 'Sun 21' } },
      ],
    ]);
    expect(rows[2]?.map((b) => b.text)).toEqual([{ key: 'slot-button', args: { time: '10:00' } }]);
    expect(slots.state.step).toMatchObject({ name: 'choosingSlot' });

    // Another day: its times in place of the list; a day without places only says so.
    const wednesday = run(slots.state, tap(list, 'slot-day-free'), ctx, studio);
    expect(wednesday.effects[1]).toMatchObject({ type: 'edit' });
    expect(lastView(wednesday.effects).parts[1]).toEqual({
      key: 'slots-pick-time',
      args: { day: 'Wednesday, 17 June 2026' },
    });
    const thursday = run(slots.state, tap(list, 'slot-day-none'), ctx, studio);
    expect(thursday.calls).toEqual([]);
    expect(thursday.effects).toEqual([
      {
        type: 'answerCallback',
        text: { key: 'slots-day-none-toast', args: { day: 'Thursday, 18 June 2026' } },
      },
    ]);
  });

  test('a day with more than twelve times shows twelve, four a row, and "later times" for the rest', () => {
    const many = happyStudio({
      classSlots: () => Array.from({ length: 15 }, (_, i) => classSlot(600 + i, now + day + i * 30 * 60_000)),
    });
    const slots = openYoga(ctx, many);
    const list = lastView(slots.effects);
    const rows = list.keyboard?.type === 'inline' ? list.keyboard.rows : [];
    const timeRows = rows.filter((row) => row.every((b) => b.text.key === 'slot-button'));
    expect(timeRows.map((row) => row.length)).toEqual([4, 4, 4]);
    const later = run(slots.state, tap(list, 'button-later-times'), ctx, many);
    const rest = lastView(later.effects);
    expect(buttonKeys(rest).filter((key) => key === 'slot-button')).toHaveLength(3);
    expect(buttonKeys(rest)).toContain('button-earlier-times');
  });

  test('the whole conversation, with the calls it costs', () => {
    const summary = reachSummary(ctx, studio);
    expect(summary.state.step).toEqual({ name: 'summary' });
    const summaryView = lastView(summary.effects);
    expect(summaryView.parts).toEqual([
      { key: 'summary-header', args: { offer: 'Yoga Flow', date: 'Tuesday, 16 June 2026', time: '10:00' } },
      { key: 'summary-name', args: { first: 'Anna', last: 'Schmidt' } },
      { key: 'summary-email', args: { value: 'anna@example.com' } },
      { key: 'summary-consent', args: { url: 'https://move.example/privacy' } },
    ]);

    const booked = run(summary.state, tap(summaryView, 'button-book'), ctx, studio);
    // Re-check the slot, check and create the lead, check and make the booking.
    expect(booked.calls.map((c) => c.name)).toEqual([
      'classSlots',
      'leadValidate',
      'leadCreate',
      'classBookingValidate',
      'classBook',
    ]);
    expect(booked.calls[3]).toEqual({
      name: 'classBookingValidate',
      request: { customerId: 555, classSlotId: 501 },
    });
    expect(booked.effects).toContainEqual({ type: 'rememberLead', leadId: 555 });
    const confirmView = lastView(booked.effects);
    expect(confirmView.parts).toEqual([
      {
        key: 'booking-confirm-required',
        args: {
          offer: 'Yoga Flow',
          date: 'Tuesday, 16 June 2026',
          time: '10:00',
          // Booked at 10:00 Berlin time, two hours to confirm.
          deadlineDate: 'Monday, 15 June 2026',
          deadlineTime: '12:00',
        },
      },
    ]);
    const confirm = buttonData(confirmView, 'button-confirm');
    expect(confirm).toEqual({
      action: 'confirm',
      bookingId: 9001,
      deadlineMin: (ctx.now + 2 * 3_600_000) / 60_000,
    });

    const confirmed = run(booked.state, { type: 'callback', data: confirm }, ctx, studio);
    expect(confirmed.calls).toEqual([{ name: 'confirm', bookingId: 9001 }]);
    const edited = confirmed.effects.find((e) => e.type === 'edit');
    // The confirmation message is edited in place and its button removed.
    expect(edited).toEqual({
      type: 'edit',
      view: {
        parts: [
          { key: 'confirm-done', args: { offer: 'Yoga Flow', date: 'Tuesday, 16 June 2026', time: '10:00' } },
          { key: 'booking-detail-studio', args: { place: 'Move Studio, Burgring 23A, 13000 Berlin' } },
          { key: 'booking-detail-location', args: { location: 'Room 1' } },
          { key: 'booking-detail-instructors', args: { names: 'Lena Berg' } },
        ],
      },
    });
    const calendar = confirmed.effects.find((e) => e.type === 'sendCalendar');
    expect(calendar).toMatchObject({ type: 'sendCalendar', filename: 'trial-9001.ics' });
    expect(calendar?.type === 'sendCalendar' && calendar.ics).toContain('DTSTART:20260616T080000Z');
    expect(confirmed.state.step).toEqual({ name: 'done' });
    expect(confirmed.state.bookings[0]?.status).toBe('CONFIRMED');
  });

  test('staff hear about the lead (field names, no values) and the booking', () => {
    const summary = reachSummary(context(), studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    const notices = booked.effects.filter(
      (e): e is Extract<Effect, { type: 'notifyStaff' }> => e.type === 'notifyStaff',
    );
    expect(notices.map((n) => n.notice)).toEqual([
      {
        kind: 'leadCreated',
        offerType: 'class',
        offerId: 1001,
        offerTitle: 'Yoga Flow',
        slotStart: '2026-06-16T10:00:00.000+02:00[Europe/Berlin]',
        leadId: 555,
        name: 'Anna Schmidt',
        givenFields: ['firstName', 'lastName', 'email'],
      },
      {
        kind: 'booked',
        offerType: 'class',
        offerId: 1001,
        offerTitle: 'Yoga Flow',
        slotStart: '2026-06-16T10:00:00.000+02:00[Europe/Berlin]',
        leadId: 555,
        name: 'Anna Schmidt',
        status: 'BOOKED_WITH_CONFIRMATION_REQUIRED',
        bookingId: 9001,
      },
    ]);
    expect(JSON.stringify(notices)).not.toContain('anna@example.com');
  });
});

describe('plain BOOKED', () => {
  test('success names date, time, place and instructor, and comes with a calendar file', () => {
    const studio = happyStudio();
    const summary = reachSummary(ctx, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    const success = views(booked.effects).at(-1);
    expect(success?.parts).toEqual([
      { key: 'booking-success', args: { offer: 'Yoga Flow', date: 'Tuesday, 16 June 2026', time: '10:00' } },
      { key: 'booking-detail-studio', args: { place: 'Move Studio, Burgring 23A, 13000 Berlin' } },
      { key: 'booking-detail-location', args: { location: 'Room 1' } },
      { key: 'booking-detail-instructors', args: { names: 'Lena Berg' } },
    ]);
    const calendar = booked.effects.find((e) => e.type === 'sendCalendar');
    expect(calendar?.type === 'sendCalendar' && calendar.ics).toContain(
      'LOCATION:Room 1\\, Move Studio\\, Burgring 23A\\, 13000 Berlin',
    );
    // Without coordinates: no GEO line and no venue.
    expect(calendar?.type === 'sendCalendar' && calendar.ics).not.toContain('GEO:');
    expect(booked.effects.some((e) => e.type === 'sendVenue')).toBe(false);
    expect(booked.state.step).toEqual({ name: 'done' });
  });

  test("the room's description, the studio's coordinates and phone go into the texts, the file and a venue", () => {
    const withPlace = happyStudio({
      classSlots: () => [
        classSlot(501, now + day, { location: { id: 3, name: 'Room 1', description: '1st floor, left' } }),
      ],
    });
    const located = context({
      studio: { ...studioInformation, location: { latitude: 52.52, longitude: 13.405 } },
    });
    const summary = reachSummary(located, withPlace);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), located, withPlace);
    expect(views(booked.effects).at(-1)?.parts[2]).toEqual({
      key: 'booking-detail-room',
      args: { room: 'Room 1', note: '1st floor, left' },
    });
    const calendar = booked.effects.find((e) => e.type === 'sendCalendar');
    const ics = calendar?.type === 'sendCalendar' ? calendar.ics.replace(/\r\n /g, '') : '';
    expect(ics).toContain('GEO:52.52;13.405');
    expect(ics).toContain('DESCRIPTION:Lena Berg\\nMove Studio: Tel. +49 30 1234567');
    expect(booked.effects.filter((e) => e.type === 'sendVenue')).toEqual([
      {
        type: 'sendVenue',
        venue: {
          latitude: 52.52,
          longitude: 13.405,
          title: 'Move Studio',
          address: 'Burgring 23A, 13000 Berlin',
        },
      },
    ]);
  });

  test('the waiting list is said as such, without a calendar file', () => {
    const studio = happyStudio({ classBook: () => classBookResult(9002, 'WAITING_LIST') });
    const summary = reachSummary(ctx, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(shownKeys(booked.effects)).toEqual(['booking-waiting-list', 'booking-waiting-list-contact']);
    expect(booked.effects.some((e) => e.type === 'sendCalendar')).toBe(false);
  });

  test.each([
    ['CANCELED', 'booking-canceled'],
    ['SOMETHING_NEW', 'booking-unknown-status'],
  ])('booking status %s is explained with %s', (status, key) => {
    const studio = happyStudio({ classBook: () => classBookResult(9003, status) });
    const summary = reachSummary(ctx, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    expect(shownKeys(booked.effects)[0]).toBe(key);
    expect(booked.effects.some((e) => e.type === 'sendCalendar')).toBe(false);
  });
});

describe('lead fields follow the config', () => {
  type Modes = Partial<Omit<LeadDataConfig, 'trialOfferLeadDataConfigId'>>;
  const withModes = (modes: Modes): StudioScript =>
    happyStudio({ config: () => trialConfig({ leadDataConfig: leadDataConfig(modes) }) });

  test('all INACTIVE: only first name, last name and e-mail are asked, nothing else is sent', () => {
    const studio = withModes({});
    const slot = pickFirstSlot(openYoga(ctx, studio), ctx, studio);
    expect(slot.state.step).toEqual({ name: 'collectingLead', field: 'firstName' });
    const summary = reachSummary(ctx, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    const leadCall = booked.calls.find((c) => c.name === 'leadCreate');
    expect(leadCall?.name === 'leadCreate' && Object.keys(leadCall.request.leadCustomerData).sort()).toEqual([
      'email',
      'firstname',
      'language',
      'lastname',
      'thirdPartyId',
    ]);
  });

  test('MANDATORY fields are asked without a Skip button, and a typed "skip" is refused', () => {
    const studio = withModes({
      genderMode: 'MANDATORY',
      dateOfBirthMode: 'MANDATORY',
      telephoneMode: 'MANDATORY',
      addressMode: 'MANDATORY',
    });
    let at = pickFirstSlot(openYoga(ctx, studio), ctx, studio);
    const inputs = ['Anna', 'Schmidt', 'anna@example.com'];
    for (const input of inputs) at = run(at.state, { type: 'text', text: input }, ctx, studio);
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'gender' });
    expect(buttonKeys(lastView(at.effects))).toEqual(['gender-female', 'gender-male', 'gender-diverse']);
    const refused = run(at.state, { type: 'skip' }, ctx, studio);
    expect(refused.state).toEqual(at.state);
    expect(lastView(refused.effects).parts.map((p) => p.key)).toEqual([
      'lead-error-required',
      'lead-ask-gender',
    ]);
    at = run(at.state, tap(lastView(at.effects), 'gender-female'), ctx, studio);
    at = run(at.state, { type: 'text', text: '31.12.1990' }, ctx, studio);
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'telephone' });
    // The phone question comes with a "share my contact" keyboard, without Skip.
    expect(lastView(at.effects).keyboard).toEqual({
      type: 'shareContact',
      share: { key: 'button-share-contact' },
    });
    at = run(at.state, { type: 'contact', phoneNumber: '491701234567', userId: 42 }, ctx, studio);
    // The address in one line, without Skip; what was read is confirmed with one tap.
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'street' });
    expect(buttonKeys(lastView(at.effects))).not.toContain('button-skip');
    at = run(at.state, { type: 'text', text: 'Burgring 23A, 13000 Berlin' }, ctx, studio);
    at = run(at.state, tap(lastView(at.effects), 'button-address-ok'), ctx, studio);
    expect(at.state.step).toEqual({ name: 'summary' });
    const booked = run(at.state, tap(lastView(at.effects), 'button-book'), ctx, studio);
    const leadCall = booked.calls.find((c) => c.name === 'leadCreate');
    expect(leadCall?.name === 'leadCreate' && leadCall.request.leadCustomerData).toMatchObject({
      gender: 'FEMALE',
      dateOfBirth: '1990-12-31',
      telephone: '+491701234567',
      address: { street: 'Burgring', houseNumber: '23A', zipCode: '13000', city: 'Berlin' },
    });
  });

  test('OPTIONAL fields have a Skip button; skipped fields are not sent', () => {
    const studio = withModes({
      genderMode: 'OPTIONAL',
      dateOfBirthMode: 'OPTIONAL',
      telephoneMode: 'OPTIONAL',
      addressMode: 'OPTIONAL',
    });
    let at = reachSummaryWith(studio, ['Anna', 'Schmidt', 'anna@example.com']);
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'gender' });
    expect(buttonKeys(lastView(at.effects))).toContain('button-skip');
    expect(lastView(at.effects).parts.map((p) => p.key)).toEqual(['lead-ask-gender', 'lead-optional']);
    at = run(at.state, tap(lastView(at.effects), 'button-skip'), ctx, studio);
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'dateOfBirth' });
    at = run(at.state, tap(lastView(at.effects), 'button-skip'), ctx, studio);
    expect(lastView(at.effects).keyboard).toEqual({
      type: 'shareContact',
      share: { key: 'button-share-contact' },
      skip: { key: 'button-skip' },
    });
    // The reply keyboard's Skip button arrives as a `skip` event; its keyboard is then removed.
    at = run(at.state, { type: 'skip' }, ctx, studio);
    expect(views(at.effects)[0]).toEqual({
      parts: [{ key: 'lead-telephone-skipped' }],
      keyboard: { type: 'removeReplyKeyboard' },
    });
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'street' });
    // Skipping the street skips the whole address.
    at = run(at.state, tap(lastView(at.effects), 'button-skip'), ctx, studio);
    expect(at.state.step).toEqual({ name: 'summary' });
    const booked = run(at.state, tap(lastView(at.effects), 'button-book'), ctx, studio);
    const leadCall = booked.calls.find((c) => c.name === 'leadCreate');
    expect(leadCall?.name === 'leadCreate' && Object.keys(leadCall.request.leadCustomerData).sort()).toEqual([
      'email',
      'firstname',
      'language',
      'lastname',
      'thirdPartyId',
    ]);
  });

  test('an unknown mode is asked like an optional one', () => {
    const studio = withModes({ dateOfBirthMode: 'SOMETIMES' as never });
    const at = reachSummaryWith(studio, ['Anna', 'Schmidt', 'anna@example.com']);
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'dateOfBirth' });
    expect(buttonKeys(lastView(at.effects))).toEqual(['button-skip']);
  });

  function reachSummaryWith(studio: StudioScript, inputs: string[]) {
    let at = pickFirstSlot(openYoga(ctx, studio), ctx, studio);
    for (const input of inputs) at = run(at.state, { type: 'text', text: input }, ctx, studio);
    return at;
  }
});

describe('a returning prospect', () => {
  test('with a known lead id: no questions, no lead calls; a short summary, then "Book now" books', () => {
    const known = context({ knownLeadId: 777 });
    const studio = happyStudio({
      classBook: (call) => classBookResult(9010, 'BOOKED', call.request.customerId),
    });
    const picked = pickFirstSlot(openYoga(known, studio), known, studio);
    // The slot tap only re-checks the slot (for its place): a stray tap never books.
    expect(picked.calls.map((c) => c.name)).toEqual(['classSlots']);
    expect(picked.state.step).toEqual({ name: 'summary' });
    const summary = lastView(picked.effects);
    expect(summary.parts).toEqual([
      { key: 'summary-header', args: { offer: 'Yoga Flow', date: 'Tuesday, 16 June 2026', time: '10:00' } },
      { key: 'booking-detail-location', args: { location: 'Room 1' } },
      { key: 'summary-consent', args: { url: 'https://move.example/privacy' } },
    ]);
    expect(buttonKeys(summary)).toEqual(['button-book', 'button-cancel']);

    const booked = run(picked.state, tap(summary, 'button-book'), known, studio);
    expect(booked.calls.map((c) => c.name)).toEqual(['classSlots', 'classBookingValidate', 'classBook']);
    expect(booked.calls[1]).toEqual({
      name: 'classBookingValidate',
      request: { customerId: 777, classSlotId: 501 },
    });
    expect(shownKeys(booked.effects)).toEqual([
      'booking-success',
      'booking-detail-studio',
      'booking-detail-location',
      'booking-detail-instructors',
    ]);
    expect(booked.effects.some((e) => e.type === 'rememberLead')).toBe(false);
  });

  test('a lead created in this flow is not created again when the prospect books another time', () => {
    const studio = happyStudio();
    const summary = reachSummary(ctx, studio);
    const first = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
    // The adapter stored the lead id; the next conversation gets it in the context.
    const later = context({ knownLeadId: 555, now: ctx.now + day });
    const again = run(first.state, tap(lastView(first.effects), 'button-book-another'), later, studio);
    const slots = run(again.state, tap(lastView(again.effects), 'offer-button-class'), later, studio);
    const booked = pickFirstSlot(slots, later, studio);
    expect(booked.calls.some((c) => c.name === 'leadCreate' || c.name === 'leadValidate')).toBe(false);
  });
});
