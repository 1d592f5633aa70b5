/**
 * The prospect's details: only the fields the trial-offer config wants, Skip only where a field is
 * optional, every bad answer re-asked with a precise hint and nothing given before lost, and the
 * lead the studio receives holds exactly what was given.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxSeed } from '../../src/sandbox/index.ts';
import {
  annika,
  askAddress,
  askDateOfBirth,
  askEmail,
  askFirstName,
  askGender,
  askLastName,
  askStreet,
  askTelephone,
  chooseFirstSlot,
  enterName,
  optionalNote,
  yogaUpToSummary,
} from './flows.ts';
import {
  botMessages,
  type Harness,
  labels,
  lastText,
  newTexts,
  send,
  shareContact,
  startHarness,
  tap,
} from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const shareButton = { text: '📱 Share my phone number', requestContact: true, requestLocation: false };
const skipButton = { text: 'Skip', requestContact: false, requestLocation: false };

const consent = 'By tapping "Book now" you agree that the studio stores these details to arrange your trial.';

describe('a config with every optional field inactive (config 2)', () => {
  it('asks name and e-mail only, and sends nothing else to the studio', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Yoga Flow');
    expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([askLastName]);
    expect(await newTexts(ann, () => send(ann, 'Lindqvist'))).toEqual([askEmail]);
    await send(ann, 'annika.l@example.com');
    const summary = ann.chat.last('bot');
    expect(summary?.text?.split('\n').slice(1)).toEqual([
      'Name: Annika Lindqvist',
      'E-mail: annika.l@example.com',
      consent,
    ]);
    expect(labels(summary).slice(1, -1)).toEqual([['✏️ First name', '✏️ Last name'], ['✏️ E-mail']]);
    await tap(ann, '✅ Book now');
    expect(h.sandbox.snapshot().leads[0]?.leadCustomerData).toEqual({
      thirdPartyId: `tg:${ann.id}`,
      firstname: 'Annika',
      lastname: 'Lindqvist',
      email: 'annika.l@example.com',
      language: { languageCode: 'en' },
    });
  });
});

describe('config 1: gender and date of birth optional, phone and address mandatory', () => {
  it('offers Skip for the optional fields only, refuses to skip the mandatory ones, leaves skipped fields out', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterName(ann, annika);

    expect(lastText(ann)).toBe(`${askGender}\n${optionalNote}`);
    await tap(ann, 'Skip');
    expect(lastText(ann)).toBe(`${askDateOfBirth}\n${optionalNote}`);
    expect(labels(ann.chat.last('bot'))).toEqual([['Skip']]);
    expect(await newTexts(ann, () => tap(ann, 'Skip'))).toEqual([askTelephone]);
    expect(ann.chat.replyKeyboard?.rows).toEqual([[shareButton]]);

    // "Skip" typed where there is no Skip button.
    expect(await newTexts(ann, () => send(ann, 'Skip'))).toEqual([
      `The studio needs this one, so it can't be skipped.\n${askTelephone}`,
    ]);
    expect(ann.chat.replyKeyboard?.rows).toEqual([[shareButton]]);
    await send(ann, '030 1234567');
    expect(lastText(ann)).toBe(askAddress);
    expect(labels(ann.chat.last('bot'))).toEqual([]);
    // Not readable in one line: the four questions, without Skip.
    expect(await newTexts(ann, () => send(ann, 'Oderberger Str.'))).toEqual([
      "I couldn't read street, house number, postcode and town from that, so let's go through them one by one.",
      askStreet,
    ]);
    expect(labels(ann.chat.last('bot'))).toEqual([]);
    await send(ann, 'Oderberger Str.');
    expect(labels(ann.chat.last('bot'))).toEqual([]);
    await send(ann, '5a');
    await send(ann, '10435');
    await send(ann, 'Berlin');

    expect(lastText(ann).split('\n').slice(1, -1)).toEqual([
      'Name: Annika Lindqvist',
      'E-mail: annika.l@example.com',
      'Phone: +49 30 1234567',
      'Address: Oderberger Str. 5a, 10435 Berlin',
    ]);
    await tap(ann, '✅ Book now');
    expect(h.sandbox.snapshot().leads[0]?.leadCustomerData).toEqual({
      thirdPartyId: `tg:${ann.id}`,
      firstname: 'Annika',
      lastname: 'Lindqvist',
      email: 'annika.l@example.com',
      language: { languageCode: 'en' },
      telephone: '+49301234567',
      address: { street: 'Oderberger Str.', houseNumber: '5a', zipCode: '10435', city: 'Berlin' },
    });
  });
});

/** Config 2 turned around: gender and date of birth mandatory, phone and address optional. */
function optionalContactDetails(seed: SandboxSeed): SandboxSeed {
  return {
    ...seed,
    configs: seed.configs.map((config) =>
      config.id === 2
        ? {
            ...config,
            leadDataConfig: {
              ...config.leadDataConfig,
              genderMode: 'MANDATORY',
              dateOfBirthMode: 'MANDATORY',
              telephoneMode: 'OPTIONAL',
              addressMode: 'OPTIONAL',
            },
          }
        : config,
    ),
  };
}

describe('a config with mandatory gender and date of birth, optional phone and address', () => {
  it('skips the phone with the keyboard button and the whole address with one tap; neither is sent', async () => {
    h = await startHarness({ seed: optionalContactDetails });
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Yoga Flow');
    await enterName(ann, annika);

    expect(lastText(ann)).toBe(askGender);
    expect(labels(ann.chat.last('bot'))).toEqual([['Female', 'Male', 'Diverse']]);
    expect(await newTexts(ann, () => send(ann, 'female'))).toEqual([
      `Please tap one of the buttons.\n${askGender}`,
    ]);
    await tap(ann, 'Diverse');
    expect(lastText(ann)).toBe(askDateOfBirth);
    expect(labels(ann.chat.last('bot'))).toEqual([]);
    await send(ann, '1990-12-31');

    expect(lastText(ann)).toBe(`${askTelephone}\n${optionalNote}`);
    expect(ann.chat.replyKeyboard?.rows).toEqual([[shareButton], [skipButton]]);
    expect(await newTexts(ann, () => send(ann, 'Skip'))).toEqual([
      'Okay, no phone number.',
      `${askAddress}\n${optionalNote}`,
    ]);
    expect(ann.chat.replyKeyboard).toBeUndefined();
    await tap(ann, 'Skip');

    expect(lastText(ann).split('\n').slice(1, -1)).toEqual([
      'Name: Annika Lindqvist',
      'E-mail: annika.l@example.com',
      'Gender: diverse',
      'Date of birth: 31/12/1990',
    ]);
    await tap(ann, '✅ Book now');
    expect(h.sandbox.snapshot().leads[0]?.leadCustomerData).toEqual({
      thirdPartyId: `tg:${ann.id}`,
      firstname: 'Annika',
      lastname: 'Lindqvist',
      email: 'annika.l@example.com',
      language: { languageCode: 'en' },
      gender: 'UNISEX',
      dateOfBirth: '1990-12-31',
    });
  });
});

describe('answers the bot cannot take', () => {
  it('re-asks each with a specific hint and keeps everything given before', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    const reask = async (action: () => Promise<void>) => (await newTexts(ann, action)).join('\n---\n');

    expect(await reask(() => send(ann, '12345'))).toBe(
      `That doesn't look right. Please use letters.\n${askFirstName}`,
    );
    expect(await reask(() => send(ann, 'A'.repeat(51)))).toBe(
      `That's too long: at most 50 characters, please.\n${askFirstName}`,
    );
    await send(ann, 'Annika');
    expect(await reask(() => ann.sendSticker().then(() => ann.settled()))).toBe(
      `I can't read that here. Please type your answer.\n${askLastName}`,
    );
    await send(ann, 'Lindqvist');
    expect(await reask(() => ann.sendPhoto().then(() => ann.settled()))).toBe(
      `I can't read that here. Please type your answer.\n${askEmail}`,
    );
    expect(await reask(() => send(ann, 'annika(at)example.com'))).toBe(
      `That doesn't look like an e-mail address. Please check it, for example name@example.com.\n${askEmail}`,
    );
    await send(ann, 'annika.l@example.com');
    await tap(ann, 'Male');

    const askDob = `${askDateOfBirth}\n${optionalNote}`;
    expect(await reask(() => send(ann, '31.02.1990'))).toBe(
      `That date doesn't exist. Please check day and month.\n${askDob}`,
    );
    expect(await reask(() => send(ann, '01.01.2031'))).toBe(
      `That date is in the future. Please type your date of birth.\n${askDob}`,
    );
    expect(await reask(() => send(ann, 'last summer'))).toBe(
      `I couldn't read that date. Please write it like 31.12.1990, 31/12/1990 or 1990-12-31.\n${askDob}`,
    );
    // Today is 12 June 2030 at the studio; MIN_AGE is 14 unless set.
    expect(await reask(() => send(ann, '01.12.2029'))).toBe(
      `Trial sessions here are for people aged 14 and over. Please check the year.\n${askDob}`,
    );
    expect(await reask(() => send(ann, '13.06.2016'))).toBe(
      `Trial sessions here are for people aged 14 and over. Please check the year.\n${askDob}`,
    );
    await send(ann, '2.3.1985');

    const phoneHint =
      "That doesn't look like a phone number. Please type it with the area code, for example 01512 3456789, or with + and the country code.";
    expect(await reask(() => send(ann, '12'))).toBe(`${phoneHint}\n${askTelephone}`);
    expect(await reask(() => send(ann, 'call me maybe'))).toBe(`${phoneHint}\n${askTelephone}`);
    // Dates are no phone numbers, even where the digits would make one.
    expect(await reask(() => send(ann, '15.06.1990'))).toBe(`${phoneHint}\n${askTelephone}`);
    expect(await reask(() => send(ann, '2026-12-01'))).toBe(`${phoneHint}\n${askTelephone}`);
    expect(await reask(() => shareContact(ann, true, '15555551234'))).toBe(
      `I can't use the number of your Telegram account. Please type the number the studio can reach you at.\n${askTelephone}`,
    );
    expect(await reask(() => shareContact(ann, false))).toBe(
      `That's someone else's contact. Please share your own number or type it.\n${askTelephone}`,
    );
    expect(ann.chat.replyKeyboard?.rows).toEqual([[shareButton]]);
    await shareContact(ann, true, '4930123456');
    await send(ann, 'Oderberger Str.');
    await send(ann, 'Oderberger Str.');
    await send(ann, '5a');
    // The studio is in Germany: five digits.
    expect(await reask(() => send(ann, '1043'))).toBe(
      "A postcode here has 5 digits. Please check it.\nWhat's your postcode?",
    );
    await send(ann, '10435');
    await send(ann, 'Berlin');

    expect(lastText(ann).split('\n').slice(1, -1)).toEqual([
      'Name: Annika Lindqvist',
      'E-mail: annika.l@example.com',
      'Gender: male',
      'Date of birth: 02/03/1985',
      'Phone: +49 30 123456',
      'Address: Oderberger Str. 5a, 10435 Berlin',
    ]);
    expect(h.sandbox.snapshot().leads).toEqual([]);
  });
});

describe('a prospect the studio already knows', () => {
  it('is told so; fixing the e-mail address then books', async () => {
    h = await startHarness();
    const karla = h.user({ firstName: 'Karla' });
    await yogaUpToSummary(karla, { firstName: 'Karla', lastName: 'Kiez', email: 'known@example.com' });
    await tap(karla, '✅ Book now');
    const refused = karla.chat.last('bot');
    expect(refused?.text?.split('\n')[0]).toBe(
      "It looks like you're already known to the studio, so I can't sign you up again here. If your e-mail address has a typo, fix it below. Otherwise please contact the studio to book your trial.",
    );
    expect(refused?.text).toContain('📞 +49 30 44021180');
    expect(labels(refused)).toEqual([['✏️ Fix my e-mail address'], ['Other trial sessions']]);
    expect(h.sandbox.snapshot().leads).toEqual([]);

    expect(await newTexts(karla, () => tap(karla, '✏️ Fix my e-mail address'))).toEqual([askEmail]);
    await send(karla, 'karla.kiez@example.com');
    expect(lastText(karla).split('\n').slice(1, 3)).toEqual([
      'Name: Karla Kiez',
      'E-mail: karla.kiez@example.com',
    ]);
    await tap(karla, '✅ Book now');
    expect(botMessages(karla).at(-2)?.text).toBe('Add Yoga Flow to your calendar.');
    const { leads, bookings } = h.sandbox.snapshot();
    expect(leads.map((lead) => (lead.leadCustomerData as { email: string }).email)).toEqual([
      'karla.kiez@example.com',
    ]);
    expect(bookings).toHaveLength(1);
  });
});

describe('what the studio receives', () => {
  /** Config 1 from the offer to the summary, with the answers given; the phone is typed or shared. */
  async function config1Details(
    user: ReturnType<Harness['user']>,
    details: { firstName: string; email: string; phone: string | { shared: string }; address?: string },
  ): Promise<void> {
    await chooseFirstSlot(user, '🏋️ Rückenfit');
    await send(user, details.firstName);
    await send(user, 'Lindqvist');
    await send(user, details.email);
    await tap(user, 'Skip');
    await tap(user, 'Skip');
    expect(lastText(user)).toBe(askTelephone);
    if (typeof details.phone === 'string') await send(user, details.phone);
    else await shareContact(user, true, details.phone.shared);
    await send(user, details.address ?? 'Oderberger Str. 5a, 10435 Berlin');
    await tap(user, "✅ That's right");
    expect(lastText(user)).toMatch(/^Please check your booking/);
  }

  const leadData = () => h?.sandbox.snapshot().leads[0]?.leadCustomerData as Record<string, unknown>;

  it('a typed national number arrives in E.164 and is shown in international format; an IDN e-mail lands in punycode', async () => {
    h = await startHarness();
    const ann = h.user();
    // A right-to-left override typed into the name, and an e-mail address at an umlaut domain.
    await config1Details(ann, { firstName: 'Annika\u202E', email: 'a@münchen.de', phone: '0151 12345678' });
    expect(lastText(ann).split('\n').slice(1, 4)).toEqual([
      'Name: Annika Lindqvist',
      'E-mail: a@münchen.de',
      'Phone: +49 1511 2345678',
    ]);
    await tap(ann, '✅ Book now');
    expect(leadData()).toMatchObject({
      firstname: 'Annika',
      email: 'a@xn--mnchen-3ya.de',
      telephone: '+4915112345678',
    });
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
  });

  it("a shared contact's number (digits without +, as Telegram sends it) is read as international", async () => {
    h = await startHarness();
    const ann = h.user();
    await config1Details(ann, {
      firstName: 'Annika',
      email: 'annika.l@example.com',
      phone: { shared: '491761234567' },
    });
    expect(lastText(ann).split('\n')[3]).toBe('Phone: +49 176 1234567');
    await tap(ann, '✅ Book now');
    expect(leadData()?.telephone).toBe('+491761234567');
  });

  it("an Austrian studio's prospect types an Austrian number without country code", async () => {
    h = await startHarness({ seed: (seed) => ({ ...seed, studio: { ...seed.studio, countryCode: 'AT' } }) });
    const ann = h.user();
    await config1Details(ann, {
      firstName: 'Annika',
      email: 'annika.l@example.com',
      phone: '0664 1234567',
      address: 'Mariahilfer Straße 1, 1060 Wien',
    });
    expect(lastText(ann).split('\n')[3]).toBe('Phone: +43 664 1234567');
    await tap(ann, '✅ Book now');
    expect(leadData()?.telephone).toBe('+436641234567');
    // A four-digit Austrian postcode, read from one line where the studio is in Austria.
    expect(leadData()?.address).toEqual({
      street: 'Mariahilfer Straße',
      houseNumber: '1',
      zipCode: '1060',
      city: 'Wien',
    });
  });
});
