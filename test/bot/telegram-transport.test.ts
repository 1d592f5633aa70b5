/**
 * The Bot API transport: a call whose connection breaks before any answer is sent again on a new
 * connection, a bounded number of times; one whose answer began is not; long polls do not hold up
 * other calls. Through the whole bot and the fake Telegram, and against tiny HTTP servers that
 * misbehave in exactly one way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Api, HttpError, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTelegramTransport,
  InMemoryFile,
  type TelegramTransport,
} from '../../src/bot/telegram-transport.ts';
import { parseMultipart } from '../../src/fake-telegram/multipart.ts';
import { botMessages, type Harness, lastText, start, startHarness } from './harness.ts';

let h: Harness | undefined;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const greeting = /^Hi! I'm the booking assistant/;
const token = '123456:AAtransportTestTokenThatIsLongEnough000';

describe('a Bot API call whose connection is reset before the answer', () => {
  it('is sent again: the prospect gets the reply, exactly once', async () => {
    h = await startHarness();
    const ann = h.user();
    h.fake.failNext('sendMessage', 'connection-reset');

    await start(ann);

    expect(botMessages(ann).map((message) => message.text)).toHaveLength(1);
    expect(lastText(ann)).toMatch(greeting);
    expect(ann.chat.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(2);
    const errors = await h.metrics.registry.getSingleMetricAsString('trialgram_telegram_api_errors_total');
    expect(errors).toContain('trialgram_telegram_api_errors_total{method="sendMessage",code="network"} 1');
  });

  it('every time: given up after three attempts and logged once, without the token', async () => {
    const logLines: string[] = [];
    h = await startHarness({ logLines });
    const ann = h.user();
    h.fake.failNext('sendMessage', 'connection-reset', 1_000);

    await start(ann);

    expect(botMessages(ann)).toEqual([]);
    expect(ann.chat.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(3);
    const failed = logLines.filter((line) => line.includes('telegram call failed'));
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0] ?? '{}')).toMatchObject({
      level: 40,
      effect: 'reply',
      error: {
        kind: 'telegram-network',
        // The reset reaches the bot as ECONNRESET, or as a closed socket if it came before the write ended.
        message: expect.stringMatching(
          /^Network request for 'sendMessage' failed! \((ECONNRESET|UND_ERR_SOCKET)\)$/,
        ),
      },
    });
    const secret = h.fake.token.split(':')[1] ?? '';
    expect(logLines.filter((line) => line.includes(secret))).toEqual([]);
    const errors = await h.metrics.registry.getSingleMetricAsString('trialgram_telegram_api_errors_total');
    expect(errors).toContain('trialgram_telegram_api_errors_total{method="sendMessage",code="network"} 3');
  });
});

/** Listens on loopback until the test's end (connections closed then); resolves with its root URL. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A tiny Bot API on loopback; `answer` decides per request (and per request on its connection). */
async function startServer(
  answer: (request: IncomingMessage, response: ServerResponse, nthOnConnection: number) => void,
): Promise<{ apiRoot: string; requests: string[]; readonly answered: number; server: Server }> {
  const requests: string[] = [];
  let answered = 0;
  const perConnection = new WeakMap<Socket, number>();
  const server = createServer((request, response) => {
    const nth = (perConnection.get(request.socket) ?? 0) + 1;
    perConnection.set(request.socket, nth);
    request.resume();
    request.on('end', () => {
      requests.push(new URL(request.url ?? '/', 'http://x').pathname.split('/').at(-1) ?? '');
      response.on('finish', () => {
        answered += 1;
      });
      answer(request, response, nth);
    });
  });
  return {
    apiRoot: await listen(server),
    requests,
    get answered() {
      return answered;
    },
    server,
  };
}

const sentMessage = { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: 'hi' };
function answerOk(response: ServerResponse, result: unknown = sentMessage): void {
  const body = JSON.stringify({ ok: true, result });
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** An Api over the transport as the bot has it: the calls of every update sent straight as JSON. */
function apiOver(transport: TelegramTransport, apiRoot: string): Api {
  cleanups.push(() => transport.close());
  const api = new Api(token, { apiRoot, fetch: transport.fetch });
  api.config.use(transport.directJson(token));
  return api;
}

describe('the transport', () => {
  it("sends the calls of every update as grammY's own client does, and fails them as it does", async () => {
    const bodies: Array<{ method: string; type: string | undefined; body: string }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        const method = new URL(request.url ?? '/', 'http://x').pathname.split('/').at(-1) ?? '';
        bodies.push({ method, type: request.headers['content-type'], body });
        if (JSON.parse(body).text === 'gateway') {
          response.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
        } else if (JSON.parse(body).text === 'refused') {
          const refusal = JSON.stringify({
            ok: false,
            error_code: 403,
            description: 'Forbidden: bot was blocked by the user',
          });
          response.writeHead(403, { 'content-type': 'application/json' }).end(refusal);
        } else answerOk(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const transport = createTelegramTransport({ apiRoot });
    const direct = apiOver(transport, apiRoot);
    const grammys = new Api(token, { apiRoot, fetch: transport.fetch });

    // A null in the payload, as an optional left empty: grammY leaves it out.
    const options = {
      reply_markup: { inline_keyboard: [[{ text: 'Ja', callback_data: 'y:1' }]] },
      message_thread_id: null,
    };
    for (const api of [direct, grammys]) {
      await expect(api.sendMessage(7, 'Grüß Gott', options as never)).resolves.toMatchObject({
        message_id: 1,
      });
    }
    const [ours, theirs] = bodies;
    expect(ours).toEqual(theirs);
    expect(JSON.parse(ours?.body ?? '')).toEqual({
      chat_id: 7,
      text: 'Grüß Gott',
      reply_markup: options.reply_markup,
    });

    for (const api of [direct, grammys]) {
      await expect(api.sendMessage(7, 'refused')).rejects.toMatchObject({
        name: 'GrammyError',
        error_code: 403,
        description: 'Forbidden: bot was blocked by the user',
      });
    }
    // A proxy's error page instead of Telegram's JSON.
    for (const api of [direct, grammys]) {
      await expect(api.sendMessage(7, 'gateway')).rejects.toMatchObject({
        name: 'HttpError',
        message: "Network request for 'sendMessage' failed!",
      });
    }
    await new Promise((resolve) => server.close(resolve));
    const failures = await Promise.all(
      [direct, grammys].map((api) => api.answerCallbackQuery('q').catch((error: unknown) => error)),
    );
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(HttpError);
      expect(String((failure as Error).message)).toBe("Network request for 'answerCallbackQuery' failed!");
    }
  });

  it('answers a sent message as the very message Telegram sent: every field, its JSON, a copy', async () => {
    const message = {
      message_id: 4711,
      from: { id: 1, is_bot: true, first_name: 'Kiez' },
      chat: { id: 7, type: 'private', first_name: 'Erika' },
      date: 1_700_000_000,
      edit_date: 1_700_000_060,
      text: 'Wann möchtest du kommen?',
      reply_markup: { inline_keyboard: [[{ text: 'Mo 08:00', callback_data: 's:1' }]] },
    };
    const fake = await startServer((_request, response) => answerOk(response, message));
    const direct = apiOver(createTelegramTransport({ apiRoot: fake.apiRoot }), fake.apiRoot);
    const answers: unknown[] = [
      await direct.sendMessage(7, 'x'),
      await direct.editMessageText(7, 4711, 'x'),
      await direct.sendVenue(7, 52.5, 13.4, 'Kiez', 'Kastanienallee 7'),
    ];
    for (const sent of answers as Array<typeof message>) {
      expect(sent.message_id).toBe(4711);
      expect(sent).toEqual(message);
      expect(JSON.parse(JSON.stringify(sent))).toEqual(message);
      expect({ ...sent }).toEqual(message);
      expect(Object.keys(sent)).toEqual(Object.keys(message));
      expect('reply_markup' in sent).toBe(true);
      expect('forward_origin' in sent).toBe(false);
      expect(sent.reply_markup.inline_keyboard[0]?.[0]?.callback_data).toBe('s:1');
    }
    // Anything else (here a message whose id is not first) is parsed as it comes.
    const { message_id: id, ...rest } = message;
    const other = await startServer((_request, response) => answerOk(response, { ...rest, message_id: id }));
    const otherApi = apiOver(createTelegramTransport({ apiRoot: other.apiRoot }), other.apiRoot);
    expect(await otherApi.sendMessage(7, 'x')).toEqual(message);
  });

  it("uploads a file held in memory as grammY's own client does: the same fields and the same file", async () => {
    const uploads: Array<{ fields: Record<string, string>; file: { name: string; bytes: string } }> = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const { fields, files } = parseMultipart(
          Buffer.concat(chunks),
          request.headers['content-type'] ?? '',
        );
        const attached = (fields.get('document') ?? '').replace('attach://', '');
        const file = files.get(attached);
        uploads.push({
          fields: Object.fromEntries([...fields].filter(([key]) => key !== 'document')),
          file: { name: file?.fileName ?? '', bytes: Buffer.from(file?.bytes ?? []).toString('utf8') },
        });
        answerOk(response);
      });
    });
    const apiRoot = await listen(server);
    const direct = apiOver(createTelegramTransport({ apiRoot }), apiRoot);
    const ics = 'BEGIN:VCALENDAR\r\nSUMMARY:Rückenfit – Probetraining\r\nEND:VCALENDAR\r\n';
    const other = {
      caption: 'Dein Termin 📅',
      reply_markup: { inline_keyboard: [[{ text: 'Ja', callback_data: 'y' }]] },
    };
    await direct.sendDocument(7, new InMemoryFile(Buffer.from(ics), 'trial-55.ics'), other);
    await new Api(token, { apiRoot }).sendDocument(7, new InputFile(Buffer.from(ics), 'trial-55.ics'), other);
    expect(uploads).toHaveLength(2);
    expect(uploads[0]).toEqual(uploads[1]);
    expect(uploads[0]).toEqual({
      fields: { chat_id: '7', caption: other.caption, reply_markup: JSON.stringify(other.reply_markup) },
      file: { name: 'trial-55.ics', bytes: ics },
    });
  });

  it('sends a call again on a new connection when the peer closed the kept-alive one', async () => {
    // Each connection serves one request; the next request on it meets a closed connection, as when
    // Telegram closes an idle kept-alive connection just as it is reused.
    const fake = await startServer((request, response, nth) => {
      if (nth === 1) answerOk(response);
      else request.socket.resetAndDestroy();
    });
    const api = apiOver(createTelegramTransport({ apiRoot: fake.apiRoot }), fake.apiRoot);

    // Three connections, each used once: all three are closed for the next request.
    await Promise.all([1, 2, 3].map((n) => api.sendMessage(1, `first ${n}`)));
    for (let message = 1; message <= 3; message++) {
      await expect(api.sendMessage(1, `message ${message}`)).resolves.toMatchObject({ message_id: 1 });
    }
    // Six calls, each answered once (the first request of a connection is answered); the requests
    // that met a closed connection were sent again.
    expect(fake.answered).toBe(6);
    expect(fake.requests.length).toBeGreaterThan(6);
  });

  it('does not send a call again once its answer began', async () => {
    const fake = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"ok":true,');
      setTimeout(() => response.socket?.resetAndDestroy(), 20);
    });
    const retries: string[] = [];
    const api = apiOver(
      createTelegramTransport({ apiRoot: fake.apiRoot, onRetry: ({ method }) => retries.push(method) }),
      fake.apiRoot,
    );

    await expect(api.sendMessage(1, 'hello')).rejects.toBeInstanceOf(HttpError);
    expect(fake.requests).toEqual(['sendMessage']);
    expect(retries).toEqual([]);
  });

  it('gives up on a refused connection after the set number of attempts, without waiting long', async () => {
    const fake = await startServer((_request, response) => answerOk(response));
    const { apiRoot } = fake;
    await new Promise<void>((resolve) => fake.server.close(() => resolve()));
    const retries: Array<{ code: string; attempt: number }> = [];
    const api = apiOver(
      createTelegramTransport({
        apiRoot,
        attempts: 4,
        onRetry: ({ code, attempt }) => retries.push({ code, attempt }),
      }),
      apiRoot,
    );

    const started = Date.now();
    await expect(api.sendMessage(1, 'hello')).rejects.toBeInstanceOf(HttpError);
    // Backoff waits at most 100 + 200 + 400 ms here.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(retries).toEqual([
      { code: 'ECONNREFUSED', attempt: 1 },
      { code: 'ECONNREFUSED', attempt: 2 },
      { code: 'ECONNREFUSED', attempt: 3 },
    ]);
  });

  it('never sends a long poll stopped while it waited for a connection', async () => {
    const held: ServerResponse[] = [];
    const fake = await startServer((request, response) => {
      if (request.url?.endsWith('/getUpdates')) held.push(response);
    });
    const transport = createTelegramTransport({ apiRoot: fake.apiRoot });
    const api = apiOver(transport, fake.apiRoot);
    // Long polls have two connections: a third poll waits for one of them.
    const first = api.getUpdates({ timeout: 30 });
    const second = api.getUpdates({ timeout: 30 });
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(2);
    const stop = new AbortController();
    const third = transport.fetch(`${fake.apiRoot}/bot${token}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"timeout":30}',
      signal: stop.signal,
    });
    third.catch(() => undefined);
    // Stopped once it is queued for a connection (the polling bot stopped then).
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();

    for (const response of held) answerOk(response, []);
    await expect(first).resolves.toEqual([]);
    await expect(second).resolves.toEqual([]);
    await expect(third).rejects.toThrow(/abort/i);
    // Had the third gone out once a connection was free, closing would wait for its answer for ever.
    await transport.close();
    expect(held).toHaveLength(2);
  });

  it('keeps long polls apart: a held getUpdates does not delay other calls', async () => {
    const held: ServerResponse[] = [];
    const fake = await startServer((request, response) => {
      if (request.url?.endsWith('/getUpdates')) held.push(response);
      else answerOk(response);
    });
    // One connection for calls: were the long poll on it, sendMessage would wait behind it.
    const api = apiOver(createTelegramTransport({ apiRoot: fake.apiRoot, connections: 1 }), fake.apiRoot);

    const polling = api.getUpdates({ timeout: 30 });
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(1);
    await expect(api.sendMessage(1, 'hello')).resolves.toMatchObject({ message_id: 1 });
    await expect(api.sendMessage(1, 'again')).resolves.toMatchObject({ message_id: 1 });

    for (const response of held) answerOk(response, []);
    await expect(polling).resolves.toEqual([]);
  });
});
