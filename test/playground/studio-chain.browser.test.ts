/** The playground's studio panel over a sandbox chain: the picker switches the panel between studios. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTelegram, type FakeTelegram } from '../../src/fake-telegram/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { type Playground, startPlayground } from '../../src/playground/index.ts';
import { createSandbox, demoChain, type Sandbox } from '../../src/sandbox/index.ts';
import { launchChromium, openPlayground } from './browser.ts';

let browser: Browser;
let fake: FakeTelegram;
let sandbox: Sandbox;
let playground: Playground;

beforeAll(async () => {
  [browser, fake, sandbox] = await Promise.all([
    launchChromium(),
    createFakeTelegram({ bot: { firstName: 'Studio Kiez Bot', username: 'kiez_chain_bot' } }),
    createSandbox({ studios: demoChain.map((studio) => ({ id: studio.id, seed: studio.seed })) }),
  ]);
  playground = await startPlayground({
    fake,
    sandbox: { url: sandbox.url, apiKey: sandbox.apiKey, studios: sandbox.studios },
    logger: silentLogger(),
  });
});

afterAll(async () => {
  await browser?.close();
  await playground?.close();
  await Promise.all([fake?.close(), sandbox?.close()]);
});

describe('the studio panel of a chain', () => {
  it('switches between the studios: their name, slots and faults', async () => {
    const page = await openPlayground(browser, playground.url);
    try {
      await expect.poll(() => page.locator('#studio-name').textContent()).toBe('Studio Kiez Berlin');
      await page.getByLabel('Studio', { exact: true }).selectOption({ label: 'Studio Kiez Lisboa' });
      await expect.poll(() => page.locator('#studio-name').textContent()).toBe('Studio Kiez Lisboa');
      const slots = page.getByRole('table', { name: 'Class slots, next 7 days' });
      await expect.poll(() => slots.textContent()).toContain('Costas em forma');

      await page.locator('#fault-endpoint').selectOption('classBook');
      await page.locator('#fault-status').selectOption('500');
      await page.locator('#fault-form button[type="submit"]').click();
      await expect.poll(() => faultsOf('lisboa')).toEqual(['classBook']);
      expect(await faultsOf('berlin')).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});

/** The endpoints a studio has faults for, read through the admin API with that studio's key. */
async function faultsOf(studioId: string): Promise<string[]> {
  const studio = sandbox.studios.find((candidate) => candidate.id === studioId);
  const answer = await fetch(`${sandbox.url}/__sandbox/faults`, {
    headers: { 'x-api-key': studio?.apiKey ?? '' },
  });
  return Object.keys((await answer.json()) as object);
}
