/**
 * Deep links (`t.me/<bot>?start=<payload>`) from posters and the staff link tool, and the staff
 * notices that tell the studio which campaign brought a booking.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { annika, enterConfig1Details, enterName, firstSlot } from './flows.ts';
import { type Harness, labels, lastText, newTexts, start, startHarness, tap } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const greeting =
  "Hi! I'm the booking assistant of Studio Kiez Berlin. I can book you a free trial session in a minute.";

describe('deep links', () => {
  it('c<classId> opens that class’s times straight away', async () => {
    h = await startHarness();
    const ann = h.user();
    const answers = await newTexts(ann, () => start(ann, 'c101'));
    expect(answers.map((text) => text?.split('\n')[0])).toEqual([
      greeting,
      'When would you like to come to Rückenfit?',
    ]);
  });

  it('a<appointmentId> opens that appointment’s times', async () => {
    h = await startHarness();
    const ann = h.user();
    const answers = await newTexts(ann, () => start(ann, 'a201'));
    expect(answers.map((text) => text?.split('\n')[0])).toEqual([
      greeting,
      'When would you like to come to Probetraining mit Coach?',
    ]);
  });

  it('o<configId> lists only that config’s offers', async () => {
    h = await startHarness();
    const ann = h.user();
    expect(await newTexts(ann, () => start(ann, 'o2'))).toEqual([
      `${greeting}\nWhich trial would you like to book?`,
    ]);
    expect(labels(ann.chat.last('bot'))).toEqual([['🏋️ Yoga Flow'], ['🏋️ Pilates Live'], ['📅 Body-Check']]);
    await tap(ann, '📅 Body-Check');
    expect(lastText(ann)).toMatch(/^When would you like to come to Body-Check\?/);
  });

  it('a malformed link and a link to an offer that is gone get a note and the full list', async () => {
    h = await startHarness();
    const ann = h.user();
    for (const [payload, note] of [
      ['summer-special', "That link doesn't work, but here is everything you can book."],
      ['c999', 'That trial session is no longer offered. Here is what you can book instead.'],
      // Listed by the studio but display-only: nothing to book.
      ['c106', 'That trial session is no longer offered. Here is what you can book instead.'],
    ] as const) {
      const answers = await newTexts(ann, () => start(ann, payload));
      expect(answers).toEqual([[greeting, note, 'Which trial would you like to book?'].join('\n')]);
      expect(labels(ann.chat.last('bot'))[0]).toEqual(['🏋️ Rückenfit']);
    }
  });
});

describe('offers leads may not book online', () => {
  it('are left out of the list; a link to one explains and shows the studio contact', async () => {
    h = await startHarness();
    const ann = h.user();
    await start(ann);
    const listed = labels(ann.chat.last('bot')).flat();
    expect(listed).not.toContain('🏋️ Kickboxen Basics');
    expect(listed).not.toContain('📅 Mitglieder-Beratung');
    expect(listed).toContain('🏋️ Rückenfit');

    await start(ann, 'c105');
    const explained = lastText(ann);
    expect(explained).toMatch(/"Kickboxen Basics" can't be booked online by new customers/);
    expect(explained).toContain('📞 +49 30 44021180');
    expect(explained).toContain('Oderberger Straße 12, 10435 Berlin');
  });
});

describe('staff notices', () => {
  it('tell the staff chat about the lead, the booking and the confirmation, with the campaign tag', async () => {
    const staffChatId = 900_001;
    h = await startHarness({ staffChatId });
    const staff = h.fake.user({ id: staffChatId, firstName: 'Front desk' });
    // A bot may only write to a user who wrote to it first.
    await start(staff);
    const welcome = staff.chat.messages.length;
    const ann = h.user({ firstName: 'Annika', lastName: 'Lindqvist' });

    await start(ann, 'c101_poster');
    await tap(ann, '18:00');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    await tap(ann, '✅ Confirm booking');
    await h.bot.flush();

    const { leads, bookings } = h.sandbox.snapshot();
    const common = [
      'Class: Rückenfit (id 101)',
      'When: 2030-06-12 18:00 (Europe/Berlin)',
      'Name: Annika Lindqvist',
    ];
    expect(staff.chat.messages.slice(welcome).map((message) => message.text)).toEqual([
      [
        '🆕 New lead',
        ...common,
        'Details given: first name, last name, e-mail, gender, date of birth, phone, street, house number, postcode, town',
        'Campaign: poster',
        `Lead id: ${leads[0]?.id}`,
      ].join('\n'),
      [
        '✅ New trial booking',
        ...common,
        'Campaign: poster',
        'Status: BOOKED_WITH_CONFIRMATION_REQUIRED',
        `Lead id: ${leads[0]?.id}`,
        `Booking id: ${bookings[0]?.id}`,
      ].join('\n'),
      [
        '👍 Booking confirmed',
        ...common,
        'Campaign: poster',
        'Status: CONFIRMED',
        `Lead id: ${leads[0]?.id}`,
        `Booking id: ${bookings[0]?.id}`,
      ].join('\n'),
    ]);
    // Names of the fields, never their values.
    expect(staff.chat.messages.map((message) => message.text).join('\n')).not.toContain(
      'annika.l@example.com',
    );
  });

  it('a staff chat the bot cannot write to does not disturb the booking', async () => {
    const staffChatId = 900_002;
    const logLines: string[] = [];
    h = await startHarness({ staffChatId, logLines });
    const staff = h.fake.user({ id: staffChatId });
    await start(staff);
    const welcome = staff.chat.messages.length;
    staff.blockBot();
    const ann = h.user();

    await start(ann, 'c103_flyer');
    await tap(ann, firstSlot);
    await enterName(ann, annika);
    const answers = await newTexts(ann, () => tap(ann, '✅ Book now'));
    await h.bot.flush();

    expect(answers).toEqual([
      expect.stringMatching(/^You're booked! Yoga Flow on /),
      'Add Yoga Flow to your calendar.',
      undefined, // the studio's venue
    ]);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
    expect(staff.chat.messages).toHaveLength(welcome);
    // The lead notice and the booking notice were each tried once: 403 is not worth repeating.
    const notices = h.fake.calls.filter(
      (call) =>
        call.method === 'sendMessage' && call.params.chat_id === staffChatId && call.params.parse_mode,
    );
    expect(notices).toHaveLength(2);
    expect(logLines.join('')).toContain('staff notice dropped');
  });
});
