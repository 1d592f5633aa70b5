/**
 * Booking: the studio's validation (every status has its own message and next step), the booking
 * itself, its result (success with calendar file, waiting list, confirmation needed), and the
 * confirm button. Also where a repeated "book" tap is answered with the booking that exists.
 */
import type {
  appointmentBookingValidationStatuses,
  classBookingValidationStatuses,
  TermWithMinutes,
} from '../perfectgym/schemas.ts';
import type { CallbackData } from './callback-data.ts';
import { confirmationDeadline, deadlineArgs, toEpochMinutes } from './confirmation-deadline.ts';
import type { FlowContext } from './context.ts';
import type { Effect, InlineButton, Venue, View } from './effects.ts';
import type { ApiEvent } from './events.ts';
import {
  answer,
  atStudio,
  edit,
  enter,
  failureText,
  hasEntered,
  noticeBase,
  reply,
  stay,
  type TransitionResult,
  work,
} from './flow-kit.ts';
import { intentStep } from './flow-outcomes.ts';
import { reminderEffects } from './flow-reminders.ts';
import { choiceKey, slotsAgain } from './flow-slots.ts';
import { formatLongDate, formatTime } from './format.ts';
import { buildIcs } from './ics.ts';
import { type MessageKey, type Text, text } from './messages.ts';
import { type OfferRef, parseOfferCode } from './offer-kind.ts';
import type { SlotRef } from './slot-presentation.ts';
import { type BookingRecord, type FlowData, maxBookingRecords, type State } from './state.ts';
import {
  button,
  chosenSlotArgs,
  contactParts,
  otherOffersRow,
  studioAddress,
  view,
  zoneOf,
} from './views.ts';

type ValidationStatus =
  | (typeof classBookingValidationStatuses)[number]
  | (typeof appointmentBookingValidationStatuses)[number];

/** What follows a refusal: pick another time, pick another offer, or contact the studio. */
export type RefusalNextStep = 'slots' | 'offers' | 'contact' | 'done';

/**
 * Every documented validation status of both booking kinds (AVAILABLE aside), with its message
 * and next step. Statuses both kinds share have one entry.
 */
export const bookingRefusals = {
  NO_CONTINGENT: { key: 'booking-status-no-contingent', next: 'contact' },
  BOOKING_LIMIT_REACHED: { key: 'booking-status-limit-reached', next: 'slots' },
  CUSTOMER_ALREADY_BOOKED: { key: 'booking-status-already-booked', next: 'done' },
  CUSTOMER_IDLE: { key: 'booking-status-customer-idle', next: 'contact' },
  CUSTOMER_IN_OTHER_BOOKING: { key: 'booking-status-other-booking', next: 'slots' },
  DISPLAY_ONLY: { key: 'booking-status-display-only', next: 'offers' },
  DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME: { key: 'booking-status-too-early', next: 'slots' },
  DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME: { key: 'booking-status-too-late', next: 'slots' },
  STUDIO_CLOSED: { key: 'booking-status-studio-closed', next: 'slots' },
  NOT_AVAILABLE: { key: 'booking-status-not-available', next: 'slots' },
  PAST_START_DATE_TIME: { key: 'booking-status-past-start', next: 'slots' },
  END_DATE_TIME_NOT_AFTER_START_DATE_TIME: { key: 'booking-status-end-before-start', next: 'slots' },
  PERIOD_DOES_NOT_MATCH: { key: 'booking-status-period-mismatch', next: 'slots' },
  BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED: { key: 'booking-status-restrictions', next: 'contact' },
  RESOURCE_NOT_AVAILABLE: { key: 'booking-status-resource-unavailable', next: 'slots' },
} as const satisfies Record<
  Exclude<ValidationStatus, 'AVAILABLE'>,
  { key: MessageKey; next: RefusalNextStep }
>;

/** A status outside the documented ones: say so plainly and let them pick another time. */
export const unknownBookingRefusal = { key: 'booking-status-unknown', next: 'slots' } as const;

export function refusalFor(status: string): { key: MessageKey; next: RefusalNextStep } {
  return Object.hasOwn(bookingRefusals, status)
    ? bookingRefusals[status as keyof typeof bookingRefusals]
    : unknownBookingRefusal;
}

export function onBookingValidated(state: State, status: string, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (state.step.name !== 'validatingBooking' || !flow) return stay(state);
  if (status === 'AVAILABLE') return work(state, intentStep('booking', ctx), ctx);
  const refusal = refusalFor(status);
  const message: Text =
    refusal.key === 'booking-status-no-contingent' ? noContingentText(flow) : ({ key: refusal.key } as Text);
  switch (refusal.next) {
    case 'slots':
      return slotsAgain(state, ctx, [reply(view([message]))]);
    case 'contact':
    case 'offers':
    case 'done': {
      const next = enter(state, { name: 'done' });
      const parts = refusal.next === 'contact' ? [message, ...contactParts(ctx.studio)] : [message];
      return {
        state: next,
        effects: [reply(view(parts, { type: 'inline', rows: [otherOffersRow(next.rev)] }))],
      };
    }
  }
}

/**
 * NO_CONTINGENT has two causes the studio does not tell apart: every trial of the config is used,
 * or another booking lies within `preventMultipleBookingsTerm`. The text names both limits, so it
 * is true whichever one it was.
 */
function noContingentText(flow: FlowData): Text {
  const contingent = flow.config?.contingent ?? 1;
  const term = flow.config?.bookingTerm;
  // With one trial per person the term cannot be the cause: it needs a booking already held.
  if (contingent <= 1 || !term || term.value <= 0)
    return text('booking-status-no-contingent', { contingent });
  return text('booking-status-no-contingent-term', { contingent, value: term.value, unit: term.unit });
}

const awaitingTap = new Set(['BOOKED_WITH_CONFIRMATION_REQUIRED', 'CONFIRMING']);

/**
 * Adds a booking, dropping the oldest when there are too many: settled ones first, because a
 * booking still waiting for its confirm tap must stay confirmable.
 */
export function addRecord(bookings: readonly BookingRecord[], record: BookingRecord): BookingRecord[] {
  const all = [...bookings.filter((b) => !sameBooking(b, record.bookingId, record.studio)), record];
  while (all.length > maxBookingRecords) {
    const settled = all.findIndex((b) => !awaitingTap.has(b.status));
    all.splice(settled === -1 ? 0 : settled, 1);
  }
  return all;
}

function updateRecord(state: State, bookingId: number, status: string): State {
  return {
    ...state,
    bookings: state.bookings.map((b) => (sameBooking(b, bookingId, state.studio) ? { ...b, status } : b)),
  };
}

/** Booking ids are the studio's own: in a chain, a record is a booking id at one studio. */
function sameBooking(record: BookingRecord, bookingId: number, studio: string | undefined): boolean {
  return record.bookingId === bookingId && record.studio === studio;
}

/** The record of this booking at the conversation's studio. */
function recordOf(state: State, bookingId: number): BookingRecord | undefined {
  return state.bookings.find((b) => sameBooking(b, bookingId, state.studio));
}

function confirmButton(record: BookingRecord): InlineButton {
  return button(text('button-confirm'), {
    action: 'confirm',
    bookingId: record.bookingId,
    deadlineMin: record.deadlineMin ?? 0,
  });
}

function bookAnotherRow(): InlineButton[] {
  return [button(text('button-book-another'), { action: 'restart' })];
}

/** The studio's name and address, as far as the studio information has them. */
function studioPlace(ctx: Pick<FlowContext, 'studio'>): { name: string; address: string } {
  return { name: ctx.studio?.name?.trim() ?? '', address: studioAddress(ctx.studio) };
}

/** The studio's coordinates, when it has both and they are real ones. */
function studioGeo(ctx: Pick<FlowContext, 'studio'>): { latitude: number; longitude: number } | undefined {
  const { latitude, longitude } = ctx.studio?.location ?? {};
  if (latitude === undefined || longitude === undefined) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

/**
 * The booking's calendar file, and the studio as a venue to open in a map app. Sent once per
 * booking: with the success message, or with the confirmation where one is needed.
 */
function bookedExtras(flow: FlowData, bookingId: number, ctx: FlowContext): Effect[] {
  const slot = flow.slot;
  if (!slot || !flow.offer) return [];
  const startMs = slot.slot.startMin * 60_000;
  const place = studioPlace(ctx);
  const geo = studioGeo(ctx);
  const telephone = ctx.studio?.telephone?.trim();
  const ics = buildIcs({
    uid: `trial-booking-${bookingId}-studio-${ctx.studio?.studioId ?? 0}@trialgram`,
    createdMs: ctx.now,
    startMs,
    endMs: slot.slot.durationMin > 0 ? startMs + slot.slot.durationMin * 60_000 : undefined,
    summary: flow.offer.title,
    location: [slot.location, place.name, place.address].filter(Boolean).join(', ') || undefined,
    geo,
    // Names and a phone number read the same in every language.
    description:
      [slot.instructors, telephone && [place.name, `Tel. ${telephone}`].filter(Boolean).join(': ')]
        .filter(Boolean)
        .join('\n') || undefined,
  });
  const effects: Effect[] = [
    {
      type: 'sendCalendar',
      ics,
      filename: `trial-${bookingId}.ics`,
      caption: text('booking-calendar-caption', { offer: flow.offer.title }),
    },
  ];
  const venue = studioVenue(ctx);
  if (venue) effects.push({ type: 'sendVenue', venue });
  return effects;
}

/** The studio as a venue (a map pin): only with its coordinates, name and address. */
export function studioVenue(ctx: Pick<FlowContext, 'studio'>): Venue | undefined {
  const place = studioPlace(ctx);
  const geo = studioGeo(ctx);
  return geo && place.name && place.address
    ? { ...geo, title: place.name, address: place.address }
    : undefined;
}

/** Where to go and with whom: the studio and its address, the room and where it is, the instructors. */
export function placeParts(flow: FlowData, ctx: FlowContext): Text[] {
  const parts: Text[] = [];
  const place = [studioPlace(ctx).name, studioPlace(ctx).address].filter(Boolean).join(', ');
  if (place) parts.push(text('booking-detail-studio', { place }));
  const { location, locationNote, instructors } = flow.slot ?? {};
  if (location && locationNote)
    parts.push(text('booking-detail-room', { room: location, note: locationNote }));
  else if (location) parts.push(text('booking-detail-location', { location }));
  if (instructors) parts.push(text('booking-detail-instructors', { names: instructors }));
  return parts;
}

function successParts(flow: FlowData, ctx: FlowContext): Text[] {
  return [
    text('booking-success', { offer: flow.offer?.title ?? '', ...chosenSlotArgs(flow, ctx) }),
    ...placeParts(flow, ctx),
  ];
}

export function onBooked(
  state: State,
  bookingId: number,
  status: string,
  ctx: FlowContext,
): TransitionResult {
  const flow = state.flow;
  if (state.step.name !== 'booking' || !flow?.offer || !flow.slot) return stay(state);
  const record: BookingRecord = {
    bookingId,
    ...(state.studio === undefined ? {} : { studio: state.studio }),
    status,
    choice: choiceKey(flow.offer, flow.slot.slot),
    startMin: flow.slot.slot.startMin,
  };
  const updated: FlowData = { ...flow, bookingId };
  const notice: Effect = {
    type: 'notifyStaff',
    notice: { kind: 'booked', ...noticeBase(updated, ctx), status, bookingId },
  };
  const title = flow.offer.title;
  const args = { offer: title, ...chosenSlotArgs(flow, ctx) };

  if (status === 'BOOKED_WITH_CONFIRMATION_REQUIRED') {
    const term = flow.config?.confirmationTerm;
    const deadline = term
      ? confirmationDeadline(ctx.now, term as TermWithMinutes, zoneOf(flow, ctx))
      : undefined;
    if (deadline !== undefined) {
      record.deadlineMin = toEpochMinutes(deadline);
      record.deadlineAt = deadline;
    }
    const withRecord = { ...state, bookings: addRecord(state.bookings, record) };
    const next = enter(withRecord, { name: 'awaitingConfirmation', bookingId }, updated);
    const zone = zoneOf(flow, ctx);
    const message =
      deadline === undefined
        ? text('booking-confirm-required-no-deadline', args)
        : text('booking-confirm-required', { ...args, ...deadlineArgs(deadline, zone, ctx.locale) });
    return {
      state: next,
      // Reminders first: the state recording the booking is saved, and a crash while the messages
      // go out must not lose them.
      effects: [
        ...reminderEffects(record, updated, ctx),
        reply(view([message], { type: 'inline', rows: [[confirmButton(record)]] })),
        notice,
      ],
    };
  }

  const next = enter({ ...state, bookings: addRecord(state.bookings, record) }, { name: 'done' }, updated);
  const rows = { type: 'inline' as const, rows: [bookAnotherRow()] };
  switch (status) {
    case 'BOOKED':
      return {
        state: next,
        effects: [
          ...reminderEffects(record, updated, ctx),
          reply(view(successParts(flow, ctx), rows)),
          ...bookedExtras(updated, bookingId, ctx),
          notice,
        ],
      };
    case 'WAITING_LIST':
      return {
        state: next,
        effects: [
          reply(view([text('booking-waiting-list', args), text('booking-waiting-list-contact')], rows)),
          notice,
        ],
      };
    case 'CANCELED':
      return {
        state: next,
        effects: [
          reply(view([text('booking-canceled')], { type: 'inline', rows: [otherOffersRow(next.rev)] })),
          notice,
        ],
      };
    default:
      return {
        state: next,
        effects: [reply(view([text('booking-unknown-status'), ...contactParts(ctx.studio)], rows)), notice],
      };
  }
}

/** The booking this user already has for an offer + slot, if any. */
export function existingBooking(state: State, offer: OfferRef, slot: SlotRef): BookingRecord | undefined {
  const choice = choiceKey(offer, slot);
  return state.bookings.find(
    (b) =>
      b.choice === choice && b.studio === state.studio && b.status !== 'CANCELED' && b.status !== 'EXPIRED',
  );
}

/** Answers a second "book" for a choice that is already booked, instead of booking again. */
export function existingBookingView(
  record: BookingRecord,
  flow: FlowData | undefined,
  ctx: FlowContext,
): View {
  const args = recordSlotArgs(record, flow, ctx);
  const message =
    record.status === 'WAITING_LIST'
      ? text('booking-existing-waiting-list', args)
      : text('booking-existing', args);
  return awaitingTap.has(record.status)
    ? view([message], { type: 'inline', rows: [[confirmButton(record)]] })
    : view([message]);
}

/** The toast for a repeated "Book now": the booking that exists, without a second message. */
export function existingBookingToast(
  record: BookingRecord,
  flow: FlowData | undefined,
  ctx: FlowContext,
): Text {
  const args = recordSlotArgs(record, flow, ctx);
  if (record.status === 'WAITING_LIST') return text('booking-existing-waiting-list', args);
  if (awaitingTap.has(record.status)) return text('booking-existing-confirm', args);
  return text('booking-existing', args);
}

/**
 * What /forget says about bookings still waiting for their confirm tap: they stay at the studio,
 * the bot can no longer confirm them, and how to reach the studio.
 */
export function unconfirmedBookingsNotice(state: State, ctx: FlowContext): Effect[] {
  const waiting = state.bookings.filter(
    (b) => awaitingTap.has(b.status) && (b.deadlineMin === undefined || ctx.now <= b.deadlineMin * 60_000),
  );
  if (waiting.length === 0) return [];
  const lines = waiting.map((b) => text('forget-pending-booking', recordSlotArgs(b, state.flow, ctx)));
  return [reply(view([...lines, ...contactParts(ctx.studio)]))];
}

function recordSlotArgs(record: BookingRecord, flow: FlowData | undefined, ctx: FlowContext) {
  const startMs = record.startMin * 60_000;
  const zone = zoneOf(flow, ctx);
  return { date: formatLongDate(startMs, zone, ctx.locale), time: formatTime(startMs, zone, ctx.locale) };
}

/** The confirmation view again (a text typed while it waits for the tap). */
export function confirmationReminder(state: State, bookingId: number, ctx: FlowContext): TransitionResult {
  const record = recordOf(state, bookingId);
  if (!record) return stay(state);
  return stay(state, [reply(existingBookingView(record, state.flow, ctx))]);
}

/** The offer of a booking record's choice (`offerCode` + ':' + slot key). */
function offerOfChoice(choice: string): OfferRef | undefined {
  return parseOfferCode(choice.split(':')[0]);
}

function expiredView(record: BookingRecord): View {
  const offer = offerOfChoice(record.choice);
  return view(
    [text('confirm-expired')],
    offer
      ? { type: 'inline', rows: [[button(text('button-book-again'), { action: 'bookAgain', offer })]] }
      : undefined,
  );
}

function leaveConfirmationStep(state: State, bookingId: number): State {
  return state.step.name === 'awaitingConfirmation' && state.step.bookingId === bookingId
    ? enter(state, { name: 'done' })
    : state;
}

/**
 * A tap on "Confirm booking". Only bookings in this user's own state can be confirmed, and only
 * with the deadline the button was made with; a repeated tap is answered from the record.
 */
export function onConfirmTap(
  current: State,
  data: Extract<CallbackData, { action: 'confirm' }>,
  ctx: FlowContext,
): TransitionResult {
  const record = current.bookings.find(
    (b) => b.bookingId === data.bookingId && (b.deadlineMin ?? 0) === data.deadlineMin,
  );
  if (!record) return stay(current, [answer(text('confirm-not-yours'), true)]);
  // The confirmation goes to the booking's studio, which the conversation is at from now on.
  const state = atStudio(current, record.studio);
  switch (record.status) {
    case 'CONFIRMED':
      return stay(state, [answer(text('confirm-already-confirmed'))]);
    case 'CONFIRMING':
      // The chat's updates run one at a time, so a confirm still under way lost its answer. Confirming
      // is safe to repeat, and only the studio knows whether it arrived before the deadline.
      return {
        state,
        effects: [
          answer(text('confirm-in-progress')),
          { type: 'call', call: { name: 'confirm', bookingId: record.bookingId } },
        ],
      };
    case 'EXPIRED':
      return stay(state, [answer(), reply(expiredView(record))]);
    case 'BOOKED_WITH_CONFIRMATION_REQUIRED':
      break;
    default:
      return stay(state, [answer(text('confirm-not-yours'), true)]);
  }
  if (record.deadlineMin !== undefined && ctx.now > record.deadlineMin * 60_000) {
    const expired = leaveConfirmationStep(updateRecord(state, record.bookingId, 'EXPIRED'), record.bookingId);
    return {
      state: expired,
      effects: [
        answer(),
        edit(expiredView(record)),
        { type: 'cancelReminders', bookingId: record.bookingId, studio: record.studio },
        {
          type: 'notifyStaff',
          notice: {
            kind: 'expired',
            ...noticeBase(state.flow?.bookingId === record.bookingId ? state.flow : undefined, ctx),
            bookingId: record.bookingId,
            status: 'EXPIRED',
          },
        },
      ],
    };
  }
  return {
    state: updateRecord(state, record.bookingId, 'CONFIRMING'),
    effects: [answer(), { type: 'call', call: { name: 'confirm', bookingId: record.bookingId } }],
  };
}

export function onConfirmed(
  state: State,
  bookingId: number,
  status: string,
  ctx: FlowContext,
): TransitionResult {
  const record = recordOf(state, bookingId);
  if (!record) return stay(state);
  const flow = state.flow?.bookingId === bookingId ? state.flow : undefined;
  const notice = (kind: 'confirmed' | 'expired'): Effect => ({
    type: 'notifyStaff',
    notice: { kind, ...noticeBase(flow, ctx), bookingId, status },
  });
  if (status === 'CONFIRMED') {
    const next = leaveConfirmationStep(updateRecord(state, bookingId, 'CONFIRMED'), bookingId);
    const parts = flow
      ? [
          text('confirm-done', { offer: flow.offer?.title ?? '', ...chosenSlotArgs(flow, ctx) }),
          ...placeParts(flow, ctx),
        ]
      : [text('confirm-done-short')];
    const extras = flow ? bookedExtras(flow, bookingId, ctx) : [];
    return {
      state: next,
      effects: [
        edit(view(parts)),
        ...extras,
        notice('confirmed'),
        { type: 'bookingConfirmed', bookingId, studio: record.studio },
      ],
    };
  }
  if (status === 'EXPIRED') {
    const next = leaveConfirmationStep(updateRecord(state, bookingId, 'EXPIRED'), bookingId);
    return {
      state: next,
      effects: [
        edit(expiredView(record)),
        { type: 'cancelReminders', bookingId, studio: record.studio },
        notice('expired'),
      ],
    };
  }
  // An answer this code does not know: leave the booking confirmable and point to the studio.
  const next = updateRecord(state, bookingId, 'BOOKED_WITH_CONFIRMATION_REQUIRED');
  return {
    state: next,
    effects: [
      reply(
        view([text('confirm-unknown-status'), ...contactParts(ctx.studio)], {
          type: 'inline',
          rows: [[confirmButton(record)]],
        }),
      ),
    ],
  };
}

/**
 * The confirm call failed: the booking stays confirmable and the button comes back as "try again".
 * When the answer was lost, the record stays CONFIRMING, so the next tap sends the confirmation
 * again even past the deadline (it may have arrived in time), and staff are told.
 */
export function onConfirmFailed(
  state: State,
  event: Extract<ApiEvent, { type: 'callFailed' }>,
  ctx: FlowContext,
): TransitionResult {
  if (event.call.name !== 'confirm') return stay(state);
  const { bookingId } = event.call;
  const record = recordOf(state, bookingId);
  if (!record) return stay(state);
  if (event.outcome === 'unknown') {
    const flow = state.flow?.bookingId === bookingId ? state.flow : undefined;
    return {
      state,
      effects: [
        reply(view([text('confirm-outcome-unknown')], { type: 'inline', rows: [[confirmButton(record)]] })),
        {
          type: 'notifyStaff',
          notice: {
            kind: 'confirmUnknown',
            ...noticeBase(flow, ctx),
            bookingId,
            telegramUserId: ctx.user.id,
          },
        },
      ],
    };
  }
  const temporary = event.temporary;
  const next = updateRecord(state, bookingId, 'BOOKED_WITH_CONFIRMATION_REQUIRED');
  const restored = { ...record, status: 'BOOKED_WITH_CONFIRMATION_REQUIRED' };
  return {
    state: next,
    effects: [
      reply(
        view([failureText(temporary, hasEntered(state.flow))], {
          type: 'inline',
          rows: [[confirmButton(restored)]],
        }),
      ),
    ],
  };
}
