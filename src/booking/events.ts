/**
 * Everything that can happen to a booking conversation: what the user does (as the adapter reads
 * it from a Telegram update) and what the studio answered to a call the flow asked for.
 */
import type {
  BookableTrialOfferAppointment,
  TrialOfferClass,
  TrialOfferConfig,
} from '../perfectgym/schemas.ts';
import type { CallbackData } from './callback-data.ts';
import type { ApiCall } from './effects.ts';
import type { LoadedSlots } from './offer-kind.ts';

/** Kinds of non-text messages, for the "please type it" hint. */
export type NonTextKind = 'photo' | 'sticker' | 'voice' | 'video' | 'document' | 'location' | 'other';

export type UserEvent =
  /** `/start`, with the deep-link payload when there is one. */
  | { type: 'start'; payload?: string | undefined }
  | { type: 'help' }
  | { type: 'cancel' }
  | { type: 'forget' }
  /** `/reminders`: switches this user's reminders off, or on again. */
  | { type: 'reminders' }
  /** `/language`, optionally with a language code (`/language de`). */
  | { type: 'language'; locale?: string | undefined }
  | { type: 'text'; text: string }
  /** A shared contact; `userId` is the contact's Telegram user id when it has one. */
  | { type: 'contact'; phoneNumber: string; userId?: number | undefined }
  | { type: 'nonText'; kind: NonTextKind }
  /** The Skip button of a reply keyboard (see `Keyboard` `shareContact`). */
  | { type: 'skip' }
  /** A button tap: `parseCallbackData(query.data)`, `undefined` when it did not parse. */
  | { type: 'callback'; data: CallbackData | undefined }
  /**
   * The same update again after its handling died with the process: it is not applied twice, the
   * flow carries on instead (the question the prospect has not seen, or the interrupted studio call).
   */
  | { type: 'resume' };

export type ApiEvent =
  | {
      type: 'offersLoaded';
      classes: TrialOfferClass[];
      appointments: BookableTrialOfferAppointment[];
      /** Configs leads may not book online: listed never, explained when linked to. */
      closedConfigIds?: number[] | undefined;
    }
  | { type: 'configLoaded'; config: TrialOfferConfig }
  | { type: 'slotsLoaded'; loaded: LoadedSlots }
  | { type: 'leadValidated'; status: string }
  | { type: 'leadCreated'; leadId: number | undefined }
  | { type: 'bookingValidated'; status: string }
  | { type: 'booked'; bookingId: number; status: string }
  | { type: 'confirmed'; bookingId: number; status: string }
  /**
   * The call produced no result. `temporary`: worth trying again soon (network, timeout, 429, 5xx;
   * `isTemporary` in src/perfectgym/errors.ts); otherwise the studio refused it.
   * `outcome: 'unknown'`: a call that changes something (lead creation, booking, confirmation) may
   * have been carried out, its answer was lost (`failureOutcome` in src/perfectgym/errors.ts);
   * absent: it did not happen.
   */
  | {
      type: 'callFailed';
      call: ApiCall;
      temporary: boolean;
      outcome?: 'unknown' | undefined;
      /** The studio refuses this endpoint for this long (a 429 lockout the client knows of). */
      retryAfterMs?: number | undefined;
      /** 404 ENTITY_NOT_FOUND on a call that carries a customer id: the studio no longer knows the lead. */
      customerNotFound?: boolean | undefined;
    };

/** What the adapter feeds back when a `later` effect's time has come. */
export type TimerEvent =
  /** The lockout of the step with this revision has passed: repeat its call (if still at that step). */
  { type: 'retryDue'; rev: number };

/**
 * What the reminder sender feeds back: the lapse notice of this booking went out. The offer's
 * title and the slot's start (epoch ms) come from the reminder, for a conversation that no longer
 * holds the booking (it expired since).
 */
export type ReminderEvent = {
  type: 'lapsed';
  bookingId: number;
  /** The chain studio of the booking (from its reminder); absent: the first studio. */
  studio?: string | undefined;
  offer: string;
  slotStartAt: number;
};

export type BookingEvent = UserEvent | ApiEvent | TimerEvent | ReminderEvent;
