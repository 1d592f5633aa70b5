import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTranslator, localesDirectory } from '../../src/bot/i18n.ts';
import { botMessageKeys } from '../../src/bot/messages.ts';
import { supportedLocales } from '../../src/config.ts';

function botMessagesIn(locale: string): string[] {
  const source = readFileSync(join(localesDirectory, `${locale}.ftl`), 'utf8');
  return [...source.matchAll(/^(bot-[a-z-]+) =/gm)].map((match) => match[1] ?? '');
}

describe.each(supportedLocales)('adapter texts in %s.ftl', (locale) => {
  it('define exactly the bot- keys the adapter uses, each a plain sentence', () => {
    expect(botMessagesIn(locale).sort()).toEqual([...botMessageKeys].sort());
    const translator = createTranslator();
    for (const key of botMessageKeys) {
      const text = translator.bot(locale, key);
      expect(text, key).not.toBe(key);
      expect(text, key).not.toMatch(/[{}]/);
    }
  });
});

it('every bot- key written in src/bot is in the registry', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );
  const source = files(join(import.meta.dirname, '..', '..', 'src', 'bot'))
    .filter((file) => !file.endsWith('messages.ts'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const used = new Set([...source.matchAll(/'(bot-[a-z-]+)'/g)].map((match) => match[1] ?? ''));
  // The command menu builds its keys from the command names.
  for (const command of ['start', 'help', 'language', 'cancel', 'forget', 'studio'])
    used.add(`bot-command-${command}`);
  expect([...used].sort()).toEqual([...botMessageKeys].sort());
});
