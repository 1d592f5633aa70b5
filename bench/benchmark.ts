/**
 * One benchmark run: the baseline (a bare grammY bot) and trialgram, each driven by simulated
 * prospects through the fake Telegram Bot API, trialgram booking at the sandbox studio over
 * loopback HTTP. Everything listens on 127.0.0.1, every wait has a timeout, and whatever the run
 * set up (servers, the bot's process, temporary files, Redis keys) is removed when it ends.
 */
import { execFileSync } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createFakeTelegram, type FakeTelegram } from '../src/fake-telegram/index.ts';
import { createSandbox, type Sandbox, type SandboxSnapshot } from '../src/sandbox/index.ts';
import { type BotHost, type HostedReport, hostBot, type Isolation } from './bot-host.ts';
import type { BotSpec } from './bots.ts';
import { cpuMsSince, type MemoryMark } from './instrument.ts';
import { type BenchOptions, type StoreKind, soakFactor } from './options.ts';
import {
  bookTrial,
  chatWithBaseline,
  type DriveLimits,
  type FlowOutcome,
  forEachConcurrently,
  loadLocaleTexts,
  updatesPerBooking,
} from './prospects.ts';
import { benchmarkClassIds, benchmarkSeed } from './seed.ts';
import { Histogram, type Summary } from './stats.ts';
import { prepareStorage } from './storage.ts';

export interface RunOptions {
  prospects: number;
  concurrency: number;
  store: StoreKind;
  soak: boolean;
  /** Studios of the sandbox chain, prospect i booking at studio i mod N. Default 1 (no chain). */
  studios?: number;
  /** Also drive the bare grammY bot (default: yes, except in soak mode). */
  baseline?: boolean;
  /**
   * Rounds of baseline and trialgram, interleaved (baseline first in odd rounds, trialgram first
   * in even ones), each on fresh processes. Default 1.
   */
  rounds?: number;
  /** Afterwards, one prospect alone on a fresh trialgram: studio calls with a cold cache. Default false. */
  lone?: boolean;
  /** Where the bot runs; see bot-host.ts. Default 'process'. */
  isolation?: Isolation;
  /** How long one prospect waits for one answer. Default 30 s. */
  stepTimeoutMs?: number;
  /** No prospect step starts after this long. Default 20 minutes (60 in soak mode). */
  maxRunMs?: number;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  /** Where the bots' processes write their CPU profiles (process isolation only). */
  cpuProfileDir?: string;
  /** Tests: injects faults into the fake Telegram of the trialgram phase before prospects start. */
  telegramFaults?: (fake: FakeTelegram) => void;
}

export interface FailureGroup {
  step: string;
  reason: string;
  count: number;
}

export interface PhaseResult {
  prospects: number;
  concurrency: number;
  flowsCompleted: number;
  flowsFailed: number;
  /** Failed flows whose prospect waited a whole step timeout for an answer that never came. */
  flowsStuck: number;
  /** The most frequent reasons, at most ten. */
  failures: FailureGroup[];
  updates: number;
  seconds: number;
  updatesPerSecond: number;
  /**
   * CPU time of the benchmark's own process while prospects were driven: the fake Telegram, the
   * sandbox studio and the prospects (and the bot too, when it runs in-process).
   */
  benchmarkCpuMs: number;
  bot: HostedReport;
  /** Bot API calls the bot made while handling updates. */
  telegramCalls: number;
}

export interface BookingCheck {
  /** Prospects who saw their booking confirmed. */
  expected: number;
  /** …whose lead and confirmed booking are in the sandbox exactly once. */
  landedOnce: number;
  missing: number;
  duplicated: number;
  notConfirmed: number;
  /** Bookings in the sandbox that belong to no completed prospect. */
  stray: number;
  problems: string[];
}

export interface TrialgramPhaseResult extends PhaseResult {
  store: StoreKind;
  storeDescription: string;
  bookings: BookingCheck;
  /** Calls the sandbox received, by endpoint (its own count). */
  studioCallsByEndpoint: Record<string, number>;
  studioCalls: number;
  /** Confirmed bookings that landed once, by studio id (every studio's own sandbox state). */
  bookingsByStudio: Record<string, number>;
  /** Time inside the sandbox per request: request received to response finished. */
  sandboxServiceMs: Summary;
  /** Soak mode: readings of the bot's memory as the run went on. */
  memory: MemoryMark[];
}

export interface Round {
  baseline: PhaseResult | undefined;
  trialgram: TrialgramPhaseResult;
}

export interface BenchmarkResult {
  startedAt: string;
  /** The commit measured (`git describe --always --dirty`), when the benchmark runs in a git checkout. */
  commit?: string | undefined;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    /** 1, 5 and 15 minute load averages as the run began and as it ended: how shared the machine was. */
    loadAverage: { start: number[]; end: number[] };
  };
  options: {
    prospects: number;
    concurrency: number;
    store: StoreKind;
    soak: boolean;
    isolation: Isolation;
    rounds: number;
    studios: number;
  };
  /** Every round, in the order run. */
  rounds?: Round[];
  /** The median round (by CPU ratio, else the first): the detailed figures are its. */
  baseline: PhaseResult | undefined;
  trialgram: TrialgramPhaseResult;
  /** One prospect alone on a fresh bot (cold cache). */
  lone?: TrialgramPhaseResult | undefined;
}

const defaultStepTimeoutMs = 30_000;
/** Soak readings taken with no prospect in flight. */
export const idleStartLabel = 'before the first prospect';
/** Soak: idle after the warm-up tenth; growth is measured from here. */
export const idleWarmLabel = 'after the warm-up (idle)';
export const idleEndLabel = 'after the last prospect';
const minutes = 60_000;

/** Turns the CLI's options into a run (soak mode: ten times the prospects, no baseline). */
export function runOptionsFrom(
  options: BenchOptions,
  progress?: (line: string) => void,
  cpuProfileDir?: string,
): RunOptions {
  return {
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
    prospects: options.soak ? options.prospects * soakFactor : options.prospects,
    concurrency: options.concurrency,
    store: options.store,
    soak: options.soak,
    studios: options.studios,
    rounds: options.soak ? 1 : options.rounds,
    lone: !options.soak,
    ...(progress ? { progress } : {}),
  };
}

/** Bot CPU time per update handled, in ms. */
export function cpuPerUpdateMs(phase: PhaseResult): number {
  return phase.bot.cpuMs / Math.max(1, phase.bot.updatesHandled);
}

/** bare CPU per update / trialgram CPU per update: 1 is as cheap as the bare bot. */
export function cpuRatioOf(round: Round): number | undefined {
  return round.baseline ? cpuPerUpdateMs(round.baseline) / cpuPerUpdateMs(round.trialgram) : undefined;
}

export async function runBenchmark(options: RunOptions): Promise<BenchmarkResult> {
  const isolation = options.isolation ?? 'process';
  const progress = options.progress ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const deadlineAt = Date.now() + (options.maxRunMs ?? (options.soak ? 60 : 20) * minutes);
  const limits: DriveLimits = { stepTimeoutMs: options.stepTimeoutMs ?? defaultStepTimeoutMs, deadlineAt };

  const loadAtStart = loadavg();
  const withBaseline = options.baseline ?? !options.soak;
  const roundCount = Math.max(1, options.rounds ?? 1);
  const rounds: Round[] = [];
  for (let index = 0; index < roundCount; index++) {
    if (roundCount > 1) progress(`round ${index + 1} of ${roundCount}`);
    const baselineFirst = index % 2 === 0;
    let baseline: PhaseResult | undefined;
    if (withBaseline && baselineFirst)
      baseline = await runBaselinePhase(options, isolation, limits, progress);
    const trialgram = await runTrialgramPhase(options, isolation, limits, progress);
    if (withBaseline && !baselineFirst)
      baseline = await runBaselinePhase(options, isolation, limits, progress);
    rounds.push({ baseline, trialgram });
    const ratio = cpuRatioOf({ baseline, trialgram });
    if (ratio !== undefined) progress(`round ${index + 1}: CPU ratio ${ratio.toFixed(2)}`);
  }
  const lone = options.lone
    ? await runTrialgramPhase(
        { ...options, prospects: 1, concurrency: 1, soak: false },
        isolation,
        limits,
        progress,
      )
    : undefined;
  const median = medianRound(rounds);
  const cpuList = cpus();
  return {
    startedAt,
    commit: measuredCommit(),
    machine: {
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverage: { start: loadAtStart, end: loadavg() },
    },
    options: {
      prospects: options.prospects,
      concurrency: options.concurrency,
      store: options.store,
      soak: options.soak,
      isolation,
      rounds: roundCount,
      studios: options.studios ?? 1,
    },
    rounds,
    baseline: median.baseline,
    trialgram: median.trialgram,
    lone,
  };
}

function measuredCommit(): string | undefined {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** The round whose CPU ratio is the median (the lower middle one for an even count). */
function medianRound(rounds: Round[]): Round {
  const ranked = [...rounds].sort((a, b) => (cpuRatioOf(a) ?? 0) - (cpuRatioOf(b) ?? 0));
  return ranked[Math.floor((ranked.length - 1) / 2)] as Round;
}

async function runBaselinePhase(
  options: RunOptions,
  isolation: Isolation,
  limits: DriveLimits,
  progress: (line: string) => void,
): Promise<PhaseResult> {
  const fake = await createFakeTelegram();
  try {
    const spec: BotSpec = { kind: 'baseline', telegram: { token: fake.token, apiRoot: fake.apiRoot } };
    const host = await hostBot(spec, isolation, options.cpuProfileDir);
    return await withHost(host, async () => {
      progress(
        `baseline: ${options.prospects} prospects × ${updatesPerBooking} messages, ${options.concurrency} at a time`,
      );
      const drive = await drivePhase('baseline', options, progress, (index) =>
        chatWithBaseline(fake, index, updatesPerBooking, limits),
      );
      const bot = await host.finish();
      return phaseResult(options, drive, bot);
    });
  } finally {
    await fake.close();
  }
}

async function runTrialgramPhase(
  options: RunOptions,
  isolation: Isolation,
  limits: DriveLimits,
  progress: (line: string) => void,
): Promise<TrialgramPhaseResult> {
  const text = loadLocaleTexts();
  const seed = benchmarkSeed(Date.now(), options.prospects + 100);
  const classIds = benchmarkClassIds(seed);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const studioCount = options.studios ?? 1;
    // A chain: the same seed at every studio, each its own state behind its own (random) key.
    const sandbox = await createSandbox({
      rateLimitPerMinute: false,
      ...(studioCount > 1
        ? { studios: Array.from({ length: studioCount }, (_, i) => ({ id: `studio-${i + 1}`, seed })) }
        : { seed }),
    });
    const chain = studioCount > 1 ? sandbox.studios : undefined;
    cleanups.push(() => sandbox.close());
    const serviceTimes = timeSandboxRequests(sandbox);
    cleanups.push(async () => serviceTimes.stop());
    const fake = await createFakeTelegram();
    cleanups.push(() => fake.close());
    const storage = await prepareStorage(options.store);
    cleanups.push(() => storage.cleanup());

    const spec: BotSpec = {
      kind: 'trialgram',
      telegram: { token: fake.token, apiRoot: fake.apiRoot },
      studio: { url: sandbox.url, apiKey: sandbox.apiKey },
      ...(chain
        ? {
            chain: chain.map((studio) => ({
              id: studio.id,
              url: sandbox.url,
              apiKey: studio.apiKey,
              timeZone: studio.zone,
            })),
          }
        : {}),
      storageUrl: storage.url,
      // Sizes are kept per conversation, which would grow the bot's heap over a soak run.
      recordStoredSizes: !options.soak,
    };
    const host = await hostBot(spec, isolation, options.cpuProfileDir);
    return await withHost(host, async () => {
      const memory: MemoryMark[] = [];
      if (options.soak) memory.push(await host.markMemory(idleStartLabel));
      const marks = options.soak ? soakMarks(options.prospects) : new Map<number, string>();
      options.telegramFaults?.(fake);
      progress(
        `trialgram (${storage.description}): ${options.prospects} prospects booking a trial, ${options.concurrency} at a time`,
      );
      const book = (index: number) =>
        bookTrial(
          fake,
          index,
          classIds[index % classIds.length] as number,
          text,
          limits,
          chain?.[index % chain.length]?.id,
        );
      // Soak: the first tenth warms the bot up (modules loaded on first use, compiled code, caches
      // filled); growth is measured from the idle reading after it.
      const warmUp = options.soak ? Math.max(1, Math.round(options.prospects / 10)) : 0;
      const warm =
        warmUp > 0
          ? await drivePhase('trialgram warm-up', { ...options, prospects: warmUp }, progress, book)
          : undefined;
      if (warm) memory.push(await host.markMemory(idleWarmLabel));
      const rest = await drivePhase(
        'trialgram',
        { ...options, prospects: options.prospects - warmUp },
        progress,
        (index) => book(warmUp + index),
        async (completed) => {
          const label = marks.get(warmUp + completed);
          if (label !== undefined) memory.push(await host.markMemory(label));
        },
      );
      const drive: DriveResult = warm
        ? {
            outcomes: [...warm.outcomes, ...rest.outcomes],
            seconds: warm.seconds + rest.seconds,
            cpuMs: warm.cpuMs + rest.cpuMs,
          }
        : rest;
      if (options.soak) memory.push(await host.markMemory(idleEndLabel));
      const bot = await host.finish();
      const studios = chain ?? [sandbox];
      // Each studio's state is checked against its own prospects (i mod N), and the checks summed.
      const checks = studios.map((studio, at) =>
        checkBookings(
          studio.snapshot(),
          drive.outcomes.map((outcome, index) =>
            index % studios.length === at ? outcome : { ...outcome, completed: false },
          ),
        ),
      );
      const studioCallsByEndpoint: Record<string, number> = {};
      for (const studio of studios) {
        for (const [endpoint, count] of Object.entries(studio.callCounts())) {
          if (count > 0) studioCallsByEndpoint[endpoint] = (studioCallsByEndpoint[endpoint] ?? 0) + count;
        }
      }
      return {
        ...phaseResult(options, drive, bot),
        store: options.store,
        storeDescription: storage.description,
        bookings: sumChecks(checks),
        bookingsByStudio: Object.fromEntries(
          studios.map((studio, at) => [studio.id, checks[at]?.landedOnce ?? 0]),
        ),
        studioCallsByEndpoint,
        studioCalls: Object.values(studioCallsByEndpoint).reduce((sum, count) => sum + count, 0),
        sandboxServiceMs: serviceTimes.summary(),
        memory,
      };
    });
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) =>
        progress(`cleaning up failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }
}

/** Runs `work` with the bot up; if anything fails, the bot's process is ended too. */
async function withHost<T>(host: BotHost, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    host.abort();
    throw error;
  }
}

interface DriveResult {
  outcomes: FlowOutcome[];
  seconds: number;
  cpuMs: number;
}

async function drivePhase(
  name: string,
  options: RunOptions,
  progress: (line: string) => void,
  prospect: (index: number) => Promise<FlowOutcome>,
  afterEach?: (completed: number) => Promise<void>,
): Promise<DriveResult> {
  const outcomes: FlowOutcome[] = [];
  let finished = 0;
  let lastReport = performance.now();
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  await forEachConcurrently(options.prospects, options.concurrency, async (index) => {
    outcomes[index] = await prospect(index);
    finished += 1;
    await afterEach?.(finished);
    const now = performance.now();
    if (now - lastReport >= 5_000) {
      lastReport = now;
      progress(`${name}: ${finished}/${options.prospects} prospects done`);
    }
  });
  return { outcomes, seconds: (performance.now() - started) / 1000, cpuMs: cpuMsSince(cpuAtStart) };
}

function phaseResult(options: RunOptions, drive: DriveResult, bot: HostedReport): PhaseResult {
  const completed = drive.outcomes.filter((outcome) => outcome.completed).length;
  const updates = drive.outcomes.reduce((sum, outcome) => sum + outcome.updatesSent, 0);
  return {
    prospects: options.prospects,
    concurrency: Math.min(options.concurrency, options.prospects),
    flowsCompleted: completed,
    flowsFailed: drive.outcomes.length - completed,
    flowsStuck: drive.outcomes.filter((outcome) => outcome.stuck).length,
    failures: groupFailures(drive.outcomes),
    updates,
    seconds: drive.seconds,
    updatesPerSecond: updates / drive.seconds,
    benchmarkCpuMs: drive.cpuMs,
    bot,
    telegramCalls: Object.values(bot.telegramCallsByMethod).reduce((sum, count) => sum + count, 0),
  };
}

function groupFailures(outcomes: FlowOutcome[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const outcome of outcomes) {
    if (outcome.completed) continue;
    const step = outcome.failedStep ?? '?';
    // Numbers differ from prospect to prospect; without them, equal failures group together.
    const reason = (outcome.reason ?? '').replace(/\d+/g, 'N');
    const key = `${step}\n${reason}`;
    const group = groups.get(key) ?? { step, reason, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, 10);
}

/** Soak readings during the run, after 10 %, 20 %, … 90 % of the prospects. */
function soakMarks(prospects: number): Map<number, string> {
  const marks = new Map<number, string>();
  for (let tenth = 1; tenth <= 9; tenth++) {
    marks.set(Math.max(1, Math.round((prospects * tenth) / 10)), `after ${tenth * 10} % of the prospects`);
  }
  return marks;
}

/**
 * Times every request the sandbox serves, from Node's HTTP server diagnostics: request parsed to
 * response finished, which is the sandbox's own service time (the bot's wait on top of it is
 * loopback, connection pool and event-loop queueing).
 */
function timeSandboxRequests(sandbox: Sandbox): { summary(): Summary; stop(): void } {
  const port = Number(new URL(sandbox.url).port);
  const started = new WeakMap<object, number>();
  const samples = new Histogram();
  const onStart = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (request.socket.localPort === port) started.set(response, performance.now());
  };
  const onFinish = (message: unknown) => {
    const { response } = message as { response: ServerResponse };
    const start = started.get(response);
    if (start !== undefined) samples.push(performance.now() - start);
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return {
    summary: () => samples.summary(),
    stop() {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

/** The checks of several studios as one. */
function sumChecks(checks: BookingCheck[]): BookingCheck {
  const sum = (key: Exclude<keyof BookingCheck, 'problems'>) =>
    checks.reduce((total, check) => total + check[key], 0);
  return {
    expected: sum('expected'),
    landedOnce: sum('landedOnce'),
    missing: sum('missing'),
    duplicated: sum('duplicated'),
    notConfirmed: sum('notConfirmed'),
    stray: sum('stray'),
    problems: checks.flatMap((check) => check.problems).slice(0, 10),
  };
}

/**
 * Every prospect who saw their booking confirmed must have exactly one lead (found by the e-mail
 * address they typed) and exactly one booking for it, confirmed, in the sandbox; and the sandbox
 * must hold no booking beyond those.
 */
export function checkBookings(snapshot: SandboxSnapshot, outcomes: FlowOutcome[]): BookingCheck {
  const leadsByEmail = new Map<string, number[]>();
  for (const lead of snapshot.leads) {
    const email = (lead.leadCustomerData as { email?: unknown } | null)?.email;
    if (typeof email !== 'string') continue;
    leadsByEmail.set(email, [...(leadsByEmail.get(email) ?? []), lead.id]);
  }
  const bookingsByCustomer = new Map<number, SandboxSnapshot['bookings']>();
  for (const booking of snapshot.bookings) {
    bookingsByCustomer.set(booking.customerId, [
      ...(bookingsByCustomer.get(booking.customerId) ?? []),
      booking,
    ]);
  }
  const check: BookingCheck = {
    expected: 0,
    landedOnce: 0,
    missing: 0,
    duplicated: 0,
    notConfirmed: 0,
    stray: 0,
    problems: [],
  };
  const accounted = new Set<number>();
  const problem = (line: string) => {
    if (check.problems.length < 10) check.problems.push(line);
  };
  outcomes.forEach((outcome, index) => {
    if (!outcome.completed) return;
    check.expected += 1;
    const leads = leadsByEmail.get(outcome.email) ?? [];
    const bookings = leads.flatMap((leadId) => bookingsByCustomer.get(leadId) ?? []);
    for (const booking of bookings) accounted.add(booking.id);
    if (leads.length === 0 || bookings.length === 0) {
      check.missing += 1;
      problem(`prospect ${index}: ${leads.length} lead(s), no booking`);
    } else if (leads.length > 1 || bookings.length > 1) {
      check.duplicated += 1;
      problem(`prospect ${index}: ${leads.length} lead(s), ${bookings.length} booking(s)`);
    } else if (bookings[0]?.status === 'CANCELED' || bookings[0]?.confirmation.state !== 'CONFIRMED') {
      check.notConfirmed += 1;
      problem(
        `prospect ${index}: booking ${bookings[0]?.status}, confirmation ${bookings[0]?.confirmation.state}`,
      );
    } else {
      check.landedOnce += 1;
    }
  });
  check.stray = snapshot.bookings.filter((booking) => !accounted.has(booking.id)).length;
  if (check.stray > 0) problem(`${check.stray} booking(s) in the sandbox belong to no prospect who finished`);
  return check;
}
