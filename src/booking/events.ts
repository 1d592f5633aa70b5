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
  /** `/language`, optionally with a language code (`/language de`). */
  | { type: 'language'; locale?: string | undefined }
  | { type: 'text'; text: string }
  /** A shared contact; `userId` is the contact's Telegram user id when it has one. */
  | { type: 'contact'; phoneNumber: string; userId?: number | undefined }
  | { type: 'nonText'; kind: NonTextKind }
  /** The Skip button of a reply keyboard (see `Keyboard` `shareContact`). */
  | { type: 'skip' }
  /** A button tap: `parseCallbackData(query.data)`, `undefined` when it did not parse. */
  | { type: 'callback'; data: CallbackData | undefined };

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
   */
  | { type: 'callFailed'; call: ApiCall; temporary: boolean };

export type BookingEvent = UserEvent | ApiEvent;
