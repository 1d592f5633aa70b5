/**
 * The grammY context the adapter works with: grammY's own, plus the update's logger and the
 * booking session that the session middleware loads for the user behind the update.
 */
import { Context } from 'grammy';
import type { State } from '../booking/index.ts';
import { type SupportedLocale, supportedLocales } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Delivery } from './delivery.ts';
import type { UserProfile } from './user-store.ts';

export interface BookingSession {
  readonly userId: number;
  /** The conversation state; replaced after every transition (and saved at once). */
  state: State;
  /** Stored with the state: what the prospect saw, which update was applied. */
  delivery: Delivery;
  /** This update is a redelivery of one whose handling died with its process: carry it on, never apply it twice. */
  interrupted: boolean;
  /** The conversation stored this update as applied (else the de-duplication does, after handling). */
  recorded: boolean;
  /** The long-lived part: lead id and chosen language. */
  profile: UserProfile;
  /** The locale to speak now: chosen language, else Telegram's, else the default. */
  locale: SupportedLocale;
}

export interface BookingFlavor {
  /** Set by the session middleware for updates that come from a user; absent otherwise. */
  booking?: BookingSession;
}

export interface LogFlavor {
  /**
   * The update's logger: a child of the bot's, so every line carries the update's `updateId`. Made
   * once per update by the first middleware (src/bot/middlewares/update-logger.ts), or with the
   * context of a timed event (src/bot/later.ts).
   */
  log: Logger;
}

export type BotContext = Context & LogFlavor & BookingFlavor;

/**
 * The context the bot makes for each update: grammY's, with the update's logger on the class (a
 * child of the bot's, made on first use: most updates log nothing past the level) instead of an
 * accessor defined on each context, which cost about 2 µs per update and left every context with a
 * shape of its own.
 */
export class TrialgramContext extends Context implements LogFlavor, BookingFlavor {
  declare booking?: BookingSession;
  #makeLog: (() => Logger) | undefined;
  #log: Logger | undefined;

  /** Logs through the logger `makeLog` makes, once, when the update first logs. */
  logThrough(makeLog: () => Logger): void {
    this.#makeLog = makeLog;
    this.#log = undefined;
  }

  get log(): Logger {
    if (this.#log === undefined) {
      if (this.#makeLog === undefined) throw new Error('the context has no logger yet');
      this.#log = this.#makeLog();
    }
    return this.#log;
  }
}

/** The user's Telegram app language, when trialgram speaks it. */
export function telegramLocale(languageCode: string | undefined): SupportedLocale | undefined {
  const code = languageCode?.slice(0, 2).toLowerCase();
  return supportedLocales.find((locale) => locale === code);
}

/** The language to answer this update in: the session's, else the Telegram app's, else the default. */
export function localeOf(ctx: BotContext, defaultLocale: SupportedLocale): SupportedLocale {
  return ctx.booking?.locale ?? telegramLocale(ctx.from?.language_code) ?? defaultLocale;
}

export function chooseLocale(
  profile: UserProfile,
  languageCode: string | undefined,
  defaultLocale: SupportedLocale,
): SupportedLocale {
  return profile.locale ?? telegramLocale(languageCode) ?? defaultLocale;
}
