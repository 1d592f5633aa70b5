/**
 * The playground's reminders: its clock control sends what a move made due, and the side panel's
 * `/api/reminders` lists what is scheduled, with due times on the studio clock.
 */
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { type Playground, type PlaygroundReminderJson, startPlayground } from '../../src/playground/index.ts';
import { annika, chooseFirstSlot, enterName } from '../bot/flows.ts';
import { botMessages, type Harness, startHarness, tap } from '../bot/harness.ts';

let h: Harness | undefined;
let playground: Playground | undefined;
afterEach(async () => {
  await playground?.close();
  await h?.stop();
  h = undefined;
  playground = undefined;
});

it('moving the sandbox clock sends the reminders now due; the panel lists what is scheduled', async () => {
  h = await startHarness();
  const reminders = h.bot.reminders;
  playground = await startPlayground({
    fake: h.fake,
    sandbox: { url: h.sandbox.url, apiKey: h.sandbox.apiKey },
    logger: silentLogger(),
    ...(reminders ? { reminders } : {}),
  });
  const ann = h.user();
  await chooseFirstSlot(ann, '🏋️ Yoga Flow');
  await enterName(ann, annika);
  await tap(ann, '✅ Book now');

  const listed = async () =>
    (await (await fetch(new URL('/api/reminders', playground?.url))).json()) as PlaygroundReminderJson[];
  const before = await listed();
  expect(before.map((r) => [r.kind, r.offer, r.state])).toEqual([
    ['slot_reminder', 'Yoga Flow', 'pending'],
    ['slot_reminder', 'Yoga Flow', 'pending'],
  ]);
  const firstDue = before[0]?.dueAt ?? 0;

  const moved = await fetch(new URL('/api/sandbox/clock', playground.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceMs: firstDue - h.sandbox.clock.now() + 1_000 }),
  });
  expect(moved.status).toBe(200);
  await ann.chat.waitFor(
    () => botMessages(ann).some((m) => m.text?.startsWith('Reminder: Yoga Flow')),
    10_000,
  );
  // Sent is done once its map pin went out too; then only the later one is listed.
  let after = await listed();
  for (let i = 0; i < 500 && after.length > 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    after = await listed();
  }
  expect(after.map((r) => r.dueAt)).toEqual([before[1]?.dueAt]);
});
