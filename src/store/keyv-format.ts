/** keyv's own JSON format: what every store here writes and reads. */

/**
 * Whether a JSON text may hold a string starting with ':' (escaped in keyv's format, as are
 * Buffers, as ':base64:…'). Such a string begins with `":` right after `:`, `,` or `[` (or at the
 * very start); a quote inside a string is always escaped, so no string's content matches. A key
 * ending in ':' matches too, which only costs the slow path.
 */
const mayHoldColonString = (text: string) =>
  // Three substring searches are several times faster than one regular expression with a class.
  text.startsWith('":') || text.includes(':":') || text.includes(',":') || text.includes('[":');

/**
 * keyv's own JSON format, written by `JSON.stringify`: keyv's serializer builds the text in
 * JavaScript, value by value, and was the store's largest CPU cost. Plain JSON is that format
 * whenever no string starts with ':' and nothing is a Buffer; else the escaping replacer.
 */
export function serializeForKeyv(data: unknown): string {
  const text = JSON.stringify(data) ?? 'null';
  if (isPlainKeyvJson(text)) return text;
  return JSON.stringify(data, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    if (Buffer.isBuffer(raw)) return `:base64:${raw.toString('base64')}`;
    return typeof value === 'string' && value.startsWith(':') ? `:${value}` : value;
  });
}

/** Whether `text`, JSON of something without Buffers, is keyv's format as it is (nothing to escape). */
export function isPlainKeyvJson(text: string): boolean {
  return !mayHoldColonString(text) && !text.includes('"type":"Buffer"');
}

/** Parses keyv's format (strings starting with ':' unescaped, ':base64:' Buffers); throws on garbage. */
export function parseKeyvText(text: string): unknown {
  if (!mayHoldColonString(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (value.startsWith(':base64:')) return Buffer.from(value.slice(8), 'base64');
    return value.startsWith(':') ? value.slice(1) : value;
  });
}
