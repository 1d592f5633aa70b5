import { Composer, type Context, type Middleware } from 'grammy';
import { describe, expect, it } from 'vitest';
import { sequence } from '../../src/bot/features/when.ts';

/** A context that only records what ran. */
type Ctx = Context & { seen: string[] };
const context = (): Ctx => ({ seen: [] }) as unknown as Ctx;
const chain = (...links: Array<Middleware<Ctx>>) => sequence<Ctx>(...links);

describe('middleware in sequence', () => {
  it('runs each link in order, each handing over with next, and the chain goes on after the last', async () => {
    const run = chain(
      async (ctx, next) => {
        ctx.seen.push('a');
        await next();
        ctx.seen.push('a after');
      },
      (ctx, next) => {
        ctx.seen.push('b');
        return next();
      },
      new Composer<Ctx>((ctx, next) => {
        ctx.seen.push('composer');
        return next();
      }),
    );
    const ctx = context();
    await run(ctx, async () => void ctx.seen.push('after the sequence'));
    expect(ctx.seen).toEqual(['a', 'b', 'composer', 'after the sequence', 'a after']);
  });

  it('stops where a link does not call next, and refuses a second next', async () => {
    const ctx = context();
    await chain(
      (c) => void c.seen.push('handled'),
      (c) => void c.seen.push('never'),
    )(ctx, async () => void ctx.seen.push('never either'));
    expect(ctx.seen).toEqual(['handled']);

    const twice = chain(async (_ctx, next) => {
      await next();
      await next();
    });
    await expect(twice(context(), async () => undefined)).rejects.toThrow('`next` already called before!');
  });

  it('passes a failure of any link up to the caller', async () => {
    const failing = chain(
      (_ctx, next) => next(),
      async () => {
        throw new Error('boom');
      },
    );
    await expect(failing(context(), async () => undefined)).rejects.toThrow('boom');
    // A link that throws before it returns anything fails the chain's promise too.
    const throwing = chain(
      (_ctx, next) => next(),
      () => {
        throw new Error('at once');
      },
    );
    await expect(throwing(context(), async () => undefined)).rejects.toThrow('at once');
    await expect(
      chain(() => {
        throw new Error('first');
      })(context(), async () => undefined),
    ).rejects.toThrow('first');
  });
});
