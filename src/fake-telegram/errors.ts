/**
 * An error the fake answers with, in Telegram's exact envelope
 * (`{ ok: false, error_code, description, parameters? }`), so grammY turns it into the same
 * `GrammyError` a real bot would see.
 */
export class BotApiError extends Error {
  readonly errorCode: number;
  readonly description: string;
  readonly retryAfter: number | undefined;

  constructor(errorCode: number, description: string, retryAfter?: number) {
    super(description);
    this.name = 'BotApiError';
    this.errorCode = errorCode;
    this.description = description;
    this.retryAfter = retryAfter;
  }

  toJSON(): {
    ok: false;
    error_code: number;
    description: string;
    parameters?: { retry_after: number };
  } {
    return {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
      ...(this.retryAfter === undefined ? {} : { parameters: { retry_after: this.retryAfter } }),
    };
  }
}

export const badRequest = (detail: string): BotApiError => new BotApiError(400, `Bad Request: ${detail}`);

export const forbidden = (detail: string): BotApiError => new BotApiError(403, `Forbidden: ${detail}`);

export const unauthorized = (): BotApiError => new BotApiError(401, 'Unauthorized');

export const notFound = (): BotApiError => new BotApiError(404, 'Not Found');

export const conflict = (detail: string): BotApiError => new BotApiError(409, `Conflict: ${detail}`);

export const MESSAGE_NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

export const QUERY_TOO_OLD = 'query is too old and response timeout expired or query ID is invalid';
