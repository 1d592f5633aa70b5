/**
 * Picking a time: the slot list in windows of days, "earlier"/"later", the tap on a slot, and the
 * re-check that reloads the chosen slot's window just before a lead is created or a booking made,
 * so a slot that filled up meanwhile never leaves a lead behind without a booking.
 */
import { dayNumber, type SlotWindow, windowContains } from './calendar.ts';
import type { CallbackData } from './callback-data.ts';
import type { FlowContext } from './context.ts';
import type { Effect } from './effects.ts';
import type { ApiEvent } from './events.ts';
import {
  answer,
  customerIdOf,
  edit,
  enter,
  reply,
  stay,
  type TransitionResult,
  todayOf,
  work,
} from './flow-kit.ts';
import { askNextLeadField } from './flow-lead.ts';
import { bookWithStudio } from './flow-outcomes.ts';
import { text } from './messages.ts';
import { type OfferRef, offerCode, offerKinds } from './offer-kind.ts';
import { type PresentedSlot, type SlotRef, sameSlot, slotDay, slotKey } from './slot-presentation.ts';
import {
  type FlowData,
  maxStoredInstructorsLength,
  maxStoredLocationLength,
  maxStoredLocationNoteLength,
  type State,
  type StateAt,
} from './state.ts';
import {
  choiceSummaryView,
  dayWithoutPlacesText,
  noSlotsView,
  type SlotListInput,
  slotListView,
  slotWindowDays,
  zoneOf,
} from './views.ts';

/** The record key of an offer + slot choice, shared with booking records. */
export function choiceKey(offer: OfferRef, slot: SlotRef): string {
  return `${offerCode(offer)}:${slotKey(slot)}`;
}

/**
 * A slot list's answer, in the studio's zone (learned from the first slot that names one), for
 * `then`: the list to choose from, the re-check, or a lost booking's look-up (see pipeline.ts).
 * An answer that cannot be read changes nothing.
 */
export function withSlots<S extends State>(
  state: S,
  event: Extract<ApiEvent, { type: 'slotsLoaded' }>,
  ctx: FlowContext,
  then: (state: S, presented: PresentedSlot[], ctx: FlowContext) => TransitionResult,
): TransitionResult {
  const flow = state.flow;
  const offer = flow?.offer;
  if (!flow || !offer) return stay(state);
  const learnedZone = event.loaded.slots.find((slot) => slot.startDateTime?.zone)?.startDateTime?.zone;
  const updated: FlowData = learnedZone ? { ...flow, zone: learnedZone } : flow;
  const presented = offerKinds[offer.type].present(event.loaded, ctx.now, zoneOf(updated, ctx));
  if (!presented) return stay(state);
  return then({ ...state, flow: updated }, presented, ctx);
}

/** The list to choose a time from. */
export function showSlotList(
  state: StateAt<'loadingSlots'>,
  presented: PresentedSlot[],
  ctx: FlowContext,
): TransitionResult {
  const flow = state.flow;
  const offer = flow?.offer;
  if (!flow || !offer) return stay(state);
  const today = todayOf(flow, ctx);
  const firstDay = presented.map(slotDay).find((day) => day >= today);
  const window: SlotWindow = state.step.window ?? { fromDay: firstDay ?? today, days: slotWindowDays };
  const { day, from } = state.step;
  const next = enter(state, {
    name: 'choosingSlot',
    window,
    ...(day === undefined ? {} : { day }),
    ...(from === undefined ? {} : { from }),
  });
  if (presented.length === 0 && !offerKinds[offer.type].loadsByWindow) {
    return { state: next, effects: [reply(noSlotsView(offer.title, next.rev))] };
  }
  const list = slotListView({ ...listInput(next, presented, window, today, ctx), day, from });
  return { state: next, effects: [state.step.replace ? edit(list) : reply(list)] };
}

function listInput(
  state: State,
  slots: PresentedSlot[],
  window: SlotWindow,
  today: number,
  ctx: FlowContext,
  lead?: SlotListInput['lead'],
): SlotListInput {
  const offer = state.flow?.offer;
  return {
    offerTitle: offer?.title ?? '',
    slots,
    window,
    today,
    loadsByWindow: offer ? offerKinds[offer.type].loadsByWindow : true,
    rev: state.rev,
    locale: ctx.locale,
    lead,
  };
}

/**
 * The re-check's answer: go on with the fresh details; show the window again when the slot is
 * gone, or when it filled up and only its waiting list is left (the prospect chose a place, so
 * joining the waiting list must be their own second choice).
 */
export function finishRecheck(state: State, presented: PresentedSlot[], ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  const chosen = flow?.slot;
  const offer = flow?.offer;
  if (!flow || !chosen || !offer) return stay(state);
  const fresh = presented.find((slot) => sameSlot(slot.slot, chosen.slot));
  const filledUp = fresh?.availability === 'waitingList' && !chosen.waitingList;
  if (!fresh || filledUp) {
    const { slot: _gone, ...rest } = flow;
    const day = dayNumber(chosen.slot.startMin * 60_000, zoneOf(rest, ctx));
    const next = enter(state, { name: 'choosingSlot', window: chosen.window, day }, rest);
    const today = todayOf(rest, ctx);
    const why = text(filledUp ? 'slot-now-waiting-list' : 'slot-gone');
    const input = listInput(next, presented, chosen.window, today, ctx, [why]);
    return { state: next, effects: [reply(slotListView({ ...input, day }))] };
  }
  const updated: FlowData = {
    ...flow,
    slot: {
      ...chosen,
      waitingList: fresh.availability === 'waitingList',
      bookable: offerKinds[offer.type].bookable(fresh),
      ...(fresh.location ? { location: fresh.location.slice(0, maxStoredLocationLength) } : {}),
      ...(fresh.locationNote
        ? { locationNote: fresh.locationNote.slice(0, maxStoredLocationNoteLength) }
        : {}),
      ...(fresh.instructorNames.length > 0
        ? { instructors: fresh.instructorNames.join(', ').slice(0, maxStoredInstructorsLength) }
        : {}),
    },
  };
  if (customerIdOf(updated, ctx) === undefined)
    return work(state, { name: 'validatingLead' }, ctx, [], updated);
  // A known customer's slot tap re-checks first (for the place) and then asks: only "Book now" books.
  if (!chosen.bookable) {
    const next = enter(state, { name: 'summary' }, updated);
    return { state: next, effects: [reply(choiceSummaryView(updated, next.rev, ctx))] };
  }
  return work(state, { name: 'validatingBooking' }, ctx, [], updated);
}

/** A tap on a slot button (already checked to belong to the current list). */
export function pickSlot(
  state: State,
  data: Extract<CallbackData, { action: 'slot' }>,
  ctx: FlowContext,
): TransitionResult {
  const flow = state.flow;
  if (state.step.name !== 'choosingSlot' || !flow?.offer) return stay(state);
  const { window } = state.step;
  const startMs = data.slot.startMin * 60_000;
  const zone = zoneOf(flow, ctx);
  // Buttons of the current list carry the current revision, so this only stops forged data.
  if (startMs <= ctx.now || !windowContains(window, dayNumber(startMs, zone)))
    return { state, effects: [answer(text('callback-outdated'))] };
  const updated: FlowData = { ...flow, slot: { slot: data.slot, window, waitingList: data.waitingList } };
  const before: Effect[] = [answer()];
  // Their lead is at the studio under an id the bot never learned: a second one must not be made.
  if (customerIdOf(updated, ctx) === undefined && ctx.leadWithoutId)
    return bookWithStudio(state, ctx, before);
  if (customerIdOf(updated, ctx) !== undefined) {
    // A known lead gives no lead data: the re-check, then a short summary with "Book now".
    return work(state, { name: 'checkingSlot' }, ctx, before, updated);
  }
  return askNextLeadField({ ...state, flow: updated }, ctx, before, true);
}

/**
 * A day button: that day's times, in place of the list. A day that had no free place when the
 * button was made is answered with a toast and nothing else changes.
 */
export function pickDay(
  state: State,
  data: Extract<CallbackData, { action: 'slotDay' }>,
  ctx: FlowContext,
): TransitionResult {
  if (state.step.name !== 'choosingSlot') return stay(state);
  const { window } = state.step;
  if (!windowContains(window, data.day)) return { state, effects: [answer(text('callback-outdated'))] };
  if (data.empty) return stay(state, [answer(dayWithoutPlacesText(data.day, ctx.locale))]);
  return work(state, { name: 'loadingSlots', window, day: data.day, from: data.from, replace: true }, ctx, [
    answer(),
  ]);
}

/** "Earlier" / "later": a new window, never starting before today. */
export function moveWindow(state: State, fromDay: number, ctx: FlowContext): TransitionResult {
  const today = todayOf(state.flow, ctx);
  const window = { fromDay: Math.max(today, fromDay), days: slotWindowDays };
  return work(state, { name: 'loadingSlots', window, replace: true }, ctx, [answer()]);
}

/**
 * Shows the slots again after a refusal (slot full, studio closed...): the chosen slot is dropped,
 * and classes start again at the first free day, appointments at the window the slot came from.
 */
export function slotsAgain(state: State, ctx: FlowContext, before: Effect[]): TransitionResult {
  const flow = state.flow;
  if (!flow?.offer) return stay(state, before);
  const { slot, ...rest } = flow;
  const kind = offerKinds[flow.offer.type];
  const window = kind.loadsByWindow
    ? (slot?.window ?? { fromDay: todayOf(flow, ctx), days: slotWindowDays })
    : undefined;
  return work(
    state,
    window ? { name: 'loadingSlots', window, replace: false } : { name: 'loadingSlots', replace: false },
    ctx,
    before,
    rest,
  );
}

/** Re-shows the current window and day (after a stale tap), which needs a fresh list. */
export function reloadSlots(
  state: State,
  step: Extract<State['step'], { name: 'choosingSlot' }>,
  ctx: FlowContext,
  before: Effect[],
): TransitionResult {
  const { name: _name, ...shown } = step;
  return work(state, { name: 'loadingSlots', ...shown, replace: false }, ctx, before);
}
