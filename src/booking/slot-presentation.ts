/**
 * Which slots a prospect gets to see, and how: class and appointment slots are turned into one
 * shape ({@link PresentedSlot}) so the rest of the flow (lists, day windows, re-check, booking
 * texts, calendar file) has a single path.
 */
import type { AppointmentSlot, ClassSlot, Instructor } from '../perfectgym/schemas.ts';
import { dayNumber, type SlotWindow, windowContains } from './calendar.ts';

/**
 * What a slot button carries to identify its slot, small enough for Telegram's 64-byte callback
 * data: start and duration in minutes, plus the class slot id (classes) or the first instructor id
 * (appointments, where two instructors may offer the same time).
 */
export interface SlotRef {
  startMin: number;
  durationMin: number;
  ref?: number | undefined;
}

export interface PresentedSlot {
  slot: SlotRef;
  startMs: number;
  endMs?: number | undefined;
  /** The slot's own zone (from the API's `[Zone]`), else the studio's known zone. */
  zone: string;
  /** Exactly as the API wrote them; appointment bookings must send these back unchanged. */
  startRaw: string;
  endRaw?: string | undefined;
  instructorIds: number[];
  instructorNames: string[];
  location?: string | undefined;
  /** Where the room is ("1. OG, links neben dem Empfang"), the location's description. */
  locationNote?: string | undefined;
  availability: 'free' | 'waitingList';
  /** Known for classes only; appointment slots are listed only while they are free. */
  freePlaces?: number | undefined;
}

const msPerMinute = 60_000;

export function slotKey(slot: SlotRef): string {
  return [slot.startMin, slot.durationMin, ...(slot.ref === undefined ? [] : [slot.ref])]
    .map((n) => n.toString(36))
    .join('.');
}

export function sameSlot(a: SlotRef, b: SlotRef): boolean {
  return a.startMin === b.startMin && a.durationMin === b.durationMin && a.ref === b.ref;
}

function instructorName(instructor: Instructor): string {
  return instructor.publicName?.trim() || `${instructor.firstName} ${instructor.lastName}`.trim();
}

/**
 * Places left in a class slot: the maximum minus bookings minus the operator's additional
 * participants. `undefined` when the studio sets no maximum.
 */
export function freePlaces(slot: ClassSlot): number | undefined {
  if (slot.maxParticipants === undefined) return undefined;
  return slot.maxParticipants - (slot.bookedParticipants ?? 0) - slot.additionalParticipants;
}

/** Whether a full class slot can still take someone on its waiting list. */
export function hasWaitingListRoom(slot: ClassSlot): boolean {
  return (slot.maxWaitingListParticipants ?? 0) > (slot.waitingListParticipants ?? 0);
}

/** Whether `now` lies inside the slot's booking window (either end may be open). */
export function isInBookingWindow(slot: ClassSlot, now: number): boolean {
  if (slot.earliestBookingDateTime && now < slot.earliestBookingDateTime.epochMs) return false;
  if (slot.latestBookingDateTime && now > slot.latestBookingDateTime.epochMs) return false;
  return true;
}

type SlotTime = NonNullable<ClassSlot['startDateTime']>;

/** What class and appointment slots present alike: when, in which zone, with whom. */
function timeAndInstructors(
  start: SlotTime,
  end: SlotTime | undefined,
  ref: number | undefined,
  instructors: readonly Instructor[],
  fallbackZone: string,
) {
  return {
    slot: {
      startMin: Math.floor(start.epochMs / msPerMinute),
      durationMin: end ? Math.max(0, Math.round((end.epochMs - start.epochMs) / msPerMinute)) : 0,
      ref,
    },
    startMs: start.epochMs,
    endMs: end?.epochMs,
    zone: start.zone ?? fallbackZone,
    startRaw: start.raw,
    endRaw: end?.raw,
    instructorIds: instructors.map((i) => i.id),
    instructorNames: instructors.map(instructorName),
  };
}

/**
 * Class slots a prospect can book now, earliest first: future, inside their booking window, and
 * either with free places or, when full, with waiting-list room (marked as such). Full slots
 * without waiting-list room are left out: offering them would only lead to a refusal.
 */
export function presentClassSlots(
  slots: readonly ClassSlot[],
  now: number,
  fallbackZone: string,
): PresentedSlot[] {
  const presented: PresentedSlot[] = [];
  for (const slot of slots) {
    const start = slot.startDateTime;
    if (!start || start.epochMs <= now) continue;
    if (!isInBookingWindow(slot, now)) continue;
    const free = freePlaces(slot);
    const full = free !== undefined && free <= 0;
    if (full && !hasWaitingListRoom(slot)) continue;
    presented.push({
      ...timeAndInstructors(start, slot.endDateTime, slot.id, slot.instructors ?? [], fallbackZone),
      location: slot.location?.name,
      locationNote: slot.location?.description?.trim() || undefined,
      availability: full ? 'waitingList' : 'free',
      freePlaces: full ? 0 : free,
    });
  }
  return presented.sort((a, b) => a.startMs - b.startMs);
}

/**
 * Appointment slots a prospect can book now, earliest first. The studio lists only free ones; a
 * slot without an end cannot be booked (the API needs both) and one in the past is hidden.
 */
export function presentAppointmentSlots(
  slots: readonly AppointmentSlot[],
  now: number,
  fallbackZone: string,
): PresentedSlot[] {
  const presented: PresentedSlot[] = [];
  for (const slot of slots) {
    const { startDateTime: start, endDateTime: end } = slot;
    if (!start || !end || start.epochMs <= now || end.epochMs <= start.epochMs) continue;
    const instructors = slot.instructors ?? [];
    presented.push({
      ...timeAndInstructors(start, end, instructors[0]?.id, instructors, fallbackZone),
      availability: 'free',
    });
  }
  return presented.sort((a, b) => a.startMs - b.startMs);
}

export function slotDay(slot: PresentedSlot): number {
  return dayNumber(slot.startMs, slot.zone);
}

export function slotsInWindow(slots: readonly PresentedSlot[], window: SlotWindow): PresentedSlot[] {
  return slots.filter((slot) => windowContains(window, slotDay(slot)));
}

/** Slots grouped by their studio-calendar day, days in order, slots in order within a day. */
export function groupByDay(slots: readonly PresentedSlot[]): Array<{ day: number; slots: PresentedSlot[] }> {
  const groups: Array<{ day: number; slots: PresentedSlot[] }> = [];
  for (const slot of [...slots].sort((a, b) => a.startMs - b.startMs)) {
    const day = slotDay(slot);
    const last = groups.at(-1);
    if (last && last.day === day) last.slots.push(slot);
    else groups.push({ day, slots: [slot] });
  }
  return groups;
}
