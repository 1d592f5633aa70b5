/**
 * When a failed studio call may be sent again, and how long to wait first.
 */

/**
 * Gateway statuses that say "the studio did not get to handle this": worth repeating a read or a
 * validation. 500 is left out on purpose: it is the studio's own failure and a repeat usually
 * fails the same way.
 */
export function isTransientStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** Longest single backoff wait, so a large `maxRetries` cannot stall a chat for minutes. */
const maxBackoffMs = 10_000;

/**
 * Exponential backoff with full jitter (a uniformly random wait up to `base * 2^retry`), which
 * spreads out the retries of many chats that failed at the same moment.
 * `retry` counts from 0 for the first retry.
 */
export function backoffDelayMs(
  retry: number,
  baseDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxBackoffMs, baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Error codes that prove the request never left this machine: the connection was never
 * established, so no byte of the request reached the studio. Only these allow repeating a call
 * that changes something (creating a lead, booking), where a blind repeat could book twice.
 */
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether a transport error proves the request was never sent (see {@link notSentCodes}). */
export function provablyNotSent(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && notSentCodes.has(code)) return true;
  // Happy-eyeballs connects (several addresses tried) fail with an AggregateError of per-address errors.
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.every((inner) => provablyNotSent(inner));
  }
  return false;
}

/** The `code` of a Node/undici error (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`, ...), if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
