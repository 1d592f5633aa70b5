/**
 * A one-event iCalendar file (RFC 5545) for a booked trial, so the prospect can put it in their
 * calendar with one tap. Times are written in UTC (`...Z`), which every calendar app converts to
 * the viewer's zone without needing a VTIMEZONE block.
 */

export interface CalendarEvent {
  /** Globally unique and stable for the booking, so re-importing updates instead of duplicating. */
  uid: string;
  /** When the file was made (DTSTAMP). */
  createdMs: number;
  startMs: number;
  /** Without an end, the event is a point in time (RFC 5545 3.6.1). */
  endMs?: number | undefined;
  summary: string;
  location?: string | undefined;
  /** Where the event takes place (GEO, RFC 5545 3.8.1.6). */
  geo?: { latitude: number; longitude: number } | undefined;
  description?: string | undefined;
}

/** `20260622T060000Z` */
export function formatIcsUtc(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Escapes TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks. */
export function escapeIcsText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** UTF-8 octets of one character (a code point), without encoding it. */
function utf8Octets(char: string): number {
  const codePoint = char.codePointAt(0) ?? 0;
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * Folds a content line at 75 octets (RFC 5545 3.1): continuation lines start with one space. Cuts
 * only between characters, never inside a multi-byte UTF-8 sequence.
 */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let currentOctets = 0;
  for (const char of line) {
    const octets = utf8Octets(char);
    // The first line holds 75 octets; continuation lines 74 plus their leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (currentOctets + octets > limit) {
      parts.push(current);
      current = '';
      currentOctets = 0;
    }
    current += char;
    currentOctets += octets;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** Builds the .ics text, CRLF line endings throughout. */
export function buildIcs(event: CalendarEvent): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//trialgram//trial booking//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeIcsText(event.uid)}`,
    `DTSTAMP:${formatIcsUtc(event.createdMs)}`,
    `DTSTART:${formatIcsUtc(event.startMs)}`,
    ...(event.endMs === undefined ? [] : [`DTEND:${formatIcsUtc(event.endMs)}`]),
    `SUMMARY:${escapeIcsText(event.summary)}`,
    ...(event.location ? [`LOCATION:${escapeIcsText(event.location)}`] : []),
    ...(event.geo ? [`GEO:${event.geo.latitude};${event.geo.longitude}`] : []),
    ...(event.description ? [`DESCRIPTION:${escapeIcsText(event.description)}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldIcsLine).join('\r\n')}\r\n`;
}
