/**
 * Where trial classes and trial appointments differ, and nothing else: how their slots are
 * loaded, which slots are shown, and how validate/book requests are built. Everything they share
 * (lists, windows, lead data, re-check, results) has one path in the flow.
 */
import type { AppointmentSlot, ClassSlot } from '../perfectgym/schemas.ts';
import { isoDateOfDay, type SlotWindow } from './calendar.ts';
import type { ApiCall, SlotsCall } from './effects.ts';
import { type PresentedSlot, presentAppointmentSlots, presentClassSlots } from './slot-presentation.ts';

export type OfferType = 'class' | 'appointment';

/** A trial class (by class id) or a trial appointment (by bookable appointment id). */
export interface OfferRef {
  type: OfferType;
  id: number;
}

/** Slots as the adapter got them from the studio, tagged with the kind of offer they belong to. */
export type LoadedSlots =
  | { type: 'class'; slots: ClassSlot[] }
  | { type: 'appointment'; slots: AppointmentSlot[] };

/** What booking a chosen slot needs, filled in from a fresh slot list just before booking. */
export interface BookableSlot {
  /** Class slot id (classes). */
  classSlotId?: number | undefined;
  startRaw: string;
  endRaw?: string | undefined;
  instructorIds: number[];
}

export interface OfferKind {
  type: OfferType;
  /**
   * Whether the studio is asked for one window of days at a time (appointments) or returns all of
   * an offer's slots at once and the window is applied here (classes: one day back to fourteen ahead).
   */
  loadsByWindow: boolean;
  slotsCall(offerId: number, window: SlotWindow, customerId: number | undefined): SlotsCall;
  /** The slots a prospect may pick; `undefined` when the loaded slots belong to the other kind. */
  present(loaded: LoadedSlots, now: number, fallbackZone: string): PresentedSlot[] | undefined;
  bookable(slot: PresentedSlot): BookableSlot;
  validateCall(offerId: number, slot: BookableSlot, customerId: number): ApiCall | undefined;
  bookCall(offerId: number, slot: BookableSlot, customerId: number): ApiCall | undefined;
  /**
   * The validation status that says this customer already holds the slot: how a booking whose
   * answer was lost is found. Classes have CUSTOMER_ALREADY_BOOKED; appointments have no such
   * status, and a period overlapping the customer's own booking answers CUSTOMER_IN_OTHER_BOOKING.
   */
  heldStatus: string;
  /** The studio lists only free slots (appointments: one customer per slot), not every slot (classes). */
  freeSlotsOnly: boolean;
}

const trialClass: OfferKind = {
  type: 'class',
  loadsByWindow: false,
  slotsCall: (classId) => ({ name: 'classSlots', classId }),
  present: (loaded, now, zone) =>
    loaded.type === 'class' ? presentClassSlots(loaded.slots, now, zone) : undefined,
  bookable: (slot) => ({
    classSlotId: slot.slot.ref,
    startRaw: slot.startRaw,
    instructorIds: slot.instructorIds,
  }),
  validateCall: (_classId, slot, customerId) =>
    slot.classSlotId === undefined
      ? undefined
      : { name: 'classBookingValidate', request: { customerId, classSlotId: slot.classSlotId } },
  bookCall: (_classId, slot, customerId) =>
    slot.classSlotId === undefined
      ? undefined
      : { name: 'classBook', request: { customerId, classSlotId: slot.classSlotId } },
  heldStatus: 'CUSTOMER_ALREADY_BOOKED',
  freeSlotsOnly: false,
};

function appointmentRequest(bookableAppointmentId: number, slot: BookableSlot, customerId: number) {
  if (slot.endRaw === undefined) return undefined;
  return {
    customerId,
    bookableAppointmentId,
    startDateTime: slot.startRaw,
    endDateTime: slot.endRaw,
    ...(slot.instructorIds.length > 0 ? { instructorIds: slot.instructorIds } : {}),
  };
}

const trialAppointment: OfferKind = {
  type: 'appointment',
  loadsByWindow: true,
  slotsCall: (bookableAppointmentId, window, customerId) => ({
    name: 'appointmentSlots',
    bookableAppointmentId,
    slotWindowStartDate: isoDateOfDay(window.fromDay),
    daysAhead: window.days,
    ...(customerId === undefined ? {} : { customerId }),
  }),
  present: (loaded, now, zone) =>
    loaded.type === 'appointment' ? presentAppointmentSlots(loaded.slots, now, zone) : undefined,
  bookable: (slot) => ({ startRaw: slot.startRaw, endRaw: slot.endRaw, instructorIds: slot.instructorIds }),
  validateCall: (id, slot, customerId) => {
    const request = appointmentRequest(id, slot, customerId);
    return request && { name: 'appointmentBookingValidate', request };
  },
  bookCall: (id, slot, customerId) => {
    const request = appointmentRequest(id, slot, customerId);
    return request && { name: 'appointmentBook', request };
  },
  heldStatus: 'CUSTOMER_IN_OTHER_BOOKING',
  freeSlotsOnly: true,
};

export const offerKinds: Record<OfferType, OfferKind> = { class: trialClass, appointment: trialAppointment };

/** `c1b` / `a2s`: an offer in callback data and booking records. */
export function offerCode(offer: OfferRef): string {
  return `${offer.type === 'class' ? 'c' : 'a'}${offer.id.toString(36)}`;
}

/** Reads an {@link offerCode}; `undefined` for anything else. */
export function parseOfferCode(code: string | undefined): OfferRef | undefined {
  const match = code === undefined ? null : /^([ca])([0-9a-z]{1,13})$/.exec(code);
  if (!match) return undefined;
  const id = Number.parseInt(match[2] ?? '', 36);
  return Number.isSafeInteger(id) ? { type: match[1] === 'c' ? 'class' : 'appointment', id } : undefined;
}
