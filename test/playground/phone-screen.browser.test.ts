/**
 * The playground on a phone-sized screen (390×844), the whole app in playground mode: the
 * day-first slot picker of a trial appointment, the one-tap full name, and the phone question,
 * whose reply keyboard must not hide the question (checked on the screen's layout, with a
 * screenshot kept for people to look at).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { botMessages, launchChromium } from './browser.ts';

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

async function botSays(page: Page, pattern: RegExp): Promise<Locator> {
  const message = botMessages(page).filter({ hasText: pattern }).last();
  await message.waitFor({ timeout: 10_000 });
  return message;
}

async function type(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Where the screenshot is kept (outside the repository). */
const screenshotPath = join(tmpdir(), 'trialgram-playground', 'phone-question-above-keyboard.png');

it('on a 390×844 phone: days first, then times; the phone question stays above the reply keyboard; venue, zone and tables', async () => {
  const url = app.playgroundUrl;
  if (url === undefined) throw new Error('startApp did not start the playground without BOT_TOKEN');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  context.setDefaultTimeout(5_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('playground page error:', error));
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  // The playground's sandbox serves a chain of three studios: /start asks which one first.
  const studios = await botSays(page, /Which studio would you like to train at\?/);
  await studios.getByRole('button', { name: /^Berlin · / }).click();
  const offers = await botSays(page, /Which trial would you like to book\?/);
  await offers.getByRole('button', { name: '📅 Probetraining mit Coach' }).click();

  // Day first: the message names the day; its buttons are days, then times, at most 12.
  const picker = await botSays(page, /When would you like to come to Probetraining mit Coach\?/);
  const pickerText = (await picker.locator('.text').textContent()) ?? '';
  expect(pickerText.split('\n')).toHaveLength(2);
  expect(pickerText).toMatch(/pick a time\.$/);
  const times = picker.getByRole('button', { name: /^\d{2}:\d{2}$/ });
  expect(await times.count()).toBeGreaterThan(0);
  expect(await times.count()).toBeLessThanOrEqual(12);
  const pickerBox = await picker.boundingBox();
  // Compact: the list fits on the phone's screen (the issue measured 1,213 px for the old one).
  expect(pickerBox?.height ?? Number.POSITIVE_INFINITY).toBeLessThan(600);
  await times.first().click();

  await botSays(page, /first name\?/);
  await botMessages(page).last().getByRole('button', { name: 'Use Alex Sample' }).click();
  await botSays(page, /e-mail address\?/);
  await type(page, 'alex.sample@example.org');
  for (const question of [/gender\?/, /date of birth\?/]) {
    const asked = await botSays(page, question);
    await asked.getByRole('button', { name: 'Skip' }).click();
  }
  const phoneQuestion = await botSays(page, /phone number\?/);
  const keyboard = page.getByRole('group', { name: 'Keyboard from the bot' });
  await keyboard.getByRole('button', { name: '📱 Share my phone number' }).waitFor();

  // The whole question is visible: above the reply keyboard and inside the chat's scrolled area.
  await expect
    .poll(async () => {
      const question = await phoneQuestion.boundingBox();
      const chatBody = await page.locator('#chat-body').boundingBox();
      const keys = await keyboard.boundingBox();
      if (!question || !chatBody || !keys) return Number.NaN;
      return Math.min(chatBody.y + chatBody.height, keys.y) - (question.y + question.height);
    })
    .toBeGreaterThanOrEqual(0);
  mkdirSync(join(tmpdir(), 'trialgram-playground'), { recursive: true });
  await page.screenshot({ path: screenshotPath });

  // On to the booking: the address in one line, then the studio as a venue in the chat.
  await keyboard.getByRole('button', { name: '📱 Share my phone number' }).click();
  await botSays(page, /What's your address\?/);
  await type(page, 'Oderberger Straße 12, 10435 Berlin');
  const read = await botSays(page, /Is this right\?/);
  await read.getByRole('button', { name: "✅ That's right" }).click();
  const summary = await botSays(page, /Please check your booking/);
  await summary.getByRole('button', { name: '✅ Book now' }).click();
  const reserved = await botSays(page, /Almost done!/);
  await reserved.getByRole('button', { name: '✅ Confirm booking' }).click();
  await botSays(page, /Confirmed!.*Where: Studio Kiez Berlin, Oderberger Straße 12, 10435 Berlin/s);
  const venue = page.locator('#messages .venue');
  await venue.waitFor();
  expect(await venue.textContent()).toContain('Studio Kiez Berlin');
  expect(await venue.getByRole('link', { name: 'Open in map' }).getAttribute('href')).toContain(
    'mlat=52.5386',
  );

  // Times in the studio's zone, which the panel names next to its clock.
  expect(await botMessages(page).last().locator('time').getAttribute('title')).toBe('Europe/Berlin');
  await expect.poll(() => page.locator('#studio-clock-offset').textContent()).toContain('Europe/Berlin');

  // The panel's tables wrap between words only: ids and statuses are never split.
  const booking = page.getByRole('table', { name: 'Bookings' }).locator('tbody tr').first();
  await expect.poll(() => booking.locator('td.status').textContent(), { timeout: 5_000 }).toBe('Confirmed');
  const splitWords = await page.evaluate(() => {
    const split: string[] = [];
    for (const cell of document.querySelectorAll('td.id, td.status')) {
      const node = cell.firstChild;
      if (node?.nodeType !== Node.TEXT_NODE) continue;
      const text = node.textContent ?? '';
      for (const match of text.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        if (range.getClientRects().length > 1) split.push(match[0]);
      }
    }
    return split;
  });
  expect(splitWords).toEqual([]);
  await context.close();
}, 60_000);
