import { describe, expect, test } from 'vitest';
import {
  type CallbackData,
  encodeCallbackData,
  maxCallbackDataBytes,
  parseCallbackData,
} from '../../src/booking/callback-data.ts';

const bigId = Number.MAX_SAFE_INTEGER;

const samples: CallbackData[] = [
  { action: 'offer', rev: 0, offer: { type: 'class', id: 1001 } },
  { action: 'offer', rev: 1295, offer: { type: 'appointment', id: bigId } },
  { action: 'offersPage', rev: 3, page: 2 },
  { action: 'slot', rev: 7, slot: { startMin: 29_693_280, durationMin: 60, ref: 501 }, waitingList: false },
  { action: 'slot', rev: 7, slot: { startMin: 29_693_280, durationMin: 30 }, waitingList: true },
  { action: 'slotWindow', rev: 7, fromDay: 20_620 },
  { action: 'otherOffers', rev: 1 },
  { action: 'skip', rev: 1 },
  { action: 'profileName', rev: 1 },
  { action: 'gender', rev: 1, gender: 'UNISEX' },
  { action: 'edit', rev: 1, field: 'address' },
  {
    action: 'book',
    rev: 1295,
    offer: { type: 'appointment', id: bigId },
    slot: { startMin: bigId, durationMin: bigId, ref: bigId },
  },
  { action: 'retry', rev: 12 },
  { action: 'cancel', rev: 12 },
  { action: 'confirm', bookingId: bigId, deadlineMin: 29_691_960 },
  { action: 'confirm', bookingId: 9001, deadlineMin: 0 },
  { action: 'bookAgain', offer: { type: 'class', id: 1001 } },
  { action: 'restart' },
  { action: 'language', locale: 'de' },
  // A reminder button from before it named the booking's studio, and ones that name it.
  { action: 'attend', bookingId: bigId },
  { action: 'cantMake', bookingId: 5001 },
  { action: 'attend', bookingId: bigId, studio: null },
  { action: 'cantMake', bookingId: 5001, studio: 'hamburg-altona-1' },
  { action: 'stopReminders' },
];

describe('callback data', () => {
  test.each(samples)('$action round-trips within 64 bytes: %o', (data) => {
    const encoded = encodeCallbackData(data);
    expect(new TextEncoder().encode(encoded).length).toBeLessThanOrEqual(maxCallbackDataBytes);
    expect(parseCallbackData(encoded)).toEqual(data);
  });

  test('the confirm button carries booking id and deadline in the documented form', () => {
    expect(encodeCallbackData({ action: 'confirm', bookingId: 9001, deadlineMin: 29_691_960 })).toBe(
      `1:cf:${(9001).toString(36)}:${(29_691_960).toString(36)}`,
    );
  });

  test.each([
    undefined,
    null,
    42,
    '',
    'garbage',
    '1',
    '1:',
    '1:zz:1',
    '1:cm',
    '1:at:1:2:3',
    '1:at:1:Hamburg',
    '1:cm:1:a-studio-id-too-long',
    '2:of:1:c1',
    '0:rs',
    '1:of:1',
    '1:of:1:x5',
    '1:of:1:c',
    '1:of:1:c5:extra',
    '1:of:ZZ:c5',
    '1:of:100:c5',
    '1:sl:1:abc:f',
    '1:sl:1:abc.1:x',
    '1:sl:1:abc.1.:f',
    '1:gd:1:x',
    '1:ed:1:pw',
    '1:ed:1:constructor',
    '1:lg:fr',
    '1:cf:abc',
    '1:cf:abc:-1',
    '1:cf:zzzzzzzzzzzz:1',
    `1:rs${':'.repeat(70)}`,
    '1:rs:',
    '1:__proto__:1',
  ])('%j does not parse and does not throw', (raw) => {
    expect(parseCallbackData(raw)).toBeUndefined();
  });
});
