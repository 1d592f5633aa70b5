import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, GrammyError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { describeErrorInOneLine } from '../../src/bot/errors.ts';
import { PerfectGymApiError } from '../../src/perfectgym/errors.ts';

describe('one-line error descriptions (staff logs and reports)', () => {
  it("give Telegram's code and description, not the call's payload", () => {
    const error = new GrammyError(
      "Call to 'sendMessage' failed!",
      { ok: false, error_code: 403, description: 'Forbidden: bot was kicked' },
      'sendMessage',
      { chat_id: 1, text: 'Anna Müller booked Rückenfit' },
    );
    expect(describeErrorInOneLine(error)).toBe('403 Forbidden: bot was kicked');
  });

  it('name the studio error and a bug by kind and first line, with no stack and no token', () => {
    const studio = new PerfectGymApiError({ endpoint: 'classes', status: 503, errorMessage: 'busy' });
    expect(describeErrorInOneLine(studio)).toBe('studio: PerfectGym classes answered HTTP 503');
    const bug = new TypeError('cannot read 123456789:AAH-token_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123');
    expect(describeErrorInOneLine(bug)).toBe('TypeError: cannot read [token]');
    expect(describeErrorInOneLine('a string')).toBe('string: non-error value thrown');
  });

  it('name what broke when Telegram could not be reached, where fetch hides it in its cause', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const token = '123456789:AAH-token_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123';
    const error = await new Api(token, { apiRoot: `http://127.0.0.1:${port}` }).getMe().catch((e) => e);

    const line = describeErrorInOneLine(error);
    expect(line).toBe("telegram-network: Network request for 'getMe' failed! (ECONNREFUSED)");
    expect(line).not.toContain('AAH-token');
  });
});
