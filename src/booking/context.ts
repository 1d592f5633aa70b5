/**
 * What the flow needs to know besides its state and the event: the clock, who is talking, and
 * facts the adapter keeps elsewhere (the lead store, the shared studio cache, configuration).
 */
import type { SupportedLocale } from '../config.ts';
import type { StudioInformation } from '../perfectgym/schemas.ts';
import type { ReminderSettings } from '../reminders/reminder.ts';

export interface FlowContext {
  /**
   * The studios of a chain, first the default (`STUDIOS_FILE`); absent or one: a single studio,
   * and a deep link's studio part is not looked at.
   */
  studioIds?: readonly string[] | undefined;
  /** Epoch milliseconds. */
  now: number;
  locale: SupportedLocale;
  user: { id: number; firstName: string; lastName?: string | undefined };
  /** The lead id remembered for this Telegram user (from an earlier `rememberLead`). */
  knownLeadId?: number | undefined;
  /** The studio holds a lead of this user's whose id the bot never learned (`rememberLeadWithoutId`). */
  leadWithoutId?: boolean | undefined;
  /** REMINDERS and CONFIRMATION_REMINDERS; absent: a booking gets no reminders. */
  reminders?: ReminderSettings | undefined;
  /** The user switched reminders off (`/reminders`, "No more reminders"). */
  remindersOff?: boolean | undefined;
  /**
   * The tapped button is one the bot put on a message in this user's own chat (Telegram sends the
   * message along; a forged payload matches no button on it). Reminder buttons rely on it once the
   * conversation that recorded their booking has expired.
   */
  buttonOnOwnMessage?: boolean | undefined;
  /** Shown in the consent line of the summary. */
  privacyUrl?: string | undefined;
  /** The studio's name and contact data, from the shared cache; absent while it cannot be loaded. */
  studio?: StudioInformation | undefined;
  /**
   * The studio's zone until a slot tells it (slots carry `[Europe/Berlin]`); used for "today" in
   * the first appointment window and for dates of birth.
   */
  fallbackTimeZone: string;
  /**
   * `DEFAULT_PHONE_REGION`: where national phone numbers are read, instead of the studio's own
   * country (`studio.countryCode`); see `phoneRegionOf`.
   */
  phoneRegion?: string | undefined;
  /** `MIN_AGE`: the youngest age a date of birth may give; `defaultMinAgeYears` when absent. */
  minAgeYears?: number | undefined;
  /**
   * `false`: the prospect has not seen the current step (the process died before its question was
   * sent, or sending failed). A message is then not taken as an answer: the question is sent again,
   * or a waiting step's studio call is resumed. Absent: it was seen.
   */
  promptDelivered?: boolean | undefined;
  /**
   * The message was written before the current question reached the prospect, which it has since
   * (it was sent again after a crash): it answers nothing, and the question is already on screen.
   */
  messageBeforePrompt?: boolean | undefined;
}
