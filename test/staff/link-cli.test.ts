import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeStartPayload } from '../../src/booking/deep-link.ts';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { createSandbox, demoChain } from '../../src/sandbox/index.ts';
import { runLinkCli } from '../../src/staff/link-cli.ts';
import type { OfferLink } from '../../src/staff/links.ts';
import { readQrCode } from './helpers.ts';

interface Run {
  code: number;
  out: string[];
  err: string[];
  stdout: string;
  stderr: string;
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLinkCli(argv, env, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') };
}

const bot = ['--bot-username', 'kiez_trial_bot'];

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'trialgram-links-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('npm run link: the list', () => {
  it('prints a table with one link per bookable class, appointment and config of the demo studio', async () => {
    const result = await run(bot);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('sandbox studio');
    const [header, ...rows] = result.out;
    expect(header).toMatch(/^KIND\s+ID\s+TITLE\s+LINK$/);
    expect(rows).toEqual([
      expect.stringMatching(/^class\s+101\s+Rückenfit\s+https:\/\/t\.me\/kiez_trial_bot\?start=c101$/),
      expect.stringMatching(/^class\s+102\s+HIIT Express\s+https:\/\/t\.me\/kiez_trial_bot\?start=c102$/),
      expect.stringMatching(/^class\s+103\s+Yoga Flow\s+.*\?start=c103$/),
      expect.stringMatching(/^class\s+104\s+Pilates Live\s+.*\?start=c104$/),
      expect.stringMatching(/^appointment\s+201\s+Probetraining mit Coach\s+.*\?start=a201$/),
      expect.stringMatching(/^appointment\s+202\s+Body-Check\s+.*\?start=a202$/),
      expect.stringMatching(/^config\s+1\s+Probetraining\s+https:\/\/t\.me\/kiez_trial_bot\?start=o1$/),
      expect.stringMatching(/^config\s+2\s+Schnupperstunde\s+.*\?start=o2$/),
    ]);
    // Columns line up: every link starts in the same column.
    expect(new Set(result.out.map((line) => line.search(/LINK|https:/))).size).toBe(1);
  });

  it('does the same with an explicit --list', async () => {
    const [implicit, explicit] = [await run(bot), await run(['--list', ...bot])];
    expect(explicit.code).toBe(0);
    expect(explicit.out).toEqual(implicit.out);
    expect(explicit.out).toHaveLength(9);
  });

  it('leaves out the class the studio marks unbookable and the offers of a config leads may not book', async () => {
    const result = await run(bot);
    // Class 106 is not bookable; class 105 and appointment 203 belong to config 3 (no booking for leads).
    for (const payload of ['c106', 'c105', 'a203', 'o3']) {
      expect(result.stdout).not.toContain(`start=${payload}`);
    }
  });

  it('writes JSON with --json, and the campaign tag lands in every payload the bot can read back', async () => {
    const result = await run([...bot, '--json', '--campaign', 'insta']);

    expect(result.code).toBe(0);
    const links = JSON.parse(result.stdout) as OfferLink[];
    expect(links.map((link) => `${link.kind}:${link.id}`)).toEqual([
      'class:101',
      'class:102',
      'class:103',
      'class:104',
      'appointment:201',
      'appointment:202',
      'config:1',
      'config:2',
    ]);
    expect(links[0]).toEqual({
      kind: 'class',
      id: 101,
      title: 'Rückenfit',
      configId: 1,
      configName: 'Probetraining',
      payload: 'c101_insta',
      url: 'https://t.me/kiez_trial_bot?start=c101_insta',
    });
    for (const link of links) {
      const start = new URL(link.url).searchParams.get('start') ?? '';
      expect(decodeStartPayload(start)).toEqual({ kind: link.kind, id: link.id, campaign: 'insta' });
    }
  });
});

describe('npm run link: one offer', () => {
  it.each([
    ['c103', 'class', 103, 'Yoga Flow', 'Schnupperstunde'],
    ['a202', 'appointment', 202, 'Body-Check', 'Schnupperstunde'],
    ['o1', 'config', 1, 'Probetraining', 'Probetraining'],
  ])('--offer %s prints that offer only', async (offer, kind, id, title, configName) => {
    const table = await run([...bot, '--offer', offer, '--campaign', 'poster']);
    expect(table.code).toBe(0);
    expect(table.out).toHaveLength(2);
    expect(table.out[1]).toMatch(
      new RegExp(`^${kind}\\s+${id}\\s+${title}\\s+https://t\\.me/kiez_trial_bot\\?start=${offer}_poster$`),
    );

    const json = await run([...bot, '--offer', offer, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind,
      id,
      title,
      configName,
      payload: offer,
      url: `https://t.me/kiez_trial_bot?start=${offer}`,
    });
  });

  it('writes the QR code with --qr, and a camera reads the same link from it', async () => {
    const file = join(directory, 'poster.png');
    const result = await run([...bot, '--offer', 'a201', '--campaign', 'poster', '--qr', file, '--json']);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`written to ${file}`);
    // stdout stays pure JSON for piping.
    const link = JSON.parse(result.stdout) as OfferLink;
    expect(link.url).toBe('https://t.me/kiez_trial_bot?start=a201_poster');
    expect(readQrCode(await readFile(file))).toBe(link.url);
  });

  it.each([
    ['c999', /no bookable trial class with id 999/],
    ['a999', /no bookable trial appointment with id 999/],
    ['o9', /no trial-offer config with bookable offers with id 9/],
    ['c106', /no bookable trial class with id 106/],
    ['c105', /class 105 \(Kickboxen Basics\): new customers cannot book "Mitglieder werben" online/],
    ['o3', /config 3: new customers cannot book "Mitglieder werben" online/],
  ])('refuses %s with exit code 1 and says why', async (offer, reason) => {
    const file = join(directory, 'never.png');
    const result = await run([...bot, '--offer', offer, '--qr', file]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(reason);
    expect(result.stdout).toBe('');
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });
});

describe('npm run link: the bot username', () => {
  let fake: FakeTelegram;
  beforeEach(async () => {
    fake = await createFakeTelegram({ bot: { username: 'studio_kiez_bot' } });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('asks Telegram (getMe) with BOT_TOKEN and TELEGRAM_API_ROOT when no --bot-username is given', async () => {
    const result = await run(['--offer', 'c101'], { BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });

    expect(result.code).toBe(0);
    expect(result.out[1]).toMatch(/https:\/\/t\.me\/studio_kiez_bot\?start=c101$/);
    expect(fake.calls.map((call) => call.method)).toEqual(['getMe']);
  });

  it('prefers --bot-username over asking Telegram', async () => {
    const result = await run(['--offer', 'c101', '--bot-username', '@other_bot'], {
      BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
    });

    expect(result.out[1]).toMatch(/https:\/\/t\.me\/other_bot\?start=c101$/);
    expect(fake.calls).toHaveLength(0);
  });

  it('fails with exit code 1 when Telegram refuses the token, without printing the token', async () => {
    const wrongToken = `${fake.botInfo.id}:AAThisIsNotTheTokenOfThisBotAtAll`;
    const result = await run(['--offer', 'c101'], { BOT_TOKEN: wrongToken, TELEGRAM_API_ROOT: fake.apiRoot });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/getMe.*401/);
    expect(result.stderr).toContain('--bot-username');
    expect(result.stderr).not.toContain('AAThisIsNotTheTokenOfThisBotAtAll');
  });

  it('fails with exit code 2 naming BOT_TOKEN and --bot-username when it has neither', async () => {
    const result = await run(['--offer', 'c101']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('BOT_TOKEN');
    expect(result.stderr).toContain('--bot-username');
    expect(result.stdout).toBe('');
  });
});

describe('npm run link: the studio', () => {
  it('uses the studio from PERFECTGYM_BASE_URL and PERFECTGYM_API_KEY', async () => {
    const studio = await createSandbox({ rateLimitPerMinute: false });
    try {
      const result = await run(bot, { PERFECTGYM_BASE_URL: studio.url, PERFECTGYM_API_KEY: studio.apiKey });

      expect(result.code).toBe(0);
      expect(result.stderr).not.toContain('sandbox');
      expect(result.stdout).toContain('start=c101');
      expect(studio.callCounts().classes).toBeGreaterThan(0);
    } finally {
      await studio.close();
    }
  });

  it('fails with exit code 1 when the studio cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));

    const result = await run(bot, {
      PERFECTGYM_BASE_URL: `http://127.0.0.1:${port}`,
      PERFECTGYM_API_KEY: 'k',
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Could not read the offers from the studio');
  });

  it('reports a configuration error with exit code 2, naming the variable', async () => {
    const result = await run(bot, { PERFECTGYM_BASE_URL: 'https://studio.example' });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PERFECTGYM_API_KEY');
    expect(result.stdout).toBe('');
  });
});

describe('npm run link: options', () => {
  it('--help prints the options and exits 0 without reading the environment', async () => {
    const result = await run(['--help'], { PERFECTGYM_BASE_URL: 'not a url' });

    expect(result.code).toBe(0);
    for (const option of [
      '--list',
      '--offer',
      '--campaign',
      '--qr',
      '--bot-username',
      '--json',
      'BOT_TOKEN',
    ]) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stderr).toBe('');
  });

  it.each([
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--offer'], /--offer/],
    [['extra'], /positional/i],
    [['--campaign', 'Poster!'], /--campaign must be 1-24 characters of a-z, 0-9 and -/],
    [['--campaign', 'a'.repeat(25)], /--campaign must be/],
    [['--offer', 'x101'], /--offer takes c<class id>, a<appointment id> or o<config id>/],
    [['--offer', 'c101_poster'], /put the campaign tag in --campaign/],
    [['--qr', 'code.png'], /--qr needs --offer/],
    [['--offer', 'c101', '--qr', 'code.jpg'], /must end in \.png or \.svg/],
    [['--list', '--offer', 'c101'], /either --list or --offer/],
    [['--bot-username', 'no spaces allowed'], /not a Telegram bot username/],
  ])('%j is a usage error (exit code 2)', async (argv, message) => {
    const result = await run([...argv, ...(argv.includes('--bot-username') ? [] : bot)]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('--help');
    expect(result.stdout).toBe('');
  });
});

describe('npm run link: a studio chain', () => {
  async function chainEnv(): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
    const sandbox = await createSandbox({
      rateLimitPerMinute: false,
      studios: demoChain.map((studio) => ({ id: studio.id, apiKey: `key-${studio.id}`, seed: studio.seed })),
    });
    const file = join(directory, 'studios.json');
    await writeFile(
      file,
      JSON.stringify({
        studios: sandbox.studios.map((studio) => ({
          id: studio.id,
          baseUrl: sandbox.url,
          apiKeyEnv: `KEY_${studio.id.toUpperCase()}`,
        })),
      }),
    );
    return {
      env: {
        STUDIOS_FILE: file,
        KEY_BERLIN: 'key-berlin',
        KEY_HAMBURG: 'key-hamburg',
        KEY_LISBOA: 'key-lisboa',
      },
      close: () => sandbox.close(),
    };
  }

  it("lists one studio's offers with --studio, every link naming that studio", async () => {
    const chain = await chainEnv();
    try {
      const result = await run([...bot, '--studio', 'hamburg', '--campaign', 'door'], chain.env);
      expect(result.code).toBe(0);
      const [, ...rows] = result.out;
      expect(rows[0]).toMatch(
        /^class\s+101\s+Rücken stark\s+https:\/\/t\.me\/kiez_trial_bot\?start=s-hamburg_c101_door$/,
      );
      // Hamburg runs no class 104.
      expect(result.stdout).not.toContain('c104');
      for (const row of rows)
        expect(decodeStartPayload(/start=(\S+)$/.exec(row)?.[1] ?? '')?.studio).toBe('hamburg');

      const one = await run([...bot, '--studio', 'lisboa', '--offer', 'c101', '--json'], chain.env);
      expect(one.stderr).toBe('');
      expect(one.code).toBe(0);
      expect(JSON.parse(one.stdout)).toMatchObject({
        title: 'Costas em forma',
        studio: 'lisboa',
        payload: 's-lisboa_c101',
      });
      const missing = await run([...bot, '--studio', 'hamburg', '--offer', 'c104'], chain.env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Studio hamburg has no bookable trial class with id 104');
    } finally {
      await chain.close();
    }
  });

  it('lists one link per studio without --studio, and names the studios when one is unknown', async () => {
    const chain = await chainEnv();
    try {
      const result = await run([...bot, '--json'], chain.env);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([
        { studio: 'berlin', payload: 's-berlin', url: 'https://t.me/kiez_trial_bot?start=s-berlin' },
        { studio: 'hamburg', payload: 's-hamburg', url: 'https://t.me/kiez_trial_bot?start=s-hamburg' },
        { studio: 'lisboa', payload: 's-lisboa', url: 'https://t.me/kiez_trial_bot?start=s-lisboa' },
      ]);
      const unknown = await run([...bot, '--studio', 'porto'], chain.env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('there is no studio "porto"; the studios are berlin, hamburg, lisboa');
      const noStudio = await run([...bot, '--offer', 'c101'], chain.env);
      expect(noStudio.code).toBe(2);
      expect(noStudio.stderr).toContain('--offer needs --studio in a chain');
    } finally {
      await chain.close();
    }
  });

  it('names the file, studio and field of a broken STUDIOS_FILE', async () => {
    const file = join(directory, 'broken.json');
    await writeFile(file, JSON.stringify({ studios: [{ id: 'hamburg', baseUrl: 'ftp://x', apiKey: 'k' }] }));
    const result = await run(bot, { STUDIOS_FILE: file });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `STUDIOS_FILE ${file}: studio "hamburg" (studios[0]): baseUrl must be an http(s) URL`,
    );
  });
});
