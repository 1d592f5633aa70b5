/**
 * What every prospect shares: the bookable offers, trial-offer configs and studio information.
 * They change rarely, so they are read once per TTL for all users (and all instances, through the
 * shared cache store) instead of once per conversation: this keeps a booking at a handful of
 * studio calls. Concurrent misses for the same entry share one request.
 */
import type { Keyv } from 'keyv';
import type { PerfectGymClient } from '../perfectgym/client.ts';
import type {
  BookableTrialOfferAppointment,
  StudioInformation,
  TrialOfferClass,
  TrialOfferConfig,
} from '../perfectgym/schemas.ts';

export interface TrialOffers {
  classes: TrialOfferClass[];
  appointments: BookableTrialOfferAppointment[];
}

export interface StudioCatalog {
  offers(): Promise<TrialOffers>;
  config(configId: number): Promise<TrialOfferConfig>;
  studio(): Promise<StudioInformation>;
  /** Drops every cached entry (e.g. after the studio changed its offers). */
  invalidate(): Promise<void>;
}

export interface StudioCatalogOptions {
  client: PerfectGymClient;
  cache: Keyv;
  ttlMs: number;
}

export function createStudioCatalog({ client, cache, ttlMs }: StudioCatalogOptions): StudioCatalog {
  // In-process copy in front of the shared store: the hot path then costs no store round trip.
  const local = new Map<string, { value: unknown; expires: number }>();
  const inFlight = new Map<string, Promise<unknown>>();

  async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = local.get(key);
    if (hit && hit.expires > Date.now()) return hit.value as T;
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const promise = (async () => {
      const shared = ttlMs > 0 ? ((await cache.get(key)) as T | undefined) : undefined;
      const value = shared ?? (await load());
      if (ttlMs > 0) {
        local.set(key, { value, expires: Date.now() + ttlMs });
        if (shared === undefined) await cache.set(key, value, ttlMs);
      }
      return value;
    })();
    inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    offers: () =>
      cached('offers', async () => {
        const [classes, appointments] = await Promise.all([
          Array.fromAsync(client.bookableTrialClasses({ sliceSize: 100 })),
          Array.fromAsync(client.bookableTrialAppointments({ sliceSize: 100 })),
        ]);
        return { classes, appointments };
      }),
    config: (configId) => cached(`config:${configId}`, () => client.getTrialOfferConfig(configId)),
    studio: () => cached('studio', () => client.getStudioInformation()),
    invalidate: async () => {
      local.clear();
      await cache.clear();
    },
  };
}
