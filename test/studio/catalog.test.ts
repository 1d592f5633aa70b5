import { Keyv } from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPerfectGymClient, type PerfectGymClient } from '../../src/perfectgym/client.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { createStudioCatalog } from '../../src/studio/catalog.ts';
import { json, startStudioProxy } from '../perfectgym/helpers.ts';

let sandbox: Sandbox;
let client: PerfectGymClient;

beforeEach(async () => {
  sandbox = await createSandbox({ rateLimitPerMinute: false });
  client = createPerfectGymClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
});
afterEach(async () => {
  await client.close();
  await sandbox.close();
});

describe('studio catalog', () => {
  it('loads every offer once and serves concurrent and later readers from the cache', async () => {
    const catalog = createStudioCatalog({ client, cache: new Keyv(), ttlMs: 60_000 });
    const [first, second] = await Promise.all([catalog.offers(), catalog.offers()]);
    await catalog.offers();
    expect(first.classes.length).toBeGreaterThan(0);
    expect(first.appointments.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    expect(sandbox.callCounts().classes).toBe(1);
    expect(sandbox.callCounts().appointments).toBe(1);
  });

  it('shares cached configs and studio information between instances through the cache store', async () => {
    const shared = new Keyv();
    const a = createStudioCatalog({ client, cache: shared, ttlMs: 60_000 });
    const b = createStudioCatalog({ client, cache: shared, ttlMs: 60_000 });
    const { classes } = await a.offers();
    const configId = classes[0]?.trialOfferConfigId ?? 0;
    expect((await a.config(configId)).id).toBe(configId);
    expect((await b.config(configId)).id).toBe(configId);
    expect((await a.studio()).name).toBe((await b.studio()).name);
    expect(sandbox.callCounts().config).toBe(1);
    expect(sandbox.callCounts().studio).toBe(1);
  });

  it('asks the studio again once the entry is older than the TTL', async () => {
    const catalog = createStudioCatalog({ client, cache: new Keyv(), ttlMs: 30 });
    await catalog.studio();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await catalog.studio();
    expect(sandbox.callCounts().studio).toBe(2);
  });

  it('does not cache a failure', async () => {
    const catalog = createStudioCatalog({ client, cache: new Keyv(), ttlMs: 60_000 });
    sandbox.faults.set('studio', { kind: 'status', status: 500, times: 1 });
    await expect(catalog.studio()).rejects.toThrow();
    await expect(catalog.studio()).resolves.toMatchObject({ studioId: expect.any(Number) });
  });

  it('shares a slot list between prospects, while a fresh re-check always reaches the studio', async () => {
    const catalog = createStudioCatalog({ client, cache: new Keyv(), ttlMs: 60_000, slotsTtlMs: 60_000 });
    const classId = (await catalog.offers()).classes[0]?.trialOfferClass.id ?? 0;
    const first = await catalog.classSlots(classId);
    const afterListing = sandbox.callCounts().classSlots;
    expect(afterListing).toBeGreaterThan(0);
    expect(first.length).toBeGreaterThan(0);
    expect(await catalog.classSlots(classId)).toEqual(first);
    expect(sandbox.callCounts().classSlots).toBe(afterListing);

    await catalog.classSlots(classId, { fresh: true });
    expect(sandbox.callCounts().classSlots).toBeGreaterThan(afterListing);
    const afterRecheck = sandbox.callCounts().classSlots;
    await catalog.classSlots(classId);
    expect(sandbox.callCounts().classSlots).toBe(afterRecheck);
  });

  it('caches each appointment window separately', async () => {
    const catalog = createStudioCatalog({ client, cache: new Keyv(), ttlMs: 60_000 });
    const appointmentId = (await catalog.offers()).appointments[0]?.trialOfferBookableAppointment.id ?? 0;
    await catalog.appointmentSlots({ bookableAppointmentId: appointmentId, daysAhead: 3 });
    await catalog.appointmentSlots({ bookableAppointmentId: appointmentId, daysAhead: 3 });
    await catalog.appointmentSlots({ bookableAppointmentId: appointmentId, daysAhead: 6 });
    expect(sandbox.callCounts().appointmentSlots).toBe(2);
  });

  it('remembers a listing too large to read for a while, instead of paging through it for every prospect', async () => {
    let listings = 0;
    const proxy = await startStudioProxy(sandbox.url, (request, response) => {
      const url = new URL(request.url, 'http://x');
      if (!url.pathname.endsWith('/classes')) return false;
      listings++;
      const offset = Number(url.searchParams.get('offset') ?? '0');
      json(response, 200, { result: [], hasNext: true, offset: String(offset + 100) });
      return true;
    });
    const proxied = createPerfectGymClient({ baseUrl: proxy.url, apiKey: sandbox.apiKey });
    try {
      const catalog = createStudioCatalog({ client: proxied, cache: new Keyv(), ttlMs: 60_000 });
      await expect(catalog.offers()).rejects.toMatchObject({ reason: 'too-large' });
      await expect(catalog.offers()).rejects.toMatchObject({ reason: 'too-large' });
      expect(listings).toBe(100);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });
});

describe('studio catalog bounds', () => {
  it('holds at most maxLocalEntries entries: beyond that the oldest live entry goes first', async () => {
    const catalog = createStudioCatalog({ client, ttlMs: 60_000, slotsTtlMs: 60_000, maxLocalEntries: 2 });
    await catalog.classSlots(101);
    await catalog.classSlots(102);
    await catalog.classSlots(103);
    const counted = sandbox.callCounts().classSlots;
    await catalog.classSlots(103);
    expect(sandbox.callCounts().classSlots).toBe(counted);
    await catalog.classSlots(101);
    expect(sandbox.callCounts().classSlots).toBeGreaterThan(counted);
  });

  it('puts its keys under keyPrefix in the shared store, so studios sharing one store keep apart', async () => {
    const shared = new Keyv();
    const catalog = createStudioCatalog({ client, cache: shared, ttlMs: 60_000, keyPrefix: 'hamburg:' });
    await catalog.studio();
    expect(await shared.get('hamburg:studio')).toMatchObject({ name: 'Studio Kiez Berlin' });
    expect(await shared.get('studio')).toBeUndefined();
  });
});
