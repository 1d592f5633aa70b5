import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

function capture(secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger({ secrets, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

describe('logger', () => {
  it('redacts personal data in log objects', () => {
    const { logger, lines } = capture();
    logger.info(
      { updateId: 7, lead: { firstname: 'Erika', email: 'erika@example.com', address: { city: 'Berlin' } } },
      'lead collected',
    );
    const line = lines.join('');
    expect(line).toContain('"updateId":7');
    expect(line).not.toContain('Erika');
    expect(line).not.toContain('erika@example.com');
    expect(line).not.toContain('Berlin');
  });

  it('never writes the bot token or the API key, even inside error messages', () => {
    const token = '123456789:AAFakeTokenFakeTokenFakeTokenFakeToken12';
    const { logger, lines } = capture([token, 'pg-api-key-123']);
    logger.error({ err: new Error(`call to https://api.telegram.org/bot${token}/getMe failed`) }, 'boom');
    logger.warn({ url: 'x?key=pg-api-key-123' }, 'studio call');
    const output = lines.join('');
    expect(output).not.toContain(token);
    expect(output).not.toContain('AAFakeToken');
    expect(output).not.toContain('pg-api-key-123');
    expect(output).toContain('[token]');
  });
});
