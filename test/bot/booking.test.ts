/**
 * End to end: a prospect books through the fake Telegram against the sandbox studio over HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/fake-telegram/index.ts';
import {
  annika,
  askAddress,
  askEmail,
  askFirstName,
  chooseFirstSlot,
  enterConfig1Details,
  enterName,
  firstSlot,
  yogaUpToSummary,
} from './flows.ts';
import {
  botMessages,
  botMessagesSince,
  type Harness,
  labels,
  lastText,
  mark,
  newTexts,
  send,
  start,
  startHarness,
  tap,
} from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const hour = 3_600_000;

function messageWith(user: FakeUser, prefix: string) {
  const found = botMessages(user).findLast((message) => message.text?.startsWith(prefix));
  if (!found) throw new Error(`no bot message starting with "${prefix}"`);
  return found;
}

describe('booking a class that needs a confirmation (config 1)', () => {
  it('asks every field the config wants, books, confirms in place and sends a calendar file', async () => {
    h = await startHarness({ privacyUrl: 'https://studio-kiez.example/privacy' });
    const ann = h.user({ firstName: 'Annika', lastName: 'Lindqvist' });

    await start(ann);
    const offers = ann.chat.last('bot');
    expect(offers?.text).toBe(
      [
        "Hi! I'm the booking assistant of Studio Kiez Berlin. I can book you a free trial session in a minute.",
        'Which trial would you like to book?',
      ].join('\n'),
    );
    expect(labels(offers)).toEqual([
      ['🏋️ Rückenfit'],
      ['🏋️ HIIT Express'],
      ['🏋️ Yoga Flow'],
      ['🏋️ Pilates Live'],
      // Kickboxen Basics and Mitglieder-Beratung (config 3) are not for leads: not listed.
      ['📅 Probetraining mit Coach'],
      ['📅 Body-Check'],
    ]);

    await tap(ann, '🏋️ Rückenfit');
    const slots = ann.chat.last('bot');
    expect(slots?.text?.split('\n')).toEqual([
      'When would you like to come to Rückenfit?',
      '📅 Wednesday, 12 June 2030: pick a time.',
    ]);
    expect(labels(slots).slice(0, 3)).toEqual([
      ['• Wed 12 •', 'Thu 13 ⏳', 'Fri 14 ✓'],
      ['Sat 15 ✕', 'Sun 16 ✓', 'Mon 17 ✓'],
      ['18:00'],
    ]);

    expect(await newTexts(ann, () => tap(ann, '18:00'))).toEqual([
      'Good choice: Rückenfit on Wednesday, 12 June 2030 at 18:00. I just need a few details to book you in.\n' +
        askFirstName,
    ]);
    // Both names from the Telegram profile in one tap.
    expect(labels(ann.chat.last('bot'))).toEqual([['Use Annika Lindqvist']]);
    await tap(ann, 'Use Annika Lindqvist');
    expect(lastText(ann)).toBe(askEmail);
    await send(ann, 'Annika.L@Example.COM');
    expect(labels(ann.chat.last('bot'))).toEqual([['Female', 'Male', 'Diverse'], ['Skip']]);
    await tap(ann, 'Female');
    await send(ann, '31.12.1990');
    // Phone is mandatory here: a share button, no Skip.
    expect(ann.chat.replyKeyboard?.rows).toEqual([
      [{ text: '📱 Share my phone number', requestContact: true, requestLocation: false }],
    ]);
    await ann.shareContact({ phoneNumber: '4915112345678' });
    await ann.settled();
    expect(ann.chat.replyKeyboard).toBeUndefined();
    // The address is mandatory too: asked in one line, no Skip; what was read is shown to confirm.
    expect(lastText(ann)).toBe(askAddress);
    expect(labels(ann.chat.last('bot'))).toEqual([]);
    await send(ann, 'Oderberger Str. 5a, 10435 Berlin');
    expect(lastText(ann).split('\n')).toEqual([
      'Is this right?',
      'Street: Oderberger Str.',
      'House number: 5a',
      'Postcode: 10435',
      'Town: Berlin',
    ]);
    await tap(ann, "✅ That's right");

    const summary = ann.chat.last('bot');
    expect(summary?.text?.split('\n')).toEqual([
      'Please check your booking: Rückenfit on Wednesday, 12 June 2030 at 18:00.',
      'Name: Annika Lindqvist',
      'E-mail: Annika.L@example.com',
      'Gender: female',
      'Date of birth: 31/12/1990',
      'Phone: +49 1511 2345678',
      'Address: Oderberger Str. 5a, 10435 Berlin',
      'By tapping "Book now" you agree that the studio stores these details to arrange your trial. Privacy policy: https://studio-kiez.example/privacy',
    ]);
    expect(labels(summary)).toEqual([
      ['✅ Book now'],
      ['✏️ First name', '✏️ Last name'],
      ['✏️ E-mail', '✏️ Gender'],
      ['✏️ Date of birth', '✏️ Phone'],
      ['✏️ Address'],
      ['Cancel'],
    ]);

    await tap(ann, '✅ Book now');
    // The summary stays as a record of what was sent, with nothing left to tap on it.
    const sentSummary = ann.chat.message(summary?.messageId ?? -1);
    expect(sentSummary?.text).toBe(summary?.text);
    expect(labels(sentSummary)).toEqual([]);
    const reserved = ann.chat.last('bot');
    expect(reserved?.text).toBe(
      'Almost done! Rückenfit on Wednesday, 12 June 2030 at 18:00 is reserved for you. ' +
        'Please confirm it by Thursday, 13 June 2030 at 12:00, otherwise it lapses.',
    );
    expect(labels(reserved)).toEqual([['✅ Confirm booking']]);

    const { leads, bookings } = h.sandbox.snapshot();
    expect(leads.map((lead) => lead.leadCustomerData)).toEqual([
      {
        thirdPartyId: `tg:${ann.id}`,
        firstname: 'Annika',
        lastname: 'Lindqvist',
        email: 'Annika.L@example.com',
        language: { languageCode: 'en' },
        gender: 'FEMALE',
        dateOfBirth: '1990-12-31',
        telephone: '+4915112345678',
        address: { street: 'Oderberger Str.', houseNumber: '5a', zipCode: '10435', city: 'Berlin' },
      },
    ]);
    expect(bookings).toMatchObject([
      { classId: 101, customerId: leads[0]?.id, status: 'BOOKED_WITH_CONFIRMATION_REQUIRED' },
    ]);
    expect(bookings[0]?.confirmation.state).not.toBe('CONFIRMED');

    await tap(ann, '✅ Confirm booking');
    const confirmed = ann.chat.message(reserved?.messageId ?? -1);
    expect(confirmed?.edited).toBe(true);
    // Where to go: the studio with its address, the room and where it is in the building.
    expect(confirmed?.text?.split('\n')).toEqual([
      'Confirmed! See you at Rückenfit on Wednesday, 12 June 2030 at 18:00.',
      '📍 Where: Studio Kiez Berlin, Oderberger Straße 12, 10435 Berlin',
      '🚪 Room: Kursraum 1 (Erster Stock, links neben der Treppe)',
      '👤 With: Lena',
    ]);
    expect(confirmed?.buttons).toEqual([]);
    const [calendar, venue, ...more] = botMessagesSince(ann, confirmed?.messageId ?? -1);
    expect(more).toEqual([]);
    expect(calendar?.document?.fileName).toBe(`trial-${bookings[0]?.id}.ics`);
    expect(calendar?.text).toBe('Add Rückenfit to your calendar.');
    // Unfolded (RFC 5545 3.1: a line break followed by a space continues the line).
    const ics = new TextDecoder().decode(calendar?.document?.bytes).replace(/\r\n /g, '');
    expect(ics).toContain('BEGIN:VEVENT');
    expect(ics).toContain('DTSTART:20300612T160000Z');
    expect(ics).toContain('SUMMARY:Rückenfit');
    expect(ics).toContain(
      'LOCATION:Kursraum 1\\, Studio Kiez Berlin\\, Oderberger Straße 12\\, 10435 Berlin',
    );
    expect(ics).toContain('GEO:52.5386;13.4093');
    expect(ics).toContain('DESCRIPTION:Lena\\nStudio Kiez Berlin: Tel. +49 30 44021180');
    // The studio as a map pin, once.
    expect(venue?.venue).toEqual({
      latitude: 52.5386,
      longitude: 13.4093,
      title: 'Studio Kiez Berlin',
      address: 'Oderberger Straße 12, 10435 Berlin',
    });
    expect(h.sandbox.snapshot().bookings[0]?.confirmation.state).toBe('CONFIRMED');

    // Every tap got exactly one answer, none of them an alert.
    const taps = ann.chat.calls.filter((call) => call.method === 'answerCallbackQuery');
    expect(taps).toHaveLength(7);
    expect(ann.chat.toasts.every((toast) => !toast.showAlert && toast.text === undefined)).toBe(true);
  });

  it('explains a confirmation that came too late and offers to book again', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    const reserved = messageWith(ann, 'Almost done!');

    h.sandbox.clock.advance(25 * hour);
    await tap(ann, '✅ Confirm booking');

    const lapsed = ann.chat.message(reserved.messageId);
    expect(lapsed?.text).toBe(
      'The time to confirm this booking has run out, so it has lapsed. Would you like to book again?',
    );
    expect(labels(lapsed)).toEqual([['Book again']]);
    expect(h.sandbox.snapshot().bookings[0]?.confirmation.state).not.toBe('CONFIRMED');

    await tap(ann, 'Book again');
    expect(lastText(ann)).toMatch(/^When would you like to come to Rückenfit\?/);
  });
});

describe('booking an appointment (config 2: name and e-mail only)', () => {
  it('pages through the days with Later and Earlier in place, then books and sends the calendar file', async () => {
    h = await startHarness();
    const ben = h.user({ firstName: 'Ben' });
    await start(ben);
    await tap(ben, '📅 Body-Check');

    const list = ben.chat.last('bot');
    const dayRows = (message: typeof list) => labels(message).slice(0, 2);
    expect(list?.text?.split('\n')).toEqual([
      'When would you like to come to Body-Check?',
      // Today's Body-Check hours (8 to 12) are over: the first day with times is shown.
      '📅 Thursday, 13 June 2030: pick a time.',
    ]);
    expect(dayRows(list)).toEqual([
      ['Wed 12 ✕', '• Thu 13 •', 'Fri 14 ✓'],
      ['Sat 15 ✓', 'Sun 16 ✕', 'Mon 17 ✓'],
    ]);
    expect(labels(list).at(-2)).toEqual(['Later ▶️']);

    await tap(ben, 'Later ▶️');
    const later = ben.chat.message(list?.messageId ?? -1);
    expect(later?.edited).toBe(true);
    expect(dayRows(later)).toEqual([
      ['• Tue 18 •', 'Wed 19 ✓', 'Thu 20 ✓'],
      ['Fri 21 ✓', 'Sat 22 ✓', 'Sun 23 ✕'],
    ]);
    expect(labels(later).at(-2)).toEqual(['◀️ Earlier', 'Later ▶️']);

    await tap(ben, '◀️ Earlier');
    expect(dayRows(ben.chat.message(list?.messageId ?? -1))[0]).toEqual([
      'Wed 12 ✕',
      '• Thu 13 •',
      'Fri 14 ✓',
    ]);
    expect(botMessages(ben).filter((m) => m.text?.startsWith('When would you like'))).toHaveLength(1);

    await tap(ben, '08:30');
    await enterName(ben, { firstName: 'Ben', lastName: 'Okafor', email: 'ben@example.com' });
    expect(lastText(ben).split('\n').slice(0, 3)).toEqual([
      'Please check your booking: Body-Check on Thursday, 13 June 2030 at 08:30.',
      'Name: Ben Okafor',
      'E-mail: ben@example.com',
    ]);
    const beforeBooking = mark(ben);
    await tap(ben, '✅ Book now');

    const [booked, calendar] = botMessagesSince(ben, beforeBooking);
    expect(booked?.text?.split('\n')[0]).toBe(
      "You're booked! Body-Check on Thursday, 13 June 2030 at 08:30.",
    );
    expect(labels(booked)).toEqual([['Book another trial session']]);
    expect(calendar?.document?.fileName).toMatch(/^trial-\d+\.ics$/);
    const { leads, bookings } = h.sandbox.snapshot();
    expect(leads.map((lead) => lead.leadCustomerData)).toEqual([
      {
        thirdPartyId: `tg:${ben.id}`,
        firstname: 'Ben',
        lastname: 'Okafor',
        email: 'ben@example.com',
        language: { languageCode: 'en' },
      },
    ]);
    expect(bookings).toMatchObject([
      {
        kind: 'appointment',
        bookableAppointmentId: 202,
        customerId: leads[0]?.id,
        status: 'BOOKED',
        startDateTime: '2030-06-13T08:30:00.000+02:00[Europe/Berlin]',
      },
    ]);
  });
});

describe('a returning prospect', () => {
  it('books a second trial with the lead the studio already has: no questions, no second lead', async () => {
    h = await startHarness();
    const ann = h.user();
    await yogaUpToSummary(ann);
    await tap(ann, '✅ Book now');
    expect(botMessages(ann).at(-2)?.text).toBe('Add Yoga Flow to your calendar.');
    expect(ann.chat.last('bot')?.venue?.title).toBe('Studio Kiez Berlin');

    await start(ann);
    await tap(ann, '📅 Probetraining mit Coach');
    // A slot tap shows the choice with "Book now" and the consent line; only that button books.
    const summary = await newTexts(ann, () => tap(ann, firstSlot));
    expect(summary).toEqual([
      expect.stringMatching(
        /^Please check your booking: Probetraining mit Coach on .+\.\n📍 Where: Studio Kiez Berlin\nBy tapping "Book now" you agree that the studio stores these details to arrange your trial\.$/,
      ),
    ]);
    expect(labels(ann.chat.last('bot'))).toEqual([['✅ Book now'], ['Cancel']]);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
    const answers = await newTexts(ann, () => tap(ann, '✅ Book now'));
    expect(answers).toEqual([expect.stringMatching(/^Almost done! Probetraining mit Coach on /)]);
    const { leads, bookings } = h.sandbox.snapshot();
    expect(leads).toHaveLength(1);
    expect(bookings.map((b) => [b.kind, b.customerId])).toEqual([
      ['class', leads[0]?.id],
      ['appointment', leads[0]?.id],
    ]);
  });
});

describe('taps that must not book twice', () => {
  it('a double tap on Book (handled concurrently by the runner) makes one booking and shows it', async () => {
    h = await startHarness({ polling: 'runner' });
    const ann = h.user();
    await ann.start();
    await ann.chat.waitFor(
      (chat) =>
        chat
          .last('bot')
          ?.buttons.flat()
          .some((b) => b.text === '🏋️ Yoga Flow') ?? false,
    );
    await ann.tap('🏋️ Yoga Flow');
    await ann.chat.waitFor((chat) => chat.last('bot')?.text?.startsWith('When would you like') ?? false);
    await ann.tap(firstSlot);
    for (const answer of [annika.firstName, annika.lastName, annika.email]) {
      const before = ann.chat.messages.length;
      await ann.sendText(answer);
      await ann.chat.waitFor((chat) => chat.messages.length >= before + 2);
    }
    await ann.chat.waitFor(
      (chat) => chat.last('bot')?.text?.startsWith('Please check your booking') ?? false,
    );
    const summary = ann.chat.last('bot');

    const toastsBefore = ann.chat.toasts.length;
    const beforeTaps = mark(ann);
    await ann.tap('✅ Book now', { messageId: summary?.messageId ?? -1 });
    await ann.tap('✅ Book now', { messageId: summary?.messageId ?? -1 });
    await ann.chat.waitFor(
      (chat) =>
        chat.toasts.length === toastsBefore + 2 &&
        chat.messages.some((m) => m.text === 'Add Yoga Flow to your calendar.'),
      5_000,
    );

    // The second tap is answered with a toast: no second message (which would carry its own buttons).
    const texts = botMessagesSince(ann, beforeTaps).map((m) => m.text?.split('\n')[0]);
    expect(texts).toEqual([
      expect.stringMatching(/^You're booked! Yoga Flow on /),
      'Add Yoga Flow to your calendar.',
      undefined, // the studio's venue
    ]);
    expect(ann.chat.toasts.slice(toastsBefore).map((toast) => toast.text)).toContainEqual(
      expect.stringMatching(/^You already have this booking: .* at 10:00\. No need to book again\.$/),
    );
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
    expect(h.sandbox.snapshot().leads).toHaveLength(1);
  });

  it('a button of an earlier step is answered "out of date" and the current question is asked again', async () => {
    h = await startHarness();
    const ann = h.user();
    await start(ann);
    const offerList = ann.chat.last('bot');
    await tap(ann, '🏋️ Yoga Flow');
    const slotList = ann.chat.last('bot');
    await tap(ann, firstSlot);
    await send(ann, 'Annika');

    const before = ann.chat.toasts.length;
    const answers = await newTexts(ann, () => tap(ann, firstSlot, slotList?.messageId));
    expect(ann.chat.toasts.slice(before)).toEqual([
      { text: 'This button is out of date.', showAlert: false },
    ]);
    expect(answers).toEqual(['And your last name?']);

    await tap(ann, '🏋️ Rückenfit', offerList?.messageId);
    expect(ann.chat.toasts.at(-1)?.text).toBe('This button is out of date.');
    expect(lastText(ann)).toBe('And your last name?');
    // Nothing was chosen by the old buttons: the flow goes on with Yoga and the name given.
    await send(ann, 'Lindqvist');
    await send(ann, 'annika.l@example.com');
    expect(lastText(ann)).toMatch(/^Please check your booking: Yoga Flow on .*\nName: Annika Lindqvist\n/);
  });
});

describe('the studio failing for a moment', () => {
  it('a booking call answered with 500 before the studio acted is checked, then booked once', async () => {
    h = await startHarness();
    const ann = h.user();
    await yogaUpToSummary(ann);
    h.sandbox.faults.set('classBook', { kind: 'status', status: 500, times: 1 });

    // A 500 may come after the studio booked: the bot validates again (AVAILABLE: it did not) and books.
    const answers = await newTexts(ann, () => tap(ann, '✅ Book now'));
    expect(answers[0]).toMatch(/^You're booked! Yoga Flow on /);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
    expect(h.sandbox.snapshot().leads).toHaveLength(1);
    expect(h.sandbox.callCounts().classBook).toBe(2);
  });
});

describe('what operators see', () => {
  it('counts the funnel and logs no personal data, token or API key', async () => {
    const logLines: string[] = [];
    h = await startHarness({ logLines });
    const ann = h.user({ firstName: 'Annika', lastName: 'Lindqvist' });
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    await tap(ann, '✅ Confirm booking');

    const metrics = await h.metrics.registry.getSingleMetricAsString('trialgram_booking_funnel_total');
    const count = (stage: string) => Number(new RegExp(`stage="${stage}"} (\\d+)`).exec(metrics)?.[1]);
    expect(
      ['started', 'offer_chosen', 'slot_chosen', 'lead_created', 'duplicate', 'booked'].map(count),
    ).toEqual([1, 1, 1, 1, 0, 1]);
    expect(['confirmation_required', 'confirmed', 'expired'].map(count)).toEqual([1, 1, 0]);

    const log = logLines.join('');
    expect(log).toContain('"event":"booked"');
    for (const secret of ['Annika', 'Lindqvist', 'annika.l@example.com', '1990', 'Oderberger', '10435']) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain(h.fake.token);
    expect(log).not.toContain(h.sandbox.apiKey);
  });
});
