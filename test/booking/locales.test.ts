import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FluentBundle, FluentResource } from '@fluent/bundle';
import { describe, expect, test } from 'vitest';
import { type MessageKey, messageArguments, messageKeys } from '../../src/booking/messages.ts';

const root = join(import.meta.dirname, '..', '..');
const locales = ['en', 'de'] as const;

function load(locale: string) {
  const source = readFileSync(join(root, 'locales', `${locale}.ftl`), 'utf8');
  const resource = new FluentResource(source);
  const bundle = new FluentBundle(locale, { useIsolating: false });
  const addErrors = bundle.addResource(resource);
  // Every line that starts a message must have produced one: a syntax error turns an entry into
  // "junk", which FluentResource drops without a word.
  const declared = [...source.matchAll(/^([a-zA-Z][\w-]*)\s*=/gm)].map((m) => m[1] as string);
  return { source, resource, bundle, addErrors, declared };
}

type Node = unknown;

/** Variable names a Fluent pattern references, however deeply (selectors, variants, function args). */
function variablesIn(node: Node, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) variablesIn(item, found);
  } else if (node && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    if (n.type === 'var' && typeof n.name === 'string') found.add(n.name);
    for (const value of Object.values(n)) if (typeof value === 'object') variablesIn(value, found);
  }
  return found;
}

function sampleArgs(key: MessageKey): Record<string, string | number> {
  const names: readonly string[] = messageArguments[key];
  // Numbers for the arguments that select plural forms, text for the others.
  return Object.fromEntries(
    names.map((name) => [
      name,
      ['places', 'page', 'pages', 'shown', 'max', 'min', 'years', 'contingent'].includes(name)
        ? 2
        : `«${name}»`,
    ]),
  );
}

describe.each(locales)('locales/%s.ftl', (locale) => {
  const { resource, bundle, addErrors, declared } = load(locale);

  test('is valid Fluent: every entry parses and no id is defined twice', () => {
    expect(addErrors).toEqual([]);
    expect(resource.body.map((entry) => entry.id)).toEqual(declared);
    expect(new Set(declared).size).toBe(declared.length);
  });

  test('defines every message the booking flow uses', () => {
    const missing = messageKeys.filter((key) => !bundle.hasMessage(key));
    expect(missing).toEqual([]);
  });

  test.each(messageKeys)('%s uses exactly its declared arguments and formats without errors', (key) => {
    const message = bundle.getMessage(key);
    expect(message?.value).toBeTruthy();
    if (!message?.value) return;
    expect([...variablesIn(message.value)].sort()).toEqual([...messageArguments[key]].sort());
    const errors: Error[] = [];
    const formatted = bundle.formatPattern(message.value, sampleArgs(key), errors);
    expect(errors).toEqual([]);
    expect(formatted.trim()).not.toBe('');
    for (const value of Object.values(sampleArgs(key))) {
      if (typeof value === 'string') expect(formatted).toContain(value);
    }
  });
});

test('en and de define the same messages', () => {
  const [en, de] = locales.map((locale) => new Set(load(locale).declared));
  expect([...(en ?? [])].filter((id) => !de?.has(id))).toEqual([]);
  expect([...(de ?? [])].filter((id) => !en?.has(id))).toEqual([]);
});

test('every message key written in src/booking is in the registry, and every registry key is used', () => {
  const dir = join(root, 'src', 'booking');
  const files = readdirSync(dir).filter((file) => file.endsWith('.ts'));
  const read = (file: string) => readFileSync(join(dir, file), 'utf8').replace(/^import .*$/gm, '');
  const literals = new Set(
    files.flatMap((file) =>
      [...read(file).matchAll(/'([a-z][a-z0-9]*(?:-[a-z0-9]+)+)'/g)].map((m) => m[1] as string),
    ),
  );
  const registry = new Set<string>(messageKeys);
  expect([...literals].filter((literal) => !registry.has(literal))).toEqual([]);
  const usage = files
    .filter((file) => file !== 'messages.ts')
    .map(read)
    .join('\n');
  expect(messageKeys.filter((key) => !usage.includes(`'${key}'`))).toEqual([]);
});
