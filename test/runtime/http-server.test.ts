import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
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
    const server = await start({ webhook: { path: '/telegram', handle: async () => undefined } });
    const response = await fetch(`${server.url}/telegram`, { method: 'POST', body: '{"hello":1}' });
    expect(response.status).toBe(400);
  });

  it('acknowledges a slow update early and still finishes it before closing', async () => {
    let finished = false;
    const server = await start({
      webhook: {
        path: '/telegram',
        ackAfterMs: 20,
        handle: async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          finished = true;
        },
      },
    });
    const response = await fetch(`${server.url}/telegram`, { method: 'POST', body: update(9) });
    expect(response.status).toBe(200);
    expect(finished).toBe(false);
    expect(server.inFlight()).toBe(1);
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
});
