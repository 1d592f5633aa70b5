/**
 * Per-endpoint 429 lockouts. The studio allows about 1000 requests a minute per endpoint and,
 * once that is exceeded, refuses every request to that endpoint for a minute; each refused
 * request may extend the penalty, so after a 429 we stop sending to that endpoint until the
 * lockout has passed instead of hammering it.
 */
import type { EndpointName } from './endpoints.ts';

/** What the studio does when a 429 carries no usable `Retry-After`. */
export const defaultRetryAfterMs = 60_000;

/**
 * Reads a `Retry-After` header: delay-seconds (`"120"`) or an HTTP date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`). Absent or unreadable values mean the studio's default
 * minute; a date in the past means "now".
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return defaultRetryAfterMs;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return defaultRetryAfterMs;
  return Math.max(0, dateMs - nowMs);
}

/** Remembers, per endpoint, until when the studio refuses calls. */
export class RateLimitLockouts {
  readonly #until = new Map<EndpointName, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Records a 429: the endpoint is locked for `retryAfterMs` from now (a later lockout wins). */
  lock(endpoint: EndpointName, retryAfterMs: number): void {
    const until = this.#now() + retryAfterMs;
    if (until > (this.#until.get(endpoint) ?? 0)) this.#until.set(endpoint, until);
  }

  /** Milliseconds until the endpoint accepts calls again; 0 when it is not locked. */
  remainingMs(endpoint: EndpointName): number {
    const until = this.#until.get(endpoint);
    if (until === undefined) return 0;
    const remaining = until - this.#now();
    if (remaining <= 0) {
      this.#until.delete(endpoint);
      return 0;
    }
    return remaining;
  }
}
