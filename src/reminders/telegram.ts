/**
 * Telegram's answers as reminder delivery results, for the app's `deliver`:
 *
 * ```ts
 * deliver: async (reminder) => {
 *   try {
 *     await api.sendMessage(reminder.chatId, render(reminder));
 *     return { status: 'sent' };
 *   } catch (error) {
 *     return deliveryResultOf(error);
 *   }
 * }
 * ```
 */
import { GrammyError, HttpError } from 'grammy';
import type { DeliveryResult } from './reminder.ts';

export function deliveryResultOf(error: unknown): DeliveryResult {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return { status: 'rate_limited', retryAfterMs: seconds * 1000 };
    }
    // 403: the user blocked the bot (or deleted their account): nothing more reaches them.
    if (error.error_code === 403) return { status: 'blocked' };
    // Telegram's own trouble may have sent it anyway; a 4xx refusal will not change on a retry.
    return { status: 'failed', retry: error.error_code >= 500 };
  }
  // The request or its answer got lost: the message may have been sent.
  if (error instanceof HttpError) return { status: 'failed', retry: true };
  throw error;
}
