/**
 * A message only answers a question the prospect saw. When the adapter says the current step's
 * question was not delivered (the process died between storing the step and sending it, or sending
 * failed), a message is not consumed: the question is asked again, or a waiting step's interrupted
 * studio call resumed. Taps on the current step's buttons prove it was seen; commands still apply.
 */
import { describe, expect, test } from 'vitest';
import type { Effect } from '../../src/booking/effects.ts';
import type { BookingEvent } from '../../src/booking/events.ts';
import type { State } from '../../src/booking/state.ts';
import { transition } from '../../src/booking/transition.ts';
import {
  answerAll,
  answerCall,
  context,
  happyStudio,
  lastView,
  leadDataConfig,
  openYoga,
  pickFirstSlot,
  type Run,
  reachSummary,
  run,
  type StudioScript,
  tap,
  trialConfig,
} from './fixtures.ts';

const seen = context();
const unseen = context({ promptDelivered: false });
const studio = happyStudio({
  config: () =>
    trialConfig({
      leadDataConfig: leadDataConfig({
        genderMode: 'OPTIONAL',
        dateOfBirthMode: 'MANDATORY',
        telephoneMode: 'MANDATORY',
      }),
    }),
});

/** Collecting lead data, the answers before given. */
function answered(answers: Array<string | BookingEvent>, script: StudioScript = studio): Run {
  return answerAll(pickFirstSlot(openYoga(seen, script), seen, script), answers, seen, script);
}
const askedAfter = (answers: Array<string | BookingEvent>): State => answered(answers).state;

const states = {
  /** "And your last name?" stored, not yet sent. */
  lastName: () => askedAfter(['Erika']),
  /** "What's your phone number?" stored, not yet sent. */
  telephone: () => askedAfter(['Erika', 'Mustermann', 'erika@example.com', { type: 'skip' }, '15.06.1990']),
  summary: () => reachSummary(seen, happyStudio()).state,
  choosingSlot: () => openYoga(seen, studio).state,
  /** The slot re-check was stored, then the process died. */
  checkingSlot: () => {
    const summary = reachSummary(seen, happyStudio());
    return transition(summary.state, tap(lastView(summary.effects), 'button-book'), seen).state;
  },
} as const;

function summarise(effects: Effect[]): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case 'answerCallback':
        return e.text ? `answerCallback:${e.text.key}` : 'answerCallback';
      case 'reply':
      case 'edit':
        return `${e.type}:${e.view.parts.map((p) => p.key).join('+')}`;
      case 'call':
        return `call:${e.call.name}`;
      default:
        return e.type;
    }
  });
}

interface Row {
  from: keyof typeof states;
  event: BookingEvent;
  effects: string[];
  /** The step after; absent: the state stays exactly as it was (nothing consumed). */
  to?: string;
}

const rows: Row[] = [
  // The re-sent first name is not the last name.
  { from: 'lastName', event: { type: 'text', text: 'Erika' }, effects: ['reply:lead-ask-last-name'] },
  // The re-sent date of birth is not the phone number.
  {
    from: 'telephone',
    event: { type: 'text', text: '15.06.1990' },
    effects: ['reply:lead-ask-telephone'],
  },
  {
    from: 'telephone',
    event: { type: 'contact', phoneNumber: '+4915112345678', userId: 42 },
    effects: ['reply:lead-ask-telephone'],
  },
  { from: 'telephone', event: { type: 'nonText', kind: 'sticker' }, effects: ['reply:lead-ask-telephone'] },
  { from: 'telephone', event: { type: 'skip' }, effects: ['reply:lead-ask-telephone'] },
  // The summary and lists are shown again, not a hint about a message the prospect never saw.
  { from: 'summary', event: { type: 'text', text: 'yes' }, effects: ['reply:summary-header'] },
  {
    from: 'choosingSlot',
    event: { type: 'text', text: 'tomorrow' },
    to: 'loadingSlots',
    effects: ['call:classSlots'],
  },
  // A waiting step whose call died with the process carries on, instead of "still working".
  {
    from: 'checkingSlot',
    event: { type: 'text', text: 'hello?' },
    to: 'checkingSlot',
    effects: ['call:classSlots'],
  },
  // The same update again (a redelivery): the question again, or the call again.
  { from: 'telephone', event: { type: 'resume' }, effects: ['reply:lead-ask-telephone'] },
  { from: 'checkingSlot', event: { type: 'resume' }, to: 'checkingSlot', effects: ['call:classSlots'] },
  // Commands are not answers: they apply.
  { from: 'telephone', event: { type: 'cancel' }, to: 'idle', effects: ['reply:cancel-done'] },
];

describe('a message while the current question was not delivered', () => {
  test.each(rows.map((row) => [row.from, row.event.type, row] as const))('%s + %s', (_from, _event, row) => {
    const state = states[row.from]();
    const result = transition(state, row.event, unseen);
    expect(summarise(result.effects).map((s) => s.replace(/\+.*/, ''))).toEqual(row.effects);
    if (row.to === undefined) {
      expect(result.state).toEqual(state);
      // Shown again: the adapter may now mark this revision as seen.
      expect(result.shown).toBe(true);
    } else {
      expect(result.state.step.name).toBe(row.to);
    }
  });

  test.each([
    ['lastName', 'Erika'],
    ['telephone', '+49 151 12345678'],
  ] as const)('at %s, once the question was seen, the same text is an answer', (from, typed) => {
    const state = states[from]();
    const result = transition(state, { type: 'text', text: typed }, seen);
    expect(result.state.rev).not.toBe(state.rev);
    expect(result.shown).toBeUndefined();
  });

  test('a message written before the question was sent again answers nothing, and needs no answer', () => {
    const state = states.lastName();
    const result = transition(
      state,
      { type: 'text', text: 'Erika' },
      context({ promptDelivered: true, messageBeforePrompt: true }),
    );
    expect(result).toEqual({ state, effects: [] });
  });

  test('the lead keeps the right values: a date of birth re-sent before the phone question was seen', () => {
    const stored = states.telephone();
    const again = transition(stored, { type: 'text', text: '15.06.1990' }, unseen);
    const answered = run(again.state, { type: 'text', text: '+49 151 12345678' }, seen, studio);
    expect(answered.state.flow?.lead).toMatchObject({
      firstName: 'Erika',
      lastName: 'Mustermann',
      dateOfBirth: '1990-06-15',
      telephone: '+4915112345678',
    });
  });

  test('a tap on a button of the current step proves it was seen: it acts', () => {
    const atGender = answered(['Erika', 'Mustermann', 'erika@example.com']);
    const result = transition(atGender.state, tap(lastView(atGender.effects), 'gender-female'), unseen);
    expect(result.state.flow?.lead.gender).toBe('FEMALE');
    expect(result.state.step).toEqual({ name: 'collectingLead', field: 'dateOfBirth' });
    expect(result.effects.map((e) => e.type)).toEqual(['answerCallback', 'reply']);
  });

  test('"Book now" again while the booking died with its process finds out what happened first', () => {
    const script = happyStudio();
    const summary = reachSummary(seen, script);
    const bookTap = tap(lastView(summary.effects), 'button-book');
    // The flow up to the booking call, which the dead process made (or not).
    let result = transition(summary.state, bookTap, seen);
    while (result.state.step.name !== 'booking') {
      const call = result.effects.at(-1);
      if (call?.type !== 'call') throw new Error('the flow stopped before booking');
      result = transition(result.state, answerCall(call.call, script), seen);
    }
    const stored = result.state;
    // Updates of a chat run one after another, so a booking still under way died with its process:
    // seen or not, the tap looks it up (flow-outcomes.ts) instead of booking again.
    for (const delivered of [seen, unseen]) {
      const resumed = transition(stored, bookTap, delivered);
      expect(summarise(resumed.effects)).toEqual(['answerCallback', 'call:classBookingValidate']);
      expect(resumed.state.step.name).toBe('resolvingBooking');
    }
  });
});
