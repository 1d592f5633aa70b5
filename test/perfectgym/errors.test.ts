/**
 * What reaches the log when a studio puts personal data where a code belongs: an `errorCode` or a
 * `traceId` that carries an e-mail address. The lines are captured as the bot writes them (pino,
 * the client's own warnings and the bot's "studio call failed" line).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeError } from '../../src/bot/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { createPerfectGymClient } from '../../src/perfectgym/client.ts';
import { PerfectGymApiError } from '../../src/perfectgym/errors.ts';
import { json, rejectionOf, startCraftedServer } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('studio error fields in logs', () => {
  it('keep a code that looks like one and replace studio text that does not', async () => {
    const server = await startCraftedServer((request, response) => {
      if (server.requests.indexOf(request) === 0)
        json(response, 503, { errorMessage: 'busy', traceId: 'ada@example.com' });
      else
        json(response, 409, {
          errorMessage: 'ada@example.com already exists',
          errorCode: 'DUPLICATE ada@example.com',
          traceId: 'trace for Ada Lovelace <ada@example.com>',
        });
    });
    cleanups.push(() => server.close());
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const client = createPerfectGymClient({
      baseUrl: server.url,
      apiKey: 'k-123456',
      retryBaseDelayMs: 10,
      logger,
    });
    cleanups.push(() => client.close());

    const error = await rejectionOf(
      client.validateLead({
        trialOfferConfigId: 4,
        leadCustomerData: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com' },
      }),
    );
    logger.warn({ call: 'validateLead', error: describeError(error) }, 'studio call failed');

    expect(error).toBeInstanceOf(PerfectGymApiError);
    const output = lines.join('');
    expect(output).toContain('PerfectGym leadValidate answered HTTP 409 (unrecognised error code)');
    expect(output).toContain('unrecognised trace id');
    expect(output).not.toContain('ada@example.com');
    expect(output).not.toContain('Lovelace');
  });

  it('name a well-formed studio error code and trace id as they are', () => {
    const error = new PerfectGymApiError({
      endpoint: 'classBook',
      status: 400,
      errorMessage: 'the class is full',
      errorCode: 'CLASS_FULL',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(error.message).toBe(
      'PerfectGym classBook answered HTTP 400 (CLASS_FULL) [trace 4bf92f3577b34da6a3ce929d0e0e4736]',
    );
  });
});
