import { describe, expect, it } from 'vitest';
import { Histogram, summarize } from '../../bench/stats.ts';

describe('summarize', () => {
  it('reports nearest-rank percentiles, mean and max', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(summarize(values)).toEqual({ count: 100, mean: 50.5, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(summarize([]).count).toBe(0);
  });
});

describe('Histogram', () => {
  it('matches exact percentiles within 1 % and keeps count, mean and max exact', () => {
    const histogram = new Histogram();
    const values: number[] = [];
    // A skewed spread like update latencies: mostly a few ms, a tail into seconds.
    for (let i = 1; i <= 10_000; i++) {
      const value = i % 50 === 0 ? 500 + i / 5 : 0.2 + (i % 97) * 0.4;
      values.push(value);
      histogram.push(value);
    }
    const exact = summarize(values);
    const approximate = histogram.summary();
    expect(approximate.count).toBe(exact.count);
    expect(approximate.mean).toBeCloseTo(exact.mean, 6);
    expect(approximate.max).toBe(exact.max);
    for (const p of ['p50', 'p95', 'p99'] as const) {
      expect(Math.abs(approximate[p] - exact[p]) / exact[p], p).toBeLessThanOrEqual(0.01);
    }
  });

  it('takes zero and huge values without losing them', () => {
    const histogram = new Histogram();
    histogram.push(0);
    histogram.push(5_000_000);
    expect(histogram.summary()).toMatchObject({ count: 2, p50: 0.001, max: 5_000_000 });
  });
});
