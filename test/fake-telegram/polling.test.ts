import { autoRetry } from '@grammyjs/auto-retry';
import { run } from '@grammyjs/runner';
import { type Bot, GrammyError, InlineKeyboard, InputFile, Keyboard } from 'grammy';
import type { Message } from 'grammy/types';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFakeTelegram,
  type FakeTelegram,
  MESSAGE_NOT_MODIFIED,
  QUERY_TOO_OLD,
} from '../../src/fake-telegram/index.ts';
import { botFor, gate, startPolling } from './helpers.ts';

let fake: FakeTelegram;
let bot: Bot;
let stopBot: (() => Promise<void>) | undefined;

beforeEach(async () => {
  fake = await createFakeTelegram();
  bot = botFor(fake);
  stopBot = undefined;
});

afterEach(async () => {
  await stopBot?.();
  await fake.close();
});

const poll = async (): Promise<void> => {
  stopBot = await startPolling(bot);
};

/** Collects errors a handler caught, so tests can inspect the GrammyErrors the bot saw. */
function errorLog(): { record(error: unknown): void; errors: unknown[] } {
  const errors: unknown[] = [];
  return { record: (error) => errors.push(error), errors };
}

describe('a grammY bot polling the fake', () => {
  it('answers a command: the user sees the reply, the bot saw a bot_command entity', async () => {
    bot.command('start', (ctx) =>
      ctx.reply(`Welcome, ${ctx.from?.first_name}! Payload: ${ctx.match || 'none'}`),
    );
    await poll();

    const ann = fake.user({ firstName: 'Ann', languageCode: 'de' });
    await ann.start('trial-42');
    await ann.settled();

    expect(ann.chat.messages.map((message) => [message.from, message.text])).toEqual([
      ['user', '/start trial-42'],
      ['bot', 'Welcome, Ann! Payload: trial-42'],
    ]);
    expect(fake.calls.map((call) => call.method)).toContain('getMe');
    expect(ann.chat.calls.map((call) => call.method)).toEqual(['sendMessage']);
  });

  it('turns HTML into plain text and entities, in the view and in the Message grammY gets back', async () => {
    let returned: Message | undefined;
    bot.on('message:text', async (ctx) => {
      returned = await ctx.reply('<b>Yoga</b> on <i>Monday</i> &amp; more', { parse_mode: 'HTML' });
    });
    await poll();

    const user = fake.user();
    await user.sendText('hi');
    await user.settled();

    const reply = user.chat.last('bot');
    expect(reply?.text).toBe('Yoga on Monday & more');
    expect(reply?.html).toBe('<b>Yoga</b> on <i>Monday</i> &amp; more');
    const entities = [
      { type: 'bold', offset: 0, length: 4 },
      { type: 'italic', offset: 8, length: 6 },
    ];
    expect(reply?.entities).toEqual(entities);
    expect(returned).toMatchObject({
      text: 'Yoga on Monday & more',
      entities,
      from: { id: fake.botInfo.id, is_bot: true },
      chat: { id: user.id, type: 'private' },
    });
  });

  it('rejects malformed HTML with Telegram’s exact GrammyError', async () => {
    const failure = errorLog();
    bot.on('message', (ctx) => ctx.reply('<b>unclosed', { parse_mode: 'HTML' }).catch(failure.record));
    await poll();

    const user = fake.user();
    await user.sendText('hi');
    await user.settled();
    const [error] = failure.errors;
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(400);
    expect((error as GrammyError).description).toBe(
      'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    );
  });

  it('limits text to 4096 characters after entity parsing', async () => {
    const user = fake.user();
    await user.sendText('hi'); // lets the bot write to this user
    const longButFormatted = `<b>${'x'.repeat(4096)}</b>`;
    await expect(
      bot.api.sendMessage(user.id, longButFormatted, { parse_mode: 'HTML' }),
    ).resolves.toMatchObject({
      text: 'x'.repeat(4096),
    });
    await expect(bot.api.sendMessage(user.id, 'x'.repeat(4097))).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    await expect(bot.api.sendMessage(user.id, '   ')).rejects.toMatchObject({
      description: 'Bad Request: message text is empty',
    });
  });

  it('refuses chats that do not exist, users who never wrote, and users who blocked the bot', async () => {
    await expect(bot.api.sendMessage(123, 'hello')).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: chat not found',
    });
    const silent = fake.user();
    await expect(bot.api.sendMessage(silent.id, 'hello')).rejects.toMatchObject({
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    await silent.sendText('hi');
    silent.blockBot();
    await expect(bot.api.sendMessage(silent.id, 'hello')).rejects.toMatchObject({
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
  });

  it('delivers a button tap as a callback query and shows the answer as a toast', async () => {
    bot.command('start', (ctx) =>
      ctx.reply('Pick a slot', {
        reply_markup: new InlineKeyboard().text('Mon 9:00', 'slot:1').text('Tue 18:00', 'slot:2'),
      }),
    );
    const seenData: string[] = [];
    bot.callbackQuery(/^slot:/, async (ctx) => {
      seenData.push(ctx.callbackQuery.data);
      await ctx.answerCallbackQuery({ text: 'Slot held for you' });
    });
    await poll();

    const user = fake.user();
    await user.start();
    await user.settled();
    await user.tap('Tue 18:00');
    await user.settled();

    expect(seenData).toEqual(['slot:2']);
    expect(user.chat.toasts).toEqual([{ text: 'Slot held for you', showAlert: false }]);
    await expect(user.tap('Wed 7:00')).rejects.toThrow(
      /No inline button matching Wed 7:00[\s\S]*"Mon 9:00" \(data: slot:1\), "Tue 18:00" \(data: slot:2\)/,
    );
  });

  it('answers a second answerCallbackQuery with "query is too old"', async () => {
    const failure = errorLog();
    bot.command('start', (ctx) => ctx.reply('Go', { reply_markup: new InlineKeyboard().text('Go', 'go') }));
    bot.callbackQuery('go', async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.answerCallbackQuery({ text: 'again' }).catch(failure.record);
    });
    await poll();

    const user = fake.user();
    await user.start();
    await user.settled();
    await user.tap('go');
    await user.settled();
    expect(failure.errors).toMatchObject([{ error_code: 400, description: `Bad Request: ${QUERY_TOO_OLD}` }]);
    expect(user.chat.toasts).toEqual([{ showAlert: false }]);
  });

  it('edits a message in place; an identical edit fails with "message is not modified"', async () => {
    const failure = errorLog();
    bot.command('start', (ctx) =>
      ctx.reply('Book Monday 9:00?', { reply_markup: new InlineKeyboard().text('Book', 'book') }),
    );
    bot.callbackQuery('book', async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.editMessageText('Booked: Monday 9:00');
      await ctx.editMessageText('Booked: Monday 9:00').catch(failure.record);
    });
    await poll();

    const user = fake.user();
    await user.start();
    await user.settled();
    const question = user.chat.last('bot');
    await user.tap('Book');
    await user.settled();

    const [error] = failure.errors;
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).description).toBe(`Bad Request: ${MESSAGE_NOT_MODIFIED}`);
    expect(user.chat.messages).toHaveLength(2);
    const edited = user.chat.last('bot');
    expect(edited).toMatchObject({
      messageId: question?.messageId,
      text: 'Booked: Monday 9:00',
      edited: true,
    });
    // Editing the text without reply_markup removes the keyboard, as in Telegram.
    expect(edited?.buttons).toEqual([]);
  });

  it('reports edits of unknown messages like Telegram', async () => {
    const user = fake.user();
    await user.sendText('hi');
    await expect(bot.api.editMessageText(user.id, 99, 'x')).rejects.toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
  });

  it('refuses the Markdown parse modes it does not implement instead of showing them wrongly', async () => {
    const user = fake.user();
    await user.sendText('hi');
    await expect(bot.api.sendMessage(user.id, '*bold*', { parse_mode: 'MarkdownV2' })).rejects.toMatchObject({
      description: 'Bad Request: parse_mode "MarkdownV2" is not implemented by this fake',
    });
    expect(user.chat.messages.map((message) => message.text)).toEqual(['hi']);
  });

  it('swaps an inline keyboard with editMessageReplyMarkup and refuses an identical one', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const sent = await bot.api.sendMessage(user.id, 'Slots', {
      reply_markup: new InlineKeyboard().text('9:00', 's1'),
    });
    const later = new InlineKeyboard().text('10:00', 's2').row().url('Map', 'https://studio.example.com/map');
    await bot.api.editMessageReplyMarkup(user.id, sent.message_id, { reply_markup: later });

    expect(user.chat.message(sent.message_id)).toMatchObject({
      text: 'Slots',
      edited: true,
      buttons: [
        [{ text: '10:00', callbackData: 's2' }],
        [{ text: 'Map', url: 'https://studio.example.com/map' }],
      ],
    });
    await expect(
      bot.api.editMessageReplyMarkup(user.id, sent.message_id, { reply_markup: later }),
    ).rejects.toMatchObject({ description: `Bad Request: ${MESSAGE_NOT_MODIFIED}` });
    await expect(user.tap('Map')).rejects.toThrow(/opens https:\/\/studio\.example\.com\/map/);
  });

  it('shows typing', async () => {
    const user = fake.user({ firstName: 'Dana', username: 'dana_lifts' });
    await user.sendText('hi');
    await bot.api.sendChatAction(user.id, 'typing');

    expect(user.chat.chatAction?.action).toBe('typing');
    await expect(bot.api.sendChatAction(user.id, 'juggling' as 'typing')).rejects.toMatchObject({
      description: 'Bad Request: wrong parameter action in request',
    });
  });

  it('only hands out the update types the bot asked for', async () => {
    const seen: string[] = [];
    bot.use((ctx, next) => {
      seen.push(ctx.callbackQuery === undefined ? `message:${ctx.message?.text}` : 'callback_query');
      return next();
    });
    bot.command('start', (ctx) =>
      ctx.reply('Tap', { reply_markup: new InlineKeyboard().text('Tap', 'tap') }),
    );
    stopBot = await startPolling(bot, { allowed_updates: ['message'] });

    const user = fake.user();
    await user.start();
    await user.settled();
    const tap = await user.tap('Tap');
    await expect(user.settled(tap)).rejects.toThrow(/not in allowed_updates/);
    await user.sendText('after');
    await user.settled();
    expect(seen).toEqual(['message:/start', 'message:after']);
  });

  it('refuses callback_data longer than 64 bytes', async () => {
    const user = fake.user();
    await user.sendText('hi');
    await expect(
      bot.api.sendMessage(user.id, 'x', { reply_markup: new InlineKeyboard().text('x', 'é'.repeat(33)) }),
    ).rejects.toMatchObject({ description: 'Bad Request: BUTTON_DATA_INVALID' });
  });

  it('refuses an inline keyboard of more than 100 buttons, as Telegram does', async () => {
    const user = fake.user();
    await user.sendText('hi');
    const keyboard = (count: number) =>
      InlineKeyboard.from(Array.from({ length: count }, (_, i) => [InlineKeyboard.text(`${i}`, `${i}`)]));
    await expect(bot.api.sendMessage(user.id, 'x', { reply_markup: keyboard(101) })).rejects.toMatchObject({
      description: 'Bad Request: REPLY_MARKUP_TOO_LONG',
    });
    await expect(bot.api.sendMessage(user.id, 'x', { reply_markup: keyboard(100) })).resolves.toBeDefined();
  });

  it('stores uploaded documents: the user sees them with their name, type and bytes', async () => {
    const calendar = 'BEGIN:VCALENDAR\r\nSUMMARY:Trial class\r\nEND:VCALENDAR\r\n';
    bot.on('message', async (ctx) => {
      await ctx.replyWithDocument(new InputFile(Buffer.from(calendar), 'trial class.ics'), {
        caption: 'Your <b>booking</b>',
        parse_mode: 'HTML',
      });
    });
    await poll();

    const user = fake.user();
    await user.sendText('send it');
    await user.settled();

    const message = user.chat.last('bot');
    expect(message?.text).toBe('Your booking');
    expect(message?.document?.fileName).toBe('trial class.ics');
    expect(message?.document?.mimeType).toBe('text/calendar');
    expect(Buffer.from(message?.document?.bytes ?? []).toString()).toBe(calendar);
  });

  it('stores photos with their real size', async () => {
    const image = new PNG({ width: 3, height: 2 });
    const bytes = PNG.sync.write(image);
    bot.on('message', (ctx) => ctx.replyWithPhoto(new InputFile(bytes, 'qr.png')));
    await poll();

    const user = fake.user();
    await user.sendText('qr please');
    await user.settled();

    const photo = user.chat.last('bot')?.photo;
    expect(photo).toMatchObject({ width: 3, height: 2 });
    expect(Buffer.from(photo?.bytes ?? []).equals(bytes)).toBe(true);
    await expect(
      bot.api.sendPhoto(user.id, new InputFile(Buffer.from('not an image'), 'x.png')),
    ).rejects.toMatchObject({
      description: 'Bad Request: IMAGE_PROCESS_FAILED',
    });
  });

  it('lets @grammyjs/auto-retry ride out an injected 429', async () => {
    bot.api.config.use(autoRetry());
    bot.on('message', (ctx) => ctx.reply('made it'));
    await poll();
    fake.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      retry_after: 1,
    });

    const user = fake.user();
    const started = Date.now();
    await user.sendText('hi');
    await user.settled();

    expect(user.chat.last('bot')?.text).toBe('made it');
    expect(user.chat.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('shows an injected 429 to a bot without auto-retry as GrammyError with retry_after', async () => {
    const user = fake.user();
    await user.sendText('hi');
    fake.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 7',
      retry_after: 7,
    });
    await expect(bot.api.sendMessage(user.id, 'x')).rejects.toMatchObject({
      error_code: 429,
      description: 'Too Many Requests: retry after 7',
      parameters: { retry_after: 7 },
    });
    await expect(bot.api.sendMessage(user.id, 'second try')).resolves.toMatchObject({ text: 'second try' });
  });

  it('shows reply keyboards, sends contacts from request_contact, and removes the keyboard', async () => {
    const contacts: Array<{ userId?: number; phone: string }> = [];
    bot.command('start', (ctx) =>
      ctx.reply('Share your phone?', {
        reply_markup: new Keyboard().requestContact('Share my number').resized().oneTime(),
      }),
    );
    bot.on('message:contact', async (ctx) => {
      const { contact } = ctx.message;
      contacts.push({
        ...(contact.user_id === undefined ? {} : { userId: contact.user_id }),
        phone: contact.phone_number,
      });
      await ctx.reply('Thanks', { reply_markup: { remove_keyboard: true } });
    });
    await poll();

    const user = fake.user({ firstName: 'Ben' });
    await user.start();
    await user.settled();
    expect(user.chat.replyKeyboard?.rows).toEqual([
      [{ text: 'Share my number', requestContact: true, requestLocation: false }],
    ]);

    await user.shareContact({ phoneNumber: '+4915112345678' });
    await user.settled();
    await user.start();
    await user.settled();
    await user.shareContact({ ownContact: false });
    await user.settled();

    expect(contacts[0]).toEqual({ userId: user.id, phone: '+4915112345678' });
    expect(contacts[1]?.userId).not.toBe(user.id);
    expect(user.chat.replyKeyboard).toBeUndefined();
  });

  it('stores commands per scope and language and shows the user the most specific list', async () => {
    const user = fake.user({ languageCode: 'de' });
    await bot.api.setMyCommands([{ command: 'start', description: 'Start' }]);
    await bot.api.setMyCommands([{ command: 'start', description: 'Los geht’s' }], { language_code: 'de' });
    expect(user.chat.commands).toEqual([{ command: 'start', description: 'Los geht’s' }]);

    await bot.api.setMyCommands([{ command: 'cancel', description: 'Cancel booking' }], {
      scope: { type: 'chat', chat_id: user.id },
    });
    expect(user.chat.commands).toEqual([{ command: 'cancel', description: 'Cancel booking' }]);
    expect(await bot.api.getMyCommands({ language_code: 'de' })).toEqual([
      { command: 'start', description: 'Los geht’s' },
    ]);

    await expect(bot.api.setMyCommands([{ command: 'Start', description: 'x' }])).rejects.toMatchObject({
      description: 'Bad Request: BOT_COMMAND_INVALID',
    });
  });
});

describe('settled()', () => {
  it('waits while the bot is still handling the update, then resolves', async () => {
    const handlerMayFinish = gate();
    bot.on('message', async (ctx) => {
      await handlerMayFinish.opened;
      await ctx.reply('done');
    });
    await poll();

    const user = fake.user();
    await user.sendText('hi');
    let settled = false;
    const settling = user.settled().then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settled).toBe(false);

    handlerMayFinish.open();
    await settling;
    expect(user.chat.last('bot')?.text).toBe('done');
  });

  it('with settleQuietMs, waits out a bot that confirms updates before handling them (@grammyjs/runner)', async () => {
    // A quiet spell ten times the bot's pause between its calls: the test process may stall (a
    // loaded machine, a GC) for most of a second before a pause this long looks like the end.
    const quietFake = await createFakeTelegram({ settleQuietMs: 1_000 });
    const runnerBot = botFor(quietFake);
    runnerBot.on('message', async (ctx) => {
      await ctx.reply('checking the studio…');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await ctx.reply('Monday 9:00 is free');
    });
    await runnerBot.init();
    const runner = run(runnerBot);
    try {
      const user = quietFake.user();
      await user.sendText('slots?');
      await user.settled();
      expect(user.chat.messages.map((message) => message.text)).toEqual([
        'slots?',
        'checking the studio…',
        'Monday 9:00 is free',
      ]);
    } finally {
      await runner.stop();
      await quietFake.close();
    }
  });

  it('chat.waitFor() follows what the user sees, whatever runs the bot', async () => {
    bot.on('message', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await ctx.reply('first');
      await ctx.reply('second');
    });
    await bot.init();
    const runner = run(bot);
    try {
      const user = fake.user();
      await user.sendText('go');
      await user.chat.waitFor((chat) => chat.last('bot')?.text === 'second');
      expect(user.chat.messages.map((message) => message.text)).toEqual(['go', 'first', 'second']);
      await expect(user.chat.waitFor((chat) => chat.messages.length > 5, 100)).rejects.toThrow(
        /did not reach the expected state within 100 ms/,
      );
    } finally {
      await runner.stop();
    }
  });

  it('explains why an update was not settled when no bot is polling', async () => {
    const user = fake.user();
    await user.sendText('anyone there?');
    await expect(user.settled(undefined, 100)).rejects.toThrow(/never fetched it/);
  });

  it('settles each of many concurrent users independently', async () => {
    bot.on('message:text', (ctx) => ctx.reply(`echo ${ctx.message.text}`));
    await poll();

    const users = Array.from({ length: 200 }, () => fake.user());
    await Promise.all(users.map((user, index) => user.sendText(`m${index}`)));
    await Promise.all(users.map((user) => user.settled()));

    for (const [index, user] of users.entries()) {
      expect(user.chat.last('bot')?.text).toBe(`echo m${index}`);
    }
    expect(fake.pendingUpdateCount).toBe(0);
  });
});
