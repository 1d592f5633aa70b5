import { describe, expect, test } from 'vitest';
import { decodeStartPayload, encodeStartPayload, type StartPayload } from '../../src/booking/deep-link.ts';

describe('start payloads', () => {
  test.each<[StartPayload, string]>([
    [{ kind: 'class', id: 1001 }, 'c1001'],
    [{ kind: 'appointment', id: 7 }, 'a7'],
    [{ kind: 'config', id: 3, campaign: 'poster' }, 'o3_poster'],
    [{ kind: 'class', id: 1001, campaign: 'summer-26' }, 'c1001_summer-26'],
  ])('%o is written as %s and read back', (payload, encoded) => {
    expect(encodeStartPayload(payload)).toBe(encoded);
    expect(decodeStartPayload(encoded)).toEqual(payload);
  });

  test('the longest payload stays within what Telegram passes (64 characters of [A-Za-z0-9_-])', () => {
    const encoded = encodeStartPayload({
      kind: 'class',
      id: Number.MAX_SAFE_INTEGER,
      campaign: 'a'.repeat(24),
    });
    expect(encoded.length).toBeLessThanOrEqual(64);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeStartPayload(encoded)).toEqual({
      kind: 'class',
      id: Number.MAX_SAFE_INTEGER,
      campaign: 'a'.repeat(24),
    });
  });

  test.each([
    '',
    'x1001',
    'c',
    'c0',
    'c01',
    'c-5',
    'c10.5',
    'C1001',
    'c1001_',
    'c1001_Poster',
    'c1001_poster_two',
    `c1001_${'a'.repeat(25)}`,
    'c99999999999999999',
    'o3 poster',
    'c1001\n',
  ])('%j is not a payload', (text) => {
    expect(decodeStartPayload(text)).toBeUndefined();
  });

  test('a bad campaign tag or id is refused when building a link, so no broken link gets printed', () => {
    expect(() => encodeStartPayload({ kind: 'class', id: 1, campaign: 'Poster!' })).toThrow(RangeError);
    expect(() => encodeStartPayload({ kind: 'class', id: 1, campaign: 'a'.repeat(25) })).toThrow(RangeError);
    expect(() => encodeStartPayload({ kind: 'class', id: 0 })).toThrow(RangeError);
    expect(() => encodeStartPayload({ kind: 'config', id: 1.5 })).toThrow(RangeError);
  });
});
