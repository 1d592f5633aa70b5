import type { Bot, Context } from 'grammy';
import jsQRModule from 'jsqr';
import { Keyv } from 'keyv';
import { PNG } from 'pngjs';
import { createTranslator } from '../../src/bot/i18n.ts';
import { createPerfectGymClient, type PerfectGymClient } from '../../src/perfectgym/client.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import type { Translate } from '../../src/staff/messages.ts';
import { createStudioCatalog, type StudioCatalog } from '../../src/studio/catalog.ts';

export const localesDirectory = 'locales';

// The bot's own translator (without isolation marks, as a link must be copyable).
const translator = createTranslator(localesDirectory);

export function translations(locale: string): Translate {
  return (key, args) => translator.t(locale, key, args);
}

/** The sandbox's demo studio behind the real client and catalog, as the bot uses them. */
export async function demoStudio(): Promise<{
  sandbox: Sandbox;
  client: PerfectGymClient;
  catalog: StudioCatalog;
  close(): Promise<void>;
}> {
  const sandbox = await createSandbox({ rateLimitPerMinute: false });
  const client = createPerfectGymClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
  const catalog = createStudioCatalog({ client, cache: new Keyv(), ttlMs: 60_000 });
  return {
    sandbox,
    client,
    catalog,
    close: async () => {
      await client.close();
      await sandbox.close();
    },
  };
}

/** What a phone camera would read from a QR code PNG; `undefined` when it holds no QR code. */
// jsqr is CommonJS with an ES-style `default`; the type checker and Node agree on this spelling.
const jsQR = jsQRModule.default;

export function readQrCode(png: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(png));
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/** Starts long polling and resolves once grammY polls; the returned function stops it. */
export async function startPolling<C extends Context>(bot: Bot<C>): Promise<() => Promise<void>> {
  let running: Promise<void> | undefined;
  await new Promise<void>((resolve, reject) => {
    running = bot.start({ onStart: () => resolve() });
    running.catch(reject);
  });
  return async () => {
    await bot.stop();
    await running;
  };
}
