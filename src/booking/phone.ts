/**
 * Phone numbers through libphonenumber-js with its full ("max") metadata, which knows every
 * country's number ranges: only `isValid()` tells a reachable number from digits that merely have
 * the right length (with the small metadata `15.06.1990` passes). The metadata (some 150 KB of
 * JSON) is loaded once, with this module.
 */
import {
  type CountryCode,
  getExampleNumber,
  isSupportedCountry,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { remembered } from './remembered.ts';

export type PhoneRegion = CountryCode;

/** `+` and at most 15 digits. */
export const maxE164Length = 16;

/** The region when neither `DEFAULT_PHONE_REGION` nor the studio's `countryCode` names one. */
export const fallbackPhoneRegion: PhoneRegion = 'DE';

/** Whether `code` is an ISO 3166-1 alpha-2 code (upper case) that libphonenumber has numbers for. */
export function isPhoneRegion(code: string): code is PhoneRegion {
  return isSupportedCountry(code);
}

/**
 * The region national numbers are read in: the configured override (`DEFAULT_PHONE_REGION`) wins,
 * else the studio's own country (studio information `countryCode`), else Germany.
 */
export function phoneRegionOf(
  override: string | undefined,
  studioCountryCode: string | undefined,
): PhoneRegion {
  for (const candidate of [override, studioCountryCode]) {
    const code = candidate?.trim().toUpperCase();
    if (code && isPhoneRegion(code)) return code;
  }
  return fallbackPhoneRegion;
}

function valid(parsed: PhoneNumber | undefined): string | undefined {
  // An extension cannot be written in E.164; dropping it would hand the studio a number that
  // reaches the switchboard, not the person.
  if (!parsed || parsed.ext !== undefined || !parsed.isValid()) return undefined;
  // E.164 allows 15 digits; the metadata knows a few longer national numbers (German landlines).
  return parsed.number.length <= maxE164Length ? parsed.number : undefined;
}

/** A number as a person types it (national in `region`, or with `+`/`00`): E.164, or `undefined`. */
export function phoneToE164(text: string, region: PhoneRegion): string | undefined {
  return valid(parsePhoneNumberFromString(text, region));
}

/** A number that is international by definition (country code first, `+` optional): E.164, or `undefined`. */
export function internationalPhoneToE164(text: string): string | undefined {
  const trimmed = text.trim();
  return valid(parsePhoneNumberFromString(trimmed.startsWith('+') ? trimmed : `+${trimmed}`));
}

/**
 * `+4915112345678` as `+49 1511 2345678`; anything that does not parse is shown as it is. Every
 * summary shows the number again, and parsing it with the full metadata is costly: the texts of the
 * numbers formatted last are kept.
 */
export const formatPhoneInternational: (e164: string) => string = remembered(
  1_000,
  (e164: string) => parsePhoneNumberFromString(e164)?.formatInternational() ?? e164,
);

/**
 * A mobile number of `region` written as people there write it (`01512 3456789`), for hints;
 * each region's worked out once (the phone question shows it every time it is asked).
 */
export const examplePhone: (region: PhoneRegion) => string = remembered(
  1_000,
  (region: PhoneRegion) =>
    (
      getExampleNumber(region, mobileExamples) ?? getExampleNumber(fallbackPhoneRegion, mobileExamples)
    )?.formatNational() ?? '',
);
