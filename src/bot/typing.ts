/**
 * "typing…" while the studio is slow. A prospect who tapped a button and sees nothing for a few
 * seconds thinks the bot is dead; Telegram's chat action says otherwise. It is shown once per wait
 * (one update's run of studio calls), only once a call has taken longer than `delayMs`, so a fast
 * studio costs no extra Bot API call.
 */
export interface TypingIndicator {
  /** Resolves with `work`; shows "typing…" if it is still pending after the delay. */
  during<T>(work: Promise<T>): Promise<T>;
}

export const defaultTypingDelayMs = 1_000;

export function createTypingIndicator(show: () => Promise<unknown>, delayMs: number): TypingIndicator {
  let shown = false;
  return {
    async during(work) {
      if (shown) return work;
      const timer = setTimeout(() => {
        shown = true;
        // Cosmetic: a failed chat action is not worth more than the replies' own error handling.
        show().catch(() => undefined);
      }, delayMs);
      try {
        return await work;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
