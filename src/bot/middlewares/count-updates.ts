import type { MiddlewareFn } from 'grammy';
import type { Update } from 'grammy/types';
import type { Metrics } from '../../metrics.ts';
import type { BotContext } from '../context.ts';

/**
 * Every update type of the Bot API (the compiler checks the list against grammY's `Update`). Only
 * these become label values: an update's keys come from whoever sent it, and a label per forged key
 * would make a new metrics series for each.
 */
const knownUpdateTypes: Record<Exclude<keyof Update, 'update_id'>, true> = {
  message: true,
  edited_message: true,
  channel_post: true,
  edited_channel_post: true,
  business_connection: true,
  business_message: true,
  edited_business_message: true,
  deleted_business_messages: true,
  guest_message: true,
  stopped_message_generation: true,
  message_reaction: true,
  message_reaction_count: true,
  inline_query: true,
  chosen_inline_result: true,
  callback_query: true,
  shipping_query: true,
  pre_checkout_query: true,
  purchased_paid_media: true,
  poll: true,
  poll_answer: true,
  my_chat_member: true,
  chat_member: true,
  chat_join_request: true,
  chat_boost: true,
  removed_chat_boost: true,
  managed_bot: true,
  subscription: true,
};

/** `message`, `callback_query`, …: the update's type, or `other` for a key the Bot API does not define. */
export function updateType(update: Update): string {
  const key = Object.keys(update).find((key) => key !== 'update_id');
  return key !== undefined && Object.hasOwn(knownUpdateTypes, key) ? key : 'other';
}

export function countUpdates(metrics: Metrics): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    metrics.updateHandled(updateType(ctx.update));
    return next();
  };
}
