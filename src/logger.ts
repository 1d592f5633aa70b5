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

/** Bot tokens and anything that looks like one, in free text such as error messages and URLs. */
const tokenPattern = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text.replace(tokenPattern, '[token]');
  for (const secret of secrets) {
    if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('[secret]');
  }
  return scrubbed;
}

export interface LoggerOptions {
  level?: string;
  /** Values that must never be written (the bot token, the API key), scrubbed from every line. */
  secrets?: readonly string[];
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? [];
  const destination = options.destination ?? pino.destination(1);
  const scrubbing: DestinationStream = {
    write: (line: string) => destination.write(scrubSecrets(line, secrets)),
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'trialgram' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    scrubbing,
  );
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
