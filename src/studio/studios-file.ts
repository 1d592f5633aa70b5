/**
 * `STUDIOS_FILE`: the studios of a chain served by one bot. Read and checked at start-up like
 * every other variable; each mistake names the file, the studio and the field.
 */
import { z } from 'zod';
import { studioIdPattern } from '../booking/deep-link.ts';
import { isValidTimeZone } from '../perfectgym/datetime.ts';

/** One studio of the chain, with every default already applied. */
export interface StudioConfig {
  /** Short slug, `a-z0-9-`: in deep links (`s-<id>_c101`), cache keys, metrics and the link tool. */
  id: string;
  baseUrl: string;
  /** Never logged: every studio's key is scrubbed from logs and error messages. */
  apiKey: string;
  /** The studio's own privacy policy; default `PRIVACY_URL`. */
  privacyUrl?: string;
  /** Where this studio's staff notices go; default `STAFF_CHAT_ID`. */
  staffChatId?: number;
  /** Staff of this studio (`/links` for it); `ADMIN_IDS` administer every studio. */
  adminIds: number[];
  /** The studio's zone until its slots name one; default `STUDIO_TIME_ZONE`. */
  timeZone: string;
}

export { studioIdPattern };

/** What a studio file may leave out; filled in from the single-studio variables. */
export interface StudioDefaults {
  privacyUrl?: string | undefined;
  staffChatId?: number | undefined;
  timeZone: string;
}

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const telegramId = z.union(
  [
    z.number().int(),
    z
      .string()
      .regex(/^-?\d{1,19}$/)
      .transform(Number),
  ],
  { error: 'must be a numeric Telegram id' },
);

const required = {
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is missing' : 'must be a string'),
};

const studioSchema = z.strictObject(
  {
    id: z.string(required).regex(studioIdPattern, {
      error: 'must be 1-16 characters of a-z, 0-9 and -, not starting or ending with -',
    }),
    baseUrl: z.string(required).pipe(httpUrl),
    apiKey: z.string().trim().min(1, { error: 'must not be empty' }).optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of an environment variable' })
      .optional(),
    privacyUrl: httpUrl.optional(),
    staffChatId: telegramId.optional(),
    adminIds: z
      .array(
        telegramId.refine((id) => id > 0, { error: 'must be a user id' }),
        {
          error: 'must be a list of Telegram user ids',
        },
      )
      .optional(),
    timeZone: z
      .string()
      .refine((zone) => isValidTimeZone(zone), { error: 'must be an IANA time zone such as Europe/Berlin' })
      .optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be an object') },
);

const fileSchema = z.strictObject(
  { studios: z.array(z.unknown(), { error: 'must be a list of studios' }).min(1, 'lists no studio') },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be {"studios": [...]}') },
);

/** A readable file, or why not (never its content: it may hold API keys). */
export type ReadStudiosFile = (path: string) => string;

/**
 * Parses the studios file. Returns the studios, or the problems, each a sentence that starts with
 * the file's path; never echoes a key.
 */
export function parseStudiosFile(
  path: string,
  env: Record<string, string | undefined>,
  defaults: StudioDefaults,
  readFile: ReadStudiosFile,
): { studios: StudioConfig[] } | { problems: string[] } {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : typeof code === 'string' ? code : 'unreadable';
    return { problems: [`${path}: cannot read the file (${reason})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the text around the mistake, which may be an inline key.
    const where = /line \d+ column \d+|position \d+/.exec((error as Error).message)?.[0];
    return { problems: [`${path}: is not valid JSON${where ? ` (${where})` : ''}`] };
  }
  const file = fileSchema.safeParse(json);
  if (!file.success) {
    return { problems: file.error.issues.map((issue) => `${path}: ${describeIssue(issue)}`) };
  }

  const problems: string[] = [];
  const studios: StudioConfig[] = [];
  const firstIndexById = new Map<string, number>();
  file.data.studios.forEach((raw, index) => {
    const rawId = (raw as { id?: unknown } | null)?.id;
    const name =
      typeof rawId === 'string' && rawId !== ''
        ? `studio "${rawId}" (studios[${index}])`
        : `studios[${index}]`;
    const problem = (message: string) => problems.push(`${path}: ${name}: ${message}`);
    const parsed = studioSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problem(describeIssue(issue));
      return;
    }
    const s = parsed.data;
    const earlier = firstIndexById.get(s.id);
    if (earlier !== undefined) {
      problem(`id "${s.id}" is already used by studios[${earlier}]; every studio needs its own id`);
      return;
    }
    firstIndexById.set(s.id, index);

    let apiKey: string | undefined;
    if (s.apiKey !== undefined && s.apiKeyEnv !== undefined) {
      problem('give either apiKeyEnv or apiKey, not both');
    } else if (s.apiKeyEnv !== undefined) {
      apiKey = env[s.apiKeyEnv]?.trim() || undefined;
      if (apiKey === undefined) problem(`apiKeyEnv names ${s.apiKeyEnv}, which is not set`);
    } else if (s.apiKey !== undefined) {
      apiKey = s.apiKey;
    } else {
      problem('apiKeyEnv is missing: name the environment variable holding its API key (or give apiKey)');
    }
    if (apiKey === undefined) return;
    const privacyUrl = s.privacyUrl ?? defaults.privacyUrl;
    const staffChatId = s.staffChatId ?? defaults.staffChatId;
    studios.push({
      id: s.id,
      baseUrl: s.baseUrl,
      apiKey,
      ...(privacyUrl === undefined ? {} : { privacyUrl }),
      ...(staffChatId === undefined ? {} : { staffChatId }),
      adminIds: s.adminIds ?? [],
      timeZone: s.timeZone ?? defaults.timeZone,
    });
  });
  return problems.length > 0 ? { problems } : { studios };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const field = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.');
  return field === '' ? issue.message : `${field.replace(/\.\[/g, '[')} ${issue.message}`;
}
