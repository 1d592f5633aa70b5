/**
 * A chain of three sandbox studios (`berlin`, `hamburg`, `lisboa`): each conversation books at
 * the studio its deep link names, with a lead of its own there, and tells that studio's staff.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { annika, enterConfig1Details, enterName, firstSlot } from './flows.ts';
import {
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

const greetingOf = (studio: string) =>
  `Hi! I'm the booking assistant of ${studio}. I can book you a free trial session in a minute.`;

function studioNamed(harness: Harness, id: string) {
  const studio = harness.sandbox.studios.find((each) => each.id === id);
  if (!studio) throw new Error(`no sandbox studio ${id}`);
  return studio;
}

/** Yoga Flow (class 103, names only) from its first slot to booked. */
async function bookYoga(user: Parameters<typeof start>[0], payload: string | undefined): Promise<void> {
  if (payload === undefined) await tap(user, '🏋️ Yoga Flow');
  else await start(user, payload);
  await tap(user, firstSlot);
  await enterName(user, annika);
  const answers = await newTexts(user, () => tap(user, '✅ Book now'));
  expect(answers[0]).toMatch(/^You're booked! Yoga Flow on /);
}

describe('a studio chain', () => {
  it('a deep link to another studio opens its offer and books there, not at the first', async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user();
    const answers = await newTexts(ann, () => start(ann, 's-hamburg_c101_poster'));
    expect(answers.map((text) => text?.split('\n')[0])).toEqual([
      greetingOf('Studio Kiez Hamburg'),
      'When would you like to come to Rücken stark?',
    ]);

    await bookYoga(ann, 's-hamburg_c103');
    expect(studioNamed(h, 'hamburg').snapshot().bookings).toHaveLength(1);
    expect(studioNamed(h, 'berlin').snapshot().bookings).toHaveLength(0);
    expect(studioNamed(h, 'berlin').callCounts().leadCreate).toBe(0);
  });

  it("a studio's whole-offer link lists that studio's offers", async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user();
    await start(ann, 's-lisboa');
    const [greeting, ...rest] = (lastText(ann) ?? '').split('\n');
    expect(greeting).toBe(greetingOf('Studio Kiez Lisboa'));
    expect(
      ann.chat
        .last('bot')
        ?.buttons?.flat()
        .map((button) => button.text),
    ).toContain('🏋️ Costas em forma');
    expect(rest.length).toBeGreaterThan(0);
  });

  it('the same prospect books at two studios: two leads, one per studio, each remembered', async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user();
    await bookYoga(ann, 's-hamburg_c103');
    // An old link (no studio part) means the first studio.
    await bookYoga(ann, 'c103');

    const hamburg = studioNamed(h, 'hamburg').snapshot();
    const berlin = studioNamed(h, 'berlin').snapshot();
    expect(hamburg.leads).toHaveLength(1);
    expect(berlin.leads).toHaveLength(1);
    expect(hamburg.bookings).toHaveLength(1);
    expect(berlin.bookings).toHaveLength(1);
    const profile = JSON.parse(String(await h.stores.leads.get(String(ann.id))));
    expect(profile).toMatchObject({
      leadId: berlin.leads[0]?.id,
      studios: { hamburg: { leadId: hamburg.leads[0]?.id } },
    });
  });

  it('a confirm button of a booking at another studio confirms it there', async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user({ firstName: 'Annika', lastName: 'Lindqvist' });
    await start(ann, 's-hamburg_c101');
    await tap(ann, '18:00');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    const confirmMessage = ann.chat.last('bot');
    expect(labels(confirmMessage as never)).toEqual([['✅ Confirm booking']]);
    // Meanwhile the prospect books at the first studio.
    await bookYoga(ann, 'c103');

    await tap(ann, '✅ Confirm booking', confirmMessage?.messageId);
    expect(ann.chat.messages.find((m) => m.messageId === confirmMessage?.messageId)?.text).toBe(
      'Confirmed! See you there.',
    );
    const hamburg = studioNamed(h, 'hamburg').snapshot().bookings;
    expect(hamburg.map((booking) => booking.confirmation?.state)).toEqual(['CONFIRMED']);
    expect(studioNamed(h, 'berlin').callCounts().confirm).toBe(0);
  });

  it("staff notices reach the booking studio's chat, or the default chat", async () => {
    const { harness, desk, hamburgDesk } = await chainWithDesks();
    h = harness;
    const seen = { desk: desk.chat.messages.length, hamburg: hamburgDesk.chat.messages.length };
    const ann = h.user();

    await bookYoga(ann, 's-hamburg_c103');
    await h.bot.flush();
    expect(hamburgDesk.chat.messages.slice(seen.hamburg).map((m) => m.text?.split('\n')[0])).toEqual([
      '🆕 New lead',
      '✅ New trial booking',
    ]);
    expect(desk.chat.messages).toHaveLength(seen.desk);

    await bookYoga(ann, 's-lisboa_c103');
    await h.bot.flush();
    const lisboa = desk.chat.messages.slice(seen.desk).map((m) => m.text?.split('\n') ?? []);
    expect(lisboa.map((lines) => lines[0])).toEqual(['🆕 New lead', '✅ New trial booking']);
    // The default chat may serve several studios: every notice says which one.
    expect(lisboa.map((lines) => lines[1])).toEqual(['Studio: lisboa', 'Studio: lisboa']);
    expect(hamburgDesk.chat.messages).toHaveLength(seen.hamburg + 2);
    expect(hamburgDesk.chat.messages.at(-1)?.text?.split('\n')[1]).toBe('Studio: hamburg');
  });

  it('a 429 lockout at one studio leaves another booking normally', async () => {
    h = await startHarness({ chain: {}, maxRateLimitWaitMs: 0 });
    studioNamed(h, 'hamburg').faults.set('classSlots', {
      kind: 'status',
      status: 429,
      retryAfterSeconds: 60,
    });
    const ann = h.user();
    const bea = h.user({ firstName: 'Bea' });

    await start(ann, 's-hamburg_c103');
    expect(lastText(ann)).toMatch(/^The studio's booking system is busy right now/);
    await bookYoga(bea, 's-lisboa_c103');
    expect(studioNamed(h, 'lisboa').snapshot().bookings).toHaveLength(1);
    expect(studioNamed(h, 'hamburg').snapshot().bookings).toHaveLength(0);
  });
});

describe('picking a studio', () => {
  const berlin = 'Berlin · Oderberger Straße 12';
  const hamburg = 'Hamburg · Schulterblatt 73';
  const lisboa = 'Lisboa · Rua da Rosa 120';
  const pickText = 'Which studio would you like to train at?';
  const shareLocation = { text: '📍 Share my location', requestContact: false, requestLocation: true };

  it('/start asks which studio; a tap opens its offer, a later /start goes there, /studio switches', async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user();
    const answers = await newTexts(ann, () => start(ann));
    expect(answers).toEqual([
      pickText,
      "Or share your location, and I'll show you the studios nearest to you.",
    ]);
    expect(labels(ann.chat.messages.at(-2) as never)).toEqual([[berlin], [hamburg], [lisboa]]);
    expect(ann.chat.replyKeyboard?.rows).toEqual([[shareLocation]]);

    await tap(ann, hamburg);
    expect(botTexts(ann).at(-1)?.split('\n')[0]).toBe(greetingOf('Studio Kiez Hamburg'));
    expect(labels(ann.chat.last('bot') as never).flat()).toContain('🏋️ Rücken stark');

    // Remembered: a plain /start opens Hamburg again.
    const again = await newTexts(ann, () => start(ann));
    expect(again[0]?.split('\n')[0]).toBe(greetingOf('Studio Kiez Hamburg'));

    expect(ann.chat.commands.map((command) => command.command)).toContain('studio');
    await send(ann, '/studio');
    expect(botTexts(ann).at(-2)).toBe(pickText);
    await tap(ann, lisboa);
    await bookYoga(ann, undefined);
    expect(studioNamed(h, 'lisboa').snapshot().bookings).toHaveLength(1);
    expect(studioNamed(h, 'hamburg').snapshot().bookings).toHaveLength(0);
  });

  it('a chain past one screen pages its studios, eight at a time, in one message', async () => {
    // 3 + 150 studios: one keyboard of them all would pass Telegram's 100 buttons and be refused.
    h = await startHarness({ chain: { moreStudios: 150 } });
    const ann = h.user();
    await start(ann);
    const picker = ann.chat.messages.at(-2);
    expect(picker?.text).toBe(pickText);
    expect(labels(picker as never)).toEqual([
      [berlin],
      [hamburg],
      [lisboa],
      ...[1, 2, 3, 4, 5].map((n) => [`Town ${n} · Oderberger Straße 12`]),
      ['More studios ▶'],
    ]);

    await tap(ann, 'More studios ▶', picker?.messageId);
    const second = ann.chat.messages.find((m) => m.messageId === picker?.messageId);
    expect(labels(second as never)).toEqual([
      ...[6, 7, 8, 9, 10, 11, 12, 13].map((n) => [`Town ${n} · Oderberger Straße 12`]),
      ['◀ Back', 'More studios ▶'],
    ]);
    // Still one picker: the page replaced the one before.
    expect(botTexts(ann).filter((text) => text === pickText)).toHaveLength(1);

    await tap(ann, 'Town 13 · Oderberger Straße 12', picker?.messageId);
    expect(botTexts(ann).at(-1)?.split('\n')[0]).toBe(greetingOf('Studio Town 13'));
    await tap(ann, '◀ Back', picker?.messageId);
    expect(labels(ann.chat.messages.find((m) => m.messageId === picker?.messageId) as never)[0]).toEqual([
      berlin,
    ]);
  });

  it('a shared location lists the nearest three studios with their distance, nearest first', async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user();
    await start(ann);
    // Hamburg Hauptbahnhof.
    await ann.shareLocation(53.553, 10.0069);
    await ann.settled();
    const answer = ann.chat.last('bot');
    expect(answer?.text).toBe('The studios nearest to you:');
    expect(labels(answer as never)).toEqual([
      [`${hamburg} · 3.1 km`],
      [`${berlin} · 254 km`],
      [`${lisboa} · 2,200 km`],
    ]);
    await tap(ann, `${hamburg} · 3.1 km`);
    expect(botTexts(ann).at(-1)?.split('\n')[0]).toBe(greetingOf('Studio Kiez Hamburg'));
  });

  it('speaks German: distances with a decimal comma', async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user({ languageCode: 'de' });
    await start(ann);
    expect(botTexts(ann).at(-2)).toBe('In welchem Studio möchtest du trainieren?');
    await ann.shareLocation(53.553, 10.0069);
    await ann.settled();
    expect(labels(ann.chat.last('bot') as never)[0]).toEqual([`${hamburg} · 3,1 km`]);
    expect(ann.chat.commands).toContainEqual({ command: 'studio', description: 'Anderes Studio wählen' });
  });

  it('a single studio asks nothing and has no /studio', async () => {
    h = await startHarness();
    const ann = h.user();
    const answers = await newTexts(ann, () => start(ann));
    expect(answers[0]?.split('\n')[0]).toBe(greetingOf('Studio Kiez Berlin'));
    expect(ann.chat.commands.map((command) => command.command)).not.toContain('studio');
  });
});

describe('reminders in a studio chain', () => {
  it("a booking at another studio is reminded with that studio's address and map pin", async () => {
    h = await startHarness({ chain: {} });
    const ann = h.user();
    await bookYoga(ann, 's-hamburg_c103');
    const due = (await h.bot.reminders?.list({ userId: ann.id })) ?? [];
    expect(due.map((reminder) => reminder.kind)).toEqual(['slot_reminder', 'slot_reminder']);

    const before = mark(ann);
    await h.passTime((due[0]?.dueAt ?? 0) - h.sandbox.clock.now());
    await ann.chat.waitFor(() => botMessagesSince(ann, before).length >= 2, 10_000);
    const [reminder, pin] = botMessagesSince(ann, before);
    expect(reminder?.text).toMatch(/^Reminder: Yoga Flow on /);
    const hamburg = studioNamed(h, 'hamburg').snapshot().studio;
    expect(pin?.venue).toMatchObject({ title: hamburg.name });
    expect(pin?.venue?.title).not.toBe(studioNamed(h, 'berlin').snapshot().studio.name);
    expect(reminder?.text?.split('\n')).toContain(`Address: ${pin?.venue?.address}`);
  });

  it('two studios giving the same booking id: each booking keeps its own reminders', async () => {
    // town-1 has Berlin's data, so its first booking gets Berlin's first booking id too.
    h = await startHarness({ chain: { moreStudios: 1 } });
    const ann = h.user();
    await bookYoga(ann, 's-berlin_c103');
    await bookYoga(ann, 's-town-1_c103');
    const [berlin] = studioNamed(h, 'berlin').snapshot().bookings;
    const [town] = studioNamed(h, 'town-1').snapshot().bookings;
    expect(town?.id).toBe(berlin?.id);
    const due = (await h.bot.reminders?.list({ userId: ann.id })) ?? [];
    expect(due.map((reminder) => reminder.kind)).toEqual([
      'slot_reminder',
      'slot_reminder',
      'slot_reminder',
      'slot_reminder',
    ]);

    // Both bookings are reminded when the first reminder is due, each with its own studio's pin.
    const before = mark(ann);
    await h.passTime((due[0]?.dueAt ?? 0) - h.sandbox.clock.now());
    await ann.chat.waitFor(() => botMessagesSince(ann, before).filter((m) => m.venue).length >= 2, 10_000);
    const shown = botMessagesSince(ann, before);
    expect(shown.filter((m) => /^Reminder: Yoga Flow on /.test(m.text ?? ''))).toHaveLength(2);
    expect(shown.flatMap((m) => (m.venue ? [m.venue.title] : [])).sort()).toEqual([
      'Studio Kiez Berlin',
      'Studio Town 1',
    ]);
  });

  it('"Can\'t make it" on one of two bookings with the same id: that studio\'s staff hear, only its reminders go', async () => {
    const townChat = 900_105;
    h = await startHarness({ chain: { moreStudios: 1, staffChats: { 'town-1': townChat } } });
    const townDesk = h.fake.user({ id: townChat, firstName: 'Town desk' });
    await start(townDesk);
    const ann = h.user();
    await bookYoga(ann, 's-berlin_c103');
    await bookYoga(ann, 's-town-1_c103');
    await h.bot.flush();
    const seenAtTown = townDesk.chat.messages.length;
    const due = (await h.bot.reminders?.list({ userId: ann.id })) ?? [];
    const before = mark(ann);
    await h.passTime((due[0]?.dueAt ?? 0) - h.sandbox.clock.now());
    await ann.chat.waitFor(() => botMessagesSince(ann, before).filter((m) => m.venue).length >= 2, 10_000);
    // Each reminder is followed by its studio's pin: the one before Town 1's pin is Town 1's.
    const shown = botMessagesSince(ann, before);
    const townPin = shown.findIndex((m) => m.venue?.title === 'Studio Town 1');
    const townReminder = shown[townPin - 1];
    expect(townReminder?.text).toMatch(/^Reminder: Yoga Flow on /);
    const pendingBefore = ((await h.bot.reminders?.list({ userId: ann.id })) ?? []).map((r) => r.bookingRef);

    await tap(ann, "Can't make it", townReminder?.messageId);
    await h.bot.flush();

    expect(townDesk.chat.messages.slice(seenAtTown).map((m) => m.text?.split('\n')[0])).toEqual([
      "🚫 Prospect can't make it: please cancel or move the booking",
    ]);
    const pendingAfter = ((await h.bot.reminders?.list({ userId: ann.id })) ?? []).map((r) => r.bookingRef);
    expect(pendingBefore.filter((ref) => ref.startsWith('town-1_'))).not.toEqual([]);
    expect(pendingAfter).toEqual(pendingBefore.filter((ref) => !ref.startsWith('town-1_')));
  });

  it('"Can\'t make it" on a reminder tells the booking studio\'s staff, though the prospect moved on', async () => {
    const { harness, desk, hamburgDesk } = await chainWithDesks();
    h = harness;
    const ann = h.user();
    await bookYoga(ann, 's-hamburg_c103');
    // The prospect goes on at Berlin before the Hamburg booking's reminder comes.
    await start(ann, 's-berlin');
    await h.bot.flush();
    const seen = { desk: desk.chat.messages.length, hamburg: hamburgDesk.chat.messages.length };

    const due = (await h.bot.reminders?.list({ userId: ann.id })) ?? [];
    const before = mark(ann);
    await h.passTime((due[0]?.dueAt ?? 0) - h.sandbox.clock.now());
    await ann.chat.waitFor(() => botMessagesSince(ann, before).length >= 1, 10_000);
    const [reminder] = botMessagesSince(ann, before);
    await tap(ann, "Can't make it", reminder?.messageId);
    await h.bot.flush();
    expect(hamburgDesk.chat.messages.slice(seen.hamburg).map((m) => m.text?.split('\n')[0])).toEqual([
      "🚫 Prospect can't make it: please cancel or move the booking",
    ]);
    expect(desk.chat.messages).toHaveLength(seen.desk);
  });
});

/** The demo chain with a default staff chat and one of Hamburg's own, each with its desk listening. */
async function chainWithDesks() {
  const defaultChat = 900_101;
  const hamburgChat = 900_102;
  h = await startHarness({ chain: { staffChats: { hamburg: hamburgChat } }, staffChatId: defaultChat });
  const desk = h.fake.user({ id: defaultChat, firstName: 'Front desk' });
  const hamburgDesk = h.fake.user({ id: hamburgChat, firstName: 'Schanze desk' });
  await start(desk);
  await start(hamburgDesk);
  return { harness: h, desk, hamburgDesk };
}

function botTexts(user: Parameters<typeof start>[0]): string[] {
  return user.chat.messages.filter((m) => m.from === 'bot').map((m) => m.text ?? '');
}
