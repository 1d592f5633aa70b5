/**
 * The booking funnel for the metrics, read off each transition in one place: what happened
 * (event), what changed (state before and after) and what the flow announced (effects; its staff
 * notices mark leads, bookings, confirmations and lapses whether or not a staff chat is set).
 */
import type { BookingEvent, Effect, State } from '../booking/index.ts';
import type { FunnelStage } from '../metrics.ts';

const madeBooking = new Set(['BOOKED', 'WAITING_LIST', 'BOOKED_WITH_CONFIRMATION_REQUIRED']);

export function funnelStages(
  before: State,
  event: BookingEvent,
  after: State,
  effects: readonly Effect[],
): FunnelStage[] {
  const stages: FunnelStage[] = [];
  const moved = before.rev !== after.rev;
  if (event.type === 'start') stages.push('started');
  // The flow enters loadingConfig only when an offer was picked (list, deep link, "book again").
  if (after.step.name === 'loadingConfig' && before.step.name !== 'loadingConfig')
    stages.push('offer_chosen');
  if (event.type === 'callback' && event.data?.action === 'slot' && moved && after.flow?.slot) {
    stages.push('slot_chosen');
  }
  if (
    event.type === 'leadValidated' &&
    event.status === 'DUPLICATE_CUSTOMER' &&
    before.step.name === 'validatingLead' &&
    moved
  )
    stages.push('duplicate');
  for (const effect of effects) {
    // A lead whose id never arrived was created all the same.
    if (effect.type === 'rememberLead' || effect.type === 'rememberLeadWithoutId')
      stages.push('lead_created');
    if (effect.type !== 'notifyStaff') continue;
    const { kind, status } = effect.notice;
    if (kind === 'booked' && status !== undefined && madeBooking.has(status)) {
      stages.push('booked');
      if (status === 'BOOKED_WITH_CONFIRMATION_REQUIRED') stages.push('confirmation_required');
    }
    // A booking found after its answer was lost is a booking all the same.
    if (kind === 'bookingUnknown' && effect.notice.resolution === 'found') stages.push('booked');
    if (kind === 'confirmed') stages.push('confirmed');
    if (kind === 'expired') stages.push('expired');
  }
  return stages;
}
