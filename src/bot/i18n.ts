/**
 * Translations from `locales/<lang>.ftl` through @grammyjs/i18n, used as a plain translator: the
 * adapter picks each user's locale itself (stored choice, Telegram language, default), so the
 * plugin's middleware and locale negotiation are not needed.
 */
import { join } from 'node:path';
import { I18n } from '@grammyjs/i18n';
import type { Text } from '../booking/index.ts';
import type { SupportedLocale } from '../config.ts';
import type { BotMessageKey } from './messages.ts';

export const localesDirectory = join(import.meta.dirname, '..', '..', 'locales');

export interface Translator {
  /** A flow text (message key with its arguments) in `locale`. */
  render(locale: SupportedLocale, text: Text): string;
  /** An adapter text (see messages.ts). */
  bot(locale: SupportedLocale, key: BotMessageKey): string;
  /** Any key, for the staff tools, which bring their own key tables. */
  t(locale: string, key: string, args?: Record<string, string | number>): string;
}

/** Reads the locale files (synchronously, once, at construction; no network). */
export function createTranslator(directory: string = localesDirectory): Translator {
  // Messages hold names, e-mail addresses and links; Unicode isolation marks around them would
  // end up in what people copy (a link that no longer opens), so they are off. What prospects
  // type cannot turn a line around all the same: direction controls are dropped on input, and a
  // value with right-to-left letters is isolated by the flow (`isolated` in lead-fields.ts).
  const i18n = new I18n({ defaultLocale: 'en', directory, fluentBundleOptions: { useIsolating: false } });
  return {
    render: (locale, text) =>
      i18n.t(locale, text.key, text.args as Record<string, string | number> | undefined),
    bot: (locale, key) => i18n.t(locale, key),
    t: (locale, key, args) => i18n.t(locale, key, args),
  };
}
