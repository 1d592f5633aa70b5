/**
 * `/start` deep-link payloads: `t.me/<bot>?start=<payload>`. Telegram passes at most 64 characters of
 * `[A-Za-z0-9_-]`, so the format is terse but still readable for the staff who print the links:
 *
 * - `c<classId>` one trial class, `a<bookableAppointmentId>` one trial appointment,
 *   `o<configId>` every offer of one trial-offer config;
 * - optionally `_<campaign>` with campaign `[a-z0-9-]{1,24}`, e.g. `c1001_poster`, so a staff notice
 *   can say which poster or flyer brought the prospect;
 * - in a chain, first `s-<studioId>_`: `s-hamburg_c101_poster` is class 101 of studio `hamburg`, and
 *   `s-hamburg` (or `s-hamburg_poster`) that studio's whole offer. A payload without a studio part
 *   (every link printed before chains) means the chain's first studio.
 */

export type StartTargetKind = 'class' | 'appointment' | 'config';

export interface StartPayload {
  kind: StartTargetKind;
  id: number;
  campaign?: string | undefined;
  /** The studio of a chain; absent: the first studio. */
  studio?: string | undefined;
}

/** A link to one studio's whole offer: `s-<studioId>[_<campaign>]`. */
export interface StudioStartPayload {
  studio: string;
  campaign?: string | undefined;
}

/** What a `/start` payload may name: one offer (of a studio), or one studio's offer list. */
export type StartLink = StartPayload | StudioStartPayload;

/**
 * A studio's id in a chain (`STUDIOS_FILE`): 1-16 characters of a-z, 0-9 and -, not starting or
 * ending with -. Short enough that `s-<id>_` + the longest offer and campaign stay within 64.
 */
export const studioIdPattern = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;

const kindLetters = { class: 'c', appointment: 'a', config: 'o' } as const satisfies Record<
  StartTargetKind,
  string
>;
const kindsByLetter: Record<string, StartTargetKind> = { c: 'class', a: 'appointment', o: 'config' };

export const campaignPattern = /^[a-z0-9-]{1,24}$/;
const payloadPattern = /^([cao])([1-9]\d{0,15})(?:_([a-z0-9-]{1,24}))?$/;
/** A campaign tag of this shape would read as an offer after a studio part: `s-x_c101`. */
const offerLikePattern = /^[cao]\d+$/;
const studioPartPattern = /^s-([a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?)(?:_(.*))?$/s;

/** Telegram's limit for a start parameter. */
export const maxStartPayloadLength = 64;

/**
 * Builds the payload for a deep link.
 * @throws RangeError when the id is not a positive safe integer or the campaign tag does not match
 *   `[a-z0-9-]{1,24}` (the staff link tool shows the message).
 */
export function encodeStartPayload(payload: StartPayload): string {
  if (!Number.isSafeInteger(payload.id) || payload.id <= 0) {
    throw new RangeError(`id must be a positive whole number, got ${payload.id}`);
  }
  const { campaign } = payload;
  if (campaign !== undefined && !campaignPattern.test(campaign)) {
    throw new RangeError('campaign must be 1-24 characters of a-z, 0-9 and -');
  }
  const target = `${kindLetters[payload.kind]}${payload.id}${campaign === undefined ? '' : `_${campaign}`}`;
  return payload.studio === undefined ? target : `${studioPart(payload.studio)}_${target}`;
}

function studioPart(studio: string): string {
  if (!studioIdPattern.test(studio)) {
    throw new RangeError(`studio id must be 1-16 characters of a-z, 0-9 and -, got "${studio}"`);
  }
  return `s-${studio}`;
}

/**
 * Builds the payload of a link to one studio's whole offer, `s-<studio>[_<campaign>]`.
 * @throws RangeError for a bad studio id or campaign tag, and for a campaign that reads as an offer
 *   (`c101`): the link would open that offer.
 */
export function encodeStudioStartPayload(payload: StudioStartPayload): string {
  const { campaign } = payload;
  if (campaign !== undefined && !campaignPattern.test(campaign)) {
    throw new RangeError('campaign must be 1-24 characters of a-z, 0-9 and -');
  }
  if (campaign !== undefined && offerLikePattern.test(campaign)) {
    throw new RangeError(`campaign "${campaign}" reads as an offer in a studio link; pick another tag`);
  }
  return `${studioPart(payload.studio)}${campaign === undefined ? '' : `_${campaign}`}`;
}

/** Builds the payload of either kind of link. */
export function encodeStartLink(link: StartLink): string {
  return 'kind' in link ? encodeStartPayload(link) : encodeStudioStartPayload(link);
}

/**
 * Reads any start payload: one offer (with its studio when the link names one) or one studio's
 * offer list; `undefined` for anything that is not one (never throws).
 */
export function decodeStartLink(text: string): StartLink | undefined {
  if (typeof text !== 'string' || text.length > maxStartPayloadLength) return undefined;
  const studioMatch = studioPartPattern.exec(text);
  if (!studioMatch) return decodeTarget(text);
  const [, studio = '', rest] = studioMatch;
  if (rest === undefined) return { studio };
  if (campaignPattern.test(rest) && !offerLikePattern.test(rest)) return { studio, campaign: rest };
  const target = decodeTarget(rest);
  return target ? { ...target, studio } : undefined;
}

/**
 * Reads a payload that names one offer, with its studio when the link names one; `undefined` for
 * anything else, a studio's whole-offer link included (never throws).
 */
export function decodeStartPayload(text: string): StartPayload | undefined {
  const link = decodeStartLink(text);
  return link && 'kind' in link ? link : undefined;
}

function decodeTarget(text: string): StartPayload | undefined {
  const match = payloadPattern.exec(text);
  if (!match) return undefined;
  const [, letter = '', digits = '', campaign] = match;
  const kind = kindsByLetter[letter];
  const id = Number(digits);
  if (!kind || !Number.isSafeInteger(id)) return undefined;
  return campaign === undefined ? { kind, id } : { kind, id, campaign };
}
