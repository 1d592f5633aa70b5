import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportedLocales } from '../../src/config.ts';
import { staffMessageArguments, staffMessageKeys } from '../../src/staff/messages.ts';
import { localesDirectory, translations } from './helpers.ts';

/** The staff messages of one locale file: key → variables used. Staff messages are one line each. */
function staffMessages(locale: string): Map<string, string[]> {
  const source = readFileSync(join(localesDirectory, `${locale}.ftl`), 'utf8');
  const messages = new Map<string, string[]>();
  for (const [, key = '', value = ''] of source.matchAll(/^(staff-[a-z-]+) =(.*)$/gm)) {
    messages.set(key, [...value.matchAll(/\{\s*\$([a-zA-Z]+)\s*\}/g)].map((match) => match[1] ?? '').sort());
  }
  return messages;
}

describe.each(supportedLocales)('staff messages in %s.ftl', (locale) => {
  it('define exactly the staff keys the code uses, with the variables it passes', () => {
    const expected = new Map(staffMessageKeys.map((key) => [key, [...staffMessageArguments[key]].sort()]));
    expect(staffMessages(locale)).toEqual(expected);
  });

  it('are plain text, since the code does the HTML (and escaping) around them', () => {
    const t = translations(locale);
    for (const key of staffMessageKeys) {
      const args = Object.fromEntries(staffMessageArguments[key].map((name) => [name, 'x']));
      const text = t(key, args);
      expect(text, key).not.toMatch(/[<>&]/);
      expect(text, key).not.toBe(key);
    }
  });
});
