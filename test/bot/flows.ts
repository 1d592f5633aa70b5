/**
 * Steps many tests share, played through the fake Telegram exactly as a prospect would: tap what
 * they see, type answers. The demo studio's offers: Rückenfit (class 101) and "Probetraining mit
 * Coach" (appointment 201) under config 1 (gender and date of birth optional, phone and address
 * mandatory, 24 h to confirm); Yoga Flow (class 103) and Body-Check (appointment 202) under
 * config 2 (name and e-mail only, no confirmation).
 */
import { expect } from 'vitest';
import type { FakeUser } from '../../src/fake-telegram/index.ts';
import { lastText, send, shareContact, start, tap } from './harness.ts';

/** The first slot button with free places (data ends in `f`; `w` marks a waiting-list place). */
export const firstSlot = /^1:sl:.*:f$/;

export const askFirstName = "What's your first name?";
export const askLastName = 'And your last name?';
export const askEmail = "What's your e-mail address? The studio sends your booking confirmation there.";
export const askGender = "What's your gender?";
export const askDateOfBirth = "What's your date of birth? For example 31.12.1990.";
export const askTelephone = "What's your phone number? Type it or share it with the button below.";
export const askAddress = "What's your address? In one line, for example: Torstraße 119, 10119 Berlin";
export const askStreet = 'What street do you live on?';
export const optionalNote = '(Optional: tap "Skip" if you\'d rather not say.)';

/** /start, the offer, the first free slot: the bot then asks for the first name. */
export async function chooseFirstSlot(user: FakeUser, offerButton: string): Promise<void> {
  await start(user);
  await tap(user, offerButton);
  await tap(user, firstSlot);
  expect(lastText(user)).toMatch(/\nWhat's your first name\?$/);
}

export interface Person {
  firstName: string;
  lastName: string;
  email: string;
}

export const annika: Person = { firstName: 'Annika', lastName: 'Lindqvist', email: 'annika.l@example.com' };

export async function enterName(user: FakeUser, person: Person): Promise<void> {
  await send(user, person.firstName);
  await send(user, person.lastName);
  await send(user, person.email);
}

/** Every config-1 question, answered; ends at the summary. */
export async function enterConfig1Details(user: FakeUser, person: Person = annika): Promise<void> {
  await enterName(user, person);
  await tap(user, 'Female');
  await send(user, '31.12.1990');
  await shareContact(user);
  await send(user, 'Oderberger Str. 5a, 10435 Berlin');
  await tap(user, "✅ That's right");
  expect(lastText(user)).toMatch(/^Please check your booking/);
}

/** Yoga Flow (config 2) from /start to the summary. */
export async function yogaUpToSummary(user: FakeUser, person: Person = annika): Promise<void> {
  await chooseFirstSlot(user, '🏋️ Yoga Flow');
  await enterName(user, person);
  expect(lastText(user)).toMatch(/^Please check your booking/);
}
