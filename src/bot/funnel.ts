/**
 * The booking funnel for the metrics, read off each transition in one place: what happened
 * (event), what changed (state before and after) and what the flow announced (effects). The
 * stages the waiting steps mark are their rows' `funnel` in src/booking/pipeline.ts; the others
 * are the prospect's own steps and the confirmation, which no waiting step makes (its staff
 * notices mark it whether or not a staff chat is set).
 */
import {
  type BookingEvent,
  type Effect,
  type FunnelStage,
  type State,
  stepFunnelStages,
} from '../booking/index.ts';

export function funnelStages(
  before: State,
  event: BookingEvent,
  after: State,
  effects: readonly Effect[],
): FunnelStage[] {
  const stages: FunnelStage[] = [];
  if (event.type === 'start') stages.push('started');
  const moved = before.rev !== after.rev;
  if (event.type === 'callback' && event.data?.action === 'slot' && moved && after.flow?.slot) {
    stages.push('slot_chosen');
  }
  stages.push(...stepFunnelStages(before, event, { state: after, effects: [...effects] }));
  for (const effect of effects) {
    if (effect.type !== 'notifyStaff') continue;
    if (effect.notice.kind === 'confirmed') stages.push('confirmed');
    if (effect.notice.kind === 'expired') stages.push('expired');
  }
  return stages;
}
