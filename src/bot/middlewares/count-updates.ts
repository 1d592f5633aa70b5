import type { MiddlewareFn } from 'grammy';
import type { Update } from 'grammy/types';
import type { Metrics } from '../../metrics.ts';
import type { BotContext } from '../context.ts';

/** `message`, `callback_query`, …: the one field of an update besides its id. */
export function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown';
}

export function countUpdates(metrics: Metrics): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    metrics.updateHandled(updateType(ctx.update));
    return next();
  };
}
