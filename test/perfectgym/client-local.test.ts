/**
 * The client against crafted answers from a tiny loopback server: the cases a well-behaved
 * sandbox never produces (unknown enum values, extra fields, broken bodies, echoed secrets,
 * refused connections).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CallEvent,
  createPerfectGymClient,
  type PerfectGymClient,
} from '../../src/perfectgym/client.ts';
import { isTemporary, PerfectGymApiError, PerfectGymRequestError } from '../../src/perfectgym/errors.ts';
import {
  type CraftedHandler,
  type CraftedServer,
  json,
  reachableStrings,
  refusedPort,
  rejectionOf,
  startCraftedServer,
  writeHugeOfferListing,
} from './helpers.ts';

const apiKey = 'local-test-key-7f3a9c';

const classBooking = {
  bookingId: 77,
  bookingStatus: 'BOOKED',
  classSlotId: 2,
  classId: 3,
  customerId: 1,
  classSlotStatus: 'PLANNED',
  participantStatus: 'PARTICIPATING',
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: CraftedHandler): Promise<CraftedServer> {
  const server = await startCraftedServer(handler);
  cleanups.push(() => server.close());
  return server;
}

function clientFor(baseUrl: string, extra: Partial<Parameters<typeof createPerfectGymClient>[0]> = {}) {
  const client: PerfectGymClient = createPerfectGymClient({
    baseUrl,
    apiKey,
    retryBaseDelayMs: 10,
    ...extra,
  });
  cleanups.push(() => client.close());
  return client;
}

describe('PerfectGym client against crafted answers', () => {
  it('keeps enum values it does not know and drops fields it does not know', async () => {
    const server = await serve((request, response) => {
      if (request.url.includes('appointments/booking/validate')) {
        json(response, 200, { validationStatus: 'RESOURCE_NOT_AVAILABLE', extra: 1 });
      } else {
        json(response, 200, { ...classBooking, bookingStatus: 'PENDING_PAYMENT', loyaltyPoints: 5 });
      }
    });
    const client = clientFor(server.url);

    const validation = await client.validateAppointmentBooking({
      customerId: 1,
      bookableAppointmentId: 2,
      startDateTime: '2030-01-07T10:00:00.000+01:00[Europe/Berlin]',
      endDateTime: '2030-01-07T11:00:00.000+01:00[Europe/Berlin]',
    });
    expect(validation).toStrictEqual({ validationStatus: 'RESOURCE_NOT_AVAILABLE' });

    const booking = await client.bookClassSlot({ customerId: 1, classSlotId: 2 });
    expect(booking.bookingStatus).toBe('PENDING_PAYMENT');
    expect(booking).not.toHaveProperty('loyaltyPoints');
  });

  it('sends the key, the language, JSON bodies and the base URL path prefix', async () => {
    const server = await serve((request, response) => {
      if (request.url.includes('/slots')) json(response, 200, []);
      else json(response, 200, { validationStatus: 'POSSIBLE' });
    });
    const client = clientFor(`${server.url}/studio-proxy/`);
    const lead = {
      trialOfferConfigId: 4,
      leadCustomerData: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com' },
    };

    await client.validateLead(lead, { language: 'de-DE' });
    await client.getAppointmentSlots({
      bookableAppointmentId: 12,
      daysAhead: 3,
      slotWindowStartDate: '2030-01-07',
    });

    const [post, get] = server.requests;
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe('/studio-proxy/v1/trial-offers/lead/validate');
    expect(post?.headers['x-api-key']).toBe(apiKey);
    expect(post?.headers['accept-language']).toBe('de-DE');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post?.body ?? '')).toEqual(lead);

    expect(get?.method).toBe('GET');
    expect(get?.url).toBe(
      '/studio-proxy/v1/trial-offers/bookable-trial-offers/appointments/bookable/12/slots?daysAhead=3&slotWindowStartDate=2030-01-07',
    );
    expect(get?.headers['accept-language']).toBeUndefined();
    expect(get?.headers['content-type']).toBeUndefined();
  });

  it('reports an unparsable body as invalid-response and does not repeat the call', async () => {
    const server = await serve((_request, response) => json(response, 200, '{"validationStatus": "AVAIL'));
    const client = clientFor(server.url);

    const error = await rejectionOf(client.validateClassBooking({ customerId: 1, classSlotId: 2 }));

    expect(error).toBeInstanceOf(PerfectGymRequestError);
    expect(error).toMatchObject({
      reason: 'invalid-response',
      endpoint: 'classBookingValidate',
      status: 200,
    });
    expect(isTemporary(error)).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('names the schema paths a body breaks without quoting the values', async () => {
    const server = await serve((_request, response) =>
      json(response, 200, {
        result: [{ trialOfferConfigId: 1, trialOfferClass: { id: 5, bookable: 'Jane.Doe@example.com' } }],
        hasNext: false,
      }),
    );
    const client = clientFor(server.url);

    const error = await rejectionOf(client.getBookableTrialClasses());

    expect(error).toBeInstanceOf(PerfectGymRequestError);
    const requestError = error as PerfectGymRequestError;
    expect(requestError.reason).toBe('invalid-response');
    expect([...requestError.issuePaths].sort()).toEqual(['offset', 'result.0.trialOfferClass.bookable']);
    expect(requestError.message).toContain('result.0.trialOfferClass.bookable');
    expect(requestError.message).not.toContain('Jane.Doe');
  });

  it('stops paging when the studio claims more slices but the offset does not move', async () => {
    const server = await serve((_request, response) =>
      json(response, 200, {
        result: [{ trialOfferConfigId: 1, trialOfferClass: { id: 5, bookable: true } }],
        hasNext: true,
        offset: '0',
      }),
    );
    const client = clientFor(server.url);

    const seen: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const offer of client.bookableTrialClasses()) seen.push(offer.trialOfferClass.id);
      })(),
    );

    expect(error).toMatchObject({ reason: 'invalid-response' });
    expect(seen).toEqual([5]);
    expect(server.requests).toHaveLength(1);
  });

  it('turns an error body that is not an ErrorResponse into a generic message, and never repeats a booking on a gateway error', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad Gateway</html>');
    });
    const client = clientFor(server.url);

    const error = await rejectionOf(client.bookClassSlot({ customerId: 1, classSlotId: 2 }));

    expect(error).toBeInstanceOf(PerfectGymApiError);
    expect(error).toMatchObject({ status: 502, endpoint: 'classBook', errorCode: undefined });
    expect((error as PerfectGymApiError).errorMessage).toMatch(/502/);
    expect(isTemporary(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a validation after a gateway error and returns the later answer', async () => {
    const server = await serve((request, response) => {
      if (server.requests.indexOf(request) === 0) json(response, 504, { errorMessage: 'upstream timeout' });
      else json(response, 200, { validationStatus: 'AVAILABLE' });
    });
    const events: CallEvent[] = [];
    const client = clientFor(server.url, { onCall: (event) => events.push(event) });

    const result = await client.validateClassBooking({ customerId: 1, classSlotId: 2 });

    expect(result.validationStatus).toBe('AVAILABLE');
    expect(events.map((event) => event.status)).toEqual([504, 200]);
  });

  it('never lets the API key out, even when the studio echoes it back', async () => {
    const server = await serve((request, response) =>
      json(response, 401, {
        errorMessage: `API key ${String(request.headers['x-api-key'])} is not valid`,
        errorCode: 'UNAUTHORIZED',
        traceId: 'trace-1',
      }),
    );
    const client = clientFor(server.url);

    const error = await rejectionOf(client.getStudioInformation());

    expect(error).toBeInstanceOf(PerfectGymApiError);
    expect(error).toMatchObject({ status: 401, errorCode: 'UNAUTHORIZED', traceId: 'trace-1' });
    expect((error as PerfectGymApiError).errorMessage).toContain('is not valid');
    expect(reachableStrings(error).filter((text) => text.includes(apiKey))).toEqual([]);
  });

  it('logs endpoint, status and trace id but no personal data and no key', async () => {
    const server = await serve((request, response) => {
      if (server.requests.indexOf(request) === 0)
        json(response, 503, { errorMessage: 'busy', traceId: 'trace-503' });
      else json(response, 409, { errorMessage: 'ada@example.com already exists', traceId: 'trace-409' });
    });
    const logged: Array<{ level: string; obj: object; msg: string | undefined }> = [];
    const client = clientFor(server.url, {
      logger: {
        debug: (obj, msg) => logged.push({ level: 'debug', obj, msg }),
        warn: (obj, msg) => logged.push({ level: 'warn', obj, msg }),
      },
    });

    await rejectionOf(
      client.validateLead({
        trialOfferConfigId: 4,
        leadCustomerData: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com' },
      }),
    );

    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        obj: expect.objectContaining({ status: 503, traceId: 'trace-503' }),
      }),
    );
    expect(logged).toContainEqual(expect.objectContaining({ obj: expect.objectContaining({ status: 409 }) }));
    const text = JSON.stringify(logged);
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('Lovelace');
    expect(text).not.toContain(apiKey);
  });

  it('times out a body that starts but never finishes', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"studioId": 1,');
    });
    const client = clientFor(server.url, { timeoutMs: 300, maxRetries: 0 });

    const started = performance.now();
    const error = await rejectionOf(client.getStudioInformation());

    expect(error).toMatchObject({ reason: 'timeout', endpoint: 'studio' });
    expect(isTemporary(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('stops at once when the caller aborts, also while waiting to retry', async () => {
    const server = await serve((_request, response) => json(response, 503, { errorMessage: 'busy' }));
    const client = clientFor(server.url, { retryBaseDelayMs: 5_000, maxRetries: 2 });
    const controller = new AbortController();

    const call = rejectionOf(client.getStudioInformation({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await call;

    expect(error).toMatchObject({ reason: 'aborted' });
    expect(isTemporary(error)).toBe(false);
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });
});

describe('PerfectGym client when the studio cannot be reached', () => {
  it('repeats a booking whose connection was refused, because it provably never reached the studio', async () => {
    const port = await refusedPort();
    let studio: Promise<CraftedServer> | undefined;
    const events: CallEvent[] = [];
    const client = clientFor(`http://127.0.0.1:${port}`, {
      maxRetries: 3,
      retryBaseDelayMs: 300,
      onCall: (event) => {
        events.push(event);
        // The studio comes up on the same port while the client backs off.
        studio ??= startCraftedServer((_request, response) => json(response, 200, classBooking), port);
      },
    });

    const booking = await client.bookClassSlot({ customerId: 1, classSlotId: 2 });
    const server = await (studio as Promise<CraftedServer>);
    cleanups.push(() => server.close());

    expect(booking.bookingId).toBe(77);
    expect(events[0]?.status).toBe('network-error');
    expect(events.at(-1)?.status).toBe(200);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on a refused connection after maxRetries and says it is worth trying again', async () => {
    const port = await refusedPort();
    const events: CallEvent[] = [];
    const client = clientFor(`http://127.0.0.1:${port}`, {
      maxRetries: 2,
      onCall: (event) => events.push(event),
    });

    const error = await rejectionOf(
      client.createLead({
        trialOfferConfigId: 1,
        leadCustomerData: { firstname: 'A', lastname: 'B', email: 'a@example.com' },
      }),
    );

    expect(error).toBeInstanceOf(PerfectGymRequestError);
    expect(error).toMatchObject({ reason: 'network', endpoint: 'leadCreate' });
    expect((error as PerfectGymRequestError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isTemporary(error)).toBe(true);
    expect(events.map((event) => event.status)).toEqual(['network-error', 'network-error', 'network-error']);
    expect(reachableStrings(error).filter((text) => text.includes(apiKey))).toEqual([]);
  });
});

describe('PerfectGym client against answers without bounds', () => {
  const offer = (id: number) => ({ trialOfferConfigId: 1, trialOfferClass: { id, bookable: true } });

  it('stops reading a body larger than its cap and fails the call as too-large', async () => {
    let written = () => 0;
    let clientGone = false;
    const server = await serve((_request, response, socket) => {
      socket.on('close', () => (clientGone = true));
      written = writeHugeOfferListing(response, 150_000_000);
    });
    const events: CallEvent[] = [];
    const client = clientFor(server.url, { maxBodyBytes: 2_000_000, onCall: (event) => events.push(event) });

    const error = await rejectionOf(client.getBookableTrialClasses());

    expect(error).toBeInstanceOf(PerfectGymRequestError);
    expect(error).toMatchObject({ reason: 'too-large', endpoint: 'classes' });
    expect(isTemporary(error)).toBe(false);
    expect(events.map((event) => event.status)).toEqual(['too-large']);
    expect(server.requests).toHaveLength(1);
    await expect.poll(() => clientGone).toBe(true);
    expect(written()).toBeLessThan(20_000_000);
  });

  it('refuses a body whose announced length is over the cap without reading it', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '900000000' });
      response.write('{"studioId": 1,');
    });
    const client = clientFor(server.url, { maxBodyBytes: 1_000_000 });
    expect(await rejectionOf(client.getStudioInformation())).toMatchObject({ reason: 'too-large' });
  });

  it('stops a listing whose studio says hasNext for ever after 100 slices', async () => {
    const server = await serve((request, response) => {
      const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? '0');
      json(response, 200, { result: [offer(offset + 1)], hasNext: true, offset: String(offset + 1) });
    });
    const client = clientFor(server.url);

    const error = await rejectionOf(Array.fromAsync(client.bookableTrialClasses()));

    expect(error).toMatchObject({ reason: 'too-large', endpoint: 'classes' });
    expect(server.requests).toHaveLength(100);
  });

  it('stops a listing over its item cap', async () => {
    const server = await serve((request, response) => {
      const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? '0');
      const result = Array.from({ length: 50 }, (_, i) => offer(offset + i + 1));
      json(response, 200, { result, hasNext: offset < 500, offset: String(offset + 50) });
    });
    const client = clientFor(server.url, { maxListItems: 120 });

    expect(await rejectionOf(Array.fromAsync(client.bookableTrialClasses()))).toMatchObject({
      reason: 'too-large',
    });
    expect(server.requests).toHaveLength(3);
  });

  it('gives a read one deadline for all its attempts instead of a full timeout each', async () => {
    // Headers never come; each attempt would wait its full timeout.
    const server = await serve(() => undefined);
    const events: CallEvent[] = [];
    const client = clientFor(server.url, {
      timeoutMs: 1_000,
      maxRetries: 2,
      onCall: (event) => events.push(event),
    });

    const started = performance.now();
    const error = await rejectionOf(client.getStudioInformation());
    const elapsed = performance.now() - started;

    expect(error).toMatchObject({ reason: 'timeout', endpoint: 'studio' });
    // The default deadline is 1.5 × the timeout; three full timeouts would be 3 s at least.
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(2_900);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((event) => event.status === 'timeout')).toBe(true);
  });

  it('does not retry when the backoff would outlast the deadline', async () => {
    const server = await serve((_request, response) => json(response, 503, { errorMessage: 'busy' }));
    const client = clientFor(server.url, { deadlineMs: 500, retryBaseDelayMs: 60_000, maxRetries: 5 });
    const started = performance.now();
    expect(await rejectionOf(client.getStudioInformation())).toMatchObject({ status: 503 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('leaves out a malformed offer, keeps the others, and logs where it broke without its texts', async () => {
    const server = await serve((_request, response) =>
      json(response, 200, {
        result: [
          offer(5),
          { trialOfferClass: { id: 6, title: 'Yoga with Jane.Doe@example.com', bookable: true } },
          offer(7),
        ],
        hasNext: false,
        offset: '3',
      }),
    );
    const logged: Array<{ obj: object; msg: string | undefined }> = [];
    const client = clientFor(server.url, {
      logger: { debug: () => undefined, warn: (obj, msg) => logged.push({ obj, msg }) },
    });

    const offers = await Array.fromAsync(client.bookableTrialClasses());

    expect(offers.map((o) => o.trialOfferClass.id)).toEqual([5, 7]);
    expect(logged).toEqual([
      {
        obj: { endpoint: 'classes', index: 1, id: 6, issuePaths: ['1.trialOfferConfigId'] },
        msg: 'perfectgym list item does not match the schema, left out',
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain('Jane.Doe');
  });

  it('leaves out a malformed appointment slot and keeps the others', async () => {
    const slot = {
      startDateTime: '2030-01-07T10:00:00.000+01:00[Europe/Berlin]',
      endDateTime: '2030-01-07T11:00:00.000+01:00[Europe/Berlin]',
    };
    const server = await serve((_request, response) =>
      json(response, 200, [slot, { ...slot, startDateTime: 'tomorrow-ish' }]),
    );
    const client = clientFor(server.url);
    const slots = await client.getAppointmentSlots({ bookableAppointmentId: 3 });
    expect(slots.map((s) => s.startDateTime?.raw)).toEqual([slot.startDateTime]);
  });
});
