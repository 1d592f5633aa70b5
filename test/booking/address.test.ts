import { describe, expect, test } from 'vitest';
import { parseAddress } from '../../src/booking/address.ts';
import { checkZipCode } from '../../src/booking/lead-fields.ts';

describe('an address typed in one answer', () => {
  test.each([
    [
      'Torstraße 119, 10119 Berlin',
      { street: 'Torstraße', houseNumber: '119', zipCode: '10119', city: 'Berlin' },
    ],
    ['Torstr. 119 10119 Berlin', { street: 'Torstr.', houseNumber: '119', zipCode: '10119', city: 'Berlin' }],
    [
      'Oderberger Str. 5 a, 10435 Berlin',
      { street: 'Oderberger Str.', houseNumber: '5a', zipCode: '10435', city: 'Berlin' },
    ],
    [
      'Straße des 17. Juni 135, 10623 Berlin',
      { street: 'Straße des 17. Juni', houseNumber: '135', zipCode: '10623', city: 'Berlin' },
    ],
    [
      'Am Markt 12-14, 06108 Halle (Saale)',
      { street: 'Am Markt', houseNumber: '12-14', zipCode: '06108', city: 'Halle (Saale)' },
    ],
    [
      '60311 Frankfurt am Main, Zeil 1',
      { street: 'Zeil', houseNumber: '1', zipCode: '60311', city: 'Frankfurt am Main' },
    ],
    ['Kastanienallee, 10435 Berlin', { street: 'Kastanienallee', zipCode: '10435', city: 'Berlin' }],
  ])('in Germany: %s', (typed, parts) => {
    expect(parseAddress(typed, 'DE')).toEqual(parts);
  });

  test('other countries are read in their own postcode forms', () => {
    expect(parseAddress('Mariahilfer Straße 1, 1060 Wien', 'AT')).toEqual({
      street: 'Mariahilfer Straße',
      houseNumber: '1',
      zipCode: '1060',
      city: 'Wien',
    });
    expect(parseAddress('Damrak 1, 1012 LG Amsterdam', 'NL')).toMatchObject({
      zipCode: '1012 LG',
      city: 'Amsterdam',
    });
    expect(parseAddress('10 Downing Street, London SW1A 2AA', 'GB')).toEqual({
      street: 'Downing Street',
      houseNumber: '10',
      zipCode: 'SW1A 2AA',
      city: 'London',
    });
    expect(parseAddress('ul. Marszałkowska 10, 00-590 Warszawa', 'PL')).toMatchObject({ zipCode: '00-590' });
    // A studio whose country is unknown takes any usual form.
    expect(parseAddress('Damrak 1, 1012 LG Amsterdam', undefined)).toMatchObject({
      zipCode: '1012 LG',
      city: 'Amsterdam',
    });
    expect(parseAddress('Bahnhofstrasse 1, 8001 Zürich', undefined)).toMatchObject({
      zipCode: '8001',
      city: 'Zürich',
    });
  });

  test.each([
    'Torstraße 119',
    'Berlin',
    'Torstraße 119, 1011 Berlin', // four digits: not a German postcode
    '10119 Berlin',
    'near the park',
    '',
  ])('gives up on %o in Germany, so the four questions are asked', (typed) => {
    expect(parseAddress(typed, 'DE')).toBeUndefined();
  });

  test('a German studio wants five-digit postcodes; elsewhere other forms pass', () => {
    expect(checkZipCode('1011', 'DE')).toEqual({ ok: false, problem: { kind: 'zipCodeDigits', digits: 5 } });
    expect(checkZipCode('10119', 'DE')).toEqual({ ok: true, value: '10119' });
    expect(checkZipCode('1060', 'AT')).toEqual({ ok: true, value: '1060' });
    expect(checkZipCode('SW1A 2AA', 'GB')).toEqual({ ok: true, value: 'SW1A 2AA' });
    expect(checkZipCode('1060', undefined)).toEqual({ ok: true, value: '1060' });
  });
});
