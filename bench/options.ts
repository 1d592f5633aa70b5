/**
 * The benchmark's command line: `npm run bench -- [flags]`. Parsing is pure so the CLI and tests
 * share it; a mistake becomes a BenchUsageError whose message the CLI prints before exiting with 2.
 */

export const storeKinds = ['embedded', 'memory', 'redis'] as const;
export type StoreKind = (typeof storeKinds)[number];

export interface BenchOptions {
  /** Prospects talking to the bot at the same time. */
  concurrency: number;
  /** Prospects in all; each completes one booking. Soak mode runs ten times as many. */
  prospects: number;
  /** Rounds of baseline and trialgram, interleaved; the CPU ratio is their median. Soak: one. */
  rounds: number;
  store: StoreKind;
  json: boolean;
  soak: boolean;
  /** Write a CPU profile of the bot's process (V8 .cpuprofile) into a temporary directory. */
  cpuProfile: boolean;
}

export const defaultBenchOptions: BenchOptions = {
  concurrency: 200,
  prospects: 2_000,
  rounds: 3,
  store: 'embedded',
  json: false,
  soak: false,
  cpuProfile: false,
};

/** How much longer a soak run is than a normal one. */
export const soakFactor = 10;

const maxProspects = 1_000_000;
const maxConcurrency = 10_000;
const maxRounds = 100;

export const usage = `Usage: npm run bench -- [options]

Simulates prospects booking a trial through the real bot (grammY, the session store, the
PerfectGym client, the sandbox studio over loopback HTTP, the fake Telegram Bot API), and a bare
grammY bot driven the same way as the baseline, in interleaved rounds, then one prospect alone.
Prints the CPU ratio (bare CPU per update / trialgram CPU per update) and a table of the results.

Options:
  --concurrency N   prospects talking to the bot at the same time (default ${defaultBenchOptions.concurrency})
  --prospects N     prospects in all, one booking each (default ${defaultBenchOptions.prospects})
  --rounds N        rounds of baseline and trialgram, interleaved, each on fresh processes; the
                    CPU ratio reported is their median (default ${defaultBenchOptions.rounds})
  --store KIND      embedded (SQLite in a temporary directory), memory, or redis
                    (127.0.0.1:6379, keys under a prefix of the run's own, deleted afterwards);
                    default embedded
  --json            print the results as JSON instead of a table
  --soak            ${soakFactor} times as many prospects, no baseline; reports the bot's memory along the way
  --cpu-profile     also write a CPU profile of each bot's process (open it in Chrome DevTools)
  --help            show this text
`;

export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

export type ParsedArgs = { help: true } | { help: false; options: BenchOptions };

function positiveInteger(flag: string, raw: string | undefined, max: number): number {
  if (raw === undefined || raw.startsWith('--')) throw new BenchUsageError(`${flag} needs a number`);
  if (!/^\d+$/.test(raw)) throw new BenchUsageError(`${flag} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < 1 || value > max) throw new BenchUsageError(`${flag} must be between 1 and ${max}, got ${raw}`);
  return value;
}

/** Parses the flags after `npm run bench --`; throws BenchUsageError on anything it does not know. */
export function parseBenchArgs(argv: readonly string[]): ParsedArgs {
  const options: BenchOptions = { ...defaultBenchOptions };
  const args = [...argv];
  while (args.length > 0) {
    const arg = args.shift() as string;
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg];
    const value = (): string | undefined => (inlineValue !== undefined ? inlineValue : args.shift());
    const noValue = () => {
      if (inlineValue !== undefined) throw new BenchUsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { help: true };
      case '--concurrency':
        options.concurrency = positiveInteger('--concurrency', value(), maxConcurrency);
        break;
      case '--prospects':
        options.prospects = positiveInteger('--prospects', value(), maxProspects);
        break;
      case '--rounds':
        options.rounds = positiveInteger('--rounds', value(), maxRounds);
        break;
      case '--store': {
        const kind = value();
        if (!storeKinds.includes(kind as StoreKind)) {
          throw new BenchUsageError(`--store must be one of ${storeKinds.join(', ')}, got "${kind ?? ''}"`);
        }
        options.store = kind as StoreKind;
        break;
      }
      case '--json':
        noValue();
        options.json = true;
        break;
      case '--soak':
        noValue();
        options.soak = true;
        break;
      case '--cpu-profile':
        noValue();
        options.cpuProfile = true;
        break;
      default:
        throw new BenchUsageError(`unknown option "${arg}" (see --help)`);
    }
  }
  return { help: false, options };
}
