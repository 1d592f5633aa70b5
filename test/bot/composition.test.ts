/**
 * The bot tests run trialgram as production builds and polls it (the composition root and
 * src/runtime/polling.ts), so what production does around each update happens here too.
 */
import { afterEach, expect, it } from 'vitest';
import { type Harness, lastText, start, startHarness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('each update handled gets its one `update handled` line, with ids and type only', async () => {
  const logLines: string[] = [];
  h = await startHarness({ logLines });
  const ann = h.user({ firstName: 'Annegret' });
  await start(ann);
  expect(lastText(ann)).toMatch(/^Hi! I'm the booking assistant/);
  const handled = logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'update handled');
  expect(handled).toHaveLength(1);
  expect(Object.keys(handled[0] ?? {}).sort()).toEqual(
    ['app', 'durationMs', 'level', 'msg', 'time', 'type', 'updateId'].sort(),
  );
  expect(handled[0]).toMatchObject({ level: 30, type: 'message' });
  expect(logLines.join('')).not.toContain('Annegret');
});
