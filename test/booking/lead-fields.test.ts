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
  type FieldCheck,
  type LeadInputProblem,
} from '../../src/booking/lead-fields.ts';

const today = '2026-06-15';
const accepted = (value: string): FieldCheck => ({ ok: true, value });
const rejected = (problem: LeadInputProblem): FieldCheck => ({ ok: false, problem });

describe('e-mail', () => {
  test.each([
    ['anna@example.com', 'anna@example.com'],
    ['  Anna.Schmidt+trial@Example.COM ', 'Anna.Schmidt+trial@example.com'],
    ["o'neil@mail.co.uk", "o'neil@mail.co.uk"],
  ])('%j is accepted as %j', (input, value) => {
    expect(checkEmail(input)).toEqual(accepted(value));
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
  ])('%j is not an e-mail address', (input) => {
    expect(checkEmail(input)).toEqual(rejected({ kind: 'email' }));
  });

  test('empty and over-long addresses get their own hints', () => {
    expect(checkEmail('   ')).toEqual(rejected({ kind: 'empty' }));
    expect(checkEmail(`${'a'.repeat(95)}@example.com`)).toEqual(rejected({ kind: 'tooLong', max: 100 }));
  });
});

describe('telephone', () => {
  test.each([
    ['+49 170 1234567', '+491701234567'],
    ['0170/123 45-67', '01701234567'],
    ['0049 (30) 123456', '+4930123456'],
    ['123456', '123456'],
    ['+123456789012345', '+123456789012345'],
  ])('%j becomes %j', (input, value) => {
    expect(checkTelephone(input)).toEqual(accepted(value));
  });

  test.each([
    '12345',
    '+1234567890123456',
    'call me',
    '0170 12345 ext 9',
    '49+1701234567',
    '++491701234567',
    '+',
  ])('%j is not a plausible phone number', (input) => {
    expect(checkTelephone(input)).toEqual(rejected({ kind: 'phone' }));
  });

  test('a shared Telegram contact comes without "+", which is added', () => {
    expect(checkSharedPhoneNumber('491701234567')).toEqual(accepted('+491701234567'));
    expect(checkSharedPhoneNumber('+491701234567')).toEqual(accepted('+491701234567'));
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
    expect(checkDateOfBirth(input, today)).toEqual(accepted(value));
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
    expect(checkDateOfBirth(input, today)).toEqual(rejected(problem));
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
