import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';

// The Bot API over plain HTTP, without grammY: status codes, envelopes and transports.

let fake: FakeTelegram;

beforeEach(async () => {
  fake = await createFakeTelegram({ token: '424242:test-token', bot: { username: 'studio_bot' } });
});

afterEach(async () => {
  await fake.close();
});

const call = async (
  method: string,
  init?: RequestInit,
  token = fake.token,
): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${fake.apiRoot}/bot${token}/${method}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const postJson = (method: string, params: unknown) =>
  call(method, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });

describe('Bot API envelopes', () => {
  it('answers getMe with the bot, whose id comes from the token', async () => {
    const { status, body } = await call('getMe');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, result: { id: 424242, is_bot: true, username: 'studio_bot' } });
  });

  it('answers an unknown method with 404 Not Found, and a wrong token with 401 Unauthorized', async () => {
    expect(await call('sendTelepathy')).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    });
    expect(await call('getMe', undefined, '424242:wrong')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
  });

  it('treats method names case-insensitively, like Telegram', async () => {
    expect((await call('GETME')).body.ok).toBe(true);
  });
});

describe('parameter transports', () => {
  it('accepts form-urlencoded bodies with JSON-encoded reply_markup, and query strings', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const form = new URLSearchParams({
      chat_id: String(user.id),
      text: 'Pick one',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }),
    });
    const sent = await call('sendMessage', { method: 'POST', body: form });
    expect(sent.body).toMatchObject({
      ok: true,
      result: { text: 'Pick one', reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] } },
    });

    const viaQuery = await fetch(
      `${fake.apiRoot}/bot${fake.token}/sendMessage?chat_id=${user.id}&text=${encodeURIComponent('from the query')}`,
    );
    expect(await viaQuery.json()).toMatchObject({ ok: true, result: { text: 'from the query' } });
    expect(user.chat.messages.map((message) => message.text)).toEqual(['hi', 'Pick one', 'from the query']);
    expect(user.chat.last('bot')?.messageId).toBe(3);
  });

  it('refuses a reply_markup that is not JSON', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const form = new URLSearchParams({ chat_id: String(user.id), text: 'x', reply_markup: '{oops' });
    expect(await call('sendMessage', { method: 'POST', body: form })).toEqual({
      status: 400,
      body: {
        ok: false,
        error_code: 400,
        description: "Bad Request: can't parse reply keyboard markup JSON object",
      },
    });
  });

  it('accepts a multipart file sent directly under the parameter name', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const form = new FormData();
    form.set('chat_id', String(user.id));
    form.set('document', new Blob([new Uint8Array([1, 2, 3])]), 'data.bin');
    const { body } = await call('sendDocument', { method: 'POST', body: form });
    expect(body).toMatchObject({ ok: true, result: { document: { file_name: 'data.bin', file_size: 3 } } });
    expect([...(user.chat.last('bot')?.document?.bytes ?? [])]).toEqual([1, 2, 3]);
  });
});

/** Resolves once the fake has taken `count` getUpdates requests (the last one is then waiting). */
async function getUpdatesArrived(count = 1): Promise<void> {
  while (fake.calls.filter((c) => c.method === 'getUpdates').length < count) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('long polling', () => {
  it('wakes a waiting getUpdates as soon as an update arrives', async () => {
    const started = Date.now();
    const waiting = postJson('getUpdates', { timeout: 10 });
    await getUpdatesArrived();
    const user = fake.user({ firstName: 'Cleo' });
    const updateId = await user.sendText('/start');

    const { body } = await waiting;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(body).toMatchObject({
      ok: true,
      result: [
        {
          update_id: updateId,
          message: {
            text: '/start',
            entities: [{ type: 'bot_command', offset: 0, length: 6 }],
            from: { id: user.id, is_bot: false, first_name: 'Cleo' },
            chat: { id: user.id, type: 'private', first_name: 'Cleo' },
          },
        },
      ],
    });
  });

  it('keeps updates until a later offset confirms them', async () => {
    const user = fake.user();
    const first = await user.sendText('one');
    const second = await user.sendText('two');

    const ids = async (params: unknown) =>
      ((await postJson('getUpdates', params)).body.result as Array<{ update_id: number }>).map(
        (u) => u.update_id,
      );
    expect(await ids({})).toEqual([first, second]);
    expect(await ids({ limit: 1 })).toEqual([first]);
    expect(await ids({ offset: second })).toEqual([second]);
    expect(await ids({ offset: second + 1 })).toEqual([]);
    expect(fake.pendingUpdateCount).toBe(0);
  });

  it('ends an older waiting getUpdates with 409 when a newer one arrives', async () => {
    const older = postJson('getUpdates', { timeout: 5 });
    // The newer request must reach the fake after the older one, whatever the machine's load.
    await getUpdatesArrived();
    const newer = postJson('getUpdates', { timeout: 0 });
    expect(await older).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      },
    });
    expect((await newer).body).toEqual({ ok: true, result: [] });
  });
});

describe('update ids', () => {
  it('keep rising across a restart, as Telegram’s do: a fake started later starts above the earlier one', async () => {
    const first = [await fake.user().sendText('one'), await fake.user().sendText('two')];
    await fake.close();
    fake = await createFakeTelegram({ token: '424242:test-token' });
    const second = await fake.user().sendText('three');

    expect(first[1]).toBe((first[0] as number) + 1);
    expect(second).toBeGreaterThan(first[1] as number);
    expect(Number.isSafeInteger(second)).toBe(true);
    const updates = (await postJson('getUpdates', {})).body.result as Array<{ update_id: number }>;
    expect(updates.map((u) => u.update_id)).toEqual([second]);
  });
});

describe('holding a call', () => {
  it('keeps the next sendMessage into a chat waiting until released; the user sees it only then', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const held = fake.hold('sendMessage', { chatId: user.id });
    const sending = postJson('sendMessage', { chat_id: user.id, text: 'held back' });
    await held.arrived;
    expect(user.chat.messages.filter((m) => m.from === 'bot')).toEqual([]);
    // Other calls go through meanwhile.
    expect((await postJson('sendMessage', { chat_id: user.id, text: 'not held' })).status).toBe(200);

    held.release();
    expect((await sending).body).toMatchObject({ ok: true, result: { text: 'held back' } });
    expect(user.chat.messages.filter((m) => m.from === 'bot').map((m) => m.text)).toEqual([
      'not held',
      'held back',
    ]);
  });
});

describe('sendVenue', () => {
  it('sends a venue with its location, and the chat shows it', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const { status, body } = await postJson('sendVenue', {
      chat_id: user.id,
      latitude: 52.5386,
      longitude: 13.4093,
      title: 'Studio Kiez Berlin',
      address: 'Oderberger Straße 12, 10435 Berlin',
    });
    expect(status).toBe(200);
    expect(body.result).toMatchObject({
      venue: {
        location: { latitude: 52.5386, longitude: 13.4093 },
        title: 'Studio Kiez Berlin',
        address: 'Oderberger Straße 12, 10435 Berlin',
      },
      location: { latitude: 52.5386, longitude: 13.4093 },
    });
    expect(user.chat.last('bot')?.venue).toEqual({
      latitude: 52.5386,
      longitude: 13.4093,
      title: 'Studio Kiez Berlin',
      address: 'Oderberger Straße 12, 10435 Berlin',
    });
  });

  it('refuses coordinates out of range and a missing title or address with 400', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const venue = { chat_id: user.id, latitude: 52.5, longitude: 13.4, title: 'Studio', address: 'Street 1' };
    for (const wrong of [
      { latitude: 90.5 },
      { longitude: -181 },
      { latitude: undefined },
      { longitude: 'east' },
    ]) {
      const { status, body } = await postJson('sendVenue', { ...venue, ...wrong });
      expect(status).toBe(400);
      expect(body.description).toBe('Bad Request: wrong latitude or longitude');
    }
    expect((await postJson('sendVenue', { ...venue, title: ' ' })).body.description).toBe(
      'Bad Request: venue title is empty',
    );
    expect((await postJson('sendVenue', { ...venue, address: undefined })).body.description).toBe(
      'Bad Request: venue address is empty',
    );
    expect(user.chat.messages.filter((message) => message.from === 'bot')).toEqual([]);
  });
});
