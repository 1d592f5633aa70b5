/**
 * At most `rate` starts in any window of one second (a sliding window, not fixed buckets, so
 * two bursts at a bucket edge cannot add up to twice the rate). Real time, never the injected
 * clock: moving the playground's clock must not let a burst through.
 */
export class StartPacer {
  readonly #rate: number;
  /** The last `rate` start times (performance.now()), oldest at #next once full. */
  readonly #starts: number[] = [];
  #next = 0;

  constructor(ratePerSecond: number) {
    this.#rate = ratePerSecond;
  }

  /** How long until another start is allowed; 0 means now. */
  waitMs(now = performance.now()): number {
    if (this.#starts.length < this.#rate) return 0;
    const oldest = this.#starts[this.#next] as number;
    return Math.max(0, oldest + 1000 - now);
  }

  record(now = performance.now()): void {
    if (this.#starts.length < this.#rate) {
      this.#starts.push(now);
      return;
    }
    this.#starts[this.#next] = now;
    this.#next = (this.#next + 1) % this.#rate;
  }
}
