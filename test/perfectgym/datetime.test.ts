import { describe, expect, it } from 'vitest';
import { formatInZone, formatZonedDateTime, parseZonedDateTime } from '../../src/perfectgym/datetime.ts';

describe('API date-times', () => {
  it('reads the documented form with offset and bracketed zone', () => {
    const parsed = parseZonedDateTime('2022-06-22T08:00:00.000+02:00[Europe/Berlin]');
    expect(parsed).toEqual({
      raw: '2022-06-22T08:00:00.000+02:00[Europe/Berlin]',
      epochMs: Date.UTC(2022, 5, 22, 6, 0, 0),
      zone: 'Europe/Berlin',
    });
  });

  it('reads a plain UTC instant and a zone without offset', () => {
    expect(parseZonedDateTime('2019-08-24T14:15:22Z')?.epochMs).toBe(Date.UTC(2019, 7, 24, 14, 15, 22));
    expect(parseZonedDateTime('2022-01-10T09:30[Europe/Berlin]')?.epochMs).toBe(Date.UTC(2022, 0, 10, 8, 30));
  });

  it('refuses what is not an API date-time', () => {
    for (const raw of [
      '2022-06-22',
      'yesterday',
      '2022-06-22T08:00:00',
      '2022-06-22T08:00:00+02:00[Mars/Base]',
    ]) {
      expect(parseZonedDateTime(raw)).toBeUndefined();
    }
  });

  it('writes winter and summer time with the right offset and reads them back', () => {
    const winter = Date.UTC(2030, 0, 15, 9, 0);
    const summer = Date.UTC(2030, 6, 15, 9, 0);
    expect(formatZonedDateTime(winter, 'Europe/Berlin')).toBe('2030-01-15T10:00:00.000+01:00[Europe/Berlin]');
    expect(formatZonedDateTime(summer, 'Europe/Berlin')).toBe('2030-07-15T11:00:00.000+02:00[Europe/Berlin]');
    expect(formatZonedDateTime(summer, 'America/St_Johns')).toBe(
      '2030-07-15T06:30:00.000-02:30[America/St_Johns]',
    );
    for (const epochMs of [winter, summer]) {
      expect(parseZonedDateTime(formatZonedDateTime(epochMs, 'Europe/Berlin'))?.epochMs).toBe(epochMs);
    }
  });

  it('formats wall-clock time in the studio zone, across the DST change', () => {
    // 2030-03-31 is the spring-forward night in Berlin: 02:00 becomes 03:00.
    expect(formatInZone(Date.UTC(2030, 2, 31, 0, 59), 'Europe/Berlin', 'yyyy-MM-dd HH:mm')).toBe(
      '2030-03-31 01:59',
    );
    expect(formatInZone(Date.UTC(2030, 2, 31, 1, 0), 'Europe/Berlin', 'yyyy-MM-dd HH:mm')).toBe(
      '2030-03-31 03:00',
    );
  });
});
