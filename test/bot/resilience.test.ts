/**
 * When things go wrong around the conversation: a restart mid-flow, Telegram's rate limit, a
 * redelivered update, an unreadable saved conversation, a store that is down.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { createStores } from '../../src/store/index.ts';
import { json, startStudioProxy, writeHugeOfferListing } from '../perfectgym/helpers.ts';
import { eventually } from '../runtime/helpers.ts';
import {
  deleteRedisKeys,
  redisHost,
  redisKeys,
  redisPort,
  redisUrl,
  startTcpProxy,
  type TcpProxy,
  uniqueRedisPrefix,
} from '../store/redis-helpers.ts';
import {
  annika,
  askDateOfBirth,
  askEmail,
  askLastName,
  chooseFirstSlot,
  enterName,
  optionalNote,
  yogaUpToSummary,
} from './flows.ts';
import {
  botMessages,
  botMessagesSince,
  failingConversations,
  type Harness,
  interceptConversations,
  labels,
  lastText,
  mark,
  newTexts,
  send,
  start,
  startHarness,
  tap,
  writtenByTheTestToo,
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
    h = await startHarness({ wrapStores: writtenByTheTestToo });
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

describe('the store being down', () => {
  it('tells the user the bot is temporarily unavailable; afterwards the conversation goes on', async () => {
    const down = { now: false };
    h = await startHarness({ wrapStores: failingConversations(() => down.now) });
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

describe('a studio answer without bounds', () => {
  // Nothing entered yet at /start, so nothing is said to be saved.
  const studioFailed = "The studio couldn't process this. You can try again or start over.";
  const isClassesListing = (url: string) => new URL(url, 'http://x').pathname.endsWith('/classes');

  it('a studio saying hasNext for ever: the prospect hears "studio trouble" after 100 slices, not never', async () => {
    let listings = 0;
    h = await startHarness({
      studioInFront: (sandboxUrl) =>
        startStudioProxy(sandboxUrl, (request, response) => {
          if (!isClassesListing(request.url)) return false;
          listings++;
          const offset = Number(new URL(request.url, 'http://x').searchParams.get('offset') ?? '0');
          json(response, 200, { result: [], hasNext: true, offset: String(offset + 100) });
          return true;
        }),
    });
    const ann = h.user();
    await start(ann);
    expect(lastText(ann)).toBe(studioFailed);
    expect(listings).toBe(100);
  });

  it('a 150 MB answer: the prospect hears "studio trouble" and the bot stops reading after a few MB', async () => {
    let written = () => 0;
    h = await startHarness({
      studioInFront: (sandboxUrl) =>
        startStudioProxy(sandboxUrl, (request, response) => {
          if (!isClassesListing(request.url)) return false;
          written = writeHugeOfferListing(response, 150_000_000);
          return true;
        }),
    });
    const ann = h.user();
    await start(ann);
    expect(lastText(ann)).toBe(studioFailed);
    expect(written()).toBeLessThan(30_000_000);
  });

  it('one malformed offer is left out (and logged without its title); the other offers are shown', async () => {
    const logLines: string[] = [];
    h = await startHarness({
      logLines,
      studioInFront: (sandboxUrl) =>
        startStudioProxy(sandboxUrl, (request, response) => {
          if (!isClassesListing(request.url)) return false;
          void fetch(new URL(request.url, sandboxUrl), {
            headers: { 'x-api-key': String(request.headers['x-api-key']) },
          })
            .then((answer) => answer.json())
            .then(
              (body: {
                result: Array<{ trialOfferClass: { title?: string }; trialOfferConfigId?: number }>;
              }) => {
                const [first] = body.result;
                if (first) {
                  first.trialOfferClass.title = 'Secret Yoga Zephyrine';
                  delete first.trialOfferConfigId;
                }
                json(response, 200, body);
              },
            );
          return true;
        }),
    });
    const ann = h.user();
    await start(ann);
    const offers = labels(ann.chat.last('bot')).flat();
    // Rückenfit, the first class, was the broken one.
    expect(offers).toEqual([
      '🏋️ HIIT Express',
      '🏋️ Yoga Flow',
      '🏋️ Pilates Live',
      '📅 Probetraining mit Coach',
      '📅 Body-Check',
    ]);
    const skipped = logLines.map((line) => JSON.parse(line)).filter((line) => line.msg?.includes('left out'));
    expect(skipped).toEqual([
      expect.objectContaining({ endpoint: 'classes', index: 0, issuePaths: ['0.trialOfferConfigId'] }),
    ]);
    expect(logLines.join('\n')).not.toContain('Zephyrine');
  });

  it('a studio that stops answering: the prospect hears about it within the call deadline, not after every retry', async () => {
    h = await startHarness({ client: { timeoutMs: 1_000 } });
    h.sandbox.faults.set('classes', { kind: 'delay', ms: 30_000 });
    const ann = h.user();
    const started = Date.now();
    await start(ann);
    expect(lastText(ann)).toMatch(/^The studio's booking system isn't answering right now/);
    // 1.5 s deadline; without it three 1 s attempts and their backoff would take 3 s at least.
    expect(Date.now() - started).toBeLessThan(2_900);
  });
});

describe('studio information that never comes', () => {
  it('does not hold the offers back: the list comes long before the call deadline, greeted without the name', async () => {
    h = await startHarness({ client: { timeoutMs: 8_000 } });
    h.sandbox.faults.set('studio', { kind: 'hang', times: 1 });
    const ann = h.user();
    const started = Date.now();
    await start(ann);
    // Without a bound of its own the greeting would wait the whole 8 s deadline first.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(
      botMessages(ann)
        .map((m) => m.text ?? '')
        .join('\n'),
    ).not.toContain(h.sandbox.name);
    expect(labels(ann.chat.last('bot')).flat()).toContain('🏋️ Rückenfit');
  }, 20_000);
});

/** Whether any of the store's files (the database, its -wal and -shm) holds `text`, byte for byte. */
function storeFilesContain(storageFile: string, text: string): boolean {
  const needle = Buffer.from(text, 'utf8');
  return ['', '-wal', '-shm'].some((suffix) => {
    const path = storageFile + suffix;
    return existsSync(path) && readFileSync(path).includes(needle);
  });
}

describe('/forget on the embedded store', () => {
  it('leaves no trace of the name, e-mail, lead id or booking id in the SQLite files', async () => {
    h = await startHarness({ storage: 'sqlite' });
    const storageFile = h.storageFile ?? '';
    const zephyrine = { firstName: 'Zephyrine', lastName: 'Quastelbaum', email: 'zephyrine.q@example.com' };
    const ann = h.user({ firstName: 'Zephyrine' });
    await yogaUpToSummary(ann, zephyrine);
    await tap(ann, '✅ Book now');
    const { leads, bookings } = h.sandbox.snapshot();
    const leadId = `"leadId":${leads[0]?.id}`;
    const bookingId = `"bookingId":${bookings[0]?.id}`;
    for (const text of ['Quastelbaum', 'zephyrine.q@example.com', leadId, bookingId]) {
      expect(storeFilesContain(storageFile, text), text).toBe(true);
    }

    await send(ann, '/forget');

    expect(lastText(ann)).toMatch(/deleted/i);
    for (const text of ['Quastelbaum', 'zephyrine.q@example.com', leadId, bookingId]) {
      expect(storeFilesContain(storageFile, text), text).toBe(false);
    }
  });
});

describe('Redis stalling (connection open, no answers)', () => {
  const prefixes: string[] = [];
  const proxies: TcpProxy[] = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    for (const prefix of prefixes.splice(0)) await deleteRedisKeys(prefix);
  });
  const technicalTrouble =
    "Sorry, I'm having technical trouble and can't continue right now. Please try again in a few minutes.";

  it('the prospect hears "technical trouble" within seconds, and the step that timed out is not applied late', async () => {
    const prefix = uniqueRedisPrefix('bot-stall');
    prefixes.push(prefix);
    const proxy = await startTcpProxy({ host: redisHost, port: redisPort });
    proxies.push(proxy);
    // Redis stalls just as the bot saves the step after the first name.
    const stallOnSave = { armed: false };
    h = await startHarness({
      storageUrl: redisUrl(prefix, proxy.port),
      wrapStores: interceptConversations((method) => {
        if (method !== 'set' || !stallOnSave.armed) return;
        stallOnSave.armed = false;
        proxy.stall();
      }),
    });
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Yoga Flow');

    stallOnSave.armed = true;
    const started = Date.now();
    expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([technicalTrouble]);
    expect(Date.now() - started).toBeLessThan(8_000);

    // Redis answers again, and gets everything the stall held back, late.
    proxy.resume();
    await eventually(() => h?.stores.ping() ?? Promise.resolve(false));
    // The prospect sends the first name again: it is taken as the first name, not the last.
    expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([askLastName]);
  });

  it('an update whose last write (sent with the lock release) stalls: "technical trouble", and its question is asked again', async () => {
    const prefix = uniqueRedisPrefix('bot-stall-last');
    prefixes.push(prefix);
    const proxy = await startTcpProxy({ host: redisHost, port: redisPort });
    proxies.push(proxy);
    // Redis stalls at the update's second conversation write: its last, after its messages.
    const stallAt = { writes: Number.POSITIVE_INFINITY };
    h = await startHarness({
      storageUrl: redisUrl(prefix, proxy.port),
      wrapStores: interceptConversations((method) => {
        if (method !== 'set' || --stallAt.writes !== 0) return;
        proxy.stall();
      }),
    });
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Yoga Flow');

    stallAt.writes = 2;
    const started = Date.now();
    expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([askLastName, technicalTrouble]);
    expect(Date.now() - started).toBeLessThan(8_000);

    proxy.resume();
    await eventually(() => h?.stores.ping() ?? Promise.resolve(false));
    // The row says the question was not seen: the next message is no answer to it, it is asked again.
    expect(await newTexts(ann, () => send(ann, 'Mustermann'))).toEqual([askLastName]);
    expect(await newTexts(ann, () => send(ann, 'Mustermann'))).toEqual([askEmail]);
  });
});

describe('a chat busy on another instance (lock contention)', () => {
  const prefixes: string[] = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    for (const prefix of prefixes.splice(0)) await deleteRedisKeys(prefix);
  });
  const oneMoment =
    "One moment, please: I'm still working on your previous message. I'll get to this one right after.";

  it('says "one moment" once and handles the messages once the lock is free, even after more than 25 s', async () => {
    const prefix = uniqueRedisPrefix('bot-busy');
    prefixes.push(prefix);
    // The runner, as in production: updates are fetched on while earlier ones wait.
    h = await startHarness({ storageUrl: redisUrl(prefix), polling: 'runner' });
    // The other instance: the same Redis and prefix, busy with this prospect's chat.
    const other = await createStores({ url: redisUrl(prefix), conversationTtlMs: 60_000 });
    const ann = h.user();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding: Promise<void> | undefined;
    try {
      holding = other.chatLock.run(String(ann.id), () => released);
      await eventually(async () => (await redisKeys(prefix)).includes(`${prefix}:lock:${ann.id}`));

      const sentAt = Date.now();
      await ann.start();
      await ann.chat.waitFor((chat) => chat.last('bot')?.text === oneMoment);
      await ann.sendText('/help');
      // Past the 25 s after which an update used to be dropped with "technical trouble".
      await sleep(Math.max(0, 26_000 - (Date.now() - sentAt)));
      expect(botMessages(ann).map((message) => message.text)).toEqual([oneMoment]);

      release();
      await holding;
      await ann.chat.waitFor((chat) => chat.messages.filter((m) => m.from === 'bot').length >= 3);
      const [notice, greeting, help] = botMessages(ann).map((message) => message.text ?? '');
      expect(notice).toBe(oneMoment);
      expect(greeting).toMatch(/^Hi! I'm the booking assistant/);
      expect(help).toMatch(/\/forget deletes everything/);
    } finally {
      release();
      await holding;
      await other.close();
    }
  }, 60_000);
});

describe('a question that did not reach the prospect', () => {
  it('is asked again when sending it failed: the next message is not filed under it', async () => {
    h = await startHarness();
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Yoga Flow');
    h.fake.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' });
    // Taken as the first name; "And your last name?" does not arrive.
    expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([]);

    // Hearing nothing, Annika sends her first name again: the bot asks for the last name, keeps it out of it.
    expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([askLastName]);
    await send(ann, 'Lindqvist');
    await send(ann, 'annika.l@example.com');
    expect(lastText(ann).split('\n')[1]).toBe('Name: Annika Lindqvist');
  });
});

describe('a conversation stored by the release before', () => {
  it('(the state as JSON text, without delivery facts) carries on: the next answer counts', async () => {
    h = await startHarness({ wrapStores: writtenByTheTestToo });
    const ann = h.user();
    await chooseFirstSlot(ann, '🏋️ Yoga Flow');
    const row = (await h.stores.conversations.get(String(ann.id))) as { state: unknown };
    await h.stores.conversations.set(String(ann.id), JSON.stringify(row.state));

    expect(await newTexts(ann, () => send(ann, 'Annika'))).toEqual([askLastName]);
    // Stored once now: an object, not JSON text inside JSON.
    expect(await h.stores.conversations.get(String(ann.id))).toMatchObject({
      state: { step: { name: 'collectingLead', field: 'lastName' } },
      done: true,
    });
  });
});

describe('an update whose handling kept dying with the process', () => {
  it('is given up after three attempts, logged, and the conversation goes on with the next message', async () => {
    const logLines: string[] = [];
    h = await startHarness({ polling: 'none', logLines, wrapStores: writtenByTheTestToo });
    const api = new Api(h.fake.token, { apiRoot: h.fake.apiRoot });
    let offset = 0;
    const next = async (): Promise<Update> => {
      const [update] = await api.getUpdates({ offset, timeout: 0 });
      if (!update) throw new Error('no update');
      offset = update.update_id + 1;
      return update;
    };
    const ann = h.user();
    await ann.start();
    await h.bot.handleUpdate(await next());
    await ann.tap('🏋️ Yoga Flow');
    await h.bot.handleUpdate(await next());
    await ann.tap(/^1:sl:.*:f$/);
    await h.bot.handleUpdate(await next());
    expect(lastText(ann)).toMatch(/What's your first name\?/);

    await ann.sendText('Annika');
    const poison = await next();
    // Its handling started and died three times (as the row says after the third start).
    const key = String(ann.id);
    const row = (await h.stores.conversations.get(key)) as Record<string, unknown>;
    await h.stores.conversations.set(key, { ...row, updateId: poison.update_id, done: false, attempts: 3 });
    const before = mark(ann);
    await h.bot.handleUpdate(poison);
    expect(botMessagesSince(ann, before)).toEqual([]);
    expect(logLines.join('')).toMatch(
      /"level":50,.*"attempts":3,.*"msg":"update died with its process every time, ignored"/,
    );

    await ann.sendText('Annika');
    await h.bot.handleUpdate(await next());
    expect(lastText(ann)).toBe(askLastName);
  });
});

describe('an update from a group (no conversation) delivered twice', () => {
  it('is handled once: its id is recorded after handling it', async () => {
    const logLines: string[] = [];
    h = await startHarness({ polling: 'none', logLines });
    const update = {
      update_id: 777_001,
      message: {
        message_id: 5,
        date: Math.floor(Date.now() / 1000),
        chat: { id: -100_123, type: 'group', title: 'Staff' },
        from: { id: 31, is_bot: false, first_name: 'Lena' },
        text: 'Anyone on the early shift?',
      },
    } as Update;
    await h.bot.handleUpdate(update);
    expect(await h.stores.records.get('update:777001')).toBe(1);
    expect(logLines.join('')).not.toMatch(/update delivered again/);
    await h.bot.handleUpdate(update);
    expect(logLines.join('')).toMatch(/"updateId":777001,.*"msg":"update delivered again, ignored"/);
  });
});
