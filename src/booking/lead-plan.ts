/**
 * Which lead fields to ask for, in which order, which may be skipped, and what goes into the lead
 * request: all decided by the trial-offer config's `leadDataConfig`.
 */
import type { SupportedLocale } from '../config.ts';
import {
  isKnown,
  type LeadCreationRequest,
  type LeadCustomerData,
  type LeadDataConfig,
  leadFieldModes,
} from '../perfectgym/schemas.ts';
import {
  addressFields,
  type EditableField,
  editableFields,
  emailForStudio,
  type LeadFieldName,
  type LeadFields,
  leadFieldNames,
} from './lead-fields.ts';

export type KnownLeadFieldMode = (typeof leadFieldModes)[number];

export interface LeadFieldModes {
  gender: KnownLeadFieldMode;
  dateOfBirth: KnownLeadFieldMode;
  telephone: KnownLeadFieldMode;
  address: KnownLeadFieldMode;
}

/**
 * Reads the studio's modes. A mode this code does not know (a newer API version) counts as
 * OPTIONAL: asking with a Skip button neither blocks prospects on a field the studio may not need
 * (as MANDATORY would) nor silently drops data the studio may want (as INACTIVE would).
 */
export function readLeadFieldModes(config: LeadDataConfig): LeadFieldModes {
  const known = (mode: string): KnownLeadFieldMode => (isKnown(leadFieldModes, mode) ? mode : 'OPTIONAL');
  return {
    gender: known(config.genderMode),
    dateOfBirth: known(config.dateOfBirthMode),
    telephone: known(config.telephoneMode),
    address: known(config.addressMode),
  };
}

/** The mode of one field. Name and e-mail are always mandatory: the API requires them. */
export function modeOf(field: LeadFieldName, modes: LeadFieldModes): KnownLeadFieldMode {
  switch (field) {
    case 'firstName':
    case 'lastName':
    case 'email':
      return 'MANDATORY';
    case 'gender':
    case 'dateOfBirth':
    case 'telephone':
      return modes[field];
    default:
      return modes.address;
  }
}

export function isActive(field: LeadFieldName, modes: LeadFieldModes): boolean {
  return modeOf(field, modes) !== 'INACTIVE';
}

/**
 * Whether the prompt for a field gets a Skip button. For an optional address, skipping the street
 * skips the whole address and the house number may be left out (the API allows an address without
 * one), but once a street is given, zip code and city are needed to make it an address.
 */
export function isSkippable(field: LeadFieldName, modes: LeadFieldModes): boolean {
  if (modeOf(field, modes) !== 'OPTIONAL') return false;
  return field !== 'zipCode' && field !== 'city';
}

/** The next field to ask for, or `undefined` when everything needed is answered. */
export function nextLeadField(
  modes: LeadFieldModes,
  lead: LeadFields,
  skipped: readonly LeadFieldName[],
): LeadFieldName | undefined {
  const addressSkipped = skipped.includes('street');
  return leadFieldNames.find((field) => {
    if (!isActive(field, modes)) return false;
    if (lead[field] !== undefined || skipped.includes(field)) return false;
    if (addressSkipped && (addressFields as readonly string[]).includes(field)) return false;
    return true;
  });
}

/**
 * Whether the lead is checked at the studio as soon as names and e-mail are in: when the config
 * asks OPTIONAL fields but none beyond names and e-mail is MANDATORY, a lead of those three alone
 * is valid, so the check can tell a known customer after three answers instead of at the end.
 * Where MANDATORY fields follow, a partial lead would be refused as invalid, so the check waits.
 */
export function checksLeadEarly(modes: LeadFieldModes): boolean {
  const others = [modes.gender, modes.dateOfBirth, modes.telephone, modes.address];
  return !others.includes('MANDATORY') && others.includes('OPTIONAL');
}

/** Fields the summary can edit: the active ones. */
export function editableFieldsFor(modes: LeadFieldModes): EditableField[] {
  return editableFields.filter((field) =>
    field === 'address' ? modes.address !== 'INACTIVE' : isActive(field, modes),
  );
}

/** Names (never values) of the fields with an answer, for the staff notice. */
export function givenFields(modes: LeadFieldModes, lead: LeadFields): LeadFieldName[] {
  return leadFieldNames.filter((field) => isActive(field, modes) && lead[field] !== undefined);
}

export interface LeadRequestInput {
  configId: number;
  modes: LeadFieldModes;
  lead: LeadFields;
  locale: SupportedLocale;
  telegramUserId: number;
}

/** `tg:<userId>`: lets the studio see which Telegram user a lead came from. */
export function thirdPartyId(telegramUserId: number): string {
  return `tg:${telegramUserId}`;
}

/**
 * The lead request: name, e-mail (its domain in punycode), language and third-party id always;
 * every other field only when its mode is not INACTIVE and it was answered (the phone number is
 * kept in E.164). `undefined` when a required answer is missing.
 */
export function buildLeadRequest(input: LeadRequestInput): LeadCreationRequest | undefined {
  const { lead, modes } = input;
  const { firstName, lastName, email } = lead;
  if (firstName === undefined || lastName === undefined || email === undefined) return undefined;
  const data: LeadCustomerData = {
    thirdPartyId: thirdPartyId(input.telegramUserId),
    firstname: firstName,
    lastname: lastName,
    email: emailForStudio(email),
    language: { languageCode: input.locale },
  };
  if (isActive('gender', modes) && lead.gender !== undefined)
    data.gender = lead.gender as LeadCustomerData['gender'];
  if (isActive('dateOfBirth', modes) && lead.dateOfBirth !== undefined) data.dateOfBirth = lead.dateOfBirth;
  if (isActive('telephone', modes) && lead.telephone !== undefined) data.telephone = lead.telephone;
  if (isActive('street', modes) && lead.street && lead.zipCode && lead.city) {
    data.address = {
      street: lead.street,
      ...(lead.houseNumber ? { houseNumber: lead.houseNumber } : {}),
      zipCode: lead.zipCode,
      city: lead.city,
    };
  }
  return { leadCustomerData: data, trialOfferConfigId: input.configId };
}
