/**
 * Structured JSON logs (pino). trialgram logs ids, steps and statuses, never what a prospect
 * typed; the redaction list is the safety net for a field that slips into a log object anyway.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

const personalFields = [
  'firstname',
  'lastname',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'secondFirstname',
  'secondLastname',
  'email',
  'telephone',
  'phone',
  'phone_number',
  'dateOfBirth',
  'address',
  'street',
  'houseNumber',
  'zipCode',
  'city',
  'text',
  'username',
];
const secretFields = ['token', 'botToken', 'apiKey', 'api_key', 'x-api-key', 'X-API-KEY', 'authorization'];

export const redactedPaths = [...personalFields, ...secretFields].flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
]);

/**
 * Bot tokens and anything that looks like one, in free text such as error messages and URLs (where
 * the colon may be percent-encoded).
 */
const tokenPattern = /\d{5,}(?::|%3A)[A-Za-z0-9_-]{30,}/gi;

export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  return secretScrubber(secrets)(text);
}

/** {@link scrubSecrets} for these secrets, their forms worked out once (a logger scrubs every line). */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = [
    ...new Set(
      secrets
        .filter((secret) => secret.length >= 4)
        .flatMap((secret) => [secret, encodeURIComponent(secret)]),
    ),
  ];
  return (text) => {
    let scrubbed = text.replace(tokenPattern, '[token]');
    for (const form of forms) {
      if (scrubbed.includes(form)) scrubbed = scrubbed.split(form).join('[secret]');
    }
    return scrubbed;
  };
}

let isoSecond = Number.NaN;
let isoSecondText = '';

/**
 * pino's `isoTime` (`,"time":"2026-06-22T08:00:00.000Z"`), with the text up to the second worked
 * out once a second instead of a `Date` and `toISOString` per line.
 */
export function isoTime(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoSecondText = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const milli = ms - second * 1000;
  return `${isoSecondText}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z"`;
}

/**
 * A writer for one of the process's own output streams that never blocks the process and never
 * holds more than `maxBufferedBytes`: when nobody reads the pipe any more (a stalled log
 * collector), lines are dropped and counted, and once the pipe drains a line says how many were
 * lost. A blocked log write would stall every conversation and even SIGTERM.
 *
 * It writes through Node's own stream (`process.stdout`), not to the file descriptor: for a pipe
 * that stream writes without blocking (libuv) and queues what the pipe cannot take; for a file it
 * writes synchronously, which a full disk fails rather than blocks.
 */
export function nonBlockingWriter(
  stream: NodeJS.WritableStream & { writableLength: number },
  options: {
    maxBufferedBytes?: number;
    droppedLine?: (count: number) => string;
    /**
     * The lines of one turn of the event loop go out as one write (`setImmediate`), and what is
     * pending when the process exits is written then. A file is written synchronously, one system
     * call per write: a line per update was 2 % of the bot's CPU under load.
     */
    coalesce?: boolean;
  } = {},
): (text: string) => void {
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  let dropped = 0;
  let broken = false;
  // EPIPE and the like: the reader is gone for good; without a listener it would crash the process.
  stream.on('error', () => {
    broken = true;
  });
  stream.on('drain', () => {
    if (dropped === 0 || broken) return;
    const count = dropped;
    dropped = 0;
    stream.write(options.droppedLine?.(count) ?? `(${count} lines dropped: the output was not read)\n`);
  });
  const write = (text: string, lines: number) => {
    if (broken) return;
    if (stream.writableLength > maxBufferedBytes) {
      dropped += lines;
      return;
    }
    stream.write(text);
  };
  if (!options.coalesce) return (text) => write(text, 1);
  let pending = '';
  let lines = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (lines === 0) return;
    const text = pending;
    const count = lines;
    pending = '';
    lines = 0;
    write(text, count);
  };
  pendingFlushes.add(flush);
  process.on('exit', flush);
  return (text) => {
    pending += text;
    lines++;
    scheduled ??= setImmediate(flush).unref();
  };
}

/** The coalescing writers' flushes: `flushOutput` writes what they hold first. */
const pendingFlushes = new Set<() => void>();

let stderrWriter: ((text: string) => void) | undefined;

/** The human-facing lines (start-up, shutdown) on stderr, never blocking (see {@link nonBlockingWriter}). */
export function writeStderr(text: string): void {
  stderrWriter ??= nonBlockingWriter(process.stderr);
  stderrWriter(text);
}

/**
 * Waits until what stdout and stderr queued has been written, for at most `timeoutMs`: lines still
 * queued when the process exits are lost, but a reader that stalled must not hold up the exit.
 */
export async function flushOutput(timeoutMs: number): Promise<void> {
  for (const flush of pendingFlushes) flush();
  const drained = (stream: NodeJS.WriteStream) =>
    stream.writableLength === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => stream.once('drain', resolve));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([drained(process.stdout), drained(process.stderr)]),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

let stdoutWriter: ((text: string) => void) | undefined;

/**
 * Log lines to stdout without ever blocking, a turn's lines in one write (see
 * {@link nonBlockingWriter}); every logger of the process shares the one writer, so lines keep
 * their order.
 */
export function stdoutDestination(): DestinationStream {
  stdoutWriter ??= nonBlockingWriter(process.stdout, {
    coalesce: true,
    droppedLine: (count) =>
      `${JSON.stringify({ level: 40, time: new Date().toISOString(), app: 'trialgram', dropped: count, msg: 'log lines dropped: stdout was not being read' })}\n`,
  });
  return { write: stdoutWriter };
}

export interface LoggerOptions {
  level?: string;
  /** Values that must never be written (the bot token, the API key), scrubbed from every line. */
  secrets?: readonly string[];
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = secretScrubber(options.secrets ?? []);
  const destination = options.destination ?? stdoutDestination();
  const scrubbing: DestinationStream = {
    write: (line: string) => destination.write(scrub(line)),
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'trialgram' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: isoTime,
    },
    scrubbing,
  );
}

/**
 * The same output, level and fields as `logger`, without the redaction pass: for the lines that
 * hold nothing but ids, types, counts and durations by construction, such as the `update handled`
 * line of every update, where redacting ~90 paths (with wildcards) cost more than the rest of the
 * line. Never pass it an object that may hold what a prospect typed.
 */
export function withoutRedaction(logger: Logger): Logger {
  const stream = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  return pino({ level: logger.level, base: logger.bindings(), timestamp: isoTime }, stream);
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
