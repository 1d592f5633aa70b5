/**
 * After the booking: which reminders a booking gets (planned here, scheduled by the adapter), the
 * reminder buttons ("I'll be there", "Can't make it", "No more reminders"), `/reminders`, and the
 * lapse of a booking nobody confirmed. The reminder messages themselves are rendered when they are
 * sent (src/bot/reminders.ts), in the prospect's language of that moment.
 */
import { planReminders, type ReminderPayload } from '../reminders/reminder.ts';
import type { CallbackData } from './callback-data.ts';
import { deadlineArgs, toEpochMinutes } from './confirmation-deadline.ts';
import type { FlowContext } from './context.ts';
import type { Effect, StaffNotice, Venue, View } from './effects.ts';
import type { ReminderEvent } from './events.ts';
import { studioVenue } from './flow-booking.ts';
import { answer, enter, noticeBase, reply, stay, type TransitionResult } from './flow-kit.ts';
import { formatLongDate, formatTime } from './format.ts';
import { type Text, text } from './messages.ts';
import { offerCode, parseOfferCode } from './offer-kind.ts';
import type { BookingRecord, FlowData, State } from './state.ts';
import { button, contactParts, studioAddress, view, zoneOf } from './views.ts';

/** What a reminder message needs besides the booking id and times; no e-mail, phone or name. */
export interface SlotReminderPayload {
  offer: string;
  /** `offerCode` of the booked offer, for "Book again" / "Book another time". */
  offerCode: string;
  /** The studio's zone the times are shown in. */
  zone: string;
  room?: string;
  /** The confirmation deadline, epoch ms (the confirm button carries it in minutes, rounded up). */
  deadlineAt?: number;
  /** The chain studio the booking is at (its address and map pin go with the reminder); absent: the first. */
  studio?: string;
}

/** Statuses of a booking that gets slot reminders once made (a confirmation-required one once confirmed). */
const remindedStatuses = new Set(['BOOKED', 'BOOKED_WITH_CONFIRMATION_REQUIRED']);

/**
 * A booking's reference in its reminders (and so in their ids): the booking id, after its chain
 * studio's id where it has one (`hamburg_7001`), since each studio counts its booking ids on its own
 * and two bookings of one prospect at two studios may share one. Studio ids never hold `_`.
 */
export function bookingRefOf(bookingId: number, studio: string | undefined): string {
  return studio === undefined ? String(bookingId) : `${studio}_${bookingId}`;
}

/** The booking a reminder's reference names (see {@link bookingRefOf}); `undefined` if unreadable. */
export function bookingOfRef(ref: string): { bookingId: number; studio?: string } | undefined {
  const match = /^(?:([a-z0-9-]{1,16})_)?(\d{1,15})$/.exec(ref);
  if (!match) return undefined;
  const bookingId = Number(match[2]);
  return match[1] === undefined ? { bookingId } : { bookingId, studio: match[1] };
}

/** The effect that schedules a fresh booking's reminders, when it gets any. */
export function reminderEffects(record: BookingRecord, flow: FlowData, ctx: FlowContext): Effect[] {
  // From the stored record, so that planning again after a crash (see `rescheduleAfterCrash`)
  // gives the very same reminder ids.
  const deadlineAt =
    record.deadlineAt ?? (record.deadlineMin === undefined ? undefined : record.deadlineMin * 60_000);
  if (!ctx.reminders || ctx.remindersOff || !flow.offer || !remindedStatuses.has(record.status)) return [];
  const payload: ReminderPayload = {
    offer: flow.offer.title,
    offerCode: offerCode(flow.offer),
    zone: zoneOf(flow, ctx),
    ...(flow.slot?.location ? { room: flow.slot.location } : {}),
    ...(deadlineAt !== undefined ? { deadlineAt } : {}),
    ...(record.studio !== undefined ? { studio: record.studio } : {}),
  } satisfies SlotReminderPayload;
  const reminders = planReminders(
    {
      userId: ctx.user.id,
      // Private chats only: the chat id is the user's id.
      chatId: ctx.user.id,
      bookingRef: bookingRefOf(record.bookingId, record.studio),
      bookedAt: ctx.now,
      slotStartAt: record.startMin * 60_000,
      ...(record.status === 'BOOKED_WITH_CONFIRMATION_REQUIRED' && deadlineAt !== undefined
        ? { confirmationDeadlineAt: deadlineAt }
        : {}),
      payload,
    },
    ctx.reminders,
  );
  return reminders.length > 0 ? [{ type: 'scheduleReminders', reminders }] : [];
}

/**
 * The update that recorded a booking died before it was done (its question is not marked seen):
 * the reminders may not have been scheduled. They are planned again from the stored record; the
 * same ids make that harmless where they were. Points past by now are left out.
 */
export function rescheduleAfterCrash(state: State, ctx: FlowContext): Effect[] {
  const flow = state.flow;
  const newest = state.bookings.at(-1);
  if (!flow?.bookingId || newest?.bookingId !== flow.bookingId) return [];
  return reminderEffects(newest, flow, ctx);
}

function withAttendance(state: State, bookingId: number, attendance: 'yes' | 'no'): State {
  return {
    ...state,
    bookings: state.bookings.map((b) => (b.bookingId === bookingId ? { ...b, attendance } : b)),
  };
}

/** The reminder buttons and `/reminders`; the booking buttons are owner-checked like confirm. */
export function onReminderTap(
  state: State,
  data: Extract<CallbackData, { action: 'attend' | 'cantMake' | 'stopReminders' }>,
  ctx: FlowContext,
): TransitionResult {
  if (data.action === 'stopReminders') return setReminders(state, false, [answer()]);
  const record = state.bookings.find(
    (b) =>
      b.bookingId === data.bookingId && (data.studio === undefined || (b.studio ?? null) === data.studio),
  );
  if (!record) {
    // The conversation that recorded it has expired since; the bot's own button still proves it.
    return ctx.buttonOnOwnMessage
      ? unrecordedTap(state, data, ctx)
      : stay(state, [answer(text('confirm-not-yours'), true)]);
  }
  if (data.action === 'attend') {
    return {
      state: withAttendance(state, record.bookingId, 'yes'),
      effects: [answer(text('reminder-attend-thanks'))],
    };
  }
  if (record.attendance === 'no') return stay(state, [answer(text('reminder-cant-make-already'))]);
  const flow = state.flow?.bookingId === record.bookingId ? state.flow : undefined;
  const offer = parseOfferCode(record.choice.split(':')[0]);
  const base = noticeBase(flow, ctx);
  const name = base.name ?? [ctx.user.firstName, ctx.user.lastName].filter(Boolean).join(' ');
  return {
    state: withAttendance(state, record.bookingId, 'no'),
    effects: [
      answer(),
      { type: 'cancelReminders', bookingId: record.bookingId, studio: record.studio },
      {
        type: 'notifyStaff',
        studio: record.studio ?? null,
        notice: {
          kind: 'cantMake',
          ...base,
          slotStart: base.slotStart ?? new Date(record.startMin * 60_000).toISOString(),
          ...(name ? { name } : {}),
          bookingId: record.bookingId,
          telegramUserId: ctx.user.id,
        },
      },
      reply(
        view(
          [text('reminder-cant-make-done'), ...contactParts(ctx.studio)],
          offer
            ? {
                type: 'inline',
                rows: [[button(text('button-book-another-time'), { action: 'bookAgain', offer })]],
              }
            : undefined,
        ),
      ),
    ],
  };
}

/** A reminder button of a booking this conversation no longer holds (it expired since). */
function unrecordedTap(
  state: State,
  data: Extract<CallbackData, { action: 'attend' | 'cantMake' }>,
  ctx: FlowContext,
): TransitionResult {
  if (data.action === 'attend') return stay(state, [answer(text('reminder-attend-thanks'))]);
  const name = [ctx.user.firstName, ctx.user.lastName].filter(Boolean).join(' ');
  // A button naming its studio says whose reminders to cancel; an older one, any studio's.
  const cancel: Effect =
    data.studio === undefined
      ? { type: 'cancelReminders', bookingId: data.bookingId, anyStudio: true }
      : { type: 'cancelReminders', bookingId: data.bookingId, studio: data.studio ?? undefined };
  return stay(state, [
    answer(),
    cancel,
    {
      type: 'notifyStaff',
      ...(data.studio === undefined ? {} : { studio: data.studio }),
      notice: {
        kind: 'cantMake',
        ...(name ? { name } : {}),
        bookingId: data.bookingId,
        telegramUserId: ctx.user.id,
      },
    },
    reply(
      view([text('reminder-cant-make-done'), ...contactParts(ctx.studio)], {
        type: 'inline',
        rows: [[button(text('button-book-another-time'), { action: 'restart' })]],
      }),
    ),
  ]);
}

/** `/reminders` switches them off, or on again. */
export function onRemindersCommand(state: State, ctx: FlowContext): TransitionResult {
  return setReminders(state, ctx.remindersOff === true, []);
}

function setReminders(state: State, enabled: boolean, before: Effect[]): TransitionResult {
  return stay(state, [
    ...before,
    { type: 'setReminders', enabled },
    reply(view([text(enabled ? 'reminders-on' : 'reminders-off')])),
  ]);
}

/**
 * The lapse notice reached the prospect: a booking still waiting for its confirmation is recorded
 * as lapsed (its slot reminders dropped) and staff are told. The bot never confirms by itself.
 */
export function onLapsed(state: State, event: ReminderEvent, ctx: FlowContext): TransitionResult {
  const { bookingId } = event;
  const record =
    state.bookings.find((b) => b.bookingId === bookingId && b.studio === event.studio) ??
    // A reminder of a release whose references were the bare booking id at every studio.
    (event.studio === undefined ? state.bookings.find((b) => b.bookingId === bookingId) : undefined);
  if (!record) {
    // The conversation expired since; the scheduler drops a lapse notice on confirmation, so it is unconfirmed.
    const notice: StaffNotice = {
      kind: 'expired',
      offerTitle: event.offer,
      slotStart: new Date(event.slotStartAt).toISOString(),
      bookingId,
      status: 'EXPIRED',
      telegramUserId: ctx.user.id,
    };
    return stay(state, [{ type: 'notifyStaff', notice }]);
  }
  if (record.status !== 'BOOKED_WITH_CONFIRMATION_REQUIRED') return stay(state);
  const bookings = state.bookings.map((b) => (b.bookingId === bookingId ? { ...b, status: 'EXPIRED' } : b));
  const expired: State = { ...state, bookings };
  const next =
    state.step.name === 'awaitingConfirmation' && state.step.bookingId === bookingId
      ? enter(expired, { name: 'done' })
      : expired;
  const flow = state.flow?.bookingId === bookingId ? state.flow : undefined;
  return {
    state: next,
    effects: [
      { type: 'cancelReminders', bookingId, studio: record.studio },
      {
        type: 'notifyStaff',
        notice: { kind: 'expired', ...noticeBase(flow, ctx), bookingId, status: 'EXPIRED' },
      },
    ],
  };
}

/** A reminder as the scheduler hands it over, as far as its message needs. */
export interface ReminderToShow {
  kind: 'confirmation_nudge' | 'lapse_notice' | 'slot_reminder';
  bookingRef: string;
  slotStartAt: number;
  payload: Readonly<Record<string, string | number | boolean | null>>;
}

function payloadOf(reminder: ReminderToShow): SlotReminderPayload | undefined {
  const { offer, offerCode: code, zone, room, deadlineAt } = reminder.payload;
  if (typeof offer !== 'string' || typeof code !== 'string' || typeof zone !== 'string') return undefined;
  return {
    offer,
    offerCode: code,
    zone,
    ...(typeof room === 'string' ? { room } : {}),
    ...(typeof deadlineAt === 'number' ? { deadlineAt } : {}),
  };
}

/**
 * The message of a due reminder, in `locale` (the prospect's language when it is sent), times in
 * the studio's zone (so a DST change between booking and slot shows the slot's own local time);
 * `undefined` when its payload cannot be read (nothing sensible to say).
 */
export function reminderView(
  reminder: ReminderToShow,
  locale: FlowContext['locale'],
  studio: FlowContext['studio'],
): { view: View; venue?: Venue | undefined } | undefined {
  const payload = payloadOf(reminder);
  const booking = bookingOfRef(reminder.bookingRef);
  const bookingId = booking?.bookingId;
  if (!payload || bookingId === undefined || !Number.isSafeInteger(bookingId)) return undefined;
  // Two studios of a chain may give one prospect the same booking id: the buttons name the studio.
  const studioOfBooking = booking?.studio ?? null;
  const slot = {
    offer: payload.offer,
    date: formatLongDate(reminder.slotStartAt, payload.zone, locale),
    time: formatTime(reminder.slotStartAt, payload.zone, locale),
  };
  const stopRow = [button(text('button-no-more-reminders'), { action: 'stopReminders' })];
  const offer = parseOfferCode(payload.offerCode);
  switch (reminder.kind) {
    case 'confirmation_nudge': {
      if (payload.deadlineAt === undefined) return undefined;
      const deadlineMin = toEpochMinutes(payload.deadlineAt);
      const deadline = deadlineArgs(payload.deadlineAt, payload.zone, locale);
      return {
        view: view([text('reminder-confirm-nudge', { ...slot, ...deadline })], {
          type: 'inline',
          rows: [[button(text('button-confirm'), { action: 'confirm', bookingId, deadlineMin })], stopRow],
        }),
      };
    }
    case 'lapse_notice':
      return {
        view: view([text('reminder-lapsed', slot)], {
          type: 'inline',
          rows: [
            ...(offer ? [[button(text('button-book-again'), { action: 'bookAgain', offer })]] : []),
            stopRow,
          ],
        }),
      };
    case 'slot_reminder': {
      const parts: Text[] = [text('reminder-slot', slot)];
      if (payload.room) parts.push(text('reminder-slot-room', { room: payload.room }));
      const address = studioAddress(studio);
      if (address) parts.push(text('reminder-slot-address', { address }));
      const keyboard = {
        type: 'inline' as const,
        rows: [
          [
            button(text('button-attend'), { action: 'attend', bookingId, studio: studioOfBooking }),
            button(text('button-cant-make-it'), { action: 'cantMake', bookingId, studio: studioOfBooking }),
          ],
          stopRow,
        ],
      };
      // The studio as a map pin too, so the prospect can find the way from the reminder.
      return { view: view(parts, keyboard), venue: studioVenue({ studio }) };
    }
  }
}
