/**
 * The acceptance test: the whole app in playground mode (no BOT_TOKEN, embedded sandbox
 * studio, memory store), and a person who only uses the page books a trial class that needs
 * confirmation, confirms it, and sees the booking confirmed in the sandbox panel.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { botMessages, launchChromium, openPlayground } from './browser.ts';

let browser: Browser;
let app: RunningApp;

beforeAll(async () => {
  [browser, app] = await Promise.all([
    launchChromium(),
    startApp(parseConfig({ STORAGE_URL: 'memory:', PLAYGROUND_PORT: '0', PORT: '0', LOG_LEVEL: 'silent' }), {
      logger: silentLogger(),
      announce: () => undefined,
      httpInPollingMode: false,
      host: '127.0.0.1',
    }),
  ]);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The newest bot message whose text matches, once it is there. */
async function botSays(page: Page, pattern: RegExp): Promise<Locator> {
  const message = botMessages(page).filter({ hasText: pattern }).last();
  await message.waitFor({ timeout: 10_000 });
  return message;
}

/** What the user reads in the newest bot message, with its id (a new message or an edit changes it). */
async function newestBotMessage(page: Page): Promise<string> {
  const newest = botMessages(page).last();
  // allTextContents does not wait: a message without text (a file) reads as empty.
  const text = (await newest.locator('.text').allTextContents()).join('');
  return `${await newest.getAttribute('data-message-id')}:${text}`;
}

async function type(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

it('books a class that needs confirmation, confirms it, and the sandbox panel shows it confirmed', async () => {
  const playgroundUrl = app.playgroundUrl;
  if (playgroundUrl === undefined) throw new Error('startApp did not start the playground without BOT_TOKEN');
  const page = await openPlayground(browser, playgroundUrl);

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  // The playground's sandbox serves a chain of three studios: /start asks which one first.
  const studios = await botSays(page, /Which studio would you like to train at\?/);
  await studios.getByRole('button', { name: /^Berlin · / }).click();

  // Trial offer 1 ("Probetraining") needs a confirmation within 24 hours; Rückenfit is one of its classes.
  const offers = await botSays(page, /Which trial would you like to book\?/);
  await offers.getByRole('button', { name: '🏋️ Rückenfit' }).click();

  const slots = await botSays(page, /When would you like to come to Rückenfit\?/);
  const freeSlot = slots
    .getByRole('button')
    .filter({ hasText: /\d{1,2}[:.]\d{2}/ })
    .filter({ hasNotText: /⏳/ })
    .first();
  await freeSlot.click();
  await botSays(page, /Good choice: Rückenfit/);

  // Answer whatever the bot asks until it shows the summary; optional fields are skipped.
  const answers: Array<[RegExp, () => Promise<void>]> = [
    [/first name\?/, () => useOfferedNameOr(page, 'Alex')],
    [/last name\?/, () => useOfferedNameOr(page, 'Sample')],
    [/e-mail address\?/, () => type(page, 'alex.sample@example.org')],
    [/gender\?/, () => botMessages(page).last().getByRole('button', { name: 'Skip' }).click()],
    [/date of birth\?/, () => botMessages(page).last().getByRole('button', { name: 'Skip' }).click()],
    [
      /phone number\?/,
      () =>
        page
          .getByRole('group', { name: 'Keyboard from the bot' })
          .getByRole('button', { name: '📱 Share my phone number' })
          .click(),
    ],
    [/What's your address\?/, () => type(page, 'Oderberger Straße 12, 10435 Berlin')],
    [
      /Is this right\?/,
      () => botMessages(page).last().getByRole('button', { name: "✅ That's right" }).click(),
    ],
  ];
  const answered: string[] = [];
  for (let step = 0; step < 30; step += 1) {
    const newest = await newestBotMessage(page);
    if (newest.includes('Please check your booking')) break;
    const answer = answers.find(([question]) => question.test(newest));
    if (answer !== undefined && !answered.includes(newest)) {
      answered.push(newest);
      await answer[1]();
    }
    await expect.poll(() => newestBotMessage(page), { timeout: 10_000 }).not.toBe(newest);
  }

  const summary = await botSays(page, /Please check your booking: Rückenfit/);
  expect(await summary.textContent()).toContain('alex.sample@example.org');
  await summary.getByRole('button', { name: '✅ Book now' }).click();

  const reserved = await botSays(page, /Almost done! Rückenfit .* Please confirm it by/);
  await reserved.getByRole('button', { name: '✅ Confirm booking' }).click();
  await botSays(page, /Confirmed! See you at Rückenfit/);

  const booking = page.getByRole('table', { name: 'Bookings' }).locator('tbody tr', { hasText: 'Rückenfit' });
  await expect.poll(() => booking.locator('td.status').textContent(), { timeout: 5_000 }).toBe('Confirmed');
  const leads = page.getByRole('table', { name: 'Leads' });
  expect(await leads.textContent()).toContain('alex.sample@example.org');

  // The panel shows what the studio holds, not what the bot believes.
  const [held] = app.sandbox?.snapshot().bookings ?? [];
  expect(held).toMatchObject({ kind: 'class', confirmation: { state: 'CONFIRMED' } });
  expect(await booking.textContent()).toContain(String(held?.id));
}, 60_000);

/** Takes the bot's "Use "<name>"" button when it offers the Telegram name, else types the name. */
async function useOfferedNameOr(page: Page, name: string): Promise<void> {
  const offered = botMessages(page)
    .last()
    .getByRole('button', { name: /^Use "/ });
  if ((await offered.count()) > 0) {
    await offered.first().click();
    return;
  }
  await type(page, name);
}
