/**
 * Texts only the adapter shows (the flow's own texts are in src/booking/messages.ts): trouble with
 * the store, an unreadable saved conversation, unknown commands, and the command menu. A test
 * checks that both locale files define exactly these `bot-` messages.
 */

export const botMessageKeys = [
  'bot-state-reset',
  'bot-store-unavailable',
  'bot-chat-busy',
  'bot-unexpected-error',
  'bot-unknown-command',
  'bot-edited-message',
  'bot-command-start',
  'bot-command-help',
  'bot-command-language',
  'bot-command-cancel',
  'bot-command-forget',
  'bot-command-reminders',
  'bot-command-studio',
  'bot-studio-pick',
  'bot-studio-location-hint',
  'bot-studio-share-location',
  'bot-studio-page-back',
  'bot-studio-page-more',
  'bot-studio-nearest',
] as const;

export type BotMessageKey = (typeof botMessageKeys)[number];
