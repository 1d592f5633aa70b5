/**
 * Deep links that open the bot on one offer: what staff put on posters, in Instagram bios and in
 * chat replies. The offers are selected exactly as the bot's own offer list selects them
 * (`offerEntries`), so every listed link opens the offer it names.
 */
import { encodeStartPayload, encodeStudioStartPayload, type StartTargetKind } from '../booking/deep-link.ts';
import { type OfferEntry, offerEntries } from '../booking/views.ts';
import type { TrialOfferConfig } from '../perfectgym/schemas.ts';
import type { StudioCatalog } from '../studio/catalog.ts';

export type OfferLinkKind = StartTargetKind;

export interface OfferLink {
  kind: OfferLinkKind;
  /** Class id, bookable appointment id or trial-offer config id, as in the payload. */
  id: number;
  /** The offer's title; for a config, the config's name. */
  title: string;
  configId: number;
  configName?: string;
  /** The `start` parameter, e.g. `c101_poster`, or `s-hamburg_c101_poster` in a chain. */
  payload: string;
  /** The chain's studio the link opens; absent in a chain of one (the link names no studio). */
  studio?: string;
  url: string;
}

/** What the links need from the studio; the shared `StudioCatalog` fits. */
export type OfferSource = Pick<StudioCatalog, 'offers' | 'config'>;

export interface OfferLinksOptions {
  catalog: OfferSource;
  botUsername: string;
  /** Carried into the lead's flow and the staff notices; `[a-z0-9-]{1,24}`. */
  campaign?: string | undefined;
  /** In a chain of several studios: the studio whose offers these are, named in every link. */
  studio?: string | undefined;
}

/** An offer the studio does not offer for online booking (any more), or never did. */
export class UnknownOfferError extends Error {
  override readonly name = 'UnknownOfferError';
  readonly kind: OfferLinkKind;
  readonly id: number;
  constructor(kind: OfferLinkKind, id: number, reason: string) {
    super(reason);
    this.kind = kind;
    this.id = id;
  }
}

// Telegram usernames: 5-32 characters, a letter first.
const botUsernamePattern = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

/**
 * The bot's username without a leading `@`.
 * @throws RangeError when it cannot be a Telegram username.
 */
export function normalizeBotUsername(name: string): string {
  const bare = name.trim().replace(/^@/, '');
  if (!botUsernamePattern.test(bare)) {
    throw new RangeError(
      `"${name}" is not a Telegram bot username (5-32 characters: letters, digits and _, starting with a letter)`,
    );
  }
  return bare;
}

/** `https://t.me/<bot>?start=<payload>`. */
export function linkUrl(botUsername: string, payload: string): string {
  return `https://t.me/${normalizeBotUsername(botUsername)}?start=${encodeURIComponent(payload)}`;
}

interface StudioOffers {
  entries: OfferEntry[];
  configs: Map<number, TrialOfferConfig>;
}

async function loadStudioOffers(catalog: OfferSource): Promise<StudioOffers> {
  const { classes, appointments } = await catalog.offers();
  const entries = offerEntries(classes, appointments);
  const configIds = [...new Set(entries.map((entry) => entry.configId))];
  const configs = new Map(
    await Promise.all(configIds.map(async (id) => [id, await catalog.config(id)] as const)),
  );
  return { entries, configs };
}

function buildLinks(
  { entries, configs }: StudioOffers,
  botUsername: string,
  campaign?: string,
  studio?: string,
): OfferLink[] {
  const link = (kind: OfferLinkKind, id: number, title: string, configId: number): OfferLink => {
    const payload = encodeStartPayload({ kind, id, campaign, studio });
    const configName = configs.get(configId)?.name;
    return {
      kind,
      id,
      title,
      configId,
      ...(configName === undefined ? {} : { configName }),
      payload,
      ...(studio === undefined ? {} : { studio }),
      url: linkUrl(botUsername, payload),
    };
  };
  const bookableOnline = (configId: number) => configs.get(configId)?.allowBookingForLeads === true;
  const offerLinks = entries
    .filter((entry) => bookableOnline(entry.configId))
    .map((entry) => link(entry.offer.type, entry.offer.id, entry.title, entry.configId));
  const configLinks = [...configs.values()]
    .filter((config) => bookableOnline(config.id))
    .map((config) => link('config', config.id, config.name, config.id));
  return [...offerLinks, ...configLinks];
}

/**
 * One link per bookable class, per bookable appointment and per trial-offer config that has
 * offers, in the order the bot lists them (classes, appointments, then configs). Offers of a config
 * that new customers may not book online are left out: their link would only say so.
 *
 * @throws RangeError for an invalid campaign tag or bot username; the studio's errors as they come.
 */
export async function listOfferLinks(options: OfferLinksOptions): Promise<OfferLink[]> {
  const botUsername = normalizeBotUsername(options.botUsername);
  return buildLinks(await loadStudioOffers(options.catalog), botUsername, options.campaign, options.studio);
}

export interface OfferLinkOptions extends OfferLinksOptions {
  kind: OfferLinkKind;
  id: number;
}

/**
 * The link for one offer.
 * @throws UnknownOfferError when the studio has no such bookable offer, or new customers may not
 *   book it online (the message says which).
 */
export async function offerLink(options: OfferLinkOptions): Promise<OfferLink> {
  const { kind, id } = options;
  const botUsername = normalizeBotUsername(options.botUsername);
  const studio = await loadStudioOffers(options.catalog);
  const found = buildLinks(studio, botUsername, options.campaign, options.studio).find(
    (entry) => entry.kind === kind && entry.id === id,
  );
  if (found) return found;

  const entry = studio.entries.find(
    (candidate) => candidate.offer.type === kind && candidate.offer.id === id,
  );
  const config = studio.configs.get(kind === 'config' ? id : (entry?.configId ?? Number.NaN));
  if (config) {
    const what = entry ? `${kind} ${id} (${entry.title})` : `config ${id}`;
    throw new UnknownOfferError(kind, id, `${what}: new customers cannot book "${config.name}" online`);
  }
  const noun = {
    class: 'bookable trial class',
    appointment: 'bookable trial appointment',
    config: 'trial-offer config with bookable offers',
  }[kind];
  const which = options.studio === undefined ? 'The studio' : `Studio ${options.studio}`;
  throw new UnknownOfferError(kind, id, `${which} has no ${noun} with id ${id}`);
}

/** The link to one studio's whole offer list, `s-<studio>[_<campaign>]`. */
export interface StudioLink {
  studio: string;
  payload: string;
  url: string;
}

/** @throws RangeError for a bad bot username, studio id or campaign tag. */
export function studioLink(options: {
  studio: string;
  botUsername: string;
  campaign?: string | undefined;
}): StudioLink {
  const payload = encodeStudioStartPayload({ studio: options.studio, campaign: options.campaign });
  return { studio: options.studio, payload, url: linkUrl(options.botUsername, payload) };
}
