/**
 * When things go wrong around the conversation: a restart mid-flow, Telegram's rate limit, a
 * redelivered update, an unreadable saved conversation, a store that is down.
 */
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import type { Stores } from '../../src/store/index.ts';
import { annika, askDateOfBirth, askLastName, chooseFirstSlot, enterName, optionalNote } from './flows.ts';
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

describe('a restart of the bot', () => {
  it('mid-flow resumes where the prospect was, with everything entered so far (sqlite store)', async () => {
    h = await startHarness({ storage: 'sqlite' });
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Rückenfit');
    await enterName(ann, annika);
    const genderQuestion = ann.chat.last('bot');

    await h.restartBot();

    // A button shown before the restart still works.
    expect(await newTexts(ann, () => tap(ann, 'Female', genderQuestion?.messageId))).toEqual([
      `${askDateOfBirth}\n${optionalNote}`,
    ]);
    await tap(ann, 'Skip');
    await send(ann, '+49 30 1234567');
    await send(ann, 'Oderberger Str. 5a, 10435 Berlin');
    await tap(ann, "✅ That's right");
    expect(lastText(ann).split('\n')).toEqual([
      'Please check your booking: Rückenfit on Wednesday, 12 June 2030 at 18:00.',
      'Name: Annika Lindqvist',
      'E-mail: annika.l@example.com',
      'Gender: female',
      'Phone: +49 30 1234567',
      'Address: Oderberger Str. 5a, 10435 Berlin',
      'By tapping "Book now" you agree that the studio stores these details to arrange your trial.',
    ]);
  });
});

describe('Telegram answering 429', () => {
  it('once on sendMessage: the reply is sent again after retry_after and arrives', async () => {
    h = await startHarness();
    const ann = h.user();
    h.fake.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      retry_after: 1,
    });
    await start(ann);
    expect(lastText(ann)).toMatch(/^Hi! I'm the booking assistant/);
    expect(ann.chat.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(2);
    const errors = await h.metrics.registry.getSingleMetricAsString('trialgram_telegram_api_errors_total');
    expect(errors).toContain('trialgram_telegram_api_errors_total{method="sendMessage",code="429"} 1');
  });
});

describe('an update delivered twice (webhook redelivery)', () => {
  it('is applied once: one booking, one answer', async () => {
    h = await startHarness({ polling: 'none' });
    const api = new Api(h.fake.token, { apiRoot: h.fake.apiRoot });
    let offset = 0;
    /** Hands every pending update to the webhook entry, as Telegram would post them. */
    const deliver = async (): Promise<Update[]> => {
      const updates = await api.getUpdates({ offset, timeout: 0 });
      for (const update of updates) {
        await h?.bot.handleUpdate(update);
        offset = update.update_id + 1;
      }
      return updates;
    };
    const ann = h.user();
    await ann.start();
    await deliver();
    await ann.tap('🏋️ Yoga Flow');
    await deliver();
    await ann.tap(/^1:sl:.*:f$/);
    await deliver();
    for (const answer of [annika.firstName, annika.lastName, annika.email]) {
      await ann.sendText(answer);
      await deliver();
    }
    expect(lastText(ann)).toMatch(/^Please check your booking/);

    await ann.tap('✅ Book now');
    const [bookTap] = await deliver();
    const afterFirst = mark(ann);
    if (!bookTap) throw new Error('the tap was not delivered');
    await h.bot.handleUpdate(bookTap);

    expect(botMessagesSince(ann, afterFirst)).toEqual([]);
    expect(h.sandbox.snapshot().bookings).toHaveLength(1);
    expect(ann.chat.calls.filter((call) => call.method === 'answerCallbackQuery')).toHaveLength(3);
  });
});

describe('a saved conversation that cannot be read', () => {
  it('restarts that user with a friendly note; other users go on undisturbed', async () => {
    h = await startHarness();
    const ann = h.user();
    const ben = h.user({ firstName: 'Ben' });
    await chooseFirstSlot(ann, '🏋️ Yoga Flow');
    await chooseFirstSlot(ben, '🏋️ Yoga Flow');
    await send(ben, 'Ben');

    for (const unreadable of ['{not json', JSON.stringify({ version: 99, rev: 0, step: { name: 'idle' } })]) {
      await h.stores.conversations.set(String(ann.id), unreadable);
      expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([
        "Sorry, I lost track of our conversation, so let's start again.",
        'Type /start or tap below to see the trial sessions you can book.',
      ]);
      expect(labels(ann.chat.last('bot'))).toEqual([['Show trial sessions']]);
    }

    expect(lastText(ben)).toBe(askLastName);
    await send(ben, 'Okafor');
    await send(ben, 'ben@example.com');
    expect(lastText(ben).split('\n')[1]).toBe('Name: Ben Okafor');

    await tap(ann, 'Show trial sessions');
    expect(lastText(ann)).toMatch(/^Which trial would you like to book\?/);
  });
});

/** Stores whose conversation namespace fails while `down.now` is true, like Redis going away. */
function failingConversations(down: { now: boolean }) {
  return (stores: Stores): Stores => {
    const conversations = new Proxy(stores.conversations, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (down.now) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { ...stores, conversations, chatLock: stores.chatLock, ping: stores.ping, close: stores.close };
  };
}

describe('the store being down', () => {
  it('tells the user the bot is temporarily unavailable; afterwards the conversation goes on', async () => {
    const down = { now: false };
    h = await startHarness({ wrapStores: failingConversations(down) });
    const jonas = h.user({ languageCode: 'de' });
    await start(jonas);
    await tap(jonas, '🏋️ Yoga Flow');

    down.now = true;
    expect(await newTexts(jonas, () => tap(jonas, /^1:sl:.*:f$/))).toEqual([
      'Entschuldige, ich habe gerade technische Probleme und kann nicht weitermachen. Bitte versuch es in ein paar Minuten noch einmal.',
    ]);
    expect(jonas.chat.toasts.at(-1)).toEqual({ showAlert: false });
    expect(await newTexts(jonas, () => send(jonas, 'hallo'))).toHaveLength(1);

    down.now = false;
    await tap(jonas, /^1:sl:.*:f$/);
    expect(lastText(jonas)).toMatch(/\nWie ist dein Vorname\?$/);
  });
});

describe('Telegram out of reach', () => {
  it('a Bot API call fails within seconds instead of being retried without end', async () => {
    h = await startHarness({ polling: 'none' });
    const ann = h.user();
    await ann.start();
    const chatId = ann.id;
    await h.fake.close();

    const started = Date.now();
    await expect(h.bot.bot.api.sendMessage(chatId, 'hello?')).rejects.toThrow(/Network request/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
