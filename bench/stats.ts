/** Small statistics for the benchmark: percentiles over measured values. */

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export const emptySummary: Summary = { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };

/** Nearest-rank percentiles (no interpolation): every reported figure is a value that was measured. */
export function summarize(samples: ArrayLike<number>): Summary {
  const count = samples.length;
  if (count === 0) return emptySummary;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  const rank = (p: number) => sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))] ?? 0;
  return {
    count,
    mean: sum / count,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted[count - 1] ?? 0,
  };
}

/**
 * Durations in constant memory, for runs of any length: log-spaced buckets 1 % wide from 1 µs to
 * about 17 minutes, so a percentile is off by at most 1 %; count, mean and max are exact.
 */
export class Histogram {
  static readonly #minMs = 0.001;
  static readonly #growth = Math.log(1.01);
  readonly #counts = new Uint32Array(2100);
  #count = 0;
  #sum = 0;
  #max = 0;

  push(valueMs: number): void {
    const value = Math.max(0, valueMs);
    const index =
      value <= Histogram.#minMs ? 0 : Math.ceil(Math.log(value / Histogram.#minMs) / Histogram.#growth);
    const bucket = Math.min(index, this.#counts.length - 1);
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1;
    this.#count += 1;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  get length(): number {
    return this.#count;
  }

  summary(): Summary {
    if (this.#count === 0) return emptySummary;
    const rank = (p: number) => {
      const target = Math.max(1, Math.ceil((p / 100) * this.#count));
      let seen = 0;
      for (let index = 0; index < this.#counts.length; index++) {
        seen += this.#counts[index] ?? 0;
        // The bucket's upper edge, never beyond what was measured.
        if (seen >= target)
          return Math.min(this.#max, Histogram.#minMs * Math.exp(index * Histogram.#growth));
      }
      return this.#max;
    };
    return {
      count: this.#count,
      mean: this.#sum / this.#count,
      p50: rank(50),
      p95: rank(95),
      p99: rank(99),
      max: this.#max,
    };
  }
}

/** Adds `amount` to a counter in a plain object (JSON-friendly, unlike a Map). */
export function bump(counts: Record<string, number>, key: string, amount = 1): void {
  counts[key] = (counts[key] ?? 0) + amount;
}
