import { describe, expect, it } from 'vitest';
import {
  createLead,
  type ErrorBody,
  fullLead,
  leadBasics,
  startSandbox,
  type TestSandbox,
} from './helpers.ts';

async function validate(test: TestSandbox, configId: number, leadCustomerData: Record<string, unknown>) {
  const answer = await test.endpoint<{ validationStatus: string }>('leadValidate', {
    body: { trialOfferConfigId: configId, leadCustomerData },
  });
  expect(answer.status).toBe(200);
  return answer.body.validationStatus;
}

function without(data: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = data;
  return rest;
}

describe('lead validation', () => {
  it('finds a complete lead POSSIBLE', async () => {
    const test = await startSandbox();
    expect(await validate(test, 1, fullLead())).toBe('POSSIBLE');
    expect(await validate(test, 2, leadBasics)).toBe('POSSIBLE');
  });

  it('finds missing or blank names and email, or a malformed email, INVALID_LEAD_CUSTOMER_DATA', async () => {
    const test = await startSandbox();
    const invalid = [
      without(leadBasics, 'firstname'),
      { ...leadBasics, firstname: '   ' },
      without(leadBasics, 'lastname'),
      { ...leadBasics, lastname: '' },
      without(leadBasics, 'email'),
      { ...leadBasics, email: 'mia.neu.example.org' },
      { ...leadBasics, email: 'mia@neu' },
      { ...leadBasics, email: 'mia neu@example.org' },
    ];
    for (const data of invalid)
      expect(await validate(test, 2, data), JSON.stringify(data)).toBe('INVALID_LEAD_CUSTOMER_DATA');
  });

  it('takes an internationalised domain as typed or in punycode: the docs ask only for a string', async () => {
    const test = await startSandbox();
    expect(await validate(test, 2, { ...leadBasics, email: 'mia@münchen.de' })).toBe('POSSIBLE');
    expect(await validate(test, 2, { ...leadBasics, email: 'mia@xn--mnchen-3ya.de' })).toBe('POSSIBLE');
  });

  it('requires what the config marks MANDATORY and nothing else', async () => {
    const test = await startSandbox();
    // Config 1: telephone and address mandatory, gender and date of birth optional.
    expect(await validate(test, 1, without(fullLead(), 'telephone'))).toBe('INVALID_LEAD_CUSTOMER_DATA');
    expect(await validate(test, 1, without(fullLead(), 'address'))).toBe('INVALID_LEAD_CUSTOMER_DATA');
    for (const field of ['street', 'zipCode', 'city']) {
      const address = without(fullLead().address, field);
      expect(await validate(test, 1, { ...fullLead(), address }), field).toBe('INVALID_LEAD_CUSTOMER_DATA');
    }
    expect(
      await validate(test, 1, { ...fullLead(), address: { ...fullLead().address, houseNumber: undefined } }),
    ).toBe('POSSIBLE');
    // Config 3: gender and date of birth mandatory; the same lead without them is invalid there only.
    expect(await validate(test, 3, leadBasics)).toBe('INVALID_LEAD_CUSTOMER_DATA');
    expect(await validate(test, 3, { ...leadBasics, gender: 'FEMALE' })).toBe('INVALID_LEAD_CUSTOMER_DATA');
    expect(await validate(test, 3, { ...leadBasics, gender: 'FEMALE', dateOfBirth: '1990-05-17' })).toBe(
      'POSSIBLE',
    );
    expect(await validate(test, 2, leadBasics)).toBe('POSSIBLE');
  });

  it('rejects an unreal telephone number and a birthday in the future', async () => {
    const test = await startSandbox();
    expect(await validate(test, 1, { ...fullLead(), telephone: 'call me' })).toBe(
      'INVALID_LEAD_CUSTOMER_DATA',
    );
    expect(await validate(test, 1, { ...fullLead(), telephone: '030 / 440-211 80' })).toBe('POSSIBLE');
    expect(await validate(test, 1, { ...fullLead(), dateOfBirth: '2031-01-01' })).toBe(
      'INVALID_LEAD_CUSTOMER_DATA',
    );
  });

  it('finds a known email DUPLICATE_CUSTOMER, whatever its case', async () => {
    const test = await startSandbox();
    expect(await validate(test, 2, { ...leadBasics, email: 'known@example.com' })).toBe('DUPLICATE_CUSTOMER');
    expect(await validate(test, 2, { ...leadBasics, email: 'Known@Example.COM' })).toBe('DUPLICATE_CUSTOMER');
  });

  it('knows a lead created with spaces around the e-mail when it comes again', async () => {
    const test = await startSandbox();
    const created = await test.endpoint('leadCreate', {
      body: { trialOfferConfigId: 2, leadCustomerData: { ...leadBasics, email: '  new.lead@example.com ' } },
    });
    expect(created.status).toBe(200);
    expect(await validate(test, 2, { ...leadBasics, email: 'new.lead@example.com' })).toBe(
      'DUPLICATE_CUSTOMER',
    );
    expect(await validate(test, 2, { ...leadBasics, email: ' New.Lead@example.com' })).toBe(
      'DUPLICATE_CUSTOMER',
    );
  });
});

describe('lead creation', () => {
  it('stores the lead exactly as received and returns its id', async () => {
    const test = await startSandbox();
    const leadCustomerData = {
      ...fullLead('new.person@example.org'),
      thirdPartyId: 'tg-1234',
      gender: 'FEMALE',
      dateOfBirth: '1994-02-11',
      language: { languageCode: 'de', countryCode: 'DE' },
    };
    const answer = await test.endpoint<{ leadCustomerId: number }>('leadCreate', {
      body: { trialOfferConfigId: 1, leadCustomerData },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.leadCustomerId).toBeGreaterThan(0);
    const [lead] = test.snapshot().leads;
    expect(lead).toMatchObject({ id: answer.body.leadCustomerId, trialOfferConfigId: 1 });
    expect(lead?.leadCustomerData).toStrictEqual(leadCustomerData);
  });

  it('makes the same email a duplicate afterwards, and hands out distinct ids', async () => {
    const test = await startSandbox();
    const body = (email: string) => ({ trialOfferConfigId: 2, leadCustomerData: { ...leadBasics, email } });
    const first = await test.endpoint<{ leadCustomerId: number }>('leadCreate', {
      body: body('one@example.org'),
    });
    const second = await test.endpoint<{ leadCustomerId: number }>('leadCreate', {
      body: body('two@example.org'),
    });
    expect(first.body.leadCustomerId).not.toBe(second.body.leadCustomerId);
    expect(await validate(test, 2, { ...leadBasics, email: 'ONE@example.org' })).toBe('DUPLICATE_CUSTOMER');
    const again = await test.endpoint<ErrorBody>('leadCreate', { body: body('one@example.org') });
    expect(again.status).toBe(400);
    expect(again.body.errorCode).toBe('DUPLICATE_CUSTOMER');
    expect(test.snapshot().leads).toHaveLength(2);
  });

  it('refuses invalid data with the status as errorCode and stores nothing', async () => {
    const test = await startSandbox();
    const invalid = await test.endpoint<ErrorBody>('leadCreate', {
      body: { trialOfferConfigId: 1, leadCustomerData: without(fullLead(), 'telephone') },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errorCode).toBe('INVALID_LEAD_CUSTOMER_DATA');
    expect(invalid.body.errorMessage).toContain('telephone');
    const known = await test.endpoint<ErrorBody>('leadCreate', {
      body: { trialOfferConfigId: 2, leadCustomerData: { ...leadBasics, email: 'known@example.com' } },
    });
    expect(known.body.errorCode).toBe('DUPLICATE_CUSTOMER');
    expect(test.snapshot().leads).toEqual([]);
  });
});

describe('deleting a lead (admin API, as staff deleting or merging it)', () => {
  it('makes calls naming the customer answer 404 ENTITY_NOT_FOUND and frees the e-mail address', async () => {
    const test = await startSandbox();
    const leadId = await createLead(test, 'gone@example.org');
    const slotId = test.snapshot().classSlots.find((slot) => slot.classId === 103)?.id ?? 0;

    const deleted = await test.call<{ deleted: number }>('DELETE', `/__sandbox/leads/${leadId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: leadId });
    expect(test.snapshot().leads).toEqual([]);

    const validation = await test.endpoint<ErrorBody>('classBookingValidate', {
      body: { customerId: leadId, classSlotId: slotId },
    });
    expect(validation.status).toBe(404);
    expect(validation.body.errorCode).toBe('ENTITY_NOT_FOUND');
    expect(await validate(test, 2, { ...leadBasics, email: 'gone@example.org' })).toBe('POSSIBLE');

    const again = await test.call<ErrorBody>('DELETE', `/__sandbox/leads/${leadId}`);
    expect(again.status).toBe(404);
    expect(test.sandbox.deleteLead(leadId)).toBe(false);
  });
});
