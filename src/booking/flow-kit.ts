/**
 * Small pieces every part of the flow uses: moving to a step (`work` enters a waiting step with
 * the call its row in pipeline.ts names), building effects, failure and lockout messages.
 */

import { dayNumber, isoDateOfDay } from './calendar.ts';
import { revisionModulus } from './callback-data.ts';
import type { FlowContext } from './context.ts';
import type { Effect, StaffNotice, View } from './effects.ts';
import { type Text, text } from './messages.ts';
import { callForStep, isWaitingStep } from './pipeline.ts';
import { emptyFlow, type FlowData, type State, type Step } from './state.ts';
import { button, view, zoneOf } from './views.ts';

export interface TransitionResult {
  state: State;
  effects: Effect[];
  /**
   * The prospect sees the current step's question after these effects although its revision did
   * not change: it was shown again, or a tap on one of its buttons proved it was seen. (A new
   * revision always comes with its question.)
   */
  shown?: true | undefined;
}

/**
 * Moves to a step: a new revision (old keyboards become out of date) and no failure pending.
 * The flow data stays unless another is given; `null` ends it.
 */
export function enter(state: State, step: Step, flow: FlowData | null | undefined = state.flow): State {
  const next: State = {
    version: state.version,
    rev: (state.rev + 1) % revisionModulus,
    step,
    bookings: state.bookings,
  };
  if (flow) next.flow = flow;
  if (state.studio !== undefined) next.studio = state.studio;
  if (state.retrying && isWaitingStep(step)) next.retrying = true;
  return next;
}

/** The state booking at `studio` of a chain from now on (`undefined`: the chain's first). */
export function atStudio(state: State, studio: string | undefined): State {
  const { studio: _old, ...rest } = state;
  return studio === undefined ? rest : { ...rest, studio };
}

export const reply = (v: View): Effect => ({ type: 'reply', view: v });
export const edit = (v: View): Effect => ({ type: 'edit', view: v });
/** Answers the tapped button's callback query, with a toast (or an alert) when there is something to say. */
export function answer(toast?: Text, alert?: boolean): Effect {
  if (!toast) return { type: 'answerCallback' };
  return alert ? { type: 'answerCallback', text: toast, alert } : { type: 'answerCallback', text: toast };
}

export function stay(state: State, effects: Effect[] = []): TransitionResult {
  return { state, effects };
}

export function flowOf(state: State): FlowData {
  return state.flow ?? emptyFlow();
}

/** The studio customer id to book with: the lead this flow created, or the one remembered for the user. */
export function customerIdOf(flow: FlowData | undefined, ctx: FlowContext): number | undefined {
  return flow?.leadId ?? ctx.knownLeadId;
}

/** Today's studio-calendar day number. */
export function todayOf(flow: FlowData | undefined, ctx: FlowContext): number {
  return dayNumber(ctx.now, zoneOf(flow, ctx));
}

export function todayIso(flow: FlowData | undefined, ctx: FlowContext): string {
  return isoDateOfDay(todayOf(flow, ctx));
}

/** A new try's id for a call that changes something (see the steps' `attempt`). */
export function attemptId(ctx: FlowContext): string {
  return Math.max(0, Math.floor(ctx.now)).toString(36);
}

/** Enters a waiting step and asks for its call (pipeline.ts), after `before` (e.g. a notice to the user). */
export function work(
  state: State,
  step: Step,
  ctx: FlowContext,
  before: Effect[] = [],
  flow?: FlowData,
): TransitionResult {
  const next = enter(state, step, flow);
  const call = callForStep(next, ctx);
  if (!call) return lost(next, before);
  return { state: next, effects: [...before, { type: 'call', call }] };
}

/**
 * A state that cannot go on (it lacks what the next step needs). Starts over rather than guess;
 * the flow never produces such a state, but a stored one from a buggy release might be.
 */
export function lost(state: State, before: Effect[] = []): TransitionResult {
  const next = enter(state, { name: 'idle' }, null);
  return { state: next, effects: [...before, reply(idleView())] };
}

export function idleView(): View {
  return view([text('idle-hint')], {
    type: 'inline',
    rows: [[button(text('button-show-offers'), { action: 'restart' })]],
  });
}

export function isWorking(state: State): boolean {
  return isWaitingStep(state.step);
}

/** What every staff notice says about the flow: offer, slot, campaign, lead. No personal data beyond the name. */
export function noticeBase(flow: FlowData | undefined, ctx: FlowContext): Omit<StaffNotice, 'kind'> {
  const notice: Omit<StaffNotice, 'kind'> = {};
  if (flow?.offer) {
    notice.offerType = flow.offer.type;
    notice.offerId = flow.offer.id;
    notice.offerTitle = flow.offer.title;
  }
  const start = flow?.slot?.bookable?.startRaw;
  if (start) notice.slotStart = start;
  if (flow?.campaign) notice.campaign = flow.campaign;
  const leadId = customerIdOf(flow, ctx);
  if (leadId !== undefined) notice.leadId = leadId;
  const { firstName, lastName } = flow?.lead ?? {};
  if (firstName && lastName) notice.name = `${firstName} ${lastName}`;
  return notice;
}

/**
 * A studio call failed: the state stays where it is (nothing typed is lost) and the prospect gets
 * a plain explanation with a "try again" button that repeats the step.
 */
export function stall(state: State, temporary: boolean): TransitionResult {
  const next: State = { ...state, stalled: true };
  return {
    state: next,
    effects: [showFailure(state, failureView(next.rev, temporary, hasEntered(state.flow)))],
  };
}

/**
 * A failure's message: after "try again" that message already says something failed, so it is
 * edited in place (lockout, failed look-up, a lost answer again), not repeated below it.
 */
export function showFailure(state: State, shown: View): Effect {
  return state.retrying ? edit(shown) : reply(shown);
}

/** Whether the prospect has typed or skipped anything in this flow (only then is "saved" true to say). */
export function hasEntered(flow: FlowData | undefined): boolean {
  return flow !== undefined && (Object.keys(flow.lead).length > 0 || flow.skipped.length > 0);
}

export function failureView(rev: number, temporary: boolean, saved = true): View {
  const retry = button(text('button-try-again'), { action: 'retry', rev });
  return temporary
    ? view([failureText(true, saved)], { type: 'inline', rows: [[retry]] })
    : view([failureText(false, saved)], {
        type: 'inline',
        rows: [[retry], [button(text('button-start-over'), { action: 'restart' })]],
      });
}

/** "Isn't answering" (temporary) or "couldn't process", with "everything you've entered is saved" if `saved`. */
export function failureText(temporary: boolean, saved: boolean): Text {
  if (temporary) return text(saved ? 'error-studio-unavailable' : 'error-studio-unavailable-plain');
  return text(saved ? 'error-studio-failed' : 'error-studio-failed-plain');
}

/**
 * Slack after a lockout before the step is repeated: the client's and the studio's clocks for the
 * lockout start a little apart, and a call sent a moment too early would be refused again.
 */
export const lockoutSlackMs = 500;

/**
 * The studio refuses the step's call for `retryAfterMs` (a 429 lockout): say so with roughly how
 * long, keep "try again" (it waits while the lockout lasts), and repeat the step by itself after.
 */
export function busy(state: State, retryAfterMs: number, ctx: FlowContext): TransitionResult {
  const lockMs = Math.max(0, Math.ceil(retryAfterMs));
  const next: State = { ...state, stalled: true, retryAt: ctx.now + lockMs };
  return {
    state: next,
    effects: [
      showFailure(state, busyView(next, ctx)),
      { type: 'later', afterMs: lockMs + lockoutSlackMs, event: { type: 'retryDue', rev: next.rev } },
    ],
  };
}

/** Whether the state waits out a lockout that has not passed yet. */
export function lockedOut(state: State, ctx: FlowContext): boolean {
  return state.retryAt !== undefined && ctx.now < state.retryAt;
}

/** The lockout notice, with the time still to wait (it is edited in place when "try again" is tapped). */
export function busyView(state: State, ctx: FlowContext): View {
  const seconds = Math.max(1, Math.ceil(((state.retryAt ?? ctx.now) - ctx.now) / 1000));
  const parts: Text[] = [
    seconds < 60
      ? text('studio-busy', { seconds })
      : text('studio-busy-minutes', { minutes: Math.round(seconds / 60) }),
  ];
  if (hasEntered(state.flow)) parts.push(text('studio-busy-saved'));
  return view(parts, {
    type: 'inline',
    rows: [[button(text('button-try-again'), { action: 'retry', rev: state.rev })]],
  });
}
