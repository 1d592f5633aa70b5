import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, defaultBenchOptions, parseBenchArgs } from '../../bench/options.ts';

describe('npm run bench flags', () => {
  it('defaults to 2,000 prospects, 200 at a time, on the embedded store', () => {
    expect(parseBenchArgs([])).toEqual({ help: false, options: defaultBenchOptions });
    expect(defaultBenchOptions).toMatchObject({ prospects: 2000, concurrency: 200, store: 'embedded' });
  });

  it('reads every flag, with or without "="', () => {
    expect(
      parseBenchArgs([
        '--concurrency',
        '50',
        '--prospects=300',
        '--rounds',
        '5',
        '--store',
        'redis',
        '--studios=3',
        '--json',
        '--soak',
        '--cpu-profile',
      ]),
    ).toEqual({
      help: false,
      options: {
        concurrency: 50,
        prospects: 300,
        rounds: 5,
        store: 'redis',
        studios: 3,
        json: true,
        soak: true,
        cpuProfile: true,
        reminders: false,
        reminderCount: 10_000,
        reminderRate: 25,
      },
    });
    expect(parseBenchArgs(['--json', '--help'])).toEqual({ help: true });
  });

  it('reads the reminder burst flags', () => {
    const parsed = parseBenchArgs(['--reminders', '--reminder-rate', '400', '--reminder-count=2000']);
    expect(parsed).toMatchObject({ options: { reminders: true, reminderRate: 400, reminderCount: 2000 } });
    expect(() => parseBenchArgs(['--reminder-rate', '1001'])).toThrow(
      '--reminder-rate must be between 1 and 1000',
    );
  });

  it.each([
    [['--concurrency'], '--concurrency needs a number'],
    [['--concurrency', '--json'], '--concurrency needs a number'],
    [['--prospects', '0'], '--prospects must be between 1 and'],
    [['--prospects', '2.5'], '--prospects must be a whole number'],
    [['--store', 'postgres'], '--store must be one of embedded, memory, redis'],
    [['--json=yes'], '--json takes no value'],
    [['--fast'], 'unknown option "--fast"'],
  ])('refuses %j', (args, message) => {
    expect(() => parseBenchArgs(args)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(args)).toThrow(message);
  });

  it('makes `npm run bench` exit with 2, the reason and the usage on a wrong flag, before running anything', () => {
    const run = spawnSync(process.execPath, ['bench/run.ts', '--prospects', 'many'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('npm run bench: --prospects must be a whole number, got "many"');
    expect(run.stderr).toContain('Usage: npm run bench -- [options]');
    expect(run.stdout).toBe('');
  });
});
