/**
 * The flow plans a booking's reminders (pure): which ones, before the messages go out, and none
 * where the prospect switched them off or only holds a waiting-list place.
 */
import { describe, expect, test } from 'vitest';
import type { Effect } from '../../src/booking/effects.ts';
import { transition } from '../../src/booking/index.ts';
import {
  classBookResult,
  context,
  fresh,
  happyStudio,
  hour,
  lastView,
  reachSummary,
  run,
  tap,
  trialConfig,
} from './fixtures.ts';

const reminders = { slotLeadsMs: [24 * hour, 2 * hour], confirmationLeadsMs: [hour, 10 * 60_000] };

function scheduled(effects: Effect[]) {
  const effect = effects.find((e) => e.type === 'scheduleReminders');
  return effect?.type === 'scheduleReminders' ? effect.reminders : undefined;
}

function book(status: string, ctx = context({ reminders })) {
  const studio = happyStudio({
    config: () => trialConfig({ confirmationOfBookingTerm: { value: 2, unit: 'HOURS' } }),
    classBook: () => classBookResult(9001, status),
  });
  const summary = reachSummary(ctx, studio);
  return run(summary.state, tap(lastView(summary.effects), 'button-book'), ctx, studio);
}

describe('reminders planned on booking', () => {
  test('a booking needing confirmation: nudges before the deadline, the lapse at it, slot reminders; scheduled first', () => {
    const booked = book('BOOKED_WITH_CONFIRMATION_REQUIRED');
    const planned = scheduled(booked.effects) ?? [];
    const deadline = context().now + 2 * hour;
    expect(planned.filter((r) => r.kind !== 'slot_reminder').map((r) => [r.kind, r.dueAt])).toEqual([
      ['confirmation_nudge', deadline - hour],
      ['confirmation_nudge', deadline - 10 * 60_000],
      ['lapse_notice', deadline],
    ]);
    expect(planned.every((r) => r.bookingRef === '9001' && r.userId === 42 && r.chatId === 42)).toBe(true);
    // Small payloads: what the message needs, nothing personal.
    expect(Object.keys(planned[0]?.payload ?? {}).sort()).toEqual([
      'deadlineAt',
      'offer',
      'offerCode',
      'room',
      'zone',
    ]);
    const index = (type: Effect['type']) => booked.effects.findIndex((e) => e.type === type);
    expect(index('scheduleReminders')).toBeLessThan(index('reply'));
  });

  test('none when the prospect switched reminders off, and none for a waiting-list place', () => {
    expect(scheduled(book('BOOKED', context({ reminders, remindersOff: true })).effects)).toBeUndefined();
    expect(scheduled(book('WAITING_LIST').effects)).toBeUndefined();
    expect(scheduled(book('BOOKED').effects)?.every((r) => r.kind === 'slot_reminder')).toBe(true);
  });
});

describe('reminders of a booking whose update died with its process', () => {
  test.each(['BOOKED_WITH_CONFIRMATION_REQUIRED', 'BOOKED'])(
    '%s: the redelivered update schedules the same reminders again (same ids), the question too',
    (status) => {
      const booked = book(status);
      const first = (scheduled(booked.effects) ?? []).map((r) => r.id);
      expect(first.length).toBeGreaterThan(0);
      // Died after the state was saved, before the messages (and maybe the scheduling) were done.
      const resumed = transition(
        booked.state,
        { type: 'resume' },
        context({ reminders, promptDelivered: false }),
      );
      expect((scheduled(resumed.effects) ?? []).map((r) => r.id)).toEqual(first);
      expect(resumed.effects.some((e) => e.type === 'reply')).toBe(true);
      // Seen and done: a redelivery changes nothing and schedules nothing.
      const again = transition(
        booked.state,
        { type: 'resume' },
        context({ reminders, promptDelivered: true }),
      );
      expect(again.effects).toEqual([]);
    },
  );
});

describe('"Can\'t make it" on a reminder whose booking the conversation no longer holds', () => {
  const cantMake = (studio?: string | null): Effect[] =>
    transition(
      fresh(),
      {
        type: 'callback',
        data: { action: 'cantMake', bookingId: 5001, ...(studio === undefined ? {} : { studio }) },
      },
      context({ buttonOnOwnMessage: true }),
    ).effects;

  test("a button naming its studio cancels that studio's reminders and tells its staff", () => {
    const effects = cantMake('hamburg');
    expect(effects).toContainEqual({ type: 'cancelReminders', bookingId: 5001, studio: 'hamburg' });
    expect(effects.find((e) => e.type === 'notifyStaff')).toMatchObject({ studio: 'hamburg' });
    // The first (or only) studio.
    expect(cantMake(null)).toContainEqual({ type: 'cancelReminders', bookingId: 5001 });
  });

  test('an older button without its studio cancels that booking id at any studio', () => {
    expect(cantMake()).toContainEqual({ type: 'cancelReminders', bookingId: 5001, anyStudio: true });
  });
});
