/**
 * A chain of three sandbox studios (`berlin`, `hamburg`, `lisboa`): each conversation books at
 * the studio its deep link names, with a lead of its own there, and tells that studio's staff.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { annika, enterName, firstSlot } from './flows.ts';
import { type Harness, lastText, newTexts, start, startHarness, tap } from './harness.ts';

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
async function bookYoga(user: Parameters<typeof start>[0], payload: string): Promise<void> {
  await start(user, payload);
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

  it("staff notices reach the booking studio's chat, or the default chat", async () => {
    const defaultChat = 900_101;
    const hamburgChat = 900_102;
    h = await startHarness({ chain: { staffChats: { hamburg: hamburgChat } }, staffChatId: defaultChat });
    const desk = h.fake.user({ id: defaultChat, firstName: 'Front desk' });
    const hamburgDesk = h.fake.user({ id: hamburgChat, firstName: 'Schanze desk' });
    await start(desk);
    await start(hamburgDesk);
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
    expect(desk.chat.messages.slice(seen.desk).map((m) => m.text?.split('\n')[0])).toEqual([
      '🆕 New lead',
      '✅ New trial booking',
    ]);
    expect(hamburgDesk.chat.messages).toHaveLength(seen.hamburg + 2);
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
