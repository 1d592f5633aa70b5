/** The small decisions behind retries and rate-limit holds, checked directly. */
import { describe, expect, it } from 'vitest';
import { isTemporary, PerfectGymApiError, PerfectGymRequestError } from '../../src/perfectgym/errors.ts';
import { parseRetryAfter, RateLimitLockouts } from '../../src/perfectgym/rate-limit.ts';
import { backoffDelayMs, provablyNotSent } from '../../src/perfectgym/retry.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-01-07T10:00:00Z');

  it.each([
    ['delay in seconds', '7', 7_000],
    ['an HTTP date 90 s ahead', 'Mon, 07 Jan 2030 10:01:30 GMT', 90_000],
    ['an HTTP date in the past', 'Mon, 07 Jan 2030 09:00:00 GMT', 0],
    ['no header', undefined, 60_000],
    ['garbage', 'soon', 60_000],
  ])('reads %s', (_name, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('RateLimitLockouts', () => {
  it('locks one endpoint until its retry-after passes and leaves the others alone', () => {
    let now = 1_000;
    const lockouts = new RateLimitLockouts(() => now);
    lockouts.lock('classes', 60_000);

    expect(lockouts.remainingMs('classes')).toBe(60_000);
    expect(lockouts.remainingMs('studio')).toBe(0);
    now += 59_000;
    expect(lockouts.remainingMs('classes')).toBe(1_000);
    now += 1_000;
    expect(lockouts.remainingMs('classes')).toBe(0);
  });

  it('keeps the later lockout when a shorter one arrives', () => {
    const lockouts = new RateLimitLockouts(() => 0);
    lockouts.lock('classes', 60_000);
    lockouts.lock('classes', 1_000);
    expect(lockouts.remainingMs('classes')).toBe(60_000);
  });
});

describe('backoffDelayMs', () => {
  it('waits a random time below a ceiling that doubles with each retry', () => {
    expect(backoffDelayMs(0, 200, () => 0.999)).toBe(199);
    expect(backoffDelayMs(1, 200, () => 0.999)).toBe(399);
    expect(backoffDelayMs(2, 200, () => 0.5)).toBe(400);
    expect(backoffDelayMs(3, 200, () => 0)).toBe(0);
  });

  it('never waits more than ten seconds', () => {
    expect(backoffDelayMs(20, 200, () => 0.999)).toBeLessThan(10_000);
  });
});

describe('provablyNotSent', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it('trusts only failures before a connection existed', () => {
    expect(provablyNotSent(withCode('ECONNREFUSED'))).toBe(true);
    expect(provablyNotSent(withCode('ENOTFOUND'))).toBe(true);
    expect(provablyNotSent(withCode('UND_ERR_CONNECT_TIMEOUT'))).toBe(true);
    expect(provablyNotSent(withCode('ECONNRESET'))).toBe(false);
    expect(provablyNotSent(withCode('UND_ERR_SOCKET'))).toBe(false);
    expect(provablyNotSent(new Error('no code'))).toBe(false);
  });

  it('reads happy-eyeballs failures, where every address must have refused', () => {
    expect(provablyNotSent(new AggregateError([withCode('ECONNREFUSED'), withCode('EHOSTUNREACH')]))).toBe(
      true,
    );
    expect(provablyNotSent(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNRESET')]))).toBe(
      false,
    );
  });
});

describe('isTemporary', () => {
  const apiError = (status: number) =>
    new PerfectGymApiError({ endpoint: 'classes', status, errorMessage: 'x' });
  const requestError = (reason: PerfectGymRequestError['reason']) =>
    new PerfectGymRequestError({ endpoint: 'classes', reason });

  it.each([
    [apiError(429), true],
    [apiError(500), true],
    [apiError(503), true],
    [apiError(400), false],
    [apiError(401), false],
    [apiError(404), false],
    [requestError('network'), true],
    [requestError('timeout'), true],
    [requestError('rate-limited'), true],
    [requestError('invalid-response'), false],
    [requestError('aborted'), false],
    [new Error('something else'), false],
  ])('%s → %s', (error, expected) => {
    expect(isTemporary(error)).toBe(expected);
  });
});
