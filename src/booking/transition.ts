/**
 * The booking conversation as one pure function: `transition(state, event, context)` returns the
 * next state and the effects for the adapter. This file routes the prospect's events; what each
 * step does lives in flow-offers.ts (start, offers, config), flow-slots.ts (slot lists, re-check),
 * flow-lead.ts (lead data, summary, lead check) and flow-booking.ts (booking, result, confirm).
 * The steps that wait for the studio, their calls, answers and retries are the table in
 * pipeline.ts; the studio's answers are routed there.
 *
 * Rules that hold everywhere:
 * - Every button tap is answered exactly once (`answerCallback`).
 * - A tap on a button from an earlier step (its revision differs) is answered "out of date" and the
 *   current step is shown again; it never acts.
 * - A failed studio call keeps the state and offers "try again", which repeats the step. During a
 *   429 lockout "try again" waits, and a `later` effect repeats the step by itself once it is over.
 * - Only "Book now" on a summary books; a tap on a slot never does.
 * - A lead creation or booking whose answer was lost is never sent again blindly: it is looked up
 *   first (flow-outcomes.ts), by "try again" and by whatever the prospect sends after a crash.
 * - A message is only an answer to a question the prospect saw (`ctx.promptDelivered`): otherwise
 *   the question is sent again, or the waiting step's interrupted call resumed, and the message is
 *   not consumed; one written before the question was sent again is ignored.
 * - At most one `call` effect per result, always last: the adapter runs it and feeds back its result.
 */
import type { SupportedLocale } from '../config.ts';
import { supportedLocales } from '../config.ts';
import type { CallbackData } from './callback-data.ts';
import { revisionModulus } from './callback-data.ts';
import type { FlowContext } from './context.ts';
import type { Effect } from './effects.ts';
import type { BookingEvent, UserEvent } from './events.ts';
import {
  confirmationReminder,
  existingBooking,
  existingBookingToast,
  existingBookingView,
  onConfirmed,
  onConfirmFailed,
  onConfirmTap,
  unconfirmedBookingsNotice,
} from './flow-booking.ts';
import {
  answer,
  busyView,
  edit,
  enter,
  idleView,
  isWorking,
  lockedOut,
  reply,
  stay,
  type TransitionResult,
  work,
} from './flow-kit.ts';
import {
  editField,
  onAddressAnswer,
  onAddressText,
  onLeadInput,
  showAddressConfirm,
  showSummary,
} from './flow-lead.ts';
import { openOffer, showOffers, startFlow } from './flow-offers.ts';
import { onLapsed, onRemindersCommand, onReminderTap, rescheduleAfterCrash } from './flow-reminders.ts';
import { moveWindow, pickDay, pickSlot, reloadSlots } from './flow-slots.ts';
import { editableFieldsFor } from './lead-plan.ts';
import { text } from './messages.ts';
import { onStepResult, openIntentOf, resumeStep } from './pipeline.ts';
import { sameSlot } from './slot-presentation.ts';
import { initialState, type State } from './state.ts';
import { button, leadPromptView, view } from './views.ts';

export type { TransitionResult } from './flow-kit.ts';

export function transition(state: State, event: BookingEvent, ctx: FlowContext): TransitionResult {
  const resumed = resumeLostCall(state, event, ctx);
  if (resumed) return resumed;
  switch (event.type) {
    case 'start':
      return startFlow(state, event.payload, ctx, closeReplyKeyboard(state));
    case 'help':
      return stay(state, [reply(view([text('help')]))]);
    case 'cancel':
      return cancel(state, []);
    case 'forget':
      return forget(state, ctx);
    case 'reminders':
      return onRemindersCommand(state, ctx);
    case 'language':
      return onLanguageCommand(state, event.locale, ctx);
    case 'text':
    case 'contact':
    case 'nonText':
    case 'skip':
      return onMessage(state, event, ctx);
    case 'callback': {
      const result = answeredOnce(onCallback(state, event.data, ctx));
      // A tap on a button of the current step proves the prospect saw it.
      const proof = event.data !== undefined && 'rev' in event.data && event.data.rev === state.rev;
      return proof ? { ...result, shown: true } : result;
    }
    case 'resume':
      return onResume(state, ctx);
    case 'offersLoaded':
    case 'configLoaded':
    case 'slotsLoaded':
    case 'leadValidated':
    case 'leadCreated':
    case 'bookingValidated':
    case 'booked':
      return onStepResult(state, event, ctx);
    case 'confirmed':
      return onConfirmed(state, event.bookingId, event.status, ctx);
    case 'callFailed':
      // The confirm call belongs to no waiting step: the booking's record waits for its answer.
      if (event.call.name === 'confirm') return onConfirmFailed(state, event, ctx);
      return onStepResult(state, event, ctx);
    case 'retryDue':
      return onRetryDue(state, event.rev, ctx);
    case 'lapsed':
      return onLapsed(state, event, ctx);
  }
}

/** Leaving the phone-number question takes its reply keyboard away, which needs a message of its own. */
function closeReplyKeyboard(state: State): Effect[] {
  return state.step.name === 'collectingLead' && state.step.field === 'telephone'
    ? [reply(view([text('start-over')], { type: 'removeReplyKeyboard' }))]
    : [];
}

function cancel(state: State, before: Effect[]): TransitionResult {
  const next = enter(state, { name: 'idle' }, null);
  return {
    state: next,
    effects: [...before, reply(view([text('cancel-done')], { type: 'removeReplyKeyboard' }))],
  };
}

function forget(state: State, ctx: FlowContext): TransitionResult {
  // The revision moves on, so no keyboard from before matches the fresh state.
  const next: State = { ...initialState(), rev: (state.rev + 1) % revisionModulus };
  return {
    state: next,
    effects: [
      { type: 'forgetUser' },
      reply(view([text('forget-done')], { type: 'removeReplyKeyboard' })),
      ...unconfirmedBookingsNotice(state, ctx),
    ],
  };
}

function onLanguageCommand(state: State, code: string | undefined, ctx: FlowContext): TransitionResult {
  const locale = supportedLocales.find((l) => l === code?.trim().toLowerCase());
  if (locale) return setLanguage(state, locale, ctx, []);
  return stay(state, [
    reply(
      view([text('language-choose')], {
        type: 'inline',
        rows: [
          [
            button(text('language-name-en'), { action: 'language', locale: 'en' }),
            button(text('language-name-de'), { action: 'language', locale: 'de' }),
          ],
        ],
      }),
    ),
  ]);
}

/** Switches the language and shows the current question again, now in that language. */
function setLanguage(
  state: State,
  locale: SupportedLocale,
  ctx: FlowContext,
  before: Effect[],
): TransitionResult {
  const effects: Effect[] = [...before, { type: 'setLocale', locale }, reply(view([text('language-set')]))];
  const inNewLanguage = { ...ctx, locale };
  const { step } = state;
  if (
    step.name === 'collectingLead' ||
    step.name === 'confirmingAddress' ||
    step.name === 'summary' ||
    step.name === 'awaitingConfirmation'
  ) {
    effects.push(...reshow(state, inNewLanguage).effects);
  }
  return stay(state, effects);
}

function onMessage(
  state: State,
  event: Extract<UserEvent, { type: 'text' | 'contact' | 'nonText' | 'skip' }>,
  ctx: FlowContext,
): TransitionResult {
  if (ctx.messageBeforePrompt) return stay(state);
  if (ctx.promptDelivered === false) return resumeOrReshow(state, ctx);
  const { step } = state;
  switch (step.name) {
    case 'collectingLead':
      return onLeadInput(state, event, ctx);
    case 'confirmingAddress':
      // A new line is read as a corrected address; anything else gets the question again.
      return event.type === 'text'
        ? onAddressText(state, event.text, ctx)
        : showAddressConfirm(state, [text('input-use-buttons')]);
    case 'summary':
      return showSummary(state, ctx, [text('input-use-buttons')]);
    case 'choosingOffer':
    case 'choosingSlot':
      return stay(state, [reply(view([text('input-use-buttons')]))]);
    case 'awaitingConfirmation':
      return confirmationReminder(state, step.bookingId, ctx);
    case 'idle':
    case 'done':
      return stay(state, [reply(idleView())]);
    default:
      return stay(state, [reply(waitingView(state))]);
  }
}

/**
 * Updates of one chat are handled one after another (the chat lock), so a lead creation or
 * booking still marked as under way when the next update arrives lost its answer with the process
 * that made it (killed, or its store failed before the answer was saved), and one being looked up
 * is open until the look-up gets an answer. Whatever the prospect sends meanwhile, a new /start
 * included, first finds out what happened: starting afresh could create a second lead or book a
 * second time. /help, /language and /forget keep their meaning.
 */
function resumeLostCall(state: State, event: BookingEvent, ctx: FlowContext): TransitionResult | undefined {
  if (openIntentOf(state.step) === undefined) return undefined;
  switch (event.type) {
    case 'start':
    case 'cancel':
    case 'text':
    case 'contact':
    case 'nonText':
    case 'skip':
      return resumeStep(state, ctx);
    case 'callback':
      // Its own "try again" (after a failed look-up or a lockout) is that button's usual answer.
      if (event.data?.action === 'retry' && event.data.rev === state.rev) return retryTapped(state, ctx);
      return resumeStep(state, ctx, [answer()]);
    default:
      return undefined;
  }
}

/** "Try again" on a waiting step's failure message. */
function retryTapped(state: State, ctx: FlowContext): TransitionResult {
  // During a lockout the notice is brought up to date in place, and the step waits for its timer.
  if (lockedOut(state, ctx)) {
    return stay(state, [answer(text('studio-busy-toast')), edit(busyView(state, ctx))]);
  }
  // A failure of what follows edits this "try again" message in place (see `showFailure`).
  return resumeStep({ ...state, retrying: true }, ctx, [answer(text('retry-trying'))]);
}

/**
 * The prospect has not seen the current step: its question again, or, for a waiting step whose
 * call died with the process, that call again.
 */
function resumeOrReshow(state: State, ctx: FlowContext): TransitionResult {
  return isWorking(state) ? resumeStep(state, ctx) : reshow(state, ctx);
}

/** The update whose handling died comes again: carry on from where it stopped, never apply it twice. */
function onResume(state: State, ctx: FlowContext): TransitionResult {
  if (ctx.promptDelivered !== false) return stay(state);
  const shown = resumeOrReshow(state, ctx);
  const step = state.step.name;
  // The booking was recorded, but its reminders may not have been scheduled before the crash.
  if (step !== 'awaitingConfirmation' && step !== 'done') return shown;
  return { ...shown, effects: [...rescheduleAfterCrash(state, ctx), ...shown.effects] };
}

function waitingView(state: State) {
  return view([text('working-wait')], {
    type: 'inline',
    rows: [[button(text('button-try-again'), { action: 'retry', rev: state.rev })]],
  });
}

/** Shows the current step again (after a stale tap). Lists need a fresh load, which is cached or cheap. */
function reshow(state: State, ctx: FlowContext): TransitionResult {
  return { ...showStep(state, ctx), shown: true };
}

function showStep(state: State, ctx: FlowContext): TransitionResult {
  const { step } = state;
  switch (step.name) {
    case 'idle':
    case 'done':
      return stay(state, [reply(idleView())]);
    case 'choosingOffer':
      return showOffers(state, ctx, step.page, step.configId);
    case 'choosingSlot':
      return reloadSlots(state, step, ctx, []);
    case 'collectingLead': {
      const modes = state.flow?.config?.modes;
      const prompt = modes && leadPromptView(step.field, modes, state.rev, ctx, [], !step.inParts);
      return prompt ? stay(state, [reply(prompt)]) : stay(state);
    }
    case 'confirmingAddress':
      return showAddressConfirm(state);
    case 'summary':
      return showSummary(state, ctx);
    case 'awaitingConfirmation':
      return confirmationReminder(state, step.bookingId, ctx);
    default:
      return stay(state, [reply(waitingView(state))]);
  }
}

function outdated(state: State, ctx: FlowContext): TransitionResult {
  // A list is a whole screen, and the current one is the newest (a hint typed meanwhile sits just
  // below it): the toast points there instead of posting (and, for slots, reloading) it again.
  if (state.step.name === 'choosingSlot' || state.step.name === 'choosingOffer') {
    return stay(state, [answer(text('callback-outdated-list'))]);
  }
  const shown = reshow(state, ctx);
  return { ...shown, effects: [answer(text('callback-outdated')), ...shown.effects] };
}

/** Telegram shows a spinner on the button until the query is answered, so every tap gets exactly one answer. */
function answeredOnce(result: TransitionResult): TransitionResult {
  let answered = false;
  const effects = result.effects.filter((effect) => {
    if (effect.type !== 'answerCallback') return true;
    if (answered) return false;
    answered = true;
    return true;
  });
  return { ...result, effects: answered ? effects : [answer(), ...effects] };
}

function onCallback(state: State, data: CallbackData | undefined, ctx: FlowContext): TransitionResult {
  if (!data) return outdated(state, ctx);

  // Buttons that mean the same in every step.
  switch (data.action) {
    case 'confirm':
      return onConfirmTap(state, data, ctx);
    case 'restart':
      return startFlow(state, undefined, ctx, [answer(), ...closeReplyKeyboard(state)], false);
    case 'bookAgain':
      return openOffer(state, data.offer, ctx, {
        fresh: true,
        before: [answer(), ...closeReplyKeyboard(state)],
      });
    case 'language':
      return setLanguage(state, data.locale, ctx, [answer()]);
    case 'attend':
    case 'cantMake':
    case 'stopReminders':
      return onReminderTap(state, data, ctx);
    case 'book':
    case 'slot': {
      // A second "book" or a slot tap for something already booked (double tap, old keyboard) shows
      // that booking instead of booking again.
      const offer = data.action === 'book' ? data.offer : state.flow?.offer;
      const existing = offer && existingBooking(state, offer, data.slot);
      // A repeated "Book now" gets a toast only: a second message would carry a second confirm button.
      if (existing && data.action === 'book')
        return stay(state, [answer(existingBookingToast(existing, state.flow, ctx))]);
      if (existing) return stay(state, [answer(), reply(existingBookingView(existing, state.flow, ctx))]);
      if (data.action === 'book' && isWorking(state) && isCurrentChoice(state, data)) {
        // Busy, unless the booking's process died: then this tap carries it on.
        if (ctx.promptDelivered === false) return resumeStep(state, ctx, [answer()]);
        return stay(state, [answer(text('booking-busy'))]);
      }
      break;
    }
    default:
      break;
  }

  if (data.rev !== state.rev) return outdated(state, ctx);
  const { step } = state;

  switch (data.action) {
    case 'cancel':
      return cancel(state, [answer()]);
    case 'retry':
      return isWorking(state) ? retryTapped(state, ctx) : outdated(state, ctx);
    case 'otherOffers':
      return isWorking(state) ? outdated(state, ctx) : showOffers(state, ctx);
    case 'offer':
      if (step.name !== 'choosingOffer') break;
      return openOffer(state, data.offer, ctx, { configId: step.configId, fresh: false, before: [answer()] });
    case 'offersPage':
      if (step.name !== 'choosingOffer') break;
      return showOffers(state, ctx, data.page, step.configId, true);
    case 'slot':
      if (step.name !== 'choosingSlot') break;
      return pickSlot(state, data, ctx);
    case 'slotWindow':
      if (step.name !== 'choosingSlot') break;
      return moveWindow(state, data.fromDay, ctx);
    case 'slotDay':
      if (step.name !== 'choosingSlot') break;
      return pickDay(state, data, ctx);
    case 'skip':
      if (step.name !== 'collectingLead') break;
      return onLeadInput(state, { type: 'skip' }, ctx);
    case 'profileName':
      if (step.name !== 'collectingLead' || (step.field !== 'firstName' && step.field !== 'lastName')) break;
      return onLeadInput(state, { type: 'profileName' }, ctx);
    case 'gender':
      if (step.name !== 'collectingLead' || step.field !== 'gender') break;
      return onLeadInput(state, { type: 'gender', gender: data.gender }, ctx);
    case 'addressOk':
    case 'addressParts':
      if (step.name !== 'confirmingAddress') break;
      return onAddressAnswer(state, data.action === 'addressOk', ctx);
    case 'edit': {
      const modes = state.flow?.config?.modes;
      if (step.name !== 'summary' || !modes || !editableFieldsFor(modes).includes(data.field)) break;
      return editField(state, data.field, ctx);
    }
    case 'book':
      if (step.name !== 'summary' || !isCurrentChoice(state, data)) break;
      return work(state, { name: 'checkingSlot' }, ctx, [answer(), { type: 'clearKeyboard' }]);
  }
  return outdated(state, ctx);
}

function isCurrentChoice(state: State, data: Extract<CallbackData, { action: 'book' }>): boolean {
  const flow = state.flow;
  return (
    flow?.offer?.type === data.offer.type &&
    flow.offer.id === data.offer.id &&
    flow.slot !== undefined &&
    sameSlot(flow.slot.slot, data.slot)
  );
}

/**
 * A lockout's timer has run out: repeat the step by itself, unless the prospect moved on meanwhile
 * (another revision: /cancel, /forget, "try again", any step change) or it no longer waits.
 */
function onRetryDue(state: State, rev: number, ctx: FlowContext): TransitionResult {
  if (rev !== state.rev || !state.stalled || !isWorking(state)) return stay(state);
  return resumeStep(state, ctx);
}
