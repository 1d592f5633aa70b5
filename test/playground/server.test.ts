/**
 * The playground server without a browser: what it serves, what it forwards where, and what it
 * refuses. The page itself is tested in the *.browser.test.ts files.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { type Playground, type PlaygroundConfigJson, startPlayground } from '../../src/playground/index.ts';
import { createSandbox, demoChain, type Sandbox } from '../../src/sandbox/index.ts';

const apiKey = 'sandbox-key-the-browser-must-never-see';

let fake: FakeTelegram;
let sandbox: Sandbox;
let playground: Playground;

beforeEach(async () => {
  [fake, sandbox] = await Promise.all([
    createFakeTelegram({ bot: { firstName: 'Kiez', username: 'kiez_bot' } }),
    createSandbox({ apiKey }),
  ]);
  playground = await startPlayground({
    fake,
    sandbox: { url: sandbox.url, apiKey: sandbox.apiKey },
    logger: silentLogger(),
  });
});

afterEach(async () => {
  await playground.close();
  await Promise.all([fake.close(), sandbox.close()]);
});

const url = (path: string): string => new URL(path, playground.url).href;

/** A request with headers fetch() will not let us set (Host). */
function rawRequest(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(playground.url);
    // The path goes out exactly as written (no URL normalisation), like a hand-made request would.
    const request = httpRequest(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('the playground server', () => {
  it('listens on loopback and serves the page with a strict content security policy', async () => {
    expect(new URL(playground.url).hostname).toBe('127.0.0.1');
    const page = await fetch(url('/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/assets/main.js">');

    const script = await fetch(url('/assets/main.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const styles = await fetch(url('/assets/playground.css'));
    expect(styles.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves only its own page files', async () => {
    for (const path of [
      '/assets/missing.js',
      '/assets/..%2Findex.ts',
      '/assets/%2e%2e/index.ts',
      '/index.ts',
    ]) {
      expect((await fetch(url(path))).status, path).toBe(404);
    }
    expect((await fetch(url('/'), { method: 'POST' })).status).toBe(405);
  });

  it('names the bot, the fault endpoints and the studio’s offers in /api/config', async () => {
    const config = (await (await fetch(url('/api/config'))).json()) as PlaygroundConfigJson;
    expect(config.bot).toEqual({ firstName: 'Kiez', username: 'kiez_bot' });
    expect(config.endpoints).toHaveLength(13);
    expect(config.endpoints).toContain('classBook');
    expect(config.titles.classes['101']).toBe('Rückenfit');
    expect(config.titles.appointments['201']).toBe('Probetraining mit Coach');
  });

  it('forwards sandbox admin calls with the API key added on the server', async () => {
    expect((await fetch(`${sandbox.url}/__sandbox/state`)).status).toBe(401);

    const state = await fetch(url('/api/sandbox/state'));
    expect(state.status).toBe(200);
    expect(((await state.json()) as { studio: { name: string } }).studio.name).toBe('Studio Kiez Berlin');

    const fault = await fetch(url('/api/sandbox/faults'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'confirm', fault: { kind: 'status', status: 500 } }),
    });
    expect(fault.status).toBe(200);
    const confirm = await fetch(`${sandbox.url}/v1/trial-offers/bookings/5001/confirm`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey },
    });
    expect(confirm.status).toBe(500);
  });

  it('never hands the sandbox key to the browser', async () => {
    const paths = ['/', '/api/config', '/api/sandbox/state', '/api/sandbox/faults', '/api/sandbox/clock'];
    for (const name of [
      'main.js',
      'chat.js',
      'studio-panel.js',
      'api.js',
      'format-text.js',
      'playground.css',
    ]) {
      paths.push(`/assets/${name}`);
    }
    for (const path of paths) {
      const response = await fetch(url(path));
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).not.toContain(apiKey);
      expect([...response.headers.values()].join(' '), path).not.toContain(apiKey);
    }
  });

  it('reaches only the sandbox’s admin API, not the studio endpoints that belong to the bot', async () => {
    for (const path of [
      '/api/sandbox/%2e%2e/v1/studios/information',
      '/api/sandbox/../v1/studios/information',
    ]) {
      expect((await rawRequest(path, {})).status, path).toBe(404);
    }
    expect(sandbox.callCounts().studio).toBe(0);
  });

  it('refuses pages from other sites: foreign Host headers and cross-origin writes', async () => {
    const rebound = await rawRequest('/api/sandbox/state', { headers: { host: 'attacker.example:3000' } });
    expect(rebound.status).toBe(403);

    const body = JSON.stringify({ endpoint: 'classes', fault: { kind: 'status', status: 500 } });
    const crossSite = await rawRequest('/api/sandbox/faults', {
      method: 'POST',
      headers: { origin: 'http://attacker.example', 'content-type': 'text/plain' },
      body,
    });
    expect(crossSite.status).toBe(403);
    expect(await (await fetch(url('/api/sandbox/faults'))).json()).toEqual({});

    const sameSite = await rawRequest('/api/sandbox/faults', {
      method: 'POST',
      headers: { origin: new URL(playground.url).origin, 'content-type': 'application/json' },
      body,
    });
    expect(sameSite.status).toBe(200);
    expect(await (await fetch(url('/api/sandbox/faults'))).json()).toHaveProperty('classes');

    const localhost = await rawRequest('/api/sandbox/state', {
      headers: { host: `localhost:${new URL(playground.url).port}` },
    });
    expect(localhost.status).toBe(200);
  });

  it('forwards the fake Telegram’s control API and streams its events as they happen', async () => {
    const user = fake.user({ id: 424_242, firstName: 'Ann' });
    const events = await fetch(url('/api/fake/events?chatId=424242'));
    expect(events.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = '';
    const readUntil = async (marker: string): Promise<void> => {
      while (!received.includes(marker)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${marker}; got: ${received}`);
        received += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(': connected');

    const sent = await fetch(url('/api/fake/chats/424242/text'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello from the page' }),
    });
    expect(sent.status).toBe(200);
    await readUntil('hello from the page');
    expect(received).toContain('event: message');
    expect(user.chat.last('user')?.text).toBe('hello from the page');

    const chat = (await (await fetch(url('/api/fake/chats/424242'))).json()) as { messages: unknown[] };
    expect(chat.messages).toHaveLength(1);

    // Closing the playground ends open streams instead of waiting for the browser to leave.
    await playground.close();
    await expect(
      (async () => {
        for (;;) {
          const { done } = await reader.read();
          if (done) return 'ended';
        }
      })().catch(() => 'ended'),
    ).resolves.toBe('ended');
  });

  it('says which side is down when the fake Telegram does not answer', async () => {
    await fake.close();
    const response = await fetch(url('/api/fake/chats/1'));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'the fake Telegram did not answer' });
  });
});

describe('the playground with a studio chain', () => {
  it('lists the studios without their keys and points the panel at the studio the page names', async () => {
    const chain = await createSandbox({
      studios: demoChain.map((studio) => ({
        id: studio.id,
        apiKey: `${apiKey}-${studio.id}`,
        seed: studio.seed,
      })),
    });
    const chainPlayground = await startPlayground({
      fake,
      sandbox: { url: chain.url, apiKey: chain.apiKey, studios: chain.studios },
      logger: silentLogger(),
    });
    try {
      const at = (path: string) => new URL(path, chainPlayground.url).href;
      const configAnswer = await fetch(at('/api/config'));
      const configText = await configAnswer.text();
      const config = JSON.parse(configText) as PlaygroundConfigJson;
      expect(config.studios).toEqual([
        { id: 'berlin', name: 'Studio Kiez Berlin' },
        { id: 'hamburg', name: 'Studio Kiez Hamburg' },
        { id: 'lisboa', name: 'Studio Kiez Lisboa' },
      ]);
      expect(configText).not.toContain(apiKey);
      expect(config.titles.classes['101']).toBe('Rückenfit');
      const lisboaConfig = (await (
        await fetch(at('/api/config?studio=lisboa'))
      ).json()) as PlaygroundConfigJson;
      expect(lisboaConfig.titles.classes['101']).toBe('Costas em forma');

      const state = async (query: string) =>
        ((await (await fetch(at(`/api/sandbox/state${query}`))).json()) as { studio: { name: string } })
          .studio.name;
      expect(await state('')).toBe('Studio Kiez Berlin');
      expect(await state('?studio=hamburg')).toBe('Studio Kiez Hamburg');

      // A fault set for Lisbon is Lisbon's alone.
      const set = await fetch(at('/api/sandbox/faults?studio=lisboa'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: 'classBook', fault: { kind: 'status', status: 503 } }),
      });
      expect(set.status).toBe(200);
      expect(
        Object.keys((await (await fetch(at('/api/sandbox/faults?studio=lisboa'))).json()) as object),
      ).toEqual(['classBook']);
      expect(await (await fetch(at('/api/sandbox/faults'))).json()).toEqual({});

      const unknown = await fetch(at('/api/sandbox/state?studio=porto'));
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'the sandbox has no studio "porto"' });
    } finally {
      await chainPlayground.close();
      await chain.close();
    }
  });
});
