import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  allClassSlots,
  day,
  type ErrorBody,
  epochOf,
  freePlaces,
  mondayNineAm,
  startSandbox,
} from './helpers.ts';

const studioPath = '/v1/studios/information';
const classesPath = '/v1/trial-offers/bookable-trial-offers/classes';

describe('429 and lockout', () => {
  it('answers 429 with Retry-After and refuses that endpoint until the lockout passes', async () => {
    const test = await startSandbox();
    test.sandbox.faults.set('studio', { kind: 'status', status: 429, times: 1, retryAfterSeconds: 1 });
    const limited = await test.call<ErrorBody>('GET', studioPath);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body.errorCode).toBe('RATE_LIMIT_EXCEEDED');
    // The fault was used up, but the lockout it started still refuses the endpoint…
    const locked = await test.call<ErrorBody>('GET', studioPath);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // …and only that endpoint.
    expect((await test.call('GET', classesPath)).status).toBe(200);
    await sleep(1100);
    expect((await test.call('GET', studioPath)).status).toBe(200);
    expect(test.sandbox.callCounts().studio).toBe(3);
  });

  it('locks for 60 seconds by default, like the real API', async () => {
    const test = await startSandbox();
    test.sandbox.faults.set('classes', { kind: 'status', status: 429, times: 1 });
    expect((await test.call('GET', classesPath)).headers.get('retry-after')).toBe('60');
    test.sandbox.faults.clear();
    const stillLocked = await test.call('GET', classesPath);
    expect(stillLocked.status).toBe(429);
    expect(Number(stillLocked.headers.get('retry-after'))).toBeGreaterThan(55);
  });

  it('enforces rateLimitPerMinute per endpoint', async () => {
    const test = await startSandbox({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await test.call('GET', studioPath)).status).toBe(200);
    const over = await test.call<ErrorBody>('GET', studioPath);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('60');
    expect((await test.call('GET', studioPath)).status).toBe(429);
    expect((await test.call('GET', classesPath)).status).toBe(200);
  });

  it('has no limit with rateLimitPerMinute: false', async () => {
    const test = await startSandbox({ rateLimitPerMinute: false });
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => (await test.call('GET', studioPath)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('injected failures', () => {
  it('answers 5xx with an ErrorResponse for `times` requests, then normally', async () => {
    const test = await startSandbox();
    test.sandbox.faults.set('config', { kind: 'status', status: 500, times: 2 });
    const path = '/v1/trial-offers/config/1';
    const failures = [await test.call<ErrorBody>('GET', path), await test.call<ErrorBody>('GET', path)];
    expect(failures.map((answer) => answer.status)).toEqual([500, 500]);
    expect(failures[0]?.body.errorCode).toBe('SIMULATED_FAILURE');
    expect((await test.call('GET', path)).status).toBe(200);
  });

  it('keeps failing without `times` until cleared, and can carry Retry-After', async () => {
    const test = await startSandbox();
    test.sandbox.faults.set('studio', { kind: 'status', status: 503, retryAfterSeconds: 2 });
    for (let i = 0; i < 3; i++) {
      const answer = await test.call('GET', studioPath);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('2');
    }
    test.sandbox.faults.clear('studio');
    expect((await test.call('GET', studioPath)).status).toBe(200);
  });

  it('does not book when failing before handling, but does with afterHandling', async () => {
    const test = await startSandbox();
    const slot = (await allClassSlots(test, 105)).find(
      (candidate) => freePlaces(candidate) > 0 && epochOf(candidate.startDateTime) > mondayNineAm + day,
    );
    const body = { customerId: 501, classSlotId: slot?.id };
    test.sandbox.faults.set('classBook', { kind: 'status', status: 502, times: 1 });
    expect((await test.call('POST', '/v1/trial-offers/classes/booking/book', { body })).status).toBe(502);
    expect(test.snapshot().bookings).toHaveLength(0);
    test.sandbox.faults.set('classBook', { kind: 'status', status: 504, times: 1, afterHandling: true });
    expect((await test.call('POST', '/v1/trial-offers/classes/booking/book', { body })).status).toBe(504);
    expect(test.snapshot().bookings).toHaveLength(1);
  });

  it('delays answers so clients can time out', async () => {
    const test = await startSandbox();
    test.sandbox.faults.set('studio', { kind: 'delay', ms: 400, times: 2 });
    await expect(test.call('GET', studioPath, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const started = Date.now();
    expect((await test.call('GET', studioPath)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const fast = Date.now();
    expect((await test.call('GET', studioPath)).status).toBe(200);
    expect(Date.now() - fast).toBeLessThan(300);
  });

  it('drops the connection without an answer, optionally after booking', async () => {
    const test = await startSandbox();
    test.sandbox.faults.set('studio', { kind: 'drop', times: 1 });
    await expect(test.call('GET', studioPath)).rejects.toThrow();
    expect((await test.call('GET', studioPath)).status).toBe(200);

    const lead = await test.endpoint<{ leadCustomerId: number }>('leadCreate', {
      body: {
        trialOfferConfigId: 2,
        leadCustomerData: { firstname: 'Ole', lastname: 'Lost', email: 'lost@example.org' },
      },
    });
    expect(lead.status).toBe(200);
    test.sandbox.faults.set('leadCreate', { kind: 'drop', times: 1, afterHandling: true });
    await expect(
      test.call('POST', '/v1/trial-offers/lead/create', {
        body: {
          trialOfferConfigId: 2,
          leadCustomerData: { firstname: 'Ida', lastname: 'Gone', email: 'gone@example.org' },
        },
      }),
    ).rejects.toThrow();
    expect(test.snapshot().leads.map((entry) => (entry.leadCustomerData as { email: string }).email)).toEqual(
      ['lost@example.org', 'gone@example.org'],
    );
  });

  it('hangs without an answer until the client gives up, after booking with afterHandling', async () => {
    const test = await startSandbox();
    const slot = (await allClassSlots(test, 105)).find(
      (candidate) => freePlaces(candidate) > 0 && epochOf(candidate.startDateTime) > mondayNineAm + day,
    );
    const body = { customerId: 501, classSlotId: slot?.id };
    const book = '/v1/trial-offers/classes/booking/book';
    test.sandbox.faults.set('classBook', { kind: 'hang', times: 1 });
    await expect(test.call('POST', book, { body, signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(test.snapshot().bookings).toHaveLength(0);
    test.sandbox.faults.set('classBook', { kind: 'hang', times: 1, afterHandling: true });
    await expect(test.call('POST', book, { body, signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(test.snapshot().bookings).toHaveLength(1);
    // Used up: the next request is answered (the studio refuses a second booking of the same slot).
    expect((await test.call('POST', book, { body })).status).toBe(400);
  });

  it('answers 200 with a body that is not JSON, optionally after creating the lead', async () => {
    const test = await startSandbox();
    const create = (email: string) =>
      fetch(`${test.sandbox.url}/v1/trial-offers/lead/create`, {
        method: 'POST',
        headers: { 'x-api-key': test.sandbox.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          trialOfferConfigId: 2,
          leadCustomerData: { firstname: 'Ida', lastname: 'Gone', email },
        }),
      });
    test.sandbox.faults.set('leadCreate', { kind: 'invalidBody', times: 1 });
    const before = await create('before@example.org');
    expect(before.status).toBe(200);
    await expect(before.clone().json()).rejects.toThrow();
    expect(test.snapshot().leads).toHaveLength(0);
    test.sandbox.faults.set('leadCreate', { kind: 'invalidBody', times: 1, afterHandling: true });
    await expect((await create('after@example.org')).json()).rejects.toThrow();
    expect(test.snapshot().leads).toHaveLength(1);
  });

  it('closes promptly while a delayed answer is pending', async () => {
    const test = await startSandbox();
    test.sandbox.faults.set('studio', { kind: 'delay', ms: 10_000 });
    const pending = test.call('GET', studioPath).catch(() => 'closed');
    await sleep(50);
    const started = Date.now();
    await test.sandbox.close();
    expect(await pending).toBe('closed');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('admin API', () => {
  it('serves the snapshot, with call counts', async () => {
    const test = await startSandbox();
    await test.call('GET', studioPath);
    await test.call('GET', studioPath, { apiKey: 'wrong' });
    const state = await test.call<{
      callCounts: Record<string, number>;
      studio: { name: string };
      configs: unknown[];
    }>('GET', '/__sandbox/state');
    expect(state.status).toBe(200);
    expect(state.body.studio.name).toBe('Studio Kiez Berlin');
    expect(state.body.configs).toHaveLength(3);
    expect(state.body.callCounts.studio).toBe(2);
    expect(state.body.callCounts.classBook).toBe(0);
    test.sandbox.resetCallCounts();
    expect(test.sandbox.callCounts().studio).toBe(0);
  });

  it('moves the business clock', async () => {
    const test = await startSandbox();
    const advanced = await test.call<{ nowMs: number; now: string }>('POST', '/__sandbox/clock', {
      body: { advanceMs: 2 * day },
    });
    expect(advanced.status).toBe(200);
    expect(advanced.body.nowMs - mondayNineAm).toBeGreaterThanOrEqual(2 * day);
    expect(advanced.body.now).toMatch(/^2030-03-27T09:00:\d{2}\.\d{3}\+01:00\[Europe\/Berlin\]$/);
    const set = await test.call<{ nowMs: number }>('POST', '/__sandbox/clock', {
      body: { setMs: mondayNineAm },
    });
    expect(set.body.nowMs - mondayNineAm).toBeLessThan(1000);
    expect(test.sandbox.clock.now() - mondayNineAm).toBeLessThan(1000);
    const invalid = await test.call<ErrorBody>('POST', '/__sandbox/clock', { body: { advanceMs: 'soon' } });
    expect(invalid.status).toBe(400);
  });

  it('sets and clears faults', async () => {
    const test = await startSandbox();
    const set = await test.call('POST', '/__sandbox/faults', {
      body: { endpoint: 'studio', fault: { kind: 'status', status: 500, times: 1 } },
    });
    expect(set.status).toBe(200);
    expect((await test.call('GET', studioPath)).status).toBe(500);
    expect((await test.call('GET', studioPath)).status).toBe(200);

    await test.call('POST', '/__sandbox/faults', {
      body: { endpoint: 'studio', fault: { kind: 'status', status: 502 } },
    });
    await test.call('POST', '/__sandbox/faults', {
      body: { endpoint: 'classes', fault: { kind: 'status', status: 502 } },
    });
    expect((await test.call('DELETE', '/__sandbox/faults?endpoint=studio')).status).toBe(200);
    expect((await test.call('GET', studioPath)).status).toBe(200);
    expect((await test.call('GET', classesPath)).status).toBe(502);
    expect((await test.call('DELETE', '/__sandbox/faults')).status).toBe(200);
    expect((await test.call('GET', classesPath)).status).toBe(200);

    // The apply-then-lose-the-answer modes, as another process sets them.
    for (const kind of ['drop', 'hang', 'invalidBody']) {
      const listed = await test.call<Record<string, unknown>>('POST', '/__sandbox/faults', {
        body: { endpoint: 'classBook', fault: { kind, times: 2, afterHandling: true } },
      });
      expect(listed.body.classBook).toEqual({ kind, times: 2, afterHandling: true, remaining: 2 });
    }
    await test.call('POST', '/__sandbox/faults', {
      body: { endpoint: 'studio', fault: { kind: 'invalidBody' } },
    });
    const garbled = await fetch(`${test.sandbox.url}${studioPath}`, {
      headers: { 'x-api-key': test.sandbox.apiKey },
    });
    await expect(garbled.json()).rejects.toThrow();
  });

  it('rejects unknown endpoints and malformed faults', async () => {
    const test = await startSandbox();
    const bad = [
      { endpoint: 'nope', fault: { kind: 'drop' } },
      { endpoint: 'studio', fault: { kind: 'status', status: 418 } },
      { endpoint: 'studio', fault: { kind: 'delay' } },
      { endpoint: 'studio', fault: { kind: 'drop', times: 0 } },
      { endpoint: 'studio', fault: { kind: 'hang', afterHandling: 'yes' } },
      { endpoint: 'studio', fault: { kind: 'vanish' } },
    ];
    for (const body of bad)
      expect((await test.call('POST', '/__sandbox/faults', { body })).status, JSON.stringify(body)).toBe(400);
    expect((await test.call('GET', '/__sandbox/unknown')).status).toBe(404);
    expect((await test.call('GET', studioPath)).status).toBe(200);
  });
});
