/**
 * The grammY adapter: turns Telegram updates into booking events for the flow in src/booking/,
 * and the flow's effects into messages, edits, answers and files. Middleware, in order:
 * give the update its logger (`ctx.log`), count the update, answer store failures, one update per chat at a time, load the user's
 * session, ignore redeliveries (the session's row knows which update it applied); then one
 * composer per feature, the catch-all last.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { Api, Bot, BotError, Composer, type Transformer } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { type SupportedLocale, supportedLocales } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { PerfectGymClient } from '../perfectgym/client.ts';
import type { Deliver, ReminderScheduler, ReminderSettings } from '../reminders/index.ts';
import { createLinksFeature, setStaffCommands } from '../staff/links-feature.ts';
import type { Translate } from '../staff/messages.ts';
import { createStaffNotifier, type StaffNotifier } from '../staff/notices.ts';
import type { Stores } from '../store/index.ts';
import type { StudioCatalog } from '../studio/catalog.ts';
import type { StudioRegistry } from '../studio/registry.ts';
import { publicCommandsByLocale } from './command-menu.ts';
import { type BotContext, localeOf, TrialgramContext } from './context.ts';
import { type ConversationStudio, createConversation } from './conversation.ts';
import { describeError, isTelegramError } from './errors.ts';
import { createCallbacksFeature } from './features/callbacks.ts';
import { createCommandsFeature } from './features/commands.ts';
import { createMessagesFeature } from './features/messages.ts';
import { createStartFeature } from './features/start.ts';
import { createStudioPickerFeature } from './features/studio-picker.ts';
import { createUnhandledFeature } from './features/unhandled.ts';
import { sequence } from './features/when.ts';
import { createTranslator } from './i18n.ts';
import { createLaterRuns, runOutsideUpdate } from './later.ts';
import { oneUpdatePerChat } from './middlewares/chat-lock.ts';
import { countUpdates } from './middlewares/count-updates.ts';
import { ignoreRedeliveries } from './middlewares/deduplicate.ts';
import { loadBookingSession } from './middlewares/session.ts';
import { answerStoreFailures } from './middlewares/store-failure.ts';
import { logPerUpdate } from './middlewares/update-logger.ts';
import { createReminderDelivery } from './reminders.ts';
import { createStudioCalls } from './studio-calls.ts';
import { createTelegramTransport } from './telegram-transport.ts';
import { createUserStore } from './user-store.ts';

export type { BookingSession, BotContext } from './context.ts';

export interface BotDependencies {
  token: string;
  apiRoot?: string;
  /** Lets tests skip getMe. */
  botInfo?: UserFromGetMe;
  client: PerfectGymClient;
  catalog: StudioCatalog;
  stores: Stores;
  logger: Logger;
  metrics: Metrics;
  defaultLocale: SupportedLocale;
  privacyUrl?: string;
  adminIds: number[];
  /**
   * A chain's studios: `/links` per studio for its own admins too, and with several studios each
   * conversation books at its own (`client` and `catalog` above are then the first studio's).
   */
  studios?: StudioRegistry;
  /**
   * With several studios, a plain /start asks which one, and /studio switches (default true). The
   * sandbox's demo chain turns it off: its plain /start opens the first studio, as before chains.
   */
  studioPicker?: boolean;
  staffChatId?: number;
  /** Default 'Europe/Berlin'. */
  fallbackTimeZone?: string;
  /** Default Date.now (tests move time with the sandbox clock). */
  now?: () => number;
  /** `DEFAULT_PHONE_REGION`; default: the studio's `countryCode`, else DE. */
  phoneRegion?: string;
  /** `MIN_AGE`; default 14. */
  minAgeYears?: number;
  /**
   * Reminders after the booking: the planning settings and the scheduler to build around the
   * bot's `deliver` (started by `init`, closed first by `close`). Absent: no reminders.
   */
  reminders?: { settings: ReminderSettings; create: (deliver: Deliver) => ReminderScheduler };
}

export interface TrialgramBot {
  /** Run it with @grammyjs/runner `run(bot.bot)` or grammY's `bot.start()`. */
  readonly bot: Bot<BotContext>;
  /** The reminder scheduler, when `reminders` was given (the playground lists and fires it). */
  readonly reminders: ReminderScheduler | undefined;
  /** getMe (unless botInfo was given), then the command menus (public for everybody, /links for admins). */
  init(): Promise<void>;
  /** Webhook entry: the same middleware as polling; never throws. */
  handleUpdate(update: Update): Promise<void>;
  /** The poller's update ids handed out so far: getUpdates answers skip them unparsed. */
  skipUpdatesUpTo(seenUpTo: () => number | undefined): void;
  /** Waits for pending staff notices (shutdown, tests). */
  flush(): Promise<void>;
  /** Shutdown: cancels the flow's pending timers (lockout retries), waits for runs under way, flushes staff notices, then closes the Bot API connections. */
  close(): Promise<void>;
}

/** Telegram's own 429s are waited out up to this long; a user waiting longer has given up anyway. */
const maxTelegramRetryDelaySeconds = 30;
/** A reminder whose send has no answer by then counts as an unknown outcome (tried once more later). */
const reminderSendTimeoutSeconds = 15;

/** Counts every answer of the Bot API that is an error, each attempt of a retried call included. */
function countTelegramErrors(metrics: Metrics): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      const response = await prev(method, payload, signal);
      if (!response.ok) metrics.telegramError(method, response.error_code);
      return response;
    } catch (error) {
      metrics.telegramError(method, 'network');
      throw error;
    }
  };
}

export { allowedUpdates } from './allowed-updates.ts';

/** Builds the bot. Reads the locale files; makes no network call (that is `init`). */
export function createBot(deps: BotDependencies): TrialgramBot {
  const { logger, metrics, stores, defaultLocale } = deps;
  const fallbackTimeZone = deps.fallbackTimeZone ?? 'Europe/Berlin';
  const translator = createTranslator();
  // Keep-alive pools instead of grammY's node-fetch; a call whose connection broke before any
  // answer is sent again on a new one (each such attempt counted as a network error).
  const transport = createTelegramTransport({
    ...(deps.apiRoot ? { apiRoot: deps.apiRoot } : {}),
    onRetry: ({ method, code, attempt }) => {
      metrics.telegramError(method, 'network');
      logger.debug({ method, code, attempt }, 'Bot API call failed before any answer; sending it again');
    },
  });
  const bot = new Bot<BotContext>(deps.token, {
    ContextConstructor: TrialgramContext,
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
    client: { ...(deps.apiRoot ? { apiRoot: deps.apiRoot } : {}), fetch: transport.fetch },
  });
  // The counter first and auto-retry around it, so every attempt of a retried call is counted;
  // inside both, the transport's own way for the calls of every update.
  bot.api.config.use(transport.directJson(deps.token));
  bot.api.config.use(countTelegramErrors(metrics));
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: 3,
      maxDelaySeconds: maxTelegramRetryDelaySeconds,
      // A network failure the transport gave up on goes back to the caller (logged, retried by the
      // runner or the notifier); left to auto-retry it would be retried without limit while holding
      // the chat lock.
      rethrowHttpErrors: true,
    }),
  );

  const staffTranslations =
    (locale: string): Translate =>
    (key, args) =>
      translator.t(locale, key, args);
  const notifierFor = (
    chatId: number | undefined,
    zone: string,
    studio?: string,
  ): StaffNotifier | undefined =>
    chatId === undefined
      ? undefined
      : createStaffNotifier({
          sendMessage: (to, text, other) => bot.api.sendMessage(to, text, other),
          chatId,
          t: staffTranslations(defaultLocale),
          zone,
          studio,
          logger,
        });
  const notifier = notifierFor(deps.staffChatId, fallbackTimeZone);
  const callsOf = (client: PerfectGymClient, catalog: StudioCatalog, studio?: string) =>
    createStudioCalls({
      client,
      catalog,
      onFailure: (call, error, temporary, outcome) =>
        outcome === 'unknown'
          ? logger.warn(
              { call: call.name, studio, outcome, error: describeError(error) },
              'studio call lost its answer: finding out whether it happened',
            )
          : logger.warn(
              { call: call.name, studio, temporary, error: describeError(error) },
              'studio call failed',
            ),
    });
  const chain = deps.studios && deps.studios.ids.length > 1 ? chainOf(deps.studios) : undefined;
  function chainOf(registry: StudioRegistry) {
    const opened = new Map<string, ConversationStudio>();
    return {
      ids: registry.ids,
      notifiers: () => [...opened.values()].flatMap((site) => site.notifier ?? []),
      studio(studioId: string | undefined): ConversationStudio {
        const id = studioId ?? registry.first.id;
        const known = opened.get(id);
        if (known) return known;
        const { config, client, catalog } = registry.studio(id);
        const timeZone = config.timeZone;
        const chatId = config.staffChatId ?? deps.staffChatId;
        const site: ConversationStudio = {
          calls: callsOf(client, catalog, id),
          privacyUrl: config.privacyUrl ?? deps.privacyUrl,
          timeZone,
          notifier: notifierFor(chatId, timeZone, id),
        };
        opened.set(id, site);
        return site;
      },
    };
  }

  // The embedded store has this process as its only writer: its own rows are read back from memory,
  // and an update's last write waits there for the conversation's next one.
  const userStore = createUserStore(stores, {
    onlyWriter: stores.onlyWriter
      ? {
          conversationTtlMs: stores.conversationTtlMs,
          onDeferredWriteFailed: (error) =>
            logger.warn({ error: describeError(error) }, 'deferred conversation write failed, trying again'),
        }
      : undefined,
  });
  const studioCalls = callsOf(deps.client, deps.catalog);
  // Reminders go out on an Api of their own: no auto-retry (a 429 pauses the scheduler, not one
  // send), and a timeout, so a send cannot hang.
  const reminderApi = new Api(deps.token, {
    ...(deps.apiRoot ? { apiRoot: deps.apiRoot } : {}),
    fetch: transport.fetch,
    timeoutSeconds: reminderSendTimeoutSeconds,
  });
  reminderApi.config.use(countTelegramErrors(metrics));
  const scheduler = deps.reminders?.create(
    createReminderDelivery({
      api: reminderApi,
      userStore,
      translator,
      defaultLocale,
      // The booking's own studio while the chain still has it, else the first.
      studioInformation: (studio) =>
        (studio !== undefined && chain?.ids.includes(studio)
          ? chain.studio(studio).calls
          : studioCalls
        ).studioInformation(),
      feed: async (userId, chatId, event) => {
        // Under the id of the user's last update, as a timed event runs (the row keeps telling
        // which update was applied, so a redelivery of it is still recognised).
        const { delivery } = await userStore.loadState(userId);
        await runOutsideUpdate(
          { middleware: outsideUpdates, api: bot.api, me: () => bot.botInfo, logger },
          {
            from: { id: userId, is_bot: false, first_name: '' },
            chat: { id: chatId, type: 'private', first_name: '' },
            updateId: delivery.updateId ?? 0,
          },
          event,
          (ctx, e) => conversation.handle(ctx, e),
        );
      },
      logger,
    }),
  );
  const conversation = createConversation({
    logTransitions: () => logger.isLevelEnabled('debug'),
    studio: studioCalls,
    chain,
    userStore,
    translator,
    metrics,
    notifier,
    now: deps.now ?? Date.now,
    defaultLocale,
    privacyUrl: deps.privacyUrl,
    fallbackTimeZone,
    phoneRegion: deps.phoneRegion,
    minAgeYears: deps.minAgeYears,
    later: (ctx, afterMs, event) => later.schedule(ctx, afterMs, event),
    reminders: deps.reminders && scheduler ? { settings: deps.reminders.settings, scheduler } : undefined,
  });

  const storeFailures = answerStoreFailures({ translator, defaultLocale });
  const chatLock = oneUpdatePerChat(stores.chatLock, { translator, defaultLocale });
  const session = loadBookingSession({ userStore, translator, defaultLocale });
  // A timed event passes what an update passes, redelivery checks aside (it has no update of its own).
  const outsideUpdates = new Composer<BotContext>(storeFailures, chatLock, session).middleware();
  const later = createLaterRuns({
    middleware: outsideUpdates,
    handle: (ctx, event) => conversation.handle(ctx, event),
    api: bot.api,
    me: () => bot.botInfo,
    logger,
  });

  const picker = chain !== undefined && deps.studioPicker !== false;
  bot.use(
    sequence<BotContext>(
      logPerUpdate(logger),
      countUpdates(metrics),
      storeFailures,
      chatLock,
      session,
      ignoreRedeliveries(userStore),
      ...(picker && deps.studios
        ? [createStudioPickerFeature({ chain: deps.studios, conversation, userStore, translator })]
        : []),
      createStartFeature(conversation),
      createCommandsFeature(conversation),
      createLinksFeature<BotContext>({
        adminIds: deps.adminIds,
        catalog: deps.catalog,
        chain: deps.studios,
        botUsername: () => bot.botInfo.username,
        t: staffTranslations,
        localeOf: (ctx) => localeOf(ctx, defaultLocale),
      }),
      createCallbacksFeature(conversation),
      createMessagesFeature(conversation, translator),
      createUnhandledFeature(translator, defaultLocale),
    ),
  );

  bot.catch(async (error) => {
    const { ctx } = error;
    ctx.log.error({ error: describeError(error.error) }, 'update failed');
    if (isTelegramError(error.error) || ctx.chat?.type !== 'private') return;
    // A bug: the user gets a way forward instead of silence. Best effort, it may fail as well.
    const locale = localeOf(ctx, defaultLocale);
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    await ctx.reply(translator.bot(locale, 'bot-unexpected-error')).catch(() => undefined);
  });

  return {
    bot,
    reminders: scheduler,
    async init() {
      await bot.init();
      await scheduler?.start();
      const menus = publicCommandsByLocale(translator, picker);
      try {
        for (const locale of supportedLocales) {
          await bot.api.setMyCommands(menus[locale], { language_code: locale });
        }
        await bot.api.setMyCommands(menus[defaultLocale]);
      } catch (error) {
        // The menu is a convenience: the bot works without it.
        logger.warn({ error: describeError(error) }, 'could not set the command menu');
      }
      // Every studio's staff get /links in their menu, not only ADMIN_IDS.
      const staffIds = [
        ...new Set([...deps.adminIds, ...(deps.studios?.all.flatMap((s) => s.adminIds) ?? [])]),
      ];
      if (staffIds.length > 0) {
        const { failed } = await setStaffCommands(bot.api, staffIds, {
          publicCommands: menus,
          defaultLocale,
          t: staffTranslations,
        });
        for (const { adminId, reason } of failed) {
          logger.warn(
            { adminId, reason },
            'could not set the staff command menu (has the admin opened the bot?)',
          );
        }
      }
    },
    async handleUpdate(update) {
      try {
        await bot.handleUpdate(update);
      } catch (error) {
        if (error instanceof BotError) {
          await bot.errorHandler(error);
        } else {
          logger.error({ updateId: update.update_id, error: describeError(error) }, 'update failed');
        }
      }
    },
    skipUpdatesUpTo: (seenUpTo) => transport.skipUpdatesUpTo(seenUpTo),
    async flush() {
      await notifier?.flush();
      await Promise.all(chain?.notifiers().map((each) => each.flush()) ?? []);
    },
    async close() {
      // Sends in flight finish first; the stores close after the bot.
      await scheduler?.close();
      await later.close();
      await notifier?.flush();
      await Promise.all(chain?.notifiers().map((each) => each.flush()) ?? []);
      // The conversations' deferred last writes, before the stores close.
      await userStore.flush();
      await transport.close();
    },
  };
}
