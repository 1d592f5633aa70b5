/**
 * The reminder scheduler's `deliver`: renders a due reminder when it is sent (from its small
 * payload, the prospect's language of that moment and the studio's current address) and sends it
 * through an Api without auto-retry, so Telegram's 429 reaches the scheduler, which pauses every
 * sender. It reads the prospect's stored booking to say nothing that is no longer true (confirmed
 * meanwhile, lapsed, "can't make it"), and hands a sent lapse notice back to the conversation,
 * which records it and tells staff.
 */
import type { Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { bookingOfRef, bookingRefOf, reminderView } from '../booking/flow-reminders.ts';
import type { BookingRecord, FlowContext, ReminderEvent } from '../booking/index.ts';
import type { SupportedLocale } from '../config.ts';
import type { Logger } from '../logger.ts';
import { type Deliver, type DueReminder, deliveryResultOf } from '../reminders/index.ts';
import { describeError } from './errors.ts';
import type { Translator } from './i18n.ts';
import { renderView } from './render.ts';
import type { UserStore } from './user-store.ts';

export interface ReminderDeliveryOptions {
  /** Without @grammyjs/auto-retry, with a Bot API timeout. */
  api: Pick<Api, 'sendMessage' | 'sendVenue'>;
  userStore: Pick<UserStore, 'loadProfile' | 'loadState'>;
  translator: Translator;
  defaultLocale: SupportedLocale;
  /**
   * The name and address of the booking's studio (`studio`: a chain studio's id, absent: the
   * first), from the shared cache; undefined while it cannot be loaded.
   */
  studioInformation: (studio: string | undefined) => Promise<FlowContext['studio']>;
  /** Feeds the event into this user's conversation (chat lock, session), as an update would. */
  feed: (userId: number, chatId: number, event: ReminderEvent) => Promise<void>;
  logger: Logger;
}

/** Whether what the reminder says is still true of the booking as the bot last recorded it. */
function stillTrue(reminder: DueReminder, record: BookingRecord | undefined): boolean {
  if (!record) return true;
  switch (reminder.kind) {
    case 'confirmation_nudge':
      return record.status === 'BOOKED_WITH_CONFIRMATION_REQUIRED';
    case 'lapse_notice':
      return record.status === 'BOOKED_WITH_CONFIRMATION_REQUIRED';
    case 'slot_reminder':
      return record.attendance !== 'no' && record.status !== 'EXPIRED' && record.status !== 'CANCELED';
  }
}

export function createReminderDelivery(options: ReminderDeliveryOptions): Deliver {
  const { api, userStore, translator, logger } = options;
  return async (reminder) => {
    const { profile } = await userStore.loadProfile(reminder.userId);
    if (profile.remindersOff) return { status: 'skipped' };
    const { state } = await userStore.loadState(reminder.userId);
    const record =
      state.bookings.find((b) => bookingRefOf(b.bookingId, b.studio) === reminder.bookingRef) ??
      // Scheduled by a release whose references were the bare booking id at every studio.
      state.bookings.find((b) => String(b.bookingId) === reminder.bookingRef);
    if (!stillTrue(reminder, record)) return { status: 'skipped' };
    const locale = profile.locale ?? options.defaultLocale;
    const { studio } = reminder.payload;
    const information = await options.studioInformation(typeof studio === 'string' ? studio : undefined);
    const shown = reminderView(reminder, locale, information);
    if (!shown) {
      logger.warn({ reminderId: reminder.id }, 'reminder payload unreadable; not sent');
      return { status: 'skipped' };
    }
    const { text, replyMarkup } = renderView(shown.view, locale, translator);
    try {
      await api.sendMessage(reminder.chatId, text, {
        ...(replyMarkup ? { reply_markup: replyMarkup as InlineKeyboardMarkup } : {}),
      });
    } catch (error) {
      return deliveryResultOf(error);
    }
    const { venue } = shown;
    if (venue) {
      // The reminder itself went out; a lost pin is not worth sending the reminder twice.
      await api
        .sendVenue(reminder.chatId, venue.latitude, venue.longitude, venue.title, venue.address)
        .catch((error: unknown) =>
          logger.warn({ reminderId: reminder.id, error: describeError(error) }, 'reminder venue not sent'),
        );
    }
    if (reminder.kind === 'lapse_notice') {
      const booking = bookingOfRef(reminder.bookingRef);
      await options.feed(reminder.userId, reminder.chatId, {
        type: 'lapsed',
        bookingId: booking?.bookingId ?? Number.NaN,
        ...(booking?.studio === undefined ? {} : { studio: booking.studio }),
        offer: typeof reminder.payload.offer === 'string' ? reminder.payload.offer : '',
        slotStartAt: reminder.slotStartAt,
      });
    }
    return { status: 'sent' };
  };
}
