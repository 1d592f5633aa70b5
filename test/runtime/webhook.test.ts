/**
 * The app in webhook mode as an operator starts it without WEBHOOK_SECRET: Telegram (the fake, via a
 * load balancer) gets a secret all the same, and whoever learns the URL cannot post updates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app.ts';
import { defaultWebhookSecret, parseConfig } from '../../src/config.ts';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { botEnv, type LoadBalancer, metricValue, startLoadBalancer, step, texts } from './helpers.ts';

let sandbox: Sandbox;
let fake: FakeTelegram;
let balancer: LoadBalancer;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await createSandbox({ rateLimitPerMinute: false });
  fake = await createFakeTelegram();
  balancer = await startLoadBalancer();
  const env = botEnv({ fake, sandbox, storageUrl: 'memory:', webhookUrl: balancer.url });
  expect(env.WEBHOOK_SECRET).toBeUndefined();
  app = await startApp(parseConfig(env), { logger: silentLogger(), announce: () => undefined });
  balancer.setBackends([`${app.http?.url}/telegram`]);
});

afterAll(async () => {
  await app?.stop();
  await balancer?.close();
  await fake?.close();
  await sandbox?.close();
});

const webhookUrl = () => `${app.http?.url}/telegram`;
const forgedStart = (updateId: number, chatId: number) =>
  JSON.stringify({
    update_id: updateId,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Mallory' },
      from: { id: chatId, is_bot: false, first_name: 'Mallory' },
      text: '/start',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    },
  });

async function metrics(): Promise<string> {
  return (await fetch(`${app.http?.url}/metrics`)).text();
}

describe('webhook mode without WEBHOOK_SECRET', () => {
  it('registers a secret derived from the bot token, and Telegram updates arrive with it', async () => {
    const setWebhook = fake.calls.filter((call) => call.method === 'setWebhook');
    expect(setWebhook).toHaveLength(1);
    expect(setWebhook[0]?.params.secret_token).toBe(defaultWebhookSecret(fake.token));

    const user = fake.user({ firstName: 'Zofia' });
    await step(user, () => user.start(), texts.offers);
  });

  it('refuses updates posted without the secret, and handles none of them', async () => {
    const before = metricValue(await metrics(), 'trialgram_updates_total', { type: 'message' }) ?? 0;
    const mallory = 900_000_001;
    for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'guessed' }]) {
      const response = await fetch(webhookUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: forgedStart(50_000, mallory),
      });
      expect(response.status).toBe(401);
    }
    expect(metricValue(await metrics(), 'trialgram_updates_total', { type: 'message' }) ?? 0).toBe(before);
    expect(fake.calls.some((call) => call.params.chat_id === mallory)).toBe(false);
  });

  it('labels updates of types the Bot API does not have as "other": forged keys make no new series', async () => {
    const secret = defaultWebhookSecret(fake.token);
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(webhookUrl(), {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
            body: JSON.stringify({ update_id: 60_000 + batch * 50 + i, [`forged_${batch}_${i}`]: {} }),
          }),
        ),
      );
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
    }
    const text = await metrics();
    expect(metricValue(text, 'trialgram_updates_total', { type: 'other' })).toBe(500);
    const series = text.split('\n').filter((line) => line.startsWith('trialgram_updates_total{'));
    expect(series.some((line) => line.includes('forged_'))).toBe(false);
    expect(series.length).toBeLessThanOrEqual(3);
  });
});
