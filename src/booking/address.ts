/**
 * An address typed in one answer ("Torstraße 119, 10119 Berlin") read into the four fields the
 * studio takes: street, house number, postcode and city. The postcode is what anchors the
 * reading, so its form comes from the studio's country (five digits in Germany); where the
 * country is unknown or has no rule here, any usual postcode form is accepted. Anything that does
 * not read cleanly gives `undefined`, and the prospect is asked the four questions instead.
 */
import { checkCity, checkHouseNumber, checkStreet, checkZipCode } from './lead-fields.ts';

export interface AddressParts {
  street: string;
  houseNumber?: string | undefined;
  zipCode: string;
  city: string;
}

// Postcode forms by ISO 3166-1 country code; the studio's country decides which one is read.
const postcodeForms: Record<string, string> = {
  DE: '\\d{5}',
  FR: '\\d{5}',
  IT: '\\d{5}',
  ES: '\\d{5}',
  FI: '\\d{5}',
  AT: '\\d{4}',
  CH: '\\d{4}',
  LI: '\\d{4}',
  BE: '\\d{4}',
  DK: '\\d{4}',
  NO: '\\d{4}',
  LU: '(?:L-)?\\d{4}',
  NL: '\\d{4} ?[A-Za-z]{2}',
  PL: '\\d{2}-\\d{3}',
  GB: '[A-Za-z]{1,2}\\d[A-Za-z\\d]? ?\\d[A-Za-z]{2}',
};

/** Any of the forms above, for a studio whose country is unknown or not in the table. */
const anyPostcode = [
  postcodeForms.NL,
  postcodeForms.GB,
  postcodeForms.PL,
  postcodeForms.LU,
  '\\d{4,5}',
  '\\d{3} ?\\d{2}',
].join('|');

// A house number: 119, 5a, 5 a, 12-14, 7/2, 3b/1.
const houseNumber = '\\d+ ?[A-Za-z]?(?: ?[-/] ?\\d+ ?[A-Za-z]?)?';
const streetThenNumber = new RegExp(`^(?<street>.*\\p{L}.*?),? (?<number>${houseNumber})$`, 'u');
const numberThenStreet = new RegExp(`^(?<number>${houseNumber}),? (?<street>.*\\p{L}.*)$`, 'u');

function postcodePattern(countryCode: string | undefined): string {
  return postcodeForms[countryCode?.trim().toUpperCase() ?? ''] ?? anyPostcode;
}

/** Street and house number from "Torstraße 119" or "12 rue de Rivoli"; a street alone has none. */
function splitStreet(text: string): { street: string; houseNumber?: string } {
  const match = streetThenNumber.exec(text) ?? numberThenStreet.exec(text);
  const street = match?.groups?.street;
  const number = match?.groups?.number;
  if (!street || !number) return { street: text };
  return { street, houseNumber: number.replace(/ /g, '') };
}

/**
 * Reads "street number, postcode city" (the comma may be missing), "postcode city, street number",
 * and "number street, city postcode" (British style). `undefined` when no reading gives four
 * parts that pass the checks of the separate questions.
 */
export function parseAddress(text: string, countryCode: string | undefined): AddressParts | undefined {
  const value = text.replace(/\s+/gu, ' ').trim();
  const zip = `(?:${postcodePattern(countryCode)})`;
  const city = '[^,\\d][^,]*?';
  const readings = [
    new RegExp(`^(?<place>.+?)(?:, ?| )(?<zip>${zip}) (?<city>${city})$`, 'u'),
    new RegExp(`^(?<zip>${zip}) (?<city>${city}), ?(?<place>.+)$`, 'u'),
    new RegExp(`^(?<place>.+?), ?(?<city>${city}),? (?<zip>${zip})$`, 'u'),
  ];
  for (const reading of readings) {
    const groups = reading.exec(value)?.groups;
    if (!groups?.place || !groups.zip || !groups.city) continue;
    const place = splitStreet(groups.place.replace(/,$/, '').trim());
    const parts = checked({ ...place, zipCode: groups.zip, city: groups.city }, countryCode);
    if (parts) return parts;
  }
  return undefined;
}

function checked(parts: AddressParts, countryCode: string | undefined): AddressParts | undefined {
  const street = checkStreet(parts.street);
  const zipCode = checkZipCode(parts.zipCode, countryCode);
  const city = checkCity(parts.city);
  const number = parts.houseNumber === undefined ? undefined : checkHouseNumber(parts.houseNumber);
  if (!street.ok || !zipCode.ok || !city.ok || (number && !number.ok)) return undefined;
  return {
    street: street.value,
    ...(number?.ok ? { houseNumber: number.value } : {}),
    zipCode: zipCode.value,
    city: city.value,
  };
}
