/**
 * The conversation's state: which step the prospect is at, plus what they chose and typed so
 * far. It is stored as JSON per user between updates, so it stays small (under 2 KB for a whole
 * booking), carries a `version`, and is read back through {@link parseStoredState}, which migrates
 * older versions and turns anything unreadable into `undefined` (the adapter then starts the user
 * afresh) instead of throwing, like grammY's `enhanceStorage` and the conversations plugin's
 * `pinVersion`.
 */
import { z } from 'zod';
import { leadFieldModes } from '../perfectgym/schemas.ts';
import { revisionModulus } from './callback-data.ts';
import { campaignPattern } from './deep-link.ts';
import { fieldMaxLengths, leadFieldNames } from './lead-fields.ts';

export const stateVersion = 1;

/** Longest offer title kept in state (the studio's own title may be longer; the rest is cut). */
export const maxStoredTitleLength = 80;
/** Longest location name and instructor list kept for a chosen slot; longer ones are cut. */
export const maxStoredLocationLength = 60;
export const maxStoredInstructorsLength = 100;
/** Longest room description ("1. OG, links neben dem Empfang") kept for a chosen slot. */
export const maxStoredLocationNoteLength = 80;
/**
 * How many bookings are kept per user, for confirm buttons and double-tap answers. Trial offers
 * allow a prospect one or two bookings (the config's contingent), so three is plenty.
 */
export const maxBookingRecords = 3;

const int = z.number().int();
const offerType = z.enum(['class', 'appointment']);
const mode = z.enum(leadFieldModes);

const slotRefSchema = z.object({ startMin: int, durationMin: int.nonnegative(), ref: int.optional() });
const windowSchema = z.object({ fromDay: int, days: int.min(1).max(6) });

const chosenSlotSchema = z.object({
  slot: slotRefSchema,
  /** The window it was picked from: the re-check reloads it, and "pick another time" shows it. */
  window: windowSchema,
  waitingList: z.boolean(),
  /** Filled in by the re-check from a fresh slot list, just before the lead or booking calls. */
  bookable: z
    .object({
      classSlotId: int.optional(),
      startRaw: z.string().max(64),
      endRaw: z.string().max(64).optional(),
      instructorIds: z.array(int).max(10),
    })
    .optional(),
  location: z.string().max(maxStoredLocationLength).optional(),
  locationNote: z.string().max(maxStoredLocationNoteLength).optional(),
  instructors: z.string().max(maxStoredInstructorsLength).optional(),
});

const leadSchema = z.object({
  firstName: z.string().max(fieldMaxLengths.firstName).optional(),
  lastName: z.string().max(fieldMaxLengths.lastName).optional(),
  email: z.string().max(fieldMaxLengths.email).optional(),
  gender: z.string().max(16).optional(),
  dateOfBirth: z.string().max(10).optional(),
  telephone: z.string().max(16).optional(),
  street: z.string().max(fieldMaxLengths.street).optional(),
  houseNumber: z.string().max(fieldMaxLengths.houseNumber).optional(),
  zipCode: z.string().max(fieldMaxLengths.zipCode).optional(),
  city: z.string().max(fieldMaxLengths.city).optional(),
});

const flowSchema = z.object({
  campaign: z.string().regex(campaignPattern).optional(),
  offer: z
    .object({ type: offerType, id: int, configId: int, title: z.string().max(maxStoredTitleLength) })
    .optional(),
  config: z
    .object({
      id: int,
      modes: z.object({ gender: mode, dateOfBirth: mode, telephone: mode, address: mode }),
      contingent: int,
      confirmationTerm: z.object({ value: int, unit: z.string().max(16) }).optional(),
      /** `preventMultipleBookingsTerm`: how far apart two bookings of this config must be. */
      bookingTerm: z.object({ value: int, unit: z.string().max(16) }).optional(),
    })
    .optional(),
  /** The studio's IANA zone, learned from the first slot that names one. */
  zone: z.string().max(64).optional(),
  slot: chosenSlotSchema.optional(),
  lead: leadSchema,
  skipped: z.array(z.enum(leadFieldNames)),
  /** The lead this flow created or was given (context's known lead id). */
  leadId: int.optional(),
  /** The booking this flow made. */
  bookingId: int.optional(),
});

const bookingRecordSchema = z.object({
  bookingId: int,
  /** The chain studio the booking is at (its id is that studio's); absent: the first studio. */
  studio: z.string().min(1).max(16).optional(),
  /**
   * BOOKED, WAITING_LIST, BOOKED_WITH_CONFIRMATION_REQUIRED, CONFIRMING (a confirm call was sent
   * and its answer is not in: under the chat lock that means it was lost, and the next tap sends it
   * again), CONFIRMED, EXPIRED, CANCELED, or an unknown status as the studio sent it.
   */
  status: z.string().max(48),
  /** `offerCode` + ':' + `slotKey`: what was booked, to answer a second "book" tap. */
  choice: z.string().max(64),
  startMin: int,
  /** Epoch minutes; absent when the config names no confirmation term. */
  deadlineMin: int.optional(),
  /** The same deadline in epoch ms, as the reminders were planned with (so planning again gives their ids). */
  deadlineAt: int.optional(),
  /** The prospect's answer to a slot reminder: "I'll be there" or "Can't make it" (the studio was told). */
  attendance: z.enum(['yes', 'no']).optional(),
});

/** What every call that changes something at the studio carries from its intent to its resolution. */
const intentShape = {
  /** Names this try in staff notices and logs (base 36 of the moment it was made). */
  attempt: z.string().max(16).optional(),
  /** This try was made after a lost answer had been found not to have acted: none follows on its own. */
  again: z.literal(true).optional(),
};
const resolvingShape = {
  /** Staff were told that this outcome could not be checked yet. */
  notified: z.literal(true).optional(),
};

const stepSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('idle') }),
  z.object({
    name: z.literal('loadingOffers'),
    page: int.nonnegative(),
    /** Greet with the studio's name (a plain /start). */
    greet: z.boolean(),
    /** An offer to go to straight away (deep link, tapped offer, "book again"). */
    target: z
      .object({ kind: z.enum(['class', 'appointment', 'config']), id: int, configId: int.optional() })
      .optional(),
    notice: z.enum(['invalidLink']).optional(),
    /** Replace the message with the tapped button (paging) instead of sending a new one. */
    replace: z.boolean(),
  }),
  z.object({ name: z.literal('choosingOffer'), page: int.nonnegative(), configId: int.optional() }),
  z.object({ name: z.literal('loadingConfig') }),
  z.object({
    name: z.literal('loadingSlots'),
    /** Absent for the first list of a class: it starts on the first day with a free slot. */
    window: windowSchema.optional(),
    /** The day whose times to show, and the index of its first time shown (see `slotListView`). */
    day: int.optional(),
    from: int.nonnegative().optional(),
    replace: z.boolean(),
  }),
  z.object({
    name: z.literal('choosingSlot'),
    window: windowSchema,
    day: int.optional(),
    from: int.nonnegative().optional(),
  }),
  z.object({
    name: z.literal('collectingLead'),
    field: z.enum(leadFieldNames),
    /** The address is asked field by field (its one-line answer could not be read, or was refused). */
    inParts: z.literal(true).optional(),
  }),
  /** The address typed in one line was read into its parts (in the lead): "That's right?" */
  z.object({ name: z.literal('confirmingAddress') }),
  z.object({ name: z.literal('summary') }),
  /** Reloading the chosen slot's window to see it is still free, just before creating a lead or booking. */
  z.object({ name: z.literal('checkingSlot') }),
  z.object({ name: z.literal('validatingLead') }),
  /**
   * The studio's lead check with names and e-mail only, before the optional questions, so a known
   * customer hears it early (only where no other field is MANDATORY; see `checksLeadEarly`).
   */
  z.object({ name: z.literal('precheckingLead') }),
  /**
   * The lead is being created: saved before the call, so it is the stored intent (the flow's lead
   * data, for this Telegram user) whose outcome a lost answer leaves open.
   */
  z.object({ name: z.literal('creatingLead'), ...intentShape }),
  z.object({ name: z.literal('validatingBooking') }),
  /** The booking is being made (the flow's offer, slot and customer): the stored intent. */
  z.object({ name: z.literal('booking'), ...intentShape }),
  /**
   * The answer to a lead creation or booking was lost (or the process died during the call): the
   * same choice is validated again to find out whether it happened, never sent again blindly.
   */
  z.object({ name: z.literal('resolvingLead'), ...intentShape, ...resolvingShape }),
  z.object({ name: z.literal('resolvingBooking'), ...intentShape, ...resolvingShape }),
  /**
   * The validation answered a refusal our own booking would cause (NO_CONTINGENT, BOOKING_LIMIT_REACHED):
   * where the studio lists free slots only (appointments), the chosen slot still being listed means
   * nobody holds it, so the booking was not made; its absence points to our booking.
   */
  z.object({
    name: z.literal('resolvingBookingSlot'),
    status: z.string().max(64),
    ...intentShape,
    ...resolvingShape,
  }),
  z.object({ name: z.literal('awaitingConfirmation'), bookingId: int }),
  /** The flow ended (booked, or nothing bookable); the data stays for a repeated tap or a late confirm. */
  z.object({ name: z.literal('done') }),
]);

export const stateSchema = z.object({
  version: z.literal(stateVersion),
  /** Bumped on every step change; rev-bound buttons carry it (see callback-data.ts). */
  rev: int.min(0).max(revisionModulus - 1),
  step: stepSchema,
  flow: flowSchema.optional(),
  bookings: z.array(bookingRecordSchema).max(maxBookingRecords),
  /** The current step's call failed; a "try again" button is showing. */
  stalled: z.boolean().optional(),
  /**
   * Epoch ms: the studio refuses the current step's call until then (a 429 lockout); "try again"
   * waits, and the adapter repeats the step by itself once it has passed.
   */
  retryAt: int.nonnegative().optional(),
  /**
   * The calls under way were started by "try again" (kept while the flow stays in waiting steps):
   * a failure then edits that message instead of posting another.
   */
  retrying: z.boolean().optional(),
  /** The studio of a chain this conversation books at (a deep link's); absent: the first studio. */
  studio: z.string().min(1).max(16).optional(),
});

export type State = z.infer<typeof stateSchema>;
export type Step = State['step'];
export type StepName = Step['name'];
export type FlowData = NonNullable<State['flow']>;
export type ChosenSlot = NonNullable<FlowData['slot']>;
export type BookingRecord = State['bookings'][number];

/** A state at step `N` (what a waiting step's row in pipeline.ts is handed). */
export type StateAt<N extends StepName> = State & { step: Extract<Step, { name: N }> };

export function initialState(): State {
  return { version: stateVersion, rev: 0, step: { name: 'idle' }, bookings: [] };
}

export function emptyFlow(): FlowData {
  return { lead: {}, skipped: [] };
}

/** Upgrades a stored state of version `n` to version `n + 1`. */
export type StateMigration = (old: Record<string, unknown>) => Record<string, unknown>;

/**
 * Upgrades by stored version. Empty while there is only version 1; when the state's shape changes,
 * bump `stateVersion` and add the step from the previous version here, so conversations in
 * progress survive a deploy.
 */
export const stateMigrations: Readonly<Record<number, StateMigration>> = {};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a stored state (an object, or its JSON text). Older versions go through `migrations`;
 * anything that still does not match the current shape, a version without a migration path, or a
 * version newer than this code (after a rollback) gives `undefined`: the caller starts the user
 * afresh with {@link initialState}. Never throws.
 */
export function parseStoredState(
  raw: unknown,
  migrations: Readonly<Record<number, StateMigration>> = stateMigrations,
): State | undefined {
  try {
    const decoded: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    if (!isRecord(decoded)) return undefined;
    let value = decoded;
    let version = value.version;
    while (typeof version === 'number' && Number.isInteger(version) && version < stateVersion) {
      const migrate = migrations[version];
      if (!migrate) return undefined;
      const next: unknown = migrate(value);
      if (!isRecord(next) || typeof next.version !== 'number' || next.version <= version) return undefined;
      value = next;
      version = next.version;
    }
    const parsed = stateSchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
