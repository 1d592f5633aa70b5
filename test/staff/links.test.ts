import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowContext } from '../../src/booking/context.ts';
import { initialState, transition } from '../../src/booking/index.ts';
import { linkUrl, listOfferLinks, normalizeBotUsername } from '../../src/staff/links.ts';
import { demoStudio } from './helpers.ts';

let studio: Awaited<ReturnType<typeof demoStudio>>;
beforeAll(async () => {
  studio = await demoStudio();
});
afterAll(async () => {
  await studio.close();
});

describe('deep links', () => {
  it('builds t.me links, with or without the @ staff tend to type', () => {
    expect(linkUrl('kiez_trial_bot', 'c101_poster')).toBe('https://t.me/kiez_trial_bot?start=c101_poster');
    expect(linkUrl('@kiez_trial_bot', 'o1')).toBe('https://t.me/kiez_trial_bot?start=o1');
    for (const wrong of ['', 'ab', 'has space_bot', '1starts_with_digit_bot', 'x'.repeat(33)]) {
      expect(() => normalizeBotUsername(wrong), wrong).toThrow(RangeError);
    }
  });

  it('refuses a campaign tag the bot could not read back', async () => {
    await expect(
      listOfferLinks({ catalog: studio.catalog, botUsername: 'kiez_trial_bot', campaign: 'Poster' }),
    ).rejects.toThrow(/campaign must be 1-24 characters/);
  });

  it('opens the booking flow on exactly the offer each link names, carrying the campaign along', async () => {
    const links = await listOfferLinks({
      catalog: studio.catalog,
      botUsername: 'kiez_trial_bot',
      campaign: 'flyer',
    });
    const offers = await studio.catalog.offers();
    const ctx: FlowContext = {
      now: Date.now(),
      locale: 'en',
      user: { id: 1, firstName: 'Ann' },
      fallbackTimeZone: 'Europe/Berlin',
    };

    for (const link of links) {
      const started = transition(initialState(), { type: 'start', payload: link.payload }, ctx);
      const loaded = transition(started.state, { type: 'offersLoaded', ...offers }, ctx);
      const { step, flow } = loaded.state;
      expect(flow?.campaign, link.payload).toBe('flyer');
      if (link.kind === 'config') {
        // A config with several offers shows just those to choose from.
        expect(step, link.payload).toMatchObject({ name: 'choosingOffer', configId: link.id });
      } else {
        expect(flow?.offer, link.payload).toMatchObject({
          type: link.kind,
          id: link.id,
          configId: link.configId,
        });
        expect(loaded.effects).toContainEqual({
          type: 'call',
          call: { name: 'config', configId: link.configId },
        });
      }
    }
  });
});
