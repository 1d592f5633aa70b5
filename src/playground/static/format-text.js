/**
 * Telegram message text with entities → DOM nodes. Bot text only ever becomes text nodes and
 * elements created here; it is never parsed as markup, so a bot that echoes "<script>" shows it.
 *
 * Entity offsets and lengths count UTF-16 code units, exactly like JavaScript string indices.
 * Telegram nests entities properly (one contains the other); a partial overlap, which Telegram
 * does not send, is split at the outer entity's end rather than dropped.
 */

const simpleTags = {
  bold: 'b',
  italic: 'i',
  underline: 'u',
  strikethrough: 's',
  code: 'code',
  blockquote: 'blockquote',
  expandable_blockquote: 'blockquote',
};

const safeSchemes = new Set(['http:', 'https:', 'tg:', 'mailto:', 'tel:']);

/** The URL if a browser may open it from a chat (no javascript:, data: and the like). */
export function safeHref(raw) {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `http://${raw}`;
  try {
    const url = new URL(candidate);
    return safeSchemes.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function link(href, className) {
  if (href === undefined) {
    const span = document.createElement('span');
    if (className !== undefined) span.className = className;
    return span;
  }
  const anchor = document.createElement('a');
  anchor.href = href;
  if (/^https?:/.test(href)) {
    anchor.target = '_blank';
    anchor.rel = 'noopener noreferrer';
  }
  if (className !== undefined) anchor.className = className;
  return anchor;
}

function elementFor(entity, text, options) {
  const slice = text.slice(entity.offset, entity.offset + entity.length);
  const tag = simpleTags[entity.type];
  if (tag !== undefined) {
    const element = document.createElement(tag);
    if (entity.type === 'expandable_blockquote') element.className = 'expandable';
    return element;
  }
  switch (entity.type) {
    case 'pre': {
      const pre = document.createElement('pre');
      const code = document.createElement('code');
      if (typeof entity.language === 'string' && /^[\w+#-]{1,32}$/.test(entity.language)) {
        code.className = `language-${entity.language}`;
      }
      pre.append(code);
      return { outer: pre, inner: code };
    }
    case 'spoiler': {
      const span = document.createElement('span');
      span.className = 'spoiler';
      span.title = 'Spoiler: click to reveal';
      span.addEventListener('click', () => span.classList.add('revealed'));
      return span;
    }
    case 'text_link':
      return link(safeHref(entity.url));
    case 'url':
      return link(safeHref(slice));
    case 'email':
      return link(`mailto:${slice}`);
    case 'phone_number':
      return link(`tel:${slice.replace(/[^\d+]/g, '')}`);
    case 'mention':
      return link(safeHref(`https://t.me/${slice.replace(/^@/, '')}`), 'mention');
    case 'bot_command': {
      if (options.onCommand === undefined) break;
      // Tapping a command in Telegram sends it; a button says so to assistive technology too.
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'command-link';
      button.addEventListener('click', () => options.onCommand(slice));
      return button;
    }
    case 'hashtag':
    case 'cashtag':
    case 'text_mention':
    case 'custom_emoji': {
      const span = document.createElement('span');
      span.className = entity.type.replace('_', '-');
      return span;
    }
    default:
      break;
  }
  const span = document.createElement('span');
  span.className = `entity-${String(entity.type).replace(/[^a-z_]/g, '')}`;
  return span;
}

function isUsable(entity, textLength) {
  return (
    entity !== null &&
    typeof entity === 'object' &&
    Number.isInteger(entity.offset) &&
    Number.isInteger(entity.length) &&
    entity.offset >= 0 &&
    entity.length > 0 &&
    entity.offset < textLength
  );
}

function byPosition(a, b) {
  return a.offset - b.offset || b.length - a.length;
}

/**
 * Appends `text[start, end)` to `parent`, wrapping the parts covered by `entities` (sorted by
 * position, all inside the range) in their elements.
 */
function appendRange(parent, text, start, end, entities, options) {
  let cursor = start;
  const pending = [...entities];
  while (pending.length > 0) {
    const entity = pending.shift();
    const entityStart = Math.max(entity.offset, cursor);
    const entityEnd = Math.min(entity.offset + entity.length, end);
    if (entityEnd <= entityStart) continue;
    if (entityStart > cursor) parent.append(document.createTextNode(text.slice(cursor, entityStart)));
    const children = [];
    while (pending.length > 0 && pending[0].offset < entityEnd) {
      const child = pending.shift();
      const childEnd = child.offset + child.length;
      if (childEnd > entityEnd) {
        children.push({ ...child, length: entityEnd - child.offset });
        pending.push({ ...child, offset: entityEnd, length: childEnd - entityEnd });
        pending.sort(byPosition);
      } else {
        children.push(child);
      }
    }
    const created = elementFor(
      { ...entity, offset: entityStart, length: entityEnd - entityStart },
      text,
      options,
    );
    const outer = created instanceof Node ? created : created.outer;
    const inner = created instanceof Node ? created : created.inner;
    appendRange(inner, text, entityStart, entityEnd, children, options);
    parent.append(outer);
    cursor = entityEnd;
  }
  if (cursor < end) parent.append(document.createTextNode(text.slice(cursor, end)));
}

/**
 * A fragment showing `text` formatted by its Telegram `entities`.
 * `options.onCommand(command)`: called when a /command in the text is clicked.
 */
export function renderFormattedText(text, entities = [], options = {}) {
  const fragment = document.createDocumentFragment();
  const usable = (Array.isArray(entities) ? entities : [])
    .filter((entity) => isUsable(entity, text.length))
    .map((entity) => ({ ...entity, length: Math.min(entity.length, text.length - entity.offset) }))
    .sort(byPosition);
  appendRange(fragment, text, 0, text.length, usable, options);
  return fragment;
}
