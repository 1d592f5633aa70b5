/**
 * Fewer taps, clearer screens (issue #15), end to end through the fake Telegram against the
 * sandbox studio: the slot picker, a slow studio, known customers, stale taps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxSeed } from '../../src/sandbox/index.ts';
import { askEmail, askGender, chooseFirstSlot, optionalNote, yogaUpToSummary } from './flows.ts';
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

describe('a slow studio', () => {
  it('shows "typing…" once while the booking calls take more than a second each', async () => {
    h = await startHarness();
    const ann = h.user();
    await yogaUpToSummary(ann);
    const before = ann.chat.calls.filter((call) => call.method === 'sendChatAction').length;
    for (const endpoint of ['leadValidate', 'leadCreate', 'classBook'] as const) {
      h.sandbox.faults.set(endpoint, { kind: 'delay', ms: 1_300, times: 1 });
    }
    await tap(ann, '✅ Book now');
    expect(ann.chat.last('bot')?.venue).toBeDefined();
    const actions = ann.chat.calls.filter((call) => call.method === 'sendChatAction').slice(before);
    expect(actions.map((call) => call.params.action)).toEqual(['typing']);
  });
});

describe('the day-first slot picker', () => {
  it('never puts more than 12 slot buttons in a message, for a class and an appointment', async () => {
    h = await startHarness();
    const ann = h.user();
    const slotButtons = () =>
      (ann.chat.last('bot')?.buttons ?? []).flat().filter((b) => b.callbackData?.startsWith('1:sl:')).length;
    for (const offer of ['🏋️ Rückenfit', '📅 Probetraining mit Coach']) {
      await start(ann);
      await tap(ann, offer);
      const list = ann.chat.last('bot');
      // Two rows of day buttons, then that day's times.
      expect(labels(list)[0]).toHaveLength(3);
      expect(labels(list)[1]).toHaveLength(3);
      expect(slotButtons()).toBeGreaterThan(0);
      expect(slotButtons()).toBeLessThanOrEqual(12);
      // The text names the offer and the day, not the times.
      expect(list?.text?.split('\n')).toHaveLength(2);
      for (const row of labels(list).slice(2)) expect(row.length).toBeLessThanOrEqual(4);
    }
  });

  it('a day button shows its times in place; a day without free places says so in a toast', async () => {
    h = await startHarness();
    const ann = h.user();
    await start(ann);
    await tap(ann, '🏋️ Rückenfit');
    const list = ann.chat.last('bot');
    const before = mark(ann);
    await tap(ann, 'Fri 14 ✓');
    const friday = ann.chat.message(list?.messageId ?? -1);
    expect(friday?.edited).toBe(true);
    expect(friday?.text).toBe(
      'When would you like to come to Rückenfit?\n📅 Friday, 14 June 2030: pick a time.',
    );
    expect(labels(friday)[0]).toEqual(['Wed 12 ✓', 'Thu 13 ⏳', '• Fri 14 •']);

    await tap(ann, 'Sat 15 ✕');
    expect(ann.chat.toasts.at(-1)?.text).toBe(
      'No free places on Saturday, 15 June 2030. Please pick another day.',
    );
    expect(botMessagesSince(ann, before)).toEqual([]);

    // A day with only waiting-list places is marked so, and so are its times.
    await tap(ann, 'Thu 13 ⏳');
    expect(ann.chat.message(list?.messageId ?? -1)?.text).toContain(
      '⏳ Full: tap it to get on the waiting list.',
    );
    expect(labels(ann.chat.message(list?.messageId ?? -1))[2]).toEqual(['18:00 ⏳']);
  });
});

/** Config 2 (Yoga Flow) asking gender and phone as OPTIONAL: a lead of names and e-mail is valid. */
function optionalGenderAndPhone(seed: SandboxSeed): SandboxSeed {
  return {
    ...seed,
    configs: seed.configs.map((config) =>
      config.id === 2
        ? {
            ...config,
            leadDataConfig: { ...config.leadDataConfig, genderMode: 'OPTIONAL', telephoneMode: 'OPTIONAL' },
          }
        : config,
    ),
  };
}

describe('a customer the studio already knows', () => {
  it('is told after names and e-mail where nothing else is mandatory, not after every question', async () => {
    h = await startHarness({ seed: optionalGenderAndPhone });
    const karla = h.user({ firstName: 'Karla' });
    await chooseFirstSlot(karla, '🏋️ Yoga Flow');
    await send(karla, 'Karla');
    await send(karla, 'Kiez');
    const told = await newTexts(karla, () => send(karla, 'known@example.com'));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^It looks like you're already known to the studio/);
    expect(labels(karla.chat.last('bot'))).toEqual([['✏️ Fix my e-mail address'], ['Other trial sessions']]);
    expect(h.sandbox.snapshot().leads).toEqual([]);

    // A corrected address is checked again, and the optional questions follow.
    expect(await newTexts(karla, () => tap(karla, '✏️ Fix my e-mail address'))).toEqual([askEmail]);
    await send(karla, 'karla.kiez@example.com');
    expect(lastText(karla)).toBe(`${askGender}\n${optionalNote}`);
    await tap(karla, 'Skip');
    await karla.shareContact({ phoneNumber: '4915112345678' });
    await karla.settled();
    expect(lastText(karla)).toMatch(/^Please check your booking/);
    await tap(karla, '✅ Book now');
    expect(h.sandbox.snapshot().leads).toHaveLength(1);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
    // Early checks for both e-mail addresses, the final one before the lead is made.
    expect(h.sandbox.callCounts().leadValidate).toBe(3);
  });

  it('is told at the end where a mandatory field follows (config 1): a partial lead is no lead', async () => {
    h = await startHarness();
    const karla = h.user({ firstName: 'Karla' });
    await chooseFirstSlot(karla, '🏋️ Rückenfit');
    await send(karla, 'Karla');
    await send(karla, 'Kiez');
    expect(await newTexts(karla, () => send(karla, 'known@example.com'))).toEqual([
      `${askGender}\n${optionalNote}`,
    ]);
  });
});

describe('stale and repeated taps', () => {
  it('a stale tap on an old slot list gets a toast, not a whole new list', async () => {
    h = await startHarness();
    const ann = h.user();
    await start(ann);
    await tap(ann, '🏋️ Rückenfit');
    const oldList = ann.chat.last('bot');
    await start(ann);
    await tap(ann, '🏋️ Yoga Flow');
    const before = mark(ann);
    await tap(ann, 'Later ▶️', oldList?.messageId);
    expect(ann.chat.toasts.at(-1)?.text).toBe(
      'This button is out of date. Please use the newest list below.',
    );
    expect(botMessagesSince(ann, before)).toEqual([]);
    expect(lastText(ann)).toMatch(/^When would you like to come to Yoga Flow\?/);
  });

  it('a "Try again" that fails again edits its message instead of posting another', async () => {
    h = await startHarness();
    const ann = h.user();
    await yogaUpToSummary(ann);
    h.sandbox.faults.set('classBookingValidate', { kind: 'status', status: 500, times: 2 });
    await tap(ann, '✅ Book now');
    const failed = ann.chat.last('bot');
    expect(labels(failed)).toEqual([['🔄 Try again']]);
    const before = mark(ann);
    await tap(ann, '🔄 Try again');
    expect(ann.chat.toasts.at(-1)?.text).toBe('Trying again…');
    expect(botMessagesSince(ann, before)).toEqual([]);
    expect(ann.chat.last('bot')?.messageId).toBe(failed?.messageId);
    expect(labels(ann.chat.last('bot'))).toEqual([['🔄 Try again']]);

    const answers = await newTexts(ann, () => tap(ann, '🔄 Try again'));
    expect(answers[0]).toMatch(/^You're booked! Yoga Flow on /);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
  });
});
