/**
 * Reading requests the way the real API does: a body or parameter of the wrong type, or a
 * required field missing, is a 400 naming the field (`reference`, like `leadCustomerData.gender`).
 * Lead fields the API checks itself (blank names, a malformed email) are left to the studio, which
 * answers INVALID_LEAD_CUSTOMER_DATA for them.
 */
import { z } from 'zod';
import { parseZonedDateTime } from '../perfectgym/datetime.ts';
import { isLocalDate, type LocalDate } from './calendar.ts';
import { badRequest } from './errors.ts';
import type { Localized } from './messages.ts';
import type { AppointmentRequest, LeadCustomerInput } from './studio.ts';

const id = z.number().int();
const optionalText = z.string().nullish();

const leadCustomerDataSchema = z.object({
  thirdPartyId: optionalText,
  firstname: optionalText,
  secondFirstname: optionalText,
  lastname: optionalText,
  secondLastname: optionalText,
  email: optionalText,
  gender: z.enum(['MALE', 'FEMALE', 'UNISEX']).nullish(),
  dateOfBirth: z.string().refine(isLocalDate, 'expected a date like 2000-10-10').nullish(),
  telephone: optionalText,
  language: z
    .object({
      languageCode: z.string().regex(/^[a-z]{2}$/i, 'expected an ISO 639-1 code like "de"'),
      countryCode: z
        .string()
        .regex(/^[A-Z]{2}$/i, 'expected an ISO 3166-1 code like "DE"')
        .nullish(),
    })
    .nullish(),
  address: z
    .object({ street: optionalText, houseNumber: optionalText, zipCode: optionalText, city: optionalText })
    .nullish(),
});

const leadRequestSchema = z.object({ leadCustomerData: leadCustomerDataSchema, trialOfferConfigId: id });
const classBookingRequestSchema = z.object({ customerId: id, classSlotId: id });
const appointmentBookingRequestSchema = z.object({
  customerId: id,
  bookableAppointmentId: id,
  startDateTime: z.string(),
  endDateTime: z.string(),
  instructorIds: z.array(id).nullish(),
});

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const reference = path.length === 0 ? 'body' : path.map(String).join('.');
  throw badRequest('INVALID_FIELD', reference, { detail: describeIssue(issue, valueAt(body, path)) });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue | undefined, value: unknown): Localized {
  if (issue?.code === 'invalid_type' && value === undefined)
    return { en: 'it is required', de: 'Pflichtfeld' };
  if (issue?.code === 'invalid_type') {
    return { en: `expected ${issue.expected}`, de: `erwartet: ${issue.expected}` };
  }
  if (issue?.code === 'invalid_value') {
    const allowed = issue.values.map(String).join(', ');
    return { en: `expected one of ${allowed}`, de: `erlaubt: ${allowed}` };
  }
  const message = issue?.message ?? 'invalid';
  return { en: message, de: message };
}

export interface LeadRequest {
  trialOfferConfigId: number;
  leadCustomerData: LeadCustomerInput;
  /** `leadCustomerData` exactly as received, to store unchanged. */
  rawLeadCustomerData: unknown;
}

export function parseLeadRequest(body: unknown): LeadRequest {
  const parsed = parseBody(leadRequestSchema, body);
  return {
    trialOfferConfigId: parsed.trialOfferConfigId,
    leadCustomerData: parsed.leadCustomerData,
    rawLeadCustomerData: (body as { leadCustomerData: unknown }).leadCustomerData,
  };
}

export function parseClassBookingRequest(body: unknown): { customerId: number; classSlotId: number } {
  return parseBody(classBookingRequestSchema, body);
}

export function parseAppointmentBookingRequest(body: unknown): AppointmentRequest {
  const parsed = parseBody(appointmentBookingRequestSchema, body);
  return {
    customerId: parsed.customerId,
    bookableAppointmentId: parsed.bookableAppointmentId,
    startMs: parseDateTime(parsed.startDateTime, 'startDateTime'),
    endMs: parseDateTime(parsed.endDateTime, 'endDateTime'),
    instructorIds: parsed.instructorIds,
  };
}

function parseDateTime(raw: string, reference: string): number {
  const parsed = parseZonedDateTime(raw);
  if (!parsed) throw badRequest('INVALID_DATE_TIME', reference);
  return parsed.epochMs;
}

/** An id from the path (`/config/{configId}`); anything but digits is a 400. */
export function parsePathId(raw: string, reference: string): number {
  if (!/^\d{1,18}$/.test(raw)) {
    throw badRequest('INVALID_FIELD', reference, {
      detail: { en: 'expected an integer', de: 'erwartet: Ganzzahl' },
    });
  }
  return Number(raw);
}

function integerParam(
  query: URLSearchParams,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const raw = query.get(name);
  if (raw === null) return range.fallback;
  const value = /^-?\d{1,10}$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw badRequest('OUT_OF_RANGE', name, { min: range.min, max: range.max });
  }
  return value;
}

/** `offset` (the last id of the previous slice, default 0) and `sliceSize` (10..100, default 50). */
export function parseSliceParams(query: URLSearchParams): { offset: number; sliceSize: number } {
  const rawOffset = query.get('offset') ?? '0';
  if (!/^\d{1,18}$/.test(rawOffset)) {
    throw badRequest('INVALID_FIELD', 'offset', {
      detail: {
        en: 'expected the last id of the previous slice',
        de: 'erwartet: letzte ID des vorigen Abschnitts',
      },
    });
  }
  return {
    offset: Number(rawOffset),
    sliceSize: integerParam(query, 'sliceSize', { min: 10, max: 100, fallback: 50 }),
  };
}

export function parseAppointmentSlotParams(query: URLSearchParams): {
  daysAhead: number;
  windowStart?: LocalDate;
  customerId?: number;
} {
  const daysAhead = integerParam(query, 'daysAhead', { min: 1, max: 6, fallback: 1 });
  const windowStart = query.get('slotWindowStartDate');
  if (windowStart !== null && !isLocalDate(windowStart))
    throw badRequest('INVALID_DATE', 'slotWindowStartDate');
  const customerId = query.get('customerId');
  return {
    daysAhead,
    ...(windowStart === null ? {} : { windowStart }),
    ...(customerId === null ? {} : { customerId: parsePathId(customerId, 'customerId') }),
  };
}
