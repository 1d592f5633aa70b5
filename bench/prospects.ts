/**
 * The simulated people. A prospect opens the bot, picks a class of the benchmark's config, taps
 * the first free time, answers every lead question the config asks, books and confirms, waiting
 * for the bot's answer before each next step, as a person would. Baseline "prospects" send the
 * same number of messages and wait for each reply.
 *
 * What the bot says is matched against the English texts in locales/en.ftl and buttons by their
 * callback data, so a change of wording in the locale does not break the benchmark.
 */
import { readFileSync } from 'node:fs';
import type { ChatView, FakeTelegram, FakeUser } from '../src/fake-telegram/index.ts';

export interface FlowOutcome {
  completed: boolean;
  /**
   * The prospect waited a whole step timeout for an answer that never came (a lost reply, an
   * update never handled), as opposed to the run's deadline or the fake failing to take a step.
   */
  stuck: boolean;
  /** The step that did not get its answer. */
  failedStep?: string;
  reason?: string;
  updatesSent: number;
  /** The e-mail address the prospect gave, to find their lead in the sandbox. */
  email: string;
}

export interface DriveLimits {
  /** How long one step may wait for the bot's answer. */
  stepTimeoutMs: number;
  /** No step starts after this (epoch ms); the run stays bounded whatever happens. */
  deadlineAt: number;
}

interface Step {
  name: string;
  act(user: FakeUser): Promise<unknown>;
  /** True once the bot has answered the step. */
  answered(chat: ChatView): boolean;
}

const localeFile = new URL('../locales/en.ftl', import.meta.url);

/** The text of a single-line Fluent message up to its first placeable. */
export function loadLocaleTexts(): (key: string) => string {
  const texts = new Map<string, string>();
  for (const line of readFileSync(localeFile, 'utf8').split('\n')) {
    const match = /^([a-z][a-z0-9-]*) = (.+)$/.exec(line);
    if (match) texts.set(match[1] as string, (match[2] as string).split('{')[0]?.trim() ?? '');
  }
  return (key) => {
    const value = texts.get(key);
    if (value === undefined || value === '') throw new Error(`locales/en.ftl has no usable text for ${key}`);
    return value;
  };
}

const lastBotText = (chat: ChatView): string => chat.last('bot')?.text ?? '';
const lastBotHasButton = (chat: ChatView, data: RegExp): boolean =>
  chat.last('bot')?.buttons.some((row) => row.some((button) => data.test(button.callbackData ?? ''))) ??
  false;

// Callback data formats from src/booking/callback-data.ts: 1:<action>[:<rev>][:<args>].
const offerButton = (classId: number) => new RegExp(`^1:of:[0-9a-z]+:c${classId.toString(36)}$`);
const freeSlotButton = /^1:sl:.+:f$/;
const femaleButton = /^1:gd:[0-9a-z]+:f$/;
const bookButton = /^1:bk:/;
const confirmButton = /^1:cf:/;
const addressOkButton = /^1:ao:/;

/** What a prospect types; synthetic, but valid for every check the bot and the studio make. */
export function prospectDetails(index: number) {
  return {
    firstName: 'Prospect',
    lastName: `Number ${index}`,
    email: `prospect-${index}@bench.example`,
    dateOfBirth: '31.12.1990',
    telephone: `+49151${String(10_000_000 + index).slice(-8)}`,
    street: 'Oderberger Straße',
    houseNumber: String(1 + (index % 90)),
    zipCode: '10435',
    city: 'Berlin',
  };
}

/**
 * The steps of one booking of a class whose config asks every lead field and requires
 * confirmation (the benchmark's config 1): 13 updates from /start to the confirmation.
 */
export function bookingSteps(
  classId: number,
  index: number,
  text: (key: string) => string,
  studio?: string,
): Step[] {
  const details = prospectDetails(index);
  const asks = (key: string) => (chat: ChatView) => lastBotText(chat).includes(text(key));
  const type = (name: string, value: string, next: string): Step => ({
    name,
    act: (user) => user.sendText(value),
    answered: asks(next),
  });
  // In a chain the prospect comes through the class's deep link at their studio, which opens the
  // class's times at once (no offer list, one update less).
  const opening: Step[] = studio
    ? [
        {
          name: 'start',
          act: (user) => user.start(`s-${studio}_c${classId}`),
          answered: (chat) => lastBotHasButton(chat, freeSlotButton),
        },
      ]
    : [
        {
          name: 'start',
          act: (user) => user.start(),
          answered: (chat) => lastBotHasButton(chat, offerButton(classId)),
        },
        {
          name: 'offer',
          act: (user) => user.tap(offerButton(classId)),
          answered: (chat) => lastBotHasButton(chat, freeSlotButton),
        },
      ];
  return [
    ...opening,
    { name: 'slot', act: (user) => user.tap(freeSlotButton), answered: asks('lead-ask-first-name') },
    type('firstName', details.firstName, 'lead-ask-last-name'),
    type('lastName', details.lastName, 'lead-ask-email'),
    {
      name: 'email',
      act: (user) => user.sendText(details.email),
      answered: (chat) => lastBotHasButton(chat, femaleButton),
    },
    { name: 'gender', act: (user) => user.tap(femaleButton), answered: asks('lead-ask-date-of-birth') },
    type('dateOfBirth', details.dateOfBirth, 'lead-ask-telephone'),
    type('telephone', details.telephone, 'lead-ask-address'),
    {
      // The address in one line; the bot shows what it read with "That's right".
      name: 'address',
      act: (user) =>
        user.sendText(`${details.street} ${details.houseNumber}, ${details.zipCode} ${details.city}`),
      answered: (chat) => lastBotHasButton(chat, addressOkButton),
    },
    {
      name: 'addressOk',
      act: (user) => user.tap(addressOkButton),
      answered: (chat) => lastBotHasButton(chat, bookButton),
    },
    {
      name: 'book',
      act: (user) => user.tap(bookButton),
      answered: (chat) => lastBotHasButton(chat, confirmButton),
    },
    {
      name: 'confirm',
      act: (user) => user.tap(confirmButton),
      // The message with the Confirm button is edited into the confirmation.
      answered: (chat) =>
        chat.messages.some((m) => m.from === 'bot' && m.text?.startsWith(text('confirm-done'))),
    },
  ];
}

/** Updates one booking flow sends; the baseline sends as many per prospect. */
export const updatesPerBooking = 13;

async function runSteps(
  user: FakeUser,
  steps: Step[],
  limits: DriveLimits,
  email: string,
): Promise<FlowOutcome> {
  let updatesSent = 0;
  for (const step of steps) {
    const left = limits.deadlineAt - Date.now();
    if (left <= 0) {
      return {
        completed: false,
        stuck: false,
        failedStep: step.name,
        reason: 'run deadline passed',
        updatesSent,
        email,
      };
    }
    const waitMs = Math.min(limits.stepTimeoutMs, left);
    let waiting = false;
    try {
      await step.act(user);
      updatesSent += 1;
      waiting = true;
      await user.chat.waitFor(step.answered, waitMs);
    } catch (error) {
      const shown = lastBotText(user.chat).slice(0, 100).replace(/\s+/g, ' ');
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return {
        completed: false,
        // A wait cut short by the run's deadline is the deadline's doing, not a lost answer.
        stuck: waiting && waitMs === limits.stepTimeoutMs,
        failedStep: step.name,
        reason: `${reason} (bot last said: "${shown}")`,
        updatesSent,
        email,
      };
    }
  }
  return { completed: true, stuck: false, updatesSent, email };
}

/** One prospect books `classId` from /start (at `studio` of a chain: its deep link) to the confirmation. */
export function bookTrial(
  fake: FakeTelegram,
  index: number,
  classId: number,
  text: (key: string) => string,
  limits: DriveLimits,
  studio?: string,
): Promise<FlowOutcome> {
  const details = prospectDetails(index);
  const user = fake.user({ firstName: details.firstName, lastName: details.lastName, languageCode: 'en' });
  return runSteps(user, bookingSteps(classId, index, text, studio), limits, details.email);
}

/** A baseline prospect: `updates` messages, each waiting for the bot's reply. */
export function chatWithBaseline(fake: FakeTelegram, index: number, updates: number, limits: DriveLimits) {
  const user = fake.user({ firstName: 'Prospect', lastName: `Number ${index}`, languageCode: 'en' });
  const steps: Step[] = Array.from({ length: updates }, (_, step) => {
    let lastReplyId = 0;
    return {
      name: `message ${step + 1}`,
      act: (sender) => {
        lastReplyId = sender.chat.last('bot')?.messageId ?? 0;
        return sender.sendText(`hello ${step + 1}`);
      },
      answered: (chat) => (chat.last('bot')?.messageId ?? 0) > lastReplyId,
    };
  });
  return runSteps(user, steps, limits, '');
}

/**
 * Runs `task` for indexes 0..count-1, at most `concurrency` at a time, each starting as soon as
 * another finished (a steady population, not waves).
 */
export async function forEachConcurrently(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
