/**
 * Runs the booking flow for one user event: transition, save, carry out the effects in order,
 * execute the studio call and feed its outcome back, until no call is left. This is where the
 * pure flow (src/booking/) meets Telegram, the studio and the stores.
 */
import {
  type ApiCall,
  type BookingEvent,
  type FlowContext,
  transition,
  type UserEvent,
} from '../booking/index.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { StaffNotifier } from '../staff/notices.ts';
import { type BotContext, chooseLocale } from './context.ts';
import { funnelStages } from './funnel.ts';
import type { Translator } from './i18n.ts';
import { createReplies } from './replies.ts';
import type { StudioCalls } from './studio-calls.ts';
import { createTypingIndicator, defaultTypingDelayMs } from './typing.ts';
import type { UserStore } from './user-store.ts';

export interface ConversationDeps {
  studio: StudioCalls;
  userStore: UserStore;
  translator: Translator;
  metrics: Metrics;
  logger: Logger;
  notifier?: StaffNotifier | undefined;
  now: () => number;
  defaultLocale: FlowContext['locale'];
  privacyUrl?: string | undefined;
  fallbackTimeZone: string;
  phoneRegion?: string | undefined;
  minAgeYears?: number | undefined;
  /** After how long a studio call shows "typing…" (default 1 s). */
  typingDelayMs?: number | undefined;
}

export interface Conversation {
  /** Handles one user event for the update's user. Needs the session middleware before it. */
  handle(ctx: BotContext, event: UserEvent): Promise<void>;
}

/**
 * A booking makes about five studio calls in a row; far more in one update means the flow and the
 * studio keep answering each other in a circle, which must not run forever.
 */
const maxTransitionsPerUpdate = 20;

export function createConversation(deps: ConversationDeps): Conversation {
  const { userStore, translator, metrics, logger } = deps;

  return {
    async handle(ctx, userEvent) {
      const session = ctx.booking;
      const from = ctx.from;
      if (!session || !from) return;
      const updateId = ctx.update.update_id;
      const replies = createReplies(ctx, translator, logger);
      const typing = createTypingIndicator(
        () => ctx.replyWithChatAction('typing'),
        deps.typingDelayMs ?? defaultTypingDelayMs,
      );
      let studio: FlowContext['studio'] | null = null;

      const flowContext = async (): Promise<FlowContext> => {
        if (studio === null) studio = await deps.studio.studioInformation();
        return {
          now: deps.now(),
          locale: session.locale,
          user: { id: from.id, firstName: from.first_name, lastName: from.last_name },
          knownLeadId: session.profile.leadId,
          privacyUrl: deps.privacyUrl,
          studio,
          fallbackTimeZone: deps.fallbackTimeZone,
          phoneRegion: deps.phoneRegion,
          minAgeYears: deps.minAgeYears,
        };
      };

      try {
        let event: BookingEvent | undefined = userEvent;
        for (let round = 1; event; round++) {
          if (round > maxTransitionsPerUpdate) {
            logger.error({ updateId, step: session.state.step.name }, 'too many transitions for one update');
            break;
          }
          const before = session.state;
          const { state, effects } = transition(before, event, await flowContext());
          session.state = state;
          // Saved before anything else happens, so a crash during a studio call resumes from here.
          await userStore.saveState(session.userId, state);
          for (const stage of funnelStages(before, event, state, effects)) metrics.funnel(stage);

          let call: ApiCall | undefined;
          for (const effect of effects) {
            switch (effect.type) {
              case 'reply':
                await replies.reply(effect.view, session.locale);
                break;
              case 'edit':
                await replies.edit(effect.view, session.locale);
                break;
              case 'answerCallback':
                await replies.answerCallback(session.locale, effect.text, effect.alert);
                break;
              case 'clearKeyboard':
                await replies.clearKeyboard();
                break;
              case 'sendCalendar':
                await replies.sendCalendar(effect.ics, effect.filename, effect.caption, session.locale);
                break;
              case 'sendVenue':
                await replies.sendVenue(effect.venue);
                break;
              case 'rememberLead':
                session.profile = { ...session.profile, leadId: effect.leadId };
                await userStore.saveProfile(session.userId, session.profile);
                break;
              case 'forgetUser':
                await userStore.forget(session.userId);
                session.profile = {};
                session.locale = chooseLocale({}, from.language_code, deps.defaultLocale);
                // The fresh state keeps the revision moving, so no old button matches it.
                await userStore.saveState(session.userId, session.state);
                break;
              case 'setLocale':
                session.profile = { ...session.profile, locale: effect.locale };
                session.locale = effect.locale;
                await userStore.saveProfile(session.userId, session.profile);
                break;
              case 'notifyStaff':
                deps.notifier?.notify(effect.notice);
                break;
              case 'call':
                call = effect.call;
                break;
            }
          }
          logger.debug(
            { updateId, event: event.type, step: state.step.name, call: call?.name },
            'booking transition',
          );
          event = call ? await typing.during(deps.studio.execute(call, session.locale)) : undefined;
        }
      } finally {
        await replies.answerPendingCallback();
      }
    },
  };
}
