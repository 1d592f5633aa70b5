import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, isoTime, nonBlockingWriter, scrubSecrets, withoutRedaction } from '../src/logger.ts';

function capture(secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger({ secrets, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

afterEach(() => {
  vi.useRealTimers();
});

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

  it('the per-update line (no redaction pass) goes to the same output, level and scrubbing', () => {
    const token = '123456789:AAFakeTokenFakeTokenFakeTokenFakeToken12';
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      secrets: [token],
      destination: { write: (line: string) => void lines.push(line) },
    });
    const access = withoutRedaction(logger);
    access.info({ updateId: 1 }, 'update handled');
    expect(lines).toEqual([]);
    access.warn({ updateId: 2, type: 'message', note: `bot${token}` }, 'update handled');
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      app: 'trialgram',
      updateId: 2,
      type: 'message',
      note: 'bot[token]',
    });
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

  it('scrubs the token from URLs, percent-encoded too', () => {
    const token = '123456789:AAFakeTokenFakeTokenFakeTokenFakeToken12';
    const encoded = encodeURIComponent(token);
    expect(scrubSecrets(`https://bot.example.com/bot${encoded}/hook`)).toBe(
      'https://bot.example.com/bot[token]/hook',
    );
    expect(scrubSecrets(`posts to https://x.example/${token}`)).not.toContain('AAFakeToken');
    expect(scrubSecrets(`secret ${encodeURIComponent('a b/c')} here`, ['a b/c'])).toBe(
      'secret [secret] here',
    );
  });

  it("stamps every line with the time of writing, as pino's isoTime writes it", () => {
    const { logger, lines } = capture();
    // Across a second's end and the three-digit milliseconds.
    for (const instant of [
      Date.UTC(2026, 11, 1, 23, 59, 59, 999),
      Date.UTC(2026, 11, 2, 0, 0, 0, 0),
      Date.UTC(2026, 11, 2, 0, 0, 0, 7),
      Date.UTC(2026, 11, 2, 0, 0, 0, 42),
      Date.UTC(2026, 11, 2, 0, 0, 1, 300),
    ]) {
      vi.setSystemTime(instant);
      expect(isoTime()).toBe(`,"time":"${new Date(instant).toISOString()}"`);
      logger.info('tick');
      expect(JSON.parse(lines.at(-1) ?? '{}').time).toBe(new Date(instant).toISOString());
    }
  });

  it('drops lines instead of queueing without end when the output is not read, and says how many', () => {
    const written: string[] = [];
    const callbacks: Array<() => void> = [];
    // A pipe nobody reads: nothing written ever completes until released.
    const stalled = new Writable({
      highWaterMark: 100,
      write(chunk, _encoding, callback) {
        written.push(String(chunk));
        callbacks.push(callback);
      },
    });
    const write = nonBlockingWriter(stalled, { maxBufferedBytes: 1_000 });
    for (let i = 0; i < 100; i++) write(`${'x'.repeat(98)}${i % 10}\n`);
    expect(stalled.writableLength).toBeLessThanOrEqual(1_100);

    // The reader comes back: what was queued goes out, then one line for what was dropped.
    while (callbacks.length > 0) callbacks.shift()?.();
    expect(written.at(-1)).toMatch(/^\(\d+ lines dropped: the output was not read\)\n$/);
    const dropped = Number(/\((\d+) lines/.exec(written.at(-1) ?? '')?.[1]);
    expect(dropped + written.length - 1).toBe(100);
    expect(dropped).toBeGreaterThan(80);
  });

  it('writes the lines of one turn together, in order, and counts each line it drops', async () => {
    const writes: string[] = [];
    const callbacks: Array<() => void> = [];
    let stalled = false;
    const stream = new Writable({
      highWaterMark: 100,
      write(chunk, _encoding, callback) {
        writes.push(String(chunk));
        if (stalled) callbacks.push(callback);
        else callback();
      },
    });
    const write = nonBlockingWriter(stream, { coalesce: true, maxBufferedBytes: 50 });
    write('one\n');
    write('two\n');
    write('three\n');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['one\ntwo\nthree\n']);

    // A reader that stopped reading: a turn's lines are dropped together, each counted.
    stalled = true;
    write(`${'x'.repeat(120)}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    write('lost 1\n');
    write('lost 2\n');
    await new Promise((resolve) => setImmediate(resolve));
    while (callbacks.length > 0) callbacks.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.at(-1)).toBe('(2 lines dropped: the output was not read)\n');
  });

  it('loses no line of the last turn when the process exits or dies of an error', async () => {
    const logger = fileURLToPath(new URL('../src/logger.ts', import.meta.url));
    const run = async (ending: string) => {
      const script = `import { createLogger } from ${JSON.stringify(logger)};
        const log = createLogger();
        log.info('first'); log.warn('second'); ${ending}`;
      const child = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]).catch(
        (error: { stdout: string }) => error,
      );
      return child.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
    };
    expect(await run('process.exit(3);')).toEqual(['first', 'second']);
    expect(await run("throw new Error('boom');")).toEqual(['first', 'second']);
    expect(await run('')).toEqual(['first', 'second']);
  });
});
