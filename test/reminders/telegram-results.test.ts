import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { deliveryResultOf } from '../../src/reminders/index.ts';

const apiError = (code: number, description: string, retryAfter?: number) =>
  new GrammyError(
    description,
    {
      ok: false,
      error_code: code,
      description,
      ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }),
    },
    'sendMessage',
    {},
  );

describe('deliveryResultOf', () => {
  it.each([
    [apiError(429, 'Too Many Requests: retry after 7', 7), { status: 'rate_limited', retryAfterMs: 7_000 }],
    [apiError(403, 'Forbidden: bot was blocked by the user'), { status: 'blocked' }],
    [apiError(400, 'Bad Request: chat not found'), { status: 'failed', retry: false }],
    [apiError(502, 'Bad Gateway'), { status: 'failed', retry: true }],
    [
      new HttpError('Network request for sendMessage failed', new Error('ECONNRESET')),
      { status: 'failed', retry: true },
    ],
  ])('maps %s', (error, result) => {
    expect(deliveryResultOf(error)).toEqual(result);
  });

  it('lets a bug through as it is', () => {
    expect(() => deliveryResultOf(new TypeError('render failed'))).toThrow('render failed');
  });
});
