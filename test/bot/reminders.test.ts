/**
 * After the booking (issue #14): confirmation nudges and the lapse notice, reminders before the
 * slot with their buttons, "Can't make it" reaching the staff chat, and the prospect's controls,
 * played through the fake Telegram on the sandbox clock, which the reminders are due by.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/fake-telegram/index.ts';
import { deleteRedisKeys, redisUrl, uniqueRedisPrefix } from '../store/redis-helpers.ts';
import { annika, chooseFirstSlot, enterConfig1Details, enterName } from './flows.ts';
import {
  botMessagesSince,
  type Harness,
  labels,
  lastText,
  mark,
  send,
  start,
  startHarness,
  tap,
  writtenByTheTestToo,
} from './harness.ts';

const minute = 60_000;
const hour = 60 * minute;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function harness(): Harness {
  if (!h) throw new Error('no harness');
  return h;
}

/** Moves the clock and waits until the prospect has `count` new bot messages. */
/** The staff chat's front desk, having opened the bot. */
async function frontDesk(harness: Harness, staffChatId: number): Promise<FakeUser> {
  const staff = harness.fake.user({ id: staffChatId, firstName: 'Front desk' });
  await start(staff);
  return staff;
}

async function passAndSee(user: FakeUser, ms: number, count = 1) {
  const before = mark(user);
  await harness().passTime(ms);
  await user.chat.waitFor(() => botMessagesSince(user, before).length >= count, 10_000);
  return botMessagesSince(user, before);
}

/** Moves the clock and gives the scheduler every chance to send; nothing may arrive. */
async function passAndSeeNothing(user: FakeUser, ms: number): Promise<void> {
  const before = mark(user);
  await harness().passTime(ms);
  // The scheduler answers every due reminder at once; a list with nothing pending proves it is done.
  for (let i = 0; i < 200; i++) {
    const due = (await harness().bot.reminders?.list({ userId: user.id })) ?? [];
    if (due.every((r) => r.dueAt > harness().sandbox.clock.now())) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(botMessagesSince(user, before).map((m) => m.text)).toEqual([]);
}

/** Rückenfit on Friday 14 June 18:00 (config 1: confirm within 24 h, i.e. by Thursday 12:00). */
async function bookFridayRueckenfit(user: FakeUser): Promise<void> {
  await start(user);
  await tap(user, '🏋️ Rückenfit');
  await tap(user, 'Fri 14 ✓');
  await tap(user, '18:00');
  await enterConfig1Details(user);
  await tap(user, '✅ Book now');
  expect(lastText(user)).toMatch(/^Almost done! Rückenfit on Friday, 14 June 2030 at 18:00/);
}

describe('confirmation nudges', () => {
  it('nudge before the deadline with the confirm button, then the lapse message and a staff notice', async () => {
    h = await startHarness({ staffChatId: 900_001 });
    const staff = await frontDesk(h, 900_001);
    const ann = h.user();
    await bookFridayRueckenfit(ann);
    const due = (await h.bot.reminders?.list({ userId: ann.id })) ?? [];
    expect(due.map((r) => [r.kind, new Date(r.dueAt).toISOString().slice(0, 16)])).toEqual([
      ['confirmation_nudge', '2030-06-13T09:00'],
      ['confirmation_nudge', '2030-06-13T09:50'],
      ['lapse_notice', '2030-06-13T10:00'],
      ['slot_reminder', '2030-06-13T16:00'],
      ['slot_reminder', '2030-06-14T14:00'],
    ]);

    // Wednesday 12:00 → Thursday 11:00: one hour before the deadline.
    const [nudge] = await passAndSee(ann, 23 * hour);
    expect(nudge?.text).toBe(
      'Reminder: please confirm Rückenfit on Friday, 14 June 2030 at 18:00 by Thursday, 13 June 2030 at 12:00, otherwise the booking lapses.',
    );
    expect(labels(nudge)).toEqual([['✅ Confirm booking'], ['No more reminders']]);
    await passAndSee(ann, 50 * minute);

    const staffBefore = staff.chat.messages.length;
    const [lapsed] = await passAndSee(ann, 10 * minute);
    expect(lapsed?.text).toBe(
      'The time to confirm Rückenfit on Friday, 14 June 2030 at 18:00 has run out, so the booking has lapsed. Would you like to book again?',
    );
    expect(labels(lapsed)).toEqual([['Book again'], ['No more reminders']]);
    await staff.chat.waitFor(() => staff.chat.messages.length > staffBefore, 10_000);
    expect(staff.chat.messages.at(-1)?.text).toMatch(/^⌛ Booking lapsed: not confirmed in time\n/);
    // The bot never confirmed by itself, and the lapsed booking gets no slot reminders.
    expect(h.sandbox.snapshot().bookings[0]?.confirmation.state).not.toBe('CONFIRMED');
    expect(await h.bot.reminders?.list({ userId: ann.id })).toEqual([]);

    // The confirm button of the first nudge now says it lapsed.
    await tap(ann, '✅ Confirm booking', nudge?.messageId);
    expect(lastText(ann)).toMatch(/has run out/);
  });

  it('staff hear of the lapse also when the conversation expired before the deadline', async () => {
    h = await startHarness({ staffChatId: 900_004, wrapStores: writtenByTheTestToo });
    const staff = await frontDesk(h, 900_004);
    const ann = h.user();
    await bookFridayRueckenfit(ann);
    const bookingId = h.sandbox.snapshot().bookings[0]?.id;
    await h.stores.conversations.delete(String(ann.id));
    const staffBefore = staff.chat.messages.length;
    // Straight to the deadline: the nudges are too late to be worth sending (dropped), the lapse notice is not.
    const seen = await passAndSee(ann, 24 * hour);
    expect(seen.at(-1)?.text).toMatch(
      /^The time to confirm Rückenfit on Friday, 14 June 2030 at 18:00 has run out/,
    );
    await staff.chat.waitFor(() => staff.chat.messages.length > staffBefore, 10_000);
    expect(staff.chat.messages.at(-1)?.text).toBe(
      [
        '⌛ Booking lapsed: not confirmed in time',
        'Offer: Rückenfit',
        'When: 2030-06-14 18:00 (Europe/Berlin)',
        'Status: EXPIRED',
        `Booking id: ${bookingId}`,
        `Telegram user: ${ann.id}`,
      ].join('\n'),
    );
  });

  it('no nudge and no lapse once confirmed; the slot reminders stay', async () => {
    h = await startHarness();
    const ann = h.user();
    await bookFridayRueckenfit(ann);
    await tap(ann, '✅ Confirm booking');
    expect(ann.chat.messages.some((m) => m.text?.startsWith('Confirmed! See you at Rückenfit'))).toBe(true);
    const due = (await h.bot.reminders?.list({ userId: ann.id })) ?? [];
    expect(due.map((r) => r.kind)).toEqual(['slot_reminder', 'slot_reminder']);
    await passAndSeeNothing(ann, 24 * hour);
    // Thursday 18:00, a day before the class.
    const [reminder] = await passAndSee(ann, 6 * hour);
    expect(reminder?.text).toMatch(/^Reminder: Rückenfit on Friday, 14 June 2030 at 18:00\./);
  });
});

describe('reminders before the slot', () => {
  it('come at 24 h and 2 h before with the room and address and both buttons; "I\'ll be there" is recorded', async () => {
    h = await startHarness();
    const ben = h.user({ firstName: 'Ben' });
    await chooseFirstSlot(ben, '🏋️ Yoga Flow');
    await enterName(ben, annika);
    await tap(ben, '✅ Book now');
    const due = (await h.bot.reminders?.list({ userId: ben.id })) ?? [];
    const slotStart = due[0]?.slotStartAt ?? 0;
    expect(due.map((r) => [r.kind, r.dueAt])).toEqual([
      ['slot_reminder', slotStart - 24 * hour],
      ['slot_reminder', slotStart - 2 * hour],
    ]);

    const [first, pin] = await passAndSee(ben, slotStart - 24 * hour - h.sandbox.clock.now(), 2);
    const lines = first?.text?.split('\n') ?? [];
    expect(lines[0]).toMatch(/^Reminder: Yoga Flow on \w+day, \d+ June 2030 at \d\d:\d\d\.$/);
    expect(lines.some((line) => line.startsWith('Address: '))).toBe(true);
    expect(labels(first)).toEqual([["I'll be there", "Can't make it"], ['No more reminders']]);
    // The studio as a map pin, as with the booking itself.
    expect(pin?.venue).toMatchObject({ title: h.sandbox.snapshot().studio.name });
    expect(lines).toContain(`Address: ${pin?.venue?.address}`);

    await tap(ben, "I'll be there", first?.messageId);
    expect(ben.chat.toasts.at(-1)?.text).toBe('Great, see you there!');
    const [second] = await passAndSee(ben, 22 * hour);
    expect(second?.text).toBe(first?.text);
  });

  it('in the language the prospect uses when it is sent', async () => {
    h = await startHarness();
    const ben = h.user();
    await chooseFirstSlot(ben, '🏋️ Yoga Flow');
    await enterName(ben, annika);
    await tap(ben, '✅ Book now');
    await send(ben, '/language de');
    const slotStart = (await h.bot.reminders?.list({ userId: ben.id }))?.[0]?.slotStartAt ?? 0;
    const [reminder] = await passAndSee(ben, slotStart - 2 * hour - h.sandbox.clock.now());
    expect(reminder?.text).toMatch(/^Erinnerung: Yoga Flow am \w+, \d+\. Juni 2030 um \d\d:\d\d\./);
    expect(labels(reminder)).toEqual([['Ich bin dabei', 'Ich kann nicht'], ['Keine Erinnerungen mehr']]);
  });

  it('show the slot in the studio time across a DST change between booking and slot', async () => {
    // Saturday 26 October 2030, 12:00 in Berlin (CEST); the clocks go back on Sunday night.
    h = await startHarness({ startAt: Date.parse('2030-10-26T10:00:00Z') });
    const ann = h.user();
    await start(ann);
    await tap(ann, '🏋️ Rückenfit');
    await tap(ann, 'Mon 28 ✓');
    await tap(ann, '18:00');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    await tap(ann, '✅ Confirm booking');
    const due = (await h.bot.reminders?.list({ userId: ann.id })) ?? [];
    // 18:00 CET is 17:00Z; 24 h before is Sunday 18:00 CET.
    expect(due.map((r) => new Date(r.dueAt).toISOString())).toEqual([
      '2030-10-27T17:00:00.000Z',
      '2030-10-28T15:00:00.000Z',
    ]);
    const [reminder] = await passAndSee(ann, Date.parse('2030-10-27T17:00:00Z') - h.sandbox.clock.now());
    expect(reminder?.text).toMatch(/^Reminder: Rückenfit on Monday, 28 October 2030 at 18:00\./);
  });
});

describe('Telegram refusing a reminder', () => {
  /** Yoga Flow today (config 2: no confirmation): its reminders, and the prospect. */
  async function bookYoga() {
    const ben = harness().user();
    await chooseFirstSlot(ben, '🏋️ Yoga Flow');
    await enterName(ben, annika);
    await tap(ben, '✅ Book now');
    const due = (await harness().bot.reminders?.list({ userId: ben.id })) ?? [];
    return { ben, due };
  }

  it('a 429 pauses the sending and the reminder arrives once afterwards', async () => {
    h = await startHarness();
    const { ben, due } = await bookYoga();
    h.fake.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      retry_after: 1,
    });
    const [reminder] = await passAndSee(ben, (due.at(-1)?.dueAt ?? 0) - h.sandbox.clock.now());
    expect(reminder?.text).toMatch(/^Reminder: Yoga Flow/);
    expect(botMessagesSince(ben, 0).filter((m) => m.text?.startsWith('Reminder:'))).toHaveLength(1);
    // The refused send and the one after the pause.
    const reminderSends = ben.chat.calls.filter(
      (call) => call.method === 'sendMessage' && String(call.params.text).startsWith('Reminder:'),
    );
    expect(reminderSends).toHaveLength(2);
  });

  it('a prospect who blocked the bot loses the remaining reminders', async () => {
    h = await startHarness();
    const { ben, due } = await bookYoga();
    expect(due).toHaveLength(2);
    h.fake.failNext('sendMessage', {
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    await h.passTime((due[0]?.dueAt ?? 0) - h.sandbox.clock.now());
    for (let i = 0; i < 500 && ((await h.bot.reminders?.list({ userId: ben.id })) ?? []).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await h.bot.reminders?.list({ userId: ben.id })).toEqual([]);
  });
});

describe('"Can\'t make it"', () => {
  it('tells the staff chat, answers with the studio\'s phone and "Book another time", and cancels later reminders', async () => {
    h = await startHarness({ staffChatId: 900_002 });
    const staff = await frontDesk(h, 900_002);
    const ann = h.user({ firstName: 'Annika', lastName: 'Lindqvist' });
    await bookFridayRueckenfit(ann);
    await tap(ann, '✅ Confirm booking');
    const bookingId = h.sandbox.snapshot().bookings[0]?.id;
    const [reminder] = await passAndSee(ann, 30 * hour);
    expect(reminder?.text).toMatch(/^Reminder: Rückenfit on Friday, 14 June 2030 at 18:00\./);

    const staffBefore = staff.chat.messages.length;
    await tap(ann, "Can't make it", reminder?.messageId);
    const answer = ann.chat.last('bot');
    expect(answer?.text).toMatch(/^Thanks for letting us know. I've told the studio that you can't make it/);
    expect(answer?.text).toMatch(/📞 /);
    expect(labels(answer)).toEqual([['Book another time']]);
    await h.bot.flush();
    await staff.chat.waitFor(() => staff.chat.messages.length > staffBefore, 10_000);
    expect(staff.chat.messages.at(-1)?.text).toBe(
      [
        "🚫 Prospect can't make it: please cancel or move the booking",
        'Class: Rückenfit (id 101)',
        'When: 2030-06-14 18:00 (Europe/Berlin)',
        'Name: Annika Lindqvist',
        `Lead id: ${h.sandbox.snapshot().leads[0]?.id}`,
        `Booking id: ${bookingId}`,
        `Telegram user: ${ann.id}`,
      ].join('\n'),
    );
    expect(await h.bot.reminders?.list({ userId: ann.id })).toEqual([]);
    await passAndSeeNothing(ann, 24 * hour);

    // A second tap does not tell the studio twice.
    await tap(ann, "Can't make it", reminder?.messageId);
    expect(ann.chat.toasts.at(-1)?.text).toBe("The studio already knows that you can't make it.");
    await h.bot.flush();
    expect(staff.chat.messages.length).toBe(staffBefore + 1);

    await tap(ann, 'Book another time');
    expect(lastText(ann)).toMatch(/^When would you like to come to Rückenfit\?/);
  });
  it('still works once the conversation that recorded the booking has expired', async () => {
    h = await startHarness({ staffChatId: 900_003, wrapStores: writtenByTheTestToo });
    const staff = await frontDesk(h, 900_003);
    const ann = h.user({ firstName: 'Annika', lastName: 'Lindqvist' });
    await bookFridayRueckenfit(ann);
    await tap(ann, '✅ Confirm booking');
    const bookingId = h.sandbox.snapshot().bookings[0]?.id;
    // CONVERSATION_TTL_HOURS passed without a word from the prospect: the stored conversation is gone.
    await h.stores.conversations.delete(String(ann.id));
    const [reminder] = await passAndSee(ann, 30 * hour);

    await tap(ann, "I'll be there", reminder?.messageId);
    expect(ann.chat.toasts.at(-1)).toMatchObject({ text: 'Great, see you there!', showAlert: false });
    const staffBefore = staff.chat.messages.length;
    await tap(ann, "Can't make it", reminder?.messageId);
    expect(lastText(ann)).toMatch(/^Thanks for letting us know\./);
    await h.bot.flush();
    await staff.chat.waitFor(() => staff.chat.messages.length > staffBefore, 10_000);
    expect(staff.chat.messages.at(-1)?.text).toBe(
      [
        "🚫 Prospect can't make it: please cancel or move the booking",
        'Name: Annika Lindqvist',
        `Booking id: ${bookingId}`,
        `Telegram user: ${ann.id}`,
      ].join('\n'),
    );
    expect(await h.bot.reminders?.list({ userId: ann.id })).toEqual([]);
  });
});

describe("the prospect's control", () => {
  it('"No more reminders" drops every pending one; /reminders switches them on again for the next booking', async () => {
    h = await startHarness();
    const ann = h.user();
    await bookFridayRueckenfit(ann);
    const [nudge] = await passAndSee(ann, 23 * hour);
    await tap(ann, 'No more reminders', nudge?.messageId);
    expect(lastText(ann)).toBe(
      'Okay, no more reminders. Type /reminders to switch them on again for your next bookings.',
    );
    expect(await h.bot.reminders?.list({ userId: ann.id })).toEqual([]);
    await passAndSeeNothing(ann, 2 * hour);

    await send(ann, '/reminders');
    expect(lastText(ann)).toBe(
      'Reminders are on again: your next bookings get them. Type /reminders to switch them off.',
    );
    await send(ann, '/reminders');
    expect(lastText(ann)).toMatch(/^Okay, no more reminders\./);
  });

  it('/reminders off means the next booking gets none', async () => {
    h = await startHarness();
    const ben = h.user();
    await start(ben);
    await send(ben, '/reminders');
    await chooseFirstSlot(ben, '🏋️ Yoga Flow');
    await enterName(ben, annika);
    await tap(ben, '✅ Book now');
    expect(await h.bot.reminders?.list({ userId: ben.id })).toEqual([]);
  });

  it('/forget deletes every scheduled reminder of the user', async () => {
    h = await startHarness();
    const ann = h.user();
    await bookFridayRueckenfit(ann);
    expect((await h.bot.reminders?.list({ userId: ann.id }))?.length).toBe(5);
    await send(ann, '/forget');
    expect(await h.bot.reminders?.list({ userId: ann.id })).toEqual([]);
    await passAndSeeNothing(ann, 30 * hour);
  });

  it('a waiting-list place gets no slot reminders but a line that the studio will get in touch', async () => {
    h = await startHarness();
    const ann = h.user();
    await start(ann);
    await tap(ann, '🏋️ Rückenfit');
    await tap(ann, 'Thu 13 ⏳');
    await tap(ann, '18:00 ⏳');
    await enterConfig1Details(ann);
    await tap(ann, /^✅ /);
    expect(lastText(ann)).toMatch(/^You're on the waiting list/);
    expect(lastText(ann)).toMatch(/the studio will get in touch with you if a place becomes free\.$/);
    expect(await h.bot.reminders?.list({ userId: ann.id })).toEqual([]);
  });
});

describe('with the embedded SQLite store', () => {
  it('scheduled reminders survive a restart of the bot', async () => {
    h = await startHarness({ storage: 'sqlite' });
    const ben = h.user();
    await chooseFirstSlot(ben, '🏋️ Yoga Flow');
    await enterName(ben, annika);
    await tap(ben, '✅ Book now');
    const due = (await h.bot.reminders?.list({ userId: ben.id })) ?? [];
    expect(due).toHaveLength(2);
    await h.restartBot();
    expect(await h.bot.reminders?.list({ userId: ben.id })).toEqual(due);
    const [reminder] = await passAndSee(ben, (due[0]?.dueAt ?? 0) - h.sandbox.clock.now());
    expect(reminder?.text).toMatch(/^Reminder: Yoga Flow/);
  });
});

describe('on Redis (BullMQ)', () => {
  it('a slot reminder arrives when due and "Can\'t make it" drops the later one', async () => {
    const prefix = uniqueRedisPrefix('reminder-flow');
    try {
      h = await startHarness({ storageUrl: redisUrl(prefix) });
      const ben = h.user();
      await chooseFirstSlot(ben, '🏋️ Yoga Flow');
      await enterName(ben, annika);
      await tap(ben, '✅ Book now');
      const due = (await h.bot.reminders?.list({ userId: ben.id })) ?? [];
      expect(due.map((r) => r.kind)).toEqual(['slot_reminder', 'slot_reminder']);
      const [reminder] = await passAndSee(ben, (due[0]?.dueAt ?? 0) - h.sandbox.clock.now(), 1);
      expect(reminder?.text).toMatch(/^Reminder: Yoga Flow/);
      await tap(ben, "Can't make it", reminder?.messageId);
      expect(lastText(ben)).toMatch(/^Thanks for letting us know\./);
      expect(await h.bot.reminders?.list({ userId: ben.id })).toEqual([]);
    } finally {
      await h?.stop();
      h = undefined;
      await deleteRedisKeys(prefix);
    }
  });
});
