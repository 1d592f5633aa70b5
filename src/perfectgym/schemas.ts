/**
 * Zod schemas for the studio API's trial-offer endpoints, following
 * `spec/trial-offers.openapi.json` and the 1.13.2 docs page.
 *
 * Two rules run through every schema:
 * - Unknown extra fields are dropped, never an error (zod's default for objects).
 * - Enums are open: a value outside the documented set is kept as it came (the docs themselves
 *   answer `RESOURCE_NOT_AVAILABLE` outside the enum they list). Callers switch over the known
 *   values and treat anything else as "not possible, other reason".
 */
import { z } from 'zod';
import { parseZonedDateTime, type ZonedDateTime } from './datetime.ts';

/** A value outside an enum's documented set, kept verbatim. */
export type UnknownEnumValue = string & { readonly __unknownEnumValue: true };
export type OpenEnum<T extends string> = T | UnknownEnumValue;

// `_values` only drives type inference: an unknown value must pass, so nothing is checked at run time.
export function openEnum<const T extends readonly [string, ...string[]]>(_values: T) {
  return z.string().transform((raw) => raw as OpenEnum<T[number]>);
}

/** Narrows an open enum value to one of the documented ones. */
export function isKnown<const T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

export const zonedDateTimeSchema = z.string().transform((raw, ctx): ZonedDateTime => {
  const parsed = parseZonedDateTime(raw);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `not an API date-time: ${JSON.stringify(raw)}` });
    return z.NEVER;
  }
  return parsed;
});

const id = z.number().int();

// ---------- enums ----------

export const leadFieldModes = ['MANDATORY', 'OPTIONAL', 'INACTIVE'] as const;
export type LeadFieldMode = OpenEnum<(typeof leadFieldModes)[number]>;

export const genders = ['MALE', 'FEMALE', 'UNISEX'] as const;
export type Gender = (typeof genders)[number];

export const termUnits = ['DAY', 'WEEK', 'MONTH', 'YEAR'] as const;
export const termWithMinutesUnits = ['MINUTES', 'HOURS', 'DAY', 'WEEK', 'MONTH', 'YEAR'] as const;

export const leadValidationStatuses = [
  'POSSIBLE',
  'INVALID_LEAD_CUSTOMER_DATA',
  'DUPLICATE_CUSTOMER',
] as const;

export const classBookingValidationStatuses = [
  'AVAILABLE',
  'NO_CONTINGENT',
  'BOOKING_LIMIT_REACHED',
  'CUSTOMER_ALREADY_BOOKED',
  'CUSTOMER_IDLE',
  'CUSTOMER_IN_OTHER_BOOKING',
  'DISPLAY_ONLY',
  'DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME',
  'DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME',
  'STUDIO_CLOSED',
  'NOT_AVAILABLE',
] as const;

export const appointmentBookingValidationStatuses = [
  'AVAILABLE',
  'PAST_START_DATE_TIME',
  'END_DATE_TIME_NOT_AFTER_START_DATE_TIME',
  'PERIOD_DOES_NOT_MATCH',
  'CUSTOMER_IN_OTHER_BOOKING',
  'CUSTOMER_IDLE',
  'NO_CONTINGENT',
  'BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED',
  'BOOKING_LIMIT_REACHED',
  'DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME',
  'DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME',
  'STUDIO_CLOSED',
  'RESOURCE_NOT_AVAILABLE',
] as const;

export const classBookingStatuses = [
  'BOOKED',
  'BOOKED_WITH_CONFIRMATION_REQUIRED',
  'WAITING_LIST',
  'CANCELED',
] as const;
export const appointmentBookingStatuses = [
  'BOOKED',
  'BOOKED_WITH_CONFIRMATION_REQUIRED',
  'CANCELED',
] as const;
export const plannedStatuses = ['PLANNED', 'CANCELED', 'COMPLETED'] as const;
export const participantStatuses = ['PARTICIPATING', 'NOT_PARTICIPATING', 'UNSET'] as const;
export const confirmationStatuses = ['CONFIRMED', 'EXPIRED'] as const;

// ---------- shared pieces ----------

export const instructorSchema = z.object({
  id,
  firstName: z.string(),
  lastName: z.string(),
  publicName: z.string().optional(),
});
export type Instructor = z.infer<typeof instructorSchema>;

export const locationSchema = z.object({ id, name: z.string(), description: z.string().optional() });

export const errorResponseSchema = z.object({
  errorMessage: z.string(),
  errorCode: z.string().optional(),
  traceId: z.string().optional(),
  reference: z.string().optional(),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export interface Slice<T> {
  result: T[];
  hasNext: boolean;
  offset: string;
}

/** Where one list item broke its schema: its position, its id if it has one, the paths (never values). */
export interface MalformedItem {
  index: number;
  id: number | undefined;
  issuePaths: string[];
}

/** A list read item by item: the items that fit the schema, and where the others broke it. */
export interface LenientList<T> {
  items: T[];
  malformed: MalformedItem[];
}

/**
 * A list whose items are checked one by one, so one malformed entry (a required field missing)
 * is set aside instead of failing the whole list. When every item of a non-empty list is
 * malformed the list is invalid after all: then the studio's format changed, not one entry.
 * `idOf` finds an item's id in the raw value, for reporting which item was set aside.
 */
export function lenientList<T extends z.ZodType>(
  item: T,
  idOf: (raw: unknown) => number | undefined = idField,
) {
  return z.array(z.unknown()).transform((raw, ctx): LenientList<z.output<T>> => {
    const items: z.output<T>[] = [];
    const malformed: MalformedItem[] = [];
    raw.forEach((value, index) => {
      const parsed = item.safeParse(value);
      if (parsed.success) items.push(parsed.data);
      else {
        const issuePaths = [...new Set(parsed.error.issues.map((issue) => [index, ...issue.path].join('.')))];
        malformed.push({ index, id: idOf(value), issuePaths });
      }
    });
    if (raw.length > 0 && items.length === 0) {
      for (const { issuePaths } of malformed.slice(0, 5)) {
        ctx.addIssue({ code: 'custom', message: 'every item is malformed', path: issuePaths[0]?.split('.') });
      }
      return z.NEVER;
    }
    return { items, malformed };
  });
}

/** The numeric `id` of a raw list item, or of the object under `nested` (an offer's class). */
export function idField(raw: unknown, nested?: string): number | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const record = raw as Record<string, unknown>;
  if (nested !== undefined) return idField(record[nested]);
  return typeof record.id === 'number' ? record.id : undefined;
}

function sliced<T extends z.ZodType>(item: T, idOf?: (raw: unknown) => number | undefined) {
  return z.object({ result: lenientList(item, idOf), hasNext: z.boolean(), offset: z.string() });
}

// ---------- offers ----------

export const trialClassSchema = z.object({
  id,
  title: z.string().optional(),
  type: openEnum(['STUDIO', 'STREAM']).optional(),
  duration: z.number().int().optional(),
  category: z.string().optional(),
  description: z.string().optional(),
  imgUrl: z.string().optional(),
  bookable: z.boolean(),
});
export const trialOfferClassSchema = z.object({
  id: id.optional(),
  trialOfferConfigId: id,
  trialOfferClass: trialClassSchema,
});
export type TrialOfferClass = z.infer<typeof trialOfferClassSchema>;
export const trialOfferClassesSliceSchema = sliced(trialOfferClassSchema, (raw) =>
  idField(raw, 'trialOfferClass'),
);

export const bookableAppointmentSchema = z.object({
  id,
  title: z.string().optional(),
  duration: z.number().int().optional(),
  category: z.string().optional(),
  description: z.string().optional(),
  imgUrl: z.string().optional(),
});
export const bookableTrialOfferAppointmentSchema = z.object({
  id: id.optional(),
  trialOfferConfigId: id,
  trialOfferBookableAppointment: bookableAppointmentSchema,
});
export type BookableTrialOfferAppointment = z.infer<typeof bookableTrialOfferAppointmentSchema>;
export const bookableTrialOfferAppointmentsSliceSchema = sliced(bookableTrialOfferAppointmentSchema, (raw) =>
  idField(raw, 'trialOfferBookableAppointment'),
);

// ---------- config ----------

export const termSchema = z.object({ value: z.number().int(), unit: openEnum(termUnits) });
export const termWithMinutesSchema = z.object({
  value: z.number().int(),
  unit: openEnum(termWithMinutesUnits),
});
export type TermWithMinutes = z.infer<typeof termWithMinutesSchema>;

export const leadDataConfigSchema = z.object({
  trialOfferLeadDataConfigId: id,
  genderMode: openEnum(leadFieldModes),
  dateOfBirthMode: openEnum(leadFieldModes),
  telephoneMode: openEnum(leadFieldModes),
  addressMode: openEnum(leadFieldModes),
});
export type LeadDataConfig = z.infer<typeof leadDataConfigSchema>;

export const trialOfferConfigSchema = z.object({
  id,
  name: z.string(),
  preventMultipleBookingsTerm: termSchema,
  contingent: z.number().int(),
  confirmationOfBookingTerm: termWithMinutesSchema.optional(),
  allowBookingForLeads: z.boolean(),
  leadDataConfig: leadDataConfigSchema,
});
export type TrialOfferConfig = z.infer<typeof trialOfferConfigSchema>;

// ---------- leads ----------

export const leadAddressSchema = z.object({
  street: z.string(),
  houseNumber: z.string().optional(),
  zipCode: z.string(),
  city: z.string(),
});

/** What trialgram sends as `leadCustomerData`. Only fields the config activates are present. */
export const leadCustomerDataSchema = z.object({
  thirdPartyId: z.string().optional(),
  firstname: z.string(),
  secondFirstname: z.string().optional(),
  lastname: z.string(),
  secondLastname: z.string().optional(),
  email: z.string(),
  gender: openEnum(genders).optional(),
  dateOfBirth: z.string().optional(),
  telephone: z.string().optional(),
  language: z.object({ languageCode: z.string(), countryCode: z.string().optional() }).optional(),
  address: leadAddressSchema.optional(),
});
export type LeadCustomerData = z.infer<typeof leadCustomerDataSchema>;

export const leadCreationRequestSchema = z.object({
  leadCustomerData: leadCustomerDataSchema,
  trialOfferConfigId: id,
});
export type LeadCreationRequest = z.infer<typeof leadCreationRequestSchema>;

export const leadValidationResultSchema = z.object({ validationStatus: openEnum(leadValidationStatuses) });
export type LeadValidationResult = z.infer<typeof leadValidationResultSchema>;
export const leadCreationResultSchema = z.object({ leadCustomerId: id.optional() });
export type LeadCreationResult = z.infer<typeof leadCreationResultSchema>;

// ---------- slots ----------

export const classSlotSchema = z.object({
  id,
  startDateTime: zonedDateTimeSchema.optional(),
  endDateTime: zonedDateTimeSchema.optional(),
  instructors: z.array(instructorSchema).optional(),
  location: locationSchema.optional(),
  earliestBookingDateTime: zonedDateTimeSchema.optional(),
  latestBookingDateTime: zonedDateTimeSchema.optional(),
  maxParticipants: z.number().int().optional(),
  maxWaitingListParticipants: z.number().int().optional(),
  bookedParticipants: z.number().int().optional(),
  additionalParticipants: z.number().int(),
  waitingListParticipants: z.number().int().optional(),
  classInformation: z.record(z.string(), z.unknown()).optional(),
});
export type ClassSlot = z.infer<typeof classSlotSchema>;
export const classSlotsSliceSchema = sliced(classSlotSchema);

export const appointmentSlotSchema = z.object({
  startDateTime: zonedDateTimeSchema.optional(),
  endDateTime: zonedDateTimeSchema.optional(),
  instructors: z.array(instructorSchema).optional(),
});
export type AppointmentSlot = z.infer<typeof appointmentSlotSchema>;
export const appointmentSlotsSchema = lenientList(appointmentSlotSchema);

// ---------- booking ----------

export interface ClassBookingRequest {
  customerId: number;
  classSlotId: number;
}
export interface AppointmentBookingRequest {
  customerId: number;
  bookableAppointmentId: number;
  /** The slot's date-times exactly as the API gave them (`ZonedDateTime.raw`). */
  startDateTime: string;
  endDateTime: string;
  instructorIds?: number[];
}

export const classBookingValidationResultSchema = z.object({
  validationStatus: openEnum(classBookingValidationStatuses),
});
export const appointmentBookingValidationResultSchema = z.object({
  validationStatus: openEnum(appointmentBookingValidationStatuses),
});
export type ClassBookingValidationStatus = OpenEnum<(typeof classBookingValidationStatuses)[number]>;
export type AppointmentBookingValidationStatus = OpenEnum<
  (typeof appointmentBookingValidationStatuses)[number]
>;

export const classBookingResultSchema = z.object({
  bookingId: id,
  bookingStatus: openEnum(classBookingStatuses),
  classSlotId: id,
  classId: id,
  customerId: id,
  classSlotStatus: openEnum(plannedStatuses),
  participantStatus: openEnum(participantStatuses),
});
export type ClassBookingResult = z.infer<typeof classBookingResultSchema>;

export const appointmentBookingResultSchema = z.object({
  bookingId: id,
  bookingStatus: openEnum(appointmentBookingStatuses),
  startDateTime: zonedDateTimeSchema,
  endDateTime: zonedDateTimeSchema,
  title: z.string().optional(),
  duration: z.number().int().optional(),
  category: z.string().optional(),
  description: z.string().optional(),
  imgUrl: z.string().optional(),
  instructors: z.array(instructorSchema).optional(),
  appointmentStatus: openEnum(plannedStatuses),
  participantStatus: openEnum(participantStatuses),
});
export type AppointmentBookingResult = z.infer<typeof appointmentBookingResultSchema>;

export const bookingConfirmationResultSchema = z.object({ status: openEnum(confirmationStatuses) });
export type BookingConfirmationResult = z.infer<typeof bookingConfirmationResultSchema>;

// ---------- studio ----------

const localTimeSchema = z.object({
  hour: z.number().int().optional(),
  minute: z.number().int().optional(),
  second: z.number().int().optional(),
  nano: z.number().int().optional(),
});
const openingHoursSchema = z.object({
  dayOfWeekFrom: z.string().optional(),
  dayOfWeekTo: z.string().optional(),
  timeFrom: localTimeSchema.optional(),
  timeTo: localTimeSchema.optional(),
});

export const studioInformationSchema = z.object({
  studioId: id,
  name: z.string().optional(),
  country: z.string().optional(),
  countryCode: z.string().optional(),
  email: z.string().optional(),
  telephone: z.string().optional(),
  website: z.string().optional(),
  logoUrl: z.string().optional(),
  street: z.string().optional(),
  houseNumber: z.string().optional(),
  zip: z.string().optional(),
  city: z.string().optional(),
  openingHours: z.array(openingHoursSchema).optional(),
  publicOpeningHours: z.array(openingHoursSchema).optional(),
  /** The studio's coordinates (`StudioLocation`). */
  location: z.object({ latitude: z.number().optional(), longitude: z.number().optional() }).optional(),
  accessCodeConfiguration: z.object({ enabled: z.boolean().optional() }),
});
export type StudioInformation = z.infer<typeof studioInformationSchema>;
