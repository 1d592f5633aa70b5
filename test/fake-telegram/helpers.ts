import { Bot, type PollingOptions } from 'grammy';
import type { FakeTelegram } from '../../src/fake-telegram/index.ts';

/** A grammY bot wired to the fake, exactly as production wires it to Telegram (only apiRoot differs). */
export function botFor(fake: FakeTelegram): Bot {
  return new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
}

/**
 * Starts long polling and resolves once grammY is polling. Returns a stop function for afterEach
 * that stops the bot and waits for its loop to end, surfacing any polling error.
 */
export async function startPolling(
  bot: Bot,
  options: Omit<PollingOptions, 'onStart'> = {},
): Promise<() => Promise<void>> {
  let running: Promise<void> | undefined;
  await new Promise<void>((resolve, reject) => {
    running = bot.start({ ...options, onStart: () => resolve() });
    running.catch(reject);
  });
  return async () => {
    await bot.stop();
    await running;
  };
}

/** A promise plus its resolver, to hold a handler mid-flight. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
