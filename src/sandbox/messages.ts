/**
 * The sandbox's error answers: an `errorCode` a program can switch on and an `errorMessage` in the
 * caller's language (the real API resolves its messages from `Accept-Language`; we know de and en).
 */
export type Language = 'de' | 'en';

/** Text in each language the sandbox speaks. */
export type Localized = Record<Language, string>;
/** Message parameters; a localized one is resolved to the caller's language before rendering. */
export type MessageParams = Record<string, string | number | Localized>;
type Params = Record<string, string | number>;
type Template = (params: Params) => string;

/** Entities a 404 can name. */
export type EntityKind = 'config' | 'class' | 'appointment' | 'classSlot' | 'customer' | 'booking';

export const entityNames: Record<EntityKind, Localized> = {
  config: { en: 'Trial offer config', de: 'Probeangebots-Konfiguration' },
  class: { en: 'Trial offer class', de: 'Probeangebots-Kurs' },
  appointment: { en: 'Bookable appointment', de: 'Buchbarer Termin' },
  classSlot: { en: 'Class slot', de: 'Kurstermin' },
  customer: { en: 'Customer', de: 'Kunde' },
  booking: { en: 'Booking', de: 'Buchung' },
};

const messages = {
  UNAUTHORIZED: {
    en: () => 'Authentication failed: the X-API-KEY header is missing or wrong.',
    de: () => 'Authentifizierung fehlgeschlagen: Der Header X-API-KEY fehlt oder ist falsch.',
  },
  ROUTE_NOT_FOUND: {
    en: (p) => `There is no endpoint ${p.method} ${p.path}.`,
    de: (p) => `Es gibt keinen Endpunkt ${p.method} ${p.path}.`,
  },
  METHOD_NOT_ALLOWED: {
    en: (p) => `${p.path} does not accept ${p.method}; use ${p.allowed}.`,
    de: (p) => `${p.path} akzeptiert kein ${p.method}; erlaubt ist ${p.allowed}.`,
  },
  ENTITY_NOT_FOUND: {
    en: (p) => `${p.entity} ${p.id} does not exist.`,
    de: (p) => `${p.entity} ${p.id} existiert nicht.`,
  },
  MALFORMED_JSON: {
    en: () => 'The request body is not valid JSON.',
    de: () => 'Der Request-Body ist kein gültiges JSON.',
  },
  BODY_TOO_LARGE: {
    en: (p) => `The request body is larger than ${p.limit} bytes.`,
    de: (p) => `Der Request-Body ist größer als ${p.limit} Bytes.`,
  },
  INVALID_FIELD: {
    en: (p) => `Missing or invalid value for ${p.reference}: ${p.detail}`,
    de: (p) => `Fehlender oder ungültiger Wert für ${p.reference}: ${p.detail}`,
  },
  OUT_OF_RANGE: {
    en: (p) => `${p.reference} must be an integer from ${p.min} to ${p.max}.`,
    de: (p) => `${p.reference} muss eine ganze Zahl von ${p.min} bis ${p.max} sein.`,
  },
  INVALID_DATE: {
    en: (p) => `${p.reference} must be a date written like 2024-05-31.`,
    de: (p) => `${p.reference} muss ein Datum im Format 2024-05-31 sein.`,
  },
  INVALID_DATE_TIME: {
    en: (p) => `${p.reference} must be a date-time like 2024-05-31T18:00:00.000+02:00[Europe/Berlin].`,
    de: (p) => `${p.reference} muss ein Zeitpunkt wie 2024-05-31T18:00:00.000+02:00[Europe/Berlin] sein.`,
  },
  RATE_LIMIT_EXCEEDED: {
    en: (p) => `Rate limit exceeded for this endpoint. Try again in ${p.seconds} seconds.`,
    de: (p) =>
      `Anfragelimit für diesen Endpunkt überschritten. Bitte in ${p.seconds} Sekunden erneut versuchen.`,
  },
  SIMULATED_FAILURE: {
    en: (p) => `Simulated failure ${p.status} (sandbox fault injection).`,
    de: (p) => `Simulierter Fehler ${p.status} (Sandbox-Fehlerinjektion).`,
  },
  INTERNAL_ERROR: {
    en: () => 'Unexpected system error.',
    de: () => 'Unerwarteter Systemfehler.',
  },
  INVALID_LEAD_CUSTOMER_DATA: {
    en: (p) => `The lead customer data is invalid: ${p.reason}.`,
    de: (p) => `Die Daten des Interessenten sind ungültig: ${p.reason}.`,
  },
  DUPLICATE_CUSTOMER: {
    en: () => 'A customer with this email address already exists.',
    de: () => 'Es gibt bereits einen Kunden mit dieser E-Mail-Adresse.',
  },
  BOOKING_NOT_POSSIBLE: {
    en: (p) => `The booking is not possible: ${p.reason}.`,
    de: (p) => `Die Buchung ist nicht möglich: ${p.reason}.`,
  },
} satisfies Record<string, Record<Language, Template>>;

export type MessageKey = keyof typeof messages;

/** Why a lead's data is invalid, in words a person can act on. */
export const leadProblems = {
  firstnameMissing: { en: 'the first name is missing', de: 'der Vorname fehlt' },
  lastnameMissing: { en: 'the last name is missing', de: 'der Nachname fehlt' },
  emailMissing: { en: 'the email address is missing', de: 'die E-Mail-Adresse fehlt' },
  emailMalformed: { en: 'the email address is not valid', de: 'die E-Mail-Adresse ist ungültig' },
  genderMissing: { en: 'the gender is required', de: 'das Geschlecht ist Pflicht' },
  dateOfBirthMissing: { en: 'the date of birth is required', de: 'das Geburtsdatum ist Pflicht' },
  dateOfBirthInFuture: {
    en: 'the date of birth lies in the future',
    de: 'das Geburtsdatum liegt in der Zukunft',
  },
  telephoneMissing: { en: 'the telephone number is required', de: 'die Telefonnummer ist Pflicht' },
  telephoneMalformed: { en: 'the telephone number is not valid', de: 'die Telefonnummer ist ungültig' },
  addressMissing: { en: 'the address is required', de: 'die Adresse ist Pflicht' },
  addressIncomplete: {
    en: 'the address needs street, zip code and city',
    de: 'die Adresse braucht Straße, Postleitzahl und Ort',
  },
} satisfies Record<string, Localized>;
export type LeadProblem = keyof typeof leadProblems;

/** Why a booking validation is not AVAILABLE, for the message of a refused `book`. */
const bookingRefusalReasons: Record<string, Localized> = {
  NO_CONTINGENT: {
    en: 'the customer has no contingent left for this trial offer',
    de: 'das Kontingent für dieses Probeangebot ist ausgeschöpft',
  },
  BOOKING_LIMIT_REACHED: {
    en: 'no places are left, not even on the waiting list',
    de: 'es sind keine Plätze mehr frei, auch nicht auf der Warteliste',
  },
  CUSTOMER_ALREADY_BOOKED: {
    en: 'the customer is already booked on this class slot',
    de: 'der Kunde ist für diesen Kurstermin bereits gebucht',
  },
  CUSTOMER_IN_OTHER_BOOKING: {
    en: 'the customer has another booking at that time',
    de: 'der Kunde hat zu dieser Zeit bereits eine andere Buchung',
  },
  DISPLAY_ONLY: { en: 'the class is display only', de: 'der Kurs ist nur zur Ansicht' },
  DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME: {
    en: 'booking for this slot has not opened yet',
    de: 'die Buchung für diesen Termin ist noch nicht freigeschaltet',
  },
  DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME: {
    en: 'booking for this slot has closed',
    de: 'die Buchung für diesen Termin ist bereits geschlossen',
  },
  NOT_AVAILABLE: {
    en: 'this trial offer cannot be booked by leads',
    de: 'dieses Probeangebot ist für Interessenten nicht buchbar',
  },
  BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED: {
    en: 'this trial offer cannot be booked by leads',
    de: 'dieses Probeangebot ist für Interessenten nicht buchbar',
  },
  PAST_START_DATE_TIME: { en: 'the start lies in the past', de: 'der Beginn liegt in der Vergangenheit' },
  END_DATE_TIME_NOT_AFTER_START_DATE_TIME: {
    en: 'the end is not after the start',
    de: 'das Ende liegt nicht nach dem Beginn',
  },
  PERIOD_DOES_NOT_MATCH: {
    en: 'start and end do not match a slot of this appointment',
    de: 'Beginn und Ende passen zu keinem Zeitfenster dieses Termins',
  },
  RESOURCE_NOT_AVAILABLE: {
    en: 'the requested instructor is not available for this slot',
    de: 'die gewünschte Trainer:in ist für diesen Termin nicht verfügbar',
  },
};

export function bookingRefusalReason(status: string): Localized {
  return bookingRefusalReasons[status] ?? { en: status, de: status };
}

export function renderMessage(key: MessageKey, language: Language, params: MessageParams = {}): string {
  const template: Template = messages[key][language];
  const resolved: Params = {};
  for (const [name, value] of Object.entries(params)) {
    resolved[name] = typeof value === 'object' ? value[language] : value;
  }
  return template(resolved);
}

/**
 * Picks de or en from an `Accept-Language` header by its quality values; English when the header
 * is absent or names neither.
 */
export function pickLanguage(header: string | undefined): Language {
  if (!header) return 'en';
  let best: { language: Language; quality: number } | undefined;
  for (const part of header.split(',')) {
    const [tag = '', ...attributes] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (primary !== 'de' && primary !== 'en') continue;
    const qualityAttribute = attributes.map((a) => a.trim()).find((a) => a.startsWith('q='));
    const quality = qualityAttribute ? Number(qualityAttribute.slice(2)) : 1;
    if (!Number.isFinite(quality) || quality <= 0) continue;
    if (!best || quality > best.quality) best = { language: primary, quality };
  }
  return best?.language ?? 'en';
}
