/**
 * Table-driven: for each step, the events that matter there, with the next step and the effects.
 * States are reached through real conversations (not written by hand), so they are states the
 * flow really produces.
 */
import { describe, expect, test } from 'vitest';
import type { CallbackData } from '../../src/booking/callback-data.ts';
import type { Effect } from '../../src/booking/effects.ts';
import type { BookingEvent } from '../../src/booking/events.ts';
import type { State, StepName } from '../../src/booking/state.ts';
import { transition } from '../../src/booking/transition.ts';
import {
  classBookResult,
  context,
  fresh,
  happyStudio,
  lastView,
  leadDataConfig,
  openYoga,
  pickFirstSlot,
  reachSummary,
  run,
  tap,
  trialConfig,
} from './fixtures.ts';

const ctx = context();
const studio = happyStudio();
const phoneStudio = happyStudio({
  config: () => trialConfig({ leadDataConfig: leadDataConfig({ telephoneMode: 'OPTIONAL' }) }),
});

const states = {
  idle: (): State => fresh(),
  choosingOffer: (): State => run(fresh(), { type: 'start' }, ctx, studio).state,
  choosingSlot: (): State => openYoga(ctx, studio).state,
  collectingLead: (): State => pickFirstSlot(openYoga(ctx, studio), ctx, studio).state,
  collectingPhone: (): State => {
    let at = pickFirstSlot(openYoga(ctx, phoneStudio), ctx, phoneStudio);
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, ctx, phoneStudio);
    return at.state;
  },
  summary: (): State => reachSummary(ctx, studio).state,
  /** Waiting for the slot re-check (the adapter has not answered yet). */
  checkingSlot: (): State => {
    const summary = reachSummary(ctx, studio);
    return transition(summary.state, tap(lastView(summary.effects), 'button-book'), ctx).state;
  },
  awaitingConfirmation: (): State => {
    const confirming = happyStudio({
      config: () => trialConfig({ confirmationOfBookingTerm: { value: 1, unit: 'DAY' } }),
      classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED'),
    });
    const summary = reachSummary(ctx, confirming);
    return run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, confirming).state;
  },
  done: (): State => {
    const summary = reachSummary(ctx, studio);
    return run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio).state;
  },
} as const;
type StateName = keyof typeof states;

/** A button tap with this state's revision, or an older one. */
const tapWith =
  (data: (rev: number) => CallbackData) =>
  (state: State): BookingEvent => ({
    type: 'callback',
    data: data(state.rev),
  });
const old = (rev: number) => (rev + 1295) % 1296;

interface Row {
  from: StateName;
  event: BookingEvent | ((state: State) => BookingEvent);
  /** The next step's name; `same` for "the state does not change at all". */
  to: StepName | 'same';
  /** Effect summary: answerCallback:<key>, reply:<first key>, edit:<first key>, call:<name>, or the type. */
  effects: string[];
}

function summarise(effects: Effect[]): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case 'answerCallback':
        return e.text ? `answerCallback:${e.text.key}` : 'answerCallback';
      case 'reply':
      case 'edit':
        return `${e.type}:${e.view.parts[0]?.key}`;
      case 'call':
        return `call:${e.call.name}`;
      case 'setLocale':
        return `setLocale:${e.locale}`;
      default:
        return e.type;
    }
  });
}

const rows: Row[] = [
  // idle
  { from: 'idle', event: { type: 'text', text: 'hello' }, to: 'same', effects: ['reply:idle-hint'] },
  { from: 'idle', event: { type: 'start' }, to: 'loadingOffers', effects: ['call:offers'] },
  {
    from: 'idle',
    event: { type: 'callback', data: undefined },
    to: 'same',
    effects: ['answerCallback:callback-outdated', 'reply:idle-hint'],
  },
  { from: 'idle', event: { type: 'help' }, to: 'same', effects: ['reply:help'] },
  // choosingOffer
  {
    from: 'choosingOffer',
    event: { type: 'text', text: 'yoga' },
    to: 'same',
    effects: ['reply:input-use-buttons'],
  },
  {
    from: 'choosingOffer',
    event: tapWith((rev) => ({ action: 'offer', rev, offer: { type: 'class', id: 1001 } })),
    to: 'loadingOffers',
    effects: ['answerCallback', 'call:offers'],
  },
  {
    from: 'choosingOffer',
    event: tapWith((rev) => ({ action: 'offer', rev: old(rev), offer: { type: 'class', id: 1001 } })),
    // The newest list is the current one: a toast points to it, nothing is posted again.
    to: 'same',
    effects: ['answerCallback:callback-outdated-list'],
  },
  {
    from: 'choosingOffer',
    event: tapWith((rev) => ({ action: 'skip', rev })),
    to: 'same',
    effects: ['answerCallback:callback-outdated-list'],
  },
  // choosingSlot
  {
    from: 'choosingSlot',
    event: tapWith((rev) => ({ action: 'slotWindow', rev: old(rev), fromDay: 20_625 })),
    to: 'same',
    effects: ['answerCallback:callback-outdated-list'],
  },
  {
    from: 'choosingSlot',
    event: { type: 'nonText', kind: 'photo' },
    to: 'same',
    effects: ['reply:input-use-buttons'],
  },
  {
    from: 'choosingSlot',
    event: tapWith((rev) => ({ action: 'otherOffers', rev })),
    to: 'loadingOffers',
    effects: ['answerCallback', 'call:offers'],
  },
  {
    from: 'choosingSlot',
    // A slot in the past cannot come from the current list.
    event: tapWith((rev) => ({
      action: 'slot',
      rev,
      slot: { startMin: 1000, durationMin: 60, ref: 1 },
      waitingList: false,
    })),
    to: 'same',
    effects: ['answerCallback:callback-outdated'],
  },
  // collectingLead
  {
    from: 'collectingLead',
    event: { type: 'text', text: 'Anna' },
    to: 'collectingLead',
    effects: ['reply:lead-ask-last-name'],
  },
  {
    from: 'collectingLead',
    event: tapWith((rev) => ({ action: 'skip', rev })),
    to: 'same',
    effects: ['answerCallback', 'reply:lead-error-required'],
  },
  {
    from: 'collectingLead',
    event: tapWith((rev) => ({ action: 'profileName', rev: old(rev) })),
    to: 'same',
    effects: ['answerCallback:callback-outdated', 'reply:lead-ask-first-name'],
  },
  {
    from: 'collectingLead',
    event: tapWith((rev) => ({ action: 'gender', rev, gender: 'MALE' })),
    to: 'same',
    effects: ['answerCallback:callback-outdated', 'reply:lead-ask-first-name'],
  },
  { from: 'collectingLead', event: { type: 'cancel' }, to: 'idle', effects: ['reply:cancel-done'] },
  {
    from: 'collectingPhone',
    event: { type: 'start' },
    to: 'loadingOffers',
    effects: ['reply:start-over', 'call:offers'],
  },
  {
    from: 'collectingPhone',
    event: { type: 'text', text: '+49 170 1234567' },
    to: 'summary',
    effects: ['reply:lead-telephone-saved', 'reply:summary-header'],
  },
  // summary
  {
    from: 'summary',
    event: tapWith((rev) => ({ action: 'edit', rev, field: 'lastName' })),
    to: 'collectingLead',
    effects: ['answerCallback', 'reply:lead-ask-last-name'],
  },
  {
    from: 'summary',
    event: tapWith((rev) => ({ action: 'edit', rev: old(rev), field: 'lastName' })),
    to: 'same',
    effects: ['answerCallback:callback-outdated', 'reply:summary-header'],
  },
  // The phone is not asked for this offer, so there is no such edit button.
  {
    from: 'summary',
    event: tapWith((rev) => ({ action: 'edit', rev, field: 'telephone' })),
    to: 'same',
    effects: ['answerCallback:callback-outdated', 'reply:summary-header'],
  },
  {
    from: 'summary',
    event: tapWith((rev) => ({ action: 'cancel', rev })),
    to: 'idle',
    effects: ['answerCallback', 'reply:cancel-done'],
  },
  { from: 'summary', event: { type: 'bookingValidated', status: 'AVAILABLE' }, to: 'same', effects: [] },
  {
    from: 'summary',
    event: { type: 'slotsLoaded', loaded: { type: 'class', slots: [] } },
    to: 'same',
    effects: [],
  },
  // a step waiting for the studio
  {
    from: 'checkingSlot',
    event: { type: 'text', text: 'hello?' },
    to: 'same',
    effects: ['reply:working-wait'],
  },
  {
    from: 'checkingSlot',
    event: { type: 'callFailed', call: { name: 'classSlots', classId: 1001 }, temporary: true },
    to: 'checkingSlot',
    effects: ['reply:error-studio-unavailable'],
  },
  {
    from: 'checkingSlot',
    event: { type: 'callFailed', call: { name: 'classSlots', classId: 1001 }, temporary: false },
    to: 'checkingSlot',
    effects: ['reply:error-studio-failed'],
  },
  // A late failure of a call nobody waits for changes nothing.
  {
    from: 'checkingSlot',
    event: { type: 'callFailed', call: { name: 'offers' }, temporary: true },
    to: 'same',
    effects: [],
  },
  {
    from: 'checkingSlot',
    event: tapWith((rev) => ({ action: 'retry', rev })),
    to: 'checkingSlot',
    effects: ['answerCallback:retry-trying', 'call:classSlots'],
  },
  {
    from: 'checkingSlot',
    event: tapWith((rev) => ({ action: 'otherOffers', rev })),
    to: 'same',
    effects: ['answerCallback:callback-outdated', 'reply:working-wait'],
  },
  // awaiting confirmation
  {
    from: 'awaitingConfirmation',
    event: { type: 'text', text: 'ok' },
    to: 'same',
    effects: ['reply:booking-existing'],
  },
  {
    from: 'awaitingConfirmation',
    event: { type: 'callback', data: { action: 'confirm', bookingId: 1, deadlineMin: 0 } },
    to: 'same',
    effects: ['answerCallback:confirm-not-yours'],
  },
  // done
  { from: 'done', event: { type: 'text', text: 'thanks' }, to: 'same', effects: ['reply:idle-hint'] },
  {
    from: 'done',
    event: { type: 'callback', data: { action: 'restart' } },
    to: 'loadingOffers',
    effects: ['answerCallback', 'call:offers'],
  },
  // commands anywhere
  { from: 'summary', event: { type: 'help' }, to: 'same', effects: ['reply:help'] },
  { from: 'summary', event: { type: 'forget' }, to: 'idle', effects: ['forgetUser', 'reply:forget-done'] },
  { from: 'summary', event: { type: 'language' }, to: 'same', effects: ['reply:language-choose'] },
  {
    from: 'summary',
    event: { type: 'language', locale: 'de' },
    to: 'same',
    effects: ['setLocale:de', 'reply:language-set', 'reply:summary-header'],
  },
  {
    from: 'choosingSlot',
    event: { type: 'callback', data: { action: 'language', locale: 'de' } },
    to: 'same',
    effects: ['answerCallback', 'setLocale:de', 'reply:language-set'],
  },
];

describe('transitions by step', () => {
  test.each(rows.map((row) => [row.from, summariseEvent(row), row.to, row] as const))(
    '%s + %s → %s',
    (_from, _event, _to, row) => {
      const state = states[row.from]();
      const event = typeof row.event === 'function' ? row.event(state) : row.event;
      const result = transition(state, event, ctx);
      if (row.to === 'same') expect(result.state).toEqual(state);
      else expect(result.state.step.name).toBe(row.to);
      expect(summarise(result.effects)).toEqual(row.effects);
      if (event.type === 'callback')
        expect(result.effects.filter((e) => e.type === 'answerCallback')).toHaveLength(1);
    },
  );
});

function summariseEvent(row: Row): string {
  if (typeof row.event === 'function') {
    const data = (row.event(fresh()) as Extract<BookingEvent, { type: 'callback' }>).data;
    return `tap ${data?.action ?? '?'}`;
  }
  return row.event.type === 'callback' ? `tap ${row.event.data?.action ?? 'unparsable'}` : row.event.type;
}

describe('stale buttons never act', () => {
  test('every rev-bound button of an earlier step is out of date in the next one', () => {
    const at = openYoga(ctx, studio);
    const slotList = lastView(at.effects);
    const picked = pickFirstSlot(at, ctx, studio);
    const again = transition(picked.state, tap(slotList, 'button-other-offers'), ctx);
    expect(summarise(again.effects)).toEqual([
      'answerCallback:callback-outdated',
      'reply:lead-ask-first-name',
    ]);
    expect(again.state).toEqual(picked.state);
  });
});

describe('try again after a failure', () => {
  test('a temporary failure keeps everything and "try again" re-issues the same call', () => {
    let attempts = 0;
    const flaky = happyStudio({
      classSlots: (call) =>
        attempts++ === 0 ? { fail: 'temporary' } : (happyStudio().classSlots?.(call) ?? []),
    });
    const started = run(fresh(), { type: 'start' }, ctx, flaky);
    const failed = run(started.state, tap(lastView(started.effects), 'offer-button-class'), ctx, flaky);
    expect(failed.state.stalled).toBe(true);
    expect(failed.state.step.name).toBe('loadingSlots');
    const shown = lastView(failed.effects);
    // Nothing typed yet, so nothing is said to be saved.
    expect(shown.parts).toEqual([{ key: 'error-studio-unavailable-plain' }]);
    const retried = run(failed.state, tap(shown, 'button-try-again'), ctx, flaky);
    expect(retried.calls).toEqual([failed.calls.at(-1)]);
    expect(retried.state.step.name).toBe('choosingSlot');
    expect(retried.state.stalled).toBeUndefined();
  });

  test('a permanent failure offers "try again" and "start over"', () => {
    const broken = happyStudio({ leadValidate: () => ({ fail: 'permanent' }) });
    const summary = reachSummary(ctx, broken);
    const failed = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, broken);
    expect(failed.state.flow?.lead).toEqual(summary.state.flow?.lead);
    const shown = lastView(failed.effects);
    expect(shown.parts).toEqual([{ key: 'error-studio-failed' }]);
    expect(shown.keyboard?.type === 'inline' && shown.keyboard.rows.flat().map((b) => b.text.key)).toEqual([
      'button-try-again',
      'button-start-over',
    ]);
  });

  test.each([
    ['leadCreate', 'leadValidate'],
    ['classBook', 'classBookingValidate'],
  ] as const)(
    'after %s failed, "try again" validates first (%s), so a call that did go through is not repeated',
    (failing, first) => {
      let failures = 0;
      const base = happyStudio();
      const script = {
        ...base,
        [failing]: (call: never) =>
          failures++ === 0 ? { fail: 'temporary' } : (base[failing] as (c: never) => unknown)(call),
      };
      const summary = reachSummary(ctx, script);
      const failed = run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, script);
      expect(failed.calls.at(-1)?.name).toBe(failing);
      const retried = run(failed.state, tap(lastView(failed.effects), 'button-try-again'), ctx, script);
      expect(retried.calls[0]?.name).toBe(first);
      expect(retried.calls.filter((c) => c.name === failing)).toHaveLength(1);
    },
  );
});

describe('commands', () => {
  test('/cancel ends the flow but keeps bookings and removes any reply keyboard', () => {
    const done = states.done();
    const cancelled = transition(done, { type: 'cancel' }, ctx);
    expect(cancelled.state.flow).toBeUndefined();
    expect(cancelled.state.bookings).toEqual(done.bookings);
    expect(cancelled.effects).toEqual([
      { type: 'reply', view: { parts: [{ key: 'cancel-done' }], keyboard: { type: 'removeReplyKeyboard' } } },
    ]);
  });

  test('/forget deletes everything, and old buttons do not match the fresh state', () => {
    const done = states.done();
    const forgotten = transition(done, { type: 'forget' }, ctx);
    expect(forgotten.effects[0]).toEqual({ type: 'forgetUser' });
    expect(forgotten.state).toEqual({
      version: 1,
      rev: (done.rev + 1) % 1296,
      step: { name: 'idle' },
      bookings: [],
    });
    const oldConfirm = transition(
      forgotten.state,
      { type: 'callback', data: { action: 'confirm', bookingId: 9001, deadlineMin: 0 } },
      ctx,
    );
    expect(summarise(oldConfirm.effects)).toEqual(['answerCallback:confirm-not-yours']);
  });

  test('/language shows both languages; choosing one sets it and re-asks the current question in it', () => {
    const asking = states.collectingLead();
    const choose = transition(asking, { type: 'language' }, ctx);
    const view = lastView(choose.effects);
    const german = tap(view, 'language-name-de');
    const switched = transition(asking, german, ctx);
    expect(summarise(switched.effects)).toEqual([
      'answerCallback',
      'setLocale:de',
      'reply:language-set',
      'reply:lead-ask-first-name',
    ]);
    expect(switched.state).toEqual(asking);
  });

  test('the lead request carries the language in use', () => {
    const german = context({ locale: 'de' });
    const summary = reachSummary(german, studio);
    const booked = run(summary.state, tap(lastView(summary.effects), 'button-book'), german, studio);
    const create = booked.calls.find((c) => c.name === 'leadCreate');
    expect(create?.name === 'leadCreate' && create.request.leadCustomerData.language).toEqual({
      languageCode: 'de',
    });
    expect(create?.name === 'leadCreate' && create.request.leadCustomerData.thirdPartyId).toBe('tg:42');
  });
});
