import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';

const token = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789';

function problems(env: Record<string, string>) {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('runs the playground against the sandbox studio when nothing is set', () => {
    const config = parseConfig({});
    expect(config.telegram).toEqual({ mode: 'playground', port: 3000 });
    expect(config.studio.mode).toBe('sandbox');
    expect(config.defaultLocale).toBe('en');
    expect(config.storageUrl).toBe('sqlite:./data/trialgram.sqlite');
    expect(config.conversationTtlMs).toBe(24 * 3_600_000);
  });

  it('uses the real studio and Telegram when their variables are set', () => {
    const config = parseConfig({
      BOT_TOKEN: token,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      PERFECTGYM_BASE_URL: 'https://open-api-demo.open-api.magicline.com/',
      PERFECTGYM_API_KEY: 'secret',
      DEFAULT_LOCALE: 'de',
      ADMIN_IDS: '11, 22',
      STAFF_CHAT_ID: '-1001234',
    });
    expect(config.telegram).toEqual({ mode: 'telegram', token, apiRoot: 'http://127.0.0.1:8081' });
    expect(config.studio).toEqual({
      mode: 'perfectgym',
      baseUrl: 'https://open-api-demo.open-api.magicline.com',
      apiKey: 'secret',
      timeoutMs: 10_000,
    });
    expect(config.adminIds).toEqual([11, 22]);
    expect(config.staffChatId).toBe(-1001234);
    expect(config.defaultLocale).toBe('de');
  });

  it('names each wrong variable and says what is wrong', () => {
    const found = problems({
      BOT_TOKEN: 'not-a-token',
      DEFAULT_LOCALE: 'fr',
      PRIVACY_URL: 'ftp://example.com',
      ADMIN_IDS: '12,abc',
      PORT: '70000',
      STUDIO_TIME_ZONE: 'Mars/Olympus',
    });
    const byVariable = Object.fromEntries(found.map((p) => [p.variable, p.message]));
    expect(Object.keys(byVariable).sort()).toEqual([
      'ADMIN_IDS',
      'BOT_TOKEN',
      'DEFAULT_LOCALE',
      'PORT',
      'PRIVACY_URL',
      'STUDIO_TIME_ZONE',
    ]);
    expect(byVariable.DEFAULT_LOCALE).toContain('en, de');
    expect(byVariable.PORT).toContain('at most 65535');
  });

  it('requires the PerfectGym URL and key together, and never echoes the key', () => {
    const found = problems({ PERFECTGYM_API_KEY: 'top-secret-key' });
    expect(found).toEqual([
      { variable: 'PERFECTGYM_BASE_URL', message: expect.stringContaining('together') },
    ]);
    expect(JSON.stringify(found)).not.toContain('top-secret-key');
  });

  it('rejects a storage URL it cannot open', () => {
    expect(problems({ STORAGE_URL: 'mongodb://x' })[0]?.variable).toBe('STORAGE_URL');
    expect(problems({ STORAGE_URL: 'redis://localhost:6379?prefix=bad!' })).toEqual([
      { variable: 'STORAGE_URL', message: expect.stringContaining('prefix may only use') },
    ]);
    expect(problems({ STORAGE_URL: 'redis://:::' })).toEqual([
      { variable: 'STORAGE_URL', message: 'is not a valid redis:// URL' },
    ]);
  });

  it('reads the reminder points and rate, with the defaults of issue #14', () => {
    expect(parseConfig({}).reminders).toEqual({
      slotLeadsMs: [24 * 3_600_000, 2 * 3_600_000],
      confirmationLeadsMs: [3_600_000, 600_000],
      ratePerSecond: 25,
    });
    const config = parseConfig({
      REMINDERS: '90m, 45s,2d',
      CONFIRMATION_REMINDERS: 'off',
      REMINDER_RATE: '100',
    });
    expect(config.reminders).toEqual({
      slotLeadsMs: [2 * 86_400_000, 90 * 60_000, 45_000],
      confirmationLeadsMs: [],
      ratePerSecond: 100,
    });
    expect(parseConfig({ REMINDERS: 'off' }).reminders.slotLeadsMs).toEqual([]);
  });

  it('names a wrong reminder setting and the item that is wrong', () => {
    expect(problems({ REMINDERS: '24h,2 hours', CONFIRMATION_REMINDERS: '0m', REMINDER_RATE: '0' })).toEqual([
      {
        variable: 'REMINDERS',
        message: expect.stringContaining('"2 hours", which is not a duration like 24h'),
      },
      { variable: 'CONFIRMATION_REMINDERS', message: expect.stringContaining('more than zero') },
      { variable: 'REMINDER_RATE', message: 'must be at least 1' },
    ]);
  });
});
