import { describe, expect, it } from 'vitest';
import { type ErrorBody, startSandbox } from './helpers.ts';

describe('authentication', () => {
  it('answers 401 with an ErrorResponse when the key is missing or wrong', async () => {
    const test = await startSandbox();
    for (const apiKey of [null, 'wrong-key', `${test.sandbox.apiKey}x`]) {
      const answer = await test.call<ErrorBody>('GET', '/v1/studios/information', { apiKey });
      expect(answer.status).toBe(401);
      expect(answer.body.errorCode).toBe('UNAUTHORIZED');
      expect(answer.body.errorMessage).toMatch(/X-API-KEY/);
      expect(answer.body.traceId).toMatch(/^\d+$/);
    }
  });

  it('refuses the admin API without the key too', async () => {
    const test = await startSandbox();
    const answer = await test.call<ErrorBody>('GET', '/__sandbox/state', { apiKey: 'nope' });
    expect(answer.status).toBe(401);
  });

  it('gives every error its own trace id', async () => {
    const test = await startSandbox();
    const first = await test.call<ErrorBody>('GET', '/v1/studios/information', { apiKey: null });
    const second = await test.call<ErrorBody>('GET', '/v1/studios/information', { apiKey: null });
    expect(first.body.traceId).not.toBe(second.body.traceId);
  });
});

describe('routing', () => {
  it('answers 404 for paths that are no endpoint', async () => {
    const test = await startSandbox();
    const answer = await test.call<ErrorBody>('GET', '/v1/trial-offers/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.body.errorCode).toBe('ROUTE_NOT_FOUND');
    const malformed = await test.call<ErrorBody>('GET', '/v1/trial-offers/config/%E0');
    expect(malformed.status).toBe(404);
  });

  it('answers 405 naming the allowed method when the method is wrong', async () => {
    const test = await startSandbox();
    const answer = await test.call<ErrorBody>('GET', '/v1/trial-offers/lead/create');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
  });

  it('answers 404 for unknown ids of every kind', async () => {
    const test = await startSandbox();
    const cases = [
      ['config', { params: { configId: 99 } }],
      ['classSlots', { params: { classId: 999 } }],
      ['appointmentSlots', { params: { bookableAppointmentId: 999 } }],
      ['appointmentSlots', { params: { bookableAppointmentId: 201 }, query: { customerId: 77_777 } }],
      ['confirm', { params: { bookingId: 424_242 } }],
      ['classBookingValidate', { body: { customerId: 501, classSlotId: 1 } }],
      ['classBook', { body: { customerId: 77_777, classSlotId: 10_001 } }],
      [
        'appointmentBookingValidate',
        {
          body: {
            customerId: 501,
            bookableAppointmentId: 999,
            startDateTime: '2030-03-26T10:00:00.000+01:00[Europe/Berlin]',
            endDateTime: '2030-03-26T11:00:00.000+01:00[Europe/Berlin]',
          },
        },
      ],
      ['leadValidate', { body: { trialOfferConfigId: 99, leadCustomerData: { firstname: 'A' } } }],
    ] as const;
    for (const [name, init] of cases) {
      const answer = await test.endpoint<ErrorBody>(name, init);
      expect(answer.status, `${name} ${JSON.stringify(init)}`).toBe(404);
      expect(answer.body.errorCode).toBe('ENTITY_NOT_FOUND');
    }
  });
});

describe('bad requests', () => {
  it('answers 400 for malformed JSON and a missing body', async () => {
    const test = await startSandbox();
    const malformed = await test.call<ErrorBody>('POST', '/v1/trial-offers/classes/booking/validate', {
      rawBody: '{"customerId": 501,',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errorCode).toBe('MALFORMED_JSON');
    const empty = await test.call<ErrorBody>('POST', '/v1/trial-offers/classes/booking/validate');
    expect(empty.status).toBe(400);
  });

  it('answers 400 to a body over 1 MiB, after the key check, and stays usable', async () => {
    const test = await startSandbox();
    const rawBody = JSON.stringify({ customerId: 501, classSlotId: 10_001, pad: 'x'.repeat(1024 * 1024) });
    const path = '/v1/trial-offers/classes/booking/validate';
    const withoutKey = await test.call<ErrorBody>('POST', path, { rawBody, apiKey: null });
    expect(withoutKey.status).toBe(401);
    const tooLarge = await test.call<ErrorBody>('POST', path, { rawBody });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.errorMessage).toBe('The request body is larger than 1048576 bytes.');
    expect((await test.call('GET', '/v1/studios/information')).status).toBe(200);
  });

  it('answers 400 naming the field for missing required fields and wrong types', async () => {
    const test = await startSandbox();
    const cases: [string, unknown, string][] = [
      ['/v1/trial-offers/classes/booking/validate', { customerId: 501 }, 'classSlotId'],
      ['/v1/trial-offers/classes/booking/book', { customerId: '501', classSlotId: 10_001 }, 'customerId'],
      ['/v1/trial-offers/classes/booking/book', { customerId: 501.5, classSlotId: 10_001 }, 'customerId'],
      ['/v1/trial-offers/lead/validate', { leadCustomerData: leadData() }, 'trialOfferConfigId'],
      ['/v1/trial-offers/lead/validate', { trialOfferConfigId: 1 }, 'leadCustomerData'],
      [
        '/v1/trial-offers/lead/create',
        { trialOfferConfigId: 1, leadCustomerData: { ...leadData(), gender: 'DIVERSE' } },
        'leadCustomerData.gender',
      ],
      [
        '/v1/trial-offers/lead/create',
        { trialOfferConfigId: 1, leadCustomerData: { ...leadData(), dateOfBirth: '10.10.2000' } },
        'leadCustomerData.dateOfBirth',
      ],
      [
        '/v1/trial-offers/lead/validate',
        { trialOfferConfigId: 1, leadCustomerData: { ...leadData(), firstname: 42 } },
        'leadCustomerData.firstname',
      ],
      [
        '/v1/trial-offers/appointments/booking/validate',
        {
          customerId: 501,
          bookableAppointmentId: 201,
          startDateTime: 'tomorrow at ten',
          endDateTime: 'later',
        },
        'startDateTime',
      ],
      ['/v1/trial-offers/appointments/booking/book', [1, 2], 'body'],
    ];
    for (const [path, body, reference] of cases) {
      const answer = await test.call<ErrorBody>('POST', path, { body });
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.reference).toBe(reference);
      expect(answer.body.errorMessage).toContain(reference);
    }
    expect(test.snapshot().leads).toEqual([]);
    expect(test.snapshot().bookings).toEqual([]);
  });

  it('checks sliceSize, daysAhead, slotWindowStartDate, offset and path ids', async () => {
    const test = await startSandbox();
    const bad = [
      '/v1/trial-offers/bookable-trial-offers/classes?sliceSize=9',
      '/v1/trial-offers/bookable-trial-offers/classes?sliceSize=101',
      '/v1/trial-offers/bookable-trial-offers/classes?sliceSize=ten',
      '/v1/trial-offers/bookable-trial-offers/appointments/bookable?sliceSize=0',
      '/v1/trial-offers/bookable-trial-offers/classes/101/slots?sliceSize=200',
      '/v1/trial-offers/bookable-trial-offers/classes/101/slots?offset=abc',
      '/v1/trial-offers/bookable-trial-offers/appointments/bookable/201/slots?daysAhead=0',
      '/v1/trial-offers/bookable-trial-offers/appointments/bookable/201/slots?daysAhead=7',
      '/v1/trial-offers/bookable-trial-offers/appointments/bookable/201/slots?slotWindowStartDate=2030-02-30',
      '/v1/trial-offers/bookable-trial-offers/appointments/bookable/201/slots?slotWindowStartDate=26.03.2030',
      '/v1/trial-offers/config/first',
    ];
    for (const path of bad) {
      const answer = await test.call<ErrorBody>('GET', path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.errorCode).toBe('VALIDATION_FAILED');
    }
    const edges = [
      '/v1/trial-offers/bookable-trial-offers/classes?sliceSize=10',
      '/v1/trial-offers/bookable-trial-offers/classes?sliceSize=100',
      '/v1/trial-offers/bookable-trial-offers/appointments/bookable/201/slots?daysAhead=1',
      '/v1/trial-offers/bookable-trial-offers/appointments/bookable/201/slots?daysAhead=6',
    ];
    for (const path of edges) expect((await test.call('GET', path)).status, path).toBe(200);
  });
});

describe('error messages', () => {
  it('speaks German or English by Accept-Language, English by default', async () => {
    const test = await startSandbox();
    const path = '/v1/trial-offers/config/99';
    const german = await test.call<ErrorBody>('GET', path, { language: 'de-DE,de;q=0.9,en;q=0.8' });
    const english = await test.call<ErrorBody>('GET', path, { language: 'en-GB' });
    const preferred = await test.call<ErrorBody>('GET', path, { language: 'fr, en;q=0.4, de;q=0.7' });
    const fallback = await test.call<ErrorBody>('GET', path);
    expect(german.body.errorMessage).toBe('Probeangebots-Konfiguration 99 existiert nicht.');
    expect(german.headers.get('content-language')).toBe('de');
    expect(english.body.errorMessage).toBe('Trial offer config 99 does not exist.');
    expect(preferred.body.errorMessage).toBe(german.body.errorMessage);
    expect(fallback.body.errorMessage).toBe(english.body.errorMessage);
    expect(german.body.errorCode).toBe(english.body.errorCode);
  });

  it('localizes validation and refusal messages too', async () => {
    const test = await startSandbox();
    const answer = await test.call<ErrorBody>('POST', '/v1/trial-offers/lead/create', {
      language: 'de',
      body: { trialOfferConfigId: 2, leadCustomerData: { ...leadData(), email: 'not-an-address' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errorCode).toBe('INVALID_LEAD_CUSTOMER_DATA');
    expect(answer.body.errorMessage).toBe(
      'Die Daten des Interessenten sind ungültig: die E-Mail-Adresse ist ungültig.',
    );
  });
});

function leadData() {
  return { firstname: 'Mia', lastname: 'Neu', email: 'mia@example.org' };
}
