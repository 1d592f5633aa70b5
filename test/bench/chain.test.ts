/**
 * The benchmark over a chain: prospects spread over three studios of one sandbox, each opening the
 * bot with its studio's class deep link. Every booking lands exactly once, at the studio the
 * prospect's link named, and the studio calls are counted across all three.
 */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../bench/benchmark.ts';
import { exitCode } from '../../bench/report.ts';

const prospects = 9;

describe('npm run bench -- --studios 3, smoke size', () => {
  it('books every prospect once, spread over the three studios', { timeout: 60_000 }, async () => {
    const result = await runBenchmark({
      prospects,
      concurrency: 5,
      store: 'memory',
      soak: false,
      baseline: false,
      studios: 3,
      isolation: 'in-process',
      stepTimeoutMs: 10_000,
      maxRunMs: 50_000,
    });
    const { trialgram } = result;

    expect(trialgram.flowsCompleted, JSON.stringify(trialgram.failures)).toBe(prospects);
    expect(trialgram.flowsStuck).toBe(0);
    expect(exitCode(result)).toBe(0);
    expect(result.options.studios).toBe(3);
    expect(trialgram.bookings).toMatchObject({
      expected: prospects,
      landedOnce: prospects,
      missing: 0,
      duplicated: 0,
      notConfirmed: 0,
      stray: 0,
    });
    // Prospect i books at studio i mod 3: three each, in each studio's own state.
    expect(trialgram.bookingsByStudio).toEqual({ 'studio-1': 3, 'studio-2': 3, 'studio-3': 3 });
    // The calls of every studio are summed: one book and one confirm per prospect in all.
    expect(trialgram.studioCallsByEndpoint.classBook).toBe(prospects);
    expect(trialgram.studioCallsByEndpoint.confirm).toBe(prospects);
    // Each studio's greeting needs its own studio information: counted at each of the three.
    expect(trialgram.studioCallsByEndpoint.studio).toBeGreaterThanOrEqual(3);
  });
});
