/**
 * What a prospect types for their lead data: checks and normalisation per field. Every rejection
 * names a problem precise enough for a hint ("at most 50 characters", "that date does not
 * exist"), because a bare "invalid input" makes people give up.
 */

export const leadFieldNames = [
  'firstName',
  'lastName',
  'email',
  'gender',
  'dateOfBirth',
  'telephone',
  'street',
  'houseNumber',
  'zipCode',
  'city',
] as const;
export type LeadFieldName = (typeof leadFieldNames)[number];

/** Normalised answers. `gender` holds the API value (MALE, FEMALE, UNISEX), `dateOfBirth` yyyy-MM-dd. */
export type LeadFields = { [K in LeadFieldName]?: string | undefined };

export const addressFields = ['street', 'houseNumber', 'zipCode', 'city'] as const;

/** What the summary offers to edit; the address is edited as one unit. */
export const editableFields = [
  'firstName',
  'lastName',
  'email',
  'gender',
  'dateOfBirth',
  'telephone',
  'address',
] as const;
export type EditableField = (typeof editableFields)[number];

export function fieldsOf(editable: EditableField): readonly LeadFieldName[] {
  return editable === 'address' ? addressFields : [editable];
}

export function editableFieldOf(field: LeadFieldName): EditableField {
  return (addressFields as readonly string[]).includes(field) ? 'address' : (field as EditableField);
}

/** Longest accepted answer per typed field, in characters after trimming. */
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
export const phoneDigits = { min: 6, max: 15 } as const;

export type LeadInputProblem =
  | { kind: 'empty' }
  | { kind: 'tooLong'; max: number }
  | { kind: 'noLetters' }
  | { kind: 'email' }
  | { kind: 'phone' }
  | { kind: 'zipCode' }
  | { kind: 'dateFormat' }
  | { kind: 'dateImpossible' }
  | { kind: 'dateInFuture' }
  | { kind: 'dateTooLongAgo'; maxYears: number };

export type FieldCheck = { ok: true; value: string } | { ok: false; problem: LeadInputProblem };

export type TypedLeadField = Exclude<LeadFieldName, 'gender'>;

const ok = (value: string): FieldCheck => ({ ok: true, value });
const problem = (p: LeadInputProblem): FieldCheck => ({ ok: false, problem: p });

/** Trims and collapses runs of white space (a pasted line break becomes a space). */
function tidy(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

// Control and format characters (zero-width joiners aside) have no business in a name or address.
const unprintable = /[\p{Cc}\p{Co}\p{Cn}]/u;

function checkText(text: string, max: number, needsLetter: boolean): FieldCheck {
  const value = tidy(text);
  if (value === '') return problem({ kind: 'empty' });
  if ([...value].length > max) return problem({ kind: 'tooLong', max });
  if (unprintable.test(value)) return problem({ kind: 'noLetters' });
  if (needsLetter && !/\p{L}/u.test(value)) return problem({ kind: 'noLetters' });
  return ok(value);
}

export function checkName(text: string, field: 'firstName' | 'lastName'): FieldCheck {
  return checkText(text, fieldMaxLengths[field], true);
}

const emailPattern =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function checkEmail(text: string): FieldCheck {
  const value = text.trim();
  if (value === '') return problem({ kind: 'empty' });
  if (value.length > fieldMaxLengths.email) return problem({ kind: 'tooLong', max: fieldMaxLengths.email });
  if (!emailPattern.test(value)) return problem({ kind: 'email' });
  const [local = '', domain = ''] = value.split('@');
  if (local.length > 64) return problem({ kind: 'email' });
  // The domain part is case-insensitive; lower-casing it helps the studio's duplicate check.
  return ok(`${local}@${domain.toLowerCase()}`);
}

/**
 * Phone numbers become digits with an optional leading `+` (`00` counts as `+`), 6 to 15 digits
 * (E.164's maximum). Spaces, dashes, dots, slashes and brackets people type are dropped;
 * letters or a `+` in the middle mean it is not a phone number.
 */
export function checkTelephone(text: string): FieldCheck {
  const trimmed = text.trim();
  if (trimmed === '') return problem({ kind: 'empty' });
  if (!/^\+?[\d\s\-./()]+$/.test(trimmed)) return problem({ kind: 'phone' });
  let digits = trimmed.replace(/\D/g, '');
  let international = trimmed.startsWith('+');
  if (!international && digits.startsWith('00')) {
    digits = digits.slice(2);
    international = true;
  }
  if (digits.length < phoneDigits.min || digits.length > phoneDigits.max) return problem({ kind: 'phone' });
  return ok(international ? `+${digits}` : digits);
}

/**
 * A phone number from a shared Telegram contact. Telegram sends it in international form, often
 * without the `+`, so one is added.
 */
export function checkSharedPhoneNumber(phoneNumber: string): FieldCheck {
  const trimmed = phoneNumber.trim();
  return checkTelephone(trimmed.startsWith('+') ? trimmed : `+${trimmed}`);
}

const datePatterns: Array<{ pattern: RegExp; order: 'dmy' | 'ymd' }> = [
  { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: 'dmy' },
  { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'dmy' },
  { pattern: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: 'ymd' },
];

/**
 * Accepts `31.12.1990`, `31/12/1990` (day first, as in the studios' countries) and `1990-12-31`;
 * returns `1990-12-31`. `today` is the studio's calendar date (yyyy-MM-dd), so "in the future"
 * means the same for the prospect and the studio.
 */
export function checkDateOfBirth(text: string, today: string): FieldCheck {
  const value = text.trim().replace(/\s+/g, '');
  if (value === '') return problem({ kind: 'empty' });
  for (const { pattern, order } of datePatterns) {
    const match = pattern.exec(value);
    if (!match) continue;
    const [a = '', b = '', c = ''] = match.slice(1);
    const [year, month, day] =
      order === 'dmy' ? [Number(c), Number(b), Number(a)] : [Number(a), Number(b), Number(c)];
    if (!isRealDate(year, month, day)) return problem({ kind: 'dateImpossible' });
    const iso = `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
    if (iso > today) return problem({ kind: 'dateInFuture' });
    if (ageOn(iso, today) > maxAgeYears) return problem({ kind: 'dateTooLongAgo', maxYears: maxAgeYears });
    return ok(iso);
  }
  return problem({ kind: 'dateFormat' });
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

export function checkZipCode(text: string): FieldCheck {
  const value = tidy(text);
  if (value === '') return problem({ kind: 'empty' });
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
export function checkTypedField(field: TypedLeadField, text: string, today: string): FieldCheck {
  switch (field) {
    case 'firstName':
    case 'lastName':
      return checkName(text, field);
    case 'email':
      return checkEmail(text);
    case 'dateOfBirth':
      return checkDateOfBirth(text, today);
    case 'telephone':
      return checkTelephone(text);
    case 'street':
      return checkStreet(text);
    case 'houseNumber':
      return checkHouseNumber(text);
    case 'zipCode':
      return checkZipCode(text);
    case 'city':
      return checkCity(text);
  }
}
