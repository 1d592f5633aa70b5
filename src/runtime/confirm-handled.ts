/**
 * Long polling that confirms an update to Telegram only once it was handled, so that a process
 * killed mid-update gets it again from the next process's getUpdates (at least once; the
 * conversation row makes the second delivery carry the update on instead of applying it twice).
 *
 * Telegram confirms every update below the `offset` of a getUpdates call. @grammyjs/runner asks
 * for the next updates as soon as it has handed the last ones out, with an offset past them, which
 * confirms them while they are still being handled. This wraps the runner's getUpdates: while some
 * updates are unfinished, the offset stays at the oldest of them, the updates Telegram sends again
 * are left out, and, since Telegram answers at once while there are updates at or above the
 * offset, the next request waits until an update finishes or `pollIntervalMs` passes (new updates
 * reach the bot at most that much later while one is slow). Telegram sends at most 100 updates per
 * answer: when that many wait at or above the oldest unfinished one, holding it back would keep
 * the bot from getting new updates, so the offset moves on and those unfinished updates are
 * confirmed (at least once then holds only while fewer than 100 updates queue behind a slow one).
 */
import type { Update } from 'grammy/types';

interface GetUpdatesArgs {
  offset?: number;
  limit?: number;
  timeout?: number;
}
type GetUpdates<A, S> = (args: A, signal: S) => Promise<Update[]>;

export interface ConfirmHandled<A, S> {
  /** Give this to the runner as its `api.getUpdates`. */
  getUpdates: GetUpdates<A, S>;
  /** Call once an update handed out by `getUpdates` is handled (or failed). */
  finished(updateId: number): void;
  /** The offset that confirms everything handled and nothing that is not (for a last getUpdates). */
  confirmOffset(): number | undefined;
  /** The highest update id handed out: answers' updates up to it are left out anyway. */
  handedOutUpTo(): number | undefined;
}

/** Telegram's largest getUpdates answer. */
const maxBatch = 100;

export function confirmOnlyHandled<A extends GetUpdatesArgs, S extends { readonly aborted: boolean }>(
  getUpdates: GetUpdates<A, S>,
  options: { pollIntervalMs?: number } = {},
): ConfirmHandled<A, S> {
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const unfinished = new Set<number>();
  /** The highest update id handed out. */
  let highest: number | undefined;
  /** Every update below this offset was confirmed to Telegram. */
  let confirmedBelow = 0;
  let wake: Array<() => void> = [];

  const oldestUnfinished = (): number | undefined => {
    let oldest: number | undefined;
    for (const id of unfinished) {
      if (id >= confirmedBelow && (oldest === undefined || id < oldest)) oldest = id;
    }
    return oldest;
  };
  const fetch = (args: A, signal: S): Promise<Update[]> => {
    confirmedBelow = Math.max(confirmedBelow, args.offset ?? 0);
    return getUpdates(args, signal);
  };
  const handOut = (updates: Update[]): Update[] => {
    for (const update of updates) {
      unfinished.add(update.update_id);
      highest = Math.max(highest ?? update.update_id, update.update_id);
    }
    return updates;
  };
  const isNew = (update: Update) => highest === undefined || update.update_id > highest;
  // Ends early when an update finishes; a stopping runner waits at most this long.
  const pause = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = wake.filter((other) => other !== done);
        resolve();
      };
      const timer = setTimeout(done, pollIntervalMs);
      wake.push(done);
    });

  return {
    async getUpdates(args, signal) {
      const deadline = Date.now() + (args.timeout ?? 0) * 1000;
      for (;;) {
        if (signal.aborted) return [];
        const oldest = oldestUnfinished();
        if (oldest === undefined) {
          const updates = await fetch(
            highest === undefined ? args : { ...args, offset: highest + 1 },
            signal,
          );
          return handOut(updates.filter(isNew));
        }
        const updates = await fetch({ ...args, offset: oldest, limit: maxBatch, timeout: 0 }, signal);
        const fresh = updates.filter(isNew);
        if (fresh.length > 0) return handOut(fresh.slice(0, Math.max(1, args.limit ?? maxBatch)));
        if (updates.length >= maxBatch) {
          // Telegram's window is full of updates handed out already: let the unfinished ones go.
          const moved = await fetch({ ...args, offset: (highest ?? oldest) + 1 }, signal);
          return handOut(moved.filter(isNew));
        }
        if (Date.now() >= deadline) return [];
        await pause();
      }
    },
    finished(updateId) {
      unfinished.delete(updateId);
      const waiting = wake;
      wake = [];
      for (const done of waiting) done();
    },
    handedOutUpTo: () => highest,
    confirmOffset() {
      const oldest = oldestUnfinished();
      if (oldest !== undefined) return oldest;
      return highest === undefined ? undefined : highest + 1;
    },
  };
}
