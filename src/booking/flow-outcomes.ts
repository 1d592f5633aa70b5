/**
 * Lost answers: a lead creation or a booking whose answer never came (a timeout, a dropped
 * connection, a 5xx or an unreadable body after the studio acted, the process killed during the
 * call). The step that made the call is the stored intent (what, for whom, which attempt); it is
 * never sent again blindly. Instead the same choice is validated again and the answer read as
 * "it happened" or "it did not":
 *
 * - booking: the kind's `heldStatus` (CUSTOMER_ALREADY_BOOKED for classes, CUSTOMER_IN_OTHER_BOOKING
 *   for appointments) means the studio holds it; AVAILABLE means it did not book, and the booking
 *   is made once more. For appointments, NO_CONTINGENT or BOOKING_LIMIT_REACHED is checked against
 *   the free slots: the slot gone points to the booking, still free means it was not made. Anything
 *   else cannot tell, and the prospect is handed over to the studio.
 * - lead: DUPLICATE_CUSTOMER right after our own lost creation of the same data means the studio
 *   has the lead (its id unknown, so nothing more is booked through the bot); POSSIBLE means it did
 *   not create it, and it is created once more.
 *
 * Staff get a notice for every lost answer, saying what the check found (or that it got no answer).
 */
import type { FlowContext } from './context.ts';
import type { Effect, LostAnswerResolution, StaffNotice } from './effects.ts';
import type { ApiEvent } from './events.ts';
import { onBookingValidated, placeParts } from './flow-booking.ts';
import {
  attemptId,
  enter,
  noticeBase,
  reply,
  showFailure,
  stall,
  stay,
  type TransitionResult,
  work,
} from './flow-kit.ts';
import { onLeadValidated } from './flow-lead.ts';
import { type Text, text } from './messages.ts';
import { offerKinds } from './offer-kind.ts';
import { openIntentOf, retryStep } from './pipeline.ts';
import { type PresentedSlot, sameSlot } from './slot-presentation.ts';
import type { FlowData, State, Step } from './state.ts';
import { button, chosenSlotArgs, contactParts, view } from './views.ts';

/** Steps standing for a lead creation or booking whose outcome is not known (`openIntent`, pipeline.ts). */
export type IntentStep = Extract<
  Step,
  { name: 'creatingLead' | 'booking' | 'resolvingLead' | 'resolvingBooking' | 'resolvingBookingSlot' }
>;
type ResolvingStep = Extract<IntentStep, { name: `resolving${string}` }>;

/** Refusals our own lost booking would cause: worth a look at the slot list where it shows free slots only. */
const refusalsOfOwnBooking = new Set(['NO_CONTINGENT', 'BOOKING_LIMIT_REACHED']);

/** The intent a step carries on to the next step of its resolution. */
export function intentOf(step: IntentStep): { attempt?: string; again?: true } {
  const { attempt, again } = step;
  return { ...(attempt === undefined ? {} : { attempt }), ...(again ? { again } : {}) };
}

/** Starts a lead creation or booking: a new attempt, stored with the step before the call is made. */
export function intentStep(name: 'creatingLead' | 'booking', ctx: FlowContext, again = false): Step {
  return again ? { name, attempt: attemptId(ctx), again: true } : { name, attempt: attemptId(ctx) };
}

/**
 * A lead creation or booking failed. A refusal (the studio answered no, or the request never left)
 * changed nothing: back to the validation step with "try again". An unknown outcome is looked up
 * at once; a failed look-up asks the prospect to try again later and tells the staff.
 */
export function onIntentFailed(
  state: State,
  step: IntentStep,
  event: Extract<ApiEvent, { type: 'callFailed' }>,
  ctx: FlowContext,
): TransitionResult {
  if (isResolving(step)) {
    const next: State = { ...state, step: { ...step, notified: true }, stalled: true };
    const message = step.name === 'resolvingLead' ? text('lead-check-failed') : text('booking-check-failed');
    const effects: Effect[] = [showFailure(state, retryView(message, next.rev))];
    if (!step.notified) effects.push(lostAnswerNotice(state, step, 'unchecked', ctx));
    return { state: next, effects };
  }
  if (event.outcome === 'unknown') return work(state, retryStep(step), ctx);
  return stall(
    enter(state, { name: step.name === 'creatingLead' ? 'validatingLead' : 'validatingBooking' }),
    event.temporary,
  );
}

function isResolving(step: IntentStep): step is ResolvingStep {
  return step.name.startsWith('resolving');
}

/** The validation asked after a lost booking answer. */
export function onBookingResolved(state: State, status: string, ctx: FlowContext): TransitionResult {
  const { step } = state;
  const flow = state.flow;
  if (step.name !== 'resolvingBooking' || !flow?.offer || !flow.slot) return stay(state);
  const kind = offerKinds[flow.offer.type];
  if (status === kind.heldStatus) return bookingFound(state, flow, step, ctx);
  if (status === 'AVAILABLE') {
    const notice = lostAnswerNotice(state, step, 'notMade', ctx);
    if (!step.again) return work(state, intentStep('booking', ctx, true), ctx, [notice]);
    // The second try lost its answer too and did not book either: the prospect decides.
    const next: State = { ...enter(state, { name: 'validatingBooking' }), stalled: true };
    return {
      state: next,
      effects: [showFailure(state, retryView(text('booking-not-made'), next.rev)), notice],
    };
  }
  // A refusal for another reason may be the booking itself (the contingent it used, a full slot it
  // filled). Where the slot list shows free slots only, it tells; elsewhere the API cannot, and
  // guessing could book a second time.
  if (kind.freeSlotsOnly && refusalsOfOwnBooking.has(status)) {
    return work(state, { name: 'resolvingBookingSlot', status, ...intentOf(step) }, ctx);
  }
  return bookingUnclear(state, flow, step, ctx, status);
}

function bookingUnclear(
  state: State,
  flow: FlowData,
  step: Step,
  ctx: FlowContext,
  status: string,
): TransitionResult {
  const next = enter(state, { name: 'done' });
  return {
    state: next,
    effects: [
      reply(view([text('booking-outcome-unclear', bookingArgs(flow, ctx)), ...contactParts(ctx.studio)])),
      lostAnswerNotice(state, step, 'unclear', ctx, status),
    ],
  };
}

/**
 * The free slots (asked with the customer id), listed after a refusal our own lost booking would
 * cause. The chosen slot still listed: nobody holds it, so the booking was not made and the
 * refusal is shown as it is. Gone: together with the refusal, it points to our booking.
 */
export function onBookingSlotResolved(
  state: State,
  presented: readonly PresentedSlot[],
  ctx: FlowContext,
): TransitionResult {
  const { step } = state;
  const flow = state.flow;
  if (step.name !== 'resolvingBookingSlot' || !flow?.slot) return stay(state);
  const chosen = flow.slot.slot;
  if (!presented.some((slot) => sameSlot(slot.slot, chosen))) return bookingFound(state, flow, step, ctx);
  const notice = lostAnswerNotice(state, step, 'notMade', ctx, step.status);
  const shown = onBookingValidated({ ...state, step: { name: 'validatingBooking' } }, step.status, ctx);
  return { state: shown.state, effects: [notice, ...shown.effects] };
}

function bookingFound(state: State, flow: FlowData, step: Step, ctx: FlowContext): TransitionResult {
  const args = bookingArgs(flow, ctx);
  const waitingList = flow.slot?.waitingList === true;
  const parts: Text[] = [text(waitingList ? 'booking-found-waiting-list' : 'booking-found', args)];
  parts.push(...placeParts(flow, ctx));
  // Without the booking id there is no Confirm button; the studio's own e-mail carries the link.
  if (!waitingList && flow.config?.confirmationTerm) parts.push(text('booking-found-confirm-by-email'));
  const next = enter(state, { name: 'done' });
  return {
    state: next,
    effects: [
      reply(
        view(parts, { type: 'inline', rows: [[button(text('button-book-another'), { action: 'restart' })]] }),
      ),
      lostAnswerNotice(state, step, 'found', ctx),
    ],
  };
}

/** The lead validation asked after a lost lead creation. */
export function onLeadResolved(state: State, status: string, ctx: FlowContext): TransitionResult {
  const { step } = state;
  const flow = state.flow;
  if (step.name !== 'resolvingLead' || !flow?.config) return stay(state);
  if (status === 'DUPLICATE_CUSTOMER') return leadWithoutId(state, flow, step, ctx);
  if (status === 'POSSIBLE') {
    const notice = lostAnswerNotice(state, step, 'notMade', ctx);
    if (!step.again) return work(state, intentStep('creatingLead', ctx, true), ctx, [notice]);
    const next: State = { ...enter(state, { name: 'validatingLead' }), stalled: true };
    return { state: next, effects: [showFailure(state, retryView(text('lead-not-made'), next.rev)), notice] };
  }
  // The data itself was refused: nothing was created, the summary says what to fix.
  return onLeadValidated({ ...state, step: { name: 'validatingLead' } }, status, ctx);
}

/**
 * The studio holds the prospect's lead but the bot never learned its id (a lost answer, or a
 * creation answered without one). Nothing can be booked for them here, and nothing may create a
 * second lead: the studio takes over.
 */
export function leadWithoutId(state: State, flow: FlowData, step: Step, ctx: FlowContext): TransitionResult {
  const { firstName, lastName } = flow.lead;
  const kept: FlowData = { ...flow, lead: { firstName, lastName }, skipped: [] };
  const next = enter(state, { name: 'done' }, kept);
  const notice = lostAnswerNotice(state, step, 'found', ctx);
  return {
    state: next,
    effects: [{ type: 'rememberLeadWithoutId' }, reply(leadWithStudioView(ctx)), notice],
  };
}

/** For a prospect whose lead the studio holds without the bot knowing its id. */
export function leadWithStudioView(ctx: FlowContext) {
  return view([text('lead-details-with-studio'), ...contactParts(ctx.studio)]);
}

/** A prospect with a lead of unknown id picked a slot: the studio books them, not the bot. */
export function bookWithStudio(state: State, ctx: FlowContext, before: Effect[]): TransitionResult {
  const next = enter(state, { name: 'done' });
  return { state: next, effects: [...before, reply(leadWithStudioView(ctx))] };
}

function bookingArgs(flow: FlowData, ctx: FlowContext) {
  return { offer: flow.offer?.title ?? '', ...chosenSlotArgs(flow, ctx) };
}

function retryView(message: Text, rev: number) {
  return view([message], {
    type: 'inline',
    rows: [[button(text('button-try-again'), { action: 'retry', rev })]],
  });
}

function lostAnswerNotice(
  state: State,
  step: Step,
  resolution: LostAnswerResolution,
  ctx: FlowContext,
  status?: string,
): Effect {
  const lead = openIntentOf(step) === 'lead';
  const notice: StaffNotice = {
    kind: lead ? 'leadUnknown' : 'bookingUnknown',
    ...noticeBase(state.flow, ctx),
    telegramUserId: ctx.user.id,
    resolution,
  };
  if ('attempt' in step && step.attempt !== undefined) notice.attempt = step.attempt;
  if (status !== undefined) notice.status = status;
  const email = state.flow?.lead.email;
  if (lead && email) notice.email = email;
  return { type: 'notifyStaff', notice };
}
