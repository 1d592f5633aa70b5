/**
 * /start, deep links, the offer list and the offer's config.
 */
import { describe, expect, test } from 'vitest';
import type { TrialOfferClass } from '../../src/perfectgym/schemas.ts';
import {
  buttonKeys,
  context,
  fresh,
  happyStudio,
  introAppointment,
  lastView,
  offers,
  run,
  shownKeys,
  tap,
  trialConfig,
  views,
} from './fixtures.ts';

const ctx = context();

describe('deep links', () => {
  test("c<classId> opens that class's slots right away, after the greeting", () => {
    const studio = happyStudio();
    const opened = run(fresh(), { type: 'start', payload: 'c1001' }, ctx, studio);
    expect(opened.calls.map((c) => c.name)).toEqual(['offers', 'config', 'classSlots']);
    expect(shownKeys(opened.effects)[0]).toBe('start-greeting');
    expect(opened.state.step.name).toBe('choosingSlot');
    expect(opened.state.flow?.offer).toEqual({ type: 'class', id: 1001, configId: 1, title: 'Yoga Flow' });
  });

  test('a campaign tag is kept and reaches the staff notices', () => {
    const studio = happyStudio();
    let at = run(fresh(), { type: 'start', payload: 'c1001_poster' }, ctx, studio);
    expect(at.state.flow?.campaign).toBe('poster');
    at = run(at.state, tap(lastView(at.effects), 'slot-button'), ctx, studio);
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, ctx, studio);
    const booked = run(at.state, tap(lastView(at.effects), 'button-book'), ctx, studio);
    const notices = booked.effects.flatMap((e) => (e.type === 'notifyStaff' ? [e.notice] : []));
    expect(notices.map((n) => [n.kind, n.campaign])).toEqual([
      ['leadCreated', 'poster'],
      ['booked', 'poster'],
    ]);
  });

  test('a<appointmentId> opens the appointment', () => {
    const studio = happyStudio({ config: () => trialConfig({ id: 2 }), appointmentSlots: () => [] });
    const opened = run(fresh(), { type: 'start', payload: 'a2001' }, ctx, studio);
    expect(opened.calls.map((c) => c.name)).toEqual(['offers', 'config', 'appointmentSlots']);
  });

  test("o<configId> lists only that config's offers, or opens the only one", () => {
    const twoInConfig = {
      classes: offers.classes,
      appointments: [{ ...introAppointment, trialOfferConfigId: 1 }],
    };
    const listed = run(
      fresh(),
      { type: 'start', payload: 'o1' },
      ctx,
      happyStudio({ offers: () => twoInConfig }),
    );
    expect(listed.state.step).toEqual({ name: 'choosingOffer', page: 0, configId: 1 });
    expect(buttonKeys(lastView(listed.effects))).toEqual(['offer-button-class', 'offer-button-appointment']);

    const single = run(
      fresh(),
      { type: 'start', payload: 'o2' },
      ctx,
      happyStudio({ config: () => trialConfig({ id: 2 }), appointmentSlots: () => [] }),
    );
    expect(single.state.flow?.offer).toMatchObject({ type: 'appointment', id: 2001 });
  });

  test.each([
    ['not-a-payload', 'deep-link-invalid'],
    ['c1001_Poster!', 'deep-link-invalid'],
    ['c9999', 'offer-gone'],
    ['c1002', 'offer-gone'], // listed, but not bookable
    ['o77', 'offer-gone'],
  ])('/start %s says %s and shows the normal list', (payload, notice) => {
    const opened = run(fresh(), { type: 'start', payload }, ctx, happyStudio());
    expect(opened.calls.map((c) => c.name)).toEqual(['offers']);
    expect(shownKeys(opened.effects)).toEqual(['start-greeting', notice, 'offers-choose']);
    expect(opened.state.step).toEqual({ name: 'choosingOffer', page: 0 });
    expect(opened.state.flow?.campaign).toBeUndefined();
  });
});

describe('offer list', () => {
  test('more than six offers are paged, and paging edits the message', () => {
    const many: TrialOfferClass[] = Array.from({ length: 8 }, (_, i) => ({
      trialOfferConfigId: 1,
      trialOfferClass: { id: 100 + i, title: `Class ${i + 1}`, bookable: true },
    }));
    const studio = happyStudio({ offers: () => ({ classes: many, appointments: [] }) });
    const first = run(fresh(), { type: 'start' }, ctx, studio);
    expect(buttonKeys(lastView(first.effects))).toEqual([
      ...Array(6).fill('offer-button-class'),
      'button-next',
    ]);
    expect(lastView(first.effects).parts.at(-1)).toEqual({ key: 'offers-page', args: { page: 1, pages: 2 } });
    const second = run(first.state, tap(lastView(first.effects), 'button-next'), ctx, studio);
    expect(second.effects.map((e) => e.type)).toEqual(['answerCallback', 'edit']);
    expect(buttonKeys(lastView(second.effects))).toEqual([
      'offer-button-class',
      'offer-button-class',
      'button-previous',
    ]);
    expect(second.state.step).toEqual({ name: 'choosingOffer', page: 1 });
  });

  test('no offers at all: say so and show how to reach the studio', () => {
    const empty = run(
      fresh(),
      { type: 'start' },
      ctx,
      happyStudio({ offers: () => ({ classes: [], appointments: [] }) }),
    );
    expect(shownKeys(empty.effects).slice(0, 3)).toEqual([
      'start-greeting',
      'offers-none',
      'studio-contact-intro',
    ]);
    expect(empty.state.step).toEqual({ name: 'idle' });
  });

  test('without studio information the greeting still works', () => {
    const noStudio = context({ studio: undefined });
    const started = run(fresh(), { type: 'start' }, noStudio, happyStudio());
    expect(shownKeys(started.effects)[0]).toBe('start-greeting-no-name');
  });
});

describe('offer config', () => {
  test('an offer leads may not book says so and shows the studio contact', () => {
    const studio = happyStudio({ config: () => trialConfig({ allowBookingForLeads: false }) });
    const opened = run(fresh(), { type: 'start', payload: 'c1001' }, ctx, studio);
    expect(opened.calls.map((c) => c.name)).toEqual(['offers', 'config']);
    const shown = lastView(opened.effects);
    expect(shown.parts[0]).toEqual({ key: 'offer-no-online-booking', args: { offer: 'Yoga Flow' } });
    expect(shown.parts.map((p) => p.key)).toContain('studio-contact-email');
    expect(buttonKeys(shown)).toEqual(['button-other-offers']);
    const back = run(opened.state, tap(shown, 'button-other-offers'), ctx, studio);
    expect(back.state.step.name).toBe('choosingOffer');
  });

  test('a class without bookable slots says so and offers the other offers', () => {
    const studio = happyStudio({ classSlots: () => [] });
    const opened = run(fresh(), { type: 'start', payload: 'c1001' }, ctx, studio);
    expect(views(opened.effects).at(-1)?.parts).toEqual([
      { key: 'slots-none', args: { offer: 'Yoga Flow' } },
    ]);
    expect(buttonKeys(lastView(opened.effects))).toEqual(['button-other-offers']);
  });

  test('a new /start keeps past bookings but starts a fresh flow', () => {
    const studio = happyStudio();
    const opened = run(fresh(), { type: 'start', payload: 'c1001_flyer' }, ctx, studio);
    const withBooking = {
      ...opened.state,
      bookings: [{ bookingId: 1, status: 'BOOKED', choice: 'x', startMin: 1 }],
    };
    const restarted = run(withBooking, { type: 'start' }, ctx, studio);
    expect(restarted.state.bookings).toEqual(withBooking.bookings);
    expect(restarted.state.flow).toEqual({ lead: {}, skipped: [] });
  });

  test('the offer and its config come from the shared cache; the flow asks for them as calls', () => {
    const started = run(fresh(), { type: 'start' }, ctx, happyStudio());
    const picked = run(
      started.state,
      tap(lastView(started.effects), 'offer-button-class'),
      ctx,
      happyStudio(),
    );
    expect(picked.calls).toEqual([
      { name: 'offers' },
      { name: 'config', configId: 1 },
      { name: 'classSlots', classId: 1001 },
    ]);
  });
});
