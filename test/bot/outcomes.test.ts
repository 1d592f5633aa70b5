/**
 * Lost answers end to end: the sandbox studio acts on a request and then loses the answer (drops
 * the connection, answers 500, sends an unreadable body, never answers until the client times
 * out), or the store fails right after the studio acted. The prospect is told the truth, the studio
 * holds at most one booking and one lead, staff are told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../src/fake-telegram/index.ts';
import type { SandboxFault } from '../../src/sandbox/faults.ts';
import { annika, chooseFirstSlot, enterConfig1Details, firstSlot, yogaUpToSummary } from './flows.ts';
import {
  botMessages,
  failingConversations,
  type Harness,
  labels,
  lastText,
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

const staffChatId = 900_111;

/** A harness with a staff chat the bot may write to; the client gives up after 1.5 s. */
async function withStaff(options: Parameters<typeof startHarness>[0] = {}) {
  h = await startHarness({ staffChatId, studioTimeoutMs: 1_500, ...options });
  const staff = h.fake.user({ id: staffChatId, firstName: 'Front desk' });
  await start(staff);
  return { h, staff, seen: staff.chat.messages.length };
}

function texts(user: FakeUser): string[] {
  return botMessages(user).map((message) => message.text ?? '');
}

function staffTexts(staff: FakeUser, since: number): string[] {
  return staff.chat.messages.slice(since).map((message) => message.text ?? '');
}

const lostAnswers: Array<{ name: string; fault: SandboxFault }> = [
  { name: 'dropped connection', fault: { kind: 'drop', times: 1, afterHandling: true } },
  { name: '500', fault: { kind: 'status', status: 500, times: 1, afterHandling: true } },
  { name: 'unreadable body', fault: { kind: 'invalidBody', times: 1, afterHandling: true } },
  { name: 'no answer (timeout)', fault: { kind: 'hang', times: 1, afterHandling: true } },
];

describe('a class booking whose answer is lost after the studio booked', () => {
  it.each(lostAnswers)(
    '$name: the prospect is told they are booked, staff are told, one booking',
    async ({ fault }) => {
      const { staff, seen } = await withStaff();
      const ann = h?.user() as FakeUser;
      await yogaUpToSummary(ann);
      h?.sandbox.faults.set('classBook', fault);

      await tap(ann, '✅ Book now');
      await ann.chat.waitFor((chat) => /^Good news/.test(chat.last('bot')?.text ?? ''), 10_000);
      const told = ann.chat.last('bot');
      expect(told?.text?.split('\n')[0]).toMatch(
        /^Good news: you're booked for Yoga Flow on \w+day, \d+ June 2030 at \d\d:\d\d\. The studio's answer got lost on the way, so I checked with the studio\.$/,
      );
      expect(labels(told)).toEqual([['Book another trial session']]);
      const shown = botMessages(ann).map((message) => message.text ?? '');
      expect(shown.some((text) => text.includes('already booked'))).toBe(false);
      expect(shown.some((text) => text.includes('Try again'))).toBe(false);

      const studio = h?.sandbox.snapshot();
      expect(studio?.bookings).toHaveLength(1);
      expect(studio?.leads).toHaveLength(1);
      expect(studio?.callCounts.classBook).toBe(1);

      await h?.bot.flush();
      const lost = staffTexts(staff, seen).filter((text) => text.startsWith('❓'));
      expect(lost).toHaveLength(1);
      expect(lost[0]?.split('\n')).toEqual(
        expect.arrayContaining([
          "❓ Booking answer lost: please check the studio's calendar",
          'Class: Yoga Flow (id 103)',
          'Name: Annika Lindqvist',
          `Telegram user: ${ann.id}`,
          expect.stringMatching(/^Checked: the studio holds this booking/),
        ]),
      );
      expect(lost[0]).not.toContain(annika.email);
    },
  );

  it('where the studio requires confirmation, it says the confirmation link comes by e-mail', async () => {
    await withStaff();
    const ann = h?.user() as FakeUser;
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterConfig1Details(ann);
    h?.sandbox.faults.set('classBook', { kind: 'drop', times: 1, afterHandling: true });

    await tap(ann, '✅ Book now');
    const told = ann.chat.last('bot');
    expect(told?.text).toContain(
      'The studio needs you to confirm this booking: it sends you a confirmation link by e-mail.',
    );
    expect(told?.text).toMatch(/^Good news: you're booked for Rückenfit/);
    expect(labels(told).flat()).not.toContain('✅ Confirm booking');
    expect(h?.sandbox.snapshot().bookings).toHaveLength(1);
  });

  it('a 500 before the studio booked: it is found not booked and booked once', async () => {
    await withStaff();
    const ann = h?.user() as FakeUser;
    await yogaUpToSummary(ann);
    h?.sandbox.faults.set('classBook', { kind: 'status', status: 502, times: 1 });
    await tap(ann, '✅ Book now');
    expect(texts(ann).filter((text) => /^You're booked! Yoga Flow on /.test(text))).toHaveLength(1);
    expect(h?.sandbox.snapshot().bookings).toHaveLength(1);
  });
});

describe('an appointment booking whose answer is lost after the studio booked', () => {
  it.each(lostAnswers)('$name: booked, said so, never a second appointment', async ({ fault }) => {
    await withStaff();
    const ben = h?.user({ firstName: 'Ben' }) as FakeUser;
    await start(ben);
    await tap(ben, '📅 Body-Check');
    // Thursday 13 June, the first day with times, is shown.
    await tap(ben, '08:30');
    await send(ben, 'Ben');
    await send(ben, 'Okafor');
    await send(ben, 'ben@example.com');
    h?.sandbox.faults.set('appointmentBook', fault);

    await tap(ben, '✅ Book now');
    await ben.chat.waitFor((chat) => /^Good news/.test(chat.last('bot')?.text ?? ''), 10_000);
    expect(lastText(ben).split('\n')[0]).toBe(
      "Good news: you're booked for Body-Check on Thursday, 13 June 2030 at 08:30. The studio's answer got lost on the way, so I checked with the studio.",
    );
    const shown = botMessages(ben).map((message) => message.text ?? '');
    expect(shown.some((text) => text.includes('just filled up'))).toBe(false);
    const { bookings } = h?.sandbox.snapshot() ?? { bookings: [] };
    expect(bookings).toHaveLength(1);
    expect(bookings[0]?.bookableAppointmentId).toBe(202);
  });
});

describe('a lead creation whose answer is lost after the studio created it', () => {
  it.each(lostAnswers)(
    '$name: the studio has the details, staff get the e-mail, never a second lead',
    async ({ fault }) => {
      const logLines: string[] = [];
      const { staff, seen } = await withStaff({ logLines });
      const ann = h?.user() as FakeUser;
      await yogaUpToSummary(ann);
      h?.sandbox.faults.set('leadCreate', fault);

      await tap(ann, '✅ Book now');
      await ann.chat.waitFor((chat) => /has your details/.test(chat.last('bot')?.text ?? ''), 10_000);
      const told = ann.chat.last('bot');
      expect(told?.text?.split('\n')[0]).toBe(
        'The studio has your details and will get in touch with you to arrange your trial.',
      );
      expect(labels(told).flat()).not.toContain('✏️ Fix my e-mail address');
      expect(botMessages(ann).some((m) => m.text?.includes('already known to the studio'))).toBe(false);

      // Starting over does not make a second lead, whatever e-mail would be typed.
      await start(ann);
      await tap(ann, '🏋️ Yoga Flow');
      await tap(ann, firstSlot);
      expect(lastText(ann).split('\n')[0]).toBe(
        'The studio has your details and will get in touch with you to arrange your trial.',
      );
      const studio = h?.sandbox.snapshot();
      expect(studio?.leads).toHaveLength(1);
      expect(studio?.bookings).toHaveLength(0);
      expect(studio?.callCounts.leadCreate).toBe(1);

      await h?.bot.flush();
      const lost = staffTexts(staff, seen).filter((text) => text.startsWith('❓'));
      expect(lost).toHaveLength(1);
      expect(lost[0]?.split('\n')).toEqual(
        expect.arrayContaining([
          "❓ Lead answer lost: please check the studio's leads",
          `Telegram user: ${ann.id}`,
          `E-mail: ${annika.email}`,
        ]),
      );
      // The e-mail goes to the staff chat only, never to the logs; the lost answer is logged.
      expect(logLines.join('')).not.toContain(annika.email);
      expect(logLines.some((line) => line.includes('leadCreate'))).toBe(true);
    },
  );
});

describe('a confirmation whose answer is lost after the studio confirmed', () => {
  it.each(lostAnswers)('$name: the prospect may tap again, which shows "Confirmed!"', async ({ fault }) => {
    const { staff, seen } = await withStaff();
    const ann = h?.user() as FakeUser;
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterConfig1Details(ann);
    await tap(ann, '✅ Book now');
    h?.sandbox.faults.set('confirm', fault);

    await tap(ann, '✅ Confirm booking');
    await ann.chat.waitFor((chat) => /confirmation reached/.test(chat.last('bot')?.text ?? ''), 10_000);
    expect(labels(ann.chat.last('bot'))).toEqual([['✅ Confirm booking']]);
    expect(h?.sandbox.snapshot().bookings[0]?.confirmation.state).toBe('CONFIRMED');

    await tap(ann, '✅ Confirm booking');
    expect(texts(ann).filter((text) => /^Confirmed! See you at Rückenfit/.test(text))).toHaveLength(1);
    await h?.bot.flush();
    expect(
      staffTexts(staff, seen).filter((text) => text.startsWith('❓ Confirmation answer lost')),
    ).toHaveLength(1);
  });
});

describe('the store failing right after the studio booked', () => {
  it('the next message finds the booking instead of booking again', async () => {
    const down = { afterBooking: false };
    // The save of the state after the booking fails, as if Redis went away at that moment.
    await withStaff({
      wrapStores: failingConversations(
        (method, args) =>
          down.afterBooking && method === 'set' && JSON.stringify(args[1]).includes('"name":"done"'),
      ),
    });
    const ann = h?.user() as FakeUser;
    await yogaUpToSummary(ann);
    down.afterBooking = true;

    await tap(ann, '✅ Book now');
    expect(lastText(ann)).toMatch(/technical trouble/);
    expect(h?.sandbox.snapshot().bookings).toHaveLength(1);

    down.afterBooking = false;
    await send(ann, 'hello?');
    expect(lastText(ann)).toMatch(/^Good news: you're booked for Yoga Flow/);
    expect(h?.sandbox.snapshot().bookings).toHaveLength(1);
    expect(h?.sandbox.snapshot().callCounts.classBook).toBe(1);
  });
});
