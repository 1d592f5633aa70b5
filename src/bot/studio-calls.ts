/**
 * Carries out the studio calls the flow asks for and turns the outcome into the event the flow
 * expects next: the result (`resultEvent`), or `callFailed` telling whether trying again soon may
 * work and, for a call that changes something at the studio, whether it may have happened. Offers, configs and slot lists come from the shared catalog cache (a slot re-check marked
 * `fresh` always reaches the studio), everything else from the client.
 */

import { type ApiCall, type ApiCallResults, type BookingEvent, resultEvent } from '../booking/index.ts';
import type { PerfectGymClient } from '../perfectgym/client.ts';
import { isIdempotent } from '../perfectgym/endpoints.ts';
import {
  failureOutcome,
  isTemporary,
  PerfectGymApiError,
  PerfectGymRequestError,
} from '../perfectgym/errors.ts';
import type { StudioInformation } from '../perfectgym/schemas.ts';
import { within } from '../runtime/within.ts';
import type { StudioCatalog, TrialOffers } from '../studio/catalog.ts';

export interface StudioCalls {
  /** Never throws: a failure becomes a `callFailed` event (and is reported to `onFailure`). */
  execute(call: ApiCall, language: string): Promise<BookingEvent>;
  /** Studio name and contact data for the flow's texts; undefined while it cannot be loaded. */
  studioInformation(): Promise<StudioInformation | undefined>;
}

/**
 * How long the studio information (a courtesy: the greeting's name, the address, a picker's town)
 * is waited for before the bot goes on without it, 1.5 s.
 */
export const studioInformationWaitMs = 1_500;

export interface StudioCallsOptions {
  client: PerfectGymClient;
  catalog: StudioCatalog;
  /** `outcome` is `unknown` when a call that changes something may have been carried out. */
  onFailure: (call: ApiCall, error: unknown, temporary: boolean, outcome?: 'unknown') => void;
  /** After a failed studio-information load, how long to go without it before asking again. */
  studioRetryAfterMs?: number;
  /**
   * How long an update waits for the studio information (the greeting's name, the address) before
   * going on without it; the load goes on in the background and fills the cache. Default
   * {@link studioInformationWaitMs}.
   */
  studioInformationWaitMs?: number;
  now?: () => number;
}

export function createStudioCalls(options: StudioCallsOptions): StudioCalls {
  const { client, catalog } = options;
  const retryAfterMs = options.studioRetryAfterMs ?? 30_000;
  const informationWaitMs = options.studioInformationWaitMs ?? studioInformationWaitMs;
  const now = options.now ?? Date.now;
  let studioFailedAt: number | undefined;

  /**
   * Marks the configs that do not let leads book online (from the cached configs). A config that
   * cannot be loaded counts as open: its offers are listed, and a tap explains what the studio says.
   */
  async function withClosedConfigs(offers: TrialOffers): Promise<ApiCallResults['offers']> {
    const ids = new Set([...offers.classes, ...offers.appointments].map((offer) => offer.trialOfferConfigId));
    const configs = await Promise.allSettled([...ids].map((id) => catalog.config(id)));
    const closedConfigIds = configs.flatMap((loaded) =>
      loaded.status === 'fulfilled' && !loaded.value.allowBookingForLeads ? [loaded.value.id] : [],
    );
    return { ...offers, closedConfigIds };
  }

  async function run(call: ApiCall, language: string): Promise<BookingEvent> {
    const opts = { language };
    switch (call.name) {
      case 'offers':
        return resultEvent(call, await withClosedConfigs(await catalog.offers()));
      case 'config':
        return resultEvent(call, await catalog.config(call.configId));
      case 'classSlots':
        return resultEvent(call, await catalog.classSlots(call.classId, { fresh: call.fresh === true }));
      case 'appointmentSlots':
        return resultEvent(
          call,
          await catalog.appointmentSlots(
            {
              bookableAppointmentId: call.bookableAppointmentId,
              slotWindowStartDate: call.slotWindowStartDate,
              daysAhead: call.daysAhead,
              ...(call.customerId === undefined ? {} : { customerId: call.customerId }),
            },
            { fresh: call.fresh === true },
          ),
        );
      case 'leadValidate':
        return resultEvent(call, await client.validateLead(call.request, opts));
      case 'leadCreate':
        return resultEvent(call, await client.createLead(call.request, opts));
      case 'classBookingValidate':
        return resultEvent(call, await client.validateClassBooking(call.request, opts));
      case 'appointmentBookingValidate':
        return resultEvent(call, await client.validateAppointmentBooking(call.request, opts));
      case 'classBook':
        return resultEvent(call, await client.bookClassSlot(call.request, opts));
      case 'appointmentBook':
        return resultEvent(call, await client.bookAppointment(call.request, opts));
      case 'confirm':
        return resultEvent(call, await client.confirmBooking(call.bookingId, opts));
    }
  }

  return {
    async execute(call, language) {
      try {
        return await run(call, language);
      } catch (error) {
        const temporary = isTemporary(error);
        const changesStudio = call.name !== 'offers' && !isIdempotent(call.name);
        if (changesStudio && failureOutcome(error) === 'unknown') {
          options.onFailure(call, error, temporary, 'unknown');
          return { type: 'callFailed', call, temporary, outcome: 'unknown' };
        }
        options.onFailure(call, error, temporary);
        const retryAfterMs = lockoutOf(error);
        return {
          type: 'callFailed',
          call,
          temporary,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          ...(customerNotFound(call, error) ? { customerNotFound: true } : {}),
        };
      }
    },
    async studioInformation() {
      // While the studio is down, every update would otherwise wait for this call to fail first.
      if (studioFailedAt !== undefined && now() - studioFailedAt < retryAfterMs) return undefined;
      const loaded = catalog.studio().then(
        (studio) => {
          studioFailedAt = undefined;
          return studio;
        },
        () => {
          studioFailedAt = now();
          return undefined;
        },
      );
      // A courtesy, not worth a whole call deadline: a studio that hangs would otherwise make the
      // prospect wait for it and then again for the call the update is about.
      return within(loaded, informationWaitMs, undefined);
    },
  };
}

/** How long the endpoint stays locked after a 429 (the studio's, or the client holding calls back). */
function lockoutOf(error: unknown): number | undefined {
  if (error instanceof PerfectGymApiError && error.status === 429) return error.retryAfterMs;
  if (error instanceof PerfectGymRequestError && error.reason === 'rate-limited') return error.retryAfterMs;
  return undefined;
}

/** The customer id a call sends, if any. */
function customerIdOfCall(call: ApiCall): number | undefined {
  switch (call.name) {
    case 'appointmentSlots':
      return call.customerId;
    case 'classBookingValidate':
    case 'classBook':
    case 'appointmentBookingValidate':
    case 'appointmentBook':
      return call.request.customerId;
    default:
      return undefined;
  }
}

/**
 * The studio does not know the customer: 404 ENTITY_NOT_FOUND to a call that names one. The
 * other entities such a call names (the slot, the appointment) were just listed by the studio,
 * so the customer is the one that is missing.
 */
function customerNotFound(call: ApiCall, error: unknown): boolean {
  return (
    error instanceof PerfectGymApiError &&
    error.status === 404 &&
    error.errorCode === 'ENTITY_NOT_FOUND' &&
    customerIdOfCall(call) !== undefined
  );
}
