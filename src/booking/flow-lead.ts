/**
 * Lead data: asking only the fields the trial-offer config wants, re-asking with a precise hint
 * after a bad answer (keeping everything already given), the summary with its edit buttons, and
 * the studio's lead check and creation.
 */
import type { Gender } from '../perfectgym/schemas.ts';
import { parseAddress } from './address.ts';
import type { FlowContext } from './context.ts';
import type { Effect } from './effects.ts';
import type { NonTextKind } from './events.ts';
import {
  answer,
  customerIdOf,
  enter,
  lost,
  noticeBase,
  reply,
  stall,
  stay,
  type TransitionResult,
  todayIso,
  work,
} from './flow-kit.ts';
import { intentStep, leadWithoutId } from './flow-outcomes.ts';
import {
  addressFields,
  checkName,
  checkSharedPhoneNumber,
  checkTypedField,
  defaultMinAgeYears,
  type EditableField,
  type FieldCheck,
  fieldsOf,
  type LeadFieldName,
  type LeadFieldRules,
} from './lead-fields.ts';
import { checksLeadEarly, givenFields, isSkippable, nextLeadField } from './lead-plan.ts';
import { type Text, text } from './messages.ts';
import { phoneRegionOf } from './phone.ts';
import type { FlowData, State } from './state.ts';
import {
  addressConfirmView,
  button,
  choiceSummaryView,
  chosenSlotArgs,
  contactParts,
  leadPromptView,
  otherOffersRow,
  problemText,
  profileFullName,
  profileNameFor,
  summaryView,
  view,
} from './views.ts';

/**
 * Asks the next missing field, or shows the summary when none is missing. `intro`: open the
 * question with the chosen offer and slot (`true`), or with this text.
 */
export function askNextLeadField(
  state: State,
  ctx: FlowContext,
  before: Effect[],
  intro: boolean | Text = false,
  addressInParts = false,
): TransitionResult {
  const flow = state.flow;
  const config = flow?.config;
  if (!flow || !config) return lost(state, before);
  const field = nextLeadField(config.modes, flow.lead, flow.skipped);
  if (!field) {
    const next = enter(state, { name: 'summary' });
    return { state: next, effects: [...before, reply(summaryView(flow, config.modes, next.rev, ctx))] };
  }
  // The address is asked in one line first; field by field only when that did not work.
  const inParts = addressInParts && field === 'street';
  const next = enter(state, {
    name: 'collectingLead',
    field,
    ...(inParts ? { inParts: true as const } : {}),
  });
  const lead: Text[] =
    intro === true
      ? [text('lead-intro', { offer: flow.offer?.title ?? '', ...chosenSlotArgs(flow, ctx) })]
      : intro
        ? [intro]
        : [];
  const prompt = leadPromptView(field, config.modes, next.rev, ctx, lead, !inParts);
  return { state: next, effects: [...before, reply(prompt)] };
}

/** A whole address typed in one answer: read into its parts and shown for a one-tap "That's right". */
export function onAddressText(state: State, typed: string, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (!flow?.config) return lost(state);
  const parts = parseAddress(typed, ctx.studio?.countryCode);
  const lead = { ...flow.lead };
  for (const field of addressFields) delete lead[field];
  if (!parts) {
    const cleared = { ...state, flow: { ...flow, lead } };
    return askNextLeadField(cleared, ctx, [reply(view([text('lead-address-unreadable')]))], false, true);
  }
  const updated: FlowData = {
    ...flow,
    lead: { ...lead, ...parts },
    skipped: flow.skipped.filter((field) => !(addressFields as readonly string[]).includes(field)),
  };
  const next = enter(state, { name: 'confirmingAddress' }, updated);
  return { state: next, effects: [reply(addressConfirmView(updated.lead, next.rev))] };
}

/** "That's right" (go on) or "enter it in parts" (the four questions) under the address read from one line. */
export function onAddressAnswer(state: State, right: boolean, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (state.step.name !== 'confirmingAddress' || !flow) return stay(state);
  if (right) return askNextLeadField(state, ctx, [answer()]);
  const lead = { ...flow.lead };
  for (const field of addressFields) delete lead[field];
  return askNextLeadField({ ...state, flow: { ...flow, lead } }, ctx, [answer()], false, true);
}

/** The read address again (a stale tap, a language switch, something else typed). */
export function showAddressConfirm(state: State, lead: Text[] = []): TransitionResult {
  const flow = state.flow;
  if (!flow) return lost(state);
  const shown = addressConfirmView(flow.lead, state.rev);
  return stay(state, [reply({ ...shown, parts: [...lead, ...shown.parts] })]);
}

export type LeadInput =
  | { type: 'text'; text: string }
  | { type: 'contact'; phoneNumber: string; userId?: number | undefined }
  | { type: 'nonText'; kind: NonTextKind }
  | { type: 'skip' }
  | { type: 'profileName' }
  | { type: 'gender'; gender: Gender };

/** An answer while a lead field is asked. Callback inputs are answered by the caller. */
export function onLeadInput(state: State, input: LeadInput, ctx: FlowContext): TransitionResult {
  const { step } = state;
  const flow = state.flow;
  const modes = flow?.config?.modes;
  if (step.name !== 'collectingLead' || !flow || !modes) return stay(state);
  const { field } = step;
  const wholeAddress = field === 'street' && !step.inParts;
  const reask = (hint: Text) =>
    stay(state, [reply(leadPromptView(field, modes, state.rev, ctx, [hint], wholeAddress))]);
  const take = (check: FieldCheck) =>
    check.ok ? accept(state, field, check.value, ctx) : reask(problemText(check.problem));

  switch (input.type) {
    case 'text':
      if (field === 'gender') return reask(text('lead-error-use-buttons'));
      if (wholeAddress) return onAddressText(state, input.text, ctx);
      return take(checkTypedField(field, input.text, leadFieldRules(flow, ctx)));
    case 'contact':
      if (field !== 'telephone') return reask(text('lead-error-not-text'));
      // Only the sender's own number: a forwarded contact card is someone else's.
      if (input.userId !== ctx.user.id) return reask(text('lead-error-contact-foreign'));
      return take(checkSharedPhoneNumber(input.phoneNumber));
    case 'nonText':
      return reask(field === 'gender' ? text('lead-error-use-buttons') : text('lead-error-not-text'));
    case 'skip':
      if (!isSkippable(field, modes)) return reask(text('lead-error-required'));
      return skip(state, flow, field, ctx);
    case 'profileName': {
      if (field !== 'firstName' && field !== 'lastName')
        return stay(state, [answer(text('callback-outdated'))]);
      const fullName = field === 'firstName' ? profileFullName(ctx) : undefined;
      if (fullName) return acceptFullName(state, fullName, ctx, reask);
      const name = profileNameFor(field, ctx);
      if (!name) return reask(text('lead-error-empty'));
      return take(checkName(name, field));
    }
    case 'gender':
      if (field !== 'gender') return stay(state, [answer(text('callback-outdated'))]);
      return accept(state, field, input.gender, ctx);
  }
}

/** The studio's day, phone region and minimum age, for the checks of typed answers. */
export function leadFieldRules(flow: FlowData, ctx: FlowContext): LeadFieldRules {
  return {
    today: todayIso(flow, ctx),
    phoneRegion: phoneRegionOf(ctx.phoneRegion, ctx.studio?.countryCode),
    minAgeYears: ctx.minAgeYears ?? defaultMinAgeYears,
    countryCode: ctx.studio?.countryCode,
  };
}

function accept(state: State, field: LeadFieldName, value: string, ctx: FlowContext): TransitionResult {
  const flow = state.flow as FlowData;
  const updated: FlowData = {
    ...flow,
    lead: { ...flow.lead, [field]: value },
    skipped: flow.skipped.filter((f) => f !== field),
  };
  if (checkBeforeOptionalFields(updated, field)) {
    return work(state, { name: 'precheckingLead' }, ctx, [], updated);
  }
  const next = askNextLeadField({ ...state, flow: updated }, ctx, []);
  return field === 'telephone' ? withoutReplyKeyboard(next) : next;
}

/**
 * After the phone question, whose keyboard offers to share the contact: the next question takes
 * that keyboard away when it has no buttons of its own; else (a message has one keyboard) a short
 * thanks before it does.
 */
function withoutReplyKeyboard(result: TransitionResult): TransitionResult {
  const [first, ...rest] = result.effects;
  if (first?.type === 'reply' && first.view.keyboard === undefined) {
    return {
      ...result,
      effects: [reply({ ...first.view, keyboard: { type: 'removeReplyKeyboard' } }), ...rest],
    };
  }
  const thanks = reply(view([text('lead-telephone-saved')], { type: 'removeReplyKeyboard' }));
  return { ...result, effects: [thanks, ...result.effects] };
}

/** Names and e-mail just complete, optional questions still to come, and the config allows the early check. */
function checkBeforeOptionalFields(flow: FlowData, answered: LeadFieldName): boolean {
  const modes = flow.config?.modes;
  if (!modes || !checksLeadEarly(modes)) return false;
  if (answered !== 'firstName' && answered !== 'lastName' && answered !== 'email') return false;
  const { firstName, lastName, email } = flow.lead;
  if (firstName === undefined || lastName === undefined || email === undefined) return false;
  return nextLeadField(modes, flow.lead, flow.skipped) !== undefined;
}

/**
 * The early check's answer: a known customer is told now; anything else (or a failed call:
 * `skipLeadPrecheck`) goes on with the questions, and the full check before the lead is made decides.
 */
export function onLeadPrechecked(state: State, status: string, ctx: FlowContext): TransitionResult {
  if (!state.flow?.config) return stay(state);
  if (status === 'DUPLICATE_CUSTOMER') return duplicateCustomer(state, ctx);
  return askNextLeadField(state, ctx, []);
}

/** Goes on with the questions after the early lead check could not be made. */
export function skipLeadPrecheck(state: State, ctx: FlowContext): TransitionResult {
  return askNextLeadField(state, ctx, []);
}

/** The one-tap full name from the Telegram profile: both names, each checked as if typed. */
function acceptFullName(
  state: State,
  name: { firstName: string; lastName: string },
  ctx: FlowContext,
  reask: (hint: Text) => TransitionResult,
): TransitionResult {
  const first = checkName(name.firstName, 'firstName');
  const last = checkName(name.lastName, 'lastName');
  if (!first.ok) return reask(problemText(first.problem));
  // A last name the checks refuse is asked for as a question of its own.
  const flow = state.flow as FlowData;
  const lead = { ...flow.lead, firstName: first.value, ...(last.ok ? { lastName: last.value } : {}) };
  return askNextLeadField({ ...state, flow: { ...flow, lead } }, ctx, []);
}

function skip(state: State, flow: FlowData, field: LeadFieldName, ctx: FlowContext): TransitionResult {
  const { [field]: _dropped, ...lead } = flow.lead;
  const updated: FlowData = { ...flow, lead, skipped: [...flow.skipped.filter((f) => f !== field), field] };
  const before: Effect[] =
    field === 'telephone'
      ? [reply(view([text('lead-telephone-skipped')], { type: 'removeReplyKeyboard' }))]
      : [];
  return askNextLeadField({ ...state, flow: updated }, ctx, before);
}

/** An edit button of the summary: forget that field's answer (or the whole address) and ask it again. */
export function editField(state: State, field: EditableField, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (!flow) return lost(state);
  const cleared = fieldsOf(field);
  const lead = { ...flow.lead };
  for (const f of cleared) delete lead[f];
  const updated: FlowData = { ...flow, lead, skipped: flow.skipped.filter((f) => !cleared.includes(f)) };
  return askNextLeadField({ ...state, flow: updated }, ctx, []);
}

/**
 * Re-shows the summary, e.g. with a hint after text typed where a button was expected: the full
 * one for lead data to send, the short one for a customer the studio knows.
 */
export function showSummary(state: State, ctx: FlowContext, lead: Text[] = []): TransitionResult {
  const flow = state.flow;
  if (!flow?.config) return lost(state);
  const shown =
    customerIdOf(flow, ctx) === undefined
      ? summaryView(flow, flow.config.modes, state.rev, ctx, lead)
      : choiceSummaryView(flow, state.rev, ctx, lead);
  return stay(state, [reply(shown)]);
}

/**
 * The studio answered that the customer this flow books with does not exist (the lead was deleted
 * or merged at the studio, the sandbox was reset). The stored lead id is dropped and the prospect
 * gives their details once more for the chosen slot, starting from what the flow still holds; the
 * failed call is never repeated with that id.
 */
export function onCustomerGone(state: State, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (!flow) return lost(state);
  const { leadId: _gone, ...rest } = flow;
  // The adapter drops the stored id with the first effect; until then this context must not use it.
  const unknown: FlowContext = { ...ctx, knownLeadId: undefined };
  const forgetLead: Effect = { type: 'forgetLead' };
  if (state.step.name === 'loadingSlots') {
    const notice = reply(view([text('lead-details-again-list')]));
    return work(state, state.step, unknown, [forgetLead, notice], rest);
  }
  if (!rest.slot) return stall(state, false);
  const intro = text('lead-details-again', { offer: rest.offer?.title ?? '', ...chosenSlotArgs(rest, ctx) });
  return askNextLeadField({ ...state, flow: rest }, unknown, [forgetLead], intro);
}

/** "The studio knows you already": how to reach it, and a button to correct a mistyped e-mail. */
function duplicateCustomer(state: State, ctx: FlowContext): TransitionResult {
  const next = enter(state, { name: 'summary' });
  return {
    state: next,
    effects: [
      reply(
        view([text('lead-duplicate'), ...contactParts(ctx.studio)], {
          type: 'inline',
          rows: [
            [button(text('button-fix-email'), { action: 'edit', rev: next.rev, field: 'email' })],
            otherOffersRow(next.rev),
          ],
        }),
      ),
    ],
  };
}

export function onLeadValidated(state: State, status: string, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (state.step.name !== 'validatingLead' || !flow?.config) return stay(state);
  if (status === 'POSSIBLE') return work(state, intentStep('creatingLead', ctx), ctx);
  const next = enter(state, { name: 'summary' });
  if (status === 'DUPLICATE_CUSTOMER') return duplicateCustomer(state, ctx);
  const hint =
    status === 'INVALID_LEAD_CUSTOMER_DATA' ? text('lead-invalid-data') : text('lead-unknown-status');
  return { state: next, effects: [reply(summaryView(flow, flow.config.modes, next.rev, ctx, [hint]))] };
}

export function onLeadCreated(state: State, leadId: number | undefined, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (state.step.name !== 'creatingLead' || !flow?.config) return stay(state);
  // Created, but without an id nothing can be booked, and creating it again would make a second lead.
  if (leadId === undefined) return leadWithoutId(state, flow, state.step, ctx);
  // The studio has the details now; only the name stays (for staff notices), the rest is dropped.
  const { firstName, lastName } = flow.lead;
  const updated: FlowData = { ...flow, leadId, lead: { firstName, lastName }, skipped: [] };
  const before: Effect[] = [
    { type: 'rememberLead', leadId },
    {
      type: 'notifyStaff',
      notice: {
        kind: 'leadCreated',
        ...noticeBase(updated, ctx),
        givenFields: givenFields(flow.config.modes, flow.lead),
      },
    },
  ];
  return work(state, { name: 'validatingBooking' }, ctx, before, updated);
}
