/**
 * keyv's format for conversation rows on Redis (`{ value: { state, ...delivery }, expires }`), with a
 * state's JSON text worked out once per state. An update writes its state twice, before its
 * messages and with what was delivered; the second write only adds the delivery facts to the text
 * the first one made. States are values: a transition makes a new one and nothing changes a state
 * once made, so a state object's text stays its text.
 */
import { isPlainKeyvJson, serializeForKeyv } from './keyv-format.ts';

/** A state's JSON text and whether it is keyv's format as it is (no escaping needed). */
const stateTexts = new WeakMap<object, { text: string; plain: boolean }>();

/** keyv's text of a conversation row (anything else: keyv's format as usual). */
export function serializeConversation(data: unknown): string {
  return rowText(data) ?? serializeForKeyv(data);
}

/**
 * The text of keyv's `{ value: row, expires }` with the row's state text taken from (or put in)
 * {@link stateTexts}; `undefined` for anything else, or when a text needs keyv's escaping.
 */
function rowText(data: unknown): string | undefined {
  if (!isKeyvEntry(data)) return undefined;
  const { value: row, expires } = data;
  if (typeof row !== 'object' || row === null || !('state' in row)) return undefined;
  const { state, ...delivery } = row as { state: unknown };
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return undefined;
  let known = stateTexts.get(state);
  if (known === undefined) {
    const text = JSON.stringify(state);
    known = { text, plain: isPlainKeyvJson(text) };
    stateTexts.set(state, known);
  }
  const deliveryText = JSON.stringify(delivery);
  if (!known.plain || !isPlainKeyvJson(deliveryText)) return undefined;
  const rest = deliveryText === '{}' ? '}' : `,${deliveryText.slice(1)}`;
  const tail = expires === undefined ? '}' : `,"expires":${JSON.stringify(expires)}}`;
  return `{"value":{"state":${known.text}${rest}${tail}`;
}

/** keyv's `{ value, expires }` with nothing else in it (a loop: this runs for every write). */
function isKeyvEntry(data: unknown): data is { value: unknown; expires?: number } {
  if (typeof data !== 'object' || data === null) return false;
  for (const key in data) if (key !== 'value' && key !== 'expires') return false;
  const { expires } = data as { expires?: unknown };
  return expires === undefined || typeof expires === 'number';
}
