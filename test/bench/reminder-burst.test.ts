/**
 * `npm run bench -- --reminders` in miniature: the sender process builds trialgram through the
 * composition root and its own reminder delivery sends each reminder to its chat once. No timings
 * or rates: the scheduler's tests check the pacing, and a loaded machine makes them noisy here.
 */
import { expect, it } from 'vitest';
import { runReminderBurst } from '../../bench/reminder-burst.ts';

it('sends every reminder of the burst to its chat exactly once', { timeout: 60_000 }, async () => {
  const result = await runReminderBurst({ count: 30, rate: 30, store: 'memory' });
  expect(result).toMatchObject({ count: 30, deliveredOnce: 30, missing: 0, duplicated: 0 });
});
