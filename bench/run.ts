/**
 * `npm run bench -- [--concurrency N] [--prospects N] [--store embedded|memory|redis] [--studios N] [--json] [--soak]`
 * `npm run bench -- --reminders [--reminder-count N] [--reminder-rate N] [--store …]`
 *
 * Exit codes: 0 the run finished (targets missed or not: the report says which), 1 the run itself
 * failed, a prospect's booking did not land exactly once (the figures would not be trustworthy),
 * a prospect got stuck waiting for an answer that never came, or (--reminders) a reminder was not
 * sent exactly once or the rate was exceeded, 2 wrong flags.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark, runOptionsFrom } from './benchmark.ts';
import { BenchUsageError, parseBenchArgs, usage } from './options.ts';
import { formatReminderBurst, runReminderBurst } from './reminder-burst.ts';
import { exitCode, formatJson, formatReport } from './report.ts';

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseBenchArgs>;
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`npm run bench: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(usage);
    return 0;
  }
  const { options } = parsed;
  const progress = (line: string) =>
    process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  if (options.reminders) {
    const burst = await runReminderBurst({
      count: options.reminderCount,
      rate: options.reminderRate,
      store: options.store,
      progress,
    });
    process.stdout.write(`${options.json ? JSON.stringify(burst, null, 2) : formatReminderBurst(burst)}\n`);
    return burst.ok ? 0 : 1;
  }
  const profileDir = options.cpuProfile
    ? await mkdtemp(join(tmpdir(), 'trialgram-bench-profile-'))
    : undefined;
  const result = await runBenchmark(runOptionsFrom(options, progress, profileDir));
  if (profileDir) progress(`CPU profiles of the bots' processes: ${profileDir}`);
  process.stdout.write(`${options.json ? formatJson(result) : formatReport(result)}\n`);
  return exitCode(result);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
