/**
 * What the adapter keeps per Telegram user, over the shared stores: the conversation
 * (`conversations`, expires after inactivity: the state plus what was delivered and which update
 * was applied, in one row so that both change in one write), the long-lived profile with the lead
 * id and the chosen language (`leads`), and the ids of handled updates that have no conversation,
 * such as the staff chat's (`records`).
 *
 * Every store failure comes out as a {@link StoreUnavailableError}, so the bot can tell "Redis is
 * down" (answer: temporarily unavailable) apart from a bug.
 */
import { z } from 'zod';
import { initialState, parseStoredState, type State } from '../booking/index.ts';
import { supportedLocales } from '../config.ts';
import type { Stores } from '../store/index.ts';
import type { Delivery } from './delivery.ts';

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(operation: string, cause: unknown) {
    super(`the store failed while ${operation}`, { cause });
  }
}

const leadSchema = z.object({
  leadId: z.number().int().positive().optional(),
  /** The studio holds a lead of this user's whose id never arrived: no second lead is created. */
  leadWithoutId: z.literal(true).optional(),
});

/** `leadId`/`leadWithoutId` are the first studio's (as before chains), `studios` the others'. */
const profileSchema = leadSchema.extend({
  locale: z.enum(supportedLocales).optional(),
  /** The user switched reminders off (`/reminders`, "No more reminders"). */
  remindersOff: z.literal(true).optional(),
  /** A lead id belongs to one studio: the lead at each other studio of a chain, by studio id. */
  studios: z.record(z.string(), leadSchema).optional(),
  /** The studio of a chain the user picked: a plain /start opens it. */
  studio: z.string().min(1).max(16).optional(),
});

export type UserProfile = z.infer<typeof profileSchema>;
export type StudioLead = z.infer<typeof leadSchema>;

/** The user's lead at `studio` (`undefined`: the chain's first, or the only studio). */
export function leadAt(profile: UserProfile, studio: string | undefined): StudioLead {
  const lead = studio === undefined ? profile : (profile.studios?.[studio] ?? {});
  return definedOnly({ leadId: lead.leadId, leadWithoutId: lead.leadWithoutId });
}

/** The profile with `change` made to the lead at `studio` (a key set to `undefined` removes it). */
export function withLeadAt(
  profile: UserProfile,
  studio: string | undefined,
  change: { leadId?: number | undefined; leadWithoutId?: true | undefined },
): UserProfile {
  if (studio === undefined) return definedOnly({ ...profile, ...change });
  const { [studio]: old = {}, ...others } = profile.studios ?? {};
  const lead = definedOnly({ ...old, ...change });
  const studios = Object.keys(lead).length > 0 ? { ...others, [studio]: lead } : others;
  const { studios: _old, ...rest } = profile;
  return Object.keys(studios).length > 0 ? { ...rest, studios } : rest;
}

export interface LoadedState {
  state: State;
  delivery: Delivery;
  /** Something was stored but could not be read (garbage, a version without migration): started afresh. */
  reset: boolean;
}

const deliverySchema = z.object({
  shownRev: z.number().int().nonnegative().optional(),
  shownIn: z.number().int().optional(),
  shownAt: z.number().int().optional(),
  updateId: z.number().int().optional(),
  done: z.boolean().optional(),
  attempts: z.number().int().optional(),
  at: z.number().optional(),
});

export interface LoadedProfile {
  profile: UserProfile;
  /** Something was stored but could not be read; treated as no profile. */
  unreadable: boolean;
}

/** How long an update id is remembered: Telegram gives up redelivering long before. */
export const processedUpdateTtlMs = 24 * 60 * 60 * 1000;

export interface UserStore {
  loadState(userId: number): Promise<LoadedState>;
  /**
   * Stores the state with its delivery facts (one write; `at` is set here). `last`: the update's
   * last write, which a shared store may send with the chat lock's release (see `Stores`).
   */
  saveState(userId: number, state: State, delivery?: Delivery, options?: { last?: boolean }): Promise<void>;
  loadProfile(userId: number): Promise<LoadedProfile>;
  saveProfile(userId: number, profile: UserProfile): Promise<void>;
  /** Deletes the profile and the conversation state. */
  forget(userId: number): Promise<void>;
  /** Whether an update without a conversation (a group's) was handled already. */
  wasHandled(updateId: number): Promise<boolean>;
  /** Records that such an update was handled (after handling it: at least once). */
  recordHandled(updateId: number): Promise<void>;
  /** Writes the deferred last writes now (see `UserStoreOptions.onlyWriter`): at a clean stop. */
  flush(): Promise<void>;
}

async function guarded<T>(operation: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw new StoreUnavailableError(operation, error);
  }
}

export interface UserStoreOptions {
  now?: () => number;
  /**
   * This process is the store's only writer (`sqlite:`, `memory:`): the rows it wrote or read
   * last are answered from memory while they live in the store, a conversation `conversationTtlMs`
   * after it was written. With Redis other instances write too, and every read goes to Redis.
   */
  onlyWriter?:
    | {
        conversationTtlMs: number;
        /**
         * How long an update's last write may wait in memory for the same conversation's next write,
         * which then stores both (default {@link defaultLastWriteWaitMs}; 0: written at once).
         */
        lastWriteWaitMs?: number | undefined;
        /** A deferred write failed; it is tried again a second later, or stored by the next write. */
        onDeferredWriteFailed?: ((error: unknown) => void) | undefined;
      }
    | undefined;
}

/**
 * An update's last write only adds to its first (stored before anything was sent) that the update
 * was applied and its question reached the prospect. Kept in memory (this process reads its own
 * rows from there), it is stored with the conversation's next write, which a prospect answering
 * within this time makes anyway: one write per update instead of two. A crash loses what is still
 * waiting, and the store then says what it says after a crash between an update's first write and
 * its messages: the question is asked again, and the update, delivered again, is carried on. A
 * clean stop writes everything first.
 */
export const defaultLastWriteWaitMs = 30_000;

export function createUserStore(
  stores: Pick<Stores, 'conversations' | 'leads' | 'records' | 'deferLastWrite'>,
  options: UserStoreOptions = {},
): UserStore {
  const now = options.now ?? Date.now;
  const key = (userId: number) => String(userId);
  const recordKey = (updateId: number) => `update:${updateId}`;
  const ownRows = options.onlyWriter ? lastRows<StoredConversation>() : undefined;
  // The stamps spare the validation of this process's own rows read back from a shared store; the
  // only writer's own rows come from memory instead (and leave it as their stamps would).
  const written = ownRows ? undefined : recentlyWritten();
  const ownProfiles = options.onlyWriter ? lastRows<UserProfile>() : undefined;
  const ttlMs = options.onlyWriter?.conversationTtlMs ?? 0;
  const waiting = options.onlyWriter ? deferredWrites(stores, options.onlyWriter, now) : undefined;
  return {
    async loadState(userId) {
      const own = waiting?.row(userId) ?? ownRows?.get(userId);
      if (own !== undefined && now() - (own.at ?? 0) < ttlMs) {
        return { state: own.state, delivery: deliveryOf(own), reset: false };
      }
      const raw: unknown = await guarded('loading a conversation', () =>
        stores.conversations.get(key(userId)),
      );
      if (raw === undefined || raw === null) return { state: initialState(), delivery: {}, reset: false };
      // A row is `{ state, ...delivery }`; rows written before were the state's JSON text alone.
      const row = isRow(raw) ? raw : undefined;
      // This store's own row is valid as a whole: its state and its delivery facts.
      if (row && written?.wrote(userId, row)) {
        const own = row as unknown as StoredConversation;
        return { state: own.state, delivery: deliveryOf(own), reset: false };
      }
      const state = parseStoredState(row ? row.state : raw);
      if (!state) return { state: initialState(), delivery: {}, reset: true };
      const delivery = row ? deliverySchema.safeParse(row) : undefined;
      return { state, delivery: delivery?.success ? delivery.data : {}, reset: false };
    },
    async saveState(userId, state, delivery = {}, options = {}) {
      const row: StoredConversation = { state, ...definedOnly(delivery), at: now() };
      written?.forget(userId);
      ownRows?.forget(userId);
      if (waiting?.defer(userId, row, options.last === true)) {
        ownRows?.remember(userId, row);
        return;
      }
      if (options.last) stores.deferLastWrite?.(key(userId));
      try {
        await guarded('saving a conversation', () => stores.conversations.set(key(userId), row));
      } catch (error) {
        waiting?.replaced(userId, false);
        throw error;
      }
      waiting?.replaced(userId, true);
      written?.remember(userId, row);
      ownRows?.remember(userId, row);
    },
    async loadProfile(userId) {
      const own = ownProfiles?.get(userId);
      if (own !== undefined) return { profile: own, unreadable: false };
      const raw: unknown = await guarded('loading a profile', () => stores.leads.get(key(userId)));
      const parsed =
        raw === undefined || raw === null
          ? { success: true as const, data: {} }
          : profileSchema.safeParse(typeof raw === 'string' ? safeJson(raw) : raw);
      if (!parsed.success) return { profile: {}, unreadable: true };
      ownProfiles?.remember(userId, parsed.data);
      return { profile: parsed.data, unreadable: false };
    },
    async saveProfile(userId, profile) {
      ownProfiles?.forget(userId);
      await guarded('saving a profile', async () => {
        if (
          profile.leadId === undefined &&
          profile.locale === undefined &&
          !profile.leadWithoutId &&
          !profile.remindersOff &&
          profile.studios === undefined &&
          profile.studio === undefined
        ) {
          await stores.leads.delete(key(userId));
        } else {
          await stores.leads.set(key(userId), JSON.stringify(profile));
        }
      });
      ownProfiles?.remember(userId, profile);
    },
    async forget(userId) {
      written?.forget(userId);
      ownRows?.forget(userId);
      waiting?.drop(userId);
      ownProfiles?.forget(userId);
      await guarded('forgetting a user', async () => {
        await stores.leads.delete(key(userId));
        await stores.conversations.delete(key(userId));
      });
    },
    async wasHandled(updateId) {
      return guarded('checking an update id', async () => {
        return (await stores.records.get(recordKey(updateId))) !== undefined;
      });
    },
    async recordHandled(updateId) {
      await guarded('recording an update id', () =>
        stores.records.set(recordKey(updateId), 1, processedUpdateTtlMs),
      );
    },
    async flush() {
      await waiting?.flush();
    },
  };
}

/**
 * The only writer's deferred last writes (see {@link defaultLastWriteWaitMs}), by user, oldest
 * first. The user's next write replaces theirs: it holds the same facts, and newer ones; should it
 * fail, the one waiting stays (and is what the conversation goes on from). A timer stores those
 * that waited long enough, once a second, but none while a write replacing it is on its way.
 */
function deferredWrites(
  stores: Pick<Stores, 'conversations'>,
  options: NonNullable<UserStoreOptions['onlyWriter']>,
  now: () => number,
) {
  const waitMs = options.lastWriteWaitMs ?? defaultLastWriteWaitMs;
  const rows = new Map<
    number,
    { row: StoredConversation; since: number; writing: boolean; replacing: boolean }
  >();
  let timer: NodeJS.Timeout | undefined;

  async function store(userId: number, entry: { row: StoredConversation; writing: boolean }) {
    entry.writing = true;
    try {
      await stores.conversations.set(String(userId), entry.row);
      if (rows.get(userId) === entry) rows.delete(userId);
    } catch (error) {
      options.onDeferredWriteFailed?.(error);
    } finally {
      entry.writing = false;
    }
  }
  const stopWhenIdle = () => {
    if (rows.size > 0 || timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
  };
  const tick = () => {
    const due = now() - waitMs;
    for (const [userId, entry] of rows) {
      if (entry.since > due) break;
      if (!entry.writing && !entry.replacing) void store(userId, entry);
    }
    stopWhenIdle();
  };
  return {
    /** The row waiting for `userId`, the newest there is. */
    row: (userId: number) => rows.get(userId)?.row,
    /**
     * Whether `row` waits instead of being written now (a last write does). Otherwise the row
     * waiting is being replaced: `replaced` says whether that write was stored.
     */
    defer(userId: number, row: StoredConversation, last: boolean): boolean {
      if (!last || waitMs <= 0) {
        const entry = rows.get(userId);
        if (entry) entry.replacing = true;
        return false;
      }
      rows.delete(userId);
      rows.set(userId, { row, since: now(), writing: false, replacing: false });
      timer ??= setInterval(tick, 1_000).unref();
      return true;
    },
    replaced(userId: number, stored: boolean): void {
      const entry = rows.get(userId);
      if (!entry?.replacing) return;
      if (stored) rows.delete(userId);
      else entry.replacing = false;
    },
    drop: (userId: number) => void rows.delete(userId),
    async flush() {
      const waitingRows = [...rows].filter(([, entry]) => !entry.replacing);
      await Promise.all(waitingRows.map(([userId, entry]) => store(userId, entry)));
      stopWhenIdle();
    },
  };
}

/** The stored conversation row, serialised once by the store. */
interface StoredConversation extends Delivery {
  state: State;
}

/**
 * How many users' last rows (or their stamps) are remembered: a few kilobytes each, and more than
 * the conversations under way at once in the benchmark's 200-at-a-time load.
 */
const rememberedRows = 1_000;

/**
 * The rows this store wrote last, by user, as a stamp (written at, update id, revision): a row read
 * back with its stamp is this store's own write of a valid state, which needs no validation (a
 * state's validation was most of a conversation read). Any other writer (another instance, an
 * older version, a repair by hand) leaves a different stamp, and its row is validated.
 */
function recentlyWritten() {
  const stamps = lastRows<string>();
  const stamp = (row: Record<string, unknown> & { state: unknown }) => {
    const rev =
      typeof row.state === 'object' && row.state !== null ? (row.state as { rev?: unknown }).rev : undefined;
    return `${String(row.at)}|${String(row.updateId)}|${String(rev)}`;
  };
  return {
    wrote: (userId: number, row: Record<string, unknown> & { state: unknown }) =>
      typeof row.at === 'number' && stamps.get(userId) === stamp(row),
    remember: (userId: number, row: StoredConversation) =>
      stamps.remember(userId, stamp(row as unknown as Record<string, unknown> & { state: unknown })),
    forget: stamps.forget,
  };
}

/**
 * The last value written or read per user, for as many users as {@link rememberedRows} (the least
 * recently used leave first).
 */
function lastRows<Value>() {
  const rows = new Map<number, Value>();
  return {
    get(userId: number): Value | undefined {
      const row = rows.get(userId);
      if (row === undefined) return undefined;
      rows.delete(userId);
      rows.set(userId, row);
      return row;
    },
    remember(userId: number, row: Value): void {
      rows.delete(userId);
      rows.set(userId, row);
      if (rows.size > rememberedRows) rows.delete(rows.keys().next().value as number);
    },
    forget: (userId: number) => void rows.delete(userId),
  };
}

/** The delivery facts of a row this process wrote (valid by construction). */
function deliveryOf(row: StoredConversation): Delivery {
  const { state: _state, ...delivery } = row;
  return delivery;
}

function isRow(raw: unknown): raw is { state: unknown } & Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && 'state' in raw;
}

function definedOnly<T extends object>(value: T): T {
  // A loop, not entries/filter/fromEntries: this runs for every state saved and every update's context.
  const result: Record<string, unknown> = {};
  for (const key in value) {
    const entry = value[key];
    if (entry !== undefined && Object.hasOwn(value, key)) result[key] = entry;
  }
  return result as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
