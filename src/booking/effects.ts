/**
 * What the flow asks its adapter to do. The flow never talks to Telegram or the studio itself: it
 * returns effects, the adapter carries them out in order and feeds API results back as events.
 */
import type { SupportedLocale } from '../config.ts';
import type {
  AppointmentBookingRequest,
  AppointmentBookingResult,
  AppointmentBookingValidationStatus,
  AppointmentSlot,
  BookableTrialOfferAppointment,
  BookingConfirmationResult,
  ClassBookingRequest,
  ClassBookingResult,
  ClassBookingValidationStatus,
  ClassSlot,
  LeadCreationRequest,
  LeadCreationResult,
  LeadValidationResult,
  TrialOfferClass,
  TrialOfferConfig,
} from '../perfectgym/schemas.ts';
import type { Reminder, ReminderKind } from '../reminders/reminder.ts';
import type { BookingEvent, TimerEvent } from './events.ts';
import type { LeadFieldName } from './lead-fields.ts';
import type { Text } from './messages.ts';
import type { OfferType } from './offer-kind.ts';

/**
 * One studio call. Names match `src/perfectgym/endpoints.ts` except `offers`, which is both offer
 * lists (classes and appointments, all slices); `offers` and `config` are answered from the
 * adapter's shared cache.
 */
export type ApiCall =
  | { name: 'offers' }
  | { name: 'config'; configId: number }
  /**
   * Slot lists. `fresh` marks the re-check just before a lead is created or a booking made: it
   * must reach the studio. Other slot lists may come from a short shared cache, since every
   * prospect looking at the same class sees the same list.
   */
  | { name: 'classSlots'; classId: number; fresh?: true }
  | {
      name: 'appointmentSlots';
      fresh?: true;
      bookableAppointmentId: number;
      /** yyyy-MM-dd in the studio's zone, never before today. */
      slotWindowStartDate: string;
      /** 1 to 6. */
      daysAhead: number;
      customerId?: number;
    }
  | { name: 'leadValidate'; request: LeadCreationRequest }
  | { name: 'leadCreate'; request: LeadCreationRequest }
  | { name: 'classBookingValidate'; request: ClassBookingRequest }
  | { name: 'appointmentBookingValidate'; request: AppointmentBookingRequest }
  | { name: 'classBook'; request: ClassBookingRequest }
  | { name: 'appointmentBook'; request: AppointmentBookingRequest }
  | { name: 'confirm'; bookingId: number };

export type ApiCallName = ApiCall['name'];
export type SlotsCall = Extract<ApiCall, { name: 'classSlots' | 'appointmentSlots' }>;

/** What each call returns on success (the client's and the catalog's return types). */
export interface ApiCallResults {
  offers: {
    classes: TrialOfferClass[];
    appointments: BookableTrialOfferAppointment[];
    /** Configs whose `allowBookingForLeads` is false: their offers are left out of the list. */
    closedConfigIds?: number[] | undefined;
  };
  config: TrialOfferConfig;
  classSlots: ClassSlot[];
  appointmentSlots: AppointmentSlot[];
  leadValidate: LeadValidationResult;
  leadCreate: LeadCreationResult;
  classBookingValidate: { validationStatus: ClassBookingValidationStatus };
  appointmentBookingValidate: { validationStatus: AppointmentBookingValidationStatus };
  classBook: ClassBookingResult;
  appointmentBook: AppointmentBookingResult;
  confirm: BookingConfirmationResult;
}

/**
 * The event that reports a successful call back to the flow, so the adapter needs no per-call
 * code beyond executing it: `transition(state, resultEvent(call, await execute(call)), context)`.
 */
export function resultEvent<C extends ApiCall>(call: C, result: ApiCallResults[C['name']]): BookingEvent {
  const r = result as ApiCallResults[ApiCallName];
  switch (call.name) {
    case 'offers': {
      const { classes, appointments, closedConfigIds } = r as ApiCallResults['offers'];
      return closedConfigIds?.length
        ? { type: 'offersLoaded', classes, appointments, closedConfigIds }
        : { type: 'offersLoaded', classes, appointments };
    }
    case 'config':
      return { type: 'configLoaded', config: r as TrialOfferConfig };
    case 'classSlots':
      return { type: 'slotsLoaded', loaded: { type: 'class', slots: r as ClassSlot[] } };
    case 'appointmentSlots':
      return { type: 'slotsLoaded', loaded: { type: 'appointment', slots: r as AppointmentSlot[] } };
    case 'leadValidate':
      return { type: 'leadValidated', status: (r as LeadValidationResult).validationStatus };
    case 'leadCreate':
      return { type: 'leadCreated', leadId: (r as LeadCreationResult).leadCustomerId };
    case 'classBookingValidate':
    case 'appointmentBookingValidate':
      return { type: 'bookingValidated', status: (r as { validationStatus: string }).validationStatus };
    case 'classBook':
    case 'appointmentBook': {
      const booked = r as ClassBookingResult | AppointmentBookingResult;
      return { type: 'booked', bookingId: booked.bookingId, status: booked.bookingStatus };
    }
    case 'confirm':
      return {
        type: 'confirmed',
        bookingId: call.bookingId,
        status: (r as BookingConfirmationResult).status,
      };
  }
}

/** A button under a message. `data` is finished callback data (see callback-data.ts). */
export interface InlineButton {
  text: Text;
  data: string;
}

export type Keyboard =
  | { type: 'inline'; rows: InlineButton[][] }
  /**
   * A reply keyboard with a "share my contact" button (`request_contact`) and, for an optional
   * phone number, a Skip button: when the user sends exactly the rendered Skip text, the adapter
   * feeds a `skip` event instead of `text`.
   */
  | { type: 'shareContact'; share: Text; skip?: Text | undefined }
  /** Removes a reply keyboard shown earlier. */
  | { type: 'removeReplyKeyboard' };

/** A message: its lines (one Fluent message each, joined with line breaks) and its keyboard. */
export interface View {
  parts: Text[];
  keyboard?: Keyboard | undefined;
}

export interface Venue {
  latitude: number;
  longitude: number;
  title: string;
  address: string;
}

/**
 * What checking a lost answer found: the studio holds the booking or lead (`found`), it did not
 * act (`notMade`), its answer does not tell (`unclear`), or the check itself got no answer yet
 * (`unchecked`).
 */
export type LostAnswerResolution = 'found' | 'notMade' | 'unclear' | 'unchecked';

/**
 * A notice for the studio's staff chat. Names of given fields only, never their values, except
 * the e-mail address of a lead whose creation lost its answer: staff need it to find that lead,
 * and it goes to the staff chat only, never to the logs.
 */
export interface StaffNotice {
  /**
   * `bookingUnknown`, `leadUnknown`, `confirmUnknown`: a call that changes something lost its
   * answer; staff check the studio's calendar or leads.
   */
  kind:
    | 'leadCreated'
    | 'booked'
    | 'confirmed'
    | 'expired'
    /** The prospect tapped "Can't make it" on a reminder: the API has no cancel call, staff act. */
    | 'cantMake'
    | 'bookingUnknown'
    | 'leadUnknown'
    | 'confirmUnknown';
  offerType?: OfferType | undefined;
  offerId?: number | undefined;
  offerTitle?: string | undefined;
  /** Slot start as the API wrote it. */
  slotStart?: string | undefined;
  name?: string | undefined;
  givenFields?: LeadFieldName[] | undefined;
  campaign?: string | undefined;
  status?: string | undefined;
  leadId?: number | undefined;
  bookingId?: number | undefined;
  /** Unknown outcomes: who it was for, which try, what checking it found. */
  telegramUserId?: number | undefined;
  attempt?: string | undefined;
  resolution?: LostAnswerResolution | undefined;
  /** `leadUnknown` only. */
  email?: string | undefined;
}

export type Effect =
  /** Execute, then feed `resultEvent(call, result)` or a `callFailed` event back. Always the last effect. */
  | { type: 'call'; call: ApiCall }
  | { type: 'reply'; view: View }
  /** Edit the message whose button started this update (send it as new when there is none). */
  | { type: 'edit'; view: View }
  /** Answer the callback query of this update; at most one per update. */
  | { type: 'answerCallback'; text?: Text | undefined; alert?: boolean | undefined }
  /**
   * Removes the buttons under the message whose button started this update, leaving its text as a
   * record (the summary once "Book" is tapped: nothing there may be tapped again).
   */
  | { type: 'clearKeyboard' }
  | { type: 'sendCalendar'; ics: string; filename: string; caption: Text }
  /** The studio as a venue (Telegram's `sendVenue`), so the prospect can open it in a map app. */
  | { type: 'sendVenue'; venue: Venue }
  /** Store the lead id for this Telegram user in the long-lived lead store. */
  | { type: 'rememberLead'; leadId: number }
  /** Drop the stored lead id of this user: the studio no longer knows that customer. */
  | { type: 'forgetLead' }
  /**
   * Feed `event` back for this user after `afterMs`, through the chat lock and session like an
   * update (best effort: lost on restart; the flow checks the event's revision, so a stale one is
   * ignored). A newer `later` for the same user replaces it.
   */
  | { type: 'later'; afterMs: number; event: TimerEvent }
  /**
   * Store for this Telegram user that the studio holds a lead of theirs whose id the bot never
   * learned (its creation lost its answer): no second lead is ever created for them.
   */
  | { type: 'rememberLeadWithoutId' }
  /** Delete everything stored about this user: lead id, conversation state, any per-user records. */
  | { type: 'forgetUser' }
  /**
   * `studio`: the booking's studio of a chain when the flow knows it (`null`: the first); else
   * the staff of the booking recorded with the notice's booking id, or of the conversation's studio.
   */
  | { type: 'notifyStaff'; notice: StaffNotice; studio?: string | null }
  /**
   * Hand these reminders (see `planReminders`) to the scheduler, after the state that records
   * their booking is saved. Idempotent: a replayed step schedules nothing twice.
   */
  | { type: 'scheduleReminders'; reminders: Reminder[] }
  /** Drop this booking's pending reminders (all, or only `kinds`). */
  | {
      type: 'cancelReminders';
      bookingId: number;
      /** The chain studio the booking is at (its record's); absent: the first studio. */
      studio?: string | undefined;
      /** The booking's record is gone, so its studio is unknown: its reminders at any studio. */
      anyStudio?: true | undefined;
      kinds?: ReminderKind[] | undefined;
    }
  /** The booking was confirmed: its nudges and lapse notice are dropped, its slot reminders stay. */
  | { type: 'bookingConfirmed'; bookingId: number; studio?: string | undefined }
  /** Switch this user's reminders on or off (off also drops every one still pending). */
  | { type: 'setReminders'; enabled: boolean }
  /** Use this locale for this user from now on, including for the views that follow. */
  | { type: 'setLocale'; locale: SupportedLocale };
