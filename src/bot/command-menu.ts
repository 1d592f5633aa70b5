/** The command menu everybody sees, per locale. Staff commands are added per admin chat elsewhere. */
import type { BotCommand } from 'grammy/types';
import { type SupportedLocale, supportedLocales } from '../config.ts';
import type { Translator } from './i18n.ts';
import type { BotMessageKey } from './messages.ts';

const publicCommandNames = ['start', 'help', 'language', 'cancel', 'reminders', 'forget'] as const;

/** `chain`: a chain of several studios, whose prospects may switch studios with /studio. */
export function publicCommands(translator: Translator, locale: SupportedLocale, chain = false): BotCommand[] {
  const names = chain ? [...publicCommandNames, 'studio' as const] : publicCommandNames;
  return names.map((command) => ({
    command,
    description: translator.bot(locale, `bot-command-${command}` satisfies BotMessageKey),
  }));
}

export function publicCommandsByLocale(
  translator: Translator,
  chain = false,
): Record<SupportedLocale, BotCommand[]> {
  return Object.fromEntries(
    supportedLocales.map((locale) => [locale, publicCommands(translator, locale, chain)]),
  ) as Record<SupportedLocale, BotCommand[]>;
}
