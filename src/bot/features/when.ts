/**
 * grammY's `filter` (behind `on`, `command`, `chatType`, `callbackQuery`) builds a new Composer
 * for every update it checks, matching or not (its `branch` is lazy). With a dozen filters in
 * front of an update's handler that was a share of the update's CPU. `when` checks the same
 * predicate (grammY's own `Context.has.*`, which also sets `ctx.match`) synchronously and hands
 * over to middleware composed once.
 */
import { Composer, type Context, type Middleware, type MiddlewareFn } from 'grammy';

export function when<C extends Context, D extends C>(
  predicate: (ctx: C) => ctx is D,
  ...middleware: Array<Middleware<D>>
): MiddlewareFn<C> {
  const handler = new Composer<D>(...middleware).middleware();
  return (ctx, next) => (predicate(ctx) ? handler(ctx, next) : next());
}
