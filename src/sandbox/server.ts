/**
 * The sandbox studio over real HTTP: the 13 trial-offer endpoints at their real paths, plus a small
 * admin API under `/__sandbox/` (state, clock, faults) for other processes. Every request passes,
 * in order: API key, route, rate limit or lockout, injected fault, then the studio.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as wait } from 'node:timers/promises';
import { z } from 'zod';
import { formatZonedDateTime } from '../perfectgym/datetime.ts';
import { type EndpointName, endpointNames, endpoints } from '../perfectgym/endpoints.ts';
import {
  BodyTooLargeError,
  closeServer,
  headerMatches,
  listen,
  originOf,
  readBody,
  sendJson,
} from '../runtime/http.ts';
import { createSandboxClock, type SandboxClock } from './clock.ts';
import { notFound, SandboxHttpError } from './errors.ts';
import { defaultLockoutSeconds, FaultTable, RateLimiter, type SandboxFault } from './faults.ts';
import { type Language, pickLanguage } from './messages.ts';
import {
  parseAppointmentBookingRequest,
  parseAppointmentSlotParams,
  parseClassBookingRequest,
  parseLeadRequest,
  parsePathId,
  parseSliceParams,
} from './requests.ts';
import { demoSeed, type SandboxSeed } from './seed.ts';
import { createStudio, type SandboxSnapshot, type Studio } from './studio.ts';

export interface SandboxOptions {
  /** Key clients must send as `X-API-KEY`; default: a random one. */
  apiKey?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Business clock for slots, booking windows and confirmation terms; default: real time. */
  clock?: SandboxClock;
  /** Default: `demoSeed(clock.now())`. */
  seed?: SandboxSeed;
  /** Requests per endpoint per rolling minute (default 1000, like the real API); `false`: no limit. */
  rateLimitPerMinute?: number | false;
  /**
   * Several studios on one server, as the studios of a chain: each behind its own API key (as the
   * real API picks the tenant by its key), with its own state, clock, faults and rate limit. The
   * first is the one `apiKey`, `clock`, `snapshot()`… of the sandbox itself speak for. Unset: one
   * studio, `main`, from `apiKey`, `clock` and `seed`.
   */
  studios?: SandboxStudioOptions[];
}

export interface SandboxStudioOptions {
  /** The studio's id in the chain (`STUDIOS_FILE`). */
  id: string;
  /** Default: a random one. */
  apiKey?: string;
  /** Default: a clock of its own (real time). */
  clock?: SandboxClock;
  /** Its data; a function gets the studio clock's now. */
  seed: SandboxSeed | ((nowMs: number) => SandboxSeed);
}

/** One studio of the sandbox, behind its own key. */
export interface SandboxStudio {
  id: string;
  apiKey: string;
  /** The studio's IANA zone. */
  zone: string;
  /** The studio's name, as its studio information gives it. */
  name: string;
  clock: SandboxClock;
  faults: { set(endpoint: EndpointName, fault: SandboxFault): void; clear(endpoint?: EndpointName): void };
  snapshot(): SandboxSnapshot;
  callCounts(): Record<EndpointName, number>;
  resetCallCounts(): void;
  /** Deletes a lead created through the API (staff deleting or merging it); false when there is none. */
  deleteLead(leadId: number): boolean;
}

export interface Sandbox extends SandboxStudio {
  /** Base URL such as `http://127.0.0.1:8787`; endpoint paths (`/v1/...`) go after it. */
  url: string;
  /** Every studio, in the order given; the sandbox's own fields speak for the first. */
  studios: SandboxStudio[];
  close(): Promise<void>;
}

type Handler = (
  studio: Studio,
  input: { params: Record<string, string>; query: URLSearchParams; body: unknown },
) => object | unknown[];

/** What each endpoint does once a request got through auth, limits and faults. */
const handlers: Record<EndpointName, Handler> = {
  studio: (studio) => studio.studioInformation(),
  classes: (studio, { query }) => {
    const { offset, sliceSize } = parseSliceParams(query);
    return studio.classes(offset, sliceSize);
  },
  appointments: (studio, { query }) => {
    const { offset, sliceSize } = parseSliceParams(query);
    return studio.appointments(offset, sliceSize);
  },
  config: (studio, { params }) => studio.config(parsePathId(params.configId ?? '', 'configId')),
  leadValidate: (studio, { body }) => {
    const request = parseLeadRequest(body);
    return {
      validationStatus: studio.validateLead(request.trialOfferConfigId, request.leadCustomerData).status,
    };
  },
  leadCreate: (studio, { body }) => {
    const request = parseLeadRequest(body);
    return studio.createLead(
      request.trialOfferConfigId,
      request.leadCustomerData,
      request.rawLeadCustomerData,
    );
  },
  classSlots: (studio, { params, query }) => {
    const classId = parsePathId(params.classId ?? '', 'classId');
    const { offset, sliceSize } = parseSliceParams(query);
    return studio.classSlots(classId, offset, sliceSize);
  },
  appointmentSlots: (studio, { params, query }) =>
    studio.appointmentSlots(
      parsePathId(params.bookableAppointmentId ?? '', 'bookableAppointmentId'),
      parseAppointmentSlotParams(query),
    ),
  classBookingValidate: (studio, { body }) => {
    const request = parseClassBookingRequest(body);
    return studio.validateClassBooking(request.customerId, request.classSlotId);
  },
  classBook: (studio, { body }) => {
    const request = parseClassBookingRequest(body);
    return studio.bookClass(request.customerId, request.classSlotId);
  },
  appointmentBookingValidate: (studio, { body }) =>
    studio.validateAppointmentBooking(parseAppointmentBookingRequest(body)),
  appointmentBook: (studio, { body }) => studio.bookAppointment(parseAppointmentBookingRequest(body)),
  confirm: (studio, { params }) => studio.confirm(parsePathId(params.bookingId ?? '', 'bookingId')),
};

interface Route {
  endpoint: EndpointName;
  method: string;
  pattern: RegExp;
  paramNames: string[];
}

const routes: Route[] = endpointNames.map((endpoint) => {
  const { method, path } = endpoints[endpoint];
  const paramNames: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_match, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { endpoint, method, pattern: new RegExp(`^${source}/?$`), paramNames };
});

function matchRoute(method: string, pathname: string) {
  const allowed: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    try {
      route.paramNames.forEach((name, index) => {
        params[name] = decodeURIComponent(match[index + 1] ?? '');
      });
    } catch {
      // Malformed percent-encoding names no entity: unknown route, not a sandbox bug.
      return undefined;
    }
    return { route, params };
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

const maxBodyBytes = 1024 * 1024;

/** The body, or 'too-large': that is an error only for a request that gets as far as its body. */
async function readRawBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  try {
    return await readBody(request, maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return 'too-large';
    throw error;
  }
}

function parseJsonBody(raw: Buffer | 'too-large'): unknown {
  if (raw === 'too-large') {
    throw new SandboxHttpError({
      status: 400,
      errorCode: 'VALIDATION_FAILED',
      messageKey: 'BODY_TOO_LARGE',
      params: { limit: maxBodyBytes },
    });
  }
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SandboxHttpError({ status: 400, errorCode: 'MALFORMED_JSON', messageKey: 'MALFORMED_JSON' });
  }
}

/** Datadog-style trace id: a random unsigned 64-bit integer in decimal. */
function newTraceId(): string {
  return randomBytes(8).readBigUInt64BE().toString();
}

function isEndpointName(name: string): name is EndpointName {
  return (endpointNames as string[]).includes(name);
}

function invalidAdminField(reference: string, detail: string): SandboxHttpError {
  return new SandboxHttpError({
    status: 400,
    errorCode: 'VALIDATION_FAILED',
    messageKey: 'INVALID_FIELD',
    params: { reference, detail },
    reference,
  });
}

function emptyCallCounts(): Record<EndpointName, number> {
  return Object.fromEntries(endpointNames.map((name) => [name, 0])) as Record<EndpointName, number>;
}

const statusFaultSchema = z.object({
  kind: z.literal('status'),
  status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
  times: z.number().int().min(1).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  afterHandling: z.boolean().optional(),
});
const faultSchema = z.discriminatedUnion('kind', [
  statusFaultSchema,
  z.object({
    kind: z.literal('delay'),
    ms: z.number().int().min(0),
    times: z.number().int().min(1).optional(),
  }),
  ...(['drop', 'hang', 'invalidBody'] as const).map((kind) =>
    z.object({
      kind: z.literal(kind),
      times: z.number().int().min(1).optional(),
      afterHandling: z.boolean().optional(),
    }),
  ),
]);
const adminFaultSchema = z.object({
  endpoint: z.enum(endpointNames as [EndpointName, ...EndpointName[]]),
  fault: faultSchema,
});
const adminClockSchema = z.union([
  z.object({ advanceMs: z.number().finite() }).strict(),
  z.object({ setMs: z.number().finite() }).strict(),
]);

/**
 * Starts a sandbox studio on loopback (by default on a free port) and resolves once it listens.
 * Nothing is shared between sandboxes: each has its own state, clock, faults and limits.
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const tenants = (
    options.studios ?? [
      {
        id: 'main',
        ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        seed: options.seed ?? demoSeed,
      },
    ]
  ).map((studioOptions) => createTenant(studioOptions, options.rateLimitPerMinute ?? 1000));
  const [firstTenant] = tenants;
  if (firstTenant === undefined) throw new Error('a sandbox needs at least one studio');
  const defaultTenant: Tenant = firstTenant;
  if (new Set(tenants.map((tenant) => tenant.apiKey)).size !== tenants.length) {
    throw new Error('every sandbox studio needs its own API key');
  }
  // Aborted by close(): injected delays end at once, and the requests they held get no answer.
  const stopDelays = new AbortController();
  let closing = false;

  /** The studio whose key the request carries; every key is compared, so timing tells nothing. */
  function tenantFor(given: string | string[] | undefined): Tenant | undefined {
    let found: Tenant | undefined;
    for (const tenant of tenants) if (headerMatches(given, tenant.apiKey)) found ??= tenant;
    return found;
  }

  const sleep = (ms: number): Promise<void> =>
    wait(ms, undefined, { signal: stopDelays.signal }).catch(() => undefined);

  function sendError(response: ServerResponse, error: SandboxHttpError, language: Language): void {
    sendJson(
      response,
      error.status,
      {
        errorMessage: error.messageIn(language),
        errorCode: error.errorCode,
        traceId: newTraceId(),
        ...(error.reference === undefined ? {} : { reference: error.reference }),
      },
      { 'Content-Language': language, ...error.headers },
    );
  }

  function rateLimited(seconds: number): SandboxHttpError {
    return new SandboxHttpError({
      status: 429,
      errorCode: 'RATE_LIMIT_EXCEEDED',
      messageKey: 'RATE_LIMIT_EXCEEDED',
      params: { seconds },
      headers: { 'Retry-After': String(seconds) },
    });
  }

  function injectedStatus(
    { limiter }: Tenant,
    fault: Extract<SandboxFault, { kind: 'status' }>,
    endpoint: EndpointName,
  ) {
    if (fault.status === 429)
      return rateLimited(limiter.lock(endpoint, fault.retryAfterSeconds ?? defaultLockoutSeconds));
    return new SandboxHttpError({
      status: fault.status,
      errorCode: 'SIMULATED_FAILURE',
      messageKey: 'SIMULATED_FAILURE',
      params: { status: fault.status },
      headers:
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
    });
  }

  async function handleApi(
    tenant: Tenant,
    request: IncomingMessage,
    response: ServerResponse,
    endpoint: EndpointName,
    params: Record<string, string>,
    query: URLSearchParams,
    rawBody: Buffer | 'too-large',
  ): Promise<void> {
    const { limiter, faults, studio } = tenant;
    const retryAfter = limiter.admit(endpoint);
    if (retryAfter !== undefined) throw rateLimited(retryAfter);

    const fault = faults.take(endpoint);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (closing) return;
    const afterHandling = fault !== undefined && fault.kind !== 'delay' && fault.afterHandling === true;
    if (fault && !afterHandling && answerFault(tenant, fault, request, response, endpoint)) return;

    const body = endpoints[endpoint].method === 'POST' ? parseJsonBody(rawBody) : undefined;
    studio.expireOverdueBookings();
    let result: unknown;
    try {
      result = handlers[endpoint](studio, { params, query, body });
    } catch (error) {
      // The fault still replaces the answer: the caller never learns why it failed either.
      if (!afterHandling) throw error;
    }
    if (fault && answerFault(tenant, fault, request, response, endpoint)) return;
    sendJson(response, 200, result);
  }

  /** Answers in the fault's way instead of the studio's; false when the fault leaves the answer alone. */
  function answerFault(
    tenant: Tenant,
    fault: SandboxFault,
    request: IncomingMessage,
    response: ServerResponse,
    endpoint: EndpointName,
  ): boolean {
    switch (fault.kind) {
      case 'delay':
        return false;
      case 'status':
        throw injectedStatus(tenant, fault, endpoint);
      case 'drop':
        request.socket.destroy();
        return true;
      case 'hang':
        // No answer at all; close() ends the connection with the others.
        return true;
      case 'invalidBody':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end('{"bookingId": 20');
        return true;
    }
  }

  function handleAdmin(
    tenant: Tenant,
    url: URL,
    method: string,
    response: ServerResponse,
    rawBody: Buffer | 'too-large',
  ) {
    const { clock, faults, studio, view } = tenant;
    const pathname = url.pathname;
    const route = `${method} ${pathname.replace(/\/$/, '')}`;
    if (route === 'GET /__sandbox/state') return sendJson(response, 200, view.snapshot());
    if (route === 'GET /__sandbox/clock' || route === 'POST /__sandbox/clock') {
      if (method === 'POST') {
        const change = adminBody(adminClockSchema, rawBody);
        if ('advanceMs' in change) clock.advance(change.advanceMs);
        else clock.set(change.setMs);
      }
      const nowMs = clock.now();
      return sendJson(response, 200, { nowMs, now: formatZonedDateTime(nowMs, studio.zone) });
    }
    if (route === 'GET /__sandbox/faults') return sendJson(response, 200, faults.list());
    if (route === 'POST /__sandbox/faults') {
      const { endpoint, fault } = adminBody(adminFaultSchema, rawBody);
      // Zod's optional fields are absent when not sent, which is what SandboxFault means.
      faults.set(endpoint, fault as SandboxFault);
      return sendJson(response, 200, faults.list());
    }
    if (route === 'DELETE /__sandbox/faults') {
      const endpoint = url.searchParams.get('endpoint');
      if (endpoint === null) faults.clear();
      else if (isEndpointName(endpoint)) faults.clear(endpoint);
      else throw invalidAdminField('endpoint', `unknown endpoint ${endpoint}`);
      return sendJson(response, 200, faults.list());
    }
    const deletedLead = /^DELETE \/__sandbox\/leads\/(\d+)$/.exec(route);
    if (deletedLead) {
      const leadId = Number(deletedLead[1]);
      if (!studio.deleteLead(leadId)) throw notFound('customer', leadId);
      return sendJson(response, 200, { deleted: leadId });
    }
    if (route === 'DELETE /__sandbox/call-counts') {
      view.resetCallCounts();
      return sendJson(response, 200, view.callCounts());
    }
    throw new SandboxHttpError({
      status: 404,
      errorCode: 'ROUTE_NOT_FOUND',
      messageKey: 'ROUTE_NOT_FOUND',
      params: { method, path: pathname },
    });
  }

  function adminBody<T>(schema: z.ZodType<T>, rawBody: Buffer | 'too-large'): T {
    const parsed = schema.safeParse(parseJsonBody(rawBody));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const reference = issue?.path.length ? issue.path.map(String).join('.') : 'body';
    throw invalidAdminField(reference, issue?.message ?? 'invalid');
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const language = pickLanguage(request.headers['accept-language']);
    try {
      const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
      const method = request.method ?? 'GET';
      const rawBody = await readRawBody(request);
      const match = url.pathname.startsWith('/__sandbox/') ? undefined : matchRoute(method, url.pathname);
      const tenant = tenantFor(request.headers['x-api-key']);
      // A request with a wrong key is counted where it was meant to go, as far as anyone can tell.
      if (match && 'route' in match) (tenant ?? defaultTenant).callCounts[match.route.endpoint]++;

      if (!tenant) {
        throw new SandboxHttpError({ status: 401, errorCode: 'UNAUTHORIZED', messageKey: 'UNAUTHORIZED' });
      }
      if (url.pathname.startsWith('/__sandbox/')) return handleAdmin(tenant, url, method, response, rawBody);
      if (match === undefined) {
        throw new SandboxHttpError({
          status: 404,
          errorCode: 'ROUTE_NOT_FOUND',
          messageKey: 'ROUTE_NOT_FOUND',
          params: { method, path: url.pathname },
        });
      }
      if ('allowed' in match) {
        throw new SandboxHttpError({
          status: 405,
          errorCode: 'METHOD_NOT_ALLOWED',
          messageKey: 'METHOD_NOT_ALLOWED',
          params: { method, path: url.pathname, allowed: match.allowed.join(', ') },
          headers: { Allow: match.allowed.join(', ') },
        });
      }
      await handleApi(
        tenant,
        request,
        response,
        match.route.endpoint,
        match.params,
        url.searchParams,
        rawBody,
      );
    } catch (error) {
      if (error instanceof SandboxHttpError) return sendError(response, error, language);
      // Unexpected: a sandbox bug. Answer like the real API's 500 rather than hanging the client.
      console.error('sandbox: unexpected error while handling a request', error);
      sendError(
        response,
        new SandboxHttpError({ status: 500, errorCode: 'INTERNAL_ERROR', messageKey: 'INTERNAL_ERROR' }),
        language,
      );
    }
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');

  const sandbox: Sandbox = {
    ...firstTenant.view,
    url: originOf(address),
    studios: tenants.map((tenant) => tenant.view),
    close: async () => {
      if (closing) return;
      closing = true;
      stopDelays.abort();
      await closeServer(server);
    },
  };
  return sandbox;
}

/** One studio behind its key: its state, clock, faults, limits and call counts. */
interface Tenant {
  apiKey: string;
  clock: SandboxClock;
  studio: Studio;
  faults: FaultTable;
  limiter: RateLimiter;
  callCounts: Record<EndpointName, number>;
  view: SandboxStudio;
}

function createTenant(options: SandboxStudioOptions, rateLimitPerMinute: number | false): Tenant {
  const apiKey = options.apiKey ?? `sandbox-${randomUUID()}`;
  const clock = options.clock ?? createSandboxClock();
  const seed = typeof options.seed === 'function' ? options.seed(clock.now()) : options.seed;
  const studio = createStudio(seed, () => clock.now());
  const faults = new FaultTable();
  const tenant: Tenant = {
    apiKey,
    clock,
    studio,
    faults,
    limiter: new RateLimiter(rateLimitPerMinute),
    callCounts: emptyCallCounts(),
    view: {
      id: options.id,
      apiKey,
      zone: seed.zone,
      name: seed.studio.name,
      clock,
      faults: {
        set: (endpoint, fault) => faults.set(endpoint, fault),
        clear: (endpoint) => faults.clear(endpoint),
      },
      // A copy: whoever reads the snapshot must not be able to change the studio through it.
      snapshot: () => structuredClone(studio.snapshot({ ...tenant.callCounts })),
      callCounts: () => ({ ...tenant.callCounts }),
      resetCallCounts: () => {
        tenant.callCounts = emptyCallCounts();
      },
      deleteLead: (leadId) => studio.deleteLead(leadId),
    },
  };
  return tenant;
}
