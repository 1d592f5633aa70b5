import { describe, expect, it } from 'vitest';
import { updatesAnswerAfter } from '../../src/bot/updates-answer.ts';

/** The answer's body as the transport has it: bytes. */
const readAfter = (text: string, seenUpTo: number | undefined) =>
  updatesAnswerAfter(Buffer.from(text), seenUpTo);

const update = (id: number, text = `message ${id}`) => ({
  update_id: id,
  message: { message_id: id * 10, date: 1_700_000_000, chat: { id: 7, type: 'private' }, text },
});
/** As the Bot API writes it: no spaces, each update's id first. */
const answer = (...updates: unknown[]) => JSON.stringify({ ok: true, result: updates });
const ids = (parsed: unknown) =>
  (parsed as { result: Array<{ update_id: number }> }).result.map((u) => u.update_id);

describe('a getUpdates answer read from the first update not had yet', () => {
  it('leaves out the updates handed out already and keeps the rest whole', () => {
    const text = answer(update(5), update(6), update(7), update(8));
    expect(readAfter(text, 6)).toEqual({ ok: true, result: [update(7), update(8)] });
    expect(ids(readAfter(text, 4))).toEqual([5, 6, 7, 8]);
    expect(ids(readAfter(text, undefined))).toEqual([5, 6, 7, 8]);
  });

  it('answers "nothing new" for an answer of updates had already, and for an empty one', () => {
    expect(readAfter(answer(update(5), update(6)), 6)).toEqual({ ok: true, result: [] });
    expect(readAfter(answer(), 6)).toEqual({ ok: true, result: [] });
  });

  it('is not misled by a prospect who types what an update looks like', () => {
    const typed = update(9, '{"update_id":12345,"message":{}} and {"update_id":3,');
    const text = answer(update(8), typed, update(10));
    expect(readAfter(text, 8)).toEqual({ ok: true, result: [typed, update(10)] });
    expect(readAfter(text, 9)).toEqual({ ok: true, result: [update(10)] });
  });

  it('parses whole what is not written the Bot API way, so that no new update is left out', () => {
    const refused = JSON.stringify({ ok: false, error_code: 409, description: 'Conflict' });
    expect(readAfter(refused, 3)).toEqual(JSON.parse(refused));
    const spaced = JSON.stringify({ ok: true, result: [update(5), update(6)] }, null, 1);
    expect(ids(readAfter(spaced, 5))).toEqual([5, 6]);
    const idLast = JSON.stringify({ ok: true, result: [{ message: update(5).message, update_id: 5 }] });
    expect(ids(readAfter(idLast, 4))).toEqual([5]);
    expect(ids(readAfter(idLast, 5))).toEqual([5]);
  });

  it('still fails on an answer that broke off', () => {
    const text = answer(update(5), update(6));
    expect(() => readAfter(text.slice(0, -3), 5)).toThrow(SyntaxError);
    expect(() => readAfter(text.slice(0, -3), 6)).toThrow(SyntaxError);
  });
});
