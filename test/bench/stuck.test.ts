/**
 * The benchmark's count of stuck flows: a prospect who waits a whole step timeout for an answer
 * that never comes is stuck, is reported, and makes `npm run bench` exit non-zero.
 */
import { Bot } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchmarkResult } from '../../bench/benchmark.ts';
import { chatWithBaseline } from '../../bench/prospects.ts';
import { computeFigures, exitCode } from '../../bench/report.ts';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';

let fake: FakeTelegram | undefined;
let bot: Bot | undefined;
afterEach(async () => {
  await bot?.stop();
  await fake?.close();
  bot = undefined;
  fake = undefined;
});

/** A bot that answers every message but one: the reply to that one is lost. */
async function botThatLoses(lostText: string): Promise<FakeTelegram> {
  const telegram = await createFakeTelegram();
  fake = telegram;
  const replier = new Bot(telegram.token, {
    botInfo: telegram.botInfo,
    client: { apiRoot: telegram.apiRoot },
  });
  bot = replier;
  replier.on('message:text', async (ctx) => {
    if (ctx.message.text !== lostText) await ctx.reply('ok');
  });
  await new Promise<void>((resolve) => {
    void replier.start({ onStart: () => resolve() });
  });
  return telegram;
}

describe('a prospect whose answer never comes', () => {
  it('is counted stuck at the step that got no answer', async () => {
    const telegram = await botThatLoses('hello 2');
    const outcome = await chatWithBaseline(telegram, 0, 3, {
      stepTimeoutMs: 500,
      deadlineAt: Date.now() + 60_000,
    });
    expect(outcome).toMatchObject({ completed: false, stuck: true, failedStep: 'message 2', updatesSent: 2 });
  });

  it('is not stuck when the run deadline ended the wait', async () => {
    const telegram = await botThatLoses('hello 1');
    const outcome = await chatWithBaseline(telegram, 0, 3, {
      stepTimeoutMs: 60_000,
      deadlineAt: Date.now() + 300,
    });
    expect(outcome).toMatchObject({ completed: false, stuck: false, failedStep: 'message 1' });
  });

  it('makes the report show stuckFlows and the run exit 1', () => {
    const result = resultWith({ flowsStuck: 1 });
    const figures = computeFigures(result);
    expect(figures.stuckFlows).toBe(1);
    expect(
      figures.targets.find((target) => target.name === 'no prospect left waiting for an answer'),
    ).toMatchObject({
      measured: '1 stuck',
      met: false,
    });
    expect(exitCode(result)).toBe(1);
    expect(exitCode(resultWith({ flowsStuck: 0 }))).toBe(0);
  });
});

/** The parts of a run's result the figures and the exit code read; everything landed. */
function resultWith(trialgram: { flowsStuck: number }): BenchmarkResult {
  const summary = { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    baseline: undefined,
    trialgram: {
      prospects: 2,
      flowsCompleted: 2 - trialgram.flowsStuck,
      flowsStuck: trialgram.flowsStuck,
      store: 'memory',
      studioCallsByEndpoint: {},
      telegramCalls: 0,
      bookings: {
        expected: 2,
        landedOnce: 2,
        missing: 0,
        duplicated: 0,
        notConfirmed: 0,
        stray: 0,
        problems: [],
      },
      memory: [],
      bot: { telegramCallsByMethod: {}, latencyMs: summary, storage: undefined, peakRssBytes: 0 },
    },
  } as unknown as BenchmarkResult;
}
