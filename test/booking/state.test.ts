import { describe, expect, test } from 'vitest';
import type { FlowContext } from '../../src/booking/context.ts';
import type { BookingEvent } from '../../src/booking/events.ts';
import {
  initialState,
  maxBookingRecords,
  parseStoredState,
  type State,
  type StateMigration,
  stateVersion,
} from '../../src/booking/state.ts';
import { transition } from '../../src/booking/transition.ts';
import { zonedDateTime } from '../../src/perfectgym/datetime.ts';
import type { StudioScript } from './fixtures.ts';
import {
  answerCall,
  appointmentSlot,
  type buttonData,
  classBookResult,
  classSlot,
  context,
  fresh,
  happyStudio,
  lastView,
  leadDataConfig,
  offers,
  reachSummary,
  run,
  tap,
  trialConfig,
  tuesdayEvening,
} from './fixtures.ts';

/** Every state the flow passes through for these events, including those between studio calls. */
function statesAlong(
  start: State,
  events: Array<BookingEvent | ((last: ReturnType<typeof run>) => BookingEvent)>,
  ctx: FlowContext,
  script: StudioScript,
) {
  const seen: State[] = [start];
  let state = start;
  let lastRun = { state, effects: [], calls: [] } as ReturnType<typeof run>;
  for (const item of events) {
    const effects: ReturnType<typeof run>['effects'] = [];
    let next: BookingEvent | undefined = typeof item === 'function' ? item(lastRun) : item;
    while (next) {
      const result = transition(state, next, ctx);
      state = result.state;
      seen.push(state);
      effects.push(...result.effects.filter((e) => e.type !== 'call'));
      const call = result.effects.find((e) => e.type === 'call');
      next = call?.type === 'call' ? answerCall(call.call, script) : undefined;
    }
    lastRun = { state, effects, calls: [] };
  }
  return seen;
}

const lastTap = (key: Parameters<typeof buttonData>[1]) => (r: ReturnType<typeof run>) =>
  tap(lastView(r.effects), key);

describe('stored state', () => {
  test('every state of a complete booking survives storage as JSON unchanged', () => {
    const ctx = context();
    const studio = happyStudio({
      config: () =>
        trialConfig({
          confirmationOfBookingTerm: { value: 1, unit: 'DAY' },
          leadDataConfig: leadDataConfig({
            genderMode: 'OPTIONAL',
            dateOfBirthMode: 'MANDATORY',
            telephoneMode: 'MANDATORY',
            addressMode: 'MANDATORY',
          }),
        }),
      classBook: () => classBookResult(9001, 'BOOKED_WITH_CONFIRMATION_REQUIRED'),
    });
    const seen = statesAlong(
      fresh(),
      [
        { type: 'start', payload: 'c1001_poster' },
        lastTap('slot-button'),
        { type: 'text', text: 'Anna' },
        { type: 'text', text: 'Schmidt' },
        { type: 'text', text: 'anna@example.com' },
        lastTap('button-skip'),
        { type: 'text', text: '31.12.1990' },
        { type: 'contact', phoneNumber: '491701234567', userId: 42 },
        { type: 'text', text: 'Burgring 23A, 13000 Berlin' },
        lastTap('button-address-ok'),
        lastTap('button-book'),
        lastTap('button-confirm'),
      ],
      ctx,
      studio,
    );
    const steps = new Set(seen.map((s) => s.step.name));
    for (const step of [
      'loadingOffers',
      'loadingConfig',
      'loadingSlots',
      'choosingSlot',
      'collectingLead',
      'confirmingAddress',
      'summary',
      'checkingSlot',
      'validatingLead',
      'creatingLead',
      'validatingBooking',
      'booking',
      'awaitingConfirmation',
      'done',
    ]) {
      expect(steps).toContain(step);
    }
    for (const state of seen) {
      expect(parseStoredState(JSON.parse(JSON.stringify(state)))).toEqual(JSON.parse(JSON.stringify(state)));
    }
    const largest = Math.max(...seen.map((s) => JSON.stringify(s).length));
    expect(largest).toBeLessThan(1024);
  });

  test('stays under 2 KB with every field at its longest, an appointment and the most bookings kept', () => {
    const ctx = context({ user: { id: 4_000_000_000, firstName: 'N'.repeat(50), lastName: 'L'.repeat(50) } });
    const longTitle = 'T'.repeat(200);
    const studio: StudioScript = {
      offers: () => ({
        classes: [],
        appointments: [
          { trialOfferConfigId: 2, trialOfferBookableAppointment: { id: 2001, title: longTitle } },
        ],
      }),
      config: () =>
        trialConfig({
          id: 2,
          confirmationOfBookingTerm: { value: 1, unit: 'WEEK' },
          leadDataConfig: leadDataConfig({
            genderMode: 'MANDATORY',
            dateOfBirthMode: 'MANDATORY',
            telephoneMode: 'MANDATORY',
            addressMode: 'MANDATORY',
          }),
        }),
      appointmentSlots: () => [
        {
          ...appointmentSlot(tuesdayEvening),
          instructors: [1, 2, 3].map((i) => ({
            id: 900_000_000 + i,
            firstName: 'F'.repeat(30),
            lastName: 'L'.repeat(30),
          })),
        },
      ],
      leadValidate: () => ({ validationStatus: 'POSSIBLE' }),
      leadCreate: () => ({ leadCustomerId: 9_000_000_000 }),
      appointmentBookingValidate: () => ({ validationStatus: 'AVAILABLE' }),
      appointmentBook: () => ({
        bookingId: 9_000_000_001,
        bookingStatus: 'BOOKED_WITH_CONFIRMATION_REQUIRED',
        startDateTime: zonedDateTime(tuesdayEvening, 'Europe/Berlin'),
        endDateTime: zonedDateTime(tuesdayEvening + 1_800_000, 'Europe/Berlin'),
        appointmentStatus: 'PLANNED',
        participantStatus: 'PARTICIPATING',
      }),
    };
    const pastBookings = Array.from({ length: maxBookingRecords - 1 }, (_, i) => ({
      bookingId: 8_000_000_000 + i,
      status: 'BOOKED_WITH_CONFIRMATION_REQUIRED',
      choice: `a${(9_000_000_000).toString(36)}:${'z'.repeat(5)}.${'z'.repeat(3)}.${'z'.repeat(6)}`,
      startMin: 29_693_280,
      deadlineMin: 29_700_000,
    }));
    const start: State = { ...initialState(), bookings: pastBookings };
    const seen = statesAlong(
      start,
      [
        { type: 'start', payload: `a2001_${'c'.repeat(24)}` },
        lastTap('slot-button'),
        lastTap('button-use-full-name'),
        { type: 'text', text: `${'e'.repeat(60)}@${'d'.repeat(30)}.example` },
        lastTap('gender-diverse'),
        { type: 'text', text: '31.12.1990' },
        // The longest number E.164 allows (15 digits), and a valid one.
        { type: 'text', text: '+49 30 123456789 01' },
        // Not an address it can read in one line: field by field, each at its longest.
        { type: 'text', text: 'no address' },
        { type: 'text', text: 'S'.repeat(100) },
        { type: 'text', text: 'H'.repeat(10) },
        { type: 'text', text: 'Z'.repeat(10) },
        { type: 'text', text: 'C'.repeat(50) },
        lastTap('button-book'),
      ],
      ctx,
      studio,
    );
    const final = seen.at(-1);
    expect(final?.step.name).toBe('awaitingConfirmation');
    expect(final?.bookings).toHaveLength(maxBookingRecords);
    const sizes = seen.map((s) => new TextEncoder().encode(JSON.stringify(s)).length);
    expect(Math.max(...sizes)).toBeLessThan(2048);
    for (const state of seen) expect(parseStoredState(JSON.stringify(state))).toBeDefined();
  });
});

describe('stored state of a class', () => {
  test('stays under 2 KB with the longest room, room description and instructors kept', () => {
    const ctx = context({ user: { id: 4_000_000_000, firstName: 'N'.repeat(50), lastName: 'L'.repeat(50) } });
    const studio = happyStudio({
      config: () =>
        trialConfig({
          confirmationOfBookingTerm: { value: 1, unit: 'WEEK' },
          leadDataConfig: leadDataConfig({
            genderMode: 'MANDATORY',
            dateOfBirthMode: 'MANDATORY',
            telephoneMode: 'MANDATORY',
            addressMode: 'MANDATORY',
          }),
        }),
      classSlots: () => [
        classSlot(900_000_001, tuesdayEvening, {
          location: { id: 3, name: 'R'.repeat(200), description: 'D'.repeat(300) },
          instructors: [1, 2, 3].map((i) => ({ id: i, firstName: 'F'.repeat(40), lastName: 'L'.repeat(40) })),
        }),
      ],
      classBook: () => classBookResult(9_000_000_001, 'BOOKED_WITH_CONFIRMATION_REQUIRED', 9_000_000_000),
      leadCreate: () => ({ leadCustomerId: 9_000_000_000 }),
    });
    const seen = statesAlong(
      fresh(),
      [
        { type: 'start', payload: `c1001_${'c'.repeat(24)}` },
        lastTap('slot-button'),
        lastTap('button-use-full-name'),
        { type: 'text', text: `${'e'.repeat(60)}@${'d'.repeat(30)}.example` },
        lastTap('gender-diverse'),
        { type: 'text', text: '31.12.1990' },
        { type: 'text', text: '+49 30 123456789 01' },
        { type: 'text', text: `${'S'.repeat(80)} 12-14, 10119 ${'C'.repeat(50)}` },
        lastTap('button-address-ok'),
        lastTap('button-book'),
      ],
      ctx,
      studio,
    );
    expect(seen.at(-1)?.step.name).toBe('awaitingConfirmation');
    expect(seen.at(-1)?.flow?.slot?.locationNote).toHaveLength(80);
    const sizes = seen.map((state) => new TextEncoder().encode(JSON.stringify(state)).length);
    expect(Math.max(...sizes)).toBeLessThan(2048);
  });
});

describe('parseStoredState', () => {
  const valid = () => reachSummary(context(), happyStudio()).state;

  test('reads a stored state, as an object or as JSON text', () => {
    const state = valid();
    expect(parseStoredState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(parseStoredState(JSON.stringify(state))).toEqual(state);
  });

  test.each([
    ['nothing', undefined],
    ['null', null],
    ['a number', 42],
    ['an array', [1, 2]],
    ['broken JSON', '{"version": 1, '],
    ['an empty object', {}],
    ['no version', { rev: 0, step: { name: 'idle' }, bookings: [] }],
    ['a string version', { version: '1', rev: 0, step: { name: 'idle' }, bookings: [] }],
    ['an unknown step', { version: 1, rev: 0, step: { name: 'teleporting' }, bookings: [] }],
    ['a revision out of range', { version: 1, rev: 5000, step: { name: 'idle' }, bookings: [] }],
    [
      'a bad field in the flow',
      { version: 1, rev: 0, step: { name: 'idle' }, bookings: [], flow: { lead: { email: 5 }, skipped: [] } },
    ],
    [
      'a newer version (after a rollback)',
      { version: stateVersion + 1, rev: 0, step: { name: 'idle' }, bookings: [] },
    ],
    ['an old version without a migration', { version: 0, rev: 0, step: 'idle', bookings: [] }],
  ])('%s gives undefined (the user starts afresh), never an exception', (_label, raw) => {
    expect(parseStoredState(raw)).toBeUndefined();
  });

  test('an old version goes through the migrations', () => {
    // A hypothetical version 0 that stored the step as a bare string.
    const fromV0: StateMigration = (old) => ({ ...old, version: 1, step: { name: old.step } });
    const stored = { version: 0, rev: 3, step: 'idle', bookings: [] };
    expect(parseStoredState(stored, { 0: fromV0 })).toEqual({
      version: 1,
      rev: 3,
      step: { name: 'idle' },
      bookings: [],
    });
  });

  test('a migration that throws or does not advance the version resets instead of looping or throwing', () => {
    const stored = { version: 0, rev: 3, step: 'idle', bookings: [] };
    expect(
      parseStoredState(stored, {
        0: () => {
          throw new Error('boom');
        },
      }),
    ).toBeUndefined();
    expect(parseStoredState(stored, { 0: (old) => old })).toBeUndefined();
  });

  test('a state that was reset goes on like a new user', () => {
    const reset = parseStoredState('garbage') ?? initialState();
    const started = run(reset, { type: 'start' }, context(), { offers: () => offers });
    expect(started.state.step.name).toBe('choosingOffer');
  });
});
