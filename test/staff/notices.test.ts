import { Api } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffNotice } from '../../src/booking/effects.ts';
import { createFakeTelegram, type FakeTelegram, parseHtml } from '../../src/fake-telegram/index.ts';
import { createLogger } from '../../src/logger.ts';
import { createStaffNotifier, formatStaffNotice } from '../../src/staff/notices.ts';
import { translations } from './helpers.ts';

const booked: StaffNotice = {
  kind: 'booked',
  offerType: 'class',
  offerId: 101,
  offerTitle: 'Rückenfit <Abend> & mehr',
  // 16:30 UTC is 18:30 in Berlin in June.
  slotStart: '2026-06-22T16:30:00.000Z',
  name: 'Anna Müller',
  givenFields: ['firstName', 'lastName', 'email', 'telephone'],
  campaign: 'poster',
  status: 'BOOKED_WITH_CONFIRMATION_REQUIRED',
  leadId: 1001,
  bookingId: 5001,
};

/** The notice as staff read it in Telegram (the HTML parsed like Telegram does). */
function asShown(notice: StaffNotice, locale = 'en', zone = 'Europe/Berlin'): string[] {
  return parseHtml(formatStaffNotice(notice, translations(locale), zone)).text.split('\n');
}

describe('staff notice text', () => {
  it('says what was booked, when in studio time, by whom, with which fields, campaign, status and ids', () => {
    expect(asShown(booked)).toEqual([
      '✅ New trial booking',
      'Class: Rückenfit <Abend> & mehr (id 101)',
      'When: 2026-06-22 18:30 (Europe/Berlin)',
      'Name: Anna Müller',
      'Details given: first name, last name, e-mail, phone',
      'Campaign: poster',
      'Status: BOOKED_WITH_CONFIRMATION_REQUIRED',
      'Lead id: 1001',
      'Booking id: 5001',
    ]);
  });

  it('for a lost answer: what to check, for which Telegram user, the e-mail of a lead, what the check found', () => {
    const lead: StaffNotice = {
      kind: 'leadUnknown',
      offerType: 'class',
      offerId: 101,
      offerTitle: 'Rückenfit',
      slotStart: '2026-06-22T16:30:00.000Z',
      name: 'Anna Müller',
      telegramUserId: 123456789,
      email: 'anna<x>@example.com',
      attempt: 'lq2x9k0',
      resolution: 'found',
    };
    expect(asShown(lead)).toEqual([
      "❓ Lead answer lost: please check the studio's leads",
      'Class: Rückenfit (id 101)',
      'When: 2026-06-22 18:30 (Europe/Berlin)',
      'Name: Anna Müller',
      'Telegram user: 123456789',
      'E-mail: anna<x>@example.com',
      'Attempt: lq2x9k0',
      "Checked: the studio holds this lead; its id never reached the bot, so the prospect can't book through the bot. Please get in touch with them.",
    ]);
    const booking = asShown(
      { ...lead, kind: 'bookingUnknown', email: undefined, resolution: 'unchecked' },
      'de',
    );
    expect(booking[0]).toBe('❓ Antwort auf eine Buchung verloren: bitte den Kalender des Studios prüfen');
    expect(booking).toContain('Telegram-Nutzer: 123456789');
    expect(booking.at(-1)).toBe(
      'Noch nicht geprüft: Das Studio antwortet nicht. Der Interessent kann mit „Nochmal versuchen“ erneut prüfen lassen.',
    );
    expect(asShown({ kind: 'confirmUnknown', bookingId: 5001, telegramUserId: 1 }).at(-1)).toMatch(
      /^The prospect can tap "Confirm booking" again/,
    );
  });

  it('escapes what the studio and the prospect wrote, so it cannot break or inject markup', () => {
    const html = formatStaffNotice(
      { ...booked, name: '<b>Eve</b> & Co', offerTitle: '<a href="x">Yoga</a>' },
      translations('en'),
      'Europe/Berlin',
    );
    const shown = parseHtml(html);
    expect(shown.text).toContain('Name: <b>Eve</b> & Co');
    expect(shown.text).toContain('Class: <a href="x">Yoga</a> (id 101)');
    expect(shown.entities.map((entity) => entity.type)).not.toContain('text_link');
  });

  it('isolates a right-to-left name, so it cannot turn its line around; a left-to-right one stays as typed', () => {
    expect(asShown({ ...booked, name: 'שרה Cohen' })[3]).toBe('Name: \u2068שרה Cohen\u2069');
    expect(asShown({ ...booked, name: 'Anna Müller' })[3]).toBe('Name: Anna Müller');
  });

  it('uses the zone the slot carries over the configured one, and writes ids without digit grouping', () => {
    const lines = asShown(
      {
        kind: 'confirmed',
        offerType: 'appointment',
        offerId: 201,
        offerTitle: 'Probetraining mit Coach',
        slotStart: '2026-01-10T09:00:00.000+01:00[Europe/Berlin]',
        status: 'CONFIRMED',
        leadId: 1234567,
        bookingId: 5001,
      },
      'de',
      'UTC',
    );
    expect(lines).toEqual([
      '👍 Buchung bestätigt',
      'Termin: Probetraining mit Coach (ID 201)',
      'Wann: 2026-01-10 09:00 (Europe/Berlin)',
      'Status: CONFIRMED',
      'Lead-ID: 1234567',
      'Buchungs-ID: 5001',
    ]);
  });

  it('names the fields given and a missing campaign tag, never a field value', () => {
    const lines = asShown({
      kind: 'leadCreated',
      offerType: 'appointment',
      offerId: 202,
      offerTitle: 'Body-Check',
      name: 'Anna Müller',
      givenFields: ['firstName', 'lastName', 'email', 'street', 'zipCode', 'city'],
      leadId: 1001,
    });
    expect(lines).toEqual([
      '🆕 New lead',
      'Appointment: Body-Check (id 202)',
      'Name: Anna Müller',
      'Details given: first name, last name, e-mail, street, postcode, town',
      'Campaign: none (link without a tag)',
      'Lead id: 1001',
    ]);
  });

  it('reports an expiry', () => {
    expect(asShown({ kind: 'expired', bookingId: 5002 })).toEqual([
      '⌛ Booking lapsed: not confirmed in time',
      'Booking id: 5002',
    ]);
  });
});

describe('staff notifier', () => {
  const staffChatId = 900;
  let fake: FakeTelegram;
  let api: Api;
  let logLines: string[];
  const logger = () =>
    createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } });

  beforeEach(async () => {
    fake = await createFakeTelegram();
    // Telegram lets a bot write only to chats that have talked to it (or added it).
    await fake.user({ id: staffChatId, firstName: 'Studio team' }).sendText('/start');
    api = new Api(fake.token, { apiRoot: fake.apiRoot });
    logLines = [];
  });
  afterEach(async () => {
    await fake.close();
  });

  const sendCalls = () => fake.calls.filter((call) => call.method === 'sendMessage');
  const staffSees = () =>
    fake
      .chat(staffChatId)
      .messages.filter((message) => message.from === 'bot')
      .map((message) => message.text);

  function notifier(options: { retries?: number; retryDelayMs?: number } = {}) {
    return createStaffNotifier({
      sendMessage: (chatId, text, other) => api.sendMessage(chatId, text, other),
      chatId: staffChatId,
      t: translations('en'),
      zone: 'Europe/Berlin',
      logger: logger(),
      retryDelayMs: 10,
      ...options,
    });
  }

  it('posts the notice to the staff chat as HTML', async () => {
    const staff = notifier();
    staff.notify(booked);
    await staff.flush();

    expect(staffSees()).toEqual([asShown(booked).join('\n')]);
    expect(fake.chat(staffChatId).last('bot')?.html).toContain('<b>✅ New trial booking</b>');
    expect(logLines).toEqual([]);
  });

  it('retries a failed send and delivers the notice once, logging the failures without personal data', async () => {
    fake.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' }, 2);
    const staff = notifier({ retries: 3 });
    staff.notify(booked);
    await staff.flush();

    expect(sendCalls()).toHaveLength(3);
    expect(staffSees()).toHaveLength(1);
    const logs = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs).toMatchObject([
      {
        msg: 'staff notice failed, retrying',
        attempt: 1,
        error: '500 Internal Server Error',
        bookingId: 5001,
      },
      { msg: 'staff notice failed, retrying', attempt: 2 },
    ]);
    expect(logLines.join('')).not.toMatch(/Anna|Müller|Rückenfit/);
  });

  it('gives up after the last retry without throwing, and logs an error', async () => {
    fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 10);
    const staff = notifier({ retries: 2 });
    expect(() => staff.notify(booked)).not.toThrow();
    await staff.flush();

    expect(sendCalls()).toHaveLength(3);
    expect(staffSees()).toEqual([]);
    const last = JSON.parse(logLines.at(-1) ?? '{}') as Record<string, unknown>;
    expect(last).toMatchObject({ level: 50, attempt: 3, error: '502 Bad Gateway' });
    expect(String(last.msg)).toContain('staff notice dropped');
  });

  it('does not repeat a send Telegram refuses for good (bot removed from the staff chat)', async () => {
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was kicked' }, 10);
    const staff = notifier({ retries: 3 });
    staff.notify(booked);
    await staff.flush();

    expect(sendCalls()).toHaveLength(1);
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toContain('STAFF_CHAT_ID');
  });

  it('waits as long as Telegram asks after a 429 before trying again', async () => {
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests', retry_after: 1 });
    const staff = notifier({ retries: 1 });
    staff.notify(booked);
    await staff.flush();

    const [first, second] = sendCalls();
    expect(staffSees()).toHaveLength(1);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('returns from notify at once while the send hangs, and flush waits for it', async () => {
    let release!: () => void;
    const started: string[] = [];
    const staff = createStaffNotifier({
      sendMessage: (_chatId, text) => {
        started.push(text);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      chatId: staffChatId,
      t: translations('en'),
      zone: 'Europe/Berlin',
      logger: logger(),
    });

    expect(staff.notify(booked)).toBeUndefined();
    expect(started).toHaveLength(1);
    let flushed = false;
    const flushing = staff.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(flushed).toBe(false);

    release();
    await flushing;
    expect(flushed).toBe(true);
  });

  it('drops a notice it cannot even format, without throwing', async () => {
    const staff = createStaffNotifier({
      sendMessage: () => Promise.resolve(),
      chatId: staffChatId,
      t: () => {
        throw new Error('translations not loaded');
      },
      zone: 'Europe/Berlin',
      logger: logger(),
    });
    expect(() => staff.notify(booked)).not.toThrow();
    await staff.flush();
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toContain('could not be formatted');
  });
});
