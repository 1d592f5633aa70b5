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
        json: true,
        soak: true,
        cpuProfile: true,
      },
    });
    expect(parseBenchArgs(['--json', '--help'])).toEqual({ help: true });
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
});
