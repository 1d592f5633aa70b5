/**
 * What every prospect shares: the bookable offers, trial-offer configs and studio information.
 * They change rarely, so they are read once per TTL for all users (and all instances, through the
 * shared cache store when there is one) instead of once per conversation: this keeps a booking at a handful of
 * studio calls. Concurrent misses for the same entry share one request.
 */
import type { Keyv } from 'keyv';
import type { AppointmentSlotsQuery, PerfectGymClient } from '../perfectgym/client.ts';
import { PerfectGymRequestError } from '../perfectgym/errors.ts';
import type {
  AppointmentSlot,
  BookableTrialOfferAppointment,
  ClassSlot,
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
  /**
   * A class's slots, shared by every prospect looking at it for `slotsTtlMs`. `fresh` goes to the
   * studio whatever is cached (the re-check before a lead or booking) and refreshes the entry.
   */
  classSlots(classId: number, options?: { fresh?: boolean }): Promise<ClassSlot[]>;
  /** An appointment's slots in one window; cached and refreshed like {@link classSlots}. */
  appointmentSlots(query: AppointmentSlotsQuery, options?: { fresh?: boolean }): Promise<AppointmentSlot[]>;
}

export interface StudioCatalogOptions {
  client: PerfectGymClient;
  /**
   * The store shared by several instances (Redis). Without it each process caches for itself,
   * which is all a single process needs: a store of its own would only add writes.
   */
  cache?: Keyv | undefined;
  ttlMs: number;
  /** How long a slot list is shared; short, since places fill up. Default 15 s; 0 = never cached. */
  slotsTtlMs?: number;
  /**
   * How long an answer too large to read (`too-large`: a body over its cap, a listing that pages
   * for ever) is remembered, so that not every prospect sends another hundred requests. Default 60 s.
   */
  tooLargeTtlMs?: number;
  /**
   * Put before every key in the shared `cache`, so the studios of a chain sharing one store keep
   * apart (`<studioId>:`). Default none.
   */
  keyPrefix?: string;
  /** The most entries held in this process (expired ones go first, then the oldest). Default 500. */
  maxLocalEntries?: number;
}

export function createStudioCatalog({
  client,
  cache,
  ttlMs,
  slotsTtlMs = 15_000,
  tooLargeTtlMs = 60_000,
  keyPrefix = '',
  maxLocalEntries = 500,
}: StudioCatalogOptions): StudioCatalog {
  // In-process copy in front of the shared store: the hot path then costs no store round trip.
  const local = new Map<string, { value: unknown; expires: number }>();
  const inFlight = new Map<string, Promise<unknown>>();
  const tooLarge = new Map<string, { error: PerfectGymRequestError; until: number }>();

  /** Slot keys carry dates and customer ids, so expired entries must go, or the map only grows. */
  function remember(key: string, value: unknown, ttl: number) {
    const now = Date.now();
    if (local.size >= maxLocalEntries) {
      for (const [k, entry] of local) if (entry.expires <= now) local.delete(k);
      // Still full of live entries: the oldest goes, so the map never outgrows its bound.
      for (const k of local.keys()) {
        if (local.size < maxLocalEntries) break;
        local.delete(k);
      }
    }
    local.set(key, { value, expires: now + ttl });
  }

  /** A load whose answer was too large fails again at once, for `tooLargeTtlMs`. */
  async function bounded<T>(key: string, load: () => Promise<T>): Promise<T> {
    const known = tooLarge.get(key);
    if (known && known.until > Date.now()) throw known.error;
    tooLarge.delete(key);
    try {
      return await load();
    } catch (error) {
      if (error instanceof PerfectGymRequestError && error.reason === 'too-large' && tooLargeTtlMs > 0) {
        if (tooLarge.size >= maxLocalEntries) tooLarge.clear();
        tooLarge.set(key, { error, until: Date.now() + tooLargeTtlMs });
      }
      throw error;
    }
  }

  async function cached<T>(key: string, load: () => Promise<T>, ttl = ttlMs, fresh = false): Promise<T> {
    if (!fresh) {
      const hit = local.get(key);
      if (hit && hit.expires > Date.now()) return hit.value as T;
      if (hit) local.delete(key);
    }
    const flightKey = fresh ? `fresh:${key}` : key;
    const pending = inFlight.get(flightKey);
    if (pending) return pending as Promise<T>;
    const promise = (async () => {
      const shared =
        cache && ttl > 0 && !fresh ? ((await cache.get(keyPrefix + key)) as T | undefined) : undefined;
      const value = shared ?? (await bounded(key, load));
      if (ttl > 0) {
        remember(key, value, ttl);
        if (cache && shared === undefined) await cache.set(keyPrefix + key, value, ttl);
      }
      return value;
    })();
    inFlight.set(flightKey, promise);
    try {
      return await promise;
    } finally {
      inFlight.delete(flightKey);
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
    classSlots: (classId, options = {}) =>
      cached(
        `classSlots:${classId}`,
        () => Array.fromAsync(client.classSlots(classId, { sliceSize: 100 })),
        slotsTtlMs,
        options.fresh,
      ),
    appointmentSlots: (query, options = {}) =>
      cached(
        `appointmentSlots:${query.bookableAppointmentId}:${query.slotWindowStartDate ?? ''}:${query.daysAhead ?? 1}:${query.customerId ?? ''}`,
        () => client.getAppointmentSlots(query),
        slotsTtlMs,
        options.fresh,
      ),
  };
}
