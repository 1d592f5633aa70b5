/**
 * `/start` deep-link payloads: `t.me/<bot>?start=<payload>`. Telegram passes at most 64 characters of
 * `[A-Za-z0-9_-]`, so the format is terse but still readable for the staff who print the links:
 *
 * - `c<classId>` one trial class, `a<bookableAppointmentId>` one trial appointment,
 *   `o<configId>` every offer of one trial-offer config;
 * - optionally `_<campaign>` with campaign `[a-z0-9-]{1,24}`, e.g. `c1001_poster`, so a staff notice
 *   can say which poster or flyer brought the prospect.
 */

export type StartTargetKind = 'class' | 'appointment' | 'config';

export interface StartPayload {
  kind: StartTargetKind;
  id: number;
  campaign?: string | undefined;
}

const kindLetters = { class: 'c', appointment: 'a', config: 'o' } as const satisfies Record<
  StartTargetKind,
  string
>;
const kindsByLetter: Record<string, StartTargetKind> = { c: 'class', a: 'appointment', o: 'config' };

export const campaignPattern = /^[a-z0-9-]{1,24}$/;
const payloadPattern = /^([cao])([1-9]\d{0,15})(?:_([a-z0-9-]{1,24}))?$/;

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
  return `${kindLetters[payload.kind]}${payload.id}${campaign === undefined ? '' : `_${campaign}`}`;
}

/** Reads a start payload; `undefined` for anything that is not one (never throws). */
export function decodeStartPayload(text: string): StartPayload | undefined {
  if (typeof text !== 'string' || text.length > maxStartPayloadLength) return undefined;
  const match = payloadPattern.exec(text);
  if (!match) return undefined;
  const [, letter = '', digits = '', campaign] = match;
  const kind = kindsByLetter[letter];
  const id = Number(digits);
  if (!kind || !Number.isSafeInteger(id)) return undefined;
  return campaign === undefined ? { kind, id } : { kind, id, campaign };
}
