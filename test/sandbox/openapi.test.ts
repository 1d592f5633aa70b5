/**
 * Every answer the sandbox tests receive is checked against the OpenAPI document by `call` in
 * helpers.ts (ajv, closed object schemas). This file makes sure that check has teeth, and drives
 * each of the 13 endpoints to a success and to errors so every documented shape is exercised.
 */
import { describe, expect, it } from 'vitest';
import { type EndpointName, endpointNames, endpoints } from '../../src/perfectgym/endpoints.ts';
import { checkedAnswers, createLead, startSandbox } from './helpers.ts';
import { createResponseValidator } from './openapi-validator.ts';

const validator = createResponseValidator();

describe('the OpenAPI check itself', () => {
  const slotPath = '/v1/trial-offers/bookable-trial-offers/classes/101/slots';
  const slot = {
    id: 1,
    startDateTime: '2022-06-22T08:00:00.000+02:00[Europe/Berlin]',
    endDateTime: '2022-06-22T09:00:00.000+02:00[Europe/Berlin]',
    additionalParticipants: 0,
  };

  it('accepts the documented date-time form, with or without the zone in brackets', () => {
    expect(validator.validate('GET', slotPath, 200, { result: [slot], hasNext: false, offset: '1' })).toEqual(
      [],
    );
    const plain = { ...slot, startDateTime: '2022-06-22T06:00:00Z' };
    expect(
      validator.validate('GET', slotPath, 200, { result: [plain], hasNext: false, offset: '1' }),
    ).toEqual([]);
  });

  it('rejects what the real API would never send', () => {
    const wrong: unknown[] = [
      { result: [{ ...slot, additionalParticipants: undefined }], hasNext: false, offset: '1' },
      { result: [{ ...slot, startDatetime: slot.startDateTime }], hasNext: false, offset: '1' },
      { result: [{ ...slot, startDateTime: '2022-06-22T08:00:00' }], hasNext: false, offset: '1' },
      { result: [{ ...slot, startDateTime: '22.06.2022 08:00' }], hasNext: false, offset: '1' },
      { result: [{ ...slot, id: '1' }], hasNext: false, offset: '1' },
      { result: [{ ...slot, maxParticipants: 2.5 }], hasNext: false, offset: '1' },
      { result: [slot], hasNext: false, offset: 1 },
      { result: [slot], hasNext: false },
    ];
    for (const body of wrong) {
      expect(validator.validate('GET', slotPath, 200, body), JSON.stringify(body)).not.toEqual([]);
    }
    expect(validator.validate('GET', slotPath, 404, { errorCode: 'X' })).not.toEqual([]);
    expect(
      validator.validate('POST', '/v1/trial-offers/lead/validate', 200, { validationStatus: 'MAYBE' }),
    ).not.toEqual([]);
    expect(
      validator.validate('GET', '/v1/studios/information', 200, {
        studioId: 1,
        countryCode: 'Germany',
        accessCodeConfiguration: {},
      }),
    ).not.toEqual([]);
    expect(() => validator.validate('GET', '/v1/unknown', 200, {})).toThrow();
  });
});

describe('every endpoint answers in its documented shapes', () => {
  it('exercises success and error answers of all 13 endpoints', async () => {
    const test = await startSandbox({ rateLimitPerMinute: 1000 });
    const lead = await createLead(test, 'shapes@example.org', 1);
    const member = 501;
    const appointment = {
      bookableAppointmentId: 201,
      startDateTime: '2030-03-27T11:00:00.000+01:00[Europe/Berlin]',
      endDateTime: '2030-03-27T12:00:00.000+01:00[Europe/Berlin]',
    };

    // Successes.
    await test.endpoint('studio');
    await test.endpoint('classes', { query: { sliceSize: 10 } });
    await test.endpoint('appointments');
    for (const configId of [1, 2, 3]) await test.endpoint('config', { params: { configId } });
    await test.endpoint('leadValidate', {
      body: {
        trialOfferConfigId: 2,
        leadCustomerData: { firstname: 'A', lastname: 'B', email: 'known@example.com' },
      },
    });
    for (const classId of [101, 102, 103, 104, 105, 106]) {
      await test.endpoint('classSlots', { params: { classId }, query: { sliceSize: 100 } });
    }
    for (const bookableAppointmentId of [201, 202, 203]) {
      await test.endpoint('appointmentSlots', { params: { bookableAppointmentId }, query: { daysAhead: 6 } });
    }
    await test.endpoint('classBookingValidate', { body: { customerId: lead, classSlotId: 10_050 } });
    const classBooking = await test.endpoint<{ bookingId: number }>('classBook', {
      body: { customerId: member, classSlotId: firstBookable(await slotsOf(test, 105)) },
    });
    await test.endpoint('appointmentBookingValidate', { body: { customerId: lead, ...appointment } });
    const appointmentBooking = await test.endpoint<{ bookingId: number }>('appointmentBook', {
      body: { customerId: lead, ...appointment },
    });
    await test.endpoint('confirm', { params: { bookingId: classBooking.body.bookingId } });
    await test.endpoint('confirm', { params: { bookingId: appointmentBooking.body.bookingId } });
    test.sandbox.clock.advance(3 * 24 * 3_600_000);
    await test.endpoint('confirm', { params: { bookingId: appointmentBooking.body.bookingId } });

    // Errors: each endpoint once without a key, once failing on the server, and its own 400/404.
    for (const name of endpointNames) {
      const path = examplePath(name);
      await test.call(endpoints[name].method, path, { apiKey: null });
      test.sandbox.faults.set(name, { kind: 'status', status: 500, times: 1 });
      await test.call(endpoints[name].method, path, endpoints[name].method === 'POST' ? { body: {} } : {});
    }
    test.sandbox.faults.set('studio', { kind: 'status', status: 429, times: 1, retryAfterSeconds: 1 });
    await test.endpoint('studio');
    await test.endpoint('classes', { query: { sliceSize: 5 } });
    await test.endpoint('appointments', { query: { sliceSize: 500 } });
    await test.endpoint('config', { params: { configId: 42 } });
    await test.endpoint('leadValidate', { body: { trialOfferConfigId: 1 } });
    await test.endpoint('leadCreate', {
      body: { trialOfferConfigId: 1, leadCustomerData: { firstname: 'A', lastname: 'B', email: 'bad' } },
    });
    await test.endpoint('classSlots', { params: { classId: 1 } });
    await test.endpoint('appointmentSlots', {
      params: { bookableAppointmentId: 201 },
      query: { daysAhead: 9 },
    });
    await test.endpoint('classBookingValidate', { body: { customerId: lead } });
    await test.endpoint('classBook', {
      body: { customerId: lead, classSlotId: firstBookable(await slotsOf(test, 105)) },
    });
    await test.endpoint('appointmentBookingValidate', {
      body: { customerId: lead, bookableAppointmentId: 201 },
    });
    await test.endpoint('appointmentBook', { body: { customerId: lead, ...appointment } });
    await test.endpoint('confirm', { params: { bookingId: 1 } });

    for (const name of endpointNames) {
      const seen = checkedAnswers.filter((answer) => routeOf(answer.pathname) === name);
      const statuses = new Set(seen.map((answer) => answer.status));
      expect(statuses.has(200), `${name} answered 200`).toBe(true);
      expect(statuses.has(401), `${name} answered 401`).toBe(true);
      expect(statuses.has(500), `${name} answered 500`).toBe(true);
      // Studio information takes no input, so it has no 400 or 404 of its own; it gets the 429.
      const ownError = name === 'studio' ? [429] : [400, 404];
      expect(
        [...statuses].some((status) => ownError.includes(status)),
        `${name} answered ${ownError}`,
      ).toBe(true);
    }
  });
});

async function slotsOf(test: Awaited<ReturnType<typeof startSandbox>>, classId: number) {
  const answer = await test.endpoint<{
    result: {
      id: number;
      maxParticipants: number;
      bookedParticipants: number;
      additionalParticipants: number;
      earliestBookingDateTime: string;
    }[];
  }>('classSlots', { params: { classId }, query: { sliceSize: 100 } });
  return answer.body.result;
}

function firstBookable(slots: Awaited<ReturnType<typeof slotsOf>>): number {
  const slot = slots.find(
    (candidate, index) =>
      index > 1 &&
      candidate.maxParticipants - candidate.bookedParticipants - candidate.additionalParticipants > 0,
  );
  if (!slot) throw new Error('no bookable slot');
  return slot.id;
}

function examplePath(name: EndpointName): string {
  return endpoints[name].path.replace(/\{\w+\}/, '1');
}

function routeOf(pathname: string): EndpointName | undefined {
  return endpointNames.find((name) =>
    new RegExp(`^${endpoints[name].path.replace(/\{\w+\}/g, '[^/]+')}$`).test(pathname),
  );
}
