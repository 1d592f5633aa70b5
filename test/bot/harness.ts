/**
 * The whole bot as it runs in production, on loopback: the sandbox studio (fixed clock, no rate
 * limit) behind the real client and catalog, real stores, the fake Telegram Bot API, and
 * `createBot` started with grammY's long polling (or @grammyjs/runner). Tests play prospects
 * through the fake and read what they see.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@grammyjs/runner';
import { type BotDependencies, createBot, type TrialgramBot } from '../../src/bot/index.ts';
import {
  createFakeTelegram,
  type FakeTelegram,
  type FakeUser,
  type ViewMessage,
} from '../../src/fake-telegram/index.ts';
import type { FakeUserInit } from '../../src/fake-telegram/world.ts';
import { createLogger, type Logger, silentLogger } from '../../src/logger.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import {
  createPerfectGymClient,
  type PerfectGymClient,
  type PerfectGymClientOptions,
} from '../../src/perfectgym/client.ts';
import {
  createSandbox,
  createSandboxClock,
  demoChain,
  demoSeed,
  type Sandbox,
  type SandboxSeed,
} from '../../src/sandbox/index.ts';
import { createStores, type Stores } from '../../src/store/index.ts';
import { createStudioCatalog, type StudioCatalog } from '../../src/studio/catalog.ts';
import { createStudioRegistry, type StudioRegistry, sandboxStudios } from '../../src/studio/registry.ts';

/** A Wednesday, 12:00 in Berlin: today's evening classes are still bookable. */
export const startOfTests = Date.parse('2030-06-12T10:00:00Z');

export interface HarnessOptions {
  /** Changes to the demo studio (e.g. other lead-field modes). */
  seed?: (seed: SandboxSeed) => SandboxSeed;
  /** `sqlite` keeps the stores in a file in a temp dir, so `restartBot` can reopen them. */
  storage?: 'memory' | 'sqlite';
  /** `none`: the bot is built and initialised but takes no updates (tests call handleUpdate). */
  polling?: 'grammy' | 'runner' | 'none';
  /** Wraps the stores the bot gets (e.g. to make one namespace fail). */
  wrapStores?: (stores: Stores) => Stores;
  staffChatId?: number;
  adminIds?: number[];
  privacyUrl?: string;
  /** Collects the bot's log lines (level debug) instead of discarding them. */
  logLines?: string[];
  /** The client's `maxRateLimitWaitMs` (0: a 429 lockout fails the call at once, as a long one would). */
  maxRateLimitWaitMs?: number;
  /** Puts a server between the client and the sandbox (a fault the sandbox cannot play); returns its url. */
  studioInFront?: (sandboxUrl: string) => Promise<{ url: string; close(): Promise<void> }>;
  /** Client options on top of the harness's (e.g. a short timeout). */
  client?: Partial<PerfectGymClientOptions>;
  /** A STORAGE_URL instead of `storage` (e.g. Redis under a test prefix). */
  storageUrl?: string;
  /** The client's per-request timeout (`PERFECTGYM_TIMEOUT_MS`); default the client's 10 s. */
  studioTimeoutMs?: number;
  /**
   * The sandbox's three-studio demo chain (`berlin`, `hamburg`, `lisboa`) on the test clock, each
   * studio with its own client from a registry; `staffChats` gives studios a staff chat of their own.
   */
  chain?: { staffChats?: Record<string, number> };
}

export interface Harness {
  readonly sandbox: Sandbox;
  readonly fake: FakeTelegram;
  readonly client: PerfectGymClient;
  readonly catalog: StudioCatalog;
  readonly metrics: Metrics;
  readonly stores: Stores;
  readonly bot: TrialgramBot;
  /** The chain's studios (option `chain`). */
  readonly studios: StudioRegistry | undefined;
  /** The SQLite file of `storage: 'sqlite'` (its -wal and -shm files lie next to it). */
  readonly storageFile: string | undefined;
  /** A prospect (new Telegram user) with an English app unless told otherwise. */
  user(init?: FakeUserInit): FakeUser;
  /** Stops the bot, closes and reopens the stores, and starts a new bot on them (a deploy). */
  restartBot(): Promise<void>;
  stop(): Promise<void>;
}

interface RunningBot {
  bot: TrialgramBot;
  catalog: StudioCatalog;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = createSandboxClock(startOfTests);
  const seed = demoSeed(clock.now());
  const sandbox = await createSandbox({
    clock,
    seed: options.seed ? options.seed(seed) : seed,
    rateLimitPerMinute: false,
    ...(options.chain ? { studios: demoChain.map((studio) => ({ ...studio, clock })) } : {}),
  });
  const fake = await createFakeTelegram({ bot: { username: 'kiez_trial_bot' } });
  const metrics = createMetrics({ defaultMetrics: false });
  const directory = options.storage === 'sqlite' ? mkdtempSync(join(tmpdir(), 'trialgram-bot-')) : undefined;
  const storageUrl =
    options.storageUrl ?? (directory ? `sqlite:${join(directory, 'store.sqlite')}` : 'memory:');
  const openStores = () => createStores({ url: storageUrl, conversationTtlMs: 24 * 3_600_000 });
  let stores = await openStores();
  const logger: Logger = options.logLines
    ? createLogger({ level: 'debug', destination: { write: (line: string) => options.logLines?.push(line) } })
    : silentLogger();
  const inFront = options.studioInFront ? await options.studioInFront(sandbox.url) : undefined;
  const clientOptions = {
    ...(options.maxRateLimitWaitMs === undefined ? {} : { maxRateLimitWaitMs: options.maxRateLimitWaitMs }),
    ...(options.studioTimeoutMs === undefined ? {} : { timeoutMs: options.studioTimeoutMs }),
    ...options.client,
  };
  const studios = options.chain
    ? createStudioRegistry({
        studios: sandboxStudios(sandbox).map((studio) => {
          const staffChatId = options.chain?.staffChats?.[studio.id];
          return staffChatId === undefined ? studio : { ...studio, staffChatId };
        }),
        timeoutMs: options.studioTimeoutMs ?? 10_000,
        ttlMs: 60_000,
        metrics,
        logger,
        clientOptions,
      })
    : undefined;
  const client =
    studios?.studio().client ??
    createPerfectGymClient({
      baseUrl: inFront?.url ?? sandbox.url,
      apiKey: sandbox.apiKey,
      onCall: (event) => metrics.studioCall(event),
      logger,
      ...clientOptions,
    });

  async function startBot(): Promise<RunningBot> {
    const catalog =
      studios?.studio().catalog ?? createStudioCatalog({ client, cache: stores.cache, ttlMs: 60_000 });
    const deps: BotDependencies = {
      token: fake.token,
      apiRoot: fake.apiRoot,
      client,
      catalog,
      stores: options.wrapStores ? options.wrapStores(stores) : stores,
      logger,
      metrics,
      defaultLocale: 'en',
      adminIds: options.adminIds ?? [],
      now: () => clock.now(),
      ...(options.staffChatId === undefined ? {} : { staffChatId: options.staffChatId }),
      ...(options.privacyUrl === undefined ? {} : { privacyUrl: options.privacyUrl }),
      ...(studios ? { studios } : {}),
    };
    const bot = createBot(deps);
    await bot.init();
    if (options.polling === 'none') return { bot, catalog, stop: () => bot.close() };
    if (options.polling === 'runner') {
      const runner = run(bot.bot);
      return {
        bot,
        catalog,
        stop: async () => {
          if (runner.isRunning()) await runner.stop();
          await bot.close();
        },
      };
    }
    let polling: Promise<void> | undefined;
    await new Promise<void>((resolve, reject) => {
      polling = bot.bot.start({ onStart: () => resolve() });
      polling.catch(reject);
    });
    return {
      bot,
      catalog,
      stop: async () => {
        await bot.bot.stop();
        await polling;
        await bot.close();
      },
    };
  }

  let running = await startBot();
  let stopped = false;

  return {
    sandbox,
    fake,
    client,
    get catalog() {
      return running.catalog;
    },
    metrics,
    studios,
    get stores() {
      return stores;
    },
    get bot() {
      return running.bot;
    },
    storageFile: directory ? join(directory, 'store.sqlite') : undefined,
    user: (init = {}) => fake.user({ languageCode: 'en', ...init }),
    async restartBot() {
      await running.stop();
      await stores.close();
      stores = await openStores();
      running = await startBot();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.stop();
      await fake.close();
      await (studios ?? client).close();
      await inFront?.close();
      await sandbox.close();
      await stores.close();
      if (directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Stores whose conversation namespace fails, like Redis going away, for every call `fails`
 * picks (by method name and arguments).
 */
/**
 * Stores whose conversation namespace runs `before(method, args)` ahead of every call: it may throw
 * (the store failing) or change the world (Redis stalling just then).
 */
export function interceptConversations(before: (method: string, args: unknown[]) => void) {
  return (stores: Stores): Stores => {
    const conversations = new Proxy(stores.conversations, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          try {
            before(String(property), args);
          } catch (error) {
            return Promise.reject(error);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { ...stores, conversations, chatLock: stores.chatLock, ping: stores.ping, close: stores.close };
  };
}

/** Stores whose conversation namespace fails (like Redis going away) for the calls `fails` picks. */
export function failingConversations(fails: (method: string, args: unknown[]) => boolean) {
  return interceptConversations((method, args) => {
    if (fails(method, args)) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  });
}

// ---------- playing a prospect ----------

export async function send(user: FakeUser, text: string): Promise<void> {
  await user.sendText(text);
  await user.settled();
}

export async function start(user: FakeUser, payload?: string): Promise<void> {
  await user.start(payload);
  await user.settled();
}

/** Taps an inline button by its label (exact text or RegExp) on the newest message that has it. */
export async function tap(user: FakeUser, label: string | RegExp, messageId?: number): Promise<void> {
  await user.tap(label, messageId === undefined ? undefined : { messageId });
  await user.settled();
}

export async function shareContact(user: FakeUser, ownContact = true, phoneNumber?: string): Promise<void> {
  await user.shareContact({ ownContact, ...(phoneNumber ? { phoneNumber } : {}) });
  await user.settled();
}

export function botMessages(user: FakeUser): ViewMessage[] {
  return user.chat.messages.filter((message) => message.from === 'bot');
}

/** The text of the bot's newest message. */
export function lastText(user: FakeUser): string {
  return user.chat.last('bot')?.text ?? '';
}

/** Button labels of a message, row by row. */
export function labels(message: ViewMessage | undefined): string[][] {
  return (message?.buttons ?? []).map((row) => row.map((button) => button.text));
}

/** A point in the chat, for {@link botMessagesSince}. */
export function mark(user: FakeUser): number {
  return user.chat.last()?.messageId ?? 0;
}

/** The bot's messages sent after `markId`, oldest first. */
export function botMessagesSince(user: FakeUser, markId: number): ViewMessage[] {
  return botMessages(user).filter((message) => message.messageId > markId);
}

/** The texts of the bot's new messages while `action` ran (edits are not new messages). */
export async function newTexts(
  user: FakeUser,
  action: () => Promise<void>,
): Promise<Array<string | undefined>> {
  const before = mark(user);
  await action();
  return botMessagesSince(user, before).map((message) => message.text);
}
