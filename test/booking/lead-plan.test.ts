import { describe, expect, test } from 'vitest';
import type { LeadFieldName, LeadFields } from '../../src/booking/lead-fields.ts';
import {
  buildLeadRequest,
  editableFieldsFor,
  isSkippable,
  type LeadFieldModes,
  nextLeadField,
  readLeadFieldModes,
} from '../../src/booking/lead-plan.ts';
import type { LeadDataConfig } from '../../src/perfectgym/schemas.ts';

const allInactive: LeadFieldModes = {
  gender: 'INACTIVE',
  dateOfBirth: 'INACTIVE',
  telephone: 'INACTIVE',
  address: 'INACTIVE',
};
const allOptional: LeadFieldModes = {
  gender: 'OPTIONAL',
  dateOfBirth: 'OPTIONAL',
  telephone: 'OPTIONAL',
  address: 'OPTIONAL',
};
const allMandatory: LeadFieldModes = {
  gender: 'MANDATORY',
  dateOfBirth: 'MANDATORY',
  telephone: 'MANDATORY',
  address: 'MANDATORY',
};

/** Answers fields in the order the plan asks for them; returns the order. */
function askedFields(modes: LeadFieldModes, skip: LeadFieldName[] = []): LeadFieldName[] {
  const lead: LeadFields = {};
  const skipped: LeadFieldName[] = [];
  const asked: LeadFieldName[] = [];
  for (let field = nextLeadField(modes, lead, skipped); field; field = nextLeadField(modes, lead, skipped)) {
    asked.push(field);
    if (skip.includes(field)) skipped.push(field);
    else lead[field] = 'x';
  }
  return asked;
}

describe('lead field plan', () => {
  test('with every optional field INACTIVE only name and e-mail are asked', () => {
    expect(askedFields(allInactive)).toEqual(['firstName', 'lastName', 'email']);
  });

  test('MANDATORY fields are all asked, in a fixed order, none skippable', () => {
    expect(askedFields(allMandatory)).toEqual([
      'firstName',
      'lastName',
      'email',
      'gender',
      'dateOfBirth',
      'telephone',
      'street',
      'houseNumber',
      'zipCode',
      'city',
    ]);
    for (const field of askedFields(allMandatory)) expect(isSkippable(field, allMandatory)).toBe(false);
  });

  test('OPTIONAL fields are skippable; skipping the street skips the whole address', () => {
    expect(isSkippable('gender', allOptional)).toBe(true);
    expect(isSkippable('telephone', allOptional)).toBe(true);
    expect(isSkippable('email', allOptional)).toBe(false);
    expect(askedFields(allOptional, ['street'])).toEqual([
      'firstName',
      'lastName',
      'email',
      'gender',
      'dateOfBirth',
      'telephone',
      'street',
    ]);
  });

  test('once an optional address is started, zip code and city are required but the house number is not', () => {
    expect(isSkippable('houseNumber', allOptional)).toBe(true);
    expect(isSkippable('zipCode', allOptional)).toBe(false);
    expect(isSkippable('city', allOptional)).toBe(false);
  });

  test('an unknown mode counts as OPTIONAL', () => {
    const config = {
      trialOfferLeadDataConfigId: 1,
      genderMode: 'RECOMMENDED',
      dateOfBirthMode: 'MANDATORY',
      telephoneMode: 'INACTIVE',
      addressMode: 'OPTIONAL',
    } as LeadDataConfig;
    expect(readLeadFieldModes(config)).toEqual({
      gender: 'OPTIONAL',
      dateOfBirth: 'MANDATORY',
      telephone: 'INACTIVE',
      address: 'OPTIONAL',
    });
  });

  test('the summary offers edits only for active fields', () => {
    expect(editableFieldsFor(allInactive)).toEqual(['firstName', 'lastName', 'email']);
    expect(editableFieldsFor({ ...allInactive, telephone: 'OPTIONAL', address: 'MANDATORY' })).toEqual([
      'firstName',
      'lastName',
      'email',
      'telephone',
      'address',
    ]);
  });
});

describe('lead request', () => {
  const everything: LeadFields = {
    firstName: 'Anna',
    lastName: 'Schmidt',
    email: 'anna@example.com',
    gender: 'FEMALE',
    dateOfBirth: '1990-12-31',
    telephone: '+491701234567',
    street: 'Burgring',
    houseNumber: '23A',
    zipCode: '13000',
    city: 'Berlin',
  };

  test('INACTIVE fields are never sent, even when a value is at hand', () => {
    const request = buildLeadRequest({
      configId: 4,
      modes: allInactive,
      lead: everything,
      locale: 'de',
      telegramUserId: 42,
    });
    expect(request).toEqual({
      trialOfferConfigId: 4,
      leadCustomerData: {
        thirdPartyId: 'tg:42',
        firstname: 'Anna',
        lastname: 'Schmidt',
        email: 'anna@example.com',
        language: { languageCode: 'de' },
      },
    });
  });

  test('active fields with answers are sent in the API shape', () => {
    const request = buildLeadRequest({
      configId: 4,
      modes: allMandatory,
      lead: everything,
      locale: 'en',
      telegramUserId: 42,
    });
    expect(request?.leadCustomerData).toMatchObject({
      gender: 'FEMALE',
      dateOfBirth: '1990-12-31',
      telephone: '+491701234567',
      address: { street: 'Burgring', houseNumber: '23A', zipCode: '13000', city: 'Berlin' },
      language: { languageCode: 'en' },
    });
  });

  test('skipped optional fields are left out, and an address without house number has none', () => {
    const { gender: _g, telephone: _t, houseNumber: _h, ...partial } = everything;
    const data = buildLeadRequest({
      configId: 4,
      modes: allOptional,
      lead: partial,
      locale: 'en',
      telegramUserId: 42,
    })?.leadCustomerData;
    expect(data).not.toHaveProperty('gender');
    expect(data).not.toHaveProperty('telephone');
    expect(data?.address).toEqual({ street: 'Burgring', zipCode: '13000', city: 'Berlin' });
  });

  test('an internationalised e-mail domain goes to the studio in punycode', () => {
    const data = buildLeadRequest({
      configId: 4,
      modes: allInactive,
      lead: { ...everything, email: 'anna@münchen.de' },
      locale: 'de',
      telegramUserId: 42,
    })?.leadCustomerData;
    expect(data?.email).toBe('anna@xn--mnchen-3ya.de');
  });

  test('without name and e-mail there is no request', () => {
    expect(
      buildLeadRequest({
        configId: 4,
        modes: allInactive,
        lead: { firstName: 'Anna' },
        locale: 'en',
        telegramUserId: 42,
      }),
    ).toBeUndefined();
  });
});
