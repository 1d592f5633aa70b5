import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, webhookCallback } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { botFor, startPolling } from './helpers.ts';

let fake: FakeTelegram;
let bot: Bot;
let server: Server | undefined;

beforeEach(async () => {
  fake = await createFakeTelegram({ webhookRetryDelaysMs: [20, 20] });
  bot = botFor(fake);
  await bot.init();
  server = undefined;
});

afterEach(async () => {
  await fake.close();
  if (server !== undefined) {
    const stopped = new Promise((resolve) => server?.close(resolve));
    server.closeAllConnections();
    await stopped;
  }
});

async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
): Promise<string> {
  server = createServer((request, response) => {
    void handler(request, response);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
}

describe('webhook delivery', () => {
  it('POSTs updates to grammY’s webhookCallback with the secret token, and the user sees the reply', async () => {
    bot.command('start', (ctx) => ctx.reply('Hello over webhook'));
    const url = await listen(webhookCallback(bot, 'http', { secretToken: 'trial-secret_1' }));
    await bot.api.setWebhook(url, { secret_token: 'trial-secret_1' });

    const user = fake.user();
    await user.start();
    await user.settled();

    expect(user.chat.last('bot')?.text).toBe('Hello over webhook');
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ url, pending_update_count: 0 });
  });

  it('sends the X-Telegram-Bot-Api-Secret-Token header and retries failed deliveries', async () => {
    const attempts: Array<{ secret: string | undefined; updateId: number }> = [];
    const url = await listen(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const update = JSON.parse(Buffer.concat(chunks).toString()) as { update_id: number };
      attempts.push({
        secret: request.headers['x-telegram-bot-api-secret-token'] as string,
        updateId: update.update_id,
      });
      response.writeHead(attempts.length < 3 ? 502 : 200).end();
    });
    await bot.api.setWebhook(url, { secret_token: 'abc' });

    const user = fake.user();
    const updateId = await user.sendText('hello');
    await user.settled();

    expect(attempts).toEqual([
      { secret: 'abc', updateId },
      { secret: 'abc', updateId },
      { secret: 'abc', updateId },
    ]);
    expect((await bot.api.getWebhookInfo()).last_error_message).toBe('Wrong response from the webhook: 502');
  });

  it('gives up after the last retry, and settled() says so', async () => {
    // The bot expects another secret, so grammY answers every delivery with 401.
    const url = await listen(webhookCallback(bot, 'http', { secretToken: 'expected' }));
    await bot.api.setWebhook(url, { secret_token: 'different' });

    const user = fake.user();
    await user.sendText('hello');
    await expect(user.settled()).rejects.toThrow(
      /webhook delivery failed after 3 attempts: Wrong response from the webhook: 401/,
    );
    expect(fake.pendingUpdateCount).toBe(0);
  });

  it('runs the API call grammY puts into its webhook reply', async () => {
    const replyingBot = new Bot(fake.token, {
      botInfo: fake.botInfo,
      client: { apiRoot: fake.apiRoot, canUseWebhookReply: (method) => method === 'sendMessage' },
    });
    const replyResults: unknown[] = [];
    replyingBot.on('message', async (ctx) => {
      replyResults.push(await ctx.reply('answered inside the webhook response'));
    });
    const url = await listen(webhookCallback(replyingBot, 'http'));
    await replyingBot.api.setWebhook(url);

    const user = fake.user();
    await user.sendText('hi');
    await user.settled();

    // grammY resolves a webhook reply with `true` instead of a Message: the call went back in the response.
    expect(replyResults).toEqual([true]);
    expect(user.chat.last('bot')?.text).toBe('answered inside the webhook response');
  });

  it('refuses getUpdates while a webhook is set, until deleteWebhook', async () => {
    const url = await listen((_request, response) => response.writeHead(200).end());
    await bot.api.setWebhook(url);

    await expect(bot.api.getUpdates()).rejects.toMatchObject({
      error_code: 409,
      description:
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });

    // bot.start() deletes the webhook first, like against Telegram, and then polls normally.
    bot.on('message', (ctx) => ctx.reply('polling again'));
    const stop = await startPolling(bot);
    try {
      const user = fake.user();
      await user.sendText('hi');
      await user.settled();
      expect(user.chat.last('bot')?.text).toBe('polling again');
      expect((await bot.api.getWebhookInfo()).url).toBe('');
    } finally {
      await stop();
    }
  });

  it('only delivers to loopback addresses', async () => {
    await expect(bot.api.setWebhook('https://example.com/hook')).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: bad webhook: the fake Telegram only delivers webhooks to loopback addresses',
    });
  });
});
