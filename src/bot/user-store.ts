/**
 * What the adapter keeps per Telegram user, over the shared stores: the conversation state
 * (`conversations`, expires after inactivity), the long-lived profile with the lead id and the
 * chosen language (`leads`), and the ids of updates already handled (`records`).
 *
 * Every store failure comes out as a {@link StoreUnavailableError}, so the bot can tell "Redis is
 * down" (answer: temporarily unavailable) apart from a bug.
 */
import { z } from 'zod';
import { initialState, parseStoredState, type State } from '../booking/index.ts';
import { supportedLocales } from '../config.ts';
import type { Stores } from '../store/index.ts';

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(operation: string, cause: unknown) {
    super(`the store failed while ${operation}`, { cause });
  }
}

const profileSchema = z.object({
  leadId: z.number().int().positive().optional(),
  /** The studio holds a lead of this user's whose id never arrived: no second lead is created. */
  leadWithoutId: z.literal(true).optional(),
  locale: z.enum(supportedLocales).optional(),
});

export type UserProfile = z.infer<typeof profileSchema>;

export interface LoadedState {
  state: State;
  /** Something was stored but could not be read (garbage, a version without migration): started afresh. */
  reset: boolean;
}

export interface LoadedProfile {
  profile: UserProfile;
  /** Something was stored but could not be read; treated as no profile. */
  unreadable: boolean;
}

/** How long an update id is remembered: Telegram gives up redelivering long before. */
export const processedUpdateTtlMs = 24 * 60 * 60 * 1000;

export interface UserStore {
  loadState(userId: number): Promise<LoadedState>;
  saveState(userId: number, state: State): Promise<void>;
  loadProfile(userId: number): Promise<LoadedProfile>;
  saveProfile(userId: number, profile: UserProfile): Promise<void>;
  /** Deletes the profile and the conversation state. */
  forget(userId: number): Promise<void>;
  /** Records the update id; false when it was recorded before (a redelivered update). */
  firstDelivery(updateId: number): Promise<boolean>;
}

async function guarded<T>(operation: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    throw new StoreUnavailableError(operation, error);
  }
}

export function createUserStore(stores: Pick<Stores, 'conversations' | 'leads' | 'records'>): UserStore {
  const key = (userId: number) => String(userId);
  return {
    async loadState(userId) {
      const raw: unknown = await guarded('loading a conversation', () =>
        stores.conversations.get(key(userId)),
      );
      if (raw === undefined || raw === null) return { state: initialState(), reset: false };
      const state = parseStoredState(raw);
      return state ? { state, reset: false } : { state: initialState(), reset: true };
    },
    async saveState(userId, state) {
      await guarded('saving a conversation', () =>
        stores.conversations.set(key(userId), JSON.stringify(state)),
      );
    },
    async loadProfile(userId) {
      const raw: unknown = await guarded('loading a profile', () => stores.leads.get(key(userId)));
      if (raw === undefined || raw === null) return { profile: {}, unreadable: false };
      const parsed = profileSchema.safeParse(typeof raw === 'string' ? safeJson(raw) : raw);
      return parsed.success ? { profile: parsed.data, unreadable: false } : { profile: {}, unreadable: true };
    },
    async saveProfile(userId, profile) {
      await guarded('saving a profile', async () => {
        if (profile.leadId === undefined && profile.locale === undefined && !profile.leadWithoutId) {
          await stores.leads.delete(key(userId));
        } else {
          await stores.leads.set(key(userId), JSON.stringify(profile));
        }
      });
    },
    async forget(userId) {
      await guarded('forgetting a user', async () => {
        await stores.leads.delete(key(userId));
        await stores.conversations.delete(key(userId));
      });
    },
    async firstDelivery(updateId) {
      return guarded('checking an update id', async () => {
        const recordKey = `update:${updateId}`;
        if ((await stores.records.get(recordKey)) !== undefined) return false;
        await stores.records.set(recordKey, 1, processedUpdateTtlMs);
        return true;
      });
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
