/**
 * The studios of a chain, each with its own PerfectGym client and catalog, created on first use:
 * a bot configured with a hundred studios calls none of them at start-up, and one studio in a 429
 * lockout or down never holds up another (each has its own connection pool and lockouts; its
 * calls fail on their own while the others go on).
 */
import type { Keyv } from 'keyv';
import type { Logger } from '../logger.ts';
import {
  type CallEvent,
  createPerfectGymClient,
  type PerfectGymClient,
  type PerfectGymClientOptions,
} from '../perfectgym/client.ts';
import type { Sandbox } from '../sandbox/index.ts';
import { createStudioCatalog, type StudioCatalog } from './catalog.ts';
import type { StudioConfig } from './studios-file.ts';

/** One studio of the chain, ready to call. */
export interface RegisteredStudio {
  readonly id: string;
  readonly config: StudioConfig;
  readonly client: PerfectGymClient;
  readonly catalog: StudioCatalog;
}

/** A studio id that is not in the configuration (a stale deep link, a typo in `--studio`). */
export class UnknownStudioError extends Error {
  override readonly name = 'UnknownStudioError';
  readonly studioId: string;
  constructor(studioId: string, known: readonly string[]) {
    super(`There is no studio "${studioId}"; the studios are ${known.join(', ')}`);
    this.studioId = studioId;
  }
}

export interface StudioRegistryOptions {
  /** In configuration order; the first is the default studio. At least one. */
  studios: readonly StudioConfig[];
  /** `PERFECTGYM_TIMEOUT_MS`. */
  timeoutMs: number;
  /** `PERFECTGYM_DEADLINE_MS`; unset: the client's default. */
  deadlineMs?: number | undefined;
  /** The store shared by several instances (Redis); keys are put under `<studioId>:`. */
  cache?: Keyv | undefined;
  /** `CACHE_TTL_SECONDS`: offers, configs and studio information. */
  ttlMs: number;
  /** Slot lists; default the catalog's. */
  slotsTtlMs?: number;
  /** Studio calls are counted per studio (label `studio`). */
  metrics?: { studioCall(event: CallEvent & { studio: string }): void };
  /** Each studio's client logs with `studio: <id>`. */
  logger?: Logger;
  /**
   * How a studio that does not answer is held (see the client's `failFast`). Default in a chain of
   * several studios: after 4 unanswered attempts in a row, its calls fail at once for 15 s, so its
   * prospects hear about it at once instead of after every timeout. A chain of one: off.
   */
  failFast?: PerfectGymClientOptions['failFast'] | false;
  /** Anything else the clients should get (tests, the benchmark). */
  clientOptions?: Partial<PerfectGymClientOptions>;
}

export interface StudioRegistry {
  /** Every configured studio's id, in configuration order. */
  readonly ids: readonly string[];
  /** Every configured studio, in configuration order (nothing is created for them). */
  readonly all: readonly StudioConfig[];
  /** The default studio's configuration: old deep links and the single-studio paths mean it. */
  readonly first: StudioConfig;
  /** A studio's configuration, without creating anything; `undefined` when there is no such studio. */
  config(studioId: string): StudioConfig | undefined;
  /**
   * A studio ready to call (its client and catalog are created now if this is their first use);
   * no id: the first studio.
   * @throws UnknownStudioError when there is no such studio.
   */
  studio(studioId?: string): RegisteredStudio;
  /** The studios this user may administer: all for `globalAdminIds` (ADMIN_IDS), else those listing them. */
  administeredBy(userId: number, globalAdminIds: readonly number[]): StudioConfig[];
  /** How many studios have a client so far (created on first use). */
  readonly openCount: number;
  /** Closes every client created so far. */
  close(): Promise<void>;
}

/** The most slot lists and other entries the process holds in all the studios' catalogs together. */
const maxCachedEntries = 5_000;

export function createStudioRegistry(options: StudioRegistryOptions): StudioRegistry {
  const configs = new Map(options.studios.map((studio) => [studio.id, studio]));
  const first = options.studios[0];
  if (first === undefined) throw new Error('a studio registry needs at least one studio');
  if (configs.size !== options.studios.length) throw new Error('every studio needs its own id');
  const ids = [...configs.keys()];
  // Bounded in total whatever the chain's size: a few hundred entries each for a few studios,
  // fifty each for a hundred.
  const maxLocalEntries = Math.max(50, Math.min(500, Math.floor(maxCachedEntries / ids.length)));
  const failFast = options.failFast ?? (ids.length > 1 ? { afterFailures: 4, forMs: 15_000 } : false);
  const open = new Map<string, RegisteredStudio>();
  let closed = false;

  function create(config: StudioConfig): RegisteredStudio {
    const { id } = config;
    const { metrics } = options;
    const client = createPerfectGymClient({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      timeoutMs: options.timeoutMs,
      ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
      ...(failFast ? { failFast } : {}),
      ...(metrics ? { onCall: (event) => metrics.studioCall({ ...event, studio: id }) } : {}),
      ...(options.logger ? { logger: options.logger.child({ studio: id }) } : {}),
      ...options.clientOptions,
    });
    const catalog = createStudioCatalog({
      client,
      cache: options.cache,
      ttlMs: options.ttlMs,
      ...(options.slotsTtlMs !== undefined ? { slotsTtlMs: options.slotsTtlMs } : {}),
      keyPrefix: `${id}:`,
      maxLocalEntries,
    });
    return { id, config, client, catalog };
  }

  return {
    ids,
    all: [...options.studios],
    first,
    config: (studioId) => configs.get(studioId),
    studio: (studioId = first.id) => {
      if (closed) throw new Error('the studio registry is closed');
      const known = open.get(studioId);
      if (known) return known;
      const config = configs.get(studioId);
      if (!config) throw new UnknownStudioError(studioId, ids);
      const created = create(config);
      open.set(studioId, created);
      return created;
    },
    administeredBy: (userId, globalAdminIds) =>
      globalAdminIds.includes(userId)
        ? [...configs.values()]
        : [...configs.values()].filter((studio) => studio.adminIds.includes(userId)),
    get openCount() {
      return open.size;
    },
    close: async () => {
      closed = true;
      const clients = [...open.values()].map((studio) => studio.client);
      open.clear();
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/**
 * The sandbox's studios as a chain's configuration (sandbox mode: nothing configured), each with
 * the single-studio settings that apply to every studio.
 */
export function sandboxStudios(
  sandbox: Pick<Sandbox, 'url' | 'studios'>,
  defaults: { privacyUrl?: string | undefined; staffChatId?: number | undefined } = {},
): StudioConfig[] {
  return sandbox.studios.map((studio) => ({
    id: studio.id,
    baseUrl: sandbox.url,
    apiKey: studio.apiKey,
    ...(defaults.privacyUrl ? { privacyUrl: defaults.privacyUrl } : {}),
    ...(defaults.staffChatId !== undefined ? { staffChatId: defaults.staffChatId } : {}),
    adminIds: [],
    timeZone: studio.zone,
  }));
}
