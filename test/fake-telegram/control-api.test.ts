import { type Bot, InlineKeyboard, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFakeTelegram,
  type FakeTelegram,
  type ViewMessageJson,
} from '../../src/fake-telegram/index.ts';
import { botFor, startPolling } from './helpers.ts';

let fake: FakeTelegram;
let bot: Bot;
let stopBot: () => Promise<void>;

beforeEach(async () => {
  fake = await createFakeTelegram();
  bot = botFor(fake);
  bot.command('start', (ctx) =>
    ctx.reply('Welcome! <b>Book</b> a trial?', {
      parse_mode: 'HTML',
      reply_markup: new InlineKeyboard().text('Yes', 'book'),
    }),
  );
  bot.callbackQuery('book', async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'Great' });
    await ctx.replyWithDocument(new InputFile(Buffer.from('ticket'), 'ticket.txt'));
  });
  stopBot = await startPolling(bot);
});

afterEach(async () => {
  await stopBot();
  await fake.close();
});

const post = async (
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> => {
  const response = await fetch(`${fake.url}/__fake/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

interface ChatJson {
  user: { first_name: string };
  messages: ViewMessageJson[];
  toasts: unknown[];
}

const getChat = async (chatId: number): Promise<ChatJson> =>
  (await (await fetch(`${fake.url}/__fake/chats/${chatId}`)).json()) as ChatJson;

/** Reads Server-Sent Events until `enough` says stop; returns the parsed events. */
async function readEvents(
  response: Response,
  enough: (events: Array<{ type: string; data: Record<string, unknown> }>) => boolean,
): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: Array<{ type: string; data: Record<string, unknown> }> = [];
  let buffer = '';
  while (!enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const type = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (type !== undefined && data !== undefined) events.push({ type, data: JSON.parse(data) });
      boundary = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return events;
}

describe('control API for the playground', () => {
  it('lets a page write as a user, read the chat, tap a button and download the bot’s file', async () => {
    const written = await post('chats/4242/text', { text: '/start', user: { firstName: 'Pia' } });
    expect(written.status).toBe(200);
    await fake.user({ id: 4242 }).settled(written.json.updateId as number);

    const chat = await getChat(4242);
    expect(chat.user.first_name).toBe('Pia');
    expect(chat.messages.map((message) => [message.from, message.text])).toEqual([
      ['user', '/start'],
      ['bot', 'Welcome! Book a trial?'],
    ]);
    const offer = chat.messages[1];
    expect(offer?.buttons).toEqual([[{ text: 'Yes', callbackData: 'book' }]]);

    const tapped = await post('chats/4242/tap', { callbackData: 'book', messageId: offer?.messageId });
    await fake.user({ id: 4242 }).settled(tapped.json.updateId as number);
    const after = await getChat(4242);
    expect(after.toasts).toEqual([{ showAlert: false, text: 'Great' }]);
    const documentUrl = after.messages.at(-1)?.document?.url;
    expect(documentUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__fake\/files\//);
    expect(await (await fetch(documentUrl ?? '')).text()).toBe('ticket');
  });

  it('streams one event per visible change', async () => {
    const stream = await fetch(`${fake.url}/__fake/events?chatId=77`);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const collecting = readEvents(stream, (events) => events.some((event) => event.type === 'toast'));

    const user = fake.user({ id: 77 });
    await user.start();
    await user.settled();
    await fake.user({ id: 78 }).start(); // another chat: filtered out
    await user.tap('Yes');

    const events = await collecting;
    expect(
      events.map((event) => [event.type, (event.data.message as ViewMessageJson | undefined)?.from]),
    ).toEqual([
      ['message', 'user'],
      ['message', 'bot'],
      ['toast', undefined],
    ]);
    expect(events[1]?.data).toMatchObject({ chatId: 77, message: { text: 'Welcome! Book a trial?' } });
  });

  it('explains bad requests', async () => {
    expect(await post('chats/999/tap', { callbackData: 'book' })).toEqual({
      status: 404,
      json: { error: 'no chat 999' },
    });
    await post('chats/5/text', { text: 'hi' });
    const missing = await post('chats/5/tap', { callbackData: 'nope' });
    expect(missing.status).toBe(400);
    expect(String(missing.json.error)).toContain('No inline button matching nope');
  });

  it('refuses a body over 64 KiB without writing anything, and takes the next one', async () => {
    const huge = await post('chats/6/text', { text: 'x'.repeat(100 * 1024) });
    expect(huge).toEqual({ status: 413, json: { error: 'the body is larger than 65536 bytes' } });
    expect((await fetch(`${fake.url}/__fake/chats/6`)).status).toBe(404);

    const written = await post('chats/6/text', { text: '/start' });
    expect(written.status).toBe(200);
    await fake.user({ id: 6 }).settled(written.json.updateId as number);
    expect((await getChat(6)).messages.map((message) => message.text)).toEqual([
      '/start',
      'Welcome! Book a trial?',
    ]);
  });
});
