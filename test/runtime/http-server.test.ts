import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { type BotHttpServer, startHttpServer } from '../../src/runtime/http-server.ts';

const servers: BotHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<Parameters<typeof startHttpServer>[0]> = {}) {
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    health: [],
    ...options,
  });
  servers.push(server);
  return server;
}

const secret = 's3cret';
const authorized = { 'x-telegram-bot-api-secret-token': secret };
const update = (id: number) =>
  JSON.stringify({ update_id: id, message: { message_id: 1, date: 0, chat: { id: 1 } } });

describe('bot http server', () => {
  it('takes webhook updates only with the right secret token', async () => {
    const handled: number[] = [];
    const server = await start({
      webhook: { path: '/telegram', secret: 's3cret', handle: async (u) => void handled.push(u.update_id) },
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/telegram`, { method: 'POST', headers, body: update(5) });

    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-telegram-bot-api-secret-token': 'wrong!' })).status).toBe(401);
    expect(handled).toEqual([]);
    expect((await post({ 'x-telegram-bot-api-secret-token': 's3cret' })).status).toBe(200);
    expect(handled).toEqual([5]);
  });

  it('answers 400 to a body that is not an update', async () => {
    const server = await start({ webhook: { path: '/telegram', secret, handle: async () => undefined } });
    const response = await fetch(`${server.url}/telegram`, {
      method: 'POST',
      headers: authorized,
      body: '{"hello":1}',
    });
    expect(response.status).toBe(400);
  });

  it('answers 400 to a body over 1 MiB without handling it, and keeps taking updates', async () => {
    const handled: number[] = [];
    const server = await start({
      webhook: { path: '/telegram', secret, handle: async (u) => void handled.push(u.update_id) },
    });
    const huge = JSON.stringify({ update_id: 1, message: { text: 'x'.repeat(2 * 1024 * 1024) } });
    const response = await fetch(`${server.url}/telegram`, {
      method: 'POST',
      headers: authorized,
      body: huge,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'bad update' });
    const next = await fetch(`${server.url}/telegram`, {
      method: 'POST',
      headers: authorized,
      body: update(2),
    });
    expect(next.status).toBe(200);
    expect(handled).toEqual([2]);
  });

  it('acknowledges a slow update early and still finishes it before closing', async () => {
    let finished = false;
    // The update runs until the test lets it finish, not for a fixed time that a loaded machine
    // could let pass before the test has read the early acknowledgement.
    let finish: () => void = () => undefined;
    const mayFinish = new Promise<void>((resolve) => (finish = resolve));
    const server = await start({
      webhook: {
        path: '/telegram',
        secret,
        ackAfterMs: 20,
        handle: async () => {
          await mayFinish;
          finished = true;
        },
      },
    });
    const response = await fetch(`${server.url}/telegram`, {
      method: 'POST',
      headers: authorized,
      body: update(9),
    });
    expect(response.status).toBe(200);
    expect(finished).toBe(false);
    expect(server.inFlight()).toBe(1);
    // Still running when the server is told to close; close waits for it.
    setTimeout(finish, 100);
    await server.close();
    servers.pop();
    expect(finished).toBe(true);
  });

  it('reports unhealthy with the failing dependency named', async () => {
    let studioUp = true;
    const server = await start({
      health: [
        { name: 'store', check: async () => true },
        { name: 'studio', check: async () => studioUp },
      ],
    });
    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
    studioUp = false;
    const sick = await fetch(`${server.url}/healthz`);
    expect(sick.status).toBe(503);
    expect(await sick.json()).toEqual({ status: 'unhealthy', store: 'ok', studio: 'unavailable' });
  });

  it("reports a chain's studios one by one: degraded while one is down, unhealthy when all are", async () => {
    const up = { berlin: true, hamburg: true };
    const server = await start({
      health: [
        { name: 'store', check: async () => true },
        { name: 'berlin', group: 'studios', check: async () => up.berlin },
        { name: 'hamburg', group: 'studios', check: async () => up.hamburg },
      ],
    });
    const probe = async () => {
      const response = await fetch(`${server.url}/healthz`);
      return { status: response.status, body: await response.json() };
    };
    expect(await probe()).toEqual({
      status: 200,
      body: { status: 'ok', store: 'ok', studios: { berlin: 'ok', hamburg: 'ok' } },
    });
    up.hamburg = false;
    expect(await probe()).toEqual({
      status: 200,
      body: { status: 'degraded', store: 'ok', studios: { berlin: 'ok', hamburg: 'unavailable' } },
    });
    up.berlin = false;
    expect(await probe()).toEqual({
      status: 503,
      body: { status: 'unhealthy', store: 'ok', studios: { berlin: 'unavailable', hamburg: 'unavailable' } },
    });
  });

  it('answers a health probe in time when a dependency hangs', async () => {
    const server = await start({
      healthTimeoutMs: 100,
      health: [
        { name: 'store', check: async () => true },
        { name: 'studio', check: () => new Promise<boolean>(() => undefined) },
      ],
    });
    const started = Date.now();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unhealthy', store: 'ok', studio: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('serves Prometheus metrics', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.funnel('booked');
    const server = await start({ metrics: metrics.registry });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('trialgram_booking_funnel_total{stage="booked"} 1');
  });

  it('logs a flood of requests with a wrong secret as one warning, not one line each', async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const server = await start({
      logger,
      webhook: { path: '/telegram', secret, handle: async () => undefined },
    });
    for (let batch = 0; batch < 16; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(`${server.url}/telegram`, {
            method: 'POST',
            headers: { 'x-telegram-bot-api-secret-token': `guess-${batch}-${i}` },
            body: update(i),
          }),
        ),
      );
      expect(answers.every((answer) => answer.status === 401)).toBe(true);
    }
    const warnings = lines.filter((line) => line.includes('without the right secret token'));
    expect(warnings).toHaveLength(1);
  });

  it('takes at most maxInFlight updates at once and answers 503 beyond, so Telegram sends them again', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: number[] = [];
    const server = await start({
      webhook: {
        path: '/telegram',
        secret,
        ackAfterMs: 10,
        maxInFlight: 3,
        handle: async (u) => {
          await released;
          handled.push(u.update_id);
        },
      },
    });
    const post = (id: number) =>
      fetch(`${server.url}/telegram`, { method: 'POST', headers: authorized, body: update(id) });
    const first = await Promise.all([post(1), post(2), post(3)]);
    expect(first.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.inFlight()).toBe(3);
    const beyond = await Promise.all([post(4), post(5)]);
    expect(beyond.map((r) => r.status)).toEqual([503, 503]);

    release();
    await eventuallyTrue(() => server.inFlight() === 0);
    expect((await post(6)).status).toBe(200);
    expect(handled.sort()).toEqual([1, 2, 3, 6]);
  });

  it('while stopping, answers new webhook connections 503 until the updates in flight are done', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await start({
      health: [{ name: 'store', check: async () => true }],
      webhook: { path: '/telegram', secret, ackAfterMs: 10, handle: () => released },
    });
    servers.pop();
    const post = () =>
      fetch(`${server.url}/telegram`, { method: 'POST', headers: authorized, body: update(1) });
    expect((await post()).status).toBe(200);
    const closed = server.close();

    // A new connection (Telegram or the load balancer) while the update above is still running.
    const during = await post();
    expect(during.status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    expect((await fetch(`${server.url}/livez`)).status).toBe(200);

    release();
    await closed;
    await expect(post()).rejects.toThrow();
  });

  it('/livez answers without asking any dependency', async () => {
    let checks = 0;
    const server = await start({
      health: [{ name: 'studio', check: async () => ++checks > 0 && false }],
    });
    const response = await fetch(`${server.url}/livez`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(checks).toBe(0);
  });

  it('asks a cached dependency once per interval, however many probes come, concurrent or not', async () => {
    let clock = 0;
    let checks = 0;
    let up = true;
    const server = await start({
      now: () => clock,
      health: [
        {
          name: 'studio',
          cacheMs: 15_000,
          check: async () => {
            checks++;
            await new Promise((resolve) => setTimeout(resolve, 20));
            return up;
          },
        },
      ],
    });
    const probe = async () => (await fetch(`${server.url}/healthz`)).status;
    for (let batch = 0; batch < 10; batch++) {
      const statuses = await Promise.all(Array.from({ length: 50 }, probe));
      expect(statuses.every((status) => status === 200)).toBe(true);
    }
    expect(checks).toBe(1);

    up = false;
    clock += 14_999;
    expect(await probe()).toBe(200);
    clock += 1;
    expect(await probe()).toBe(503);
    expect(checks).toBe(2);
  });
});

async function eventuallyTrue(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
