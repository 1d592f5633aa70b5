/**
 * Browser tests drive Debian's Chromium through playwright-core (which downloads no browser).
 * A missing Chromium fails the test with instructions: skipping would hide that the page is
 * untested. The test setup (test/global-setup.ts) installs it where it can.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `The playground's browser tests need Chromium at ${chromiumPath}, and it is missing. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (the test setup does this when run as root).',
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Opens the playground and waits until it has read the chat and listens for events. */
export async function openPlayground(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  // Fail within a test's time budget, with the locator in the message, instead of a bare test timeout.
  context.setDefaultTimeout(5_000);
  const page = await context.newPage();
  // Anything the page logs as an error is a bug worth seeing in the test output.
  page.on('pageerror', (error) => console.error('playground page error:', error));
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  return page;
}

/** The chat's bubbles, newest last. */
export function botMessages(page: Page): Locator {
  return page.locator('#messages > li.from-bot');
}

export function userMessages(page: Page): Locator {
  return page.locator('#messages > li.from-user');
}

/** The id of the Telegram user the page plays, read from what the page shows. */
export async function shownUserId(page: Page): Promise<number> {
  const line = (await page.locator('#user-line').textContent()) ?? '';
  const id = /id (\d+)/.exec(line)?.[1];
  if (id === undefined) throw new Error(`The page shows no user id: ${line}`);
  return Number(id);
}
