/** The command menu everybody sees, per locale. Staff commands are added per admin chat elsewhere. */
import type { BotCommand } from 'grammy/types';
import { type SupportedLocale, supportedLocales } from '../config.ts';
import type { Translator } from './i18n.ts';
import type { BotMessageKey } from './messages.ts';

const publicCommandNames = ['start', 'help', 'language', 'cancel', 'reminders', 'forget'] as const;

export function publicCommands(translator: Translator, locale: SupportedLocale): BotCommand[] {
  return publicCommandNames.map((command) => ({
    command,
    description: translator.bot(locale, `bot-command-${command}` satisfies BotMessageKey),
  }));
}

export function publicCommandsByLocale(translator: Translator): Record<SupportedLocale, BotCommand[]> {
  return Object.fromEntries(
    supportedLocales.map((locale) => [locale, publicCommands(translator, locale)]),
  ) as Record<SupportedLocale, BotCommand[]>;
}
