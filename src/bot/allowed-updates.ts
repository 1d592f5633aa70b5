/**
 * The updates trialgram asks Telegram for. Edited messages are included so that a prospect who
 * edits an answer is told to send it again instead of hearing nothing.
 */
export const allowedUpdates = ['message', 'edited_message', 'callback_query'] as const;
