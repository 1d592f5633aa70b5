/**
 * End to end through the fake Telegram against the sandbox studio: how the bot answers the
 * studio's refusals and dead ends (a lead the studio deleted, a 429 lockout, a slot that filled
 * up, a trial limit, /forget with a booking still to confirm).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/fake-telegram/index.ts';
import {
  annika,
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

function harness(): Harness {
  if (!h) throw new Error('no harness');
  return h;
}

/** Books Yoga Flow at its first free time (Friday 14 June, 10:00) for a new prospect; answers the lead id. */
async function bookYoga(user: FakeUser): Promise<number> {
  await yogaUpToSummary(user);
  await tap(user, '✅ Book now');
  // The calendar file, then the studio as a venue.
  expect(botMessages(user).at(-2)?.text).toBe('Add Yoga Flow to your calendar.');
  const lead = harness().sandbox.snapshot().leads.at(-1);
  if (!lead) throw new Error('no lead was created');
  return lead.id;
}

function saidCouldNotProcess(user: FakeUser): boolean {
  return botMessages(user).some((m) => m.text?.includes("couldn't process"));
}

describe('a lead the studio no longer knows (deleted or merged there, or a reset sandbox)', () => {
  it('a slot tap leads to the details once more and a booking for the new lead, never a loop', async () => {
    h = await startHarness();
    const ann = h.user();
    const oldLead = await bookYoga(ann);
    expect(h.sandbox.deleteLead(oldLead)).toBe(true);

    await start(ann);
    await tap(ann, '🏋️ Yoga Flow');
    await tap(ann, 'Later ▶️');
    await tap(ann, firstSlot);
    const chosen = /^Please check your booking: Yoga Flow on (.+ at 10:00)\./.exec(lastText(ann))?.[1];
    expect(chosen).toMatch(/^\w+day, \d+ June 2030 at 10:00$/);
    expect(await newTexts(ann, () => tap(ann, '✅ Book now'))).toEqual([
      `The studio no longer has your details on file, so I need them once more to book Yoga Flow on ${chosen}.\n` +
        "What's your first name?",
    ]);
    await enterName(ann, annika);
    expect(lastText(ann)).toMatch(/^Please check your booking: Yoga Flow on .+\nName: Annika Lindqvist\n/);
    const booked = await newTexts(ann, () => tap(ann, '✅ Book now'));
    expect(booked[0]?.split('\n')[0]).toBe(`You're booked! Yoga Flow on ${chosen}.`);

    const { leads, bookings } = h.sandbox.snapshot();
    expect(leads.map((lead) => lead.id)).not.toContain(oldLead);
    expect(leads).toHaveLength(1);
    expect(bookings.map((b) => b.customerId)).toEqual([oldLead, leads[0]?.id]);
    expect(saidCouldNotProcess(ann)).toBe(false);

    // The new lead is the one remembered: the next slot tap needs no details.
    await start(ann);
    await tap(ann, '🏋️ Yoga Flow');
    await tap(ann, 'Thu 13 ⏳');
    await tap(ann, '10:00 ⏳');
    expect(lastText(ann)).toMatch(
      /^Please check your booking: Yoga Flow on Thursday, 13 June 2030 at 10:00\./,
    );
  });

  it('an appointment list that names the lead comes again without it, and the details are asked', async () => {
    h = await startHarness();
    const ann = h.user();
    h.sandbox.deleteLead(await bookYoga(ann));

    await start(ann);
    const texts = await newTexts(ann, () => tap(ann, '📅 Body-Check'));
    expect(texts.map((t) => t?.split('\n')[0])).toEqual([
      "The studio no longer has your details on file, so I'll ask for them once more after you've picked a time.",
      'When would you like to come to Body-Check?',
    ]);
    // Thursday 13 June, the first day with times, is shown.
    await tap(ann, '08:30');
    expect(lastText(ann)).toMatch(
      /^Good choice: Body-Check on Thursday, 13 June 2030 at 08:30\..*\nWhat's your first name\?$/,
    );
    expect(saidCouldNotProcess(ann)).toBe(false);
  });
});

describe('a 429 lockout at the studio', () => {
  const busy =
    "The studio's booking system is busy right now. I'll try again by myself in about 2 seconds and tell you how it went.";

  it('says busy and how long, "try again" edits the one notice, and the step repeats by itself', async () => {
    // A lockout longer than the client may wait (0 here, 5 s by default) fails the call at once.
    h = await startHarness({ maxRateLimitWaitMs: 0 });
    const ann = h.user();
    await start(ann);
    h.sandbox.faults.set('classSlots', { kind: 'status', status: 429, retryAfterSeconds: 2, times: 1 });
    const before = mark(ann);

    await tap(ann, '🏋️ Yoga Flow');
    const notice = ann.chat.last('bot');
    // Nothing was entered, so nothing is said to be saved.
    expect(notice?.text).toBe(busy);
    expect(labels(notice)).toEqual([['🔄 Try again']]);

    const toasts = ann.chat.toasts.length;
    await tap(ann, '🔄 Try again');
    await tap(ann, '🔄 Try again');
    expect(ann.chat.toasts.slice(toasts).map((t) => t.text)).toEqual([
      "Still busy. I'll try again by myself, no need to tap.",
      "Still busy. I'll try again by myself, no need to tap.",
    ]);
    expect(botMessagesSince(ann, before).map((m) => m.text)).toEqual([busy]);
    // The taps sent nothing to the locked endpoint.
    expect(h.sandbox.callCounts().classSlots).toBe(1);

    // Once the lockout is over, the bot loads the list by itself: no tap.
    await ann.chat.waitFor(
      (chat) => chat.last('bot')?.text?.startsWith('When would you like to come to Yoga Flow?') ?? false,
      20_000,
    );
    expect(botMessagesSince(ann, before).map((m) => m.text?.split('\n')[0])).toEqual([
      busy,
      'When would you like to come to Yoga Flow?',
    ]);
    expect(h.sandbox.callCounts().classSlots).toBe(2);
  });

  it('with details entered, says they are saved; the timer books once the lockout is over', async () => {
    h = await startHarness({ maxRateLimitWaitMs: 0 });
    const ann = h.user();
    await yogaUpToSummary(ann);
    h.sandbox.faults.set('leadValidate', { kind: 'status', status: 429, retryAfterSeconds: 2, times: 1 });
    await tap(ann, '✅ Book now');
    expect(lastText(ann)).toBe(`${busy}\nEverything you've entered is saved.`);
    await ann.chat.waitFor((chat) => chat.last('bot')?.text === 'Add Yoga Flow to your calendar.', 20_000);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
  });

  it('after /cancel the timer does nothing', async () => {
    const logLines: string[] = [];
    h = await startHarness({ maxRateLimitWaitMs: 0, logLines });
    const ann = h.user();
    await start(ann);
    h.sandbox.faults.set('classSlots', { kind: 'status', status: 429, retryAfterSeconds: 2, times: 1 });
    await tap(ann, '🏋️ Yoga Flow');
    expect(lastText(ann)).toBe(busy);
    await send(ann, '/cancel');
    const afterCancel = mark(ann);

    // The timer's event reaches the flow (it logs its transition), which leaves it alone.
    const deadline = Date.now() + 20_000;
    while (!logLines.some((line) => line.includes('"event":"retryDue"'))) {
      if (Date.now() > deadline) throw new Error('the timer never fired');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await ann.settled();
    expect(botMessagesSince(ann, afterCancel)).toEqual([]);
    expect(h.sandbox.callCounts().classSlots).toBe(1);
  });
});

describe('a slot that filled up while the prospect typed', () => {
  it('asks before the waiting list; the waiting list only on their own tap', async () => {
    // Yoga's first free time (Friday 10:00) has one place left, and room on its waiting list.
    const friday10 = Date.parse('2030-06-14T08:00:00Z');
    h = await startHarness({
      seed: (seed) => ({
        ...seed,
        classes: seed.classes.map((c) => ({
          ...c,
          slots: c.slots.map((slot) =>
            c.id === 103 && slot.startMs === friday10
              ? { ...slot, bookedParticipants: slot.maxParticipants - 1, waitingListParticipants: 0 }
              : slot,
          ),
        })),
      }),
    });
    const ann = h.user();
    const ben = h.user({ firstName: 'Ben' });
    await yogaUpToSummary(ann);
    expect(lastText(ann)).toMatch(
      /^Please check your booking: Yoga Flow on Friday, 14 June 2030 at 10:00\.\nName/,
    );
    // Ben takes the last place meanwhile.
    await yogaUpToSummary(ben, { firstName: 'Ben', lastName: 'Okafor', email: 'ben@example.com' });
    await tap(ben, '✅ Book now');
    expect(botMessages(ben).at(-2)?.text).toBe('Add Yoga Flow to your calendar.');

    const asked = await newTexts(ann, () => tap(ann, '✅ Book now'));
    expect(asked.map((t) => t?.split('\n')[0])).toEqual([
      'Sorry, this time has just filled up. You can still join its waiting list: tap it again below, or pick another time.',
    ]);
    // The list comes again on the chosen day, its time now marked as the waiting list.
    const list = ann.chat.last('bot');
    expect(list?.text).toContain(
      '📅 Friday, 14 June 2030: pick a time.\n⏳ Full: tap it to get on the waiting list.',
    );
    expect(labels(list)[0]).toEqual(['Thu 13 ⏳', '• Fri 14 •', 'Sat 15 ✕']);
    expect(labels(list)[2]).toEqual(['10:00 ⏳']);
    // Nothing was sent for Annika: no lead, no booking.
    expect(h.sandbox.snapshot().leads).toHaveLength(1);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);

    await tap(ann, '10:00 ⏳');
    expect(lastText(ann).split('\n').slice(0, 2)).toEqual([
      'Please check your booking: Yoga Flow on Friday, 14 June 2030 at 10:00.',
      "This time is full, so you'll be put on the waiting list.",
    ]);
    await tap(ann, '✅ Book now');
    expect(lastText(ann)).toMatch(
      /^You're on the waiting list for Yoga Flow on Friday, 14 June 2030 at 10:00\./,
    );
    expect(h.sandbox.snapshot().bookings.map((b) => b.status)).toEqual(['BOOKED', 'WAITING_LIST']);
  });
});

describe('a trial limit (NO_CONTINGENT)', () => {
  it('with 1 of 2 trials used, names both limits instead of "already used"', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    expect(lastText(ann)).toMatch(/^Almost done! Rückenfit on Wednesday, 12 June 2030 at 18:00/);

    // The same config's appointment, within a week of the class: preventMultipleBookingsTerm.
    await start(ann);
    await tap(ann, '📅 Probetraining mit Coach');
    await tap(ann, /^1:sl:.*:f$/);
    await tap(ann, '✅ Book now');
    expect(lastText(ann).split('\n')[0]).toBe(
      "This trial offer can be booked 2 times per person, and only once within a week, so I can't book this time for you. The studio will be happy to tell you about other options.",
    );
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
  });
});

describe('a double-tapped "Book now" for a booking that needs confirmation', () => {
  it('gets one confirmation message; the second tap a toast, no second "Confirm booking"', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterConfig1Details(ann);
    const summary = ann.chat.last('bot');
    const before = mark(ann);
    const toasts = ann.chat.toasts.length;
    // Both taps reach the bot before the first is handled (the summary still has its button).
    await ann.tap('✅ Book now', { messageId: summary?.messageId ?? -1 });
    await ann.tap('✅ Book now', { messageId: summary?.messageId ?? -1 });
    await ann.settled();

    const sent = botMessagesSince(ann, before);
    expect(sent.map((m) => m.text?.split(' ').slice(0, 2).join(' '))).toEqual(['Almost done!']);
    expect(ann.chat.toasts.slice(toasts).map((t) => t.text)).toEqual([
      undefined,
      'You already have this booking: Wednesday, 12 June 2030 at 18:00. Please confirm it with the button in the message above.',
    ]);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);

    await tap(ann, '✅ Confirm booking');
    expect(botMessages(ann).filter((m) => labels(m).flat().includes('✅ Confirm booking'))).toEqual([]);
  });
});

describe('/forget with a booking still to confirm', () => {
  it('says the booking stays at the studio and how to reach it', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    expect(labels(ann.chat.last('bot'))).toEqual([['✅ Confirm booking']]);

    const texts = await newTexts(ann, () => send(ann, '/forget'));
    expect(texts[1]?.split('\n')).toEqual([
      'Your booking for Wednesday, 12 June 2030 at 18:00 still needs to be confirmed. It stays at the studio, but I can no longer confirm it for you: please contact the studio to confirm or cancel it.',
      'You can reach the studio here:',
      '📞 +49 30 44021180',
      '✉️ hallo@studio-kiez.example',
      '🌐 https://studio-kiez.example',
      '📍 Oderberger Straße 12, 10435 Berlin',
    ]);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
  });
});
