/**
 * Typed client for the studio API's trial-offer endpoints (PerfectGym Next / Magicline open API).
 *
 * Every answer is parsed with the zod schemas of `schemas.ts`; failures are thrown as
 * `PerfectGymApiError` (the studio said no) or `PerfectGymRequestError` (no usable answer), see
 * `errors.ts`. The client retries only what is safe to retry, and holds calls to an endpoint that
 * is in a 429 lockout instead of sending them into the penalty.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { z } from 'zod';
import { exchange } from '../runtime/undici-exchange.ts';
import { type EndpointName, endpointPath, endpoints, isIdempotent } from './endpoints.ts';
import { PerfectGymApiError, PerfectGymRequestError } from './errors.ts';
import { parseRetryAfter, RateLimitLockouts } from './rate-limit.ts';
import { backoffDelayMs, errorCode, isTransientStatus, provablyNotSent } from './retry.ts';
import {
  type AppointmentBookingRequest,
  type AppointmentBookingResult,
  type AppointmentBookingValidationStatus,
  type AppointmentSlot,
  appointmentBookingResultSchema,
  appointmentBookingValidationResultSchema,
  appointmentSlotsSchema,
  type BookableTrialOfferAppointment,
  type BookingConfirmationResult,
  bookableTrialOfferAppointmentsSliceSchema,
  bookingConfirmationResultSchema,
  type ClassBookingRequest,
  type ClassBookingResult,
  type ClassBookingValidationStatus,
  type ClassSlot,
  classBookingResultSchema,
  classBookingValidationResultSchema,
  classSlotsSliceSchema,
  errorResponseSchema,
  type LeadCreationRequest,
  type LeadCreationResult,
  type LeadValidationResult,
  type LenientList,
  leadCreationResultSchema,
  leadValidationResultSchema,
  type Slice,
  type StudioInformation,
  studioInformationSchema,
  type TrialOfferClass,
  type TrialOfferConfig,
  trialOfferClassesSliceSchema,
  trialOfferConfigSchema,
} from './schemas.ts';

export type CallStatus =
  | number
  | 'network-error'
  | 'timeout'
  | 'rate-limited-locally'
  | 'unreachable-locally'
  | 'too-large';

export interface CallEvent {
  endpoint: EndpointName;
  /** The HTTP status, or why there was none. One event per attempt, so retries show up. */
  status: CallStatus;
  durationMs: number;
}

/** The part of a pino logger the client uses. */
export interface PerfectGymLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface PerfectGymClientOptions {
  /** e.g. `https://open-api-demo.open-api.magicline.com`, or the sandbox's url; may end in a path prefix. */
  baseUrl: string;
  /** Sent as `X-API-KEY`; never logged and never part of an error. */
  apiKey: string;
  /** Per attempt, for the whole exchange (connect, headers and body). Default 10 000. */
  timeoutMs?: number;
  /**
   * For one call in total: every attempt, backoff and rate-limit wait. An attempt gets what is left
   * of it (at most `timeoutMs`); no retry starts once it is spent. Default 1.5 × `timeoutMs`.
   */
  deadlineMs?: number;
  /** The largest answer body read; a larger one fails the call as `too-large`. Default 4 MiB. */
  maxBodyBytes?: number;
  /** The most slices read for one listing (`hasNext` for ever); more fail it as `too-large`. Default 100. */
  maxPages?: number;
  /** The most items read for one listing, over all its slices; more fail it as `too-large`. Default 10 000. */
  maxListItems?: number;
  /** Size of the connection pool to the studio. Default 16. */
  connections?: number;
  /** Retries for calls that are safe to repeat (reads and validations). Default 2. */
  maxRetries?: number;
  /** First backoff ceiling; doubles with each retry, the actual wait is random below it. Default 200. */
  retryBaseDelayMs?: number;
  /**
   * How long one call may wait in total for an endpoint's 429 lockout to pass before sending.
   * A lockout ending later fails the call at once (`rate-limited`) without sending. Default 5 000.
   */
  maxRateLimitWaitMs?: number;
  /**
   * Fail fast while the studio is down: after `afterFailures` attempts in a row that got no answer
   * (timeout, connection refused or dropped), every call fails at once (`unreachable`, nothing
   * sent) for `forMs`; then calls go out again, and one more such failure holds them once more.
   * Default: off (every call waits for its own timeout).
   */
  failFast?: { afterFailures: number; forMs: number };
  /** Metrics hook, called once per attempt. */
  onCall?: (event: CallEvent) => void;
  /** Gets endpoint, status, trace id and retry decisions; never bodies (they hold personal data). */
  logger?: PerfectGymLogger;
}

export interface CallOptions {
  /** Sent as `Accept-Language`, so the studio answers (texts, error messages) in the user's language. */
  language?: string;
  /** Aborts the call, including any wait for a retry or a rate-limit lockout. */
  signal?: AbortSignal;
}

export interface PageRequest {
  /** Where the previous slice ended (its `offset`); `"0"` or absent for the first slice. */
  offset?: string;
  /** Items per slice; the API accepts 10 to 100 and defaults to 50. */
  sliceSize?: number;
}

export type PagedCallOptions = CallOptions & { sliceSize?: number };

export interface AppointmentSlotsQuery {
  bookableAppointmentId: number;
  /** Lets the studio leave out slots this customer cannot take. */
  customerId?: number;
  /** 1 to 6 days from the window start; the API defaults to 1. */
  daysAhead?: number;
  /** `yyyy-MM-dd`, the first day of the window; the API defaults to today. */
  slotWindowStartDate?: string;
}

export interface PerfectGymClient {
  /** One slice of the trial-offer classes bookable within the next year. */
  getBookableTrialClasses(page?: PageRequest, options?: CallOptions): Promise<Slice<TrialOfferClass>>;
  /** All trial-offer classes; fetches the next slice only when iterated that far. */
  bookableTrialClasses(options?: PagedCallOptions): AsyncIterable<TrialOfferClass>;
  /** One slice of the trial-offer appointments bookable within the next year. */
  getBookableTrialAppointments(
    page?: PageRequest,
    options?: CallOptions,
  ): Promise<Slice<BookableTrialOfferAppointment>>;
  /** All trial-offer appointments; fetches the next slice only when iterated that far. */
  bookableTrialAppointments(options?: PagedCallOptions): AsyncIterable<BookableTrialOfferAppointment>;
  /** A trial-offer configuration: which lead fields to ask for, contingent, confirmation term. */
  getTrialOfferConfig(configId: number, options?: CallOptions): Promise<TrialOfferConfig>;
  /** Asks whether a lead with these details could be created (duplicate, invalid data). */
  validateLead(request: LeadCreationRequest, options?: CallOptions): Promise<LeadValidationResult>;
  /** Creates the lead customer. Never retried unless provably not sent. */
  createLead(request: LeadCreationRequest, options?: CallOptions): Promise<LeadCreationResult>;
  /** One slice of a class's slots, from one day back to fourteen days ahead. */
  getClassSlots(classId: number, page?: PageRequest, options?: CallOptions): Promise<Slice<ClassSlot>>;
  /** All slots of a class; fetches the next slice only when iterated that far. */
  classSlots(classId: number, options?: PagedCallOptions): AsyncIterable<ClassSlot>;
  /** Free slots of a bookable appointment within a window of days. */
  getAppointmentSlots(query: AppointmentSlotsQuery, options?: CallOptions): Promise<AppointmentSlot[]>;
  /** Asks whether this customer may book this class slot; the answer is a status, not an error. */
  validateClassBooking(
    request: ClassBookingRequest,
    options?: CallOptions,
  ): Promise<{ validationStatus: ClassBookingValidationStatus }>;
  /** Asks whether this customer may book this appointment slot (date-times as the slot gave them). */
  validateAppointmentBooking(
    request: AppointmentBookingRequest,
    options?: CallOptions,
  ): Promise<{ validationStatus: AppointmentBookingValidationStatus }>;
  /** Books a class slot. Never retried unless provably not sent: a repeat could book twice. */
  bookClassSlot(request: ClassBookingRequest, options?: CallOptions): Promise<ClassBookingResult>;
  /** Books an appointment slot. Never retried unless provably not sent. */
  bookAppointment(
    request: AppointmentBookingRequest,
    options?: CallOptions,
  ): Promise<AppointmentBookingResult>;
  /** Confirms a booking made with `BOOKED_WITH_CONFIRMATION_REQUIRED`. Never retried unless provably not sent. */
  confirmBooking(bookingId: number, options?: CallOptions): Promise<BookingConfirmationResult>;
  /** Name, address, opening hours and contact details of the studio. */
  getStudioInformation(options?: CallOptions): Promise<StudioInformation>;
  /** Closes the connection pool after in-flight calls finish. */
  close(): Promise<void>;
}

interface CallSpec<T> {
  pathParams?: Record<string, string | number>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
}

/** A list answer as the schema reads it: the well-formed items, and where the others broke it. */
type SliceBody<T> = Omit<Slice<T>, 'result'> & { result: LenientList<T> };

type AttemptOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: PerfectGymApiError | PerfectGymRequestError };

/** A 429 waited out this often within one call is enough: a studio that keeps refusing is not coming back soon. */
const maxRateLimitResends = 3;
/**
 * A slow connect is cut off at half the request timeout (at most 10 s), so that it fails as a
 * connect failure: only that proves a booking was never sent and may be repeated.
 */
const maxConnectTimeoutMs = 10_000;
/** A retry is not started when less than this is left of the call's deadline for its answer. */
const minAttemptMs = 100;
/** Malformed list items logged one by one per answer; more are only counted. */
const maxLoggedItems = 5;

/**
 * Creates a client for one studio. Holds a connection pool: call `close()` when done.
 *
 * @throws Error when `baseUrl` is not an http(s) URL.
 */
export function createPerfectGymClient(options: PerfectGymClientOptions): PerfectGymClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`PerfectGym baseUrl must be http(s), got ${base.protocol}`);
  }
  const pathPrefix = base.pathname.replace(/\/+$/, '');
  const apiKey = options.apiKey;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 2;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 5_000;
  const deadlineMs = options.deadlineMs ?? Math.round(timeoutMs * 1.5);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxPages = options.maxPages ?? 100;
  const maxListItems = options.maxListItems ?? 10_000;
  const logger = options.logger;

  const pool = new Pool(base.origin, {
    connections: options.connections ?? 16,
    connectTimeout: Math.max(1, Math.min(maxConnectTimeoutMs, Math.ceil(timeoutMs / 2))),
  });
  const lockouts = new RateLimitLockouts();
  const failFast = options.failFast;
  /** Attempts in a row that got no answer from the studio, over all endpoints. */
  let unanswered = 0;
  let heldUntil = 0;
  /** Counts what an attempt says about the studio being reachable. */
  function observe(outcome: AttemptOutcome<unknown>): void {
    if (!failFast) return;
    const error = outcome.ok ? undefined : outcome.error;
    if (
      error instanceof PerfectGymRequestError &&
      (error.reason === 'network' || error.reason === 'timeout')
    ) {
      unanswered++;
      if (unanswered >= failFast.afterFailures) {
        heldUntil = performance.now() + failFast.forMs;
        logger?.warn(
          { unanswered, holdMs: failFast.forMs },
          'perfectgym studio not answering, failing its calls at once for a while',
        );
      }
    } else if (!(error instanceof PerfectGymRequestError && error.reason === 'aborted')) {
      unanswered = 0;
    }
  }

  function report(endpoint: EndpointName, status: CallStatus, durationMs: number): void {
    logger?.debug({ endpoint, status, durationMs }, 'perfectgym call');
    if (!options.onCall) return;
    try {
      options.onCall({ endpoint, status, durationMs });
    } catch (error) {
      // A broken metrics hook must not turn a successful booking into a failure.
      logger?.warn({ endpoint, hookError: String(error) }, 'perfectgym onCall hook threw');
    }
  }

  /** The key must never surface, even if a studio or proxy echoes it back in an error body. */
  function redact(text: string): string;
  function redact(text: string | undefined): string | undefined;
  function redact(text: string | undefined): string | undefined {
    return text === undefined || apiKey === '' ? text : text.split(apiKey).join('[redacted]');
  }

  async function attempt<T>(
    endpoint: EndpointName,
    path: string,
    spec: CallSpec<T>,
    callOptions: CallOptions,
    attemptTimeoutMs: number,
  ): Promise<AttemptOutcome<T>> {
    const headers: Record<string, string> = { 'x-api-key': apiKey, accept: 'application/json' };
    if (callOptions.language) headers['accept-language'] = callOptions.language;
    let body: string | null = null;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }

    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error('perfectgym request deadline')),
      attemptTimeoutMs,
    );
    const signal = callOptions.signal
      ? AbortSignal.any([callOptions.signal, deadline.signal])
      : deadline.signal;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    let status: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string | undefined;
    try {
      const response = await exchange(
        pool,
        { path, method: endpoints[endpoint].method, headers, body },
        { signal, limit: maxBodyBytes },
      );
      status = response.status;
      responseHeaders = response.headers;
      text = response.body?.toString('utf8');
    } catch (cause) {
      if (callOptions.signal?.aborted) {
        return { ok: false, error: new PerfectGymRequestError({ endpoint, reason: 'aborted', cause }) };
      }
      if (deadline.signal.aborted) {
        report(endpoint, 'timeout', elapsed());
        return {
          ok: false,
          error: new PerfectGymRequestError({
            endpoint,
            reason: 'timeout',
            detail: `no answer within ${attemptTimeoutMs} ms`,
            cause,
          }),
        };
      }
      report(endpoint, 'network-error', elapsed());
      return {
        ok: false,
        error: new PerfectGymRequestError({
          endpoint,
          reason: 'network',
          detail: errorCode(cause),
          cause,
        }),
      };
    } finally {
      clearTimeout(timer);
    }
    const ok = status >= 200 && status < 300;
    report(endpoint, ok && text === undefined ? 'too-large' : status, elapsed());

    // An oversized error body is dropped: the status alone says what happened.
    if (!ok) return { ok: false, error: apiError(endpoint, status, responseHeaders, text ?? '') };
    if (text === undefined) {
      return {
        ok: false,
        error: new PerfectGymRequestError({
          endpoint,
          reason: 'too-large',
          detail: `body larger than ${maxBodyBytes} bytes`,
          status,
        }),
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      return {
        ok: false,
        error: new PerfectGymRequestError({
          endpoint,
          reason: 'invalid-response',
          detail: 'body is not JSON',
          status,
          cause,
        }),
      };
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      const issuePaths = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
      return {
        ok: false,
        error: new PerfectGymRequestError({
          endpoint,
          reason: 'invalid-response',
          detail: `body does not match the schema at ${issuePaths.slice(0, 5).join(', ')}`,
          status,
          issuePaths,
          cause: parsed.error,
        }),
      };
    }
    return { ok: true, value: parsed.data };
  }

  function apiError(
    endpoint: EndpointName,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    text: string,
  ): PerfectGymApiError {
    let body: z.infer<typeof errorResponseSchema> | undefined;
    try {
      const parsed = errorResponseSchema.safeParse(JSON.parse(text));
      if (parsed.success) body = parsed.data;
    } catch {
      // Proxies and gateways answer errors with HTML or nothing at all; the status alone must do.
    }
    return new PerfectGymApiError({
      endpoint,
      status,
      errorMessage: redact(body?.errorMessage ?? `HTTP ${status} without an error description`),
      errorCode: redact(body?.errorCode),
      traceId: redact(body?.traceId),
      retryAfterMs: status === 429 ? parseRetryAfter(headers['retry-after'], Date.now()) : undefined,
    });
  }

  /** Sends one logical call: local 429 hold, attempts, retries. */
  async function call<T>(
    endpoint: EndpointName,
    spec: CallSpec<T>,
    callOptions: CallOptions = {},
  ): Promise<T> {
    const path = pathPrefix + endpointPath(endpoint, spec.pathParams) + queryString(spec.query);
    const idempotent = isIdempotent(endpoint);
    const signal = callOptions.signal;
    let retries = 0;
    let rateLimitWaitedMs = 0;
    let rateLimitResends = 0;
    let last429: PerfectGymApiError | undefined;
    const callDeadline = performance.now() + deadlineMs;
    const remainingMs = () => Math.floor(callDeadline - performance.now());

    const wait = async (ms: number) => {
      try {
        await sleep(ms, undefined, { signal });
      } catch (cause) {
        throw new PerfectGymRequestError({ endpoint, reason: 'aborted', cause });
      }
    };

    for (;;) {
      if (signal?.aborted)
        throw new PerfectGymRequestError({ endpoint, reason: 'aborted', cause: signal.reason });

      const lockedMs = lockouts.remainingMs(endpoint);
      if (lockedMs > 0) {
        if (rateLimitWaitedMs + lockedMs > maxRateLimitWaitMs || lockedMs >= remainingMs()) {
          // The studio's own 429 says more than our hold does, so a call that got one rethrows it.
          if (last429) throw last429;
          report(endpoint, 'rate-limited-locally', 0);
          throw new PerfectGymRequestError({
            endpoint,
            reason: 'rate-limited',
            detail: `endpoint locked for another ${lockedMs} ms after a 429`,
            retryAfterMs: lockedMs,
          });
        }
        logger?.debug({ endpoint, waitMs: lockedMs }, 'perfectgym waiting out a rate-limit lockout');
        await wait(lockedMs);
        rateLimitWaitedMs += lockedMs;
        continue;
      }

      const heldMs = Math.ceil(heldUntil - performance.now());
      if (heldMs > 0) {
        report(endpoint, 'unreachable-locally', 0);
        throw new PerfectGymRequestError({
          endpoint,
          reason: 'unreachable',
          detail: `the studio answered none of the last ${unanswered} attempts; held for another ${heldMs} ms`,
          retryAfterMs: heldMs,
        });
      }

      const outcome = await attempt(
        endpoint,
        path,
        spec,
        callOptions,
        Math.max(1, Math.min(timeoutMs, remainingMs())),
      );
      observe(outcome);
      if (outcome.ok) return outcome.value;
      const error = outcome.error;

      if (error instanceof PerfectGymApiError && error.status === 429) {
        const retryAfterMs = error.retryAfterMs ?? 0;
        lockouts.lock(endpoint, retryAfterMs);
        logger?.warn(
          { endpoint, status: 429, retryAfterMs, traceId: error.traceId },
          'perfectgym rate limit hit, holding calls to this endpoint',
        );
        // A 429 is refused before processing, so even a booking may be sent again once the lockout passes.
        if (
          rateLimitResends < maxRateLimitResends &&
          rateLimitWaitedMs + retryAfterMs <= maxRateLimitWaitMs &&
          retryAfterMs < remainingMs()
        ) {
          rateLimitResends++;
          last429 = error;
          continue;
        }
        throw error;
      }

      const delayMs = backoffDelayMs(retries, retryBaseDelayMs);
      // A retry needs time for its answer after the wait; without it the call only ends later.
      if (retries < maxRetries && mayRetry(error, idempotent) && delayMs < remainingMs() - minAttemptMs) {
        retries++;
        logger?.warn(
          {
            endpoint,
            attempt: retries,
            delayMs,
            ...(error instanceof PerfectGymApiError
              ? { status: error.status, traceId: error.traceId }
              : { reason: error.reason }),
          },
          'perfectgym call failed, retrying',
        );
        await wait(delayMs);
        continue;
      }
      throw error;
    }
  }

  /**
   * The well-formed items of a list answer; the others are left out and logged (position, id,
   * schema paths; the first few one by one, the rest counted).
   */
  function wellFormed<T>(endpoint: EndpointName, list: LenientList<T>): T[] {
    for (const { index, id, issuePaths } of list.malformed.slice(0, maxLoggedItems)) {
      logger?.warn(
        { endpoint, index, id, issuePaths: issuePaths.slice(0, 5) },
        'perfectgym list item does not match the schema, left out',
      );
    }
    const unlogged = list.malformed.length - maxLoggedItems;
    if (unlogged > 0) {
      logger?.warn(
        { endpoint, count: unlogged },
        'perfectgym more list items do not match the schema, left out',
      );
    }
    return list.items;
  }

  function slice<T>(endpoint: EndpointName, body: SliceBody<T>): Slice<T> {
    return { result: wellFormed(endpoint, body.result), hasNext: body.hasNext, offset: body.offset };
  }

  async function* paginate<T>(
    endpoint: EndpointName,
    fetchSlice: (page: PageRequest) => Promise<Slice<T>>,
    sliceSize: number | undefined,
  ): AsyncGenerator<T, void, undefined> {
    let offset = '0';
    let items = 0;
    for (let page = 1; ; page++) {
      const slice = await fetchSlice(sliceSize === undefined ? { offset } : { offset, sliceSize });
      items += slice.result.length;
      if (items > maxListItems) {
        throw new PerfectGymRequestError({
          endpoint,
          reason: 'too-large',
          detail: `more than ${maxListItems} items in one listing`,
        });
      }
      yield* slice.result;
      if (!slice.hasNext) return;
      if (page >= maxPages) {
        // A studio that says "more" for ever would otherwise be asked for ever.
        throw new PerfectGymRequestError({
          endpoint,
          reason: 'too-large',
          detail: `more than ${maxPages} slices in one listing`,
        });
      }
      if (slice.offset === offset) {
        // Asking again with the same offset would return the same slice forever.
        throw new PerfectGymRequestError({
          endpoint,
          reason: 'invalid-response',
          detail: 'hasNext is true but the offset did not advance',
        });
      }
      offset = slice.offset;
    }
  }

  const getBookableTrialClasses = async (page: PageRequest = {}, o?: CallOptions) =>
    slice('classes', await call('classes', { query: { ...page }, schema: trialOfferClassesSliceSchema }, o));
  const getBookableTrialAppointments = async (page: PageRequest = {}, o?: CallOptions) =>
    slice(
      'appointments',
      await call(
        'appointments',
        { query: { ...page }, schema: bookableTrialOfferAppointmentsSliceSchema },
        o,
      ),
    );
  const getClassSlots = async (classId: number, page: PageRequest = {}, o?: CallOptions) =>
    slice(
      'classSlots',
      await call(
        'classSlots',
        { pathParams: { classId }, query: { ...page }, schema: classSlotsSliceSchema },
        o,
      ),
    );

  return {
    getBookableTrialClasses,
    bookableTrialClasses: ({ sliceSize, ...o }: PagedCallOptions = {}) =>
      paginate('classes', (page) => getBookableTrialClasses(page, o), sliceSize),
    getBookableTrialAppointments,
    bookableTrialAppointments: ({ sliceSize, ...o }: PagedCallOptions = {}) =>
      paginate('appointments', (page) => getBookableTrialAppointments(page, o), sliceSize),
    getTrialOfferConfig: (configId, o) =>
      call('config', { pathParams: { configId }, schema: trialOfferConfigSchema }, o),
    validateLead: (request, o) =>
      call('leadValidate', { body: request, schema: leadValidationResultSchema }, o),
    createLead: (request, o) => call('leadCreate', { body: request, schema: leadCreationResultSchema }, o),
    getClassSlots,
    classSlots: (classId, { sliceSize, ...o }: PagedCallOptions = {}) =>
      paginate('classSlots', (page) => getClassSlots(classId, page, o), sliceSize),
    getAppointmentSlots: async ({ bookableAppointmentId, ...query }, o) =>
      wellFormed(
        'appointmentSlots',
        await call(
          'appointmentSlots',
          { pathParams: { bookableAppointmentId }, query: { ...query }, schema: appointmentSlotsSchema },
          o,
        ),
      ),
    validateClassBooking: (request, o) =>
      call('classBookingValidate', { body: request, schema: classBookingValidationResultSchema }, o),
    validateAppointmentBooking: (request, o) =>
      call(
        'appointmentBookingValidate',
        { body: request, schema: appointmentBookingValidationResultSchema },
        o,
      ),
    bookClassSlot: (request, o) => call('classBook', { body: request, schema: classBookingResultSchema }, o),
    bookAppointment: (request, o) =>
      call('appointmentBook', { body: request, schema: appointmentBookingResultSchema }, o),
    confirmBooking: (bookingId, o) =>
      call('confirm', { pathParams: { bookingId }, schema: bookingConfirmationResultSchema }, o),
    getStudioInformation: (o) => call('studio', { schema: studioInformationSchema }, o),
    close: () => pool.close(),
  };
}

/**
 * Reads and validations are repeated on gateway errors, timeouts and network failures. Calls
 * that change something only when the connection never came about: after a timeout or a dropped
 * connection the studio may have booked already.
 */
function mayRetry(error: PerfectGymApiError | PerfectGymRequestError, idempotent: boolean): boolean {
  if (error instanceof PerfectGymApiError) return idempotent && isTransientStatus(error.status);
  if (error.reason === 'timeout') return idempotent;
  if (error.reason === 'network') return idempotent || provablyNotSent(error.cause);
  return false;
}

function queryString(query: Record<string, string | number | undefined> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
