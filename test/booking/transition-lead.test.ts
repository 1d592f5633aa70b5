/**
 * Asking for lead data: every bad answer is re-asked with a hint that says what is wrong, and
 * nothing already given is lost; the summary's edit buttons change one field and come back.
 */
import { describe, expect, test } from 'vitest';
import type { FlowContext } from '../../src/booking/context.ts';
import type { BookingEvent } from '../../src/booking/events.ts';
import type { LeadFieldName } from '../../src/booking/lead-fields.ts';
import type { Text } from '../../src/booking/messages.ts';
import type { StudioInformation } from '../../src/perfectgym/schemas.ts';
import {
  buttonKeys,
  context,
  happyStudio,
  lastView,
  leadDataConfig,
  openYoga,
  pickFirstSlot,
  type Run,
  run,
  type StudioScript,
  shownKeys,
  tap,
  trialConfig,
} from './fixtures.ts';

const ctx = context();
const studio: StudioScript = happyStudio({
  config: () =>
    trialConfig({
      leadDataConfig: leadDataConfig({
        genderMode: 'MANDATORY',
        dateOfBirthMode: 'MANDATORY',
        telephoneMode: 'MANDATORY',
        addressMode: 'MANDATORY',
      }),
    }),
});

const goodAnswers: Record<LeadFieldName, BookingEvent> = {
  firstName: { type: 'text', text: 'Anna' },
  lastName: { type: 'text', text: 'Schmidt' },
  email: { type: 'text', text: 'anna@example.com' },
  gender: { type: 'callback', data: undefined }, // replaced by a tap below
  dateOfBirth: { type: 'text', text: '31.12.1990' },
  telephone: { type: 'text', text: '+49 170 1234567' },
  // The address is asked in one line; `reachField` goes field by field for its parts.
  street: { type: 'text', text: 'Burgring 23A, 13000 Berlin' },
  houseNumber: { type: 'text', text: '23A' },
  zipCode: { type: 'text', text: '13000' },
  city: { type: 'text', text: 'Berlin' },
};

const addressParts: readonly LeadFieldName[] = ['street', 'houseNumber', 'zipCode', 'city'];

/**
 * Answers correctly until the flow asks for `field`. For a part of the address, the one-line
 * answer is one it cannot read, so the parts are asked one by one.
 */
function reachField(field: LeadFieldName | 'summary'): Run {
  const inParts = addressParts.includes(field as LeadFieldName);
  let at = pickFirstSlot(openYoga(ctx, studio), ctx, studio);
  for (let guard = 0; guard < 14; guard++) {
    const { step } = at.state;
    if (step.name === 'confirmingAddress') {
      at = run(at.state, tap(lastView(at.effects), 'button-address-ok'), ctx, studio);
      continue;
    }
    if (step.name !== 'collectingLead') return at;
    const oneLine = step.field === 'street' && !step.inParts;
    if (step.field === field && (!oneLine || !inParts)) return at;
    const event: BookingEvent =
      step.field === 'gender'
        ? tap(lastView(at.effects), 'gender-female')
        : oneLine && inParts
          ? { type: 'text', text: 'somewhere' }
          : step.field === 'street' && step.inParts
            ? { type: 'text', text: 'Burgring' }
            : goodAnswers[step.field];
    at = run(at.state, event, ctx, studio);
  }
  return at;
}

const long = (n: number) => 'x'.repeat(n);
/** The studio information of the fixtures names no country: German numbers, a German example. */
const phoneHint: Text = { key: 'lead-error-phone', args: { example: '01512 3456789' } };

describe('bad answers are re-asked with a specific hint', () => {
  test.each<[LeadFieldName, BookingEvent, Text]>([
    ['firstName', { type: 'text', text: '   ' }, { key: 'lead-error-empty' }],
    ['firstName', { type: 'text', text: long(51) }, { key: 'lead-error-too-long', args: { max: 50 } }],
    ['firstName', { type: 'nonText', kind: 'sticker' }, { key: 'lead-error-not-text' }],
    ['lastName', { type: 'text', text: '1234' }, { key: 'lead-error-no-letters' }],
    ['email', { type: 'text', text: 'anna@' }, { key: 'lead-error-email' }],
    ['email', { type: 'text', text: 'anna at example dot com' }, { key: 'lead-error-email' }],
    [
      'email',
      { type: 'text', text: `${long(95)}@example.com` },
      { key: 'lead-error-too-long', args: { max: 100 } },
    ],
    ['email', { type: 'nonText', kind: 'photo' }, { key: 'lead-error-not-text' }],
    ['email', { type: 'contact', phoneNumber: '491701234567', userId: 42 }, { key: 'lead-error-not-text' }],
    ['gender', { type: 'text', text: 'female' }, { key: 'lead-error-use-buttons' }],
    ['dateOfBirth', { type: 'text', text: '31.02.1990' }, { key: 'lead-error-date-impossible' }],
    ['dateOfBirth', { type: 'text', text: '01.01.2030' }, { key: 'lead-error-date-future' }],
    [
      'dateOfBirth',
      { type: 'text', text: '01.01.1890' },
      { key: 'lead-error-date-too-old', args: { years: 120 } },
    ],
    ['dateOfBirth', { type: 'text', text: '31.12.90' }, { key: 'lead-error-date-format' }],
    ['dateOfBirth', { type: 'nonText', kind: 'voice' }, { key: 'lead-error-not-text' }],
    [
      'dateOfBirth',
      { type: 'text', text: '01.12.2025' },
      { key: 'lead-error-date-too-young', args: { years: 14 } },
    ],
    ['telephone', { type: 'text', text: '12345' }, phoneHint],
    ['telephone', { type: 'text', text: 'ring me' }, phoneHint],
    ['telephone', { type: 'text', text: '15.06.1990' }, phoneHint],
    ['telephone', { type: 'text', text: '2026-12-01' }, phoneHint],
    [
      'telephone',
      { type: 'contact', phoneNumber: '15555551234', userId: 42 },
      { key: 'lead-error-contact-invalid' },
    ],
    [
      'telephone',
      { type: 'contact', phoneNumber: '491709999999', userId: 99 },
      { key: 'lead-error-contact-foreign' },
    ],
    ['telephone', { type: 'contact', phoneNumber: '491709999999' }, { key: 'lead-error-contact-foreign' }],
    ['street', { type: 'text', text: long(101) }, { key: 'lead-error-too-long', args: { max: 100 } }],
    ['houseNumber', { type: 'text', text: long(11) }, { key: 'lead-error-too-long', args: { max: 10 } }],
    ['zipCode', { type: 'text', text: '1#' }, { key: 'lead-error-zip-code', args: { min: 3, max: 10 } }],
    ['city', { type: 'text', text: long(51) }, { key: 'lead-error-too-long', args: { max: 50 } }],
    ['city', { type: 'nonText', kind: 'location' }, { key: 'lead-error-not-text' }],
  ])('%s: %o → %o, nothing lost', (field, event, hint) => {
    const at = reachField(field);
    expect(at.state.step).toMatchObject({ name: 'collectingLead', field });
    const after = run(at.state, event, ctx, studio);
    // Same step, same revision (its buttons stay valid), every earlier answer kept.
    expect(after.state).toEqual(at.state);
    expect(after.calls).toEqual([]);
    expect(after.effects).toHaveLength(1);
    const shown = lastView(after.effects);
    expect(shown.parts[0]).toEqual(hint);
    expect(shown.parts[1]?.key).toMatch(/^lead-ask-/);
  });

  test('after a bad answer a good one is taken and the earlier answers are still there', () => {
    const at = reachField('email');
    const bad = run(at.state, { type: 'text', text: 'anna@' }, ctx, studio);
    const good = run(bad.state, { type: 'text', text: ' Anna@Example.COM ' }, ctx, studio);
    expect(good.state.flow?.lead).toEqual({
      firstName: 'Anna',
      lastName: 'Schmidt',
      email: 'Anna@example.com',
    });
    expect(good.state.step).toEqual({ name: 'collectingLead', field: 'gender' });
  });
});

/** Answers up to the one-line address question. */
function pickAddress(): Run {
  let at = pickFirstSlot(openYoga(ctx, studio), ctx, studio);
  for (let guard = 0; guard < 12; guard++) {
    const { step } = at.state;
    if (step.name !== 'collectingLead' || step.field === 'street') break;
    const event =
      step.field === 'gender' ? tap(lastView(at.effects), 'gender-female') : goodAnswers[step.field];
    at = run(at.state, event, ctx, studio);
  }
  expect(at.state.step).toEqual({ name: 'collectingLead', field: 'street' });
  return at;
}

describe("the studio's country and age limit", () => {
  const atPhone = (flowCtx: FlowContext) => {
    let at = pickFirstSlot(openYoga(flowCtx, studio), flowCtx, studio);
    for (let guard = 0; guard < 12; guard++) {
      const { step } = at.state;
      if (step.name !== 'collectingLead' || step.field === 'telephone') break;
      const event =
        step.field === 'gender' ? tap(lastView(at.effects), 'gender-female') : goodAnswers[step.field];
      at = run(at.state, event, flowCtx, studio);
    }
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'telephone' });
    return at;
  };
  const austrian = context({ studio: { ...(context().studio as StudioInformation), countryCode: 'AT' } });

  test('an Austrian studio reads a national number as Austrian, and its hint shows an Austrian one', () => {
    const at = atPhone(austrian);
    const typed = run(at.state, { type: 'text', text: '0664 1234567' }, austrian, studio);
    expect(typed.state.flow?.lead.telephone).toBe('+436641234567');
    const bad = run(at.state, { type: 'text', text: '15.06.1990' }, austrian, studio);
    expect(lastView(bad.effects).parts[0]).toEqual({
      key: 'lead-error-phone',
      args: { example: '0664 123456' },
    });
  });

  test('DEFAULT_PHONE_REGION overrides the studio country', () => {
    const overridden = { ...austrian, phoneRegion: 'DE' };
    const at = atPhone(overridden);
    const typed = run(at.state, { type: 'text', text: '0151 12345678' }, overridden, studio);
    expect(typed.state.flow?.lead.telephone).toBe('+4915112345678');
  });

  test('MIN_AGE sets the youngest date of birth taken', () => {
    const adults = context({ minAgeYears: 18 });
    let at = pickFirstSlot(openYoga(adults, studio), adults, studio);
    while (at.state.step.name === 'collectingLead' && at.state.step.field !== 'dateOfBirth') {
      const field = at.state.step.field;
      at = run(
        at.state,
        field === 'gender' ? tap(lastView(at.effects), 'gender-female') : goodAnswers[field],
        adults,
        studio,
      );
    }
    const minor = run(at.state, { type: 'text', text: '16.06.2008' }, adults, studio);
    expect(lastView(minor.effects).parts[0]).toEqual({
      key: 'lead-error-date-too-young',
      args: { years: 18 },
    });
    expect(minor.state).toEqual(at.state);
    const adult = run(at.state, { type: 'text', text: '15.06.2008' }, adults, studio);
    expect(adult.state.flow?.lead.dateOfBirth).toBe('2008-06-15');
  });
});

describe('direction controls', () => {
  test('a typed name loses its bidi controls; the profile name button too', () => {
    const tricky = context({ user: { id: 42, firstName: '\u202Eanna', lastName: 'Sch\u200Bmidt' } });
    let at = pickFirstSlot(openYoga(tricky, studio), tricky, studio);
    expect(lastView(at.effects).keyboard).toMatchObject({
      rows: [[{ text: { key: 'button-use-full-name', args: { name: 'anna Schmidt' } } }]],
    });
    const tapped = run(at.state, tap(lastView(at.effects), 'button-use-full-name'), tricky, studio);
    expect(tapped.state.flow?.lead).toEqual({ firstName: 'anna', lastName: 'Schmidt' });
    at = run(at.state, { type: 'text', text: 'anna' }, tricky, studio);
    at = run(at.state, { type: 'text', text: 'Schmidt\u202E\u2066' }, tricky, studio);
    expect(at.state.flow?.lead).toEqual({ firstName: 'anna', lastName: 'Schmidt' });
  });

  test('a right-to-left name is isolated in the summary', () => {
    const flowCtx = context({ user: { id: 42, firstName: 'שרה' } });
    let at = pickFirstSlot(openYoga(flowCtx, happyStudio()), flowCtx, happyStudio());
    for (const answer of ['שרה', 'Cohen', 'sarah@example.com'])
      at = run(at.state, { type: 'text', text: answer }, flowCtx, happyStudio());
    expect(lastView(at.effects).parts[1]).toEqual({
      key: 'summary-name',
      args: { first: '\u2068שרה\u2069', last: 'Cohen' },
    });
  });
});

describe('one-tap answers', () => {
  test('both profile names are one tap; typing a first name still goes through both questions', () => {
    const at = reachField('firstName');
    expect(lastView(at.effects).keyboard).toMatchObject({
      rows: [[{ text: { key: 'button-use-full-name', args: { name: 'Anna Schmidt' } } }]],
    });
    const both = run(at.state, tap(lastView(at.effects), 'button-use-full-name'), ctx, studio);
    expect(both.state.flow?.lead).toEqual({ firstName: 'Anna', lastName: 'Schmidt' });
    expect(both.state.step).toEqual({ name: 'collectingLead', field: 'email' });

    let typed = run(at.state, { type: 'text', text: 'Annette' }, ctx, studio);
    expect(lastView(typed.effects).keyboard).toMatchObject({
      rows: [[{ text: { key: 'button-use-name', args: { name: 'Schmidt' } } }]],
    });
    typed = run(typed.state, tap(lastView(typed.effects), 'button-use-name'), ctx, studio);
    expect(typed.state.flow?.lead).toEqual({ firstName: 'Annette', lastName: 'Schmidt' });
  });

  test('with only a first name in the profile, the first-name button fills just that', () => {
    const firstOnly = context({ user: { id: 42, firstName: 'Anna' } });
    const at = pickFirstSlot(openYoga(firstOnly, studio), firstOnly, studio);
    expect(lastView(at.effects).keyboard).toMatchObject({
      rows: [[{ text: { key: 'button-use-name', args: { name: 'Anna' } } }]],
    });
    const tapped = run(at.state, tap(lastView(at.effects), 'button-use-name'), firstOnly, studio);
    expect(tapped.state.step).toEqual({ name: 'collectingLead', field: 'lastName' });
  });

  test('without a last name in the profile there is no one-tap button for it', () => {
    const noLast = context({ user: { id: 42, firstName: 'Anna' } });
    let at = pickFirstSlot(openYoga(noLast, studio), noLast, studio);
    at = run(at.state, { type: 'text', text: 'Anna' }, noLast, studio);
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'lastName' });
    expect(lastView(at.effects).keyboard).toBeUndefined();
  });

  test("sharing one's own contact answers the phone question and removes the contact keyboard", () => {
    const at = reachField('telephone');
    const shared = run(at.state, { type: 'contact', phoneNumber: '491701234567', userId: 42 }, ctx, studio);
    expect(shared.state.flow?.lead.telephone).toBe('+491701234567');
    // The address question, a message of its own without buttons, takes the contact keyboard away.
    expect(shared.effects).toHaveLength(1);
    expect(shared.effects[0]).toMatchObject({
      type: 'reply',
      view: { parts: [{ key: 'lead-ask-address' }], keyboard: { type: 'removeReplyKeyboard' } },
    });
    expect(shared.state.step).toEqual({ name: 'collectingLead', field: 'street' });
  });

  test('a phone answer followed by a question with buttons: a short thanks takes the contact keyboard away', () => {
    const at = reachField('telephone');
    // The address is optional here: its question has a Skip button, and a message has one keyboard.
    const flow = at.state.flow;
    if (!flow?.config) throw new Error('no config');
    const state = {
      ...at.state,
      flow: {
        ...flow,
        config: { ...flow.config, modes: { ...flow.config.modes, address: 'OPTIONAL' as const } },
      },
    };
    const typed = run(state, { type: 'text', text: '+49 170 1234567' }, ctx, studio);
    expect(typed.effects.map((e) => (e.type === 'reply' ? e.view.keyboard?.type : e.type))).toEqual([
      'removeReplyKeyboard',
      'inline',
    ]);
    expect(typed.effects[0]).toMatchObject({ view: { parts: [{ key: 'lead-telephone-saved' }] } });
  });
});

describe('summary', () => {
  test('shows every answer and an edit button per active field', () => {
    const at = reachField('summary');
    expect(at.state.step).toEqual({ name: 'summary' });
    const shown = lastView(at.effects);
    expect(shown.parts.map((p) => p.key)).toEqual([
      'summary-header',
      'summary-name',
      'summary-email',
      'summary-gender-female',
      'summary-date-of-birth',
      'summary-telephone',
      'summary-address',
      'summary-consent',
    ]);
    expect(shown.parts[4]).toEqual({ key: 'summary-date-of-birth', args: { value: '31/12/1990' } });
    // Typed as "+49 170 1234567", kept as +491701234567, shown in international format.
    expect(at.state.flow?.lead.telephone).toBe('+491701234567');
    expect(shown.parts[5]).toEqual({ key: 'summary-telephone', args: { value: '+49 170 1234567' } });
    expect(shown.parts[6]).toEqual({ key: 'summary-address', args: { value: 'Burgring 23A, 13000 Berlin' } });
    expect(buttonKeys(shown)).toEqual([
      'button-book',
      'edit-first-name',
      'edit-last-name',
      'edit-email',
      'edit-gender',
      'edit-date-of-birth',
      'edit-telephone',
      'edit-address',
      'button-cancel',
    ]);
  });

  test('editing one field asks only that field and returns to the summary', () => {
    const at = reachField('summary');
    const editing = run(at.state, tap(lastView(at.effects), 'edit-email'), ctx, studio);
    expect(editing.state.step).toEqual({ name: 'collectingLead', field: 'email' });
    const back = run(editing.state, { type: 'text', text: 'anna.s@example.com' }, ctx, studio);
    expect(back.state.step).toEqual({ name: 'summary' });
    expect(back.state.flow?.lead).toEqual({ ...at.state.flow?.lead, email: 'anna.s@example.com' });
  });

  test('editing the address asks for it in one line again, then returns to the summary', () => {
    const at = reachField('summary');
    const editing = run(at.state, tap(lastView(at.effects), 'edit-address'), ctx, studio);
    expect(editing.state.step).toEqual({ name: 'collectingLead', field: 'street' });
    expect(lastView(editing.effects).parts).toEqual([{ key: 'lead-ask-address' }]);
    const read = run(editing.state, { type: 'text', text: 'Hauptstraße 1, 10115 Berlin' }, ctx, studio);
    const back = run(read.state, tap(lastView(read.effects), 'button-address-ok'), ctx, studio);
    expect(back.state.step).toEqual({ name: 'summary' });
    expect(back.state.flow?.lead).toMatchObject({
      street: 'Hauptstraße',
      houseNumber: '1',
      zipCode: '10115',
      city: 'Berlin',
      email: 'anna@example.com',
    });
  });

  test('the address in one line is read into its parts and shown with "That\'s right"', () => {
    const at = reachField('street');
    const oneLine = pickAddress();
    const read = run(oneLine.state, { type: 'text', text: ' Torstraße 119,  10119 Berlin ' }, ctx, studio);
    expect(read.state.step).toEqual({ name: 'confirmingAddress' });
    expect(lastView(read.effects)).toEqual({
      parts: [
        {
          key: 'lead-address-understood',
          args: { street: 'Torstraße', number: '119', zip: '10119', city: 'Berlin' },
        },
      ],
      keyboard: {
        type: 'inline',
        rows: [
          [expect.objectContaining({ text: { key: 'button-address-ok' } })],
          [expect.objectContaining({ text: { key: 'button-address-in-parts' } })],
        ],
      },
    });
    // "Enter it in parts" drops what was read and asks the four questions.
    const parts = run(read.state, tap(lastView(read.effects), 'button-address-in-parts'), ctx, studio);
    expect(parts.state.step).toEqual({ name: 'collectingLead', field: 'street', inParts: true });
    expect(parts.state.flow?.lead.street).toBeUndefined();
    expect(lastView(parts.effects).parts).toEqual([{ key: 'lead-ask-street' }]);
    // Typed again instead of tapping: read anew.
    const retyped = run(read.state, { type: 'text', text: 'Burgring 23A, 13000 Berlin' }, ctx, studio);
    expect(retyped.state.flow?.lead).toMatchObject({ street: 'Burgring', houseNumber: '23A' });
    expect(at.state.step).toMatchObject({ field: 'street', inParts: true });
  });

  test('an address that cannot be read falls back to the four questions, nothing else lost', () => {
    const oneLine = pickAddress();
    const unread = run(oneLine.state, { type: 'text', text: 'near the park' }, ctx, studio);
    expect(shownKeys(unread.effects)).toEqual(['lead-address-unreadable', 'lead-ask-street']);
    expect(unread.state.step).toEqual({ name: 'collectingLead', field: 'street', inParts: true });
    expect(unread.state.flow?.lead).toEqual(oneLine.state.flow?.lead);
  });

  test('text typed at the summary gets a hint and the summary again', () => {
    const at = reachField('summary');
    const typed = run(at.state, { type: 'text', text: 'book it' }, ctx, studio);
    expect(typed.state).toEqual(at.state);
    expect(lastView(typed.effects).parts[0]).toEqual({ key: 'input-use-buttons' });
    expect(lastView(typed.effects).parts[1]?.key).toBe('summary-header');
  });

  test('without a privacy URL the consent line has no link', () => {
    const noPrivacy = context({ privacyUrl: undefined });
    let at = pickFirstSlot(openYoga(noPrivacy, happyStudio()), noPrivacy, happyStudio());
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, noPrivacy, happyStudio());
    expect(lastView(at.effects).parts.at(-1)).toEqual({ key: 'summary-consent-no-link' });
  });
});

describe('the early lead check', () => {
  const optional = (leadValidate: NonNullable<StudioScript['leadValidate']>) =>
    happyStudio({
      config: () => trialConfig({ leadDataConfig: leadDataConfig({ genderMode: 'OPTIONAL' }) }),
      leadValidate,
    });

  test('runs with names and e-mail only; a failed call just goes on with the questions', () => {
    const failing = optional(() => ({ fail: 'temporary' }));
    let at = pickFirstSlot(openYoga(ctx, failing), ctx, failing);
    for (const answer of ['Anna', 'Schmidt'])
      at = run(at.state, { type: 'text', text: answer }, ctx, failing);
    const checked = run(at.state, { type: 'text', text: 'anna@example.com' }, ctx, failing);
    expect(checked.calls).toEqual([
      {
        name: 'leadValidate',
        request: expect.objectContaining({
          leadCustomerData: expect.not.objectContaining({ gender: expect.anything() }),
        }),
      },
    ]);
    expect(checked.state.step).toEqual({ name: 'collectingLead', field: 'gender' });
    expect(shownKeys(checked.effects)).toEqual(['lead-ask-gender', 'lead-optional']);
  });

  test('is not made where a MANDATORY field follows', () => {
    const mandatory = happyStudio({
      config: () =>
        trialConfig({
          leadDataConfig: leadDataConfig({ genderMode: 'OPTIONAL', telephoneMode: 'MANDATORY' }),
        }),
    });
    let at = pickFirstSlot(openYoga(ctx, mandatory), ctx, mandatory);
    for (const answer of ['Anna', 'Schmidt', 'anna@example.com'])
      at = run(at.state, { type: 'text', text: answer }, ctx, mandatory);
    expect(at.calls).toEqual([]);
    expect(at.state.step).toEqual({ name: 'collectingLead', field: 'gender' });
  });
});
