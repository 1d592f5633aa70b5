/**
 * What a prospect types for their lead data: checks and normalisation per field. Every rejection
 * names a problem precise enough for a hint ("at most 50 characters", "that date does not
 * exist"), because a bare "invalid input" makes people give up.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { examplePhone, internationalPhoneToE164, type PhoneRegion, phoneToE164 } from './phone.ts';

const personalFields = ['firstName', 'lastName', 'email', 'gender', 'dateOfBirth', 'telephone'] as const;
export const addressFields = ['street', 'houseNumber', 'zipCode', 'city'] as const;

export const leadFieldNames = [...personalFields, ...addressFields] as const;
export type LeadFieldName = (typeof leadFieldNames)[number];

/** Normalised answers. `gender` holds the API value (MALE, FEMALE, UNISEX), `dateOfBirth` yyyy-MM-dd. */
export type LeadFields = { [K in LeadFieldName]?: string | undefined };

/** What the summary offers to edit; the address is edited as one unit. */
export const editableFields = [...personalFields, 'address'] as const;
export type EditableField = (typeof editableFields)[number];

export function fieldsOf(editable: EditableField): readonly LeadFieldName[] {
  return editable === 'address' ? addressFields : [editable];
}

/**
 * Longest accepted answer per typed field, in UTF-16 code units after tidying (as the stored
 * state counts them: an emoji counts two).
 */
export const fieldMaxLengths = {
  firstName: 50,
  lastName: 50,
  email: 100,
  street: 100,
  houseNumber: 10,
  zipCode: 10,
  city: 50,
} as const;

export const zipCodeMinLength = 3;
export const maxAgeYears = 120;
/** Youngest age a date of birth may give, unless `MIN_AGE` says otherwise. */
export const defaultMinAgeYears = 14;

export type LeadInputProblem =
  | { kind: 'empty' }
  | { kind: 'tooLong'; max: number }
  | { kind: 'noLetters' }
  | { kind: 'email' }
  /** `example`: a number written as people in the studio's country write one, for the hint. */
  | { kind: 'phone'; example: string }
  /** The number of a shared Telegram contact is not a valid number. */
  | { kind: 'sharedPhone' }
  | { kind: 'zipCode' }
  /** Where the studio's country has one postcode form of digits only (Germany: five). */
  | { kind: 'zipCodeDigits'; digits: number }
  | { kind: 'dateFormat' }
  | { kind: 'dateImpossible' }
  | { kind: 'dateInFuture' }
  | { kind: 'dateTooLongAgo'; maxYears: number }
  | { kind: 'dateTooYoung'; minYears: number };

export type FieldCheck = { ok: true; value: string } | { ok: false; problem: LeadInputProblem };

export type TypedLeadField = Exclude<LeadFieldName, 'gender'>;

const ok = (value: string): FieldCheck => ({ ok: true, value });
const problem = (p: LeadInputProblem): FieldCheck => ({ ok: false, problem: p });

/** What the checks of a few fields depend on besides the text: the studio's day and settings. */
export interface LeadFieldRules {
  /** The studio's calendar date, yyyy-MM-dd. */
  today: string;
  /** Where national phone numbers are read (see `phoneRegionOf`). */
  phoneRegion: PhoneRegion;
  /** Youngest age a date of birth may give (`MIN_AGE`). */
  minAgeYears: number;
  /** The studio's country (`countryCode`), whose postcode form is required where it is known. */
  countryCode?: string | undefined;
}

/** Countries whose postcodes are digits only, and how many. Elsewhere any usual form is taken. */
export const postcodeDigits: Readonly<Record<string, number>> = { DE: 5 };

// Characters that render as nothing (zero-width space, BOM, word joiner, soft hyphen, variation
// selectors, tags) and every bidi control (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C): typed
// into a name they hide something or reorder the line the name is shown in (the summary, a staff
// notice). They are dropped from every typed answer. Zero-width (non-)joiners between two letters
// stay: Persian and Indic names need them to be spelt right, and they move nothing.
const invisible = /(?![\u200C\u200D])[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}]/gu;
const strayJoiner = /(?<![\p{L}\p{M}])[\u200C\u200D]|[\u200C\u200D](?![\p{L}\p{M}])/gu;

/** A typed answer in composed form (NFC), without invisible and direction-changing characters. */
export function withoutInvisibles(text: string): string {
  return text.normalize('NFC').replace(invisible, '').replace(strayJoiner, '');
}

// The blocks Unicode gives to right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, ...):
// their letters are strongly right-to-left.
const rightToLeft = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFE\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/**
 * A value a prospect gave, ready to be placed into a line of text sent to Telegram: wrapped in
 * Unicode isolation marks (FSI ... PDI, as Fluent would) when it holds right-to-left letters, so
 * it cannot pull the words around it into its direction. Values without such letters cannot
 * reorder a left-to-right line once `withoutInvisibles` took the direction controls out, so they
 * stay as they are, and stay clean to copy. Typed answers never hold a PDI that could end the
 * isolation early (`withoutInvisibles`).
 */
export function isolated(value: string): string {
  return rightToLeft.test(value) ? `\u2068${value}\u2069` : value;
}

/** Drops invisibles, trims and collapses runs of white space (a pasted line break becomes a space). */
function tidy(text: string): string {
  return withoutInvisibles(text).replace(/\s+/gu, ' ').trim();
}

// Control characters and unassigned or private-use code points have no business in a name or address.
const unprintable = /[\p{Cc}\p{Co}\p{Cn}]/u;

function checkText(text: string, max: number, needsLetter: boolean): FieldCheck {
  const value = tidy(text);
  if (value === '') return problem({ kind: 'empty' });
  if (value.length > max) return problem({ kind: 'tooLong', max });
  if (unprintable.test(value)) return problem({ kind: 'noLetters' });
  if (needsLetter && !/\p{L}/u.test(value)) return problem({ kind: 'noLetters' });
  return ok(value);
}

export function checkName(text: string, field: 'firstName' | 'lastName'): FieldCheck {
  return checkText(text, fieldMaxLengths[field], true);
}

const localPartPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// After IDNA: letters, digits and hyphens per label, a top-level domain of letters or punycode.
const asciiDomainPattern = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function splitEmail(email: string): { local: string; domain: string } | undefined {
  const at = email.lastIndexOf('@');
  return at < 0 ? undefined : { local: email.slice(0, at), domain: email.slice(at + 1) };
}

/**
 * An address with an ASCII local part and any domain, internationalised ones included
 * (`a@münchen.de`); kept with the domain lower-cased and in Unicode, as the prospect reads it.
 * The studio gets it through {@link emailForStudio}. Local parts beyond ASCII would need every
 * mail server on the way to speak SMTPUTF8, so they are refused.
 */
export function checkEmail(text: string): FieldCheck {
  const typed = withoutInvisibles(text).trim();
  if (typed === '') return problem({ kind: 'empty' });
  if (typed.length > fieldMaxLengths.email) return problem({ kind: 'tooLong', max: fieldMaxLengths.email });
  const parts = splitEmail(typed);
  if (!parts || parts.local.length > 64 || !localPartPattern.test(parts.local))
    return problem({ kind: 'email' });
  const { local, domain } = parts;
  // domainToASCII applies IDNA (lower-casing, width mapping, punycode); '' when it is no domain.
  const ascii = domainToASCII(domain);
  if (!asciiDomainPattern.test(ascii)) return problem({ kind: 'email' });
  const value = `${local}@${domainToUnicode(ascii)}`;
  if (value.length > fieldMaxLengths.email) return problem({ kind: 'tooLong', max: fieldMaxLengths.email });
  return ok(value);
}

/**
 * The address as it goes to the studio: the domain in punycode (`a@xn--mnchen-3ya.de`). The API
 * documents `email` as a plain string; an ASCII address passes any e-mail check a studio may run
 * and reaches the same mailbox.
 */
export function emailForStudio(email: string): string {
  const parts = splitEmail(email);
  return parts ? `${parts.local}@${domainToASCII(parts.domain) || parts.domain}` : email;
}

/**
 * Phone numbers are read with the studio's country as the region of national numbers
 * (`0151 12345678`), `+`/`00` for others, and kept in E.164 (`+4915112345678`) if libphonenumber
 * says they are valid. Spaces, dashes, dots, slashes and brackets are allowed; letters are not.
 * A date in one of the forms the date-of-birth question reads is refused even where its digits
 * happen to form a valid number (`2026-12-01`): it answers another question.
 */
export function checkTelephone(text: string, region: PhoneRegion): FieldCheck {
  const value = withoutInvisibles(text).trim();
  if (value === '') return problem({ kind: 'empty' });
  const refused = problem({ kind: 'phone', example: examplePhone(region) });
  if (!/^\+?[\d\s\-./()]+$/.test(value) || isDate(value)) return refused;
  const e164 = phoneToE164(value, region);
  return e164 ? ok(e164) : refused;
}

/**
 * A phone number from a shared Telegram contact. Telegram sends it in international form, mostly
 * without the `+` (`491761234567`), so it is read as international, never in the studio's region.
 */
export function checkSharedPhoneNumber(phoneNumber: string): FieldCheck {
  const e164 = internationalPhoneToE164(phoneNumber);
  return e164 ? ok(e164) : problem({ kind: 'sharedPhone' });
}

const datePatterns: Array<{ pattern: RegExp; order: 'dmy' | 'ymd' }> = [
  { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: 'dmy' },
  { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'dmy' },
  { pattern: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: 'ymd' },
];

/** A text in one of the date forms, as numbers (not yet checked to be a real date). */
function readDate(value: string): { year: number; month: number; day: number } | undefined {
  for (const { pattern, order } of datePatterns) {
    const match = pattern.exec(value);
    if (!match) continue;
    const [a = '', b = '', c = ''] = match.slice(1);
    const [year, month, day] =
      order === 'dmy' ? [Number(c), Number(b), Number(a)] : [Number(a), Number(b), Number(c)];
    return { year, month, day };
  }
  return undefined;
}

/** Whether a text is a real calendar date with a four-digit year, in one of the date forms. */
function isDate(text: string): boolean {
  const date = readDate(text.replace(/\s+/g, ''));
  return date !== undefined && date.year >= 1000 && isRealDate(date.year, date.month, date.day);
}

/**
 * Accepts `31.12.1990`, `31/12/1990` (day first, as in the studios' countries) and `1990-12-31`;
 * returns `1990-12-31`. `today` is the studio's calendar date (yyyy-MM-dd), so "in the future"
 * means the same for the prospect and the studio. A date younger than `minAgeYears` is refused.
 */
export function checkDateOfBirth(text: string, today: string, minAgeYears: number): FieldCheck {
  const value = withoutInvisibles(text).replace(/\s+/g, '');
  if (value === '') return problem({ kind: 'empty' });
  const date = readDate(value);
  if (!date) return problem({ kind: 'dateFormat' });
  const { year, month, day } = date;
  if (!isRealDate(year, month, day)) return problem({ kind: 'dateImpossible' });
  const iso = `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
  if (iso > today) return problem({ kind: 'dateInFuture' });
  const age = ageOn(iso, today);
  if (age > maxAgeYears) return problem({ kind: 'dateTooLongAgo', maxYears: maxAgeYears });
  if (age < minAgeYears) return problem({ kind: 'dateTooYoung', minYears: minAgeYears });
  return ok(iso);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Full years between two yyyy-MM-dd dates. */
export function ageOn(birth: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birth.slice(0, 4));
  return today.slice(5) < birth.slice(5) ? years - 1 : years;
}

export function checkStreet(text: string): FieldCheck {
  return checkText(text, fieldMaxLengths.street, true);
}

export function checkHouseNumber(text: string): FieldCheck {
  return checkText(text, fieldMaxLengths.houseNumber, false);
}

export function checkZipCode(text: string, countryCode?: string): FieldCheck {
  const value = tidy(text);
  if (value === '') return problem({ kind: 'empty' });
  const digits = postcodeDigits[countryCode?.trim().toUpperCase() ?? ''];
  if (digits !== undefined) {
    return new RegExp(`^\\d{${digits}}$`).test(value)
      ? ok(value)
      : problem({ kind: 'zipCodeDigits', digits });
  }
  if (value.length < zipCodeMinLength || value.length > fieldMaxLengths.zipCode) {
    return problem({ kind: 'zipCode' });
  }
  if (!/^[A-Za-z0-9 -]+$/.test(value)) return problem({ kind: 'zipCode' });
  return ok(value);
}

export function checkCity(text: string): FieldCheck {
  return checkText(text, fieldMaxLengths.city, true);
}

/** Checks a typed answer for any field that is answered by typing. */
export function checkTypedField(field: TypedLeadField, text: string, rules: LeadFieldRules): FieldCheck {
  switch (field) {
    case 'firstName':
    case 'lastName':
      return checkName(text, field);
    case 'email':
      return checkEmail(text);
    case 'dateOfBirth':
      return checkDateOfBirth(text, rules.today, rules.minAgeYears);
    case 'telephone':
      return checkTelephone(text, rules.phoneRegion);
    case 'street':
      return checkStreet(text);
    case 'houseNumber':
      return checkHouseNumber(text);
    case 'zipCode':
      return checkZipCode(text, rules.countryCode);
    case 'city':
      return checkCity(text);
  }
}
