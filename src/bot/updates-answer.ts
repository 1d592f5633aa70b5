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
const updateStart = '{"update_id":';

export function updatesAnswerAfter(text: string, seenUpTo: number | undefined): unknown {
  if (seenUpTo === undefined || !text.startsWith(answerStart)) return JSON.parse(text);
  const first = answerStart.length;
  if (text.startsWith(']}', first)) return { ok: true, result: [] };
  if (!text.startsWith(updateStart, first)) return JSON.parse(text);
  const firstId = updateIdAt(text, first + updateStart.length);
  // Nothing in it was had already (no update was unfinished): nothing to look for.
  if (firstId === undefined || firstId > seenUpTo) return JSON.parse(text);
  // From the end: under load most of an answer is updates had already, the new ones come last.
  let fresh = -1;
  for (let at = text.lastIndexOf(updateStart); at >= first; at = text.lastIndexOf(updateStart, at - 1)) {
    const id = updateIdAt(text, at + updateStart.length);
    if (id === undefined) return JSON.parse(text);
    if (id <= seenUpTo) break;
    fresh = at;
    if (at === first) break;
  }
  if (fresh === first) return JSON.parse(text);
  if (fresh > first) return JSON.parse(answerStart + text.slice(fresh));
  // Every update in it was had already; a malformed answer still fails as one.
  if (!text.endsWith(']}')) return JSON.parse(text);
  return { ok: true, result: [] };
}

/** The non-negative integer written at `index` (digits up to a `,` or `}`), else undefined. */
function updateIdAt(text: string, index: number): number | undefined {
  let value = 0;
  let at = index;
  for (; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code < 48 || code > 57) break;
    value = value * 10 + (code - 48);
  }
  const next = text[at];
  return at > index && at - index <= 15 && (next === ',' || next === '}') ? value : undefined;
}
