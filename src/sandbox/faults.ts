/**
 * Trouble on purpose: injected faults per endpoint, and the real API's rate limit (about 1000
 * requests per endpoint per rolling minute; once exceeded, the endpoint refuses everything for the
 * lockout period). Both run on real time, not the business clock: a client under test waits for a
 * `Retry-After` in real time.
 */
import { type EndpointName, endpointNames } from '../perfectgym/endpoints.ts';

export type SandboxFault =
  /**
   * Answer with this status and an ErrorResponse. A 429 also locks the endpoint for
   * `retryAfterSeconds` (default 60), as the real API does after its limit is exceeded.
   * `afterHandling: true` performs the request first and then answers with the error (the studio
   * booked, the client never learns it): the case a retry of a non-idempotent call must survive.
   */
  | {
      kind: 'status';
      status: 429 | 500 | 502 | 503 | 504;
      times?: number;
      retryAfterSeconds?: number;
      afterHandling?: boolean;
    }
  /** Answer normally, `ms` late (for client timeouts). */
  | { kind: 'delay'; ms: number; times?: number }
  /** Destroy the socket without answering; with `afterHandling`, only after performing the request. */
  | { kind: 'drop'; times?: number; afterHandling?: boolean }
  /**
   * Never answer: the connection stays open until the client gives up (its timeout) or the sandbox
   * closes. With `afterHandling`, the request is performed first (the studio booked, the answer
   * never comes).
   */
  | { kind: 'hang'; times?: number; afterHandling?: boolean }
  /**
   * Answer 200 with a body that is not JSON (a broken proxy, a truncated answer); with
   * `afterHandling`, after performing the request.
   */
  | { kind: 'invalidBody'; times?: number; afterHandling?: boolean };

export const defaultLockoutSeconds = 60;
const rateWindowMs = 60_000;

/** Faults set per endpoint; each use counts down `times` (no `times`: until cleared). */
export class FaultTable {
  readonly #faults = new Map<EndpointName, { fault: SandboxFault; remaining: number }>();

  set(endpoint: EndpointName, fault: SandboxFault): void {
    if (!endpointNames.includes(endpoint)) throw new RangeError(`unknown endpoint ${String(endpoint)}`);
    const times = fault.times ?? Number.POSITIVE_INFINITY;
    if (!(times >= 1)) throw new RangeError('fault.times must be at least 1');
    this.#faults.set(endpoint, { fault: { ...fault }, remaining: times });
  }

  clear(endpoint?: EndpointName): void {
    if (endpoint === undefined) this.#faults.clear();
    else this.#faults.delete(endpoint);
  }

  /** The fault to apply to this request, if any, counting it as used. */
  take(endpoint: EndpointName): SandboxFault | undefined {
    const entry = this.#faults.get(endpoint);
    if (!entry) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) this.#faults.delete(endpoint);
    return entry.fault;
  }

  list(): Partial<Record<EndpointName, SandboxFault & { remaining: number | null }>> {
    const listed: Partial<Record<EndpointName, SandboxFault & { remaining: number | null }>> = {};
    for (const [endpoint, { fault, remaining }] of this.#faults) {
      listed[endpoint] = { ...fault, remaining: Number.isFinite(remaining) ? remaining : null };
    }
    return listed;
  }
}

/** Per-endpoint rolling-minute limit and lockouts. */
export class RateLimiter {
  readonly #limitPerMinute: number | false;
  readonly #now: () => number;
  readonly #accepted = new Map<EndpointName, number[]>();
  readonly #lockedUntil = new Map<EndpointName, number>();

  constructor(limitPerMinute: number | false, now: () => number = Date.now) {
    this.#limitPerMinute = limitPerMinute;
    this.#now = now;
  }

  /** Seconds the caller must wait (for `Retry-After`), or undefined when the request may pass. */
  admit(endpoint: EndpointName): number | undefined {
    const now = this.#now();
    const lockedUntil = this.#lockedUntil.get(endpoint);
    if (lockedUntil !== undefined) {
      if (now < lockedUntil) return Math.ceil((lockedUntil - now) / 1000);
      this.#lockedUntil.delete(endpoint);
    }
    if (this.#limitPerMinute === false) return undefined;
    const recent = (this.#accepted.get(endpoint) ?? []).filter((at) => at > now - rateWindowMs);
    if (recent.length >= this.#limitPerMinute) {
      this.#accepted.set(endpoint, recent);
      return this.lock(endpoint, defaultLockoutSeconds);
    }
    recent.push(now);
    this.#accepted.set(endpoint, recent);
    return undefined;
  }

  /** Refuses the endpoint for `seconds`; answers the `Retry-After` seconds. */
  lock(endpoint: EndpointName, seconds: number): number {
    this.#lockedUntil.set(endpoint, this.#now() + seconds * 1000);
    return Math.ceil(seconds);
  }
}
