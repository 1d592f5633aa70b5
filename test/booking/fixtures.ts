/**
 * Test helpers for the booking flow: a studio catalogue in the API's shapes, a context, and a
 * driver that plays the adapter (runs each `call` effect against a scripted studio and feeds the
 * result back), so tests read like a conversation and assert what the user would see.
 */
import { expect } from 'vitest';
import { type CallbackData, parseCallbackData } from '../../src/booking/callback-data.ts';
import type { FlowContext } from '../../src/booking/context.ts';
import {
  type ApiCall,
  type ApiCallResults,
  type Effect,
  resultEvent,
  type View,
} from '../../src/booking/effects.ts';
import type { BookingEvent } from '../../src/booking/events.ts';
import type { MessageKey } from '../../src/booking/messages.ts';
import { initialState, type State } from '../../src/booking/state.ts';
import { transition } from '../../src/booking/transition.ts';
import { zonedDateTime } from '../../src/perfectgym/datetime.ts';
import type {
  AppointmentSlot,
  BookableTrialOfferAppointment,
  ClassSlot,
  LeadDataConfig,
  StudioInformation,
  TrialOfferClass,
  TrialOfferConfig,
} from '../../src/perfectgym/schemas.ts';

export const zone = 'Europe/Berlin';
/** Monday 15 June 2026, 10:00 in Berlin. */
export const now = Date.parse('2026-06-15T08:00:00Z');
export const hour = 3_600_000;
export const day = 24 * hour;

export const studio: StudioInformation = {
  studioId: 7,
  name: 'Move Studio',
  email: 'hello@move.example',
  telephone: '+49 30 1234567',
  website: 'https://move.example',
  street: 'Burgring',
  houseNumber: '23A',
  zip: '13000',
  city: 'Berlin',
  accessCodeConfiguration: { enabled: false },
};

export function context(overrides: Partial<FlowContext> = {}): FlowContext {
  return {
    now,
    locale: 'en',
    user: { id: 42, firstName: 'Anna', lastName: 'Schmidt' },
    privacyUrl: 'https://move.example/privacy',
    studio,
    fallbackTimeZone: zone,
    ...overrides,
  };
}

export const yogaClass: TrialOfferClass = {
  trialOfferConfigId: 1,
  trialOfferClass: { id: 1001, title: 'Yoga Flow', bookable: true, duration: 60 },
};
export const closedClass: TrialOfferClass = {
  trialOfferConfigId: 1,
  trialOfferClass: { id: 1002, title: 'Boxing', bookable: false },
};
export const introAppointment: BookableTrialOfferAppointment = {
  trialOfferConfigId: 2,
  trialOfferBookableAppointment: { id: 2001, title: 'Personal training intro', duration: 30 },
};

export const offers: ApiCallResults['offers'] = {
  classes: [yogaClass, closedClass],
  appointments: [introAppointment],
};

export function leadDataConfig(
  modes: Partial<Omit<LeadDataConfig, 'trialOfferLeadDataConfigId'>> = {},
): LeadDataConfig {
  return {
    trialOfferLeadDataConfigId: 1,
    genderMode: 'INACTIVE',
    dateOfBirthMode: 'INACTIVE',
    telephoneMode: 'INACTIVE',
    addressMode: 'INACTIVE',
    ...modes,
  };
}

export function trialConfig(overrides: Partial<TrialOfferConfig> = {}): TrialOfferConfig {
  return {
    id: 1,
    name: 'Probetraining',
    preventMultipleBookingsTerm: { value: 2, unit: 'WEEK' },
    contingent: 1,
    allowBookingForLeads: true,
    leadDataConfig: leadDataConfig(),
    ...overrides,
  };
}

export function classSlot(id: number, startMs: number, overrides: Partial<ClassSlot> = {}): ClassSlot {
  return {
    id,
    startDateTime: zonedDateTime(startMs, zone),
    endDateTime: zonedDateTime(startMs + hour, zone),
    instructors: [{ id: 5, firstName: 'Lena', lastName: 'Berg' }],
    location: { id: 3, name: 'Room 1' },
    maxParticipants: 12,
    bookedParticipants: 4,
    additionalParticipants: 0,
    maxWaitingListParticipants: 0,
    waitingListParticipants: 0,
    ...overrides,
  };
}

export function appointmentSlot(startMs: number, minutes = 30, instructorId = 9): AppointmentSlot {
  return {
    startDateTime: zonedDateTime(startMs, zone),
    endDateTime: zonedDateTime(startMs + minutes * 60_000, zone),
    instructors: [{ id: instructorId, firstName: 'Tom', lastName: 'Kraft' }],
  };
}

/** Tuesday 16 June 2026 18:00 Berlin. */
export const tuesdayEvening = Date.parse('2026-06-16T16:00:00Z');

/**
 * A scripted studio failure: temporary, permanent or `'unknown'` (the answer of a call that changes something was lost, e.g. a timeout), optionally with what the adapter adds (a
 * lockout's `retryAfterMs`, `customerNotFound`).
 */
export interface ScriptedFailure {
  fail: 'temporary' | 'permanent' | 'unknown';
  retryAfterMs?: number;
  customerNotFound?: boolean;
}

/** A scripted studio: answers each call, or fails it (a {@link ScriptedFailure}). */
export type StudioScript = {
  [N in ApiCall['name']]?: (call: Extract<ApiCall, { name: N }>) => ApiCallResults[N] | ScriptedFailure;
};

export function answerCall(call: ApiCall, script: StudioScript): BookingEvent {
  const handler = script[call.name] as ((c: ApiCall) => unknown) | undefined;
  if (!handler) throw new Error(`the test studio was not asked to expect a ${call.name} call`);
  const result = handler(call);
  if (result && typeof result === 'object' && 'fail' in result) {
    const { fail, ...extra } = result as ScriptedFailure;
    if (fail === 'unknown')
      return { type: 'callFailed', call, temporary: true, outcome: 'unknown', ...extra };
    return { type: 'callFailed', call, temporary: fail === 'temporary', ...extra };
  }
  return resultEvent(call, result as ApiCallResults[typeof call.name]);
}

export interface Run {
  state: State;
  /** Every effect except calls, in order. */
  effects: Effect[];
  calls: ApiCall[];
}

/**
 * Plays the adapter: one user event, then every call the flow asks for, answered by `script`,
 * until the flow asks for nothing more. Checks the effect contract on the way (at most one call,
 * always last).
 */
export function run(state: State, event: BookingEvent, ctx: FlowContext, script: StudioScript = {}): Run {
  const effects: Effect[] = [];
  const calls: ApiCall[] = [];
  let current = state;
  let next: BookingEvent | undefined = event;
  for (let round = 0; next && round < 20; round++) {
    const result = transition(current, next, ctx);
    const callEffects = result.effects.filter((e) => e.type === 'call');
    expect(callEffects.length).toBeLessThanOrEqual(1);
    if (callEffects.length === 1) expect(result.effects.at(-1)?.type).toBe('call');
    current = result.state;
    effects.push(...result.effects.filter((e) => e.type !== 'call'));
    const call = callEffects[0];
    if (call?.type === 'call') {
      calls.push(call.call);
      next = answerCall(call.call, script);
    } else {
      next = undefined;
    }
  }
  return { state: current, effects, calls };
}

export const fresh = (): State => initialState();

/** The views the user was shown (replies and edits), in order. */
export function views(effects: readonly Effect[]): View[] {
  return effects.flatMap((e) => (e.type === 'reply' || e.type === 'edit' ? [e.view] : []));
}

export function lastView(effects: readonly Effect[]): View {
  const all = views(effects);
  const last = all.at(-1);
  if (!last) throw new Error('no message was shown');
  return last;
}

/** Message keys of every line shown, in order. */
export function shownKeys(effects: readonly Effect[]): MessageKey[] {
  return views(effects).flatMap((v) => v.parts.map((p) => p.key));
}

export function buttonKeys(v: View): MessageKey[] {
  return v.keyboard?.type === 'inline' ? v.keyboard.rows.flat().map((b) => b.text.key) : [];
}

/** The parsed payload of the first button with this label key in a view (fails the test if absent). */
export function buttonData(v: View, key: MessageKey, nth = 0): CallbackData {
  const found =
    v.keyboard?.type === 'inline' ? v.keyboard.rows.flat().filter((b) => b.text.key === key)[nth] : undefined;
  if (!found) throw new Error(`no button ${key} (#${nth}) in view; buttons: ${buttonKeys(v).join(', ')}`);
  const parsed = parseCallbackData(found.data);
  if (!parsed) throw new Error(`button ${key} has unparsable data ${found.data}`);
  return parsed;
}

export function tap(v: View, key: MessageKey, nth = 0): BookingEvent {
  return { type: 'callback', data: buttonData(v, key, nth) };
}

export function answers(effects: readonly Effect[]): Extract<Effect, { type: 'answerCallback' }>[] {
  return effects.filter((e): e is Extract<Effect, { type: 'answerCallback' }> => e.type === 'answerCallback');
}

export function classBookResult(
  bookingId: number,
  bookingStatus: string,
  customerId = 555,
): ApiCallResults['classBook'] {
  return {
    bookingId,
    bookingStatus: bookingStatus as ApiCallResults['classBook']['bookingStatus'],
    classSlotId: 501,
    classId: 1001,
    customerId,
    classSlotStatus: 'PLANNED',
    participantStatus: 'PARTICIPATING',
  };
}

/** A studio where everything works: the Yoga class has two free slots, Tuesday and Wednesday 10:00. */
export function happyStudio(overrides: StudioScript = {}): StudioScript {
  return {
    offers: () => offers,
    config: () => trialConfig(),
    classSlots: () => [classSlot(501, now + day), classSlot(502, now + 2 * day)],
    leadValidate: () => ({ validationStatus: 'POSSIBLE' }),
    leadCreate: () => ({ leadCustomerId: 555 }),
    classBookingValidate: () => ({ validationStatus: 'AVAILABLE' }),
    classBook: () => classBookResult(9001, 'BOOKED'),
    confirm: () => ({ status: 'CONFIRMED' }),
    ...overrides,
  };
}

/** /start, then tap the Yoga class: ends at its slot list. */
export function openYoga(ctx: FlowContext, script: StudioScript): Run {
  const started = run(fresh(), { type: 'start' }, ctx, script);
  return run(started.state, tap(lastView(started.effects), 'offer-button-class'), ctx, script);
}

/** From the slot list: tap the first slot. */
export function pickFirstSlot(at: Run, ctx: FlowContext, script: StudioScript): Run {
  return run(at.state, tap(lastView(at.effects), 'slot-button'), ctx, script);
}

/** Answers the questions in order with these texts (skipping where the text is `skip`). */
export function answerAll(
  at: Run,
  inputs: Array<string | { skip: true } | BookingEvent>,
  ctx: FlowContext,
  script: StudioScript,
): Run {
  let current = at;
  for (const input of inputs) {
    const event: BookingEvent =
      typeof input === 'string' ? { type: 'text', text: input } : 'skip' in input ? { type: 'skip' } : input;
    current = run(current.state, event, ctx, script);
  }
  return current;
}

/** /start → Yoga → first slot → name and e-mail typed: ends at the summary. */
export function reachSummary(ctx: FlowContext, script: StudioScript): Run {
  const slot = pickFirstSlot(openYoga(ctx, script), ctx, script);
  return answerAll(slot, ['Anna', 'Schmidt', 'anna@example.com'], ctx, script);
}
