/**
 * Runs the booking flow for one user event: transition, save, carry out the effects in order,
 * execute the studio call and feed its outcome back, until no call is left. This is where the
 * pure flow (src/booking/) meets Telegram, the studio and the stores.
 *
 * Delivery: each new state is saved before its messages are sent or its call is made, marked as
 * not yet seen; once its messages are sent, the row says the prospect saw that revision and that
 * this update was applied (the update's last write). After a crash in between, the prospect's next
 * message is not taken as an answer to a question they never saw (the flow asks it again), and a
 * redelivery of the update carries it on (`resume`) instead of applying it twice.
 */
import {
  type ApiCall,
  type ApiCallName,
  type BookingEvent,
  bookingRefOf,
  type FlowContext,
  type ReminderEvent,
  type TimerEvent,
  transition,
  type UserEvent,
} from '../booking/index.ts';
import type { Metrics } from '../metrics.ts';
import type { ReminderScheduler, ReminderSettings } from '../reminders/index.ts';
import type { StaffNotifier } from '../staff/notices.ts';
import { type BotContext, chooseLocale } from './context.ts';
import { followDelivery } from './delivery.ts';
import { describeError } from './errors.ts';
import { funnelStages } from './funnel.ts';
import type { Translator } from './i18n.ts';
import { createReplies, type Shown } from './replies.ts';
import type { StudioCalls } from './studio-calls.ts';
import { createTypingIndicator, defaultTypingDelayMs } from './typing.ts';
import { leadAt, type UserStore, withLeadAt } from './user-store.ts';

/** One studio of a chain, as the conversation talks to it. */
export interface ConversationStudio {
  calls: StudioCalls;
  privacyUrl?: string | undefined;
  timeZone: string;
  /** Its staff chat's notifier (`staffChatId`, else `STAFF_CHAT_ID`). */
  notifier?: StaffNotifier | undefined;
}

export interface ConversationDeps {
  studio: StudioCalls;
  userStore: UserStore;
  translator: Translator;
  metrics: Metrics;
  notifier?: StaffNotifier | undefined;
  now: () => number;
  defaultLocale: FlowContext['locale'];
  privacyUrl?: string | undefined;
  fallbackTimeZone: string;
  phoneRegion?: string | undefined;
  minAgeYears?: number | undefined;
  /** Feeds `event` back into this user's conversation after `afterMs` (see src/bot/later.ts). */
  later?: ((ctx: BotContext, afterMs: number, event: TimerEvent) => void) | undefined;
  /** After how long a studio call shows "typing…" (default 1 s). */
  typingDelayMs?: number | undefined;
  /** Whether each transition gets a debug line (LOG_LEVEL=debug); the line goes to `ctx.log`. */
  logTransitions?: (() => boolean) | undefined;
  /** Where bookings' reminders go (REMINDERS, CONFIRMATION_REMINDERS); absent: none are planned. */
  reminders?: { settings: ReminderSettings; scheduler: ReminderScheduler } | undefined;
  /**
   * A chain of several studios (first the default): each conversation talks to the studio its
   * state names (`state.studio`, absent: the first); `studio`, `privacyUrl`, `notifier` and
   * `fallbackTimeZone` above are the single studio's.
   */
  chain?: { ids: readonly string[]; studio(studioId: string | undefined): ConversationStudio } | undefined;
}

export interface Conversation {
  /**
   * Handles one user event (or a timer's event) for the update's user. Needs the session
   * middleware before it.
   */
  handle(ctx: BotContext, event: UserEvent | TimerEvent | ReminderEvent): Promise<void>;
}

/**
 * A booking makes about five studio calls in a row; far more in one update means the flow and the
 * studio keep answering each other in a circle, which must not run forever.
 */
const maxTransitionsPerUpdate = 20;

export function createConversation(deps: ConversationDeps): Conversation {
  const { userStore, translator, metrics } = deps;

  return {
    async handle(ctx, userEvent) {
      const session = ctx.booking;
      const from = ctx.from;
      if (!session || !from) return;
      // ctx.log is made on first use: the hot path only touches it when a line will be written.
      const debug = deps.logTransitions?.() ?? false;
      const replies = createReplies(ctx, translator);
      const typing = createTypingIndicator(
        () => ctx.replyWithChatAction('typing'),
        deps.typingDelayMs ?? defaultTypingDelayMs,
      );
      const { chain } = deps;
      // A studio the chain no longer has: the conversation goes on at the first.
      if (session.state.studio !== undefined && !chain?.ids.includes(session.state.studio)) {
        const { studio: _gone, ...rest } = session.state;
        session.state = rest;
      }
      const here = (): ConversationStudio =>
        chain?.studio(session.state.studio) ?? {
          calls: deps.studio,
          privacyUrl: deps.privacyUrl,
          timeZone: deps.fallbackTimeZone,
          notifier: deps.notifier,
        };
      /**
       * A notice about a recorded booking goes to the staff of the booking's studio (a reminder
       * tap or lapse of a booking made at another studio of the chain); else to the conversation's.
       */
      const noticeSite = (bookingId: number | undefined, studio?: string | null): ConversationStudio => {
        if (chain && studio !== undefined) {
          return studio === null || chain.ids.includes(studio) ? chain.studio(studio ?? undefined) : here();
        }
        const records = session.state.bookings.filter((b) => b.bookingId === bookingId);
        const [record] = records;
        if (!chain || !record || records.some((b) => b.studio === session.state.studio)) return here();
        return record.studio === undefined || chain.ids.includes(record.studio)
          ? chain.studio(record.studio)
          : here();
      };
      const informed = new Map<string, FlowContext['studio']>();
      const delivery = followDelivery(session.delivery, session.state, ctx.message);
      const save = async (done: boolean) => {
        session.delivery = delivery.stored(ctx.update.update_id, done);
        await userStore.saveState(session.userId, session.state, session.delivery, { last: done });
      };

      // Reminders are a courtesy: a scheduler failure is logged and never stops the booking's update.
      const withReminders = async (
        what: string,
        task: (scheduler: ReminderScheduler) => Promise<unknown>,
      ) => {
        const scheduler = deps.reminders?.scheduler;
        if (!scheduler) return;
        try {
          await task(scheduler);
        } catch (error) {
          ctx.log.error({ effect: what, error: describeError(error) }, 'reminder scheduler failed');
        }
      };

      const flowContext = async (): Promise<FlowContext> => {
        const studioKey = session.state.studio ?? '';
        const site = here();
        if (!informed.has(studioKey)) informed.set(studioKey, await site.calls.studioInformation());
        const lead = leadAt(session.profile, session.state.studio);
        return {
          now: deps.now(),
          locale: session.locale,
          user: { id: from.id, firstName: from.first_name, lastName: from.last_name },
          knownLeadId: lead.leadId,
          leadWithoutId: lead.leadWithoutId,
          privacyUrl: site.privacyUrl,
          reminders: deps.reminders?.settings,
          remindersOff: session.profile.remindersOff,
          buttonOnOwnMessage: buttonOnOwnMessage(ctx),
          studio: informed.get(studioKey),
          ...(chain ? { studioIds: chain.ids } : {}),
          fallbackTimeZone: site.timeZone,
          phoneRegion: deps.phoneRegion,
          minAgeYears: deps.minAgeYears,
          ...delivery.seen(session.state),
        };
      };

      try {
        let event: BookingEvent | undefined = session.interrupted ? { type: 'resume' } : userEvent;
        /** The call whose outcome `event` is (none: the update's own event). */
        let answered: ApiCall | undefined;
        for (let round = 1; event; round++) {
          if (round > maxTransitionsPerUpdate) {
            ctx.log.error({ step: session.state.step.name }, 'too many transitions for one update');
            break;
          }
          const before = session.state;
          const { state, effects, shown } = transition(before, event, await flowContext());
          session.state = state;
          // Saved before anything else happens, so a crash during a studio call resumes from here,
          // and a crash before the question is sent leaves it marked unseen. A read that only
          // leads to the next read needs no write of its own: after a crash the row's earlier step
          // of this update (saved before the first call) resumes, and makes those reads again.
          const onlyReadsSinceSaved =
            answered !== undefined &&
            readOnlyCalls.has(answered.name) &&
            effects.every((effect) => effect.type === 'call' && readOnlyCalls.has(effect.call.name));
          if (
            (state !== before || effects.some((effect) => effect.type === 'call')) &&
            !onlyReadsSinceSaved
          ) {
            await save(false);
          }
          for (const stage of funnelStages(before, event, state, effects)) metrics.funnel(stage);

          let call: ApiCall | undefined;
          let sent = true;
          let newest: Shown;
          const shownAs = (message: Shown) => {
            if (message === undefined) sent = false;
            else if (newest === undefined || message.messageId > newest.messageId) newest = message;
          };
          for (const effect of effects) {
            switch (effect.type) {
              case 'reply':
                shownAs(await replies.reply(effect.view, session.locale));
                break;
              case 'edit':
                shownAs(await replies.edit(effect.view, session.locale));
                break;
              case 'answerCallback':
                await replies.answerCallback(session.locale, effect.text, effect.alert);
                break;
              case 'clearKeyboard':
                await replies.clearKeyboard();
                break;
              case 'sendCalendar':
                shownAs(
                  await replies.sendCalendar(effect.ics, effect.filename, effect.caption, session.locale),
                );
                break;
              case 'sendVenue':
                await replies.sendVenue(effect.venue);
                break;
              case 'rememberLead':
                session.profile = withLeadAt(session.profile, session.state.studio, {
                  leadId: effect.leadId,
                });
                await userStore.saveProfile(session.userId, session.profile);
                break;
              case 'rememberLeadWithoutId':
                session.profile = withLeadAt(session.profile, session.state.studio, { leadWithoutId: true });
                await userStore.saveProfile(session.userId, session.profile);
                break;
              case 'forgetUser':
                await userStore.forget(session.userId);
                await withReminders('forgetUser', (s) => s.cancelUser(session.userId));
                session.profile = {};
                session.locale = chooseLocale({}, from.language_code, deps.defaultLocale);
                // The fresh state (its revision moved on, so no old button matches it) is the
                // update's last write.
                break;
              case 'setLocale':
                session.profile = { ...session.profile, locale: effect.locale };
                session.locale = effect.locale;
                await userStore.saveProfile(session.userId, session.profile);
                break;
              case 'forgetLead': {
                session.profile = withLeadAt(session.profile, session.state.studio, { leadId: undefined });
                await userStore.saveProfile(session.userId, session.profile);
                break;
              }
              case 'scheduleReminders':
                // The state that records the booking is saved above; scheduling is idempotent.
                await withReminders(effect.type, (s) => s.schedule(effect.reminders));
                break;
              case 'cancelReminders': {
                // Without its record the booking's studio is unknown: its reminders at any studio.
                const studios = effect.anyStudio ? [undefined, ...(deps.chain?.ids ?? [])] : [effect.studio];
                await withReminders(effect.type, async (s) => {
                  for (const studio of studios) {
                    await s.cancelBooking(
                      session.userId,
                      bookingRefOf(effect.bookingId, studio),
                      effect.kinds,
                    );
                  }
                });
                break;
              }
              case 'bookingConfirmed':
                await withReminders(effect.type, (s) =>
                  s.bookingConfirmed(session.userId, bookingRefOf(effect.bookingId, effect.studio)),
                );
                break;
              case 'setReminders': {
                const { remindersOff: _was, ...rest } = session.profile;
                session.profile = effect.enabled ? rest : { ...rest, remindersOff: true };
                await userStore.saveProfile(session.userId, session.profile);
                if (!effect.enabled) await withReminders(effect.type, (s) => s.cancelUser(session.userId));
                break;
              }
              case 'later':
                deps.later?.(ctx, effect.afterMs, effect.event);
                break;
              case 'notifyStaff':
                noticeSite(effect.notice.bookingId, effect.studio).notifier?.notify(effect.notice);
                break;
              case 'call':
                call = effect.call;
                break;
            }
          }
          delivery.transitioned(before, state, shown === true, sent, newest);
          if (debug) {
            ctx.log.debug(
              { event: event.type, step: state.step.name, call: call?.name },
              'booking transition',
            );
          }
          answered = call;
          event = call ? await typing.during(here().calls.execute(call, session.locale)) : undefined;
        }
        await save(true);
        session.recorded = true;
      } finally {
        await replies.answerPendingCallback();
      }
    },
  };
}

/**
 * Studio calls that change nothing there: made again after a crash, they only answer again. A
 * lead creation, a booking or a confirmation must be saved as under way before it is made.
 */
const readOnlyCalls: ReadonlySet<ApiCallName> = new Set<ApiCallName>([
  'offers',
  'config',
  'classSlots',
  'appointmentSlots',
  'leadValidate',
  'classBookingValidate',
  'appointmentBookingValidate',
]);

/** Whether the tapped button is on the message Telegram names as the one it was tapped on. */
function buttonOnOwnMessage(ctx: BotContext): boolean {
  const query = ctx.callbackQuery;
  const message = query?.message;
  if (!query?.data || !message || message.date === 0 || ctx.chat?.type !== 'private') return false;
  if (!('reply_markup' in message) || !message.reply_markup) return false;
  return message.reply_markup.inline_keyboard.some((row) =>
    row.some((button) => 'callback_data' in button && button.callback_data === query.data),
  );
}
