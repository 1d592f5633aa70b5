/**
 * Long polling with @grammyjs/runner: updates of different chats run concurrently, one chat's in
 * order (the bot's chat lock). Updates are confirmed to Telegram once handled (see
 * confirm-handled.ts), so a killed process's unfinished updates reach the next one. The runner's
 * own stop() does not wait for updates being handled, so they are tracked here; and the handled
 * updates are confirmed to Telegram before exiting, so the next process does not receive them again.
 */
import { run } from '@grammyjs/runner';
import type { Update } from 'grammy/types';
import { allowedUpdates } from '../bot/allowed-updates.ts';
import { describeError } from '../bot/errors.ts';
import type { TrialgramBot } from '../bot/index.ts';
import type { Logger } from '../logger.ts';
import { confirmOnlyHandled } from './confirm-handled.ts';

export interface Polling {
  /** Stops fetching, waits for the updates being handled, confirms the handled ones to Telegram. */
  stop(): Promise<void>;
}

export interface PollingOptions {
  bot: TrialgramBot;
  /** Handles one update (the composition root's, with its log line). */
  handleUpdate: (update: Update) => Promise<void>;
  logger: Logger;
  /** Polling stopped for good (Telegram refused the token, or another process polls the same bot). */
  onFatal?: ((error: unknown) => void) | undefined;
  /**
   * Ask for the next updates only once those taken are handled (the updates of one batch still run
   * concurrently). Telegram then learns an update is done only when it is, which is what a test
   * waiting on the fake Telegram observes. Production fetches ahead (default false).
   */
  fetchWhenIdle?: boolean;
}

export function startPolling({ bot, handleUpdate, logger, onFatal, fetchWhenIdle }: PollingOptions): Polling {
  const inFlight = new Set<Promise<void>>();
  type Signal = NonNullable<Parameters<typeof bot.bot.api.getUpdates>[1]>;
  const confirm = confirmOnlyHandled(
    (args: { offset: number; limit: number; timeout: number }, signal: Signal) =>
      bot.bot.api.getUpdates(args, signal).catch((error: unknown) => {
        if (!signal.aborted) {
          logger.warn({ error: describeError(error) }, 'fetching updates failed; retrying');
        }
        throw error;
      }),
  );
  // What the poller would drop from an answer is not even parsed.
  bot.skipUpdatesUpTo(() => confirm.handedOutUpTo());
  const handle = run(
    {
      api: {
        getUpdates: async (args, signal) => {
          if (fetchWhenIdle) while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
          return confirm.getUpdates(args, signal);
        },
      },
      init: () => bot.bot.init(),
      handleUpdate: (update: Update) => {
        const handling = handleUpdate(update);
        inFlight.add(handling);
        const done = () => {
          inFlight.delete(handling);
          confirm.finished(update.update_id);
        };
        void handling.then(done, done);
        return handling;
      },
      errorHandler: (error: unknown) => {
        logger.error({ error: describeError(error) }, 'update failed');
      },
    },
    // silent: the runner would print fetch errors to stderr unstructured; getUpdates above logs them.
    { runner: { fetch: { allowed_updates: [...allowedUpdates] }, silent: true } },
  );
  handle.task()?.catch((error: unknown) => {
    logger.fatal({ error: describeError(error) }, 'long polling stopped');
    onFatal?.(error);
  });
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        await handle.stop();
        await Promise.allSettled([...inFlight]);
        const offset = confirm.confirmOffset();
        if (offset === undefined) return;
        await bot.bot.api
          .getUpdates({ offset, limit: 1, timeout: 0 })
          .catch((error: unknown) =>
            logger.warn(
              { error: describeError(error) },
              'could not confirm the last updates; Telegram will send them again',
            ),
          );
      })();
      return stopped;
    },
  };
}
