/** The small decisions behind retries and rate-limit holds, checked directly. */
import { describe, expect, it } from 'vitest';
import { createPerfectGymClient } from '../../src/perfectgym/client.ts';
import {
  failureOutcome,
  isTemporary,
  PerfectGymApiError,
  PerfectGymRequestError,
} from '../../src/perfectgym/errors.ts';
import { parseRetryAfter, RateLimitLockouts } from '../../src/perfectgym/rate-limit.ts';
import { backoffDelayMs, provablyNotSent } from '../../src/perfectgym/retry.ts';
import { createSandbox } from '../../src/sandbox/index.ts';
import { refusedPort, rejectionOf } from './helpers.ts';

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

describe('failureOutcome: what a failed lead creation, booking or confirmation may have done', () => {
  it('against the sandbox: a refusal changed nothing; a lost answer after acting is unknown', async () => {
    const sandbox = await createSandbox({ rateLimitPerMinute: false });
    const client = createPerfectGymClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, timeoutMs: 500 });
    const create = (email: string) =>
      rejectionOf(
        client.createLead({
          trialOfferConfigId: 2,
          leadCustomerData: { firstname: 'Ida', lastname: 'Lost', email },
        }),
      );
    try {
      const outcomes: Array<[string, 'refused' | 'unknown']> = [];
      const record = async (name: string, email: string) =>
        outcomes.push([name, failureOutcome(await create(email))]);

      await record('400 DUPLICATE_CUSTOMER', 'known@example.com');
      for (const [name, fault] of [
        ['500 after acting', { kind: 'status', status: 500, times: 1, afterHandling: true }],
        ['dropped after acting', { kind: 'drop', times: 1, afterHandling: true }],
        ['unreadable body after acting', { kind: 'invalidBody', times: 1, afterHandling: true }],
        ['no answer (timeout)', { kind: 'hang', times: 1, afterHandling: true }],
      ] as const) {
        sandbox.faults.set('leadCreate', fault);
        await record(name, `${name.replace(/\W+/g, '-')}@example.org`);
      }
      // Last: a 429 locks the endpoint in this client for a minute.
      sandbox.faults.set('leadCreate', { kind: 'status', status: 429, times: 1, retryAfterSeconds: 60 });
      await record('429', 'a@example.org');
      sandbox.faults.clear();
      expect(outcomes).toEqual([
        ['400 DUPLICATE_CUSTOMER', 'refused'],
        ['500 after acting', 'unknown'],
        ['dropped after acting', 'unknown'],
        ['unreadable body after acting', 'unknown'],
        ['no answer (timeout)', 'unknown'],
        ['429', 'refused'],
      ]);
      // Every one of the lost answers did create its lead.
      expect(sandbox.snapshot().leads).toHaveLength(4);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });

  it('a connection refused never left this machine: refused', async () => {
    const client = createPerfectGymClient({
      baseUrl: `http://127.0.0.1:${await refusedPort()}`,
      apiKey: 'k',
    });
    try {
      const error = await rejectionOf(client.bookClassSlot({ customerId: 1, classSlotId: 2 }));
      expect(failureOutcome(error)).toBe('refused');
    } finally {
      await client.close();
    }
  });
});
