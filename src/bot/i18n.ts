/**
 * Translations from `locales/<lang>.ftl` with @fluent/bundle: one bundle per supported locale,
 * built once at start. The adapter picks each user's locale itself (stored choice, Telegram
 * language, default), so there is no negotiation per call; a message a locale lacks falls back to
 * English. Texts without arguments are formatted once and remembered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FluentBundle, FluentResource } from '@fluent/bundle';
import { type MessageArgs, type MessageKey, messageArguments, type Text } from '../booking/index.ts';
import { type SupportedLocale, supportedLocales } from '../config.ts';
import { type StaffMessageKey, staffMessageArguments } from '../staff/messages.ts';
import { type BotMessageKey, botMessageKeys } from './messages.ts';

export const localesDirectory = join(import.meta.dirname, '..', '..', 'locales');

/** Every message key trialgram uses: the flow's, the adapter's and the staff tools'. */
export type RegisteredMessageKey = MessageKey | BotMessageKey | StaffMessageKey;

/**
 * The one registry of message keys and the names of their arguments, for the flow
 * (src/booking/messages.ts), the adapter (./messages.ts, no arguments) and the staff tools
 * (src/staff/messages.ts). The locale test checks each against the Fluent syntax tree of every
 * locale file.
 */
export const messageRegistry: Readonly<Record<RegisteredMessageKey, readonly string[]>> = {
  ...messageArguments,
  ...botMessageArguments(),
  ...staffMessageArguments,
};

function botMessageArguments(): Record<BotMessageKey, readonly string[]> {
  const table = {} as Record<BotMessageKey, readonly string[]>;
  for (const key of botMessageKeys) table[key] = [];
  return table;
}

export interface Translator {
  /** A flow text (message key with its arguments) in `locale`. */
  render(locale: SupportedLocale, text: Text): string;
  /** An adapter text (see messages.ts). */
  bot(locale: SupportedLocale, key: BotMessageKey): string;
  /** Any registered key, for the staff tools. */
  t(locale: string, key: RegisteredMessageKey, args?: MessageArgs): string;
}

/** The bundle of one locale file; a file Fluent reports errors for stops start-up. */
function loadBundle(directory: string, locale: SupportedLocale): FluentBundle {
  // Messages hold names, e-mail addresses and links; Unicode isolation marks around them would
  // end up in what people copy (a link that no longer opens), so they are off. What prospects
  // type cannot turn a line around all the same: direction controls are dropped on input, and a
  // value with right-to-left letters is isolated by the flow (`isolated` in lead-fields.ts).
  const bundle = new FluentBundle(locale, { useIsolating: false });
  const errors = bundle.addResource(
    new FluentResource(readFileSync(join(directory, `${locale}.ftl`), 'utf8')),
  );
  if (errors.length > 0) throw new Error(`locales/${locale}.ftl: ${errors.map((e) => e.message).join('; ')}`);
  return bundle;
}

/** Reads the locale files (synchronously, once, at construction; no network). */
export function createTranslator(directory: string = localesDirectory): Translator {
  const bundles = new Map<string, FluentBundle>(
    supportedLocales.map((locale) => [locale, loadBundle(directory, locale)]),
  );
  const fallback = bundles.get('en') as FluentBundle;
  /** Formatted texts without arguments, per locale and key. */
  const plain = new Map<string, string>();

  const format = (locale: string, key: string, args?: MessageArgs): string => {
    const cacheKey = args === undefined ? `${locale}\n${key}` : undefined;
    if (cacheKey !== undefined) {
      const cached = plain.get(cacheKey);
      if (cached !== undefined) return cached;
    }
    let bundle = bundles.get(locale) ?? fallback;
    let message = bundle.getMessage(key);
    if (message?.value == null && bundle !== fallback) {
      bundle = fallback;
      message = bundle.getMessage(key);
    }
    if (message?.value == null) return key;
    // A missing argument prints as `{$name}` instead of throwing; the locale test rules it out.
    const text = bundle.formatPattern(message.value, args, []);
    if (cacheKey !== undefined) plain.set(cacheKey, text);
    return text;
  };

  return {
    render: (locale, text) => format(locale, text.key, text.args),
    bot: (locale, key) => format(locale, key),
    t: (locale, key, args) => format(locale, key, args),
  };
}
