/**
 * Log-safe descriptions of errors. A GrammyError carries the call's payload (the text sent to a
 * prospect, with their name and e-mail address), so errors are never logged whole: only their
 * kind, Telegram's code and description, or a message that holds no personal data by design.
 */
import { GrammyError, HttpError } from 'grammy';
import { scrubSecrets } from '../logger.ts';
import { PerfectGymApiError, PerfectGymRequestError } from '../perfectgym/errors.ts';
import { errorCode } from '../perfectgym/retry.ts';
import { StoreUnavailableError } from './user-store.ts';

export interface ErrorSummary {
  kind: string;
  message: string;
  method?: string;
  code?: number;
}

export function describeError(error: unknown): ErrorSummary {
  if (error instanceof GrammyError) {
    return { kind: 'telegram', method: error.method, code: error.error_code, message: error.description };
  }
  if (error instanceof HttpError) {
    // The cause's code (ECONNRESET, …) says what broke; its message may hold the URL, with the token.
    const code = telegramNetworkCode(error);
    return { kind: 'telegram-network', message: scrubSecrets(`${error.message}${code ? ` (${code})` : ''}`) };
  }
  if (error instanceof PerfectGymApiError || error instanceof PerfectGymRequestError) {
    return { kind: 'studio', message: error.message };
  }
  if (error instanceof StoreUnavailableError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.name}` : '';
    return { kind: 'store', message: `${error.message}${cause}` };
  }
  if (error instanceof Error) {
    // A bug: its stack helps, and stacks name code locations, not data.
    return { kind: error.name, message: scrubSecrets(error.stack ?? error.message) };
  }
  return { kind: typeof error, message: 'non-error value thrown' };
}

/**
 * What broke under a Telegram request that got no answer (ECONNREFUSED, ECONNRESET, …): the code
 * of grammY's cause, or of the cause's own cause, where fetch puts the socket error.
 */
export function telegramNetworkCode(error: HttpError): string | undefined {
  const cause = error.error;
  return errorCode(cause) ?? errorCode((cause as { cause?: unknown } | undefined)?.cause);
}

/**
 * {@link describeError} as one line, for a log field or a report that holds text: Telegram's code
 * and description ("403 Forbidden: bot was kicked"), else the kind and the first line of the
 * message ("studio: …", "TypeError: …").
 */
export function describeErrorInOneLine(error: unknown): string {
  const { kind, code, message } = describeError(error);
  if (code !== undefined) return `${code} ${message}`;
  const firstLine = message.split('\n', 1)[0] ?? '';
  // A bug's message is its stack, whose first line names the error already.
  return firstLine.startsWith(`${kind}:`) ? firstLine : `${kind}: ${firstLine}`;
}

/** Telegram's answer to an edit that would change nothing: the message already shows it. */
export function isMessageNotModified(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    error.description.includes('message is not modified')
  );
}

/** An error from the Telegram Bot API or from reaching it (as opposed to a bug or the store). */
export function isTelegramError(error: unknown): boolean {
  return error instanceof GrammyError || error instanceof HttpError;
}
