import { describe, expect, test } from 'vitest';
import {
  decodeStartLink,
  decodeStartPayload,
  encodeStartLink,
  encodeStartPayload,
  type StartLink,
  type StartPayload,
} from '../../src/booking/deep-link.ts';

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

describe('start payloads of a studio chain', () => {
  test.each<[StartLink, string]>([
    [{ kind: 'class', id: 101, studio: 'hamburg' }, 's-hamburg_c101'],
    [{ kind: 'appointment', id: 201, studio: 'lisboa', campaign: 'insta' }, 's-lisboa_a201_insta'],
    [
      { kind: 'config', id: 1, studio: 'berlin-mitte-2', campaign: 'summer-26' },
      's-berlin-mitte-2_o1_summer-26',
    ],
    [{ studio: 'hamburg' }, 's-hamburg'],
    [{ studio: 'hamburg', campaign: 'poster' }, 's-hamburg_poster'],
    [{ studio: 'x', campaign: 'c-101' }, 's-x_c-101'],
  ])('%o is written as %s and read back', (link, encoded) => {
    expect(encodeStartLink(link)).toBe(encoded);
    expect(decodeStartLink(encoded)).toEqual(link);
  });

  test.each<[string, StartLink]>([
    ['c101', { kind: 'class', id: 101 }],
    ['a201_poster', { kind: 'appointment', id: 201, campaign: 'poster' }],
    ['o3', { kind: 'config', id: 3 }],
  ])('the single-studio payload %s still reads, as the first studio (no studio part)', (text, link) => {
    expect(decodeStartLink(text)).toEqual(link);
    expect(decodeStartPayload(text)).toEqual(link);
  });

  test('an offer of a studio reads as a start payload too, a studio-only link does not', () => {
    expect(decodeStartPayload('s-hamburg_c101_poster')).toEqual({
      kind: 'class',
      id: 101,
      studio: 'hamburg',
      campaign: 'poster',
    });
    expect(decodeStartPayload('s-hamburg')).toBeUndefined();
  });

  test('the longest chain payload stays within 64 characters of [A-Za-z0-9_-]', () => {
    const link = {
      kind: 'class',
      id: Number.MAX_SAFE_INTEGER,
      studio: 'a'.repeat(16),
      campaign: 'b'.repeat(24),
    } as const;
    const encoded = encodeStartLink(link);
    expect(encoded.length).toBeLessThanOrEqual(64);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeStartLink(encoded)).toEqual(link);
  });

  test.each([
    's-',
    's-_c101',
    's--x_c101',
    's-x-_c101',
    's-Hamburg_c101',
    `s-${'a'.repeat(17)}_c101`,
    's-hamburg_',
    's-hamburg_c0',
    's-hamburg_c101_',
    's-hamburg_c101_Poster',
    's-hamburg_c101_poster_two',
    's-hamburg_poster_c101',
    's-hamburg_s-berlin_c101',
    'S-hamburg_c101',
    's_hamburg_c101',
  ])('%j is not a payload', (text) => {
    expect(decodeStartLink(text)).toBeUndefined();
    expect(decodeStartPayload(text)).toBeUndefined();
  });

  test('a bad studio id, or a studio-link campaign that reads as an offer, is refused when building a link', () => {
    expect(() => encodeStartLink({ kind: 'class', id: 1, studio: 'Hamburg' })).toThrow(RangeError);
    expect(() => encodeStartLink({ studio: 'a'.repeat(17) })).toThrow(RangeError);
    expect(() => encodeStartLink({ studio: 'hamburg', campaign: 'c101' })).toThrow(/reads as an offer/);
  });
});
