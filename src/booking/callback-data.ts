/**
 * Button payloads. Telegram allows 64 bytes, so the format is terse:
 *
 *   1:<action>[:<rev>][:<args>]
 *
 * `1` is the format version (a tap on a button from an older format is simply out of date); `rev`
 * is the conversation's state revision, base 36, on buttons that only make sense in the step that
 * showed them, so a tap on an old keyboard is recognised. Numbers are base 36.
 *
 * Buttons that stay meaningful in any step carry no revision: confirm (`cf`, booking id + deadline),
 * book again (`ag`), start over (`rs`), language (`lg`), and the reminders' buttons: I'll be there
 * (`at`) and can't make it (`cm`), booking id, and no more reminders (`nr`).
 */
import { type SupportedLocale, supportedLocales } from '../config.ts';
import type { Gender } from '../perfectgym/schemas.ts';
import { type EditableField, editableFields } from './lead-fields.ts';
import { type OfferRef, offerCode, parseOfferCode } from './offer-kind.ts';
import { type SlotRef, slotKey } from './slot-presentation.ts';

export const callbackFormatVersion = '1';
export const maxCallbackDataBytes = 64;
const utf8 = new TextEncoder();
/** Revisions wrap at 36², so they stay two characters. */
export const revisionModulus = 36 * 36;

export type CallbackData =
  | { action: 'offer'; rev: number; offer: OfferRef }
  | { action: 'offersPage'; rev: number; page: number }
  /** `waitingList`: the button offered a place on the waiting list (the slot was full). */
  | { action: 'slot'; rev: number; slot: SlotRef; waitingList: boolean }
  | { action: 'slotWindow'; rev: number; fromDay: number }
  /**
   * A day button of the slot picker: show that day's times from index `from`. `empty`: the day had
   * no free place when the button was made, so the tap is answered with a toast.
   */
  | { action: 'slotDay'; rev: number; day: number; from: number; empty: boolean }
  | { action: 'otherOffers'; rev: number }
  | { action: 'skip'; rev: number }
  | { action: 'profileName'; rev: number }
  | { action: 'gender'; rev: number; gender: Gender }
  /** The address as read from one line is right / should be entered field by field. */
  | { action: 'addressOk'; rev: number }
  | { action: 'addressParts'; rev: number }
  | { action: 'edit'; rev: number; field: EditableField }
  | { action: 'book'; rev: number; offer: OfferRef; slot: SlotRef }
  | { action: 'retry'; rev: number }
  | { action: 'cancel'; rev: number }
  /** `deadlineMin`: epoch minutes, 0 when the booking has no known deadline. */
  | { action: 'confirm'; bookingId: number; deadlineMin: number }
  | { action: 'bookAgain'; offer: OfferRef }
  | { action: 'restart' }
  | { action: 'language'; locale: SupportedLocale }
  /** Reminder buttons (they stay meaningful on old messages): the booking's id. */
  /**
   * `studio`: the booking's studio of a chain (`null`: the first, or the only one); absent on
   * buttons sent before it was named, which match the first record with the booking id.
   */
  | { action: 'attend'; bookingId: number; studio?: string | null }
  | { action: 'cantMake'; bookingId: number; studio?: string | null }
  | { action: 'stopReminders' };

export type CallbackAction = CallbackData['action'];

const codes = {
  offer: 'of',
  offersPage: 'op',
  slot: 'sl',
  slotWindow: 'sw',
  slotDay: 'sd',
  otherOffers: 'bo',
  skip: 'sk',
  profileName: 'pn',
  gender: 'gd',
  addressOk: 'ao',
  addressParts: 'ap',
  edit: 'ed',
  book: 'bk',
  retry: 'rt',
  cancel: 'cx',
  confirm: 'cf',
  bookAgain: 'ag',
  restart: 'rs',
  language: 'lg',
  attend: 'at',
  cantMake: 'cm',
  stopReminders: 'nr',
} as const satisfies Record<CallbackAction, string>;

const actionsByCode = new Map<string, CallbackAction>(
  Object.entries(codes).map(([action, code]) => [code, action as CallbackAction]),
);

const genderCodes = { MALE: 'm', FEMALE: 'f', UNISEX: 'u' } as const satisfies Record<Gender, string>;
const fieldCodes = {
  firstName: 'fn',
  lastName: 'ln',
  email: 'em',
  gender: 'gd',
  dateOfBirth: 'db',
  telephone: 'tl',
  address: 'ad',
} as const satisfies Record<EditableField, string>;

const b36 = (n: number) => n.toString(36);

/**
 * Encodes a button payload.
 * @throws RangeError if the result would exceed Telegram's 64 bytes (only possible with ids beyond
 *   what the API hands out, so it signals a bug).
 */
export function encodeCallbackData(data: CallbackData): string {
  const parts: string[] = [callbackFormatVersion, codes[data.action]];
  if ('rev' in data) parts.push(b36(data.rev));
  switch (data.action) {
    case 'offer':
      parts.push(offerCode(data.offer));
      break;
    case 'offersPage':
      parts.push(b36(data.page));
      break;
    case 'slot':
      parts.push(slotKey(data.slot), data.waitingList ? 'w' : 'f');
      break;
    case 'slotWindow':
      parts.push(b36(data.fromDay));
      break;
    case 'slotDay':
      parts.push(b36(data.day), b36(data.from), data.empty ? 'n' : 'y');
      break;
    case 'gender':
      parts.push(genderCodes[data.gender]);
      break;
    case 'edit':
      parts.push(fieldCodes[data.field]);
      break;
    case 'book':
      parts.push(offerCode(data.offer), slotKey(data.slot));
      break;
    case 'confirm':
      parts.push(b36(data.bookingId), b36(data.deadlineMin));
      break;
    case 'bookAgain':
      parts.push(offerCode(data.offer));
      break;
    case 'language':
      parts.push(data.locale);
      break;
    case 'attend':
    case 'cantMake':
      parts.push(b36(data.bookingId));
      if (data.studio !== undefined) parts.push(data.studio ?? defaultStudioMark);
      break;
    default:
      break;
  }
  const encoded = parts.join(':');
  // A UTF-16 unit is at most 3 bytes of UTF-8: most data is short enough not to need counting.
  if (encoded.length * 3 > maxCallbackDataBytes && utf8.encode(encoded).length > maxCallbackDataBytes) {
    throw new RangeError(`callback data for ${data.action} exceeds ${maxCallbackDataBytes} bytes`);
  }
  return encoded;
}

const base36Pattern = /^[0-9a-z]{1,11}$/;

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined || !base36Pattern.test(text)) return undefined;
  const value = Number.parseInt(text, 36);
  return Number.isSafeInteger(value) ? value : undefined;
}

function parseSlot(text: string | undefined): SlotRef | undefined {
  if (!text) return undefined;
  const pieces = text.split('.');
  if (pieces.length < 2 || pieces.length > 3) return undefined;
  const [startMin, durationMin, ref] = pieces.map(parseNumber);
  if (startMin === undefined || durationMin === undefined) return undefined;
  if (pieces.length === 3 && ref === undefined) return undefined;
  return ref === undefined ? { startMin, durationMin } : { startMin, durationMin, ref };
}

function findKey<K extends string>(table: Record<K, string>, code: string | undefined): K | undefined {
  return (Object.keys(table) as K[]).find((key) => table[key] === code);
}

/**
 * Reads a button payload. Never throws: anything that is not well-formed data of the current
 * format (including a payload from an older format, or a forged one) is `undefined`.
 */
export function parseCallbackData(raw: unknown): CallbackData | undefined {
  try {
    if (typeof raw !== 'string' || raw.length > maxCallbackDataBytes) return undefined;
    const [version, code, ...rest] = raw.split(':');
    if (version !== callbackFormatVersion || code === undefined) return undefined;
    const action = actionsByCode.get(code);
    if (!action) return undefined;
    return parseArgs(action, rest);
  } catch {
    return undefined;
  }
}

const withoutRevision = new Set<CallbackAction>([
  'confirm',
  'bookAgain',
  'restart',
  'language',
  'attend',
  'cantMake',
  'stopReminders',
]);
const argumentCounts: Record<CallbackAction, number> = {
  offer: 1,
  offersPage: 1,
  slot: 2,
  slotWindow: 1,
  slotDay: 3,
  otherOffers: 0,
  skip: 0,
  profileName: 0,
  gender: 1,
  addressOk: 0,
  addressParts: 0,
  edit: 1,
  book: 2,
  retry: 0,
  cancel: 0,
  confirm: 2,
  bookAgain: 1,
  restart: 0,
  language: 1,
  attend: 2,
  cantMake: 2,
  stopReminders: 0,
};

/** Actions whose last argument may be left out (buttons sent before it was added). */
const optionalLastArgument = new Set<CallbackAction>(['attend', 'cantMake']);

/** The studio argument naming the first (or only) studio; studio ids never contain it. */
const defaultStudioMark = '_';

function parseArgs(action: CallbackAction, parts: string[]): CallbackData | undefined {
  const hasRev = !withoutRevision.has(action);
  const expected = argumentCounts[action] + (hasRev ? 1 : 0);
  const shortened = optionalLastArgument.has(action) && parts.length === expected - 1;
  if (parts.length !== expected && !shortened) return undefined;
  const rev = hasRev ? parseNumber(parts[0]) : 0;
  if (rev === undefined || rev >= revisionModulus) return undefined;
  const [a, b, c] = hasRev ? parts.slice(1) : parts;
  switch (action) {
    case 'offer': {
      const offer = parseOfferCode(a);
      return offer && { action, rev, offer };
    }
    case 'offersPage': {
      const page = parseNumber(a);
      return page === undefined ? undefined : { action, rev, page };
    }
    case 'slot': {
      const slot = parseSlot(a);
      if (b !== 'w' && b !== 'f') return undefined;
      return slot && { action, rev, slot, waitingList: b === 'w' };
    }
    case 'slotWindow': {
      const fromDay = parseNumber(a);
      return fromDay === undefined ? undefined : { action, rev, fromDay };
    }
    case 'slotDay': {
      const day = parseNumber(a);
      const from = parseNumber(b);
      if (day === undefined || from === undefined || (c !== 'n' && c !== 'y')) return undefined;
      return { action, rev, day, from, empty: c === 'n' };
    }
    case 'otherOffers':
    case 'skip':
    case 'profileName':
    case 'addressOk':
    case 'addressParts':
    case 'retry':
    case 'cancel':
      return { action, rev };
    case 'gender': {
      const gender = findKey(genderCodes, a);
      return gender && { action, rev, gender };
    }
    case 'edit': {
      const field = findKey(fieldCodes, a);
      return field && (editableFields as readonly string[]).includes(field)
        ? { action, rev, field }
        : undefined;
    }
    case 'book': {
      const offer = parseOfferCode(a);
      const slot = parseSlot(b);
      return offer && slot && { action, rev, offer, slot };
    }
    case 'confirm': {
      const bookingId = parseNumber(a);
      const deadlineMin = parseNumber(b);
      return bookingId === undefined || deadlineMin === undefined
        ? undefined
        : { action, bookingId, deadlineMin };
    }
    case 'bookAgain': {
      const offer = parseOfferCode(a);
      return offer && { action, offer };
    }
    case 'restart':
      return { action };
    case 'language': {
      const locale = supportedLocales.find((l) => l === a);
      return locale && { action, locale };
    }
    case 'attend':
    case 'cantMake': {
      const bookingId = parseNumber(a);
      if (bookingId === undefined) return undefined;
      if (b === undefined) return { action, bookingId };
      if (b !== defaultStudioMark && !/^[a-z0-9-]{1,16}$/.test(b)) return undefined;
      return { action, bookingId, studio: b === defaultStudioMark ? null : b };
    }
    case 'stopReminders':
      return { action };
  }
}
