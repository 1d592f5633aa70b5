import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultWebhookSecret, parseConfig } from '../src/config.ts';

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

  it('reads the phone region override and the minimum age, with their defaults', () => {
    expect(parseConfig({}).phoneRegion).toBeUndefined();
    expect(parseConfig({}).minAgeYears).toBe(14);
    const config = parseConfig({ DEFAULT_PHONE_REGION: 'at', MIN_AGE: '18' });
    expect(config.phoneRegion).toBe('AT');
    expect(config.minAgeYears).toBe(18);
    expect(parseConfig({ MIN_AGE: '0' }).minAgeYears).toBe(0);
    expect(problems({ DEFAULT_PHONE_REGION: 'Germany', MIN_AGE: '-1' })).toEqual([
      { variable: 'DEFAULT_PHONE_REGION', message: 'must be a two-letter country code such as DE or AT' },
      { variable: 'MIN_AGE', message: 'must be at least 0' },
    ]);
    expect(problems({ DEFAULT_PHONE_REGION: 'XX' })[0]?.variable).toBe('DEFAULT_PHONE_REGION');
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

  it('always has a webhook secret: WEBHOOK_SECRET, else one derived from the token that every instance agrees on', () => {
    const webhook = { BOT_TOKEN: token, WEBHOOK_URL: 'https://bot.example.com/telegram' };
    const derived = parseConfig(webhook).webhook?.secret;
    expect(derived).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(derived).toBe(defaultWebhookSecret(token));
    expect(parseConfig(webhook).webhook?.secret).toBe(derived);
    expect(derived).not.toContain(token.split(':')[1]);
    expect(parseConfig({ ...webhook, BOT_TOKEN: `${token}x` }).webhook?.secret).not.toBe(derived);
    expect(parseConfig({ ...webhook, WEBHOOK_SECRET: 'chain-secret_1' }).webhook?.secret).toBe(
      'chain-secret_1',
    );
  });

  it('rejects a WEBHOOK_SECRET that Telegram would refuse, naming the variable', () => {
    const webhook = { BOT_TOKEN: token, WEBHOOK_URL: 'https://bot.example.com/telegram' };
    for (const secret of ['has spaces', 'ümlaut', 'x'.repeat(257)]) {
      expect(problems({ ...webhook, WEBHOOK_SECRET: secret })).toEqual([
        { variable: 'WEBHOOK_SECRET', message: expect.stringContaining('A-Z, a-z, 0-9, _ and -') },
      ]);
    }
  });

  it('listens on loopback unless in webhook mode or told otherwise by HOST', () => {
    expect(parseConfig({}).host).toBe('127.0.0.1');
    expect(parseConfig({ BOT_TOKEN: token }).host).toBe('127.0.0.1');
    expect(parseConfig({ BOT_TOKEN: token, WEBHOOK_URL: 'https://bot.example.com/t' }).host).toBe('0.0.0.0');
    expect(parseConfig({ BOT_TOKEN: token, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(problems({ HOST: 'not a host' })[0]?.variable).toBe('HOST');
  });

  it('gives Telegram 60 s at start-up unless TELEGRAM_STARTUP_TIMEOUT_SECONDS says otherwise', () => {
    expect(parseConfig({}).telegramStartupTimeoutMs).toBe(60_000);
    expect(parseConfig({ TELEGRAM_STARTUP_TIMEOUT_SECONDS: '5' }).telegramStartupTimeoutMs).toBe(5_000);
    expect(problems({ TELEGRAM_STARTUP_TIMEOUT_SECONDS: '0' })[0]?.variable).toBe(
      'TELEGRAM_STARTUP_TIMEOUT_SECONDS',
    );
  });
});

describe('PERFECTGYM_DEADLINE_MS', () => {
  it('is left to the client (1.5 x the timeout) unless set, and must be a whole number of ms', () => {
    expect(parseConfig({}).studioDeadlineMs).toBeUndefined();
    expect(parseConfig({ PERFECTGYM_DEADLINE_MS: '4000' }).studioDeadlineMs).toBe(4_000);
    expect(problems({ PERFECTGYM_DEADLINE_MS: '10' })).toEqual([
      { variable: 'PERFECTGYM_DEADLINE_MS', message: 'must be at least 500' },
    ]);
  });
});

describe('STUDIOS_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trialgram-studios-'));
  let count = 0;
  /** Writes `content` (JSON unless a string) to a file of its own and returns its path. */
  function studiosFile(content: unknown): string {
    const path = join(dir, `studios-${++count}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }
  const berlin = {
    id: 'berlin',
    baseUrl: 'https://kiez-berlin.open-api.magicline.com/',
    apiKeyEnv: 'BERLIN_KEY',
  };
  const lisbon = {
    id: 'lisbon',
    baseUrl: 'https://kiez-lisbon.open-api.magicline.com',
    apiKey: 'inline-lisbon-key',
  };

  function fileProblems(content: unknown, env: Record<string, string> = {}) {
    const path = studiosFile(content);
    return {
      path,
      messages: problems({ STUDIOS_FILE: path, ...env }).map((p) => `${p.variable} ${p.message}`),
    };
  }

  it('lists every studio with its key from the named variable or inline, defaults filled in', () => {
    const path = studiosFile({
      studios: [
        { ...berlin, adminIds: [7], staffChatId: '-1001', privacyUrl: 'https://kiez-berlin.example/privacy' },
        { ...lisbon, timeZone: 'Europe/Lisbon' },
      ],
    });
    const config = parseConfig({
      STUDIOS_FILE: path,
      BERLIN_KEY: 'berlin-secret',
      STAFF_CHAT_ID: '-2002',
      STUDIO_TIME_ZONE: 'Europe/Vienna',
    });
    expect(config.studios).toEqual([
      {
        id: 'berlin',
        baseUrl: 'https://kiez-berlin.open-api.magicline.com',
        apiKey: 'berlin-secret',
        privacyUrl: 'https://kiez-berlin.example/privacy',
        staffChatId: -1001,
        adminIds: [7],
        timeZone: 'Europe/Vienna',
      },
      {
        id: 'lisbon',
        baseUrl: 'https://kiez-lisbon.open-api.magicline.com',
        apiKey: 'inline-lisbon-key',
        staffChatId: -2002,
        adminIds: [],
        timeZone: 'Europe/Lisbon',
      },
    ]);
    // The single-studio fields speak for the first studio until the flow reads each studio's own.
    expect(config.studio).toEqual({
      mode: 'perfectgym',
      baseUrl: 'https://kiez-berlin.open-api.magicline.com',
      apiKey: 'berlin-secret',
      timeoutMs: 10_000,
    });
    expect(config.staffChatId).toBe(-1001);
    expect(config.privacyUrl).toBe('https://kiez-berlin.example/privacy');
  });

  it('makes PERFECTGYM_BASE_URL/PERFECTGYM_API_KEY a chain of one, and the sandbox none', () => {
    const config = parseConfig({
      PERFECTGYM_BASE_URL: 'https://open-api-demo.open-api.magicline.com',
      PERFECTGYM_API_KEY: 'secret',
      PRIVACY_URL: 'https://studio.example/privacy',
    });
    expect(config.studios).toEqual([
      {
        id: 'main',
        baseUrl: 'https://open-api-demo.open-api.magicline.com',
        apiKey: 'secret',
        privacyUrl: 'https://studio.example/privacy',
        adminIds: [],
        timeZone: 'Europe/Berlin',
      },
    ]);
    expect(parseConfig({}).studios).toEqual([]);
  });

  it('names the file when it is missing', () => {
    const path = join(dir, 'nowhere.json');
    expect(problems({ STUDIOS_FILE: path })).toEqual([
      { variable: 'STUDIOS_FILE', message: `${path}: cannot read the file (no such file)` },
    ]);
  });

  it('says where the JSON is broken, without quoting the file', () => {
    const { path, messages } = fileProblems('{"studios": [{"id": "x", "apiKey": "leaky-key" "baseUrl": 1}]}');
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^STUDIOS_FILE ${path}: is not valid JSON \\(.*\\d`)),
    ]);
    expect(messages.join()).not.toContain('leaky-key');
  });

  it('refuses a file that is not a list of studios', () => {
    expect(fileProblems([berlin]).messages).toEqual([expect.stringContaining('must be {"studios": [...]}')]);
    expect(fileProblems({ studios: [] }).messages).toEqual([
      expect.stringContaining('studios lists no studio'),
    ]);
  });

  it('names both studios of a duplicate id', () => {
    const { path, messages } = fileProblems(
      { studios: [berlin, lisbon, { ...lisbon, baseUrl: 'https://b.example' }] },
      {
        BERLIN_KEY: 'k',
      },
    );
    expect(messages).toEqual([
      `STUDIOS_FILE ${path}: studio "lisbon" (studios[2]): id "lisbon" is already used by studios[1]; every studio needs its own id`,
    ]);
  });

  it('names the studio whose key is missing, or whose key variable is not set', () => {
    const { id, baseUrl } = berlin;
    const { path, messages } = fileProblems({
      studios: [{ id, baseUrl }, lisbon, { ...berlin, id: 'hamburg' }],
    });
    expect(messages).toEqual([
      `STUDIOS_FILE ${path}: studio "berlin" (studios[0]): apiKeyEnv is missing: name the environment variable holding its API key (or give apiKey)`,
      `STUDIOS_FILE ${path}: studio "hamburg" (studios[2]): apiKeyEnv names BERLIN_KEY, which is not set`,
    ]);
    expect(fileProblems({ studios: [{ ...berlin, apiKey: 'both' }] }, { BERLIN_KEY: 'k' }).messages).toEqual([
      expect.stringContaining('studio "berlin" (studios[0]): give either apiKeyEnv or apiKey, not both'),
    ]);
  });

  it('names the studio and field of a bad URL, id, zone or unknown field, never echoing a key', () => {
    const { path, messages } = fileProblems({
      studios: [
        { ...lisbon, baseUrl: 'ftp://kiez-lisbon.example' },
        { ...lisbon, id: 'Porto_1' },
        { ...lisbon, id: 'faro', timeZone: 'Mars/Olympus', apikey: 'typo' },
        { ...lisbon, id: 'braga', baseUrl: undefined, adminIds: [0] },
      ],
    });
    expect(messages).toEqual([
      `STUDIOS_FILE ${path}: studio "lisbon" (studios[0]): baseUrl must be an http(s) URL`,
      `STUDIOS_FILE ${path}: studio "Porto_1" (studios[1]): id must be 1-16 characters of a-z, 0-9 and -, not starting or ending with -`,
      `STUDIOS_FILE ${path}: studio "faro" (studios[2]): timeZone must be an IANA time zone such as Europe/Berlin`,
      `STUDIOS_FILE ${path}: studio "faro" (studios[2]): unknown field "apikey"`,
      `STUDIOS_FILE ${path}: studio "braga" (studios[3]): baseUrl is missing`,
      `STUDIOS_FILE ${path}: studio "braga" (studios[3]): adminIds[0] must be a user id`,
    ]);
    expect(messages.join()).not.toContain('inline-lisbon-key');
  });

  it('refuses STUDIOS_FILE together with the single-studio variables', () => {
    const path = studiosFile({ studios: [lisbon] });
    expect(
      problems({ STUDIOS_FILE: path, PERFECTGYM_BASE_URL: 'https://x.example', PERFECTGYM_API_KEY: 'k' }),
    ).toEqual([{ variable: 'STUDIOS_FILE', message: expect.stringContaining('leave PERFECTGYM_BASE_URL') }]);
  });

  it('accepts the sample file of the README', () => {
    const config = parseConfig({
      STUDIOS_FILE: 'studios.example.json',
      STUDIO_KIEZ_BERLIN_API_KEY: 'a',
      STUDIO_KIEZ_HAMBURG_API_KEY: 'b',
      STUDIO_KIEZ_LISBOA_API_KEY: 'c',
    });
    expect(config.studios.map((studio) => studio.id)).toEqual(['berlin', 'hamburg', 'lisboa']);
  });
});
