/**
 * Reaching the Telegram Bot API at start-up. grammY's own `init` retries `getMe` without a word
 * and without end; an operator whose `TELEGRAM_API_ROOT` points at nothing would see a silent
 * process for minutes. Here every failed attempt is logged with its cause and the variables to
 * check, a rejected token stops start-up at once naming `BOT_TOKEN`, and after `limitMs` start-up
 * fails, so that a supervisor restarts the process (and says why).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Api, GrammyError } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { type Logger, scrubSecrets } from '../logger.ts';
import { errorCode } from '../perfectgym/retry.ts';

/** Start-up gave up on Telegram; the message says what to check. */
export class TelegramStartupError extends Error {
  override readonly name = 'TelegramStartupError';
}

export interface ReachTelegramOptions {
  api: Api;
  /** For messages: where the Bot API is expected. */
  apiRoot: string;
  limitMs: number;
  logger: Logger;
  /** One getMe may take this long before it counts as failed. Default 10 s. */
  attemptTimeoutMs?: number;
}

const maxDelayMs = 10_000;

/** The cause of a failed call in a few words, without the token (it is in every Bot API URL). */
function causeOf(error: unknown): string {
  if (error instanceof GrammyError) return `${error.error_code} ${error.description}`;
  const parts: string[] = [];
  let current: unknown = error;
  // grammY's HttpError wraps the transport's error (`error`), which may wrap its own (`cause`).
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = errorCode(current);
    parts.push(code ? `${current.message} (${code})` : current.message);
    const inner = current as Error & { error?: unknown };
    current = inner.error ?? inner.cause;
  }
  return scrubSecrets(parts.join(': ') || String(error));
}

/** Calls getMe until Telegram answers; throws a {@link TelegramStartupError} when it will not. */
export async function reachTelegram(options: ReachTelegramOptions): Promise<UserFromGetMe> {
  const { api, apiRoot, limitMs, logger } = options;
  const deadline = Date.now() + limitMs;
  let delayMs = 500;
  for (let attempt = 1; ; attempt++) {
    const remainingMs = deadline - Date.now();
    try {
      const timeout = AbortSignal.timeout(
        Math.max(1, Math.min(options.attemptTimeoutMs ?? 10_000, remainingMs)),
      );
      // grammY types its signal with the abort-controller polyfill; Node's is what it gets at run time.
      return await api.getMe(timeout as Parameters<Api['getMe']>[0]);
    } catch (error) {
      if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
        throw new TelegramStartupError(
          `Telegram rejected the bot token (${causeOf(error)}): check BOT_TOKEN` +
            (error.error_code === 404 ? ` and TELEGRAM_API_ROOT (${apiRoot})` : ''),
        );
      }
      if (error instanceof GrammyError && error.error_code !== 429 && error.error_code < 500) {
        throw new TelegramStartupError(
          `the Telegram Bot API at ${apiRoot} refused getMe (${causeOf(error)}): check TELEGRAM_API_ROOT and BOT_TOKEN`,
        );
      }
      const cause = causeOf(error);
      const waitMs = Math.min(delayMs, deadline - Date.now());
      if (waitMs <= 0) {
        throw new TelegramStartupError(
          `could not reach the Telegram Bot API at ${apiRoot} within ${Math.round(limitMs / 1000)} s ` +
            `(${attempt} attempts, last: ${cause}): check TELEGRAM_API_ROOT, BOT_TOKEN and the network`,
        );
      }
      logger.warn(
        { attempt, apiRoot, cause, retryInMs: waitMs, check: 'TELEGRAM_API_ROOT, BOT_TOKEN' },
        'cannot reach the Telegram Bot API yet; retrying',
      );
      await sleep(waitMs);
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }
}
