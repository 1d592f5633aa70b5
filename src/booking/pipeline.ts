/**
 * What happens when someone taps Book, step by step: the steps in which the flow waits for the
 * studio, as one table. Per step: the studio call it makes, what each answer leads to (its
 * handler, in the matching flow-*.ts), how it is retried, and which funnel stage it marks.
 * `transition` (results, retries), `work` (the call on entering a step) and the bot's funnel
 * metrics all read this table; a step without a row is not a waiting step.
 *
 * Retries: a failed call keeps the step and offers "try again"; during a 429 lockout "try again"
 * waits and a timer repeats the step by itself; an update redelivered after a crash carries the
 * step on. All of them make the step's call again as `retry` says: a read or a validation is
 * repeated as it is; a lead creation or booking (an open intent, whose answer may have been lost)
 * is never sent again but looked up by its resolution step (flow-outcomes.ts).
 */
import type { FlowContext } from './context.ts';
import type { ApiCall, Effect } from './effects.ts';
import type { ApiEvent, BookingEvent } from './events.ts';
import { onBooked, onBookingValidated } from './flow-booking.ts';
import { busy, customerIdOf, stall, stay, type TransitionResult, todayOf, work } from './flow-kit.ts';
import {
  onCustomerGone,
  onLeadCreated,
  onLeadPrechecked,
  onLeadValidated,
  skipLeadPrecheck,
} from './flow-lead.ts';
import { onConfigLoaded, onOffersLoaded } from './flow-offers.ts';
import {
  type IntentStep,
  intentOf,
  onBookingResolved,
  onBookingSlotResolved,
  onIntentFailed,
  onLeadResolved,
} from './flow-outcomes.ts';
import { finishRecheck, showSlotList, withSlots } from './flow-slots.ts';
import { buildLeadRequest } from './lead-plan.ts';
import { offerKinds } from './offer-kind.ts';
import type { State, StateAt, Step, StepName } from './state.ts';
import { slotWindowDays } from './views.ts';

/** The booking funnel's stages (the metric's labels); the waiting steps mark those their rows name. */
export const funnelStages = [
  'started',
  'offer_chosen',
  'slot_chosen',
  'lead_created',
  'duplicate',
  'booked',
  'confirmation_required',
  'confirmed',
  'expired',
] as const;
export type FunnelStage = (typeof funnelStages)[number];

/** What a waiting step's call comes back as. (The confirm call is no step's: see flow-booking.ts.) */
export type StepResult = Exclude<ApiEvent, { type: 'confirmed' }>;
type ResultType = StepResult['type'];
type ResultOf<T extends ResultType> = Extract<StepResult, { type: T }>;
type CallFailed = ResultOf<'callFailed'>;

export interface WaitingStepSpec<N extends StepName> {
  /**
   * The step's studio call, from the state alone (so a retry repeats exactly the failed call).
   * `undefined`: the state lacks what the call needs (one the flow would not produce); the flow
   * then starts over.
   */
  call(state: StateAt<N>, ctx: FlowContext): ApiCall | undefined;
  /**
   * What each answer leads to. An answer the row does not list, or a failure of a call the step
   * does not make (a late one), changes nothing.
   */
  on: { [T in ResultType]?: (state: StateAt<N>, event: ResultOf<T>, ctx: FlowContext) => TransitionResult };
  /** `repeat`: the call again as it is. `resolveWith`: never again; that step finds out whether it happened. */
  retry: 'repeat' | { resolveWith: 'resolvingLead' | 'resolvingBooking' };
  /**
   * While at this step a lead creation or booking may have happened without the flow knowing:
   * whatever the prospect sends first resumes the step (its resolution), and staff notices of a
   * lost answer name a lead or a booking.
   */
  openIntent?: 'lead' | 'booking';
  funnel?: {
    /** Marked when the flow comes to this step from another one. */
    enter?: FunnelStage;
    /** Marked when this answer moves the flow on from this step: the stages it reports. */
    on?: { [T in ResultType]?: (event: ResultOf<T>, result: TransitionResult) => readonly FunnelStage[] };
  };
}

export const waitingSteps = {
  loadingOffers: {
    call: () => ({ name: 'offers' }),
    on: { offersLoaded: onOffersLoaded, callFailed: failed },
    retry: 'repeat',
  },
  loadingConfig: {
    call: ({ flow }) => flow?.offer && { name: 'config', configId: flow.offer.configId },
    on: { configLoaded: (state, { config }, ctx) => onConfigLoaded(state, config, ctx), callFailed: failed },
    retry: 'repeat',
    // The flow comes here only when an offer was picked (list, deep link, "book again").
    funnel: { enter: 'offer_chosen' },
  },
  loadingSlots: {
    call: (state, ctx) =>
      slotsCall(state, ctx, state.step.window ?? { fromDay: todayOf(state.flow, ctx), days: slotWindowDays }),
    on: {
      slotsLoaded: (state, event, ctx) => withSlots(state, event, ctx, showSlotList),
      callFailed: failed,
    },
    retry: 'repeat',
  },
  /** The chosen slot's window again, straight from the studio, just before a lead or booking is made. */
  checkingSlot: {
    call: recheckCall,
    on: {
      slotsLoaded: (state, event, ctx) => withSlots(state, event, ctx, finishRecheck),
      callFailed: failed,
    },
    retry: 'repeat',
  },
  /** The early lead check, a courtesy: when it fails the questions go on, the final check decides. */
  precheckingLead: {
    call: leadCall('leadValidate'),
    on: {
      leadValidated: (state, { status }, ctx) => onLeadPrechecked(state, status, ctx),
      callFailed: (state, _failure, ctx) => skipLeadPrecheck(state, ctx),
    },
    retry: 'repeat',
  },
  validatingLead: {
    call: leadCall('leadValidate'),
    on: {
      leadValidated: (state, { status }, ctx) => onLeadValidated(state, status, ctx),
      callFailed: failed,
    },
    retry: 'repeat',
    funnel: { on: { leadValidated: ({ status }) => (status === 'DUPLICATE_CUSTOMER' ? ['duplicate'] : []) } },
  },
  creatingLead: {
    call: leadCall('leadCreate'),
    on: {
      leadCreated: (state, { leadId }, ctx) => onLeadCreated(state, leadId, ctx),
      callFailed: intentFailed,
    },
    retry: { resolveWith: 'resolvingLead' },
    openIntent: 'lead',
    // A lead whose id never arrived was created all the same.
    funnel: { on: { leadCreated: () => ['lead_created'] } },
  },
  /** A lost lead creation is looked up by validating the very same data again. */
  resolvingLead: {
    call: leadCall('leadValidate'),
    on: {
      leadValidated: (state, { status }, ctx) => onLeadResolved(state, status, ctx),
      callFailed: intentFailed,
    },
    retry: 'repeat',
    openIntent: 'lead',
    // DUPLICATE_CUSTOMER right after our own lost creation: the studio has the lead.
    funnel: {
      on: { leadValidated: ({ status }) => (status === 'DUPLICATE_CUSTOMER' ? ['lead_created'] : []) },
    },
  },
  validatingBooking: {
    call: bookingCall('validateCall'),
    on: {
      bookingValidated: (state, { status }, ctx) => onBookingValidated(state, status, ctx),
      callFailed: failed,
    },
    retry: 'repeat',
  },
  booking: {
    call: bookingCall('bookCall'),
    on: {
      booked: (state, { bookingId, status }, ctx) => onBooked(state, bookingId, status, ctx),
      callFailed: intentFailed,
    },
    retry: { resolveWith: 'resolvingBooking' },
    openIntent: 'booking',
    funnel: { on: { booked: ({ status }) => bookedStages(status) } },
  },
  /** A lost booking is looked up by validating the same choice again. */
  resolvingBooking: {
    call: bookingCall('validateCall'),
    on: {
      bookingValidated: (state, { status }, ctx) => onBookingResolved(state, status, ctx),
      callFailed: intentFailed,
    },
    retry: 'repeat',
    openIntent: 'booking',
    funnel: { on: { bookingValidated: (_answer, result) => foundBooking(result) } },
  },
  /** After a refusal our own lost booking would cause: is the chosen slot still listed as free? */
  resolvingBookingSlot: {
    call: recheckCall,
    on: {
      slotsLoaded: (state, event, ctx) => withSlots(state, event, ctx, onBookingSlotResolved),
      callFailed: intentFailed,
    },
    retry: 'repeat',
    openIntent: 'booking',
    funnel: { on: { slotsLoaded: (_answer, result) => foundBooking(result) } },
  },
} satisfies { [N in StepName]?: WaitingStepSpec<N> };

export type WaitingStepName = keyof typeof waitingSteps;
export type WaitingStep = Extract<Step, { name: WaitingStepName }>;

// The calls, shared by the rows that make the same one.

function slotsCall(state: State, ctx: FlowContext, window: { fromDay: number; days: number }) {
  const offer = state.flow?.offer;
  return offer && offerKinds[offer.type].slotsCall(offer.id, window, customerIdOf(state.flow, ctx));
}

/** The chosen slot's window, `fresh`: it must reach the studio, not a cache. */
function recheckCall(state: State, ctx: FlowContext): ApiCall | undefined {
  const window = state.flow?.slot?.window;
  const call = window && slotsCall(state, ctx, window);
  return call && { ...call, fresh: true };
}

function leadCall(name: 'leadValidate' | 'leadCreate') {
  return ({ flow }: State, ctx: FlowContext): ApiCall | undefined => {
    if (!flow?.config) return undefined;
    const request = buildLeadRequest({
      configId: flow.config.id,
      modes: flow.config.modes,
      lead: flow.lead,
      locale: ctx.locale,
      telegramUserId: ctx.user.id,
    });
    return request && { name, request };
  };
}

function bookingCall(which: 'validateCall' | 'bookCall') {
  return ({ flow }: State, ctx: FlowContext): ApiCall | undefined => {
    const offer = flow?.offer;
    const bookable = flow?.slot?.bookable;
    const customerId = customerIdOf(flow, ctx);
    if (!offer || !bookable || customerId === undefined) return undefined;
    return offerKinds[offer.type][which](offer.id, bookable, customerId);
  };
}

// What failures lead to, where a row does not say otherwise.

/** The studio no longer knows the customer: details again. A 429 lockout: wait it out. */
function customerGoneOrLockedOut(state: State, failure: CallFailed, ctx: FlowContext) {
  if (failure.customerNotFound) return onCustomerGone(state, ctx);
  if (failure.retryAfterMs !== undefined) return busy(state, failure.retryAfterMs, ctx);
  return undefined;
}

/** A read or validation failed: the step stays, with "try again". */
function failed(state: State, failure: CallFailed, ctx: FlowContext): TransitionResult {
  return customerGoneOrLockedOut(state, failure, ctx) ?? stall(state, failure.temporary);
}

/** A lead creation, booking or look-up failed: see `onIntentFailed`. */
function intentFailed(
  state: StateAt<IntentStep['name']>,
  failure: CallFailed,
  ctx: FlowContext,
): TransitionResult {
  return customerGoneOrLockedOut(state, failure, ctx) ?? onIntentFailed(state, state.step, failure, ctx);
}

// The funnel stages rows mark on an answer.

const madeBooking = new Set(['BOOKED', 'WAITING_LIST', 'BOOKED_WITH_CONFIRMATION_REQUIRED']);

function bookedStages(status: string): FunnelStage[] {
  if (!madeBooking.has(status)) return [];
  return status === 'BOOKED_WITH_CONFIRMATION_REQUIRED' ? ['booked', 'confirmation_required'] : ['booked'];
}

/** A booking found after its answer was lost (the look-up's staff notice says so) is a booking all the same. */
function foundBooking(result: TransitionResult): FunnelStage[] {
  const found = result.effects.some(
    (effect: Effect) =>
      effect.type === 'notifyStaff' &&
      effect.notice.kind === 'bookingUnknown' &&
      effect.notice.resolution === 'found',
  );
  return found ? ['booked'] : [];
}

// Reading the table.

/** A row as the readers below use it: looked up by the step's own name, so it fits the state. */
type Row = WaitingStepSpec<StepName>;

function rowOf(step: Step): Row | undefined {
  return isWaitingStep(step) ? (waitingSteps[step.name] as Row) : undefined;
}

export function isWaitingStep(step: Step): step is WaitingStep {
  return Object.hasOwn(waitingSteps, step.name);
}

/** The studio call the current step makes (`undefined` for a step that waits for no call). */
export function callForStep(state: State, ctx: FlowContext): ApiCall | undefined {
  return rowOf(state.step)?.call(state, ctx);
}

/** An answer to the current step's call, handled as its row says. */
export function onStepResult(state: State, event: StepResult, ctx: FlowContext): TransitionResult {
  const row = rowOf(state.step);
  if (!row) return stay(state);
  // A late failure of a call the flow no longer waits for changes nothing.
  if (event.type === 'callFailed' && row.call(state, ctx)?.name !== event.call.name) return stay(state);
  const handle = row.on[event.type] as
    | ((state: State, event: StepResult, ctx: FlowContext) => TransitionResult)
    | undefined;
  return handle ? handle(state, event, ctx) : stay(state);
}

/** Whether the step stands for a lead creation or booking whose outcome is not known yet. */
export function openIntentOf(step: Step): 'lead' | 'booking' | undefined {
  return rowOf(step)?.openIntent;
}

/** What a retry of the step makes: the step again, or the resolution of its open intent. */
export function retryStep(step: Step): Step {
  const retry = rowOf(step)?.retry;
  if (retry === undefined || retry === 'repeat') return step;
  return { name: retry.resolveWith, ...intentOf(step as IntentStep) };
}

/**
 * Carries on a waiting step whose call failed ("try again", a lockout's timer) or died with the
 * process (a redelivered update, the prospect's next message), as its `retry` says.
 */
export function resumeStep(state: State, ctx: FlowContext, before: Effect[] = []): TransitionResult {
  return work(state, retryStep(state.step), ctx, before);
}

/** The funnel stages the waiting steps mark in one transition from `before`, by their rows' `funnel`. */
export function stepFunnelStages(
  before: State,
  event: BookingEvent,
  result: TransitionResult,
): FunnelStage[] {
  const stages: FunnelStage[] = [];
  const entered = rowOf(result.state.step)?.funnel?.enter;
  if (entered && before.step.name !== result.state.step.name) stages.push(entered);
  // Only an answer's type can name a mark (a row's `funnel.on` lists answers).
  const mark = rowOf(before.step)?.funnel?.on?.[event.type as ResultType] as
    | ((event: BookingEvent, result: TransitionResult) => readonly FunnelStage[])
    | undefined;
  if (mark && before.rev !== result.state.rev) stages.push(...mark(event, result));
  return stages;
}
