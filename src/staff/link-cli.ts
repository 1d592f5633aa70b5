/**
 * `npm run link -- [options]`: deep links (and QR codes) that open the bot on one trial offer, for
 * posters, Instagram bios and chat replies. Data goes to stdout, everything else to stderr, so
 * `--json` output can be piped.
 */
import { parseArgs } from 'node:util';
import { Api, GrammyError, HttpError } from 'grammy';
import { campaignPattern, decodeStartPayload, type StartPayload } from '../booking/deep-link.ts';
import { telegramNetworkCode } from '../bot/errors.ts';
import { type Config, ConfigError, type Env, parseConfig } from '../config.ts';
import { scrubSecrets } from '../logger.ts';
import { PerfectGymApiError, PerfectGymRequestError } from '../perfectgym/errors.ts';
import { createSandbox } from '../sandbox/index.ts';
import { createStudioRegistry, type StudioRegistry, sandboxStudios } from '../studio/registry.ts';
import {
  listOfferLinks,
  normalizeBotUsername,
  type OfferLink,
  offerLink,
  type StudioLink,
  studioLink,
  UnknownOfferError,
} from './links.ts';
import { type QrFileFormat, qrFileFormat, writeQrFile } from './qr.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export const usage = `Usage: npm run link -- [options]

Prints links that open the trialgram bot on one trial offer: https://t.me/<bot>?start=<payload>

Options:
  --list                   every bookable offer with its link (the default)
  --offer <c101|a201|o1>   the link of one offer: c<class id>, a<appointment id> or
                           o<trial-offer config id> (all offers of that config)
  --studio <id>            in a chain (STUDIOS_FILE): the studio whose offers to list or link;
                           without it, a chain lists one link per studio (its whole offer)
  --campaign <tag>         add a campaign tag, 1-24 characters of a-z, 0-9 and -
                           (e.g. poster, insta); staff notices show which tag a lead came with
  --qr <file.png|file.svg> with --offer: also write the link's QR code to this file
  --bot-username <name>    the bot's username; without it, Telegram is asked (getMe) with BOT_TOKEN
  --json                   JSON instead of a table
  -h, --help               this help

Environment:
  BOT_TOKEN, TELEGRAM_API_ROOT          to ask Telegram for the bot's username
  PERFECTGYM_BASE_URL, PERFECTGYM_API_KEY  the studio; without both, the built-in demo studio
  STUDIOS_FILE                          the studios of a chain (instead of PERFECTGYM_*)

Exit codes: 0 done; 1 unknown offer, or the studio or Telegram failed; 2 wrong options or configuration.`;

/** A mistake in the options or the environment: exit 2 with this message. */
class UsageError extends Error {}

interface LinkRequest {
  offer?: StartPayload;
  studio?: string;
  campaign?: string;
  qrFile?: { path: string; format: QrFileFormat };
  botUsername?: string;
  json: boolean;
}

function readOptions(argv: string[]): LinkRequest | 'help' {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const request: LinkRequest = { json: values.json ?? false };

  if (values.campaign !== undefined) {
    if (!campaignPattern.test(values.campaign)) {
      throw new UsageError(
        `--campaign must be 1-24 characters of a-z, 0-9 and - (e.g. poster), got "${values.campaign}"`,
      );
    }
    request.campaign = values.campaign;
  }
  if (values.offer !== undefined) {
    if (values.list) throw new UsageError('Use either --list or --offer, not both');
    const offer = decodeStartPayload(values.offer);
    if (!offer || offer.campaign !== undefined || offer.studio !== undefined) {
      throw new UsageError(
        `--offer takes c<class id>, a<appointment id> or o<config id>, e.g. c101; got "${values.offer}"` +
          (offer ? ' (put the campaign tag in --campaign)' : ''),
      );
    }
    request.offer = offer;
  }
  if (values.studio !== undefined) request.studio = values.studio;
  if (values.qr !== undefined) {
    if (!request.offer) throw new UsageError('--qr needs --offer: a QR code holds one link');
    try {
      request.qrFile = { path: values.qr, format: qrFileFormat(values.qr) };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (values['bot-username'] !== undefined) {
    try {
      request.botUsername = normalizeBotUsername(values['bot-username']);
    } catch (error) {
      throw new UsageError(`--bot-username: ${(error as Error).message}`);
    }
  }
  return request;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      list: { type: 'boolean' },
      offer: { type: 'string' },
      studio: { type: 'string' },
      campaign: { type: 'string' },
      qr: { type: 'string' },
      'bot-username': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
}

function telegramFailure(error: unknown): string {
  if (error instanceof GrammyError) return `Telegram answered ${error.error_code} ${error.description}`;
  if (error instanceof HttpError) {
    const code = telegramNetworkCode(error);
    return `Telegram could not be reached${code ? ` (${code})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function resolveBotUsername(request: LinkRequest, config: Config): Promise<string> {
  if (request.botUsername) return request.botUsername;
  if (config.telegram.mode !== 'telegram') {
    throw new UsageError(
      'The links need the bot username: pass --bot-username <name>, or set BOT_TOKEN to ask Telegram for it',
    );
  }
  const { token, apiRoot } = config.telegram;
  try {
    const me = await new Api(token, apiRoot ? { apiRoot } : undefined).getMe();
    return me.username;
  } catch (error) {
    // A network error's message may quote the request URL, which holds the token.
    const reason = scrubSecrets(telegramFailure(error), [token]);
    throw new Error(
      `Could not ask Telegram for the bot's username (getMe): ${reason}. ` +
        'Check BOT_TOKEN and TELEGRAM_API_ROOT, or pass --bot-username.',
    );
  }
}

interface OpenChain {
  registry: StudioRegistry;
  close(): Promise<void>;
}

async function openChain(config: Config, io: CliIo): Promise<OpenChain> {
  const sandbox = config.studios.length === 0 ? await createSandbox() : undefined;
  if (sandbox) {
    io.err(
      'PERFECTGYM_BASE_URL and PERFECTGYM_API_KEY are not set: using the built-in sandbox studio with demo offers.',
    );
  }
  const studios = sandbox ? sandboxStudios(sandbox) : config.studios;
  const registry = createStudioRegistry({ studios, timeoutMs: config.studio.timeoutMs, ttlMs: 60_000 });
  return {
    registry,
    close: async () => {
      await registry.close();
      await sandbox?.close();
    },
  };
}

/** Columns padded to their widest cell; the link comes last so nothing is padded after it. */
function table(links: Array<OfferLink | StudioLink>): string[] {
  const rows = [
    ['KIND', 'ID', 'TITLE', 'LINK'],
    ...links.map((link) =>
      'kind' in link
        ? [link.kind, String(link.id), link.title, link.url]
        : ['studio', link.studio, '', link.url],
    ),
  ];
  const width = (column: number) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length));
  const widths = [width(0), width(1), width(2)];
  return rows.map((row) =>
    row
      .map((cell, column) => cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - [...cell].length)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Runs the link tool. `argv` holds the options only (`process.argv.slice(2)`); output goes to `io`.
 * Resolves to the exit code and never throws.
 */
export async function runLinkCli(argv: string[], env: Env, io: CliIo): Promise<number> {
  let chain: OpenChain | undefined;
  try {
    const request = readOptions(argv);
    if (request === 'help') {
      for (const line of usage.split('\n')) io.out(line);
      return exitCodes.ok;
    }
    const config = parseConfig(env);
    const botUsername = await resolveBotUsername(request, config);
    chain = await openChain(config, io);
    const { registry } = chain;
    const { campaign } = request;
    // A chain of one keeps the links it always had; in a chain every link names its studio.
    const isChain = registry.ids.length > 1;
    if (request.studio !== undefined && !registry.config(request.studio)) {
      throw new UsageError(
        `--studio: there is no studio "${request.studio}"; the studios are ${registry.ids.join(', ')}`,
      );
    }
    if (isChain && request.studio === undefined) {
      if (request.offer) {
        throw new UsageError(`--offer needs --studio in a chain: one of ${registry.ids.join(', ')}`);
      }
      let studioLinks: StudioLink[];
      try {
        studioLinks = registry.ids.map((studio) => studioLink({ studio, botUsername, campaign }));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      if (request.json) io.out(JSON.stringify(studioLinks, null, 2));
      else for (const line of table(studioLinks)) io.out(line);
      io.err("Each link opens that studio's offer list; --studio <id> lists the studio's offers one by one.");
      return exitCodes.ok;
    }
    const { catalog } = registry.studio(request.studio);
    const studio = isChain ? request.studio : undefined;

    if (request.offer) {
      const link = await offerLink({
        catalog,
        botUsername,
        campaign,
        studio,
        kind: request.offer.kind,
        id: request.offer.id,
      });
      if (request.json) io.out(JSON.stringify(link, null, 2));
      else for (const line of table([link])) io.out(line);
      if (request.qrFile) {
        try {
          await writeQrFile(request.qrFile.path, link.url);
        } catch (error) {
          io.err(`Could not write the QR code to ${request.qrFile.path}: ${(error as Error).message}`);
          return exitCodes.failed;
        }
        io.err(`QR code (${request.qrFile.format.toUpperCase()}) written to ${request.qrFile.path}`);
      }
      return exitCodes.ok;
    }

    const links = await listOfferLinks({ catalog, botUsername, campaign, studio });
    if (request.json) io.out(JSON.stringify(links, null, 2));
    else if (links.length === 0) io.err('The studio has no trial offers that new customers can book online.');
    else for (const line of table(links)) io.out(line);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      io.err('Run with --help for the options.');
      return exitCodes.usage;
    }
    if (error instanceof ConfigError) {
      io.err('Configuration error:');
      for (const problem of error.problems) io.err(`  ${problem.variable} ${problem.message}`);
      return exitCodes.usage;
    }
    if (error instanceof UnknownOfferError) {
      io.err(`${error.message}. Run without --offer to see every bookable offer.`);
      return exitCodes.failed;
    }
    if (error instanceof PerfectGymApiError || error instanceof PerfectGymRequestError) {
      io.err(`Could not read the offers from the studio: ${error.message}`);
      return exitCodes.failed;
    }
    io.err(error instanceof Error ? error.message : String(error));
    return exitCodes.failed;
  } finally {
    await chain?.close().catch(() => undefined);
  }
}

if (import.meta.main) {
  process.exitCode = await runLinkCli(process.argv.slice(2), process.env, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}
