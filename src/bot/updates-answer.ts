/**
 * A getUpdates answer read from the first update the bot has not had yet.
 *
 * While some updates are still being handled, the poller asks Telegram from the oldest of them on
 * (see src/runtime/confirm-handled.ts), so every answer carries again the updates handed out
 * already, which the poller drops. Under load that was almost four updates parsed for each new one.
 * The Bot API writes an answer as `{"ok":true,"result":[{"update_id":…,…},…]}`, each update with
 * its `update_id` first and in rising order, and the text `{"update_id":` can only start an update
 * (inside a JSON string its quote would be escaped). So the updates up to `seenUpTo` are skipped
 * by finding, from the end, where the first later one starts, and only the rest is parsed.
 *
 * Anything else (an error answer, other spacing, an update that does not start with its id) is
 * parsed whole, as before: the poller's own filter then does the same job.
 */
const answerStart = '{"ok":true,"result":[';
const answerStartBytes = Buffer.from(answerStart);
const updateStart = Buffer.from('{"update_id":');
const emptyAnswerEnd = Buffer.from(']}');

/**
 * `bytes` is the body as it arrived: only the part from the first new update on is
 * decoded, so the updates had already cost neither decoding nor parsing.
 */
export function updatesAnswerAfter(bytes: Buffer, seenUpTo: number | undefined): unknown {
  const whole = () => JSON.parse(bytes.toString('utf8'));
  if (seenUpTo === undefined || !hasBytesAt(bytes, answerStartBytes, 0)) return whole();
  const first = answerStartBytes.length;
  if (hasBytesAt(bytes, emptyAnswerEnd, first)) return { ok: true, result: [] };
  if (!hasBytesAt(bytes, updateStart, first)) return whole();
  const firstId = updateIdAt(bytes, first + updateStart.length);
  // Nothing in it was had already (no update was unfinished): nothing to look for.
  if (firstId === undefined || firstId > seenUpTo) return whole();
  // From the end: under load most of an answer is updates had already, the new ones come last.
  let fresh = -1;
  for (let at = bytes.lastIndexOf(updateStart); at >= first; at = bytes.lastIndexOf(updateStart, at - 1)) {
    const id = updateIdAt(bytes, at + updateStart.length);
    if (id === undefined) return whole();
    if (id <= seenUpTo) break;
    fresh = at;
    if (at === first) break;
  }
  if (fresh === first) return whole();
  if (fresh > first) return JSON.parse(answerStart + bytes.toString('utf8', fresh));
  // Every update in it was had already; a malformed answer still fails as one.
  if (!hasBytesAt(bytes, emptyAnswerEnd, bytes.length - emptyAnswerEnd.length)) return whole();
  return { ok: true, result: [] };
}

/** Whether `bytes` holds `part` at `at`. */
export function hasBytesAt(bytes: Buffer, part: Buffer, at: number): boolean {
  return (
    at >= 0 &&
    bytes.length >= at + part.length &&
    bytes.compare(part, 0, part.length, at, at + part.length) === 0
  );
}

/** The non-negative integer written at `index` (1 to 15 digits) and the index after it, else undefined. */
export function integerAt(bytes: Buffer, index: number): { value: number; end: number } | undefined {
  let value = 0;
  let end = index;
  for (; end < bytes.length; end++) {
    const code = bytes[end] as number;
    if (code < 48 || code > 57) break;
    value = value * 10 + (code - 48);
  }
  return end > index && end - index <= 15 ? { value, end } : undefined;
}

/** The update id written at `index` (digits up to a `,` or `}`), else undefined. */
function updateIdAt(bytes: Buffer, index: number): number | undefined {
  const id = integerAt(bytes, index);
  const next = id === undefined ? undefined : bytes[id.end];
  return next === 0x2c || next === 0x7d ? id?.value : undefined;
}
