import type { Update } from 'grammy/types';
import { type BotApiError, conflict } from './errors.ts';

export type UpdateType = Exclude<keyof Update, 'update_id'>;

/** An update waiting for the bot: not yet confirmed (polling) or not yet accepted (webhook). */
export interface PendingUpdate {
  updateId: number;
  chatId: number;
  type: UpdateType;
  update: Update;
  /** True once the bot has received it at least once (getUpdates answer or webhook attempt). */
  fetched: boolean;
}

export type UpdateStatus =
  | { state: 'pending'; fetched: boolean }
  | { state: 'handled' }
  | { state: 'failed'; reason: string }
  | { state: 'unknown' };

export interface WebhookSettings {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
  allowedUpdates: UpdateType[] | undefined;
}

export interface WebhookResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

export interface UpdateFeedHooks {
  /** The bot took the update: confirmed by a later getUpdates offset, or its webhook POST succeeded. */
  onHandled(update: PendingUpdate): void;
  /** The update will never reach the bot (dropped, or webhook delivery gave up). */
  onFailed(update: PendingUpdate, reason: string): void;
  /** POSTs one update to the webhook; rejects when the connection fails. */
  postWebhook(settings: WebhookSettings, update: Update, signal: AbortSignal): Promise<WebhookResponse>;
  /** Runs a method the bot put into its webhook answer (grammY's webhook reply). */
  runWebhookReply(response: WebhookResponse, update: PendingUpdate): Promise<void>;
  now(): number;
}

interface LongPoll {
  limit: number;
  resolve(updates: Update[]): void;
  reject(error: BotApiError): void;
  timer: NodeJS.Timeout | undefined;
}

/** 2025-01-01T00:00:00Z in microseconds: the fake's update ids count from there. */
const updateIdEpochUs = Date.UTC(2025, 0, 1) * 1000;

/**
 * The first update id of a new feed: the wall clock in microseconds since 2025. Telegram's update
 * ids keep rising for as long as a bot exists, and a bot may rely on that across its own restarts
 * (trialgram's conversations remember the last update they applied). A fake started later begins
 * above every id an earlier one gave out, unless that one gave out more than one update per
 * microsecond; the ids stay far below 2^52, the bound Telegram names for its identifiers.
 * (Persisting a counter would need a file the fake does not otherwise have.)
 */
function firstUpdateId(nowMs: number = performance.timeOrigin + performance.now()): number {
  return Math.max(1, Math.floor(nowMs * 1000) - updateIdEpochUs);
}

// Without an explicit allowed_updates list Telegram sends everything except these.
const NOT_SENT_BY_DEFAULT = new Set<string>(['chat_member', 'message_reaction', 'message_reaction_count']);

/**
 * The bot's update stream. Updates wait in one ordered map until the bot takes them, either by
 * long polling (getUpdates with offsets) or through webhook POSTs. Webhook delivery keeps each
 * chat's updates in order while different chats are delivered in parallel.
 */
export class UpdateFeed {
  readonly #hooks: UpdateFeedHooks;
  readonly #retryDelaysMs: readonly number[];
  readonly #pending = new Map<number, PendingUpdate>();
  readonly #failed = new Map<number, string>();
  readonly #firstUpdateId = firstUpdateId();
  #nextUpdateId = this.#firstUpdateId;
  #allowedUpdates: Set<string> | undefined;
  #poll: LongPoll | undefined;
  #wakeScheduled = false;

  #webhook: WebhookSettings | undefined;
  #lastWebhookError: { date: number; message: string } | undefined;
  /** Counts deleteWebhook calls: each one forgets the delivery queues. */
  #webhookQueues = 0;
  // Webhook delivery state: per-chat queues, a FIFO of chats with work and nothing in flight.
  readonly #chatQueues = new Map<number, PendingUpdate[]>();
  readonly #busyChats = new Set<number>();
  #readyChats: number[] = [];
  #readyHead = 0;
  #activeDeliveries = 0;
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #abort = new AbortController();
  #closed = false;

  constructor(hooks: UpdateFeedHooks, retryDelaysMs: readonly number[]) {
    this.#hooks = hooks;
    this.#retryDelaysMs = retryDelaysMs;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  get webhook(): WebhookSettings | undefined {
    return this.#webhook;
  }

  get lastWebhookError(): { date: number; message: string } | undefined {
    return this.#lastWebhookError;
  }

  /** Queues a new update and wakes whoever waits for it; returns its update_id. */
  enqueue(chatId: number, type: UpdateType, payload: Omit<Update, 'update_id'>): number {
    const updateId = this.#nextUpdateId;
    this.#nextUpdateId += 1;
    const pending: PendingUpdate = {
      updateId,
      chatId,
      type,
      update: { update_id: updateId, ...payload } as Update,
      fetched: false,
    };
    this.#pending.set(updateId, pending);
    if (this.#webhook !== undefined) {
      this.#queueForWebhook(pending);
      this.#pump();
    } else if (this.#poll !== undefined && !this.#wakeScheduled) {
      // Deferring by one macrotask lets updates created together travel in one getUpdates answer.
      this.#wakeScheduled = true;
      setImmediate(() => {
        this.#wakeScheduled = false;
        this.#wakePoll();
      });
    }
    return updateId;
  }

  status(updateId: number): UpdateStatus {
    const pending = this.#pending.get(updateId);
    if (pending !== undefined) return { state: 'pending', fetched: pending.fetched };
    const failure = this.#failed.get(updateId);
    if (failure !== undefined) return { state: 'failed', reason: failure };
    return updateId >= this.#firstUpdateId && updateId < this.#nextUpdateId
      ? { state: 'handled' }
      : { state: 'unknown' };
  }

  // -------------------------------------------------------------------------------------------
  // Long polling

  /**
   * Answers getUpdates: confirms everything below `offset`, then returns what is waiting or
   * holds the request up to `timeout` seconds until something arrives.
   */
  getUpdates(
    params: { offset?: unknown; limit?: unknown; timeout?: unknown; allowed_updates?: unknown },
    onClientGone: (listener: () => void) => void,
  ): Promise<Update[]> {
    if (this.#webhook !== undefined) {
      throw conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    if (Array.isArray(params.allowed_updates)) {
      this.#allowedUpdates =
        params.allowed_updates.length === 0 ? undefined : new Set(params.allowed_updates.map(String));
    }
    const offset = typeof params.offset === 'number' ? params.offset : 0;
    if (offset > 0) this.#confirmBelow(offset);
    else if (offset < 0) this.#keepLast(-offset);

    const limit = clamp(typeof params.limit === 'number' ? params.limit : 100, 1, 100);
    const timeoutSeconds = Math.max(0, typeof params.timeout === 'number' ? params.timeout : 0);
    // Telegram serves one getUpdates at a time: a newer request ends the one still waiting.
    this.#poll?.reject(
      conflict('terminated by other getUpdates request; make sure that only one bot instance is running'),
    );
    const ready = this.#take(limit);
    if (ready.length > 0 || timeoutSeconds === 0 || this.#closed) return Promise.resolve(ready);

    return new Promise<Update[]>((resolve, reject) => {
      const poll: LongPoll = { limit, resolve, reject, timer: undefined };
      const finish = (): void => {
        if (poll.timer !== undefined) clearTimeout(poll.timer);
        if (this.#poll === poll) this.#poll = undefined;
      };
      poll.resolve = (updates) => {
        finish();
        resolve(updates);
      };
      poll.reject = (error) => {
        finish();
        reject(error);
      };
      poll.timer = setTimeout(() => poll.resolve([]), timeoutSeconds * 1000);
      this.#poll = poll;
      onClientGone(() => {
        // grammY aborts its pending getUpdates on bot.stop(); nothing was handed over, so nothing is lost.
        if (this.#poll === poll) finish();
      });
    });
  }

  #wakePoll(): void {
    const poll = this.#poll;
    if (poll === undefined) return;
    const ready = this.#take(poll.limit);
    if (ready.length > 0) poll.resolve(ready);
  }

  #take(limit: number): Update[] {
    const result: Update[] = [];
    for (const pending of this.#pending.values()) {
      if (result.length >= limit) break;
      if (!this.#isAllowed(pending.type, this.#allowedUpdates)) {
        this.#drop(pending, 'not in allowed_updates');
        continue;
      }
      pending.fetched = true;
      result.push(pending.update);
    }
    return result;
  }

  #isAllowed(type: string, allowed: Set<string> | undefined): boolean {
    return allowed === undefined ? !NOT_SENT_BY_DEFAULT.has(type) : allowed.has(type);
  }

  #confirmBelow(offset: number): void {
    for (const pending of this.#pending.values()) {
      if (pending.updateId >= offset) break;
      this.#pending.delete(pending.updateId);
      this.#hooks.onHandled(pending);
    }
  }

  #keepLast(count: number): void {
    const excess = this.#pending.size - count;
    let index = 0;
    for (const pending of this.#pending.values()) {
      if (index >= excess) break;
      index += 1;
      this.#drop(pending, 'forgotten by getUpdates with a negative offset');
    }
  }

  #drop(pending: PendingUpdate, reason: string): void {
    this.#pending.delete(pending.updateId);
    this.#failed.set(pending.updateId, reason);
    this.#hooks.onFailed(pending, reason);
  }

  /** Drops every waiting update, as `drop_pending_updates: true` does. */
  dropPending(): void {
    for (const pending of [...this.#pending.values()]) this.#drop(pending, 'dropped by drop_pending_updates');
    this.#chatQueues.clear();
    this.#readyChats = [];
    this.#readyHead = 0;
  }

  // -------------------------------------------------------------------------------------------
  // Webhook

  setWebhook(settings: WebhookSettings): void {
    this.#poll?.reject(conflict('terminated by setWebhook request'));
    const previous = this.#webhook;
    this.#webhook = settings;
    this.#allowedUpdates =
      settings.allowedUpdates === undefined ? this.#allowedUpdates : new Set(settings.allowedUpdates);
    if (previous === undefined) {
      for (const pending of this.#pending.values()) this.#queueForWebhook(pending);
    }
    this.#pump();
  }

  deleteWebhook(): void {
    this.#webhook = undefined;
    this.#webhookQueues += 1;
    this.#chatQueues.clear();
    this.#readyChats = [];
    this.#readyHead = 0;
  }

  #queueForWebhook(pending: PendingUpdate): void {
    if (!this.#isAllowed(pending.type, this.#allowedUpdates)) {
      this.#drop(pending, 'not in allowed_updates');
      return;
    }
    const queue = this.#chatQueues.get(pending.chatId);
    if (queue === undefined) this.#chatQueues.set(pending.chatId, [pending]);
    else queue.push(pending);
    if (!this.#busyChats.has(pending.chatId) && queue === undefined) this.#readyChats.push(pending.chatId);
  }

  #pump(): void {
    const webhook = this.#webhook;
    if (webhook === undefined || this.#closed) return;
    while (this.#activeDeliveries < webhook.maxConnections && this.#readyHead < this.#readyChats.length) {
      const chatId = this.#readyChats[this.#readyHead] as number;
      this.#readyHead += 1;
      const next = this.#chatQueues.get(chatId)?.[0];
      if (next === undefined) continue;
      this.#busyChats.add(chatId);
      this.#activeDeliveries += 1;
      void this.#deliver(webhook, next, 0);
    }
    if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#readyChats.length) {
      this.#readyChats = this.#readyChats.slice(this.#readyHead);
      this.#readyHead = 0;
    }
  }

  async #deliver(webhook: WebhookSettings, pending: PendingUpdate, attempt: number): Promise<void> {
    pending.fetched = true;
    let failure: string | undefined;
    try {
      const response = await this.#hooks.postWebhook(webhook, pending.update, this.#abort.signal);
      if (response.status >= 200 && response.status < 300) {
        await this.#hooks.runWebhookReply(response, pending).catch(() => undefined);
      } else {
        failure = `Wrong response from the webhook: ${response.status}`;
      }
    } catch (error) {
      failure = error instanceof Error ? `Connection failed: ${error.message}` : 'Connection failed';
    }
    if (this.#closed) return;

    if (failure === undefined) {
      if (this.#pending.delete(pending.updateId)) this.#hooks.onHandled(pending);
      this.#finishDelivery(pending);
      return;
    }
    this.#lastWebhookError = { date: Math.floor(this.#hooks.now() / 1000), message: failure };
    const delay = this.#retryDelaysMs[attempt];
    const queues = this.#webhookQueues;
    if (delay !== undefined && this.#webhook !== undefined) {
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        // A webhook set again meanwhile (a restarted bot) gets the update, as Telegram's does;
        // after deleteWebhook the update waits for getUpdates or the next webhook instead.
        const current = this.#webhook;
        if (current !== undefined && queues === this.#webhookQueues && !this.#closed) {
          void this.#deliver(current, pending, attempt + 1);
        } else this.#finishDelivery(pending);
      }, delay);
      this.#retryTimers.add(timer);
      return;
    }
    if (this.#pending.has(pending.updateId) && this.#webhook === webhook) {
      this.#drop(pending, `webhook delivery failed after ${attempt + 1} attempts: ${failure}`);
    }
    this.#finishDelivery(pending);
  }

  #finishDelivery(pending: PendingUpdate): void {
    this.#activeDeliveries -= 1;
    this.#busyChats.delete(pending.chatId);
    const queue = this.#chatQueues.get(pending.chatId);
    if (queue !== undefined) {
      if (queue[0] === pending) queue.shift();
      if (queue.length === 0) this.#chatQueues.delete(pending.chatId);
      else this.#readyChats.push(pending.chatId);
    }
    this.#pump();
  }

  close(): void {
    this.#closed = true;
    this.#poll?.resolve([]);
    this.#abort.abort();
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
  }
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));
