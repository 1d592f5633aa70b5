/**
 * Paces delivery starts: at most `rate` in any window of one second (a sliding window, not fixed
 * buckets, so two bursts at a bucket edge cannot add up to twice the rate), spread evenly at one
 * per 1000/rate ms rather than in bursts, since a burst of starts reaches Telegram even more
 * bunched. A start that came a little late (timers do) may be followed a little early, so the
 * cadence keeps up; the sliding window still holds. Real time, never the injected clock: moving the
 * playground's clock must not let a burst through.
 *
 * The window is a little longer than a second: a start is recorded here a moment before the
 * send actually leaves (an await or two, a busy event loop), and those moments vary, so a window
 * of exactly one second here let `rate + 1` sends leave within one second as seen from outside.
 */
export const windowMs = 1_050;

export class StartPacer {
  readonly #rate: number;
  readonly #intervalMs: number;
  /** The last `rate` start times (performance.now()), oldest at #oldest once full. */
  readonly #starts: number[] = [];
  #oldest = 0;
  /** When the next start is due on the even cadence. */
  #nextAt = Number.NEGATIVE_INFINITY;

  constructor(ratePerSecond: number) {
    this.#rate = ratePerSecond;
    this.#intervalMs = 1000 / ratePerSecond;
  }

  /** How long until another start is allowed; 0 means now. */
  waitMs(now = performance.now()): number {
    const cadence = this.#nextAt - now;
    if (this.#starts.length < this.#rate) return Math.max(0, cadence);
    const window = (this.#starts[this.#oldest] as number) + windowMs - now;
    return Math.max(0, cadence, window);
  }

  record(now = performance.now()): void {
    this.#nextAt = Math.max(this.#nextAt, now - this.#intervalMs / 2) + this.#intervalMs;
    if (this.#starts.length < this.#rate) {
      this.#starts.push(now);
      return;
    }
    this.#starts[this.#oldest] = now;
    this.#oldest = (this.#oldest + 1) % this.#rate;
  }

  /** Callers of acquire() take their turns one after another. */
  #turns: Promise<void> = Promise.resolve();

  /**
   * Waits for the caller's turn and records it as a start, for callers that cannot wait on a
   * timer of their own (a BullMQ processor). The start is recorded when the caller goes ahead, not
   * when it lined up, so a caller resumed late cannot squeeze the window for those after it.
   */
  acquire(): Promise<void> {
    const turn = this.#turns.then(async () => {
      for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
      }
      this.record();
    });
    this.#turns = turn;
    return turn;
  }
}
