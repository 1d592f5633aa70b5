import { format } from 'date-fns/format';
import { fromZonedTime } from 'date-fns-tz/fromZonedTime';
import { getTimezoneOffset } from 'date-fns-tz/getTimezoneOffset';
import { toZonedTime } from 'date-fns-tz/toZonedTime';

/**
 * A date-time as the studio API writes it: `2022-06-22T08:00:00.000+02:00[Europe/Berlin]`.
 * `Date.parse` cannot read the bracketed zone, and the zone is what the studio displays in, so
 * both are kept. `raw` is the exact text, sent back unchanged where the API asks for it
 * (appointment validate/book take the slot's start and end as given).
 */
export interface ZonedDateTime {
  readonly raw: string;
  /** Milliseconds since the epoch. */
  readonly epochMs: number;
  /** IANA zone from the brackets, when the API gave one. */
  readonly zone?: string;
}

const pattern =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?(?:\[([A-Za-z0-9_+\-/]+)\])?$/;

/** Parses an API date-time; `undefined` when it is not one (including an unknown zone id). */
export function parseZonedDateTime(raw: string): ZonedDateTime | undefined {
  const match = pattern.exec(raw);
  if (!match) return undefined;
  const [, date, hh, mm, ss = '00', fraction = '0', offset, zone] = match;
  if (!offset && !zone) return undefined;
  if (zone !== undefined && !isValidTimeZone(zone)) return undefined;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const local = `${date}T${hh}:${mm}:${ss}.${millis}`;
  const epochMs = offset
    ? Date.parse(`${local}${offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset}`)
    : fromZonedTime(local, zone as string).getTime();
  if (Number.isNaN(epochMs)) return undefined;
  return zone === undefined ? { raw, epochMs } : { raw, epochMs, zone };
}

/**
 * Formats an instant as wall-clock time in `zone` with a date-fns pattern (no zone tokens).
 *
 * date-fns-tz's own `formatInTimeZone` imports the whole date-fns index for one default option,
 * which costs a process some 300 MB of memory; the per-function entry points used here do not.
 */
export function formatInZone(epochMs: number, zone: string, pattern: string): string {
  return format(toZonedTime(epochMs, zone), pattern);
}

/** `+02:00`: the zone's UTC offset at that instant. */
export function utcOffsetText(epochMs: number, zone: string): string {
  const minutes = Math.round(getTimezoneOffset(zone, epochMs) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Writes an instant the way the studio API does, with offset and bracketed zone. */
export function formatZonedDateTime(epochMs: number, zone: string): string {
  return `${formatInZone(epochMs, zone, "yyyy-MM-dd'T'HH:mm:ss.SSS")}${utcOffsetText(epochMs, zone)}[${zone}]`;
}

/** Builds a ZonedDateTime for an instant in a zone (the sandbox and tests make slots with it). */
export function zonedDateTime(epochMs: number, zone: string): ZonedDateTime {
  return { raw: formatZonedDateTime(epochMs, zone), epochMs, zone };
}

const validZones = new Map<string, boolean>();
export function isValidTimeZone(zone: string): boolean {
  let valid = validZones.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    validZones.set(zone, valid);
  }
  return valid;
}
