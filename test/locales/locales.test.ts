/**
 * The one locale test: every locale file against the one registry of message keys and their
 * arguments (flow, adapter, staff tools), read from Fluent's syntax tree (@fluent/syntax), and
 * every message formatted through the bot's own translator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BaseNode, Junk, Message, parse, SelectExpression, VariableReference } from '@fluent/syntax';
import { describe, expect, test } from 'vitest';
import { messageKeys } from '../../src/booking/messages.ts';
import {
  createTranslator,
  localesDirectory,
  messageRegistry,
  type RegisteredMessageKey,
} from '../../src/bot/i18n.ts';
import { botMessageKeys } from '../../src/bot/messages.ts';
import { supportedLocales } from '../../src/config.ts';
import { staffMessageKeys } from '../../src/staff/messages.ts';

const registeredKeys = Object.keys(messageRegistry) as RegisteredMessageKey[];

function syntaxTree(locale: string) {
  return parse(readFileSync(join(localesDirectory, `${locale}.ftl`), 'utf8'), { withSpans: true });
}

/** Every node below `node` (Fluent's AST nodes and arrays of them), depth first. */
function* walk(node: unknown): Generator<BaseNode> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item);
  } else if (node && typeof node === 'object' && 'type' in node) {
    yield node as BaseNode;
    for (const [key, value] of Object.entries(node)) if (key !== 'span') yield* walk(value);
  }
}

interface Variables {
  all: Set<string>;
  /** Variables a select expression chooses a variant by (plural forms): they get numbers. */
  numeric: Set<string>;
}

function variablesOf(message: Message): Variables {
  const all = new Set<string>();
  const numeric = new Set<string>();
  for (const node of walk([message.value, message.attributes])) {
    if (node instanceof VariableReference) all.add(node.id.name);
    if (node instanceof SelectExpression && node.selector instanceof VariableReference)
      numeric.add(node.selector.id.name);
  }
  return { all, numeric };
}

test('the registry holds the flow, adapter and staff keys, each once', () => {
  expect(registeredKeys.length).toBe(messageKeys.length + botMessageKeys.length + staffMessageKeys.length);
});

describe.each(supportedLocales)('locales/%s.ftl', (locale) => {
  const tree = syntaxTree(locale);
  const messages = tree.body.filter((entry): entry is Message => entry instanceof Message);
  const byKey = new Map(messages.map((message) => [message.id.name, message]));

  test('is valid Fluent: no entry fails to parse, no message is defined twice', () => {
    const junk = tree.body.filter((entry): entry is Junk => entry instanceof Junk);
    expect(junk.map((entry) => entry.content.slice(0, 60))).toEqual([]);
    expect(byKey.size).toBe(messages.length);
  });

  test('defines exactly the registered messages', () => {
    expect([...byKey.keys()].sort()).toEqual([...registeredKeys].sort());
  });

  test.each(registeredKeys)('%s uses exactly its registered arguments and formats cleanly', (key) => {
    const message = byKey.get(key);
    expect(message?.value, key).toBeTruthy();
    if (!message) return;
    const variables = variablesOf(message);
    expect([...variables.all].sort()).toEqual([...messageRegistry[key]].sort());

    const args = Object.fromEntries(
      messageRegistry[key].map((name) => [name, variables.numeric.has(name) ? 2 : `«${name}»`]),
    );
    const text = createTranslator().t(locale, key, args);
    expect(text.trim()).not.toBe('');
    expect(text).not.toBe(key);
    // A reference that cannot be resolved is printed as `{…}` by Fluent.
    expect(text).not.toMatch(/\{[$-]?[\w-]*\}/);
    for (const value of Object.values(args)) if (typeof value === 'string') expect(text).toContain(value);
    // Staff texts are sent as HTML: markup and escaping are the code's job.
    if (key.startsWith('staff-')) expect(text).not.toMatch(/[<>&]/);
  });
});

test('a message a locale lacks falls back to English; an unknown locale gets English', () => {
  const translator = createTranslator();
  expect(translator.bot('de', 'bot-unknown-command')).not.toBe(translator.bot('en', 'bot-unknown-command'));
  expect(translator.t('fr', 'bot-unknown-command')).toBe(translator.bot('en', 'bot-unknown-command'));
});
