/**
 * Which studio a `/start` payload opens, and on what: the step between a deep link and the
 * conversation of a chain. A link without a studio part (every link printed before chains) means
 * the first studio; a link naming a studio the chain no longer has is told apart from a broken one.
 */
import { decodeStartLink, type StartTargetKind } from '../booking/deep-link.ts';
import type { StudioRegistry } from './registry.ts';
import type { StudioConfig } from './studios-file.ts';

export type ResolvedStart =
  /** Open `studio`: on one offer when `target` is set, else its offer list. */
  | {
      result: 'studio';
      studio: StudioConfig;
      target?: { kind: StartTargetKind; id: number };
      campaign?: string;
    }
  /** A well-formed link to a studio that is not (or no longer) in the chain. */
  | { result: 'unknown-studio'; studioId: string; campaign?: string }
  /** Not a payload trialgram wrote. */
  | { result: 'invalid' };

/** Reads a `/start` payload against the chain; no payload: the first studio's offer list. */
export function resolveStartLink(
  payload: string | undefined,
  studios: Pick<StudioRegistry, 'first' | 'config'>,
): ResolvedStart {
  const text = payload?.trim() ?? '';
  if (text === '') return { result: 'studio', studio: studios.first };
  const link = decodeStartLink(text);
  if (!link) return { result: 'invalid' };
  const campaign = link.campaign === undefined ? {} : { campaign: link.campaign };
  const studio = link.studio === undefined ? studios.first : studios.config(link.studio);
  if (!studio) return { result: 'unknown-studio', studioId: link.studio ?? '', ...campaign };
  return {
    result: 'studio',
    studio,
    ...('kind' in link ? { target: { kind: link.kind, id: link.id } } : {}),
    ...campaign,
  };
}
