/**
 * Turns a benchmark result into the issue's figures, each next to its baseline and its target
 * where there is one, as a table for people or JSON for tools.
 */
import {
  type BenchmarkResult,
  cpuPerUpdateMs,
  cpuRatioOf,
  idleEndLabel,
  idleStartLabel,
  idleWarmLabel,
  type PhaseResult,
  type Round,
  type TrialgramPhaseResult,
} from './benchmark.ts';
import type { StoreKind } from './options.ts';
import type { Summary } from './stats.ts';

/** Studio endpoints whose answers every prospect shares through the catalog's cache. */
export const sharedEndpoints = ['classes', 'appointments', 'config', 'studio'] as const;

/** CPU ratio targets (issue #16): bare CPU per update / trialgram CPU per update, median of the rounds. */
export const cpuRatioTargets: Partial<Record<StoreKind, number>> = { embedded: 0.5, redis: 0.4 };
export const maxStudioCallsPerBooking = 6;
export const maxStoredBytesPerConversation = 2048;
/** Soak: the idle heap (after a full collection) may end this much above where it started. */
export const soakHeapToleranceBytes = 5 * 2 ** 20;
export const soakHeapToleranceShare = 0.05;

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface Figures {
  completedBookings: number;
  /** trialgram prospects left waiting a whole step timeout for an answer, all rounds (must be 0). */
  stuckFlows: number;
  /** Bare CPU per update / trialgram CPU per update (the bots' processes' own CPU time), median of the rounds. */
  cpuRatio: number | undefined;
  cpuRatioSpread: Spread | undefined;
  /** trialgram's / the bare bot's updates per second, over the same rounds. */
  wallRatioSpread: Spread | undefined;
  /** Bot CPU ms per update, median of the rounds. */
  cpuPerUpdateMs: { trialgram: number; baseline: number | undefined };
  /** All studio calls of one prospect alone on a fresh bot (cold cache). */
  loneStudioCallsPerBooking: number | undefined;
  baselineTelegramCallsPerBooking: number | undefined;
  /** Calls to the per-booking endpoints (slots, lead, booking, confirm) per completed booking. */
  flowCallsPerBooking: number;
  /** Calls to the shared, cached endpoints (offers, config, studio) in the whole run. */
  sharedCalls: number;
  studioCallsPerBookingByEndpoint: Record<string, number>;
  telegramCallsPerBooking: number;
  telegramCallsPerBookingByMethod: Record<string, number>;
  /** Store writes (sets and deletes) per completed booking, by namespace. */
  storeWritesPerBookingByNamespace: Record<string, number> | undefined;
  throughputRatio: number | undefined;
  latencyRatio: { p50: number; p95: number; p99: number } | undefined;
  peakRssRatio: number | undefined;
  soakHeapGrowthBytes: number | undefined;
  targets: TargetCheck[];
}

const perBooking = (count: number, bookings: number) => (bookings === 0 ? 0 : count / bookings);

export function computeFigures(result: BenchmarkResult): Figures {
  const { trialgram, baseline } = result;
  const bookings = trialgram.bookings.landedOnce;
  let sharedCalls = 0;
  let flowCalls = 0;
  const studioByEndpoint: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(trialgram.studioCallsByEndpoint)) {
    if ((sharedEndpoints as readonly string[]).includes(endpoint)) sharedCalls += count;
    else flowCalls += count;
    studioByEndpoint[endpoint] = perBooking(count, bookings);
  }
  const telegramByMethod: Record<string, number> = {};
  for (const [method, count] of Object.entries(trialgram.bot.telegramCallsByMethod)) {
    telegramByMethod[method] = perBooking(count, bookings);
  }
  const throughputRatio = baseline ? trialgram.updatesPerSecond / baseline.updatesPerSecond : undefined;
  const rounds: Round[] = result.rounds ?? [{ baseline, trialgram }];
  const cpuRatios = rounds.map(cpuRatioOf).filter((value): value is number => value !== undefined);
  const wallRatios = rounds.flatMap((round) =>
    round.baseline ? [round.trialgram.updatesPerSecond / round.baseline.updatesPerSecond] : [],
  );
  const cpuRatioSpread = spread(cpuRatios);
  const lone = result.lone;
  const loneBookings = lone?.bookings.landedOnce ?? 0;
  const latency = trialgram.bot.latencyMs;
  const baseLatency = baseline?.bot.latencyMs;
  const figures: Figures = {
    completedBookings: bookings,
    stuckFlows: [...rounds.map((round) => round.trialgram), ...(lone ? [lone] : [])].reduce(
      (sum, phase) => sum + phase.flowsStuck,
      0,
    ),
    cpuRatio: cpuRatioSpread?.median,
    cpuRatioSpread,
    wallRatioSpread: spread(wallRatios),
    cpuPerUpdateMs: {
      trialgram: median(rounds.map((round) => cpuPerUpdateMs(round.trialgram))) ?? 0,
      baseline: median(rounds.flatMap((round) => (round.baseline ? [cpuPerUpdateMs(round.baseline)] : []))),
    },
    loneStudioCallsPerBooking: lone && loneBookings > 0 ? lone.studioCalls / loneBookings : undefined,
    baselineTelegramCallsPerBooking: baseline
      ? perBooking(baseline.telegramCalls, baseline.flowsCompleted)
      : undefined,
    flowCallsPerBooking: perBooking(flowCalls, bookings),
    sharedCalls,
    studioCallsPerBookingByEndpoint: studioByEndpoint,
    telegramCallsPerBooking: perBooking(trialgram.telegramCalls, bookings),
    telegramCallsPerBookingByMethod: telegramByMethod,
    storeWritesPerBookingByNamespace: trialgram.bot.storage
      ? Object.fromEntries(
          Object.entries(trialgram.bot.storage.writes).map(([namespace, count]) => [
            namespace,
            perBooking(count, bookings),
          ]),
        )
      : undefined,
    throughputRatio,
    latencyRatio: baseLatency
      ? {
          p50: latency.p50 / baseLatency.p50,
          p95: latency.p95 / baseLatency.p95,
          p99: latency.p99 / baseLatency.p99,
        }
      : undefined,
    peakRssRatio: baseline ? trialgram.bot.peakRssBytes / baseline.bot.peakRssBytes : undefined,
    soakHeapGrowthBytes: soakGrowth(trialgram),
    targets: [],
  };
  figures.targets = checkTargets(result, figures);
  return figures;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function spread(values: number[]): Spread | undefined {
  const middle = median(values);
  return middle === undefined
    ? undefined
    : { min: Math.min(...values), median: middle, max: Math.max(...values) };
}

/** The idle reading growth is measured from: after the warm-up when there is one. */
function soakStart(trialgram: TrialgramPhaseResult) {
  return (
    trialgram.memory.find((mark) => mark.label === idleWarmLabel) ??
    trialgram.memory.find((mark) => mark.label === idleStartLabel)
  );
}

/**
 * Heap growth over a soak run: the readings with no prospect in flight, after the warm-up tenth
 * (else before the first prospect) and after the last, both after a full collection. (Readings during the run also hold the state of the
 * prospects in flight, so they are shown but not compared with the idle ones.)
 */
function soakGrowth(trialgram: TrialgramPhaseResult): number | undefined {
  const start = soakStart(trialgram);
  const end = trialgram.memory.find((mark) => mark.label === idleEndLabel);
  return start && end ? end.heapUsedBytes - start.heapUsedBytes : undefined;
}

function checkTargets(result: BenchmarkResult, figures: Figures): TargetCheck[] {
  const { trialgram } = result;
  const checks: TargetCheck[] = [];
  const cpuTarget = cpuRatioTargets[trialgram.store];
  const cpuSpread = figures.cpuRatioSpread;
  if (cpuTarget !== undefined && cpuSpread !== undefined) {
    checks.push({
      name: `CPU ratio (${trialgram.store} store)`,
      target: `≥ ${fixed(cpuTarget)}, median of ≥ 3 interleaved rounds`,
      measured: `${fixed(cpuSpread.median)} (${fixed(cpuSpread.min)}–${fixed(cpuSpread.max)} over ${result.rounds?.length ?? 1} rounds)`,
      met: cpuSpread.median >= cpuTarget && (result.rounds?.length ?? 1) >= 3,
    });
  }
  checks.push({
    name: 'studio calls per completed booking',
    target: `≤ ${maxStudioCallsPerBooking}, offers/config/studio from the shared cache`,
    measured: `${fixed(figures.flowCallsPerBooking)} (+ ${figures.sharedCalls} cached-endpoint calls in all)`,
    // Two decimals: the shared slot list is loaded a handful of times per run, not per booking.
    // Each studio of a chain has a cache of its own.
    met:
      Math.round(figures.flowCallsPerBooking * 100) / 100 <= maxStudioCallsPerBooking &&
      figures.sharedCalls <= sharedEndpoints.length * 2 * (result.options?.studios ?? 1),
  });
  const storage = trialgram.bot.storage;
  if (storage) {
    checks.push({
      name: 'stored bytes per active conversation',
      target: `≤ ${maxStoredBytesPerConversation}`,
      measured: `${Math.round(storage.largestPerConversation.max)} at most (mean ${Math.round(storage.largestPerConversation.mean)})`,
      met: storage.largestPerConversation.max <= maxStoredBytesPerConversation,
    });
  }
  if (figures.soakHeapGrowthBytes !== undefined) {
    const start = soakStart(trialgram);
    const allowed = Math.max(soakHeapToleranceBytes, (start?.heapUsedBytes ?? 0) * soakHeapToleranceShare);
    checks.push({
      name: 'memory over the soak run (heap after GC)',
      target: `no growth beyond noise (≤ ${mib(allowed)}, idle after the warm-up tenth vs. idle after the last)`,
      measured: `${figures.soakHeapGrowthBytes >= 0 ? '+' : ''}${mib(figures.soakHeapGrowthBytes)}`,
      met: figures.soakHeapGrowthBytes <= allowed,
    });
  }
  checks.push({
    name: 'no prospect left waiting for an answer',
    target: '0 flows stuck',
    measured: `${figures.stuckFlows} stuck`,
    met: figures.stuckFlows === 0,
  });
  const phases = (result.rounds ?? [{ baseline: result.baseline, trialgram }]).map(
    (round) => round.trialgram,
  );
  const prospects = phases.reduce((sum, phase) => sum + phase.prospects, 0);
  const landed = phases.reduce((sum, phase) => sum + phase.bookings.landedOnce, 0);
  checks.push({
    name: 'every booking landed exactly once',
    target: `${prospects} of ${prospects}${phases.length > 1 ? `, ${phases.length} rounds` : ''}`,
    measured: `${landed} of ${prospects}`,
    met: phases.every(landedExactlyOnce),
  });
  return checks;
}

// ---------------------------------------------------------------------------------------------
// Formatting

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const percent = (value: number) => `${Math.round(value * 100)} %`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const ratio = (value: number | undefined) => (value === undefined ? '' : `${value.toFixed(2)}×`);
const latencyCell = (summary: Summary) => `${ms(summary.p50)} / ${ms(summary.p95)} / ${ms(summary.p99)}`;
const thousands = (value: number) => Math.round(value).toLocaleString('en-US');

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function byKey(counts: Record<string, number>, digits: number): string {
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, value]) => `${key} ${fixed(value, digits)}`)
    .join(', ');
}

function phaseLine(name: string, phase: PhaseResult): string {
  return `${name}: ${phase.flowsCompleted}/${phase.prospects} prospects finished, ${thousands(phase.updates)} updates in ${phase.seconds.toFixed(1)} s`;
}

/** The human-readable report. */
export function formatReport(result: BenchmarkResult, figures: Figures = computeFigures(result)): string {
  const { trialgram, baseline, machine, options } = result;
  const tg = trialgram.bot;
  const base = baseline?.bot;
  const lines: string[] = [];
  lines.push(
    `trialgram benchmark — ${result.startedAt.slice(0, 10)}${result.commit ? `, commit ${result.commit}` : ''}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`,
  );
  lines.push(
    `${options.prospects} prospects, ${options.concurrency} concurrent, store: ${trialgram.storeDescription}${options.studios > 1 ? `, ${options.studios} studios (bookings: ${Object.values(trialgram.bookingsByStudio).join(' / ')})` : ''}${options.soak ? ', soak' : ''}; bot ${options.isolation === 'process' ? 'in its own process' : 'in the benchmark process'}`,
  );
  const load = machine.loadAverage;
  if (load) {
    lines.push(
      `machine load average (1/5/15 min): ${load.start.map((v) => v.toFixed(1)).join(' / ')} at the start, ${load.end.map((v) => v.toFixed(1)).join(' / ')} at the end`,
    );
  }
  const cpuSpread = figures.cpuRatioSpread;
  const wallSpread = figures.wallRatioSpread;
  if (cpuSpread && wallSpread) {
    lines.push('');
    lines.push(
      `CPU ratio (bare CPU per update / trialgram CPU per update): ${fixed(cpuSpread.median)} median, ${fixed(cpuSpread.min)} min, ${fixed(cpuSpread.max)} max over ${result.rounds?.length ?? 1} interleaved rounds`,
    );
    lines.push(
      `  CPU per update: trialgram ${fixed(figures.cpuPerUpdateMs.trialgram, 3)} ms, bare grammY ${fixed(figures.cpuPerUpdateMs.baseline ?? 0, 3)} ms (medians)`,
    );
    lines.push(
      `wall ratio (trialgram / bare updates per second): ${fixed(wallSpread.median)} median, ${fixed(wallSpread.min)}–${fixed(wallSpread.max)}`,
    );
  }
  for (const [index, round] of (result.rounds ?? []).entries()) {
    const ratio = cpuRatioOf(round);
    lines.push(
      `  round ${index + 1}: CPU ratio ${ratio === undefined ? '—' : fixed(ratio)}; ${round.trialgram.flowsCompleted}/${round.trialgram.prospects} booked, ${round.trialgram.flowsStuck} stuck`,
    );
  }
  lines.push('');
  lines.push('The table is the median round:');
  if (baseline) lines.push(phaseLine('baseline', baseline));
  lines.push(phaseLine('trialgram', trialgram));
  lines.push('');

  const rows: string[][] = [['', 'trialgram', 'bare grammY', 'ratio']];
  rows.push([
    'updates per second',
    fixed(trialgram.updatesPerSecond, 0),
    baseline ? fixed(baseline.updatesPerSecond, 0) : '',
    ratio(figures.throughputRatio),
  ]);
  rows.push([
    'latency per update, ms (p50 / p95 / p99)',
    latencyCell(tg.latencyMs),
    base ? latencyCell(base.latencyMs) : '',
    figures.latencyRatio
      ? `${fixed(figures.latencyRatio.p50)} / ${fixed(figures.latencyRatio.p95)} / ${fixed(figures.latencyRatio.p99)}`
      : '',
  ]);
  rows.push(['  without waiting for the studio', latencyCell(tg.latencyWithoutStudioMs), '', '']);
  rows.push(['  studio waits per update that calls it', latencyCell(tg.studioMsPerUpdate), '', '']);
  rows.push(['studio call round trip, ms (client side)', latencyCell(tg.studioCallMs), '', '']);
  rows.push([
    'sandbox service time, ms (inside the sandbox)',
    latencyCell(trialgram.sandboxServiceMs),
    '',
    '',
  ]);
  rows.push([
    'studio calls per completed booking',
    `${fixed(figures.flowCallsPerBooking)} + ${figures.sharedCalls} cached-endpoint calls in all`,
    '',
    '',
  ]);
  if (figures.loneStudioCallsPerBooking !== undefined) {
    rows.push([
      'studio calls for a lone prospect (cold cache)',
      fixed(figures.loneStudioCallsPerBooking, 0),
      '',
      '',
    ]);
  }
  rows.push([
    'Telegram API calls per booking',
    fixed(figures.telegramCallsPerBooking),
    baseline ? fixed(perBooking(baseline.telegramCalls, baseline.flowsCompleted)) : '',
    baseline
      ? ratio(figures.telegramCallsPerBooking / perBooking(baseline.telegramCalls, baseline.flowsCompleted))
      : '',
  ]);
  if (tg.storage) {
    rows.push([
      'stored bytes per active conversation',
      `mean ${thousands(tg.storage.largestPerConversation.mean)}, max ${thousands(tg.storage.largestPerConversation.max)}`,
      '',
      '',
    ]);
    rows.push([
      '  when finished',
      `mean ${thousands(tg.storage.finalPerConversation.mean)}; other per-user records ${thousands(tg.storage.otherBytes / Math.max(1, tg.storage.conversations))}`,
      '',
      '',
    ]);
  }
  if (tg.storage) {
    const writes = Object.entries(tg.storage.writes);
    const total = writes.reduce((sum, [, count]) => sum + count, 0);
    rows.push([
      'store writes per booking',
      `${fixed(perBooking(total, trialgram.flowsCompleted))} (${writes
        .map(([namespace, count]) => `${namespace} ${fixed(perBooking(count, trialgram.flowsCompleted))}`)
        .join(', ')})`,
      '',
      '',
    ]);
  }
  const cpuPerBooking = (phase: PhaseResult) => phase.bot.cpuMs / Math.max(1, phase.flowsCompleted);
  rows.push([
    'bot CPU time per booking, ms',
    fixed(cpuPerBooking(trialgram), 1),
    baseline ? fixed(cpuPerBooking(baseline), 1) : '',
    baseline ? ratio(cpuPerBooking(trialgram) / cpuPerBooking(baseline)) : '',
  ]);
  rows.push([
    '  bot process busy (CPU time / wall time)',
    percent(trialgram.bot.cpuMs / 1000 / trialgram.seconds),
    baseline ? percent(baseline.bot.cpuMs / 1000 / baseline.seconds) : '',
    '',
  ]);
  const loopDelay = (phase: PhaseResult) =>
    `${ms(phase.bot.eventLoopDelayMs.p50)} / ${ms(phase.bot.eventLoopDelayMs.p99)}`;
  rows.push([
    '  bot event loop delay, ms (p50 / p99)',
    loopDelay(trialgram),
    baseline ? loopDelay(baseline) : '',
    '',
  ]);
  rows.push([
    '  benchmark process busy (fake Telegram, sandbox, prospects)',
    percent(trialgram.benchmarkCpuMs / 1000 / trialgram.seconds),
    baseline ? percent(baseline.benchmarkCpuMs / 1000 / baseline.seconds) : '',
    '',
  ]);
  rows.push([
    'peak RSS of the bot process',
    mib(tg.peakRssBytes),
    base ? mib(base.peakRssBytes) : '',
    ratio(figures.peakRssRatio),
  ]);
  lines.push(table(rows));
  lines.push('');
  lines.push(
    `studio calls per booking by endpoint (sandbox count): ${byKey(figures.studioCallsPerBookingByEndpoint, 3)}`,
  );
  lines.push(
    `studio calls in all: ${Object.entries(trialgram.studioCallsByEndpoint)
      .map(([endpoint, count]) => `${endpoint} ${count}`)
      .join(', ')}`,
  );
  lines.push(
    `Telegram API calls per booking by method: ${byKey(figures.telegramCallsPerBookingByMethod, 2)}`,
  );
  const failures = Object.entries(tg.studioCallFailures);
  if (failures.length > 0)
    lines.push(`studio call failures: ${failures.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  const telegramErrors = Object.entries(tg.telegramErrors);
  if (telegramErrors.length > 0) {
    lines.push(`Telegram API errors: ${telegramErrors.map(([k, v]) => `${k} ×${v}`).join('; ')}`);
  }
  if (tg.logs.warnings > 0 || tg.handlerErrors > 0) {
    lines.push(`bot warnings/errors logged: ${tg.logs.warnings}; updates that threw: ${tg.handlerErrors}`);
  }
  const check = trialgram.bookings;
  lines.push(
    `bookings in the sandbox: ${check.landedOnce} of ${check.expected} confirmed flows landed exactly once` +
      (check.missing + check.duplicated + check.notConfirmed + check.stray > 0
        ? ` (missing ${check.missing}, duplicated ${check.duplicated}, not confirmed ${check.notConfirmed}, stray ${check.stray})`
        : ''),
  );
  for (const problem of check.problems) lines.push(`  ${problem}`);
  for (const [name, phase] of [
    ['baseline', baseline],
    ['trialgram', trialgram],
  ] as const) {
    if (!phase || phase.failures.length === 0) continue;
    lines.push(
      `${name} prospects that did not finish: ${phase.flowsFailed} (${phase.flowsStuck} stuck, waiting for an answer that never came)`,
    );
    for (const failure of phase.failures)
      lines.push(`  ${failure.count} × at "${failure.step}": ${failure.reason}`);
  }
  if (trialgram.memory.length > 0) {
    lines.push('');
    lines.push('bot memory (heap after a full GC / RSS):');
    for (const mark of trialgram.memory) {
      lines.push(
        `  ${mark.label.padEnd(28)} ${mib(mark.heapUsedBytes).padStart(10)} / ${mib(mark.rssBytes)}`,
      );
    }
  }
  lines.push('');
  lines.push(
    table([
      ['target', 'goal', 'measured', ''],
      ...figures.targets.map((t) => [t.name, t.target, t.measured, t.met ? 'met' : 'MISSED']),
    ]),
  );
  return lines.join('\n');
}

/**
 * `npm run bench`'s exit code for a finished run: 1 when a booking did not land exactly once or a
 * prospect got stuck waiting for an answer (the run is not trustworthy), else 0.
 */
export function exitCode(result: BenchmarkResult): 0 | 1 {
  const phases = [
    ...(result.rounds ?? [{ baseline: result.baseline, trialgram: result.trialgram }]).map(
      (round) => round.trialgram,
    ),
    ...(result.lone ? [result.lone] : []),
  ];
  return phases.every((phase) => landedExactlyOnce(phase) && phase.flowsStuck === 0) ? 0 : 1;
}

function landedExactlyOnce(phase: TrialgramPhaseResult): boolean {
  return phase.bookings.landedOnce === phase.prospects && phase.bookings.stray === 0;
}

/** The JSON report: the raw result plus the derived figures and target checks. */
export function formatJson(result: BenchmarkResult): string {
  return JSON.stringify({ ...result, figures: computeFigures(result) }, null, 2);
}
