/**
 * Languages and commands: German for a German Telegram app, /language, /help, /cancel, /forget,
 * unknown commands, and the command menu `init` sets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { askFirstName, askLastName, firstSlot, yogaUpToSummary } from './flows.ts';
import {
  botMessages,
  type Harness,
  labels,
  lastText,
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

const germanGreeting =
  'Hi! Ich bin der Buchungsassistent von Studio Kiez Berlin. Ich buche dir in einer Minute ein kostenloses Probetraining.';

describe('languages', () => {
  it('speaks German to a German Telegram app, in texts, buttons and the studio request', async () => {
    h = await startHarness();
    const jonas = h.user({ firstName: 'Jonas', languageCode: 'de-DE' });
    await start(jonas);
    expect(lastText(jonas).split('\n')).toEqual([
      germanGreeting,
      'Welches Probetraining möchtest du buchen?',
    ]);
    expect(labels(jonas.chat.last('bot')).at(-1)).toEqual(['📅 Body-Check']);
    await tap(jonas, '🏋️ Yoga Flow');
    expect(lastText(jonas)).toMatch(
      /^Wann möchtest du zu Yoga Flow kommen\?\n📅 Freitag, 14\. Juni 2030: wähl eine Uhrzeit\.$/,
    );
    expect(labels(jonas.chat.last('bot'))[0]).toEqual(['Do., 13. ⏳', '• Fr., 14. •', 'Sa., 15. ✕']);
    await tap(jonas, firstSlot);
    expect(lastText(jonas)).toBe(
      'Gute Wahl: Yoga Flow am Freitag, 14. Juni 2030 um 10:00. Ich brauche nur noch ein paar Angaben, um dich anzumelden.\nWie ist dein Vorname?',
    );
    await send(jonas, 'Jonas');
    await send(jonas, 'Becker');
    await send(jonas, 'jonas@example.com');
    await tap(jonas, '✅ Jetzt buchen');
    expect(botMessages(jonas).at(-2)?.text).toBe('Yoga Flow für deinen Kalender.');
    expect(jonas.chat.last('bot')?.venue?.address).toBe('Oderberger Straße 12, 10435 Berlin');
    expect(h.sandbox.snapshot().leads[0]?.leadCustomerData).toMatchObject({
      language: { languageCode: 'de' },
    });
  });

  it('/language switches, asks the current question again in the new language, and the choice sticks', async () => {
    h = await startHarness();
    const jonas = h.user({ languageCode: 'de' });
    await start(jonas);
    await tap(jonas, '🏋️ Yoga Flow');
    await tap(jonas, firstSlot);
    expect(lastText(jonas)).toMatch(/\nWie ist dein Vorname\?$/);

    await send(jonas, '/language');
    expect(lastText(jonas)).toBe('Welche Sprache möchtest du?');
    expect(labels(jonas.chat.last('bot'))).toEqual([['English', 'Deutsch']]);
    expect(await newTexts(jonas, () => tap(jonas, 'English'))).toEqual([
      "Okay, I'll speak English from now on.",
      askFirstName,
    ]);
    await send(jonas, 'Jonas');
    expect(lastText(jonas)).toBe(askLastName);
    // Later updates still come with language_code "de": the choice wins.
    await send(jonas, '/start');
    expect(lastText(jonas)).toMatch(/^Hi! I'm the booking assistant of Studio Kiez Berlin\./);

    expect(await newTexts(jonas, () => send(jonas, '/language de'))).toEqual([
      'Alles klar, ab jetzt spreche ich Deutsch.',
    ]);
    await send(jonas, '/start');
    expect(lastText(jonas).split('\n')[0]).toBe(germanGreeting);
  });
});

describe('commands', () => {
  it('/help explains the commands', async () => {
    h = await startHarness();
    const ann = h.user();
    await send(ann, '/help');
    expect(lastText(ann).split('\n')).toEqual([
      'I book free trial sessions at the studio for you.',
      '/start shows the trial sessions you can book.',
      "/cancel stops the current booking (bookings you've made stay).",
      '/language switches between English and German.',
      '/reminders switches reminders about your bookings off or on.',
      "/forget deletes everything I've stored about you.",
    ]);
  });

  it('/cancel stops the booking: old buttons are out of date and text gets the idle hint', async () => {
    h = await startHarness();
    const ann = h.user();
    await yogaUpToSummary(ann);
    await send(ann, '/cancel');
    expect(lastText(ann)).toBe(
      "Okay, I've stopped. Bookings you've already made stay valid. Type /start to begin again.",
    );
    await tap(ann, '✅ Book now');
    expect(ann.chat.toasts.at(-1)?.text).toBe('This button is out of date.');
    expect(h.sandbox.snapshot().leads).toEqual([]);
    await send(ann, 'hello?');
    expect(lastText(ann)).toBe('Type /start or tap below to see the trial sessions you can book.');
    expect(labels(ann.chat.last('bot'))).toEqual([['Show trial sessions']]);
    await tap(ann, 'Show trial sessions');
    expect(lastText(ann)).toMatch(/^Which trial would you like to book\?/);
  });

  it('/forget drops the lead id: the studio keeps its lead, the bot asks for the details again', async () => {
    h = await startHarness();
    const ann = h.user();
    await yogaUpToSummary(ann);
    await tap(ann, '✅ Book now');
    await send(ann, '/language de');

    await send(ann, '/forget');
    // The language choice is gone too: the Telegram app's English again.
    expect(lastText(ann)).toBe(
      "Done: I've deleted everything I stored about you. Bookings at the studio aren't affected; to have your data removed there, please contact the studio.",
    );
    expect(h.sandbox.snapshot().leads).toHaveLength(1);

    await start(ann);
    await tap(ann, '🏋️ Pilates Live');
    await tap(ann, firstSlot);
    expect(lastText(ann)).toMatch(/\nWhat's your first name\?$/);
  });

  it('answers an edited answer by asking for a new message, and keeps the step and what was entered', async () => {
    h = await startHarness();
    const ann = h.user({ firstName: 'Ann' });
    await start(ann);
    await tap(ann, '🏋️ Yoga Flow');
    await tap(ann, firstSlot);
    await send(ann, 'Ann');
    const typo = ann.chat.last('user')?.messageId ?? -1;
    expect(lastText(ann)).toBe(askLastName);

    const update = await ann.editText(typo, 'Anna');
    await ann.settled(update);
    expect(lastText(ann)).toBe(
      'I only read new messages, not edited ones. Please send your answer again as a new message.',
    );
    // Still at the last name; the first name stays as first sent.
    await send(ann, 'Berg');
    await send(ann, 'ann@example.com');
    expect(lastText(ann)).toContain('Ann Berg');
  });

  it('answers unknown commands, and staff commands for non-staff, with a pointer to /help', async () => {
    h = await startHarness({ adminIds: [424_242] });
    const ann = h.user();
    for (const command of ['/book', '/links']) {
      expect(await newTexts(ann, () => send(ann, command))).toEqual([
        "I don't know that command. /help shows what I can do.",
      ]);
    }
    const jonas = h.user({ languageCode: 'de' });
    await send(jonas, '/book');
    expect(lastText(jonas)).toBe('Diesen Befehl kenne ich nicht. Mit /help siehst du, was ich kann.');
  });
});

describe('staff', () => {
  it('/links from an admin lists the offers with deep links to this bot', async () => {
    const adminId = 777;
    h = await startHarness({ adminIds: [adminId] });
    const admin = h.fake.user({ id: adminId, languageCode: 'en' });
    await send(admin, '/links poster');
    const lines = lastText(admin).split('\n');
    expect(lines.slice(0, 2)).toEqual(['Trial offers with their links: 8', 'Campaign tag: poster']);
    expect(lines).toContain('https://t.me/kiez_trial_bot?start=c101_poster');
  });
});

describe('the command menu', () => {
  it('lists the public commands per language; admins also see /links', async () => {
    const adminId = 777;
    h = await startHarness({ adminIds: [adminId] });
    // Telegram only scopes commands to a chat the admin has opened; the fake knows the chat once the user exists.
    h.fake.user({ id: adminId, languageCode: 'de' });
    await h.restartBot();

    const ann = h.user();
    expect(ann.chat.commands).toEqual([
      { command: 'start', description: 'Book a free trial session' },
      { command: 'help', description: 'What I can do' },
      { command: 'language', description: 'Switch language' },
      { command: 'cancel', description: 'Stop the current booking' },
      { command: 'reminders', description: 'Switch booking reminders off or on' },
      { command: 'forget', description: 'Delete what I stored about you' },
    ]);
    const jonas = h.user({ languageCode: 'de' });
    expect(jonas.chat.commands.map((c) => c.description)).toEqual([
      'Kostenloses Probetraining buchen',
      'Was ich kann',
      'Sprache wechseln',
      'Aktuelle Buchung abbrechen',
      'Erinnerungen an Buchungen aus- oder einschalten',
      'Meine gespeicherten Daten löschen',
    ]);
    const admin = h.fake.user({ id: adminId });
    expect(admin.chat.commands.map((c) => c.command)).toEqual([
      'start',
      'help',
      'language',
      'cancel',
      'reminders',
      'forget',
      'links',
    ]);
    expect(admin.chat.commands.at(-1)?.description).toBe('Angebotslinks und QR-Codes (Team)');
  });
});
