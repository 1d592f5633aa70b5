import { describe, expect, it } from 'vitest';
import { lateVerdict, planReminders, type ReminderSettings } from '../../src/reminders/index.ts';
import { hour, minute, reminder } from './helpers.ts';

const settings: ReminderSettings = {
  slotLeadsMs: [24 * hour, 2 * hour],
  confirmationLeadsMs: [hour, 10 * minute],
};
const bookedAt = Date.UTC(2026, 5, 1, 8, 0);
const booking = { userId: 7, chatId: 7, bookingRef: '5501', bookedAt, payload: { title: 'Yoga' } };
const plan = (slotStartAt: number, confirmationDeadlineAt?: number) =>
  planReminders(
    { ...booking, slotStartAt, ...(confirmationDeadlineAt === undefined ? {} : { confirmationDeadlineAt }) },
    settings,
  ).map((r) => [r.kind, (r.dueAt - bookedAt) / minute, r.leadMs / minute]);

describe('planReminders', () => {
  it('puts slot reminders at each lead before the start, skipping points already past', () => {
    expect(plan(bookedAt + 48 * hour)).toEqual([
      ['slot_reminder', 24 * 60, 24 * 60],
      ['slot_reminder', 46 * 60, 2 * 60],
    ]);
    expect(plan(bookedAt + 3 * hour)).toEqual([['slot_reminder', 60, 120]]);
    expect(plan(bookedAt + hour)).toEqual([]);
  });

  it('nudges before the confirmation deadline (not within 5 minutes of the booking) and notes the lapse at it', () => {
    expect(plan(bookedAt + 30 * hour, bookedAt + 24 * hour)).toEqual([
      ['slot_reminder', 6 * 60, 24 * 60],
      ['confirmation_nudge', 23 * 60, 60],
      ['confirmation_nudge', 24 * 60 - 10, 10],
      ['lapse_notice', 24 * 60, 6 * 60],
      ['slot_reminder', 28 * 60, 2 * 60],
    ]);
    // Deadline in 14 minutes: the 10-minute nudge would come 4 minutes after the booking.
    expect(plan(bookedAt + 5 * hour, bookedAt + 14 * minute)).toEqual([
      ['lapse_notice', 14, 5 * 60 - 14],
      ['slot_reminder', 3 * 60, 2 * 60],
    ]);
  });

  it('gives every reminder an id made of user, booking, kind and point, the same each time', () => {
    const [first] = planReminders({ ...booking, slotStartAt: bookedAt + 3 * hour }, settings);
    expect(first?.id).toBe(`r.7.5501.slot_reminder.${bookedAt + hour}`);
    expect(planReminders({ ...booking, slotStartAt: bookedAt + 3 * hour }, settings)[0]?.id).toBe(first?.id);
  });
});

describe('lateVerdict', () => {
  const due = Date.UTC(2026, 5, 1, 10, 0);
  const twoHours = reminder({ userId: 1, dueAt: due, leadMs: 2 * hour });
  it('sends while less than half the lead time late and before the slot starts', () => {
    expect(lateVerdict(twoHours, due)).toBe('send');
    expect(lateVerdict(twoHours, due + 59 * minute)).toBe('send');
    expect(lateVerdict(twoHours, due + hour)).toBe('late_dropped');
    expect(lateVerdict({ ...twoHours, slotStartAt: due + 10 * minute }, due + 10 * minute)).toBe(
      'late_dropped',
    );
  });
});
