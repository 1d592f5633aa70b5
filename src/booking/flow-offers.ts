/**
 * From /start to a chosen offer: the greeting, the paged offer list, deep links, and the
 * offer's trial-offer config (may leads book it at all? which lead fields?).
 */
import type { TrialOfferConfig } from '../perfectgym/schemas.ts';
import type { FlowContext } from './context.ts';
import { decodeStartLink, decodeStartPayload } from './deep-link.ts';
import type { Effect } from './effects.ts';
import type { ApiEvent } from './events.ts';
import {
  atStudio,
  edit,
  enter,
  flowOf,
  reply,
  stay,
  type TransitionResult,
  todayOf,
  work,
} from './flow-kit.ts';
import { isSkippable, readLeadFieldModes } from './lead-plan.ts';
import { type Text, text } from './messages.ts';
import { type OfferRef, offerKinds } from './offer-kind.ts';
import { emptyFlow, type FlowData, maxStoredTitleLength, type State, type Step } from './state.ts';
import {
  contactParts,
  greeting,
  type OfferEntry,
  offerEntries,
  offersView,
  otherOffersRow,
  slotWindowDays,
  view,
} from './views.ts';

type LoadingOffers = Extract<Step, { name: 'loadingOffers' }>;

/** `/start [payload]`: a new flow (past bookings stay), greeting, then the offers or the linked offer. */
export function startFlow(
  state: State,
  payload: string | undefined,
  ctx: FlowContext,
  before: Effect[] = [],
  greet = true,
): TransitionResult {
  const flow = emptyFlow();
  const trimmed = payload?.trim();
  const step: LoadingOffers = { name: 'loadingOffers', page: 0, greet, replace: false };
  let at = state;
  if (trimmed) {
    const chain = (ctx.studioIds?.length ?? 0) > 1 ? ctx.studioIds : undefined;
    const decoded = chain ? decodeStartLink(trimmed) : decodeStartPayload(trimmed);
    if (decoded && (!chain || decoded.studio === undefined || chain.includes(decoded.studio))) {
      if ('kind' in decoded) step.target = { kind: decoded.kind, id: decoded.id };
      if (decoded.campaign) flow.campaign = decoded.campaign;
      // A link without a studio part was printed before the chain: it means the first studio.
      if (chain) at = atStudio(state, decoded.studio === chain[0] ? undefined : decoded.studio);
    } else {
      step.notice = 'invalidLink';
    }
  }
  return work(at, step, ctx, before, flow);
}

/** Back to the offer list, keeping what the prospect typed (campaign, lead data). */
export function showOffers(
  state: State,
  ctx: FlowContext,
  page = 0,
  configId?: number,
  replace = false,
): TransitionResult {
  const flow = flowOf(state);
  const { slot: _slot, ...rest } = flow;
  const step: LoadingOffers = { name: 'loadingOffers', page, greet: false, replace };
  if (configId !== undefined) step.target = { kind: 'config', id: configId };
  return work(state, step, ctx, [], rest);
}

export function onOffersLoaded(
  state: State,
  event: Extract<ApiEvent, { type: 'offersLoaded' }>,
  ctx: FlowContext,
): TransitionResult {
  const { step } = state;
  if (step.name !== 'loadingOffers') return stay(state);
  const entries = offerEntries(event.classes, event.appointments);
  const lead: Text[] = step.greet ? [greeting(ctx.studio)] : [];
  if (step.notice === 'invalidLink') lead.push(text('deep-link-invalid'));
  const { target } = step;
  if (target?.kind === 'config') {
    const ofConfig = entries.filter((entry) => entry.configId === target.id);
    const [only] = ofConfig;
    if (ofConfig.length === 1 && only) return chooseOffer(state, only, ctx, lead);
    if (ofConfig.length > 1) return listOffers(state, ofConfig, step, lead, target.id);
    lead.push(text('offer-gone'));
  } else if (target) {
    const matches = entries.filter(
      (entry) => entry.offer.type === target.kind && entry.offer.id === target.id,
    );
    const found = matches.find((entry) => entry.configId === target.configId) ?? matches[0];
    if (found) return chooseOffer(state, found, ctx, lead);
    lead.push(text('offer-gone'));
  }
  // Offers a prospect could never book stay out of the list; a link to one still explains.
  const closed = new Set(event.closedConfigIds ?? []);
  const listed = entries.filter((entry) => !closed.has(entry.configId));
  if (listed.length === 0) {
    const next = enter(state, { name: 'idle' });
    return {
      state: next,
      effects: [reply(view([...lead, text('offers-none'), ...contactParts(ctx.studio)]))],
    };
  }
  return listOffers(state, listed, step, lead, undefined);
}

function listOffers(
  state: State,
  entries: OfferEntry[],
  step: LoadingOffers,
  lead: Text[],
  configId: number | undefined,
): TransitionResult {
  const chosen: Step =
    configId === undefined
      ? { name: 'choosingOffer', page: step.page }
      : { name: 'choosingOffer', page: step.page, configId };
  const next = enter(state, chosen);
  const shown = offersView(entries, step.page, next.rev, lead);
  return { state: next, effects: [step.replace ? edit(shown) : reply(shown)] };
}

function chooseOffer(state: State, entry: OfferEntry, ctx: FlowContext, lead: Text[]): TransitionResult {
  const { slot: _slot, config: _config, ...rest } = flowOf(state);
  const flow: FlowData = {
    ...rest,
    offer: {
      type: entry.offer.type,
      id: entry.offer.id,
      configId: entry.configId,
      title: entry.title.slice(0, maxStoredTitleLength),
    },
  };
  const before = lead.length > 0 ? [reply(view(lead))] : [];
  return work(state, { name: 'loadingConfig' }, ctx, before, flow);
}

export function onConfigLoaded(state: State, config: TrialOfferConfig, ctx: FlowContext): TransitionResult {
  const flow = state.flow;
  if (state.step.name !== 'loadingConfig' || !flow?.offer) return stay(state);
  if (!config.allowBookingForLeads) {
    const next = enter(state, { name: 'done' });
    return {
      state: next,
      effects: [
        reply(
          view([text('offer-no-online-booking', { offer: flow.offer.title }), ...contactParts(ctx.studio)], {
            type: 'inline',
            rows: [otherOffersRow(next.rev)],
          }),
        ),
      ],
    };
  }
  const modes = readLeadFieldModes(config.leadDataConfig);
  const term = config.confirmationOfBookingTerm;
  const updated: FlowData = {
    ...flow,
    config: {
      id: config.id,
      modes,
      contingent: config.contingent,
      ...(term ? { confirmationTerm: { value: term.value, unit: term.unit } } : {}),
      bookingTerm: {
        value: config.preventMultipleBookingsTerm.value,
        unit: config.preventMultipleBookingsTerm.unit.slice(0, 16),
      },
    },
    // A skip made under another offer's config must not bypass a field this config requires.
    skipped: flow.skipped.filter((field) => isSkippable(field, modes)),
  };
  const kind = offerKinds[flow.offer.type];
  const window = kind.loadsByWindow ? { fromDay: todayOf(flow, ctx), days: slotWindowDays } : undefined;
  return work(
    state,
    window ? { name: 'loadingSlots', window, replace: false } : { name: 'loadingSlots', replace: false },
    ctx,
    [],
    updated,
  );
}

/**
 * Goes to one offer: a tap in the list (keeps what was typed so far) or "book again" after an
 * expired confirmation (a fresh flow). The offer list is read again (from the shared cache) for
 * the offer's config id and title, which a button has no room for.
 */
export function openOffer(
  state: State,
  offer: OfferRef,
  ctx: FlowContext,
  options: { configId?: number | undefined; fresh: boolean; before: Effect[] },
): TransitionResult {
  const flow = options.fresh ? emptyFlow() : flowOf(state);
  const target =
    options.configId === undefined
      ? { kind: offer.type, id: offer.id }
      : { kind: offer.type, id: offer.id, configId: options.configId };
  return work(
    state,
    { name: 'loadingOffers', page: 0, greet: false, replace: false, target },
    ctx,
    options.before,
    flow,
  );
}
