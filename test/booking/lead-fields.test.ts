import { describe, expect, test } from 'vitest';
import {
  ageOn,
  checkCity,
  checkDateOfBirth,
  checkEmail,
  checkHouseNumber,
  checkName,
  checkSharedPhoneNumber,
  checkStreet,
  checkTelephone,
  checkZipCode,
  emailForStudio,
  type FieldCheck,
  isolated,
  type LeadInputProblem,
  withoutInvisibles,
} from '../../src/booking/lead-fields.ts';
import { formatPhoneInternational, phoneRegionOf } from '../../src/booking/phone.ts';

const today = '2026-06-15';
const accepted = (value: string): FieldCheck => ({ ok: true, value });
const rejected = (problem: LeadInputProblem): FieldCheck => ({ ok: false, problem });

describe('e-mail', () => {
  test.each([
    ['anna@example.com', 'anna@example.com'],
    ['  Anna.Schmidt+trial@Example.COM ', 'Anna.Schmidt+trial@example.com'],
    ["o'neil@mail.co.uk", "o'neil@mail.co.uk"],
    // Internationalised domains, kept in Unicode and lower case; the studio gets punycode.
    ['a@münchen.de', 'a@münchen.de'],
    ['a@MÜNCHEN.de', 'a@münchen.de'],
    ['a@xn--mnchen-3ya.de', 'a@münchen.de'],
    ['info@пример.рф', 'info@пример.рф'],
    ['anna\u200B@example.com', 'anna@example.com'],
  ])('%j is accepted as %j', (input, value) => {
    expect(checkEmail(input)).toEqual(accepted(value));
  });

  test.each([
    ['a@münchen.de', 'a@xn--mnchen-3ya.de'],
    ['info@пример.рф', 'info@xn--e1afmkfd.xn--p1ai'],
    ['anna@example.com', 'anna@example.com'],
  ])('%j goes to the studio as %j', (input, studio) => {
    const check = checkEmail(input);
    expect(check.ok && emailForStudio(check.value)).toBe(studio);
  });

  test.each([
    'anna',
    'anna@',
    '@example.com',
    'anna@example',
    'anna@@example.com',
    'an na@example.com',
    'anna@example.c',
    'anna.@example.com',
    '.anna@example.com',
    'anna..s@example.com',
    'anna@-example.com',
    'anna@example.com.',
    'anna@exa mple.com',
    'anna@münchen..de',
    'anna@münchen',
    'änna@example.com',
  ])('%j is not an e-mail address', (input) => {
    expect(checkEmail(input)).toEqual(rejected({ kind: 'email' }));
  });

  test('empty and over-long addresses get their own hints', () => {
    expect(checkEmail('   ')).toEqual(rejected({ kind: 'empty' }));
    expect(checkEmail(`${'a'.repeat(95)}@example.com`)).toEqual(rejected({ kind: 'tooLong', max: 100 }));
  });
});

describe('telephone', () => {
  const phoneProblem = (example: string) => rejected({ kind: 'phone', example });
  const germanExample = '01512 3456789';

  test.each([
    ['0151 12345678', '+4915112345678'],
    ['+49 (0) 170 1234567', '+491701234567'],
    ['+49 170 1234567', '+491701234567'],
    ['0170/123 45-67', '+491701234567'],
    ['0049 (30) 123456', '+4930123456'],
    ['030 / 440-211 80', '+493044021180'],
    ['+43 664 1234567', '+436641234567'],
    ['+49 30 123456789 01', '+493012345678901'],
    ['\u202D0151 12345678\u202C', '+4915112345678'],
  ])('in a German studio %j is sent as %j', (input, value) => {
    expect(checkTelephone(input, 'DE')).toEqual(accepted(value));
  });

  test.each([
    '15.06.1990',
    '2026-12-01',
    '31/12/1990',
    '12345',
    '123456',
    '+123456789012345',
    // Valid to the metadata, but 16 digits: longer than E.164 allows.
    '+49 30 123456789012',
    '+1 555 555 1234',
    'call me',
    '0170 12345 ext 9',
    '49+1701234567',
    '++491701234567',
    '+',
  ])('%j is not a phone number', (input) => {
    expect(checkTelephone(input, 'DE')).toEqual(phoneProblem(germanExample));
  });

  test('an Austrian studio reads national numbers as Austrian ones, and its hint shows one', () => {
    expect(checkTelephone('0664 1234567', 'AT')).toEqual(accepted('+436641234567'));
    // The same digits are a landline in Hessen to a German studio.
    expect(checkTelephone('0664 1234567', 'DE')).toEqual(accepted('+496641234567'));
    expect(checkTelephone('15.06.1990', 'AT')).toEqual(phoneProblem('0664 123456'));
    expect(checkTelephone('+49 151 12345678', 'AT')).toEqual(accepted('+4915112345678'));
  });

  test('a shared Telegram contact is read as an international number, with or without "+"', () => {
    expect(checkSharedPhoneNumber('491761234567')).toEqual(accepted('+491761234567'));
    expect(checkSharedPhoneNumber('+491761234567')).toEqual(accepted('+491761234567'));
    expect(checkSharedPhoneNumber('436641234567')).toEqual(accepted('+436641234567'));
    expect(checkSharedPhoneNumber('15555551234')).toEqual(rejected({ kind: 'sharedPhone' }));
  });

  test('the summary shows the number in international format', () => {
    expect(formatPhoneInternational('+4915112345678')).toBe('+49 1511 2345678');
    expect(formatPhoneInternational('+436641234567')).toBe('+43 664 1234567');
  });

  test('DEFAULT_PHONE_REGION wins over the studio country, which wins over DE', () => {
    expect(phoneRegionOf('CH', 'AT')).toBe('CH');
    expect(phoneRegionOf(undefined, 'AT')).toBe('AT');
    expect(phoneRegionOf(undefined, 'at')).toBe('AT');
    expect(phoneRegionOf(undefined, 'Austria')).toBe('DE');
    expect(phoneRegionOf(undefined, undefined)).toBe('DE');
  });
});

describe('date of birth', () => {
  test.each([
    ['31.12.1990', '1990-12-31'],
    ['31/12/1990', '1990-12-31'],
    ['1990-12-31', '1990-12-31'],
    ['1.2.1990', '1990-02-01'],
    ['29.02.2000', '2000-02-29'],
    [' 15.06.2026 ', '2026-06-15'],
    // 120 years old is still accepted; one day more is not.
    ['16.06.1905', '1905-06-16'],
  ])('%j is read as %s', (input, value) => {
    expect(checkDateOfBirth(input, today, 0)).toEqual(accepted(value));
  });

  test.each<[string, LeadInputProblem]>([
    ['31.02.1990', { kind: 'dateImpossible' }],
    ['29.02.1999', { kind: 'dateImpossible' }],
    ['1990-13-01', { kind: 'dateImpossible' }],
    ['00.01.1990', { kind: 'dateImpossible' }],
    ['16.06.2026', { kind: 'dateInFuture' }],
    ['2030-01-01', { kind: 'dateInFuture' }],
    ['15.06.1905', { kind: 'dateTooLongAgo', maxYears: 120 }],
    ['01.01.1850', { kind: 'dateTooLongAgo', maxYears: 120 }],
    ['31.12.90', { kind: 'dateFormat' }],
    ['12/31/1990 10:00', { kind: 'dateFormat' }],
    ['yesterday', { kind: 'dateFormat' }],
    ['', { kind: 'empty' }],
  ])('%j is refused: %o', (input, problem) => {
    expect(checkDateOfBirth(input, today, 0)).toEqual(rejected(problem));
  });

  test('a date of birth younger than the minimum age is refused, the birthday itself counts', () => {
    expect(checkDateOfBirth('01.12.2025', today, 14)).toEqual(
      rejected({ kind: 'dateTooYoung', minYears: 14 }),
    );
    expect(checkDateOfBirth('15.06.2026', today, 14)).toEqual(
      rejected({ kind: 'dateTooYoung', minYears: 14 }),
    );
    expect(checkDateOfBirth('16.06.2012', today, 14)).toEqual(
      rejected({ kind: 'dateTooYoung', minYears: 14 }),
    );
    expect(checkDateOfBirth('15.06.2012', today, 14)).toEqual(accepted('2012-06-15'));
    expect(checkDateOfBirth('01.12.2025', today, 0)).toEqual(accepted('2025-12-01'));
  });

  test('age counts full years', () => {
    expect(ageOn('1990-06-16', '2026-06-15')).toBe(35);
    expect(ageOn('1990-06-15', '2026-06-15')).toBe(36);
  });
});

describe('names and address', () => {
  test('names are tidied and capped at 50 characters, and must contain letters', () => {
    expect(checkName('  Anna   Maria\n', 'firstName')).toEqual(accepted('Anna Maria'));
    expect(checkName("D'Artagnan-Müller", 'lastName')).toEqual(accepted("D'Artagnan-Müller"));
    expect(checkName('x'.repeat(50), 'firstName')).toEqual(accepted('x'.repeat(50)));
    expect(checkName('x'.repeat(51), 'firstName')).toEqual(rejected({ kind: 'tooLong', max: 50 }));
    expect(checkName('12345', 'lastName')).toEqual(rejected({ kind: 'noLetters' }));
    expect(checkName('  ', 'lastName')).toEqual(rejected({ kind: 'empty' }));
    expect(checkName('An\u0000na', 'firstName')).toEqual(rejected({ kind: 'noLetters' }));
  });

  test.each([
    ['Anna\u202Eevil', 'Annaevil'],
    ['\u202Bأحمد\u202C', 'أحمد'],
    ['An\u200Bna', 'Anna'],
    ['\uFEFFAnna', 'Anna'],
    ['An\u2066na\u2069 \u200EMaria\u200F', 'Anna Maria'],
    ['Anna\u00AD', 'Anna'],
    // A zero-width non-joiner inside a Persian name is part of its spelling.
    ['مه\u200Cناز', 'مه\u200Cناز'],
    ['\u200CAnna\u200D', 'Anna'],
  ])('bidi controls and zero-width characters are dropped: %j becomes %j', (input, value) => {
    expect(checkName(input, 'firstName')).toEqual(accepted(value));
    expect(withoutInvisibles(input)).toBe(value);
  });

  test('a name of nothing but invisible characters is empty', () => {
    expect(checkName('\u202E\u200B\uFEFF', 'lastName')).toEqual(rejected({ kind: 'empty' }));
    expect(checkCity('\u200B')).toEqual(rejected({ kind: 'empty' }));
  });

  test('every typed field drops them', () => {
    expect(checkStreet('Burg\u202Ering')).toEqual(accepted('Burgring'));
    expect(checkHouseNumber('23\u200BA')).toEqual(accepted('23A'));
    expect(checkZipCode('130\u200B00')).toEqual(accepted('13000'));
    expect(checkCity('Ber\u2067lin')).toEqual(accepted('Berlin'));
    expect(checkDateOfBirth('31.12.\u202E1990', today, 14)).toEqual(accepted('1990-12-31'));
  });

  test('lengths count as the stored state does: an emoji counts two', () => {
    expect(checkName(`A${'😀'.repeat(24)}`, 'firstName')).toEqual(accepted(`A${'😀'.repeat(24)}`));
    expect(checkName(`A${'😀'.repeat(25)}`, 'firstName')).toEqual(rejected({ kind: 'tooLong', max: 50 }));
  });

  test('right-to-left values are isolated where they are shown, left-to-right ones are left alone', () => {
    expect(isolated('שרה')).toBe('\u2068שרה\u2069');
    expect(isolated('أحمد')).toBe('\u2068أحمد\u2069');
    expect(isolated('Anna-Lena Müller')).toBe('Anna-Lena Müller');
    expect(isolated('Ελένη')).toBe('Ελένη');
  });

  test('street up to 100, house number up to 10, city up to 50 characters', () => {
    expect(checkStreet('Burgring')).toEqual(accepted('Burgring'));
    expect(checkStreet('s'.repeat(101))).toEqual(rejected({ kind: 'tooLong', max: 100 }));
    expect(checkHouseNumber('23A')).toEqual(accepted('23A'));
    expect(checkHouseNumber('12345678901')).toEqual(rejected({ kind: 'tooLong', max: 10 }));
    expect(checkCity('Berlin')).toEqual(accepted('Berlin'));
    expect(checkCity('c'.repeat(51))).toEqual(rejected({ kind: 'tooLong', max: 50 }));
  });

  test.each([
    ['13000', true],
    ['SW1A 1AA', true],
    ['1010', true],
    ['NL-1234', true],
    ['12', false],
    ['12345678901', false],
    ['130#0', false],
    ['ÄÖÜ12', false],
  ])('zip code %j accepted: %s', (input, ok) => {
    expect(checkZipCode(input).ok).toBe(ok);
    if (!ok) expect(checkZipCode(input)).toEqual(rejected({ kind: 'zipCode' }));
  });
});
