import type { MessageEntity } from 'grammy/types';

/**
 * Text as Telegram stores it: plain characters plus entities whose offsets count UTF-16 code units,
 * which is also how JavaScript strings count, so offsets can be used with `String#slice` directly.
 */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/** A markup error; Telegram reports it as `Bad Request: can't parse entities: <message>`. */
export class EntityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntityParseError';
  }
}

// Telegram (tdlib) orders entities that share a range by these priorities: outer ones first.
const TYPE_PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};
const AUTO_DETECTED_PRIORITY = 50;

const priorityOf = (entity: MessageEntity): number => TYPE_PRIORITY[entity.type] ?? AUTO_DETECTED_PRIORITY;

export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length || priorityOf(a) - priorityOf(b));
}

const byteOffset = (input: string, index: number): number => Buffer.byteLength(input.slice(0, index), 'utf8');

const isHtmlSpace = (char: string | undefined): boolean =>
  char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v';

const SCHEMES_WITH_HOST = new Set(['http', 'https', 'ftp', 'ton', 'tonsite']);

/**
 * Normalises a link target the way Telegram does for text links (`telegram.org` becomes
 * `http://telegram.org/`), or returns undefined when Telegram would silently drop the link.
 */
export function normalizeUrl(raw: string): string | undefined {
  if (raw.length === 0 || /\s/.test(raw)) return undefined;
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw);
  const scheme = schemeMatch?.[1]?.toLowerCase();
  // `host.tld:8080/path` also matches the scheme pattern; a dot means it is a host, not a scheme.
  if (scheme !== undefined && !scheme.includes('.')) {
    if (scheme === 'tg') return raw;
    if (!SCHEMES_WITH_HOST.has(scheme)) return undefined;
    try {
      const url = new URL(raw);
      return url.hostname === '' ? undefined : url.href;
    } catch {
      return undefined;
    }
  }
  try {
    const url = new URL(`http://${raw}`);
    if (!url.hostname.includes('.') || url.hostname.startsWith('.') || url.hostname.endsWith('.')) {
      return undefined;
    }
    return url.href;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);

const NAMED_HTML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

const SURROGATE_ERROR =
  'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units';

/** Decodes the HTML entity starting at `start` (which holds `&`), the way Telegram does. */
function decodeHtmlEntity(input: string, start: number): { value: string; next: number } {
  const literal = { value: '&', next: start + 1 };
  let cursor = start + 1;
  if (input[cursor] === '#') {
    cursor += 1;
    const hex = input[cursor] === 'x' || input[cursor] === 'X';
    if (hex) cursor += 1;
    const digitsStart = cursor;
    const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
    while (cursor < input.length && digit.test(input.charAt(cursor))) cursor += 1;
    if (cursor === digitsStart || cursor - digitsStart > 8) return literal;
    const codePoint = Number.parseInt(input.slice(digitsStart, cursor), hex ? 16 : 10);
    if (input[cursor] === ';') cursor += 1;
    if (codePoint === 0 || codePoint > 0x10ffff) return literal;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) throw new EntityParseError(SURROGATE_ERROR);
    return { value: String.fromCodePoint(codePoint), next: cursor };
  }
  while (cursor < input.length && /[a-zA-Z0-9]/.test(input.charAt(cursor))) cursor += 1;
  const decoded = NAMED_HTML_ENTITIES[input.slice(start + 1, cursor)];
  if (decoded === undefined) return literal;
  if (input[cursor] === ';') cursor += 1;
  return { value: decoded, next: cursor };
}

function decodeHtmlText(input: string): string {
  let out = '';
  let index = 0;
  while (index < input.length) {
    const amp = input.indexOf('&', index);
    if (amp < 0) return out + input.slice(index);
    out += input.slice(index, amp);
    const { value, next } = decodeHtmlEntity(input, amp);
    out += value;
    index = next;
  }
  return out;
}

interface HtmlFrame {
  tag: string;
  textOffset: number;
  attributes: Map<string, string>;
  tagStart: number;
}

/** Parses Telegram's `parse_mode: 'HTML'` into plain text and entities, with Telegram's errors. */
export function parseHtml(input: string): FormattedText {
  const entities: Array<MessageEntity & { codeLanguage?: string }> = [];
  const stack: HtmlFrame[] = [];
  let text = '';
  let index = 0;
  const length = input.length;
  const markup = /[<&]/g;

  while (index < length) {
    markup.lastIndex = index;
    const found = markup.exec(input);
    if (found === null) {
      text += input.slice(index);
      break;
    }
    text += input.slice(index, found.index);
    index = found.index;
    if (input[index] === '&') {
      const { value, next } = decodeHtmlEntity(input, index);
      text += value;
      index = next;
      continue;
    }

    const tagStart = index;
    if (input[index + 1] === '/') {
      index += 2;
      const nameStart = index;
      while (index < length && !isHtmlSpace(input[index]) && input[index] !== '>') index += 1;
      const endName = input.slice(nameStart, index).toLowerCase();
      while (index < length && isHtmlSpace(input[index])) index += 1;
      const open = stack.at(-1);
      if (open === undefined) {
        throw new EntityParseError(`Unexpected end tag at byte offset ${byteOffset(input, tagStart)}`);
      }
      if (input[index] !== '>') {
        throw new EntityParseError(`Unclosed end tag at byte offset ${byteOffset(input, tagStart)}`);
      }
      if (endName !== '' && endName !== open.tag) {
        throw new EntityParseError(
          `Unmatched end tag at byte offset ${byteOffset(input, tagStart)}, expected "</${open.tag}>", found "</${endName}>"`,
        );
      }
      index += 1;
      stack.pop();
      const entity = htmlEntity(open, text);
      if (entity !== undefined) entities.push(entity);
      continue;
    }

    index += 1;
    const nameStart = index;
    while (index < length && !isHtmlSpace(input[index]) && input[index] !== '>') index += 1;
    if (index >= length) {
      throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(input, tagStart)}`);
    }
    const tag = input.slice(nameStart, index).toLowerCase();
    if (!HTML_TAGS.has(tag)) {
      throw new EntityParseError(
        `Unsupported start tag "${tag}" at byte offset ${byteOffset(input, tagStart)}`,
      );
    }
    const attributes = new Map<string, string>();
    while (input[index] !== '>') {
      while (index < length && isHtmlSpace(input[index])) index += 1;
      if (input[index] === '>') break;
      if (index >= length) {
        throw new EntityParseError(
          `Unclosed start tag "${tag}" at byte offset ${byteOffset(input, tagStart)}`,
        );
      }
      const attributeStart = index;
      while (index < length && !isHtmlSpace(input[index]) && input[index] !== '=' && input[index] !== '>') {
        index += 1;
      }
      const attributeName = input.slice(attributeStart, index).toLowerCase();
      if (attributeName === '') {
        throw new EntityParseError(
          `Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(input, tagStart)}`,
        );
      }
      while (index < length && isHtmlSpace(input[index])) index += 1;
      if (input[index] !== '=') {
        attributes.set(attributeName, '');
        continue;
      }
      index += 1;
      while (index < length && isHtmlSpace(input[index])) index += 1;
      if (index >= length) {
        throw new EntityParseError(
          `Unclosed start tag "${tag}" at byte offset ${byteOffset(input, tagStart)}`,
        );
      }
      const quote = input[index];
      if (quote === '"' || quote === "'") {
        const close = input.indexOf(quote, index + 1);
        if (close < 0) {
          throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(input, tagStart)}`);
        }
        attributes.set(attributeName, decodeHtmlText(input.slice(index + 1, close)));
        index = close + 1;
      } else {
        const valueStart = index;
        while (index < length && /[a-zA-Z0-9.-]/.test(input.charAt(index))) index += 1;
        if (!isHtmlSpace(input[index]) && input[index] !== '>') {
          throw new EntityParseError(
            `Unexpected end of name token at byte offset ${byteOffset(input, valueStart)}`,
          );
        }
        attributes.set(attributeName, input.slice(valueStart, index));
      }
    }
    index += 1;
    if (tag === 'span' && attributes.get('class') !== 'tg-spoiler') {
      throw new EntityParseError(
        `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(input, tagStart)}`,
      );
    }
    stack.push({ tag, textOffset: text.length, attributes, tagStart });
  }

  const unclosed = stack.at(-1);
  if (unclosed !== undefined) {
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  }
  return { text, entities: sortEntities(mergePreAndCode(entities)) };
}

function htmlEntity(frame: HtmlFrame, text: string): (MessageEntity & { codeLanguage?: string }) | undefined {
  const offset = frame.textOffset;
  const length = text.length - offset;
  if (length <= 0) return undefined;
  const range = { offset, length };
  switch (frame.tag) {
    case 'b':
    case 'strong':
      return { type: 'bold', ...range };
    case 'i':
    case 'em':
      return { type: 'italic', ...range };
    case 'u':
    case 'ins':
      return { type: 'underline', ...range };
    case 's':
    case 'strike':
    case 'del':
      return { type: 'strikethrough', ...range };
    case 'span':
    case 'tg-spoiler':
      return { type: 'spoiler', ...range };
    case 'blockquote':
      return { type: frame.attributes.has('expandable') ? 'expandable_blockquote' : 'blockquote', ...range };
    case 'pre':
      return { type: 'pre', ...range };
    case 'code': {
      const language = /^language-(.+)$/.exec(frame.attributes.get('class') ?? '')?.[1];
      return language === undefined
        ? { type: 'code', ...range }
        : { type: 'code', ...range, codeLanguage: language };
    }
    case 'tg-emoji': {
      const id = frame.attributes.get('emoji-id') ?? '';
      if (!/^[1-9][0-9]*$/.test(id)) throw new EntityParseError('Invalid custom emoji identifier specified');
      return { type: 'custom_emoji', ...range, custom_emoji_id: id };
    }
    case 'a': {
      const href = frame.attributes.get('href');
      const url = normalizeUrl(href ?? text.slice(offset));
      return url === undefined ? undefined : { type: 'text_link', ...range, url };
    }
    default:
      return undefined;
  }
}

/** `<pre><code class="language-x">` over the same text is one `pre` entity with a language. */
function mergePreAndCode(entities: Array<MessageEntity & { codeLanguage?: string }>): MessageEntity[] {
  const result: MessageEntity[] = [];
  const pres = entities.filter((entity) => entity.type === 'pre');
  const merged = new Set<MessageEntity>();
  for (const entity of entities) {
    if (entity.type !== 'code' || entity.codeLanguage === undefined) continue;
    const pre = pres.find(
      (candidate) => candidate.offset === entity.offset && candidate.length === entity.length,
    );
    if (pre !== undefined) {
      merged.add(entity);
      Object.assign(pre, { language: entity.codeLanguage });
    }
  }
  for (const entity of entities) {
    if (merged.has(entity)) continue;
    const { codeLanguage: _dropped, ...plain } = entity;
    result.push(plain as MessageEntity);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Trimming and entity detection

/** Removes leading and trailing whitespace like Telegram does before storing a message. */
export function trimFormattedText({ text, entities }: FormattedText): FormattedText {
  const leading = /^\s*/.exec(text)?.[0].length ?? 0;
  const trimmed = text.trim();
  if (trimmed.length === text.length) return { text, entities };
  const result: MessageEntity[] = [];
  for (const entity of entities) {
    const start = Math.max(0, entity.offset - leading);
    const end = Math.min(trimmed.length, entity.offset + entity.length - leading);
    if (end > start) result.push({ ...entity, offset: start, length: end - start });
  }
  return { text: trimmed, entities: result };
}

// Telegram knows every TLD; the fake only recognises common ones so file names like `plan.pdf` stay text.
const BARE_DOMAIN_TLDS =
  'com|org|net|edu|gov|io|dev|app|me|info|biz|co|eu|de|uk|pl|fr|es|it|nl|ru|us|ai|gg|tv|xyz|online|site|fit|fitness|gym|club|studio|ly|be|ch|at|se|no|dk|fi|cz|pt|ca|au|in|jp|br|mx|ua|tech|store|shop|link|page|cloud|pro|to|sh|im|fm';

const URL_PATTERN = new RegExp(
  String.raw`(?<![\p{L}\p{N}_@./-])(?:(?:https?|ftp):\/\/[^\s<>"«»]+|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+(?:${BARE_DOMAIN_TLDS})(?::\d{1,5})?(?:[/?#][^\s<>"«»]*)?(?![\p{L}\p{N}_-]))`,
  'giu',
);
const EMAIL_PATTERN =
  /(?<![\p{L}\p{N}_.+-])[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}(?![\p{L}\p{N}_])/gu;
const MENTION_PATTERN = /(?<![\p{L}\p{N}_])@[a-zA-Z0-9_]{2,32}(?![\p{L}\p{N}_])/gu;
const BOT_COMMAND_PATTERN =
  /(?<![\p{L}\p{N}_/<>])\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\p{L}\p{N}_/<>@])/gu;
const HASHTAG_PATTERN = /(?<![\p{L}\p{Nd}_\u200c])#[\p{L}\p{Nd}_\u200c]{1,256}(?![\p{L}\p{Nd}_\u200c]*#)/gu;
const CASHTAG_PATTERN = /(?<![$\p{L}\p{Nd}_\u200c])\$[A-Z]{3,8}(?![$\p{L}\p{Nd}_\u200c])/gu;

const BLOCKS_DETECTION = new Set(['code', 'pre', 'text_link', 'text_mention', 'custom_emoji']);

/**
 * Adds the entities Telegram finds on its own (links, e-mail addresses, @mentions, /commands,
 * #hashtags, $CASHTAGS), skipping text that is already code or a link. Approximate: Telegram's
 * URL rules are more elaborate than these patterns.
 */
export function detectEntities({ text, entities }: FormattedText): FormattedText {
  if (!/[./@#$]/.test(text)) return { text, entities };
  const taken: Array<[number, number]> = entities
    .filter((entity) => BLOCKS_DETECTION.has(entity.type))
    .map((entity) => [entity.offset, entity.offset + entity.length]);
  const found: MessageEntity[] = [];
  const overlaps = (start: number, end: number): boolean =>
    taken.some(([takenStart, takenEnd]) => start < takenEnd && takenStart < end);
  const scan = (
    pattern: RegExp,
    type: 'url' | 'email' | 'mention' | 'bot_command' | 'hashtag' | 'cashtag',
    accept: (match: string) => string | undefined = (match) => match,
  ): void => {
    for (const match of text.matchAll(pattern)) {
      const accepted = accept(match[0]);
      if (accepted === undefined || accepted.length === 0) continue;
      const start = match.index;
      const end = start + accepted.length;
      if (overlaps(start, end)) continue;
      taken.push([start, end]);
      found.push({ type, offset: start, length: accepted.length });
    }
  };
  scan(EMAIL_PATTERN, 'email');
  scan(URL_PATTERN, 'url', trimUrlTail);
  scan(MENTION_PATTERN, 'mention');
  scan(BOT_COMMAND_PATTERN, 'bot_command');
  scan(HASHTAG_PATTERN, 'hashtag', (match) => (/\p{L}/u.test(match) ? match : undefined));
  scan(CASHTAG_PATTERN, 'cashtag');
  if (found.length === 0) return { text, entities };
  return { text, entities: sortEntities([...entities, ...found]) };
}

function trimUrlTail(url: string): string {
  let end = url.length;
  while (end > 0 && ".:;,('?!`".includes(url.charAt(end - 1))) end -= 1;
  let trimmed = url.slice(0, end);
  // A closing parenthesis without an opening one belongs to the surrounding sentence.
  while (trimmed.endsWith(')') && countOf(trimmed, '(') < countOf(trimmed, ')'))
    trimmed = trimmed.slice(0, -1);
  return trimmed;
}

const countOf = (value: string, char: string): number => value.split(char).length - 1;

export type ParseMode = 'HTML';

/**
 * Resolves a `parse_mode` parameter case-insensitively, as Telegram does. The bot formats with HTML
 * only, so the fake implements HTML only: Telegram's Markdown modes are refused with a message that
 * says this fake lacks them, rather than shown wrongly.
 */
export function resolveParseMode(value: unknown): ParseMode | undefined | 'not-implemented' | 'unsupported' {
  if (value === undefined || value === null || value === '') return undefined;
  switch (String(value).toLowerCase()) {
    case 'html':
      return 'HTML';
    case 'markdownv2':
    case 'markdown':
      return 'not-implemented';
    default:
      return 'unsupported';
  }
}

/** Parses markup of the given mode; plain text when there is none. */
export function parseMarkup(input: string, mode: ParseMode | undefined): FormattedText {
  return mode === 'HTML' ? parseHtml(input) : { text: input, entities: [] };
}
