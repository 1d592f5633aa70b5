/** The sandbox serving a chain: several studios on one server, each behind its own API key. */
import { describe, expect, it } from 'vitest';
import { createSandboxClock, demoChain } from '../../src/sandbox/index.ts';
import { hour, mondayNineAm, type Slice, startSandbox } from './helpers.ts';

async function startChain() {
  return startSandbox({
    studios: demoChain.map((studio) => ({
      id: studio.id,
      apiKey: `key-${studio.id}`,
      clock: createSandboxClock(mondayNineAm),
      seed: studio.seed,
    })),
  });
}

describe('the sandbox as a studio chain', () => {
  it('answers each key with its own studio: three cities, one of them in another time zone', async () => {
    const test = await startChain();
    const answers = await Promise.all(
      ['berlin', 'hamburg', 'lisboa'].map((id) =>
        test.call<{ name: string; city: string; location: { latitude: number } }>(
          'GET',
          '/v1/studios/information',
          { apiKey: `key-${id}` },
        ),
      ),
    );
    expect(answers.map((answer) => [answer.status, answer.body.name, answer.body.city])).toEqual([
      [200, 'Studio Kiez Berlin', 'Berlin'],
      [200, 'Studio Kiez Hamburg', 'Hamburg'],
      [200, 'Studio Kiez Lisboa', 'Lisboa'],
    ]);
    expect(new Set(answers.map((answer) => answer.body.location.latitude)).size).toBe(3);
    expect(test.sandbox.studios.map((studio) => [studio.id, studio.zone])).toEqual([
      ['berlin', 'Europe/Berlin'],
      ['hamburg', 'Europe/Berlin'],
      ['lisboa', 'Europe/Lisbon'],
    ]);

    // Lisbon's 18:00 class is 18:00 there, an hour after Berlin's.
    const slotsOf = (id: string) =>
      test.call<Slice<{ startDateTime: string }>>(
        'GET',
        '/v1/trial-offers/bookable-trial-offers/classes/101/slots?sliceSize=100',
        {
          apiKey: `key-${id}`,
        },
      );
    const [berlin, lisboa] = await Promise.all([slotsOf('berlin'), slotsOf('lisboa')]);
    expect(berlin.body.result[0]?.startDateTime).toMatch(/T18:00:00(\.0+)?\+01:00\[Europe\/Berlin\]$/);
    expect(lisboa.body.result[0]?.startDateTime).toMatch(/T18:00:00(\.0+)?(\+00:00|Z)\[Europe\/Lisbon\]$/);
    expect(Date.parse(lisboa.body.result[0]?.startDateTime.replace(/\[.*\]$/, '') ?? '')).toBe(
      Date.parse(berlin.body.result[0]?.startDateTime.replace(/\[.*\]$/, '') ?? '') + hour,
    );

    // Each studio has its own offer.
    const classTitles = async (id: string) =>
      (
        await test.call<Slice<{ id: number; title: string }>>(
          'GET',
          '/v1/trial-offers/bookable-trial-offers/classes?sliceSize=100',
          { apiKey: `key-${id}` },
        )
      ).body.result.map((entry) => entry.id);
    expect(await classTitles('berlin')).toContain(104);
    expect(await classTitles('hamburg')).not.toContain(104);
  });

  it('keeps each studio its own leads, faults, clock and call counts; an unknown key gets 401', async () => {
    const test = await startChain();
    const [berlin, hamburg, lisboa] = test.sandbox.studios;
    if (!berlin || !hamburg || !lisboa) throw new Error('three studios expected');
    const lead = {
      trialOfferConfigId: 2,
      leadCustomerData: { firstname: 'Mia', lastname: 'Neu', email: 'mia.neu@example.org' },
    };
    const created = await test.call<{ leadCustomerId: number }>('POST', '/v1/trial-offers/lead/create', {
      apiKey: 'key-hamburg',
      body: lead,
    });
    expect(created.status).toBe(200);
    expect(created.body.leadCustomerId).toBe(2001);
    expect(hamburg.snapshot().leads.map((entry) => entry.id)).toEqual([2001]);
    expect(berlin.snapshot().leads).toEqual([]);
    expect(lisboa.snapshot().leads).toEqual([]);
    // The same person is new to Lisbon: a lead there is its own customer.
    const inLisbon = await test.call<{ leadCustomerId: number }>('POST', '/v1/trial-offers/lead/create', {
      apiKey: 'key-lisboa',
      body: lead,
    });
    expect(inLisbon.body.leadCustomerId).toBe(3001);

    // The admin API acts on the studio whose key it is called with.
    await test.call('POST', '/__sandbox/faults', {
      apiKey: 'key-lisboa',
      body: { endpoint: 'studio', fault: { kind: 'status', status: 429, retryAfterSeconds: 60 } },
    });
    const locked = await test.call('GET', '/v1/studios/information', { apiKey: 'key-lisboa' });
    const free = await test.call('GET', '/v1/studios/information', { apiKey: 'key-hamburg' });
    expect([locked.status, free.status]).toEqual([429, 200]);
    // The lockout is Lisbon's alone.
    expect((await test.call('GET', '/v1/studios/information', { apiKey: 'key-lisboa' })).status).toBe(429);
    expect((await test.call('GET', '/v1/studios/information', { apiKey: 'key-berlin' })).status).toBe(200);

    await test.call('POST', '/__sandbox/clock', { apiKey: 'key-hamburg', body: { advanceMs: 2 * hour } });
    // The clocks run on from the same start; Hamburg's is two hours ahead now, Berlin's is not.
    expect(Math.round((hamburg.clock.now() - berlin.clock.now()) / hour)).toBe(2);
    expect(Math.round((lisboa.clock.now() - berlin.clock.now()) / hour)).toBe(0);
    const state = await test.call<{ studio: { name: string }; leads: unknown[] }>('GET', '/__sandbox/state', {
      apiKey: 'key-hamburg',
    });
    expect(state.body.studio.name).toBe('Studio Kiez Hamburg');
    expect(state.body.leads).toHaveLength(1);

    expect(lisboa.callCounts().studio).toBe(2);
    expect(hamburg.callCounts().studio).toBe(1);
    expect((await test.call('GET', '/v1/studios/information', { apiKey: 'key-porto' })).status).toBe(401);
  });

  it('refuses two studios with the same key', async () => {
    await expect(
      startSandbox({
        studios: [
          { id: 'a', apiKey: 'same', seed: demoChain[0]?.seed ?? (() => ({}) as never) },
          { id: 'b', apiKey: 'same', seed: demoChain[1]?.seed ?? (() => ({}) as never) },
        ],
      }),
    ).rejects.toThrow(/own API key/);
  });
});
