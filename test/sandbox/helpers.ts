/**
 * Test helpers: a sandbox on a fixed business clock, and `call` (plain fetch) that checks every
 * answer to a `/v1/` path against the OpenAPI document before handing it back.
 */
import { afterEach, expect } from 'vitest';
import { type EndpointName, endpointPath, endpoints } from '../../src/perfectgym/endpoints.ts';
import {
  createSandbox,
  createSandboxClock,
  type Sandbox,
  type SandboxOptions,
  type SandboxSnapshot,
} from '../../src/sandbox/index.ts';
import { createResponseValidator } from './openapi-validator.ts';

/** Monday 2030-03-25, 09:00 in Berlin (UTC+1). Summer time starts the next Sunday, inside the slot window. */
export const mondayNineAm = Date.parse('2030-03-25T09:00:00+01:00');
export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;

const validator = createResponseValidator();

/** Every answer checked against the OpenAPI document in this test file (the openapi test reads it). */
export const checkedAnswers: { method: string; pathname: string; status: number }[] = [];

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  /** `null` sends no key at all; default: the sandbox's key. */
  apiKey?: string | null;
  language?: string;
  signal?: AbortSignal;
}

export interface TestSandbox {
  sandbox: Sandbox;
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  /** Calls an endpoint by its short name; `params` fill the path, `query` is appended. */
  endpoint<T = unknown>(
    name: EndpointName,
    init?: {
      params?: Record<string, string | number>;
      query?: Record<string, string | number>;
      body?: unknown;
    },
  ): Promise<Answer<T>>;
  snapshot(): SandboxSnapshot;
}

const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

/** A sandbox with the demo seed at Monday 09:00 (unless overridden), closed after each test. */
export async function startSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await createSandbox({
    clock: createSandboxClock(mondayNineAm),
    apiKey: 'test-key',
    ...options,
  });
  running.push(sandbox);

  async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    const apiKey = options.apiKey === undefined ? sandbox.apiKey : options.apiKey;
    if (apiKey !== null) headers['X-API-KEY'] = apiKey;
    if (options.language) headers['Accept-Language'] = options.language;
    const payload =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.text();
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = JSON.parse(text) as T;
    const pathname = new URL(path, sandbox.url).pathname;
    if (pathname.startsWith('/v1/')) {
      const errors = validator.validate(method, pathname, response.status, body);
      expect(errors, `${method} ${pathname} ${response.status} ${text}`).toEqual([]);
      checkedAnswers.push({ method, pathname, status: response.status });
    }
    return { status: response.status, headers: response.headers, body };
  }

  return {
    sandbox,
    call,
    endpoint(name, init = {}) {
      const { method } = endpoints[name];
      const query = new URLSearchParams(
        Object.entries(init.query ?? {}).map(([key, value]) => [key, String(value)]),
      ).toString();
      const path = `${endpointPath(name, init.params ?? {})}${query ? `?${query}` : ''}`;
      return call(method, path, init.body === undefined ? {} : { body: init.body });
    },
    snapshot: () => sandbox.snapshot(),
  };
}

// ---------- response shapes the tests read ----------

export interface Slice<T> {
  result: T[];
  hasNext: boolean;
  offset: string;
}

export interface ClassSlot {
  id: number;
  startDateTime: string;
  endDateTime: string;
  earliestBookingDateTime: string;
  latestBookingDateTime: string;
  maxParticipants: number;
  bookedParticipants: number;
  additionalParticipants: number;
  maxWaitingListParticipants: number;
  waitingListParticipants: number;
  instructors: { id: number; firstName: string; lastName: string }[];
}

export interface AppointmentSlot {
  startDateTime: string;
  endDateTime: string;
  instructors: { id: number; firstName: string; lastName: string }[];
}

export interface ErrorBody {
  errorMessage: string;
  errorCode: string;
  traceId: string;
  reference?: string;
}

/** Epoch ms of an API date-time such as `2030-03-25T18:00:00.000+01:00[Europe/Berlin]`. */
export function epochOf(dateTime: string): number {
  return Date.parse(dateTime.replace(/\[.*\]$/, ''));
}

export function freePlaces(slot: ClassSlot): number {
  return slot.maxParticipants - slot.bookedParticipants - slot.additionalParticipants;
}

/** Every visible slot of a class, following the slices. */
export async function allClassSlots(test: TestSandbox, classId: number): Promise<ClassSlot[]> {
  const slots: ClassSlot[] = [];
  let offset = '0';
  for (;;) {
    const answer = await test.endpoint<Slice<ClassSlot>>('classSlots', {
      params: { classId },
      query: { offset, sliceSize: 100 },
    });
    expect(answer.status).toBe(200);
    slots.push(...answer.body.result);
    if (!answer.body.hasNext) return slots;
    offset = answer.body.offset;
  }
}

export const leadBasics = { firstname: 'Mia', lastname: 'Neu', email: 'mia.neu@example.org' };

/** A complete lead for config 1 (telephone and address mandatory there). */
export function fullLead(email = leadBasics.email) {
  return {
    ...leadBasics,
    email,
    telephone: '+49 170 1234567',
    address: { street: 'Kastanienallee', houseNumber: '7', zipCode: '10435', city: 'Berlin' },
  };
}

/** Creates a lead in `configId` (default 2, which asks for nothing beyond names and email). */
export async function createLead(
  test: TestSandbox,
  email: string,
  configId = 2,
  data: Record<string, unknown> = {},
): Promise<number> {
  const answer = await test.endpoint<{ leadCustomerId: number }>('leadCreate', {
    body: { trialOfferConfigId: configId, leadCustomerData: { ...fullLead(email), ...data } },
  });
  expect(answer.status).toBe(200);
  return answer.body.leadCustomerId;
}
