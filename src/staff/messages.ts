/**
 * Every Fluent message of the staff tools, with the names of its arguments; a test checks that
 * both locale files define exactly these `staff-` messages with these variables.
 *
 * Links never go through Fluent: translations may wrap arguments in Unicode isolation marks, and
 * a link copied with those marks into an Instagram bio no longer opens the bot.
 *
 * The texts are sent as HTML. Markup and escaping are the code's job: arguments arrive escaped
 * (and bold where they should be), so the translations hold plain text without `<`, `>` or `&`.
 * Ids are passed as strings, because Fluent would print the number 1001 as "1,001".
 */

export const staffMessageArguments = {
  // /links
  'staff-command-links': [],
  'staff-links-title': ['count'],
  'staff-links-campaign': ['campaign'],
  'staff-links-hint': [],
  'staff-links-line-class': ['title'],
  'staff-links-line-appointment': ['title'],
  'staff-links-line-config': ['title'],
  'staff-links-button-class': ['title'],
  'staff-links-button-appointment': ['title'],
  'staff-links-button-config': ['title'],
  'staff-links-none': [],
  'staff-links-failed': [],
  'staff-links-campaign-invalid': [],
  'staff-links-studio': ['studio'],
  'staff-links-studios-title': ['count'],
  'staff-links-studios-hint': [],
  'staff-links-studio-line': ['studio'],
  'staff-links-studio-button': ['studio'],
  'staff-links-studio-unknown': ['studios'],
  'staff-qr-refused': [],
  'staff-qr-outdated': [],
  'staff-qr-failed': [],
  // Notices
  'staff-notice-lead-created': [],
  'staff-notice-booked': [],
  'staff-notice-confirmed': [],
  'staff-notice-expired': [],
  'staff-notice-cant-make': [],
  'staff-notice-studio': ['studio'],
  'staff-notice-offer-class': ['offer', 'id'],
  'staff-notice-offer-appointment': ['offer', 'id'],
  'staff-notice-offer-unknown': ['offer'],
  'staff-notice-slot': ['slot'],
  'staff-notice-name': ['name'],
  'staff-notice-fields': ['fields'],
  'staff-notice-campaign': ['campaign'],
  'staff-notice-no-campaign': [],
  'staff-notice-status': ['status'],
  'staff-notice-lead-id': ['id'],
  'staff-notice-booking-id': ['id'],
  // Lost answers
  'staff-notice-booking-unknown': [],
  'staff-notice-lead-unknown': [],
  'staff-notice-confirm-unknown': [],
  'staff-notice-telegram-user': ['id'],
  'staff-notice-email': ['email'],
  'staff-notice-attempt': ['id'],
  'staff-notice-booking-found': [],
  'staff-notice-lead-found': [],
  'staff-notice-not-made': [],
  'staff-notice-unclear': [],
  'staff-notice-unchecked': [],
  'staff-notice-confirm-check': [],
  // Lead field names in notices
  'staff-field-first-name': [],
  'staff-field-last-name': [],
  'staff-field-email': [],
  'staff-field-gender': [],
  'staff-field-date-of-birth': [],
  'staff-field-telephone': [],
  'staff-field-street': [],
  'staff-field-house-number': [],
  'staff-field-zip-code': [],
  'staff-field-city': [],
} as const satisfies Record<string, readonly string[]>;

export type StaffMessageKey = keyof typeof staffMessageArguments;
export const staffMessageKeys = Object.keys(staffMessageArguments) as StaffMessageKey[];

/** A translation function for one locale, e.g. `(key, args) => translator.t(locale, key, args)`. */
export type Translate = (key: StaffMessageKey, args?: Record<string, string | number>) => string;

/** For text sent with `parse_mode: 'HTML'`: the three characters Telegram requires escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
