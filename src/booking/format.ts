/**
 * Dates and times as the prospect reads them: in the studio's time zone (where the class takes
 * place), in the prospect's language. The flow formats these itself and hands the adapter finished
 * strings, so a message renders the same wherever the bot runs.
 */
import type { SupportedLocale } from '../config.ts';
import { remembered } from './remembered.ts';

// British English writes day before month, like the studios' own countries.
const localeTags: Record<SupportedLocale, string> = { en: 'en-GB', de: 'de-DE' };

/** A date format with the texts it wrote last, by instant. */
interface RememberingFormat {
  format(epochMs: number): string;
}

const formatters = new Map<string, RememberingFormat>();

/**
 * How many texts each format keeps: every prospect is shown the same slots' days and times, so
 * most instants come again and again (an `Intl` format was about 1.5 % of the bot's CPU).
 */
const rememberedTexts = 2048;

/** `name` stands for `options` in the cache key (no JSON of the options per call). */
function formatter(
  locale: SupportedLocale,
  zone: string,
  name: string,
  options: Intl.DateTimeFormatOptions,
): RememberingFormat {
  const key = `${locale}|${zone}|${name}`;
  let found = formatters.get(key);
  if (!found) {
    const format = new Intl.DateTimeFormat(localeTags[locale], { ...options, timeZone: zone });
    found = { format: remembered(rememberedTexts, (epochMs: number) => format.format(epochMs)) };
    formatters.set(key, found);
  }
  return found;
}

/** "Mon 22 Jun" / "Mo., 22. Juni": a short day label for slot buttons and day headings. */
export function formatShortDay(epochMs: number, zone: string, locale: SupportedLocale): string {
  return formatter(locale, zone, 'shortDay', { weekday: 'short', day: 'numeric', month: 'short' }).format(
    epochMs,
  );
}

/** "Mon 22" / "Mo., 22.": a day button of the slot picker (the message names the month). */
export function formatDayButton(day: number, locale: SupportedLocale): string {
  return formatter(locale, 'UTC', 'dayButton', { weekday: 'short', day: 'numeric' }).format(
    day * 86_400_000 + 43_200_000,
  );
}

/** "Monday, 22 June 2026" / "Montag, 22. Juni 2026". */
export function formatLongDate(epochMs: number, zone: string, locale: SupportedLocale): string {
  return formatter(locale, zone, 'longDate', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(epochMs);
}

/** "08:00", 24-hour clock in both languages. */
export function formatTime(epochMs: number, zone: string, locale: SupportedLocale): string {
  return formatter(locale, zone, 'time', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    epochMs,
  );
}

/** "22/06/2026" / "22.06.2026" for a yyyy-MM-dd calendar date (a date of birth has no zone). */
export function formatCalendarDate(iso: string, locale: SupportedLocale): string {
  return formatter(locale, 'UTC', 'calendarDate', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(Date.parse(`${iso}T00:00:00Z`));
}
