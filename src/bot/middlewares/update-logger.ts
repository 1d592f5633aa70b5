/**
 * The first middleware: gives the update its logger, a pino child carrying the update's id, so no
 * log call downstream passes `updateId` by hand. One child per update; its bindings are serialised
 * once, here, not per line.
 */
import type { Context, MiddlewareFn } from 'grammy';
import type { Logger } from '../../logger.ts';
import type { LogFlavor } from '../context.ts';

/** The update's logger, as the first middleware and a timed event's context make it. */
export function updateLogger(logger: Logger, updateId: number): Logger {
  return logger.child({ updateId });
}

export function logPerUpdate<C extends Context & LogFlavor>(logger: Logger): MiddlewareFn<C> {
  return (ctx, next) => {
    ctx.log = updateLogger(logger, ctx.update.update_id);
    return next();
  };
}
