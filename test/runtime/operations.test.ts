/**
 * The app as operators run it (`startApp` with a parsed environment, long polling): /metrics
 * after a whole booking, /healthz when the studio or Redis goes away, and what a prospect hears
 * while Redis is unreachable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSandbox, demoChain, type Sandbox } from '../../src/sandbox/index.ts';
import {
  deleteRedisKeys,
  redisUrl,
  setRawRedisValue,
  startTcpProxy,
  type TcpProxy,
  uniqueRedisPrefix,
} from '../store/redis-helpers.ts';
import {
  answerLeadQuestions,
  bookAndConfirm,
  botEnv,
  chooseOfferAndSlot,
  countMatching,
  eventually,
  metricValue,
  type Prospect,
  step,
  texts,
} from './helpers.ts';

const zofia: Prospect = {
  firstName: 'Zofia',
  lastName: 'Kowalczyk',
  email: 'zofia.k@example.com',
  telephone: '+4915112345678',
  street: 'Kastanienallee',
  houseNumber: '7',
  zipCode: '10435',
  city: 'Berlin',
};

interface World {
  sandbox: Sandbox;
  fake: FakeTelegram;
  app: RunningApp;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startWorld(
  storageUrl: string,
  options: { studioHealthCacheMs?: number; sandbox?: Parameters<typeof createSandbox>[0] } = {},
): Promise<World> {
  const sandbox = await createSandbox({ rateLimitPerMinute: false, ...options.sandbox });
  cleanups.push(() => sandbox.close());
  const fake = await createFakeTelegram();
  cleanups.push(() => fake.close());
  const { HOST: _host, ...env } = botEnv({ fake, sandbox, storageUrl });
  // HOST unset, as an operator would start it: loopback is the default outside webhook mode.
  const app = await startApp(parseConfig(env), {
    logger: silentLogger(),
    announce: () => undefined,
    ...(options.studioHealthCacheMs !== undefined
      ? { studioHealthCacheMs: options.studioHealthCacheMs }
      : {}),
  });
  cleanups.push(() => app.stop());
  return { sandbox, fake, app };
}

async function metricsText(app: RunningApp): Promise<string> {
  const response = await fetch(`${app.http?.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function health(app: RunningApp): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${app.http?.url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('metrics', () => {
  it('count a whole booking with confirmation through the funnel, the studio calls and the updates', async () => {
    const { app, fake } = await startWorld('memory:');
    const user = fake.user({ firstName: 'Zofia' });

    await chooseOfferAndSlot(user, /Rückenfit/);
    await answerLeadQuestions(user, zofia);
    await bookAndConfirm(user);
    // One Telegram error, answered by the Bot API: the user blocked the bot before /help.
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await user.sendText('/help');
    await eventually(
      async () => metricValue(await metricsText(app), 'trialgram_telegram_api_errors_total') !== undefined,
    );

    const metrics = await metricsText(app);
    const funnel = (stage: string) => metricValue(metrics, 'trialgram_booking_funnel_total', { stage });
    expect({
      started: funnel('started'),
      offer_chosen: funnel('offer_chosen'),
      slot_chosen: funnel('slot_chosen'),
      lead_created: funnel('lead_created'),
      booked: funnel('booked'),
      confirmation_required: funnel('confirmation_required'),
      confirmed: funnel('confirmed'),
      duplicate: funnel('duplicate'),
      expired: funnel('expired'),
    }).toEqual({
      started: 1,
      offer_chosen: 1,
      slot_chosen: 1,
      lead_created: 1,
      booked: 1,
      confirmation_required: 1,
      confirmed: 1,
      duplicate: 0,
      expired: 0,
    });

    const calls = (endpoint: string) =>
      metricValue(metrics, 'trialgram_studio_api_calls_total', { endpoint, status: '200' });
    expect(calls('leadCreate')).toBe(1);
    expect(calls('classBook')).toBe(1);
    expect(calls('confirm')).toBe(1);
    expect(
      metricValue(metrics, 'trialgram_studio_api_duration_seconds_count', { endpoint: 'classBook' }),
    ).toBe(1);

    // What the prospect sent: /start, Rückenfit, slot, gender skip, date-of-birth skip, "That's
    // right" under the address, Book now, Confirm are taps or commands; first name, last name,
    // e-mail, contact, the address in one line and /help are messages.
    const sent = user.chat.messages.filter((m) => m.from === 'user').length;
    const taps = fake.calls.filter((c) => c.method === 'answerCallbackQuery').length;
    expect(metricValue(metrics, 'trialgram_updates_total', { type: 'callback_query' })).toBe(taps);
    expect(metricValue(metrics, 'trialgram_updates_total', { type: 'message' })).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual(6);

    expect(
      metricValue(metrics, 'trialgram_telegram_api_errors_total', { method: 'sendMessage', code: '403' }),
    ).toBe(1);
  });
});

describe('updates the app asks Telegram for', () => {
  it('include edited messages, so an edited answer gets a reply instead of silence', async () => {
    const { fake } = await startWorld('memory:');
    const user = fake.user({ firstName: 'Edda' });
    await user.sendText('/help');
    await user.chat.waitFor((chat) => chat.messages.some((m) => m.from === 'bot'));
    const sent = user.chat.last('user')?.messageId ?? -1;
    await user.editText(sent, '/help please');
    await user.chat.waitFor((chat) => (chat.last('bot')?.text ?? '').startsWith('I only read new messages'));
  });
});

describe('health and Redis outages', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });

  async function startOnProxiedRedis(
    options: Parameters<typeof startWorld>[1] = {},
  ): Promise<World & { proxy: TcpProxy; prefix: string }> {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    cleanups.push(() => proxy.close());
    const prefix = uniqueRedisPrefix('ops');
    prefixes.push(prefix);
    return { proxy, prefix, ...(await startWorld(redisUrl(prefix, proxy.port), options)) };
  }

  it('/healthz names the studio while its API fails, and recovers with it', async () => {
    // The studio's answer is cached (15 s by default); a short interval keeps the test quick.
    const { app, sandbox } = await startOnProxiedRedis({ studioHealthCacheMs: 200 });
    expect(await health(app)).toEqual({ status: 200, body: { status: 'ok', store: 'ok', studio: 'ok' } });

    sandbox.faults.set('studio', { kind: 'status', status: 500 });
    await eventually(async () => (await health(app)).status === 503);
    expect(await health(app)).toEqual({
      status: 503,
      body: { status: 'unhealthy', store: 'ok', studio: 'unavailable' },
    });

    sandbox.faults.clear('studio');
    await eventually(async () => (await health(app)).status === 200);
  });

  it("/healthz in a chain names each studio; one studio's outage leaves the instance ready", async () => {
    const sandbox = await createSandbox({ rateLimitPerMinute: false, studios: [...demoChain] });
    cleanups.push(() => sandbox.close());
    const fake = await createFakeTelegram();
    cleanups.push(() => fake.close());
    const {
      PERFECTGYM_BASE_URL: _url,
      PERFECTGYM_API_KEY: _key,
      ...base
    } = botEnv({
      fake,
      sandbox,
      storageUrl: 'memory:',
    });
    const directory = mkdtempSync(join(tmpdir(), 'trialgram-health-'));
    cleanups.push(async () => rmSync(directory, { recursive: true, force: true }));
    const file = join(directory, 'studios.json');
    writeFileSync(
      file,
      JSON.stringify({
        studios: sandbox.studios.map((studio) => ({
          id: studio.id,
          baseUrl: sandbox.url,
          apiKey: studio.apiKey,
        })),
      }),
    );
    const app = await startApp(parseConfig({ ...base, STUDIOS_FILE: file }), {
      logger: silentLogger(),
      announce: () => undefined,
      studioHealthCacheMs: 200,
    });
    cleanups.push(() => app.stop());
    const ids = sandbox.studios.map((studio) => studio.id);
    expect(await health(app)).toEqual({
      status: 200,
      body: { status: 'ok', store: 'ok', studios: Object.fromEntries(ids.map((id) => [id, 'ok'])) },
    });

    const [first, second] = sandbox.studios;
    first?.faults.set('studio', { kind: 'status', status: 500 });
    await eventually(async () => (await health(app)).body.status === 'degraded');
    expect(await health(app)).toMatchObject({
      status: 200,
      body: { studios: { [first?.id ?? '']: 'unavailable', [second?.id ?? '']: 'ok' } },
    });
  });

  it('/healthz asks the studio at most once per interval however many probes come; /livez never', async () => {
    // The studio's real rate limit: a probe storm that reached it would lock the endpoint (429).
    const { app, sandbox } = await startWorld('memory:', { sandbox: { rateLimitPerMinute: 1_000 } });
    const before = sandbox.callCounts().studio;
    let ok = 0;
    for (let batch = 0; batch < 22; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${app.http?.url}/healthz`)));
      ok += answers.filter((answer) => answer.status === 200).length;
    }
    expect(ok).toBe(1_100);
    expect(sandbox.callCounts().studio - before).toBeLessThanOrEqual(1);

    const live = await fetch(`${app.http?.url}/livez`);
    expect(live.status).toBe(200);
    expect(sandbox.callCounts().studio - before).toBeLessThanOrEqual(1);
  });

  it('answers "temporarily unavailable" while Redis is unreachable and carries on once it is back', async () => {
    const { app, fake, proxy } = await startOnProxiedRedis();
    const user = fake.user({ firstName: 'Zofia' });
    await chooseOfferAndSlot(user, /Yoga Flow/);
    await step(user, () => user.sendText(zofia.firstName), texts.lastName);
    // Redis goes away once the bot has stored that update as applied (its last write, after the
    // question was sent); had it gone away before, the bot would ask for the last name once more.
    await eventually(async () => {
      const row = (await app.stores.conversations.get(String(user.id))) as { done?: boolean } | undefined;
      return row?.done === true;
    });

    proxy.cut();
    expect(await health(app)).toEqual({
      status: 503,
      body: { status: 'unhealthy', store: 'unavailable', studio: 'ok' },
    });
    await step(user, () => user.sendText(zofia.lastName), texts.storeUnavailable);

    proxy.restore();
    await eventually(async () => (await health(app)).status === 200);
    // The answer given during the outage was not kept; the bot still asks for the last name.
    await step(user, () => user.sendText(zofia.lastName), texts.email);
    await step(user, () => user.sendText(zofia.email), texts.summary);
    expect(user.chat.last('bot')?.text).toContain('Name: Zofia Kowalczyk');
    await bookAndConfirm(user);
    expect(countMatching(user, texts.booked)).toBe(1);
    expect(countMatching(user, texts.storeUnavailable)).toBe(1);
  });

  it('restarts only the prospect whose stored conversation is unreadable, with a friendly word', async () => {
    const { fake, prefix } = await startOnProxiedRedis();
    const broken = fake.user({ firstName: 'Zofia' });
    const other = fake.user({ firstName: 'Yusuf' });
    await chooseOfferAndSlot(broken, /Yoga Flow/);
    await chooseOfferAndSlot(other, /Yoga Flow/);

    await setRawRedisValue(`${prefix}:conversations::${broken.id}`, '{"value":"{\\"version\\":1,\\"st');
    await step(broken, () => broken.sendText(zofia.firstName), /lost track of our conversation/);
    await step(broken, () => broken.start(), texts.offers);

    // The other prospect is where they were.
    await step(other, () => other.sendText('Yusuf'), texts.lastName);
  });
});

describe('where the app listens', () => {
  it('in polling mode without HOST: loopback only, /metrics too', async () => {
    const { app } = await startWorld('memory:');
    const address = app.http?.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
    expect((await fetch(`${app.http?.url}/metrics`)).status).toBe(200);
  });
});
