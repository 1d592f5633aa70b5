/**
 * Every Fluent message the booking flow shows, with the names of its arguments. Views can only
 * name keys from this table (the `Text` type), and a test checks that both locale files define
 * exactly these messages with these variables, so a missing translation fails CI, not a user.
 */

export const messageArguments = {
  // Start and offers
  'start-greeting': ['studio'],
  'start-greeting-no-name': [],
  'offers-choose': [],
  'offers-page': ['page', 'pages'],
  'offers-none': [],
  'offer-button-class': ['title'],
  'offer-button-appointment': ['title'],
  'deep-link-invalid': [],
  'offer-gone': [],
  'offer-no-online-booking': ['offer'],
  'button-previous': [],
  'button-next': [],
  'button-other-offers': [],
  'button-start-over': [],
  'start-over': [],
  // Studio contact
  'studio-contact-intro': [],
  'studio-contact-email': ['email'],
  'studio-contact-telephone': ['telephone'],
  'studio-contact-website': ['website'],
  'studio-contact-address': ['address'],
  'studio-contact-missing': [],
  // Slots
  'slots-header': ['offer'],
  'slots-pick-time': ['day'],
  'slots-waiting-list-note': [],
  'slot-day-free': ['day'],
  'slot-day-waiting-list': ['day'],
  'slot-day-none': ['day'],
  'slot-day-selected': ['day'],
  'slots-day-none-toast': ['day'],
  'slot-button': ['time'],
  'slot-button-waiting-list': ['time'],
  'button-earlier-times': [],
  'button-later-times': [],
  'button-earlier': [],
  'button-later': [],
  'slots-none': ['offer'],
  'slots-none-in-window': ['from', 'to'],
  'slot-gone': [],
  // Lead data
  'lead-intro': ['offer', 'date', 'time'],
  'lead-ask-first-name': [],
  'lead-ask-last-name': [],
  'lead-ask-email': [],
  'lead-ask-gender': [],
  'lead-ask-date-of-birth': [],
  'lead-ask-telephone': [],
  'lead-ask-street': [],
  'lead-ask-address': [],
  'lead-address-understood': ['street', 'number', 'zip', 'city'],
  'lead-address-understood-no-number': ['street', 'zip', 'city'],
  'lead-address-unreadable': [],
  'button-address-ok': [],
  'button-address-in-parts': [],
  'lead-ask-house-number': [],
  'lead-ask-zip-code': [],
  'lead-ask-city': [],
  'lead-optional': [],
  'button-skip': [],
  'button-use-name': ['name'],
  'button-use-full-name': ['name'],
  'button-share-contact': [],
  'gender-female': [],
  'gender-male': [],
  'gender-diverse': [],
  'lead-error-empty': [],
  'lead-error-too-long': ['max'],
  'lead-error-no-letters': [],
  'lead-error-email': [],
  'lead-error-phone': ['example'],
  'lead-error-zip-code': ['min', 'max'],
  'lead-error-zip-code-digits': ['digits'],
  'lead-error-date-format': [],
  'lead-error-date-impossible': [],
  'lead-error-date-future': [],
  'lead-error-date-too-old': ['years'],
  'lead-error-date-too-young': ['years'],
  'lead-error-not-text': [],
  'lead-error-contact-foreign': [],
  'lead-error-contact-invalid': [],
  'lead-error-use-buttons': [],
  'lead-error-required': [],
  'lead-telephone-saved': [],
  'lead-telephone-skipped': [],
  // Summary
  'summary-header': ['offer', 'date', 'time'],
  'summary-waiting-list': [],
  'summary-name': ['first', 'last'],
  'summary-email': ['value'],
  'summary-gender-female': [],
  'summary-gender-male': [],
  'summary-gender-diverse': [],
  'summary-date-of-birth': ['value'],
  'summary-telephone': ['value'],
  'summary-address': ['value'],
  'summary-consent': ['url'],
  'summary-consent-no-link': [],
  'button-book': [],
  'button-cancel': [],
  'edit-first-name': [],
  'edit-last-name': [],
  'edit-email': [],
  'edit-gender': [],
  'edit-date-of-birth': [],
  'edit-telephone': [],
  'edit-address': [],
  'input-use-buttons': [],
  // Lead check at the studio
  'lead-invalid-data': [],
  'lead-duplicate': [],
  'lead-unknown-status': [],
  'button-fix-email': [],
  // Booking validation, one per status
  'booking-status-no-contingent': ['contingent'],
  'booking-status-limit-reached': [],
  'booking-status-already-booked': [],
  'booking-status-customer-idle': [],
  'booking-status-other-booking': [],
  'booking-status-display-only': [],
  'booking-status-too-early': [],
  'booking-status-too-late': [],
  'booking-status-studio-closed': [],
  'booking-status-not-available': [],
  'booking-status-past-start': [],
  'booking-status-end-before-start': [],
  'booking-status-period-mismatch': [],
  'booking-status-restrictions': [],
  'booking-status-resource-unavailable': [],
  'booking-status-unknown': [],
  // Booking result
  'booking-success': ['offer', 'date', 'time'],
  'booking-detail-location': ['location'],
  'booking-detail-studio': ['place'],
  'booking-detail-room': ['room', 'note'],
  'booking-detail-instructors': ['names'],
  'booking-calendar-caption': ['offer'],
  'booking-waiting-list': ['offer', 'date', 'time'],
  'booking-confirm-required': ['offer', 'date', 'time', 'deadline'],
  'booking-confirm-required-no-deadline': ['offer', 'date', 'time'],
  'booking-canceled': [],
  'booking-unknown-status': [],
  'booking-existing': ['date', 'time'],
  'booking-existing-waiting-list': ['date', 'time'],
  'booking-busy': [],
  'button-confirm': [],
  'button-book-another': [],
  'button-book-again': [],
  // Confirmation
  'confirm-done': ['offer', 'date', 'time'],
  'confirm-done-short': [],
  'confirm-expired': [],
  'confirm-not-yours': [],
  'confirm-already-confirmed': [],
  'confirm-in-progress': [],
  'confirm-unknown-status': [],
  // Errors and stale buttons
  'error-studio-unavailable': [],
  'error-studio-failed': [],
  'button-try-again': [],
  'callback-outdated': [],
  'working-wait': [],
  // Commands
  help: [],
  'cancel-done': [],
  'idle-hint': [],
  'button-show-offers': [],
  'language-choose': [],
  'language-set': [],
  'language-name-en': [],
  'language-name-de': [],
  'forget-done': [],
} as const satisfies Record<string, readonly string[]>;

export type MessageKey = keyof typeof messageArguments;
export const messageKeys = Object.keys(messageArguments) as MessageKey[];

export type MessageArgs = Record<string, string | number>;

type ArgumentNames<K extends MessageKey> = (typeof messageArguments)[K][number];

/** A message key with exactly the arguments it needs. */
export type Text = {
  [K in MessageKey]: [ArgumentNames<K>] extends [never]
    ? { key: K; args?: undefined }
    : { key: K; args: Record<ArgumentNames<K>, string | number> };
}[MessageKey];

/** Builds a `Text`; the compiler checks the arguments against the table above. */
export function text<K extends MessageKey>(
  key: K,
  ...args: [ArgumentNames<K>] extends [never] ? [] : [Record<ArgumentNames<K>, string | number>]
): Text {
  return (args.length === 0 ? { key } : { key, args: args[0] }) as Text;
}
