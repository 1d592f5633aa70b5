import { describe, expect, test } from 'vitest';
import { buildIcs, escapeIcsText, foldIcsLine } from '../../src/booking/ics.ts';

describe('calendar file', () => {
  const ics = buildIcs({
    uid: 'trial-booking-9001@trialgram',
    createdMs: Date.parse('2026-06-15T08:00:05.123Z'),
    startMs: Date.parse('2026-06-16T08:00:00Z'),
    endMs: Date.parse('2026-06-16T09:00:00Z'),
    summary: 'Yoga, Flow; for beginners',
    location: 'Room 1\nBurgring 23A',
    description: 'With: Lena Berg',
  });

  test('is one VEVENT in a VCALENDAR with CRLF line endings and UTC times', () => {
    const lines = ics.split('\r\n');
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(lines).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//trialgram//trial booking//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'BEGIN:VEVENT',
      'UID:trial-booking-9001@trialgram',
      'DTSTAMP:20260615T080005Z',
      'DTSTART:20260616T080000Z',
      'DTEND:20260616T090000Z',
      'SUMMARY:Yoga\\, Flow\\; for beginners',
      'LOCATION:Room 1\\nBurgring 23A',
      'DESCRIPTION:With: Lena Berg',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]);
  });

  test('GEO carries the coordinates as latitude;longitude, after LOCATION', () => {
    const located = buildIcs({
      uid: 'u',
      createdMs: 0,
      startMs: 0,
      summary: 's',
      location: 'Studio',
      geo: { latitude: 52.5386, longitude: 13.4093 },
    });
    expect(located.split('\r\n').slice(10, 12)).toEqual(['LOCATION:Studio', 'GEO:52.5386;13.4093']);
  });

  test('text escaping covers backslash, semicolon, comma and line breaks', () => {
    expect(escapeIcsText('a\\b;c,d\r\ne\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
  });

  test('long lines are folded at 75 octets without splitting a UTF-8 character', () => {
    const line = `SUMMARY:${'Übung '.repeat(30)}`;
    const folded = foldIcsLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
    for (const part of parts.slice(1)) expect(part.startsWith(' ')).toBe(true);
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
  });

  test('an event without end has no DTEND', () => {
    expect(buildIcs({ uid: 'u', createdMs: 0, startMs: 0, summary: 's' })).not.toContain('DTEND');
  });
});
