/**
 * The benchmark in miniature: thirty prospects book a trial through the real bot (in this
 * process, memory store), next to the bare grammY baseline. Asserts what must hold at any size:
 * every flow finishes (none stuck, though a few replies meet a reset connection), every booking
 * lands exactly once, and the studio calls per booking stay within the targets. No
 * timings: they are too noisy for a test.
 */
import { describe, expect, it } from 'vitest';
import { type BenchmarkResult, runBenchmark } from '../../bench/benchmark.ts';
import { updatesPerBooking } from '../../bench/prospects.ts';
import { computeFigures, exitCode, maxStoredBytesPerConversation } from '../../bench/report.ts';
import { benchmarkClassIds, benchmarkSeed } from '../../bench/seed.ts';

const prospects = 30;

function failures(result: BenchmarkResult): string {
  return JSON.stringify(
    { baseline: result.baseline?.failures, trialgram: result.trialgram.failures },
    null,
    2,
  );
}

describe('npm run bench, smoke size', () => {
  it('books every prospect exactly once within the per-booking call targets', {
    timeout: 60_000,
  }, async () => {
    const result = await runBenchmark({
      prospects,
      concurrency: 10,
      store: 'memory',
      soak: false,
      baseline: true,
      isolation: 'in-process',
      stepTimeoutMs: 10_000,
      maxRunMs: 50_000,
      // Connections broken before Telegram's answer: the bot's transport sends those replies again.
      telegramFaults: (fake) => fake.failNext('sendMessage', 'connection-reset', 5),
    });
    const { trialgram, baseline } = result;

    expect(trialgram.flowsCompleted, failures(result)).toBe(prospects);
    expect(trialgram.flowsStuck).toBe(0);
    expect(computeFigures(result).stuckFlows).toBe(0);
    expect(exitCode(result)).toBe(0);
    expect(trialgram.updates).toBe(prospects * updatesPerBooking);
    expect(trialgram.bookings).toMatchObject({
      expected: prospects,
      landedOnce: prospects,
      missing: 0,
      duplicated: 0,
      notConfirmed: 0,
      stray: 0,
    });

    // Per booking with confirmation: slots (re-checked before booking), lead validate, lead create,
    // booking validate, book, confirm. The slot list a prospect browses comes from a shared cache,
    // which adds at most one load per class and cache period (15 s, longer than this run), not one
    // per booking; concurrent re-checks of the same class may share one request.
    const calls = trialgram.studioCallsByEndpoint;
    for (const endpoint of ['leadValidate', 'leadCreate', 'classBookingValidate', 'classBook', 'confirm']) {
      expect(calls[endpoint], endpoint).toBe(prospects);
    }
    const classesBooked = benchmarkClassIds(benchmarkSeed(Date.now(), 1)).length;
    expect(calls.classSlots).toBeGreaterThan(0);
    expect(calls.classSlots).toBeLessThanOrEqual(prospects + classesBooked);
    const perBookingEndpoints = [
      'classSlots',
      'leadValidate',
      'leadCreate',
      'classBookingValidate',
      'classBook',
      'confirm',
    ];
    const flowCalls = perBookingEndpoints.reduce((sum, endpoint) => sum + (calls[endpoint] ?? 0), 0);
    expect(flowCalls).toBeLessThanOrEqual(6 * prospects + classesBooked);
    // Offers, configs and studio information come from the shared cache: one load each per run
    // (every config once: the offer list leaves out those that leads may not book).
    for (const endpoint of ['classes', 'appointments', 'studio']) {
      expect(calls[endpoint] ?? 0, endpoint).toBeLessThanOrEqual(1);
    }
    expect(calls.config ?? 0).toBeLessThanOrEqual(benchmarkSeed(Date.now(), 1).configs.length);
    expect(Object.keys(calls).sort()).toEqual(
      [...perBookingEndpoints, 'classes', 'appointments', 'config', 'studio'].sort(),
    );

    const storage = trialgram.bot.storage;
    expect(storage?.conversations).toBe(prospects);
    expect(storage?.largestPerConversation.max).toBeGreaterThan(0);
    expect(storage?.largestPerConversation.max).toBeLessThanOrEqual(maxStoredBytesPerConversation);

    // The bot's replies were seen by the recorder: every update got at least one Bot API call.
    expect(trialgram.bot.updatesHandled).toBe(prospects * updatesPerBooking);
    expect(trialgram.telegramCalls).toBeGreaterThanOrEqual(prospects * updatesPerBooking);
    expect(trialgram.bot.handlerErrors).toBe(0);
    // Built as production builds it: the log line of every update is written (and counted).
    expect(trialgram.bot.logs.lines).toBeGreaterThanOrEqual(prospects * updatesPerBooking);

    // The baseline answers each of the same number of updates with exactly one sendMessage.
    expect(baseline?.flowsCompleted, failures(result)).toBe(prospects);
    expect(baseline?.updates).toBe(prospects * updatesPerBooking);
    expect(baseline?.bot.telegramCallsByMethod).toEqual({ sendMessage: prospects * updatesPerBooking });
    // The headline: bare CPU per update / trialgram CPU per update, from the bots' CPU time.
    const figures = computeFigures(result);
    expect(figures.cpuRatio).toBeGreaterThan(0);
    expect(figures.cpuRatioSpread).toMatchObject({ median: figures.cpuRatio });
  });
});
