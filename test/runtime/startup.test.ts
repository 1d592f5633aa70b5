/**
 * `node src/main.ts` when Telegram cannot be reached at start-up, or refuses the token: every failed
 * attempt is logged with its cause and what to check, and the process ends with code 1 and a clear
 * line instead of waiting silently. TELEGRAM_STARTUP_TIMEOUT_SECONDS (60 by default) is shortened
 * here to keep the test quick.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultWebhookSecret } from '../../src/config.ts';
import { createFakeTelegram } from '../../src/fake-telegram/index.ts';
import { createSandbox } from '../../src/sandbox/index.ts';
import { type BotProcess, botEnv, killBot, startBotProcess } from './helpers.ts';

const token = '123456789:AAStartupTestTokenStartupTestToken01';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function envFor(apiRoot: string, overrides: Record<string, string> = {}) {
  const sandbox = await createSandbox({ rateLimitPerMinute: false });
  cleanups.push(() => sandbox.close());
  const fake = await createFakeTelegram();
  cleanups.push(() => fake.close());
  return {
    ...botEnv({ fake, sandbox, storageUrl: 'memory:' }),
    BOT_TOKEN: token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_STARTUP_TIMEOUT_SECONDS: '3',
    ...overrides,
  };
}

function start(env: Record<string, string>): BotProcess {
  const bot = startBotProcess(env);
  cleanups.push(() => killBot(bot));
  return bot;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** A port where nothing listens (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function attemptLines(bot: BotProcess): Array<Record<string, unknown>> {
  return bot
    .stdout()
    .split('\n')
    .filter((line) => line.includes('cannot reach the Telegram Bot API yet'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('start-up when Telegram cannot be reached', () => {
  it('logs every failed attempt with its cause, then exits 1 naming TELEGRAM_API_ROOT', async () => {
    const root = `http://127.0.0.1:${await closedPort()}`;
    const bot = start(await envFor(root));

    expect(await bot.exited).toEqual({ code: 1, signal: null });
    const attempts = attemptLines(bot);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ level: 40, apiRoot: root, check: 'TELEGRAM_API_ROOT, BOT_TOKEN' });
      expect(String(attempt.cause)).toContain('ECONNREFUSED');
    }
    expect(bot.stderr()).toMatch(
      new RegExp(
        `trialgram failed to start: could not reach the Telegram Bot API at ${root} within 3 s .*check TELEGRAM_API_ROOT`,
      ),
    );
    expect(bot.stdout() + bot.stderr()).not.toContain(token);
    expect(bot.stdout() + bot.stderr()).not.toContain(token.split(':')[1]);
  });

  it('gives up in time on a Bot API that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => void sockets.add(socket));
    const port = await listen(blackHole);
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    });
    const bot = start(await envFor(`http://127.0.0.1:${port}`));

    expect(await bot.exited).toEqual({ code: 1, signal: null });
    expect(bot.stderr()).toMatch(/could not reach the Telegram Bot API at .* within 3 s/);
  });

  it('stops at once when Telegram rejects the token, naming BOT_TOKEN', async () => {
    const fake = await createFakeTelegram();
    cleanups.push(() => fake.close());
    // The fake knows another token: to it, this one is unknown, as to Telegram a revoked one.
    const bot = start(await envFor(fake.apiRoot, { TELEGRAM_STARTUP_TIMEOUT_SECONDS: '600' }));

    expect(await bot.exited).toEqual({ code: 1, signal: null });
    expect(bot.stderr()).toMatch(
      /trialgram failed to start: Telegram rejected the bot token \(401 Unauthorized\): check BOT_TOKEN/,
    );
    expect(attemptLines(bot)).toEqual([]);
    expect(bot.stdout() + bot.stderr()).not.toContain(token.split(':')[1]);
  });
});

describe('start-up lines', () => {
  it('never show the bot token, not even inside WEBHOOK_URL, nor the webhook secret', async () => {
    const sandbox = await createSandbox({ rateLimitPerMinute: false });
    cleanups.push(() => sandbox.close());
    const fake = await createFakeTelegram();
    cleanups.push(() => fake.close());
    const port = await closedPort();
    for (const tokenInPath of [fake.token, encodeURIComponent(fake.token)]) {
      const webhookUrl = `http://127.0.0.1:${port}/bot${tokenInPath}/telegram`;
      const bot = start({
        ...botEnv({ fake, sandbox, storageUrl: 'memory:', webhookUrl }),
        LOG_LEVEL: 'debug',
      });
      await bot.waitForOutput(/Webhook mode:/, 15_000);
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toEqual({ code: 0, signal: null });

      expect(bot.stderr()).toContain(`Telegram posts to http://127.0.0.1:${port}/bot[token]/telegram`);
      expect(bot.stderr()).toMatch(/serving on 127\.0\.0\.1:\d+ \(HOST, PORT\)/);
      const output = bot.stdout() + bot.stderr();
      expect(output).not.toContain(fake.token.split(':')[1]);
      expect(output).not.toContain(defaultWebhookSecret(fake.token));
    }
  });
});
