/**
 * What the benchmark measures inside the bot's process, without changing what the bot does:
 * - when each update reached the bot (the getUpdates answer that carried it arrived),
 * - which Bot API calls and studio calls each update caused, and when its last Bot API call ended,
 * - how large the stored conversations are,
 * - the process's memory.
 * Calls are attributed to updates with an AsyncLocalStorage entered around grammY's handleUpdate,
 * so a call belongs to the update whose handler (or its awaited work) made it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Api, Transformer, WebhookReplyEnvelope } from 'grammy';
import type { Update } from 'grammy/types';
import type { Keyv } from 'keyv';
import { bump, Histogram, type Summary, summarize } from './stats.ts';

/** The part of a grammY Bot the recorder hooks into. */
export interface InstrumentableBot {
  api: Api;
  handleUpdate(update: Update, webhookReplyEnvelope?: WebhookReplyEnvelope): Promise<void>;
}

interface UpdateTrace {
  deliveredAt: number;
  lastCallEndedAt: number | undefined;
  studioMs: number;
  studioCalls: number;
}

export interface MemoryMark {
  label: string;
  /** V8 heap in use, after a full garbage collection when the process allows one (`--expose-gc`). */
  heapUsedBytes: number;
  rssBytes: number;
  collected: boolean;
}

export interface StoredSizes {
  /** Conversations written at least once. */
  conversations: number;
  /** Per conversation, the largest entry (key + stored value) it had; mean and max over conversations. */
  largestPerConversation: Summary;
  /** Entry sizes as the run ended (most conversations finished by then). */
  finalPerConversation: Summary;
  /** Other per-user records (lead mapping, idempotency records) still stored at the end: keys and bytes. */
  otherKeys: number;
  otherBytes: number;
  /** Writes (sets and deletes) the bot made, by namespace. */
  writes: Record<string, number>;
}

/** Everything measured inside the bot's process; plain data, so it can cross a process boundary. */
export interface BotSideReport {
  updatesHandled: number;
  handlerErrors: number;
  /** Update delivered to the bot → end of the last Bot API call the bot made for it. */
  latencyMs: Summary;
  /** The same minus the time the update spent waiting for studio calls. */
  latencyWithoutStudioMs: Summary;
  /** Per update that called the studio, the time spent in those calls. */
  studioMsPerUpdate: Summary;
  /** One figure per studio call attempt, as the client saw it (round trip over loopback). */
  studioCallMs: Summary;
  studioCallsByEndpoint: Record<string, number>;
  studioCallFailures: Record<string, number>;
  /** Bot API calls made while handling updates, by method (getUpdates not included). */
  telegramCallsByMethod: Record<string, number>;
  /** Calls outside any update (getMe, deleteWebhook, setMyCommands at start-up). */
  telegramCallsOutsideUpdates: Record<string, number>;
  /** Bot API calls Telegram refused (`ok: false`), by method and description. */
  telegramErrors: Record<string, number>;
  storage: StoredSizes | undefined;
  /**
   * The largest resident memory seen, sampled every 100 ms while the recorder runs. (Not the
   * kernel's maxRSS: on Linux a child process inherits that figure from its parent across exec.)
   */
  peakRssBytes: number;
  /** CPU time (user + system) the process used from the bot's start to its stop. */
  cpuMs: number;
  /** How late the process's event loop ran timers (10 ms resolution): how busy its one thread was. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  memoryMarks: MemoryMark[];
}

export interface StudioCallEvent {
  endpoint: string;
  status: number | string;
  durationMs: number;
}

const byteLength = (value: unknown): number =>
  Buffer.byteLength(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

export class BotRecorder {
  readonly #current = new AsyncLocalStorage<UpdateTrace>();
  /** Delivered but not yet finished, by update_id. */
  readonly #open = new Map<number, UpdateTrace>();
  readonly #latency = new Histogram();
  readonly #latencyWithoutStudio = new Histogram();
  readonly #studioPerUpdate = new Histogram();
  readonly #studioCall = new Histogram();
  readonly #studioCallsByEndpoint: Record<string, number> = {};
  readonly #studioCallFailures: Record<string, number> = {};
  readonly #telegramCalls: Record<string, number> = {};
  readonly #telegramOutside: Record<string, number> = {};
  readonly #telegramErrors: Record<string, number> = {};
  readonly #conversationLargest = new Map<string, number>();
  readonly #conversationLast = new Map<string, number>();
  readonly #otherEntries = new Map<string, number>();
  readonly #storeWrites: Record<string, number> = {};
  readonly #memoryMarks: MemoryMark[] = [];
  #watchingStores = false;
  #updatesHandled = 0;
  #handlerErrors = 0;
  #handlersRunning = 0;
  readonly #idleWaiters = new Set<() => void>();
  #peakRss = 0;
  #cpuAtStart: NodeJS.CpuUsage | undefined;
  #loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;

  /**
   * Notes the process's resident memory so far (start-up included). The peak is the kernel's own
   * (`maxRSS`), read again by `report()`: exact, and no sampling timer runs in the measured process
   * (reading the RSS every 100 ms took 1–2 % of the bot's CPU under load, more per update in the
   * slower bot).
   */
  startSampling(): void {
    this.#sampleRss();
  }

  /**
   * The bot is up: from now on count CPU time and event-loop delay, so that loading modules and
   * connecting the store do not count as the cost of handling updates.
   */
  botStarted(): void {
    this.#cpuAtStart ??= process.cpuUsage();
    if (this.#loopDelay === undefined) {
      this.#loopDelay = monitorEventLoopDelay({ resolution: 10 });
      this.#loopDelay.enable();
    }
  }

  #sampleRss(): void {
    this.#peakRss = Math.max(this.#peakRss, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
  }

  /**
   * Resolves once no update is being handled (or after `timeoutMs`). The runner's stop() does not
   * wait for handlers in flight, so the benchmark waits here before closing the store.
   */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.#handlersRunning === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#idleWaiters.add(done);
    });
  }

  /**
   * Hooks into a bot before it takes updates: a Bot API transformer (installed last, so it wraps
   * the others and times what leaves the process) and a wrapper around `handleUpdate`.
   */
  instrument(bot: InstrumentableBot): void {
    const transformer: Transformer = async (prev, method, payload, signal) => {
      if (method === 'getUpdates') {
        const response = await prev(method, payload, signal);
        if (response.ok) {
          const now = performance.now();
          for (const update of response.result as Update[]) {
            if (!this.#open.has(update.update_id)) this.#open.set(update.update_id, newTrace(now));
          }
        }
        return response;
      }
      const trace = this.#current.getStore();
      try {
        const response = await prev(method, payload, signal);
        if (!response.ok) bump(this.#telegramErrors, `${method}: ${response.description}`);
        return response;
      } finally {
        if (trace === undefined) bump(this.#telegramOutside, method);
        else {
          bump(this.#telegramCalls, method);
          trace.lastCallEndedAt = performance.now();
        }
      }
    };
    bot.api.config.use(transformer);

    const handle = bot.handleUpdate.bind(bot);
    bot.handleUpdate = (update, envelope) => {
      const trace = this.#open.get(update.update_id) ?? newTrace(performance.now());
      this.#handlersRunning += 1;
      return this.#current.run(trace, async () => {
        try {
          await handle(update, envelope);
        } catch (error) {
          this.#handlerErrors += 1;
          throw error;
        } finally {
          this.#finish(update.update_id, trace);
          this.#handlersRunning -= 1;
          if (this.#handlersRunning === 0) for (const done of [...this.#idleWaiters]) done();
        }
      });
    };
  }

  #finish(updateId: number, trace: UpdateTrace): void {
    this.#open.delete(updateId);
    this.#updatesHandled += 1;
    const latency = (trace.lastCallEndedAt ?? performance.now()) - trace.deliveredAt;
    this.#latency.push(latency);
    this.#latencyWithoutStudio.push(Math.max(0, latency - trace.studioMs));
    if (trace.studioCalls > 0) this.#studioPerUpdate.push(trace.studioMs);
  }

  /** For the PerfectGym client's `onCall` hook: one event per attempt. */
  studioCall(event: StudioCallEvent): void {
    bump(this.#studioCallsByEndpoint, event.endpoint);
    if (typeof event.status !== 'number' || event.status >= 400) {
      bump(this.#studioCallFailures, `${event.endpoint}: ${event.status}`);
    }
    this.#studioCall.push(event.durationMs);
    const trace = this.#current.getStore();
    if (trace !== undefined) {
      trace.studioMs += event.durationMs;
      trace.studioCalls += 1;
    }
  }

  /** Records the size of every conversation (and other per-user record) the bot writes. */
  watchStores(stores: { conversations: Keyv; leads: Keyv; records: Keyv }): void {
    this.#watchingStores = true;
    const wrote = (namespace: string) => bump(this.#storeWrites, namespace);
    for (const [name, store] of [
      ['conversations', stores.conversations],
      ['leads', stores.leads],
      ['records', stores.records],
    ] as const) {
      store.hooks.addHandler('postSet', () => wrote(name));
      store.hooks.addHandler('postDelete', () => wrote(name));
    }
    stores.conversations.hooks.addHandler('postSet', (data: { key: string; value: unknown }) => {
      const size = byteLength(data.key) + byteLength(data.value);
      this.#conversationLast.set(data.key, size);
      if (size > (this.#conversationLargest.get(data.key) ?? 0))
        this.#conversationLargest.set(data.key, size);
    });
    stores.conversations.hooks.addHandler('postDelete', (data: { key: string | string[] }) => {
      for (const key of [data.key].flat()) this.#conversationLast.delete(key);
    });
    for (const [name, store] of [
      ['leads', stores.leads],
      ['records', stores.records],
    ] as const) {
      store.hooks.addHandler('postSet', (data: { key: string; value: unknown }) => {
        this.#otherEntries.set(`${name}:${data.key}`, byteLength(data.key) + byteLength(data.value));
      });
      store.hooks.addHandler('postDelete', (data: { key: string | string[] }) => {
        for (const key of [data.key].flat()) this.#otherEntries.delete(`${name}:${key}`);
      });
    }
  }

  /** Takes a memory reading, after a full collection when `global.gc` is available. */
  markMemory(label: string): MemoryMark {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc !== undefined) {
      gc();
      gc();
    }
    const usage = process.memoryUsage();
    this.#peakRss = Math.max(this.#peakRss, usage.rss);
    const mark = { label, heapUsedBytes: usage.heapUsed, rssBytes: usage.rss, collected: gc !== undefined };
    this.#memoryMarks.push(mark);
    return mark;
  }

  report(): BotSideReport {
    this.#loopDelay?.disable();
    this.#sampleRss();
    let otherBytes = 0;
    for (const size of this.#otherEntries.values()) otherBytes += size;
    return {
      updatesHandled: this.#updatesHandled,
      handlerErrors: this.#handlerErrors,
      latencyMs: this.#latency.summary(),
      latencyWithoutStudioMs: this.#latencyWithoutStudio.summary(),
      studioMsPerUpdate: this.#studioPerUpdate.summary(),
      studioCallMs: this.#studioCall.summary(),
      studioCallsByEndpoint: { ...this.#studioCallsByEndpoint },
      studioCallFailures: { ...this.#studioCallFailures },
      telegramCallsByMethod: { ...this.#telegramCalls },
      telegramCallsOutsideUpdates: { ...this.#telegramOutside },
      telegramErrors: { ...this.#telegramErrors },
      storage: this.#watchingStores
        ? {
            conversations: this.#conversationLargest.size,
            largestPerConversation: summarize([...this.#conversationLargest.values()]),
            finalPerConversation: summarize([...this.#conversationLast.values()]),
            otherKeys: this.#otherEntries.size,
            otherBytes,
            writes: { ...this.#storeWrites },
          }
        : undefined,
      peakRssBytes: this.#peakRss,
      cpuMs: cpuMsSince(this.#cpuAtStart),
      eventLoopDelayMs: {
        p50: (this.#loopDelay?.percentile(50) ?? 0) / 1e6,
        p99: (this.#loopDelay?.percentile(99) ?? 0) / 1e6,
        max: (this.#loopDelay?.max ?? 0) / 1e6,
      },
      memoryMarks: [...this.#memoryMarks],
    };
  }
}

function newTrace(deliveredAt: number): UpdateTrace {
  return { deliveredAt, lastCallEndedAt: undefined, studioMs: 0, studioCalls: 0 };
}

/** User + system CPU milliseconds since `start` (0 when there is no start). */
export function cpuMsSince(start: NodeJS.CpuUsage | undefined): number {
  if (start === undefined) return 0;
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
