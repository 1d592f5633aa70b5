/**
 * The whole bot as it runs in production, on loopback: trialgram built by the composition root
 * (`createTrialgram`: the real client, catalog, stores and bot) against the sandbox studio (fixed
 * clock, no rate limit) and the fake Telegram Bot API, long polling through src/runtime/polling.ts.
 * Tests play prospects through the fake and read what they see.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrialgramBot } from '../../src/bot/index.ts';
import { parseConfig } from '../../src/config.ts';
import {
  createFakeTelegram,
  type FakeTelegram,
  type FakeUser,
  type ViewMessage,
} from '../../src/fake-telegram/index.ts';
import type { FakeUserInit } from '../../src/fake-telegram/world.ts';
import { createLogger, type Logger, silentLogger } from '../../src/logger.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import type { PerfectGymClient } from '../../src/perfectgym/client.ts';
import { startPolling } from '../../src/runtime/polling.ts';
import {
  createSandbox,
  createSandboxClock,
  demoChain,
  demoSeed,
  type Sandbox,
  type SandboxSeed,
} from '../../src/sandbox/index.ts';
import type { Stores } from '../../src/store/index.ts';
import type { StudioCatalog } from '../../src/studio/catalog.ts';
import { type StudioRegistry, sandboxStudios } from '../../src/studio/registry.ts';
import { createTrialgram, type Trialgram, type TrialgramOverrides } from '../../src/trialgram.ts';

/** A Wednesday, 12:00 in Berlin: today's evening classes are still bookable. */
export const startOfTests = Date.parse('2030-06-12T10:00:00Z');

export interface HarnessOptions {
  /** Changes to the demo studio (e.g. other lead-field modes). */
  seed?: (seed: SandboxSeed) => SandboxSeed;
  /** `sqlite` keeps the stores in a file in a temp dir, so `restartBot` can reopen them. */
  storage?: 'memory' | 'sqlite';
  /**
   * `runner` (default): long polling as production polls (src/runtime/polling.ts). `none`: the bot
   * is built and initialised but takes no updates (tests call handleUpdate).
   */
  polling?: 'runner' | 'none';
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
  /** Client options on top of the config's (e.g. a short timeout). */
  client?: NonNullable<TrialgramOverrides['client']>;
  /** A STORAGE_URL instead of `storage` (e.g. Redis under a test prefix). */
  storageUrl?: string;
  /** The client's per-request timeout (`PERFECTGYM_TIMEOUT_MS`); default the client's 10 s. */
  studioTimeoutMs?: number;
  /** Where the sandbox clock (and the demo studio's schedule) starts; default {@link startOfTests}. */
  startAt?: number;
  /**
   * The sandbox's three-studio demo chain (`berlin`, `hamburg`, `lisboa`) on the test clock, each
   * studio with its own client from a registry; `staffChats` gives studios a staff chat of their own.
   */
  chain?: {
    staffChats?: Record<string, number>;
    /** Further studios after the three, `town-1`…: Berlin's data, each in a town of its own. */
    moreStudios?: number;
  };
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
  /** Stops trialgram (bot, stores, studio pool) and starts it again on the same stores (a deploy). */
  restartBot(): Promise<void>;
  /** Moves the sandbox clock (which the bot and its reminders read) and sends the reminders now due. */
  passTime(ms: number): Promise<void>;
  stop(): Promise<void>;
}

interface RunningBot {
  trialgram: Trialgram;
  stop(): Promise<void>;
}

/** Studios `town-1`… for a chain longer than the demo's: Berlin's data in towns of their own. */
function moreStudios(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `town-${i + 1}`,
    seed: (nowMs: number) => {
      const seed = demoSeed(nowMs);
      return { ...seed, studio: { ...seed.studio, name: `Studio Town ${i + 1}`, city: `Town ${i + 1}` } };
    },
  }));
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = createSandboxClock(options.startAt ?? startOfTests);
  const seed = demoSeed(clock.now());
  const sandbox = await createSandbox({
    clock,
    seed: options.seed ? options.seed(seed) : seed,
    rateLimitPerMinute: false,
    ...(options.chain
      ? {
          studios: [...demoChain, ...moreStudios(options.chain.moreStudios ?? 0)].map((studio) => ({
            ...studio,
            clock,
          })),
        }
      : {}),
  });
  const fake = await createFakeTelegram({ bot: { username: 'kiez_trial_bot' } });
  const metrics = createMetrics({ defaultMetrics: false });
  const directory = options.storage === 'sqlite' ? mkdtempSync(join(tmpdir(), 'trialgram-bot-')) : undefined;
  const inFront = options.studioInFront ? await options.studioInFront(sandbox.url) : undefined;
  const config = parseConfig({
    BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    // A chain: no studio in the config, the sandbox's chain comes in through the overrides.
    ...(options.chain ? {} : { PERFECTGYM_BASE_URL: inFront?.url ?? sandbox.url }),
    ...(options.chain ? {} : { PERFECTGYM_API_KEY: sandbox.apiKey }),
    ...(options.studioTimeoutMs === undefined
      ? {}
      : { PERFECTGYM_TIMEOUT_MS: String(options.studioTimeoutMs) }),
    STORAGE_URL: options.storageUrl ?? (directory ? `sqlite:${join(directory, 'store.sqlite')}` : 'memory:'),
    DEFAULT_LOCALE: 'en',
    ...(options.adminIds ? { ADMIN_IDS: options.adminIds.join(',') } : {}),
    ...(options.staffChatId === undefined ? {} : { STAFF_CHAT_ID: String(options.staffChatId) }),
    ...(options.privacyUrl === undefined ? {} : { PRIVACY_URL: options.privacyUrl }),
  });
  const logger: Logger = options.logLines
    ? createLogger({ level: 'debug', destination: { write: (line: string) => options.logLines?.push(line) } })
    : silentLogger();
  const client = {
    ...(options.maxRateLimitWaitMs === undefined ? {} : { maxRateLimitWaitMs: options.maxRateLimitWaitMs }),
    ...options.client,
  };
  const studios = options.chain
    ? sandboxStudios(sandbox).map((studio) => {
        const staffChatId = options.chain?.staffChats?.[studio.id];
        return staffChatId === undefined ? studio : { ...studio, staffChatId };
      })
    : undefined;

  /** trialgram as the composition root builds it, polling as production does (or not at all). */
  async function startBot(): Promise<RunningBot> {
    const trialgram = await createTrialgram(config, {
      logger,
      metrics,
      now: () => clock.now(),
      ...(options.wrapStores ? { wrapStores: options.wrapStores } : {}),
      client,
      ...(studios ? { studios } : {}),
    });
    try {
      await trialgram.init();
    } catch (error) {
      await trialgram.close();
      throw error;
    }
    if (options.polling === 'none') return { trialgram, stop: () => trialgram.close() };
    // The fake learns an update is done from the next getUpdates offset: fetch when handled.
    const polling = startPolling({
      bot: trialgram.bot,
      handleUpdate: trialgram.handleUpdate,
      logger,
      fetchWhenIdle: true,
    });
    return {
      trialgram,
      stop: async () => {
        await polling.stop();
        await trialgram.close();
      },
    };
  }

  let running = await startBot();
  let stopped = false;

  return {
    sandbox,
    fake,
    get client() {
      return running.trialgram.client;
    },
    get catalog() {
      return running.trialgram.catalog;
    },
    metrics,
    get studios() {
      return studios ? running.trialgram.studios : undefined;
    },
    get stores() {
      return running.trialgram.stores;
    },
    get bot() {
      return running.trialgram.bot;
    },
    storageFile: directory ? join(directory, 'store.sqlite') : undefined,
    user: (init = {}) => fake.user({ languageCode: 'en', ...init }),
    async passTime(ms) {
      clock.advance(ms);
      await running.trialgram.bot.reminders?.fireDue();
    },
    async restartBot() {
      await running.stop();
      running = await startBot();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.stop();
      await fake.close();
      await inFront?.close();
      await sandbox.close();
      if (directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Stores the test writes behind the bot's back, as another process would (an expiry, a corrupt or
 * crashed row): the bot reads every row from the store instead of its own last writes.
 */
export const writtenByTheTestToo = (stores: Stores): Stores => ({ ...stores, onlyWriter: false });

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
