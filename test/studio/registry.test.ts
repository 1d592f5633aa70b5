/** The studios of a chain: each created on first use, each with its own client, lockouts and cache. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createFakeTelegram } from '../../src/fake-telegram/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createSandbox, demoChain, type Sandbox } from '../../src/sandbox/index.ts';
import { createStudioRegistry, sandboxStudios, UnknownStudioError } from '../../src/studio/registry.ts';
import { metricValue } from '../runtime/helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function chainSandbox(): Promise<Sandbox> {
  const sandbox = await createSandbox({
    rateLimitPerMinute: false,
    studios: demoChain.map((studio) => ({ id: studio.id, seed: studio.seed })),
  });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

describe('studio registry', () => {
  it('starts a bot with 100 studios in STUDIOS_FILE without calling any of them', async () => {
    const sandbox = await createSandbox({ rateLimitPerMinute: false });
    cleanups.push(() => sandbox.close());
    const fake = await createFakeTelegram();
    cleanups.push(() => fake.close());
    const studios = Array.from({ length: 100 }, (_, index) => ({
      id: `studio-${index + 1}`,
      baseUrl: sandbox.url,
      apiKeyEnv: 'CHAIN_API_KEY',
    }));
    const file = join(mkdtempSync(join(tmpdir(), 'trialgram-chain-')), 'studios.json');
    writeFileSync(file, JSON.stringify({ studios }));
    const app = await startApp(
      parseConfig({
        BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        STUDIOS_FILE: file,
        CHAIN_API_KEY: sandbox.apiKey,
        STORAGE_URL: 'memory:',
        PORT: '0',
        HOST: '127.0.0.1',
      }),
      { logger: silentLogger(), announce: () => undefined },
    );
    cleanups.push(() => app.stop());

    expect(Object.values(sandbox.callCounts()).reduce((sum, count) => sum + count, 0)).toBe(0);
    expect(app.studios.ids).toHaveLength(100);
    // Only the first studio, which the single-studio flow speaks to, has a client; none was called.
    expect(app.studios.openCount).toBe(1);

    const studio57 = app.studios.studio('studio-57');
    expect((await studio57.catalog.studio()).name).toBe('Studio Kiez Berlin');
    expect(sandbox.callCounts().studio).toBe(1);
    expect(app.studios.openCount).toBe(2);
    const metrics = await (await fetch(`${app.http?.url}/metrics`)).text();
    expect(
      metricValue(metrics, 'trialgram_studio_api_calls_total', {
        studio: 'studio-57',
        endpoint: 'studio',
        status: '200',
      }),
    ).toBe(1);
  });

  it('keeps one studio in a 429 lockout from holding up another', async () => {
    const sandbox = await chainSandbox();
    const metrics = createMetrics({ defaultMetrics: false });
    const registry = createStudioRegistry({
      studios: sandboxStudios(sandbox),
      timeoutMs: 5_000,
      ttlMs: 0,
      metrics,
    });
    cleanups.push(() => registry.close());
    const [, hamburg, lisboa] = sandbox.studios;
    if (!hamburg || !lisboa) throw new Error('three studios expected');

    // Lisbon's studio information is locked for a minute: longer than a call waits for a lockout.
    lisboa.faults.set('studio', { kind: 'status', status: 429, retryAfterSeconds: 60, times: 1 });
    await expect(registry.studio('lisboa').client.getStudioInformation()).rejects.toMatchObject({
      status: 429,
    });
    // Its next calls fail at once without reaching the studio ...
    await expect(registry.studio('lisboa').client.getStudioInformation()).rejects.toMatchObject({
      reason: 'rate-limited',
    });
    expect(lisboa.callCounts().studio).toBe(1);
    // ... while Hamburg's, the same endpoint, are answered.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => registry.studio('hamburg').client.getStudioInformation()),
    );
    expect(new Set(answers.map((answer) => answer.name))).toEqual(new Set(['Studio Kiez Hamburg']));
    expect(hamburg.callCounts().studio).toBe(20);

    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'trialgram_studio_api_calls_total', { studio: 'lisboa', status: '429' })).toBe(
      1,
    );
    expect(
      metricValue(text, 'trialgram_studio_api_calls_total', {
        studio: 'lisboa',
        status: 'rate-limited-locally',
      }),
    ).toBe(1);
    expect(metricValue(text, 'trialgram_studio_api_calls_total', { studio: 'hamburg', status: '200' })).toBe(
      20,
    );
  });

  it('fails a studio that stopped answering at once, without sending, while another answers', async () => {
    const sandbox = await chainSandbox();
    const registry = createStudioRegistry({
      studios: sandboxStudios(sandbox),
      timeoutMs: 500,
      ttlMs: 0,
      failFast: { afterFailures: 2, forMs: 60_000 },
      clientOptions: { maxRetries: 0 },
    });
    cleanups.push(() => registry.close());
    const [, hamburg, lisboa] = sandbox.studios;
    if (!hamburg || !lisboa) throw new Error('three studios expected');
    lisboa.faults.set('studio', { kind: 'delay', ms: 30_000 });
    const lisboaInformation = () => registry.studio('lisboa').client.getStudioInformation();
    await expect(lisboaInformation()).rejects.toMatchObject({ reason: 'timeout' });
    await expect(lisboaInformation()).rejects.toMatchObject({ reason: 'timeout' });
    // Two unanswered attempts in a row: Lisbon's calls, on any endpoint, now fail without being sent.
    await expect(registry.studio('lisboa').client.getTrialOfferConfig(1)).rejects.toMatchObject({
      reason: 'unreachable',
      retryAfterMs: expect.any(Number),
    });
    expect(lisboa.callCounts().studio).toBe(2);
    expect(lisboa.callCounts().config).toBe(0);
    expect((await registry.studio('hamburg').client.getStudioInformation()).name).toBe('Studio Kiez Hamburg');
  });

  it('sends again once the hold has passed, and holds again at the next unanswered attempt', async () => {
    const sandbox = await chainSandbox();
    const registry = createStudioRegistry({
      studios: sandboxStudios(sandbox),
      timeoutMs: 500,
      ttlMs: 0,
      failFast: { afterFailures: 2, forMs: 300 },
      clientOptions: { maxRetries: 0 },
    });
    cleanups.push(() => registry.close());
    const lisboa = sandbox.studios[2];
    lisboa?.faults.set('studio', { kind: 'delay', ms: 30_000, times: 3 });
    const call = () => registry.studio('lisboa').client.getStudioInformation();
    await expect(call()).rejects.toMatchObject({ reason: 'timeout' });
    await expect(call()).rejects.toMatchObject({ reason: 'timeout' });
    const held = await call().catch((error: { reason?: string; retryAfterMs?: number }) => error);
    expect(held).toMatchObject({ reason: 'unreachable' });
    await new Promise((resolve) => setTimeout(resolve, (held as { retryAfterMs: number }).retryAfterMs + 50));
    // The hold has passed: the next call goes out (and meets the third delay) ...
    await expect(call()).rejects.toMatchObject({ reason: 'timeout' });
    // ... after which the studio is held at once again.
    await expect(call()).rejects.toMatchObject({ reason: 'unreachable' });
    expect(lisboa?.callCounts().studio).toBe(3);
  });

  it('holds no studio of a chain of one, however often it times out', async () => {
    const sandbox = await createSandbox({ rateLimitPerMinute: false });
    cleanups.push(() => sandbox.close());
    const registry = createStudioRegistry({
      studios: [
        { id: 'main', baseUrl: sandbox.url, apiKey: sandbox.apiKey, adminIds: [], timeZone: sandbox.zone },
      ],
      timeoutMs: 500,
      ttlMs: 0,
      clientOptions: { maxRetries: 0 },
    });
    cleanups.push(() => registry.close());
    sandbox.faults.set('studio', { kind: 'delay', ms: 30_000, times: 5 });
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(registry.studio().client.getStudioInformation()).rejects.toMatchObject({
        reason: 'timeout',
      });
    }
    expect((await registry.studio().client.getStudioInformation()).name).toBe('Studio Kiez Berlin');
  });

  it('lets a short lockout be waited out by its own calls while another studio answers meanwhile', async () => {
    const sandbox = await chainSandbox();
    const registry = createStudioRegistry({ studios: sandboxStudios(sandbox), timeoutMs: 10_000, ttlMs: 0 });
    cleanups.push(() => registry.close());
    const [berlin] = sandbox.studios;
    berlin?.faults.set('config', { kind: 'status', status: 429, retryAfterSeconds: 2, times: 1 });
    const order: string[] = [];
    const waiting = registry
      .studio('berlin')
      .client.getTrialOfferConfig(1)
      .then(() => order.push('berlin'));
    // Berlin's call is now waiting out its lockout; Lisbon's is not queued behind it.
    await registry.studio('lisboa').client.getTrialOfferConfig(1);
    order.push('lisboa');
    await waiting;
    expect(order).toEqual(['lisboa', 'berlin']);
  });

  it('keeps each studio its own entries in a shared cache store', async () => {
    const sandbox = await chainSandbox();
    const shared = new Keyv();
    const registry = createStudioRegistry({
      studios: sandboxStudios(sandbox),
      timeoutMs: 5_000,
      ttlMs: 60_000,
      cache: shared,
    });
    cleanups.push(() => registry.close());
    const names = await Promise.all(
      ['berlin', 'hamburg', 'lisboa'].map(async (id) => (await registry.studio(id).catalog.studio()).name),
    );
    expect(names).toEqual(['Studio Kiez Berlin', 'Studio Kiez Hamburg', 'Studio Kiez Lisboa']);
    expect(await shared.get('lisboa:studio')).toMatchObject({ city: 'Lisboa' });
    // A second instance (another registry on the same store) reads them without calling the studio.
    const other = createStudioRegistry({
      studios: sandboxStudios(sandbox),
      timeoutMs: 5_000,
      ttlMs: 60_000,
      cache: shared,
    });
    cleanups.push(() => other.close());
    expect((await other.studio('hamburg').catalog.studio()).name).toBe('Studio Kiez Hamburg');
    expect(sandbox.studios.map((studio) => studio.callCounts().studio)).toEqual([1, 1, 1]);
  });

  it('bounds what 100 studios cache in the process: 50 entries each, where a single studio holds 500', async () => {
    const sandbox = await createSandbox({ rateLimitPerMinute: false });
    cleanups.push(() => sandbox.close());
    const studios = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        id: `s${index}`,
        baseUrl: sandbox.url,
        apiKey: sandbox.apiKey,
        adminIds: [],
        timeZone: 'Europe/Berlin',
      }));
    /** Fills 51 appointment windows, then asks for the first again: calls it took. */
    const refetchesAfter51 = async (count: number) => {
      const registry = createStudioRegistry({
        studios: studios(count),
        timeoutMs: 5_000,
        ttlMs: 60_000,
        slotsTtlMs: 60_000,
      });
      cleanups.push(() => registry.close());
      const { catalog } = registry.studio('s0');
      const window = (day: number) => ({
        bookableAppointmentId: 201,
        slotWindowStartDate: new Date(Date.now() + day * 86_400_000).toISOString().slice(0, 10),
      });
      for (let day = 0; day < 51; day++) await catalog.appointmentSlots(window(day));
      const before = sandbox.callCounts().appointmentSlots;
      await catalog.appointmentSlots(window(0));
      return sandbox.callCounts().appointmentSlots - before;
    };
    expect(await refetchesAfter51(1)).toBe(0);
    expect(await refetchesAfter51(100)).toBe(1);
  });

  it('knows no studio outside the configuration, and who administers which', () => {
    const registry = createStudioRegistry({
      studios: [
        {
          id: 'berlin',
          baseUrl: 'http://127.0.0.1:9',
          apiKey: 'k1',
          adminIds: [7],
          timeZone: 'Europe/Berlin',
        },
        {
          id: 'lisboa',
          baseUrl: 'http://127.0.0.1:9',
          apiKey: 'k2',
          adminIds: [8, 7],
          timeZone: 'Europe/Lisbon',
        },
      ],
      timeoutMs: 1_000,
      ttlMs: 0,
    });
    cleanups.push(() => registry.close());
    expect(() => registry.studio('porto')).toThrow(UnknownStudioError);
    expect(registry.studio().id).toBe('berlin');
    expect(registry.administeredBy(8, []).map((studio) => studio.id)).toEqual(['lisboa']);
    expect(registry.administeredBy(7, []).map((studio) => studio.id)).toEqual(['berlin', 'lisboa']);
    expect(registry.administeredBy(99, [99]).map((studio) => studio.id)).toEqual(['berlin', 'lisboa']);
    expect(registry.administeredBy(98, [99])).toEqual([]);
  });
});
