/**
 * The two ways a studio API call can go wrong, kept apart like grammY's `GrammyError` (the API
 * answered with an error) and `HttpError` (no usable answer at all):
 *
 * - {@link PerfectGymApiError}: the studio answered with a non-2xx status.
 * - {@link PerfectGymRequestError}: there is no usable answer (network, timeout, a body that is
 *   not what the API documents, a call held back locally during a rate-limit lockout, an abort).
 *
 * Messages name the endpoint, the status and the error code only. The studio's own `errorMessage`
 * is kept as a field but left out of `message`, because it may quote what the user typed (an
 * e-mail address in a duplicate-customer error) and `message` is what ends up in logs. For the
 * same reason the studio's `errorCode` and `traceId` enter `message` only when they look like a
 * code and an id ({@link logSafeErrorCode}, {@link logSafeTraceId}).
 */
import type { EndpointName } from './endpoints.ts';
import { provablyNotSent } from './retry.ts';

export interface PerfectGymApiErrorDetails {
  endpoint: EndpointName;
  status: number;
  errorMessage: string;
  errorCode?: string | undefined;
  traceId?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** The studio's `errorCode` when it is a code (`TRIAL_OFFER_NOT_FOUND`), else a placeholder. */
export function logSafeErrorCode(code: string): string {
  return /^[A-Z0-9_]{1,64}$/.test(code) ? code : 'unrecognised error code';
}

/** The studio's `traceId` when it is one word of id characters (no `@`, no spaces), else a placeholder. */
export function logSafeTraceId(traceId: string): string {
  return /^[A-Za-z0-9._:-]{1,128}$/.test(traceId) ? traceId : 'unrecognised trace id';
}

/** The studio answered, with a non-2xx status. */
export class PerfectGymApiError extends Error {
  override readonly name = 'PerfectGymApiError';
  readonly endpoint: EndpointName;
  readonly status: number;
  /** `errorCode` of the ErrorResponse body (a translation key such as `TRIAL_OFFER_NOT_FOUND`). */
  readonly errorCode: string | undefined;
  /** The studio's explanation, or a generic text when the body was not an ErrorResponse. */
  readonly errorMessage: string;
  /** The studio's trace id (when it looks like one); quote it when asking the studio's support. */
  readonly traceId: string | undefined;
  /** On 429: how long the endpoint refuses calls, from `Retry-After` (60 s when absent). */
  readonly retryAfterMs: number | undefined;

  constructor(details: PerfectGymApiErrorDetails) {
    super(
      `PerfectGym ${details.endpoint} answered HTTP ${details.status}` +
        (details.errorCode ? ` (${logSafeErrorCode(details.errorCode)})` : '') +
        (details.traceId ? ` [trace ${logSafeTraceId(details.traceId)}]` : ''),
    );
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.errorMessage = details.errorMessage;
    // Logged as it is (the client's retry and 429 lines), so only in its safe form.
    this.traceId = details.traceId === undefined ? undefined : logSafeTraceId(details.traceId);
    this.retryAfterMs = details.retryAfterMs;
  }
}

export type PerfectGymRequestFailure =
  /** Connection refused or dropped, DNS failure, TLS failure, socket reset. */
  | 'network'
  /** No complete answer within `timeoutMs`. */
  | 'timeout'
  /** The body was not JSON, or did not match the documented schema. */
  | 'invalid-response'
  /** Held back locally: the endpoint is in a 429 lockout that ends later than we may wait. Nothing was sent. */
  | 'rate-limited'
  /** Held back locally: the studio answered none of the last attempts (down), so calls fail at once for a while. Nothing was sent. */
  | 'unreachable'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** The answer was larger than the client accepts: a body over its size cap, or a list over its page or item cap. */
  | 'too-large';

export interface PerfectGymRequestErrorDetails {
  endpoint: EndpointName;
  reason: PerfectGymRequestFailure;
  /** Extra words for the message; must not contain personal data or the API key. */
  detail?: string | undefined;
  cause?: unknown;
  retryAfterMs?: number | undefined;
  /** For `invalid-response` from a schema mismatch: where the body differed, e.g. `result.0.id`. */
  issuePaths?: string[] | undefined;
  /** The HTTP status of an answer that could not be used (`invalid-response`). */
  status?: number | undefined;
}

/** The call produced no usable answer from the studio. */
export class PerfectGymRequestError extends Error {
  override readonly name = 'PerfectGymRequestError';
  readonly endpoint: EndpointName;
  readonly reason: PerfectGymRequestFailure;
  /** For `rate-limited`: how long until the endpoint's lockout ends. */
  readonly retryAfterMs: number | undefined;
  /** For `invalid-response` from a schema mismatch: the paths zod complained about (no values). */
  readonly issuePaths: readonly string[];
  readonly status: number | undefined;

  constructor(details: PerfectGymRequestErrorDetails) {
    super(
      `PerfectGym ${details.endpoint} failed: ${details.reason}` +
        (details.detail ? ` (${details.detail})` : ''),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.endpoint = details.endpoint;
    this.reason = details.reason;
    this.retryAfterMs = details.retryAfterMs;
    this.issuePaths = details.issuePaths ?? [];
    this.status = details.status;
  }
}

/**
 * Whether trying the same thing again a little later may well work: network trouble, a timeout,
 * a rate limit (the studio's 429 or our local hold), or a server-side 5xx. The bot shows a
 * "try again" button for these and a plain explanation for everything else (4xx, a malformed
 * answer, an abort).
 */
export function isTemporary(error: unknown): boolean {
  if (error instanceof PerfectGymRequestError) {
    return (
      error.reason === 'network' ||
      error.reason === 'timeout' ||
      error.reason === 'rate-limited' ||
      error.reason === 'unreachable'
    );
  }
  if (error instanceof PerfectGymApiError) {
    return error.status === 429 || error.status >= 500;
  }
  return false;
}

/**
 * For a call that changes something at the studio (creating a lead, booking, confirming): whether
 * its failure proves the studio did not act (`refused`: it answered with a 4xx ErrorResponse, a
 * 429 included, or the request provably never left this machine) or leaves it open (`unknown`: a
 * timeout, a connection lost after sending, a 5xx, an answer that could not be read, an abort).
 * An unknown outcome must be found out before anything is sent again.
 */
export function failureOutcome(error: unknown): 'refused' | 'unknown' {
  if (error instanceof PerfectGymApiError) return error.status < 500 ? 'refused' : 'unknown';
  if (error instanceof PerfectGymRequestError) {
    if (error.reason === 'rate-limited') return 'refused';
    if (error.reason === 'network' && provablyNotSent(error.cause)) return 'refused';
  }
  return 'unknown';
}
