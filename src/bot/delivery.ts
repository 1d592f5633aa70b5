/**
 * Delivery facts of a conversation, kept in its row next to the state: which revision's question
 * reached the prospect and which update the row applied. They decide whether a prospect's message
 * answers the current question (only if it was seen, and written after it was), and whether an
 * update is new, a redelivery of one applied (ignored), or one whose handling died (carried on).
 */
import type { FlowContext, State } from '../booking/index.ts';
import type { Shown } from './replies.ts';

/** What the conversation row knows besides the state: what the prospect saw, which update it applied. */
export interface Delivery {
  /**
   * The revision whose question reached the prospect (set once its sends succeeded). Absent in rows
   * from before it was kept: taken as seen.
   */
  shownRev?: number | undefined;
  /**
   * The id of the message that showed that question after all (it had not reached the prospect,
   * say after a crash): the prospect's messages before it were written without it, so they are no
   * answer to it. Absent when the question was shown as its step began.
   */
  shownIn?: number | undefined;
  /** Telegram's date of that message (seconds): a message id counts only for messages up to then. */
  shownAt?: number | undefined;
  /** The update being applied (`done` false: its process died) or applied last (`done` true). */
  updateId?: number | undefined;
  done?: boolean | undefined;
  /** How often handling `updateId` was started, once a redelivery found it interrupted. */
  attempts?: number | undefined;
  /** When the row was written (epoch ms). */
  at?: number | undefined;
}

/**
 * Telegram numbers updates in rising order, but picks the next id at random after a week without
 * any update; an update id lower than the row's counts as seen only within that week.
 */
const updateIdsRiseForMs = 7 * 24 * 60 * 60 * 1000;

/**
 * Where an update stands for a conversation: `applied` (a redelivery: ignore it), `interrupted`
 * (its handling died with the process: carry on, do not apply it twice) or `new`.
 */
export function updateStatus(
  delivery: Delivery,
  updateId: number,
  now: number,
): 'new' | 'applied' | 'interrupted' {
  const last = delivery.updateId;
  if (last === undefined) return 'new';
  if (updateId === last) return delivery.done ? 'applied' : 'interrupted';
  const recent = delivery.at !== undefined && now - delivery.at < updateIdsRiseForMs;
  return updateId < last && recent ? 'applied' : 'new';
}

/**
 * An update whose handling died this often is given up: something in it takes the process down,
 * and handling it again at every start would take the bot down for everyone.
 */
export const maxAttempts = 3;

/** The message an update carries, as far as delivery cares. */
interface WrittenMessage {
  message_id: number;
  /** Telegram's date, seconds. */
  date: number;
}

/**
 * Follows one update's transitions: what the prospect has seen, for the flow (`seen`) and for the
 * row (`stored`).
 */
export function followDelivery(stored: Delivery, state: State, message: WrittenMessage | undefined) {
  // Rows from before this was kept count as seen.
  let shownRev = stored.shownRev ?? state.rev;
  let { shownIn, shownAt } = stored;
  return {
    seen(current: State): Pick<FlowContext, 'promptDelivered' | 'messageBeforePrompt'> {
      const seen = shownRev === current.rev;
      // The date as well as the id, should a chat's message ids start again (a restarted playground).
      const before =
        seen &&
        message !== undefined &&
        shownIn !== undefined &&
        message.message_id < shownIn &&
        message.date <= (shownAt ?? 0);
      return { promptDelivered: seen, messageBeforePrompt: before };
    },
    /**
     * After a transition's effects: `sent` says every message arrived, `newest` is the newest of
     * them, `shown` that the flow showed the current question again.
     */
    transitioned(before: State, after: State, shown: boolean, sent: boolean, newest: Shown): void {
      if (!sent) return;
      if (after.rev !== before.rev) {
        // A new step comes with its question.
        shownRev = after.rev;
        shownIn = undefined;
        shownAt = undefined;
      } else if (shown && shownRev !== after.rev) {
        // Shown only now (it had not reached the prospect): messages before this one predate it.
        shownRev = after.rev;
        shownIn = newest?.messageId;
        shownAt = newest?.date;
      }
    },
    stored(updateId: number, done: boolean): Delivery {
      const attempts = updateId === stored.updateId ? stored.attempts : undefined;
      return { shownRev, shownIn, shownAt, updateId, done, attempts };
    },
  };
}
