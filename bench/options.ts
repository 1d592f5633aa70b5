/**
 * The benchmark's command line: `npm run bench -- [flags]`. Parsing is pure so the CLI and tests
 * share it; a mistake becomes a BenchUsageError whose message the CLI prints before exiting with 2.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

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
  /** Studios of the sandbox chain the prospects are spread over (prospect i: studio i mod N). */
  studios: number;
  json: boolean;
  soak: boolean;
  /** Write a CPU profile of the bot's process (V8 .cpuprofile) into a temporary directory. */
  cpuProfile: boolean;
  /** The reminder burst instead of the booking benchmark (see reminder-burst.ts). */
  reminders: boolean;
  /** Reminders due in the same minute. */
  reminderCount: number;
  /** REMINDER_RATE of the sending process. */
  reminderRate: number;
}

export const defaultBenchOptions: BenchOptions = {
  concurrency: 200,
  prospects: 2_000,
  rounds: 3,
  store: 'embedded',
  studios: 1,
  json: false,
  soak: false,
  cpuProfile: false,
  reminders: false,
  reminderCount: 10_000,
  reminderRate: 25,
};

/** How much longer a soak run is than a normal one. */
export const soakFactor = 10;

const maxProspects = 1_000_000;
const maxConcurrency = 10_000;
const maxRounds = 100;
const maxStudios = 50;

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
  --studios N       the sandbox serves N studios as one chain (STUDIOS_FILE-style, each its own
                    API key); prospect i opens the deep link of a class at studio i mod N
                    (default ${defaultBenchOptions.studios}: one studio, a plain /start)
  --json            print the results as JSON instead of a table
  --soak            ${soakFactor} times as many prospects, no baseline; reports the bot's memory along the way
  --cpu-profile     also write a CPU profile of each bot's process (open it in Chrome DevTools)
  --reminders       instead: a burst of reminders all due in the same minute, sent by a process of
                    their own through the fake Telegram; checks each is sent once and the rate is
                    never exceeded, reports the sender's CPU per reminder (--store applies)
  --reminder-count N  reminders in the burst (default ${defaultBenchOptions.reminderCount})
  --reminder-rate N   REMINDER_RATE of the sender, 1-1000 (default ${defaultBenchOptions.reminderRate};
                    10,000 at 25/s take 400 s)
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

const flags = {
  help: { type: 'boolean', short: 'h' },
  concurrency: { type: 'string' },
  prospects: { type: 'string' },
  rounds: { type: 'string' },
  store: { type: 'string' },
  studios: { type: 'string' },
  json: { type: 'boolean' },
  soak: { type: 'boolean' },
  'cpu-profile': { type: 'boolean' },
  reminders: { type: 'boolean' },
  'reminder-count': { type: 'string' },
  'reminder-rate': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;
type Flag = keyof typeof flags;

/** An argument as the user typed it, for the message that refuses it. */
function typed(token: NonNullable<ReturnType<typeof parseArgs>['tokens']>[number]): string {
  if (token.kind === 'positional') return token.value;
  if (token.kind === 'option-terminator') return '--';
  return token.inlineValue ? `${token.rawName}=${token.value}` : token.rawName;
}

/** Parses the flags after `npm run bench --`; throws BenchUsageError on anything it does not know. */
export function parseBenchArgs(argv: readonly string[]): ParsedArgs {
  const options: BenchOptions = { ...defaultBenchOptions };
  // Not strict: node:util splits the arguments (`--flag=value`, `-h`), the messages are ours.
  const { tokens } = parseArgs({ args: [...argv], options: flags, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option' || !Object.hasOwn(flags, token.name)) {
      throw new BenchUsageError(`unknown option "${typed(token)}" (see --help)`);
    }
    const name = token.name as Flag;
    const flag = `--${name}`;
    if (name === 'help') return { help: true };
    if (flags[name].type === 'boolean' && token.value !== undefined) {
      throw new BenchUsageError(`${flag} takes no value`);
    }
    switch (name) {
      case 'concurrency':
        options.concurrency = positiveInteger(flag, token.value, maxConcurrency);
        break;
      case 'prospects':
        options.prospects = positiveInteger(flag, token.value, maxProspects);
        break;
      case 'rounds':
        options.rounds = positiveInteger(flag, token.value, maxRounds);
        break;
      case 'store': {
        const kind = token.value;
        if (!storeKinds.includes(kind as StoreKind)) {
          throw new BenchUsageError(`--store must be one of ${storeKinds.join(', ')}, got "${kind ?? ''}"`);
        }
        options.store = kind as StoreKind;
        break;
      }
      case 'studios':
        options.studios = positiveInteger(flag, token.value, maxStudios);
        break;
      case 'json':
        options.json = true;
        break;
      case 'soak':
        options.soak = true;
        break;
      case 'cpu-profile':
        options.cpuProfile = true;
        break;
      case 'reminders':
        options.reminders = true;
        break;
      case 'reminder-count':
        options.reminderCount = positiveInteger(flag, token.value, maxProspects);
        break;
      case 'reminder-rate':
        options.reminderRate = positiveInteger(flag, token.value, 1_000);
        break;
    }
  }
  return { help: false, options };
}
