/**
 * Configuration from the environment: one pure `parseConfig(env)` over a zod schema, so every
 * mistake is reported at start-up with the variable's name and what is wrong with it.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defaultMinAgeYears } from './booking/lead-fields.ts';
import { isPhoneRegion } from './booking/phone.ts';
import { isValidTimeZone } from './perfectgym/datetime.ts';
import { parseDurationList } from './reminders/reminder.ts';
import { parseStorageUrl } from './store/location.ts';
import { parseStudiosFile, type ReadStudiosFile, type StudioConfig } from './studio/studios-file.ts';

export type { StudioConfig } from './studio/studios-file.ts';

export const supportedLocales = ['en', 'de'] as const;
export type SupportedLocale = (typeof supportedLocales)[number];

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

/** An unset or blank variable counts as absent. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }, schema.optional());
}

function integer(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

const telegramId = z
  .string()
  .regex(/^-?\d{1,19}$/, { error: 'must be a numeric Telegram id' })
  .transform((value) => Number(value));

const durationList = z.string().transform((text, ctx) => {
  try {
    return parseDurationList(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const schema = z.object({
  BOT_TOKEN: optional(
    z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { error: 'is not a bot token from BotFather' }),
  ),
  TELEGRAM_API_ROOT: optional(httpUrl),
  PERFECTGYM_BASE_URL: optional(httpUrl),
  PERFECTGYM_API_KEY: optional(z.string()),
  STUDIOS_FILE: optional(z.string()),
  PERFECTGYM_TIMEOUT_MS: optional(integer(500, 120_000)).default(10_000),
  PERFECTGYM_DEADLINE_MS: optional(integer(500, 300_000)),
  DEFAULT_LOCALE: optional(
    z.enum(supportedLocales, { error: `must be one of ${supportedLocales.join(', ')}` }),
  ).default('en'),
  PRIVACY_URL: optional(httpUrl),
  STUDIO_TIME_ZONE: optional(
    z.string().refine((zone) => isValidTimeZone(zone), {
      error: 'must be an IANA time zone such as Europe/Berlin',
    }),
  ).default('Europe/Berlin'),
  STORAGE_URL: optional(
    z.string().superRefine((url, ctx) => {
      try {
        parseStorageUrl(url);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  ).default('sqlite:./data/trialgram.sqlite'),
  CONVERSATION_TTL_HOURS: optional(integer(1, 24 * 90)).default(24),
  CACHE_TTL_SECONDS: optional(integer(0, 86_400)).default(300),
  ADMIN_IDS: optional(z.string())
    .transform((value) => (value === undefined ? [] : value.split(',').map((part: string) => part.trim())))
    .pipe(z.array(telegramId.refine((id) => id > 0, { error: 'must be a user id' }))),
  STAFF_CHAT_ID: optional(telegramId),
  WEBHOOK_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  WEBHOOK_SECRET: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, { error: 'may only use A-Z, a-z, 0-9, _ and - (1-256 chars)' }),
  ),
  PORT: optional(integer(0, 65_535)).default(8080),
  HOST: optional(
    z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, { error: 'must be an IP address or host name to listen on' }),
  ),
  TELEGRAM_STARTUP_TIMEOUT_SECONDS: optional(integer(1, 3_600)).default(60),
  PLAYGROUND_PORT: optional(integer(0, 65_535)).default(3000),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).default('info'),
  DEFAULT_PHONE_REGION: optional(
    z
      .string()
      .transform((code) => code.toUpperCase())
      .refine((code) => isPhoneRegion(code), { error: 'must be a two-letter country code such as DE or AT' }),
  ),
  MIN_AGE: optional(integer(0, 100)).default(defaultMinAgeYears),
  REMINDERS: optional(durationList).default([24 * 3_600_000, 2 * 3_600_000]),
  CONFIRMATION_REMINDERS: optional(durationList).default([3_600_000, 10 * 60_000]),
  REMINDER_RATE: optional(integer(1, 1_000)).default(25),
});

export type Env = Record<string, string | undefined>;

function combinationProblems(env: Env): Array<{ variable: string; message: string }> {
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: Array<{ variable: string; message: string }> = [];
  if (isSet('PERFECTGYM_BASE_URL') !== isSet('PERFECTGYM_API_KEY')) {
    problems.push({
      variable: isSet('PERFECTGYM_BASE_URL') ? 'PERFECTGYM_API_KEY' : 'PERFECTGYM_BASE_URL',
      message:
        'must be set together with the other PERFECTGYM_* variable (or leave both unset for the sandbox studio)',
    });
  }
  if (isSet('STUDIOS_FILE') && (isSet('PERFECTGYM_BASE_URL') || isSet('PERFECTGYM_API_KEY'))) {
    problems.push({
      variable: 'STUDIOS_FILE',
      message:
        'lists the studios: leave PERFECTGYM_BASE_URL and PERFECTGYM_API_KEY unset (or drop STUDIOS_FILE)',
    });
  }
  if (isSet('WEBHOOK_URL') && !isSet('BOT_TOKEN'))
    problems.push({ variable: 'WEBHOOK_URL', message: 'needs BOT_TOKEN' });
  return problems;
}

export interface Config {
  telegram:
    | { mode: 'telegram'; token: string; apiRoot?: string }
    /** No token: the local playground (fake Bot API + web chat). */
    | { mode: 'playground'; port: number };
  /** The secret is WEBHOOK_SECRET, or derived from the token: the webhook is never open. */
  webhook?: { url: string; secret: string };
  studio:
    | { mode: 'perfectgym'; baseUrl: string; apiKey: string; timeoutMs: number }
    | { mode: 'sandbox'; timeoutMs: number };
  /**
   * Every studio the bot serves, in the order of STUDIOS_FILE (the first is the default: old deep
   * links and the single-studio paths mean it); PERFECTGYM_* make a chain of one, `main`. Empty in
   * sandbox mode: the sandbox's demo studios, known once it listens. The single-studio fields
   * (`studio`, `privacyUrl`, `studioTimeZone`, `staffChatId`) describe the first studio.
   */
  studios: StudioConfig[];
  defaultLocale: SupportedLocale;
  privacyUrl?: string;
  /** The studio's zone until a slot names one (slots carry `[Zone/Id]`; studio information does not). */
  studioTimeZone: string;
  storageUrl: string;
  /** PERFECTGYM_DEADLINE_MS: one studio call in total, retries included; unset: 1.5 × the request timeout. */
  studioDeadlineMs?: number;
  conversationTtlMs: number;
  cacheTtlMs: number;
  adminIds: number[];
  staffChatId?: number;
  port: number;
  /** Where the HTTP server (and the playground page) listens. */
  host: string;
  /** How long start-up keeps trying to reach the Telegram Bot API before giving up. */
  telegramStartupTimeoutMs: number;
  logLevel: string;
  /** `DEFAULT_PHONE_REGION`; absent: the studio's `countryCode`, else DE. */
  phoneRegion?: string;
  /** `MIN_AGE`: the youngest age a date of birth may give. */
  minAgeYears: number;
  reminders: {
    /** REMINDERS: before the slot's start, ms, largest first; empty when off. */
    slotLeadsMs: number[];
    /** CONFIRMATION_REMINDERS: before the confirmation deadline, ms, largest first. */
    confirmationLeadsMs: number[];
    /** REMINDER_RATE: messages per second across all instances. */
    ratePerSecond: number;
  };
}

/**
 * The webhook secret token when WEBHOOK_SECRET is unset: derived from the bot token, so every
 * instance of the bot agrees on it without configuration, and nobody without the token knows it.
 * 43 characters of base64url, within Telegram's 1-256 of A-Z, a-z, 0-9, _ and -.
 */
export function defaultWebhookSecret(botToken: string): string {
  return createHmac('sha256', 'trialgram webhook secret').update(botToken).digest('base64url');
}

export class ConfigError extends Error {
  readonly problems: Array<{ variable: string; message: string }>;
  constructor(problems: Array<{ variable: string; message: string }>) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable} ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The id of the studio PERFECTGYM_BASE_URL/PERFECTGYM_API_KEY configure: a chain of one. */
export const singleStudioId = 'main';

function readStudios(
  e: z.infer<typeof schema>,
  env: Env,
  readFile: ReadStudiosFile,
): { studios: StudioConfig[] } | { problems: string[] } {
  const defaults = {
    privacyUrl: e.PRIVACY_URL,
    staffChatId: e.STAFF_CHAT_ID,
    timeZone: e.STUDIO_TIME_ZONE,
  };
  if (e.STUDIOS_FILE) return parseStudiosFile(e.STUDIOS_FILE, env, defaults, readFile);
  if (!e.PERFECTGYM_BASE_URL || !e.PERFECTGYM_API_KEY) return { studios: [] };
  return {
    studios: [
      {
        id: singleStudioId,
        baseUrl: e.PERFECTGYM_BASE_URL,
        apiKey: e.PERFECTGYM_API_KEY,
        ...(defaults.privacyUrl ? { privacyUrl: defaults.privacyUrl } : {}),
        ...(defaults.staffChatId !== undefined ? { staffChatId: defaults.staffChatId } : {}),
        adminIds: [],
        timeZone: defaults.timeZone,
      },
    ],
  };
}

export interface ParseConfigOptions {
  /** Reads STUDIOS_FILE; default `fs.readFileSync` (UTF-8). */
  readFile?: ReadStudiosFile;
}

/** Reads trialgram's configuration; throws a ConfigError naming every wrong variable. */
export function parseConfig(env: Env, options: ParseConfigOptions = {}): Config {
  const result = schema.safeParse(env);
  const chain = result.success
    ? readStudios(result.data, env, options.readFile ?? ((path) => readFileSync(path, 'utf8')))
    : { studios: [] };
  // Checked apart from the schema so that they are reported together with every other problem.
  const problems = [
    ...(result.success
      ? []
      : result.error.issues.map((issue) => ({
          variable: String(issue.path[0] ?? 'environment'),
          message: issue.message,
        }))),
    ...combinationProblems(env),
    ...('problems' in chain ? chain.problems.map((message) => ({ variable: 'STUDIOS_FILE', message })) : []),
  ];
  if (!result.success || problems.length > 0 || 'problems' in chain) throw new ConfigError(problems);
  const e = result.data;
  const { studios } = chain;
  const first = studios[0];
  // A chain's first studio speaks for the single-studio fields until the flow reads the studio's own.
  const privacyUrl = first ? first.privacyUrl : e.PRIVACY_URL;
  const staffChatId = first ? first.staffChatId : e.STAFF_CHAT_ID;
  return {
    telegram: e.BOT_TOKEN
      ? {
          mode: 'telegram',
          token: e.BOT_TOKEN,
          ...(e.TELEGRAM_API_ROOT ? { apiRoot: e.TELEGRAM_API_ROOT } : {}),
        }
      : { mode: 'playground', port: e.PLAYGROUND_PORT },
    ...(e.WEBHOOK_URL
      ? {
          webhook: {
            url: e.WEBHOOK_URL,
            secret: e.WEBHOOK_SECRET ?? defaultWebhookSecret(e.BOT_TOKEN ?? ''),
          },
        }
      : {}),
    studio: first
      ? {
          mode: 'perfectgym',
          baseUrl: first.baseUrl,
          apiKey: first.apiKey,
          timeoutMs: e.PERFECTGYM_TIMEOUT_MS,
        }
      : { mode: 'sandbox', timeoutMs: e.PERFECTGYM_TIMEOUT_MS },
    studios,
    defaultLocale: e.DEFAULT_LOCALE,
    ...(privacyUrl ? { privacyUrl } : {}),
    studioTimeZone: first?.timeZone ?? e.STUDIO_TIME_ZONE,
    storageUrl: e.STORAGE_URL,
    ...(e.PERFECTGYM_DEADLINE_MS !== undefined ? { studioDeadlineMs: e.PERFECTGYM_DEADLINE_MS } : {}),
    conversationTtlMs: e.CONVERSATION_TTL_HOURS * 3_600_000,
    cacheTtlMs: e.CACHE_TTL_SECONDS * 1000,
    adminIds: e.ADMIN_IDS,
    ...(staffChatId !== undefined ? { staffChatId } : {}),
    port: e.PORT,
    // Polling and the playground serve only probes and metrics: loopback unless asked otherwise. A
    // webhook must be reachable by the load balancer or reverse proxy in front of it.
    host: e.HOST ?? (e.WEBHOOK_URL ? '0.0.0.0' : '127.0.0.1'),
    telegramStartupTimeoutMs: e.TELEGRAM_STARTUP_TIMEOUT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    ...(e.DEFAULT_PHONE_REGION ? { phoneRegion: e.DEFAULT_PHONE_REGION } : {}),
    minAgeYears: e.MIN_AGE,
    reminders: {
      slotLeadsMs: e.REMINDERS,
      confirmationLeadsMs: e.CONFIRMATION_REMINDERS,
      ratePerSecond: e.REMINDER_RATE,
    },
  };
}
