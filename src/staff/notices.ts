/**
 * Booking notices for the studio's staff chat (`STAFF_CHAT_ID`): who booked what, when, and
 * through which campaign link. A notice is a courtesy to the staff, never part of the prospect's
 * booking: `notify` returns at once, failed sends are retried in the background, and a notice
 * that cannot be delivered is dropped with an error log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LostAnswerResolution, StaffNotice } from '../booking/effects.ts';
import { isolated, type LeadFieldName } from '../booking/lead-fields.ts';
import { describeErrorInOneLine } from '../bot/errors.ts';
import type { Logger } from '../logger.ts';
import { formatInZone, parseZonedDateTime } from '../perfectgym/datetime.ts';
import { escapeHtml, type StaffMessageKey, type Translate } from './messages.ts';

export type { Translate } from './messages.ts';

const headlines: Record<StaffNotice['kind'], StaffMessageKey> = {
  leadCreated: 'staff-notice-lead-created',
  booked: 'staff-notice-booked',
  confirmed: 'staff-notice-confirmed',
  expired: 'staff-notice-expired',
  cantMake: 'staff-notice-cant-make',
  bookingUnknown: 'staff-notice-booking-unknown',
  leadUnknown: 'staff-notice-lead-unknown',
  confirmUnknown: 'staff-notice-confirm-unknown',
};

const resolutions: Record<LostAnswerResolution, StaffMessageKey> = {
  found: 'staff-notice-booking-found',
  notMade: 'staff-notice-not-made',
  unclear: 'staff-notice-unclear',
  unchecked: 'staff-notice-unchecked',
};

const fieldNames: Record<LeadFieldName, StaffMessageKey> = {
  firstName: 'staff-field-first-name',
  lastName: 'staff-field-last-name',
  email: 'staff-field-email',
  gender: 'staff-field-gender',
  dateOfBirth: 'staff-field-date-of-birth',
  telephone: 'staff-field-telephone',
  street: 'staff-field-street',
  houseNumber: 'staff-field-house-number',
  zipCode: 'staff-field-zip-code',
  city: 'staff-field-city',
};

/**
 * "2026-06-22 18:30 (Europe/Berlin)": the slot in the studio's time, which is what staff see on
 * their schedule. A zone in the slot itself wins over `zone`, as everywhere in trialgram.
 */
function studioTime(slotStart: string, zone: string): string {
  const parsed = parseZonedDateTime(slotStart);
  if (!parsed) return slotStart;
  const slotZone = parsed.zone ?? zone;
  return `${formatInZone(parsed.epochMs, slotZone, 'yyyy-MM-dd HH:mm')} (${slotZone})`;
}

/**
 * The notice as HTML for `parse_mode: 'HTML'`: what happened, the offer, the slot in studio
 * time, the lead's name, the names (never the values) of the fields given, the campaign tag, the
 * booking status and the ids staff look up in the studio software.
 */
export function formatStaffNotice(notice: StaffNotice, t: Translate, zone: string, studio?: string): string {
  const lines = [`<b>${escapeHtml(t(headlines[notice.kind]))}</b>`];
  const add = (key: StaffMessageKey, args?: Record<string, string | number>) => lines.push(t(key, args));
  // In a chain several studios may share one staff chat: each notice says whose it is.
  if (studio !== undefined) add('staff-notice-studio', { studio: `<code>${escapeHtml(studio)}</code>` });

  if (notice.offerTitle !== undefined || notice.offerId !== undefined) {
    const offer = escapeHtml(notice.offerTitle ?? `#${notice.offerId}`);
    if (notice.offerType !== undefined && notice.offerId !== undefined) {
      add(`staff-notice-offer-${notice.offerType}`, { offer, id: String(notice.offerId) });
    } else {
      add('staff-notice-offer-unknown', { offer });
    }
  }
  if (notice.slotStart) add('staff-notice-slot', { slot: escapeHtml(studioTime(notice.slotStart, zone)) });
  // Typed by the prospect (bidi controls already stripped); isolated so it cannot turn the line.
  if (notice.name) add('staff-notice-name', { name: escapeHtml(isolated(notice.name)) });
  if (notice.givenFields && notice.givenFields.length > 0) {
    const fields = notice.givenFields.map((field) => escapeHtml(t(fieldNames[field]))).join(', ');
    add('staff-notice-fields', { fields });
  }
  if (notice.campaign) {
    add('staff-notice-campaign', { campaign: `<code>${escapeHtml(notice.campaign)}</code>` });
  } else if (notice.kind === 'leadCreated' || notice.kind === 'booked') {
    // Only where the flow knows how the prospect came: a later confirmation may have lost it.
    add('staff-notice-no-campaign');
  }
  if (notice.status) add('staff-notice-status', { status: `<code>${escapeHtml(notice.status)}</code>` });
  if (notice.leadId !== undefined) add('staff-notice-lead-id', { id: String(notice.leadId) });
  if (notice.bookingId !== undefined) add('staff-notice-booking-id', { id: String(notice.bookingId) });
  if (notice.telegramUserId !== undefined) {
    add('staff-notice-telegram-user', { id: `<code>${notice.telegramUserId}</code>` });
  }
  if (notice.email) add('staff-notice-email', { email: escapeHtml(notice.email) });
  if (notice.attempt) add('staff-notice-attempt', { id: `<code>${escapeHtml(notice.attempt)}</code>` });
  if (notice.resolution) {
    const found = notice.kind === 'leadUnknown' && notice.resolution === 'found';
    add(found ? 'staff-notice-lead-found' : resolutions[notice.resolution]);
  }
  if (notice.kind === 'confirmUnknown') add('staff-notice-confirm-check');
  return lines.join('\n');
}

export interface StaffMessageOptions {
  parse_mode: 'HTML';
  link_preview_options: { is_disabled: boolean };
}

export interface StaffNotifierOptions {
  /** e.g. `(chatId, text, other) => bot.api.sendMessage(chatId, text, other)`. */
  sendMessage: (chatId: number, text: string, other: StaffMessageOptions) => Promise<unknown>;
  chatId: number;
  /** Translations in the staff chat's language. */
  t: Translate;
  /** The studio's time zone, for slots that do not carry their own. */
  zone: string;
  /** In a chain: the studio's id (its key in STUDIOS_FILE), named in every notice. */
  studio?: string | undefined;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Further attempts after a failed send. Default 3. */
  retries?: number;
  /** Wait before the first retry; doubles with each further one. Default 1000. */
  retryDelayMs?: number;
}

export interface StaffNotifier {
  /** Queues the notice and returns at once; never throws. */
  notify(notice: StaffNotice): void;
  /** Resolves when every queued notice is delivered or given up (tests, shutdown). */
  flush(): Promise<void>;
}

/** Telegram's answer for a send that will fail the same way however often it is repeated. */
function isPermanent(error: unknown): boolean {
  const code = (error as { error_code?: unknown } | undefined)?.error_code;
  return code === 400 || code === 401 || code === 403 || code === 404;
}

function retryAfterMs(error: unknown): number {
  const seconds = (error as { parameters?: { retry_after?: unknown } } | undefined)?.parameters?.retry_after;
  return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : 0;
}

/** Sends staff notices in the background; see the module comment. */
export function createStaffNotifier(options: StaffNotifierOptions): StaffNotifier {
  const { sendMessage, chatId, t, zone, studio, logger } = options;
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const pending = new Set<Promise<void>>();
  const messageOptions: StaffMessageOptions = {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  };

  async function deliver(text: string, context: Record<string, unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sendMessage(chatId, text, messageOptions);
        return;
      } catch (error) {
        const failure = { ...context, attempt, error: describeErrorInOneLine(error) };
        if (isPermanent(error) || attempt > retries) {
          logger.error(
            failure,
            'staff notice dropped: the staff chat could not be reached (check STAFF_CHAT_ID)',
          );
          return;
        }
        logger.warn(failure, 'staff notice failed, retrying');
        await sleep(Math.max(retryDelayMs * 2 ** (attempt - 1), retryAfterMs(error)));
      }
    }
  }

  return {
    notify(notice) {
      // Ids only: the name in the notice is personal data.
      const context = { notice: notice.kind, leadId: notice.leadId, bookingId: notice.bookingId };
      let text: string;
      try {
        text = formatStaffNotice(notice, t, zone, studio);
      } catch (error) {
        logger.error(
          { ...context, error: describeErrorInOneLine(error) },
          'staff notice could not be formatted',
        );
        return;
      }
      const delivery = deliver(text, context).finally(() => pending.delete(delivery));
      pending.add(delivery);
    },
    async flush() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
