/**
 * grammY's `filter` (behind `on`, `command`, `chatType`, `callbackQuery`) builds a new Composer
 * for every update it checks, matching or not (its `branch` is lazy). With a dozen filters in
 * front of an update's handler that was a share of the update's CPU. `when` checks the same
 * predicate (grammY's own `Context.has.*`, which also sets `ctx.match`) synchronously and hands
 * over to middleware composed once (as a {@link sequence}).
 */
import type { Context, Middleware, MiddlewareFn } from 'grammy';

export function when<C extends Context, D extends C>(
  predicate: (ctx: C) => ctx is D,
  ...middleware: Array<Middleware<D>>
): MiddlewareFn<C> {
  const handler = sequence<D>(...middleware);
  return (ctx, next) => (predicate(ctx) ? handler(ctx, next) : next());
}

/**
 * Middleware run one after another, as a chain of `bot.use` calls runs it: each calls `next` to
 * hand over to the following one (once at most). grammY's chain wraps every link in two async
 * functions of its own; with a dozen links in front of an update's handler that was a share of
 * the update's CPU, which a plain index into the list does not cost.
 */
export function sequence<C extends Context>(...middleware: Array<Middleware<C>>): MiddlewareFn<C> {
  const links = middleware.map((each) => (typeof each === 'function' ? each : each.middleware()));
  return (ctx, next) => {
    // Not an async function: a link's own promise is handed on as it is, one promise less per link.
    const run = (index: number): unknown => {
      const link = links[index];
      if (link === undefined) return next();
      let called = false;
      return link(ctx, () => {
        if (called) return Promise.reject(new Error('`next` already called before!'));
        called = true;
        try {
          return Promise.resolve(run(index + 1)) as Promise<void>;
        } catch (error) {
          return Promise.reject(error);
        }
      });
    };
    try {
      return run(0);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
