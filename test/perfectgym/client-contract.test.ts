/**
 * Contract tests: the client against the sandbox studio over HTTP, every endpoint, every
 * validation status the sandbox produces, and the faults the client must survive. Ids are
 * discovered through the API (and the sandbox snapshot), not hard-coded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CallEvent,
  createPerfectGymClient,
  type PerfectGymClient,
  type PerfectGymClientOptions,
} from '../../src/perfectgym/client.ts';
import { formatZonedDateTime } from '../../src/perfectgym/datetime.ts';
import { isTemporary, PerfectGymApiError, PerfectGymRequestError } from '../../src/perfectgym/errors.ts';
import type {
  AppointmentSlot,
  BookableTrialOfferAppointment,
  ClassSlot,
  TrialOfferClass,
  TrialOfferConfig,
} from '../../src/perfectgym/schemas.ts';
import { createSandbox, createSandboxClock, type Sandbox } from '../../src/sandbox/index.ts';
import { reachableStrings, rejectionOf } from './helpers.ts';

/** Wednesday 2030-06-12, noon in Berlin: mid-week, far from a daylight-saving change. */
const wednesdayNoon = Date.parse('2030-06-12T12:00:00+02:00');
const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

let sandbox: Sandbox;
let client: PerfectGymClient;
let events: CallEvent[];
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  sandbox = await createSandbox({ clock: createSandboxClock(wednesdayNoon) });
  cleanups.push(() => sandbox.close());
  events = [];
  client = makeClient({ onCall: (event) => events.push(event) });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A client for the sandbox; fast backoff so retries do not slow the suite. */
function makeClient(options: Partial<PerfectGymClientOptions> = {}): PerfectGymClient {
  const created = createPerfectGymClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    retryBaseDelayMs: 20,
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

// ---------- discovery through the API ----------

async function configs(): Promise<TrialOfferConfig[]> {
  return Promise.all(sandbox.snapshot().configs.map((config) => client.getTrialOfferConfig(config.id)));
}

async function configWhere(predicate: (config: TrialOfferConfig) => boolean): Promise<TrialOfferConfig> {
  const found = (await configs()).find(predicate);
  if (!found) throw new Error('the demo seed has no such trial-offer config');
  return found;
}

async function bookableClassesOf(configId: number): Promise<TrialOfferClass[]> {
  const classes = await collect(client.bookableTrialClasses());
  return classes.filter((offer) => offer.trialOfferConfigId === configId && offer.trialOfferClass.bookable);
}

async function appointmentOf(configId: number): Promise<BookableTrialOfferAppointment> {
  const appointments = await collect(client.bookableTrialAppointments());
  const found = appointments.find((offer) => offer.trialOfferConfigId === configId);
  if (!found) throw new Error(`the demo seed has no appointment for config ${configId}`);
  return found;
}

const now = () => sandbox.clock.now();
const freePlaces = (slot: ClassSlot) =>
  (slot.maxParticipants ?? 0) - (slot.bookedParticipants ?? 0) - slot.additionalParticipants;
const bookableNow = (slot: ClassSlot) =>
  (slot.earliestBookingDateTime?.epochMs ?? 0) <= now() &&
  now() <= (slot.latestBookingDateTime?.epochMs ?? 0);
const startOf = (slot: ClassSlot | AppointmentSlot) => slot.startDateTime?.epochMs ?? Number.NaN;
const endOf = (slot: ClassSlot | AppointmentSlot) => slot.endDateTime?.epochMs ?? Number.NaN;

/** Every slot of every bookable class. */
async function allClassSlots(): Promise<ClassSlot[]> {
  const classes = await collect(client.bookableTrialClasses());
  const result: ClassSlot[] = [];
  for (const offer of classes.filter((candidate) => candidate.trialOfferClass.bookable)) {
    result.push(...(await collect(client.classSlots(offer.trialOfferClass.id))));
  }
  return result;
}

/** Slots of bookable classes that can be booked right now and have a free place. */
async function openClassSlots(): Promise<ClassSlot[]> {
  return (await allClassSlots()).filter((slot) => bookableNow(slot) && freePlaces(slot) > 0);
}

function pick<T>(items: T[], predicate: (item: T) => boolean, what: string): T {
  const found = items.find(predicate);
  if (!found) throw new Error(`the demo seed has no ${what}`);
  return found;
}

/** Lead data that satisfies a config: every field it does not switch off is filled in. */
function leadData(config: TrialOfferConfig, email: string) {
  const modes = config.leadDataConfig;
  return {
    firstname: 'Mira',
    lastname: 'Sommer',
    email,
    ...(modes.genderMode !== 'INACTIVE' ? { gender: 'FEMALE' as const } : {}),
    ...(modes.dateOfBirthMode !== 'INACTIVE' ? { dateOfBirth: '1991-04-17' } : {}),
    ...(modes.telephoneMode !== 'INACTIVE' ? { telephone: '+49 30 1234567' } : {}),
    ...(modes.addressMode !== 'INACTIVE'
      ? { address: { street: 'Kastanienallee', houseNumber: '7', zipCode: '10435', city: 'Berlin' } }
      : {}),
  };
}

let leadCounter = 0;
/** A new lead customer, created through the API under a config that lets leads book. */
async function newLead(): Promise<number> {
  const config = await configWhere((candidate) => candidate.allowBookingForLeads);
  leadCounter++;
  const { leadCustomerId } = await client.createLead({
    trialOfferConfigId: config.id,
    leadCustomerData: leadData(config, `lead${leadCounter}@example.com`),
  });
  if (leadCustomerId === undefined) throw new Error('createLead answered without an id');
  return leadCustomerId;
}

function member(): number {
  return pick(sandbox.snapshot().customers, (customer) => !customer.isLead, 'member').id;
}

/** The slots of an appointment on the local day of `epochMs` (studio zone). */
async function appointmentSlotsOn(appointmentId: number, epochMs: number): Promise<AppointmentSlot[]> {
  const date = formatZonedDateTime(epochMs, sandbox.snapshot().zone).slice(0, 10);
  return client.getAppointmentSlots({ bookableAppointmentId: appointmentId, slotWindowStartDate: date });
}

function appointmentRequest(customerId: number, appointmentId: number, slot: AppointmentSlot) {
  return {
    customerId,
    bookableAppointmentId: appointmentId,
    startDateTime: slot.startDateTime?.raw ?? '',
    endDateTime: slot.endDateTime?.raw ?? '',
  };
}

// ---------- reads ----------

describe('reading the studio', () => {
  it('gets the studio information', async () => {
    const studio = await client.getStudioInformation();
    expect(studio.studioId).toBe(sandbox.snapshot().studio.studioId);
    expect(studio.name).toBe(sandbox.snapshot().studio.name);
    expect(studio.openingHours?.length).toBeGreaterThan(0);
  });

  it('lists the trial classes, including one that is display-only', async () => {
    const slice = await client.getBookableTrialClasses();
    expect(slice.hasNext).toBe(false);
    expect(slice.result.length).toBeGreaterThanOrEqual(5);
    expect(slice.result.some((offer) => !offer.trialOfferClass.bookable)).toBe(true);
    const configIds = new Set(sandbox.snapshot().configs.map((config) => config.id));
    for (const offer of slice.result) expect(configIds).toContain(offer.trialOfferConfigId);
  });

  it('lists the bookable trial appointments', async () => {
    const appointments = await collect(client.bookableTrialAppointments());
    expect(appointments.length).toBeGreaterThanOrEqual(3);
    expect(appointments.every((offer) => offer.trialOfferBookableAppointment.duration !== undefined)).toBe(
      true,
    );
  });

  it('gets every trial-offer config as the studio holds it', async () => {
    const expected = sandbox.snapshot().configs;
    expect(await configs()).toEqual(expected);
    const modes = expected.flatMap((config) => Object.values(config.leadDataConfig).slice(1));
    expect(modes).toEqual(expect.arrayContaining(['MANDATORY', 'OPTIONAL', 'INACTIVE']));
  });

  it('answers an unknown config with a 404 in the language asked for', async () => {
    const german = await rejectionOf(client.getTrialOfferConfig(987_654, { language: 'de' }));
    const english = await rejectionOf(client.getTrialOfferConfig(987_654, { language: 'en' }));

    expect(german).toBeInstanceOf(PerfectGymApiError);
    expect(german).toMatchObject({ status: 404, endpoint: 'config', errorCode: 'ENTITY_NOT_FOUND' });
    expect((german as PerfectGymApiError).traceId).toMatch(/^\d+$/);
    expect((german as PerfectGymApiError).errorMessage).toContain('existiert nicht');
    expect((english as PerfectGymApiError).errorMessage).toContain('does not exist');
    expect(isTemporary(german)).toBe(false);
    expect(sandbox.callCounts().config).toBe(2);
  });

  it('lists free appointment slots over several days, none in the past', async () => {
    const appointment = await appointmentOf((await configs())[0]?.id ?? -1);
    const { id, duration = 0 } = appointment.trialOfferBookableAppointment;

    const slots = await client.getAppointmentSlots({ bookableAppointmentId: id, daysAhead: 3 });

    expect(slots.length).toBeGreaterThan(0);
    const days = new Set(slots.map((slot) => slot.startDateTime?.raw.slice(0, 10)));
    expect(days.size).toBeGreaterThan(1);
    for (const slot of slots) {
      expect(startOf(slot)).toBeGreaterThan(now());
      expect(endOf(slot) - startOf(slot)).toBe(duration * minuteMs);
      expect(slot.startDateTime?.zone).toBe('Europe/Berlin');
    }
  });
});

describe('paging through class slots', () => {
  async function classWithManySlots() {
    const classes = await collect(client.bookableTrialClasses());
    for (const offer of classes) {
      const slice = await client.getClassSlots(offer.trialOfferClass.id, { sliceSize: 100 });
      if (slice.result.length > 25) return { classId: offer.trialOfferClass.id, slots: slice.result };
    }
    throw new Error('the demo seed has no class with more than 25 slots');
  }

  it('walks all slices in order, one request per slice', async () => {
    const { classId, slots } = await classWithManySlots();
    sandbox.resetCallCounts();

    const walked = await collect(client.classSlots(classId, { sliceSize: 10 }));

    expect(walked.map((slot) => slot.id)).toEqual(slots.map((slot) => slot.id));
    expect(sandbox.callCounts().classSlots).toBe(Math.ceil(slots.length / 10));
  });

  it('fetches the next slice only when iterated that far', async () => {
    const { classId } = await classWithManySlots();
    sandbox.resetCallCounts();

    for await (const _slot of client.classSlots(classId, { sliceSize: 10 })) break;
    expect(sandbox.callCounts().classSlots).toBe(1);

    let taken = 0;
    for await (const _slot of client.classSlots(classId, { sliceSize: 10 })) {
      if (++taken === 10) break;
    }
    expect(sandbox.callCounts().classSlots).toBe(2);

    taken = 0;
    for await (const _slot of client.classSlots(classId, { sliceSize: 10 })) {
      if (++taken === 11) break;
    }
    expect(sandbox.callCounts().classSlots).toBe(4);
  });

  it('pages by hand with the offset of the previous slice', async () => {
    const { classId, slots } = await classWithManySlots();
    const first = await client.getClassSlots(classId, { sliceSize: 10 });
    const second = await client.getClassSlots(classId, { offset: first.offset, sliceSize: 10 });

    expect(first.hasNext).toBe(true);
    expect([...first.result, ...second.result].map((slot) => slot.id)).toEqual(
      slots.slice(0, 20).map((slot) => slot.id),
    );
  });
});

// ---------- leads ----------

describe('leads', () => {
  it('validates lead data against the config: POSSIBLE, INVALID_LEAD_CUSTOMER_DATA, DUPLICATE_CUSTOMER', async () => {
    const config = await configWhere((candidate) =>
      Object.values(candidate.leadDataConfig).includes('MANDATORY'),
    );
    const complete = leadData(config, 'new.person@example.com');
    const knownEmail = pick(sandbox.snapshot().customers, () => true, 'customer').email;

    const possible = await client.validateLead({ trialOfferConfigId: config.id, leadCustomerData: complete });
    const incomplete = await client.validateLead({
      trialOfferConfigId: config.id,
      leadCustomerData: { firstname: 'Mira', lastname: 'Sommer', email: 'new.person@example.com' },
    });
    const duplicate = await client.validateLead({
      trialOfferConfigId: config.id,
      leadCustomerData: { ...complete, email: knownEmail },
    });

    expect(possible.validationStatus).toBe('POSSIBLE');
    expect(incomplete.validationStatus).toBe('INVALID_LEAD_CUSTOMER_DATA');
    expect(duplicate.validationStatus).toBe('DUPLICATE_CUSTOMER');
  });

  it('creates a lead the studio then knows', async () => {
    const config = await configWhere((candidate) => candidate.allowBookingForLeads);
    const data = leadData(config, 'created@example.com');

    const { leadCustomerId } = await client.createLead({
      trialOfferConfigId: config.id,
      leadCustomerData: data,
    });

    const stored = sandbox.snapshot().leads;
    expect(stored).toEqual([expect.objectContaining({ id: leadCustomerId, trialOfferConfigId: config.id })]);
    expect(stored[0]?.leadCustomerData).toEqual(data);
    const again = await client.validateLead({ trialOfferConfigId: config.id, leadCustomerData: data });
    expect(again.validationStatus).toBe('DUPLICATE_CUSTOMER');
  });

  it('reports a refused lead creation as an API error and does not repeat it', async () => {
    const config = await configWhere((candidate) => candidate.allowBookingForLeads);
    const knownEmail = pick(sandbox.snapshot().customers, () => true, 'customer').email;

    const error = await rejectionOf(
      client.createLead({ trialOfferConfigId: config.id, leadCustomerData: leadData(config, knownEmail) }),
    );

    expect(error).toBeInstanceOf(PerfectGymApiError);
    expect(error).toMatchObject({ status: 400, endpoint: 'leadCreate', errorCode: 'DUPLICATE_CUSTOMER' });
    expect(sandbox.callCounts().leadCreate).toBe(1);
    expect(sandbox.snapshot().leads).toEqual([]);
  });
});

// ---------- class booking ----------

describe('class booking', () => {
  it('validates AVAILABLE, books, confirms, then sees CUSTOMER_ALREADY_BOOKED and NO_CONTINGENT', async () => {
    const config = await configWhere(
      (candidate) => candidate.allowBookingForLeads && candidate.confirmationOfBookingTerm !== undefined,
    );
    const [offer] = await bookableClassesOf(config.id);
    const slots = await collect(client.classSlots(offer?.trialOfferClass.id ?? -1));
    const open = slots.filter((slot) => bookableNow(slot) && freePlaces(slot) > 0);
    const first = open[0] as ClassSlot;
    // Same offer, within its one-week term, not overlapping: the contingent rule must refuse it.
    const second = pick(
      open,
      (slot) => startOf(slot) >= endOf(first) && startOf(slot) < startOf(first) + 6 * dayMs,
      'second open slot within a week',
    );
    const customerId = await newLead();

    expect(await client.validateClassBooking({ customerId, classSlotId: first.id })).toEqual({
      validationStatus: 'AVAILABLE',
    });
    const booking = await client.bookClassSlot({ customerId, classSlotId: first.id });
    expect(booking).toMatchObject({
      bookingStatus: 'BOOKED_WITH_CONFIRMATION_REQUIRED',
      classSlotId: first.id,
      classId: offer?.trialOfferClass.id,
      customerId,
      classSlotStatus: 'PLANNED',
      participantStatus: 'PARTICIPATING',
    });

    expect(await client.confirmBooking(booking.bookingId)).toEqual({ status: 'CONFIRMED' });
    expect(sandbox.snapshot().bookings).toEqual([
      expect.objectContaining({
        id: booking.bookingId,
        confirmation: { state: 'CONFIRMED', deadline: expect.any(String) },
      }),
    ]);

    const again = await client.validateClassBooking({ customerId, classSlotId: first.id });
    expect(again.validationStatus).toBe('CUSTOMER_ALREADY_BOOKED');
    const other = await client.validateClassBooking({ customerId, classSlotId: second.id });
    expect(other.validationStatus).toBe('NO_CONTINGENT');
  });

  it('answers EXPIRED to a confirmation after the term, and the place is free again', async () => {
    const config = await configWhere(
      (candidate) => candidate.allowBookingForLeads && candidate.confirmationOfBookingTerm !== undefined,
    );
    const [offer] = await bookableClassesOf(config.id);
    const slots = await collect(client.classSlots(offer?.trialOfferClass.id ?? -1));
    const slot = pick(slots, (candidate) => bookableNow(candidate) && freePlaces(candidate) > 0, 'open slot');
    const booking = await client.bookClassSlot({ customerId: await newLead(), classSlotId: slot.id });
    expect(booking.bookingStatus).toBe('BOOKED_WITH_CONFIRMATION_REQUIRED');

    sandbox.clock.advance(25 * 3_600_000); // the demo config's term is 24 hours

    expect(await client.confirmBooking(booking.bookingId)).toEqual({ status: 'EXPIRED' });
    expect(sandbox.snapshot().bookings).toEqual([
      expect.objectContaining({
        id: booking.bookingId,
        confirmation: expect.objectContaining({ state: 'EXPIRED' }),
      }),
    ]);
  });

  it('says DISPLAY_ONLY for a class that is only listed', async () => {
    const classes = await collect(client.bookableTrialClasses());
    const displayOnly = pick(classes, (offer) => !offer.trialOfferClass.bookable, 'display-only class');
    const [slot] = await collect(client.classSlots(displayOnly.trialOfferClass.id));

    const result = await client.validateClassBooking({ customerId: member(), classSlotId: slot?.id ?? -1 });

    expect(result.validationStatus).toBe('DISPLAY_ONLY');
  });

  it('puts a customer on the waiting list of a full slot, and says BOOKING_LIMIT_REACHED once that is full too', async () => {
    const slots = (await allClassSlots()).filter(bookableNow);
    const waitingListOpen = pick(
      slots,
      (slot) =>
        freePlaces(slot) <= 0 && (slot.waitingListParticipants ?? 0) < (slot.maxWaitingListParticipants ?? 0),
      'full slot with room on the waiting list',
    );
    const allFull = pick(
      slots,
      (slot) =>
        freePlaces(slot) <= 0 &&
        (slot.waitingListParticipants ?? 0) >= (slot.maxWaitingListParticipants ?? 0),
      'slot with a full waiting list',
    );

    const limit = await client.validateClassBooking({ customerId: member(), classSlotId: allFull.id });
    expect(limit.validationStatus).toBe('BOOKING_LIMIT_REACHED');

    const customerId = await newLead();
    const booking = await client.bookClassSlot({ customerId, classSlotId: waitingListOpen.id });
    expect(booking.bookingStatus).toBe('WAITING_LIST');
  });

  it('says DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME and DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME outside the booking window', async () => {
    const slots = await allClassSlots();
    const tooEarly = pick(
      slots,
      (slot) => (slot.earliestBookingDateTime?.epochMs ?? 0) > now(),
      'slot not yet open',
    );
    const tooLate = pick(
      slots,
      (slot) => (slot.latestBookingDateTime?.epochMs ?? 0) < now(),
      'slot already closed',
    );

    const early = await client.validateClassBooking({ customerId: member(), classSlotId: tooEarly.id });
    const late = await client.validateClassBooking({ customerId: member(), classSlotId: tooLate.id });

    expect(early.validationStatus).toBe('DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME');
    expect(late.validationStatus).toBe('DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME');
  });

  it('says NOT_AVAILABLE to a lead for an offer that is closed to leads, while a member may book it', async () => {
    const closedToLeads = await configWhere((candidate) => !candidate.allowBookingForLeads);
    const [offer] = await bookableClassesOf(closedToLeads.id);
    const slots = await collect(client.classSlots(offer?.trialOfferClass.id ?? -1));
    const open = pick(slots, (slot) => bookableNow(slot) && freePlaces(slot) > 0, 'open slot');
    const leadId = await newLead();

    const forLead = await client.validateClassBooking({ customerId: leadId, classSlotId: open.id });
    const forMember = await client.validateClassBooking({ customerId: member(), classSlotId: open.id });

    expect(forLead.validationStatus).toBe('NOT_AVAILABLE');
    expect(forMember.validationStatus).toBe('AVAILABLE');
  });

  it('says CUSTOMER_IN_OTHER_BOOKING when an appointment of another offer overlaps, in both directions', async () => {
    const leadFriendly = (await configs()).filter((config) => config.allowBookingForLeads);
    // Find a class slot and an appointment slot of different offers that overlap in time.
    let found: { classSlot: ClassSlot; appointmentId: number; appointmentSlot: AppointmentSlot } | undefined;
    for (const classConfig of leadFriendly) {
      for (const offer of await bookableClassesOf(classConfig.id)) {
        const open = (await collect(client.classSlots(offer.trialOfferClass.id))).filter(
          (slot) => bookableNow(slot) && freePlaces(slot) > 0,
        );
        for (const appointmentConfig of leadFriendly.filter((config) => config.id !== classConfig.id)) {
          const appointmentId = (await appointmentOf(appointmentConfig.id)).trialOfferBookableAppointment.id;
          for (const classSlot of open.slice(0, 3)) {
            const overlapping = (await appointmentSlotsOn(appointmentId, startOf(classSlot))).find(
              (slot) => startOf(slot) < endOf(classSlot) && startOf(classSlot) < endOf(slot),
            );
            if (overlapping) found ??= { classSlot, appointmentId, appointmentSlot: overlapping };
          }
        }
      }
    }
    if (!found) throw new Error('the demo seed has no overlapping class and appointment of different offers');
    const { classSlot, appointmentId, appointmentSlot } = found;

    const classFirst = await newLead();
    await client.bookClassSlot({ customerId: classFirst, classSlotId: classSlot.id });
    const appointmentValidation = await client.validateAppointmentBooking(
      appointmentRequest(classFirst, appointmentId, appointmentSlot),
    );
    expect(appointmentValidation.validationStatus).toBe('CUSTOMER_IN_OTHER_BOOKING');

    const appointmentFirst = await newLead();
    await client.bookAppointment(appointmentRequest(appointmentFirst, appointmentId, appointmentSlot));
    const classValidation = await client.validateClassBooking({
      customerId: appointmentFirst,
      classSlotId: classSlot.id,
    });
    expect(classValidation.validationStatus).toBe('CUSTOMER_IN_OTHER_BOOKING');
  });

  it('answers a booking the studio refuses with an API error naming the reason', async () => {
    const classes = await collect(client.bookableTrialClasses());
    const displayOnly = pick(classes, (offer) => !offer.trialOfferClass.bookable, 'display-only class');
    const [slot] = await collect(client.classSlots(displayOnly.trialOfferClass.id));

    const error = await rejectionOf(
      client.bookClassSlot({ customerId: member(), classSlotId: slot?.id ?? -1 }),
    );

    expect(error).toBeInstanceOf(PerfectGymApiError);
    expect(error).toMatchObject({ status: 400, errorCode: 'DISPLAY_ONLY', endpoint: 'classBook' });
    expect(sandbox.snapshot().bookings).toEqual([]);
  });
});

// ---------- appointment booking ----------

describe('appointment booking', () => {
  async function leadFriendlyAppointment() {
    const config = await configWhere(
      (candidate) => candidate.allowBookingForLeads && candidate.confirmationOfBookingTerm !== undefined,
    );
    const appointment = (await appointmentOf(config.id)).trialOfferBookableAppointment;
    const slots = await client.getAppointmentSlots({ bookableAppointmentId: appointment.id, daysAhead: 6 });
    return { config, appointment, slots };
  }

  it('validates AVAILABLE, books with the slot as given, confirms; the slot is then taken and the offer used up', async () => {
    const { appointment, slots } = await leadFriendlyAppointment();
    const [first] = slots as [AppointmentSlot];
    const later = pick(slots, (slot) => startOf(slot) >= startOf(first) + dayMs, 'slot on a later day');
    const customerId = await newLead();
    const request = appointmentRequest(customerId, appointment.id, first);

    expect(await client.validateAppointmentBooking(request)).toEqual({ validationStatus: 'AVAILABLE' });
    const booking = await client.bookAppointment(request);
    expect(booking.bookingStatus).toBe('BOOKED_WITH_CONFIRMATION_REQUIRED');
    expect(booking.startDateTime.epochMs).toBe(startOf(first));
    expect(booking.endDateTime.epochMs).toBe(endOf(first));
    expect(booking.title).toBe(appointment.title);
    expect(await client.confirmBooking(booking.bookingId)).toEqual({ status: 'CONFIRMED' });

    const someoneElse = await newLead();
    const taken = await client.validateAppointmentBooking(
      appointmentRequest(someoneElse, appointment.id, first),
    );
    expect(taken.validationStatus).toBe('BOOKING_LIMIT_REACHED');
    const second = await client.validateAppointmentBooking(
      appointmentRequest(customerId, appointment.id, later),
    );
    expect(second.validationStatus).toBe('NO_CONTINGENT');
  });

  it('checks the period: PAST_START_DATE_TIME, END_DATE_TIME_NOT_AFTER_START_DATE_TIME, PERIOD_DOES_NOT_MATCH, RESOURCE_NOT_AVAILABLE', async () => {
    const { appointment, slots } = await leadFriendlyAppointment();
    const slot = pick(slots, (candidate) => startOf(candidate) > now() + dayMs, 'slot from tomorrow on');
    const zone = sandbox.snapshot().zone;
    const customerId = member();
    const base = appointmentRequest(customerId, appointment.id, slot);
    const weekEarlier = (epochMs: number) => formatZonedDateTime(epochMs - 7 * dayMs, zone);
    const validate = async (request: Parameters<PerfectGymClient['validateAppointmentBooking']>[0]) =>
      (await client.validateAppointmentBooking(request)).validationStatus;

    expect(
      await validate({
        ...base,
        startDateTime: weekEarlier(startOf(slot)),
        endDateTime: weekEarlier(endOf(slot)),
      }),
    ).toBe('PAST_START_DATE_TIME');
    expect(await validate({ ...base, endDateTime: base.startDateTime })).toBe(
      'END_DATE_TIME_NOT_AFTER_START_DATE_TIME',
    );
    expect(
      await validate({ ...base, endDateTime: formatZonedDateTime(startOf(slot) + minuteMs, zone) }),
    ).toBe('PERIOD_DOES_NOT_MATCH');
    expect(await validate({ ...base, instructorIds: [987_654] })).toBe('RESOURCE_NOT_AVAILABLE');
    const instructorIds = (slot.instructors ?? []).map((instructor) => instructor.id);
    expect(await validate({ ...base, instructorIds })).toBe('AVAILABLE');
  });

  it('says BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED to a lead for an offer closed to leads', async () => {
    const closedToLeads = await configWhere((candidate) => !candidate.allowBookingForLeads);
    const appointment = (await appointmentOf(closedToLeads.id)).trialOfferBookableAppointment;
    const slots = await client.getAppointmentSlots({ bookableAppointmentId: appointment.id, daysAhead: 6 });
    const leadId = await newLead();

    const forLead = await client.validateAppointmentBooking(
      appointmentRequest(leadId, appointment.id, slots[0] as AppointmentSlot),
    );
    const forMember = await client.validateAppointmentBooking(
      appointmentRequest(member(), appointment.id, slots[0] as AppointmentSlot),
    );

    expect(forLead.validationStatus).toBe('BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED');
    expect(forMember.validationStatus).toBe('AVAILABLE');
  });

  it('answers confirming an unknown booking with a 404', async () => {
    const error = await rejectionOf(client.confirmBooking(987_654));
    expect(error).toMatchObject({ status: 404, endpoint: 'confirm', errorCode: 'ENTITY_NOT_FOUND' });
  });
});

// ---------- failures ----------

describe('when the studio refuses or fails', () => {
  it('reports a wrong key as 401, once, without repeating the key anywhere', async () => {
    const wrongKey = 'wrong-key-0123456789abcdef';
    const stranger = makeClient({ apiKey: wrongKey });

    const error = await rejectionOf(stranger.getStudioInformation());

    expect(error).toBeInstanceOf(PerfectGymApiError);
    expect(error).toMatchObject({ status: 401, errorCode: 'UNAUTHORIZED', endpoint: 'studio' });
    expect(isTemporary(error)).toBe(false);
    expect(sandbox.callCounts().studio).toBe(1);
    const strings = reachableStrings(error);
    expect(strings.filter((text) => text.includes(wrongKey) || text.includes(sandbox.apiKey))).toEqual([]);
  });

  it('after a 429 holds the endpoint for the whole Retry-After without sending, while other endpoints still work', async () => {
    sandbox.faults.set('classes', { kind: 'status', status: 429, times: 1, retryAfterSeconds: 60 });

    const started = performance.now();
    const refused = await rejectionOf(client.getBookableTrialClasses());
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(refused).toBeInstanceOf(PerfectGymApiError);
    expect(refused).toMatchObject({ status: 429, retryAfterMs: 60_000, errorCode: 'RATE_LIMIT_EXCEEDED' });
    expect(isTemporary(refused)).toBe(true);
    sandbox.resetCallCounts();

    const held = await rejectionOf(client.getBookableTrialClasses());
    const heldAgain = await rejectionOf(collect(client.bookableTrialClasses()));

    expect(held).toBeInstanceOf(PerfectGymRequestError);
    expect(held).toMatchObject({ reason: 'rate-limited', endpoint: 'classes' });
    expect((held as PerfectGymRequestError).retryAfterMs).toBeGreaterThan(55_000);
    expect(isTemporary(held)).toBe(true);
    expect(heldAgain).toMatchObject({ reason: 'rate-limited' });
    expect(events.filter((event) => event.status === 'rate-limited-locally')).toHaveLength(2);
    expect(sandbox.callCounts().classes).toBe(0);

    const studio = await client.getStudioInformation();
    expect(studio.studioId).toBe(sandbox.snapshot().studio.studioId);
    expect(sandbox.callCounts().studio).toBe(1);
    expect(reachableStrings(held).filter((text) => text.includes(sandbox.apiKey))).toEqual([]);
  });

  it('waits out a short 429 lockout and sends the booking once more, booking exactly once', async () => {
    const [slot] = (await openClassSlots()) as [ClassSlot];
    const customerId = member();
    sandbox.faults.set('classBook', { kind: 'status', status: 429, times: 1, retryAfterSeconds: 1 });
    sandbox.resetCallCounts();
    const patient = makeClient({ maxRateLimitWaitMs: 5_000 });

    const started = performance.now();
    const booking = await patient.bookClassSlot({ customerId, classSlotId: slot.id });

    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(booking.classSlotId).toBe(slot.id);
    // The refused attempt and one resend after the lockout: nothing in between.
    expect(sandbox.callCounts().classBook).toBe(2);
    expect(sandbox.snapshot().bookings).toHaveLength(1);
  });

  it('sends again after a lockout has passed', async () => {
    sandbox.faults.set('appointments', { kind: 'status', status: 429, times: 1, retryAfterSeconds: 1 });
    const impatient = makeClient({ maxRateLimitWaitMs: 0 });

    await expect(impatient.getBookableTrialAppointments()).rejects.toMatchObject({ status: 429 });
    await expect(impatient.getBookableTrialAppointments()).rejects.toMatchObject({ reason: 'rate-limited' });
    expect(sandbox.callCounts().appointments).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const slice = await impatient.getBookableTrialAppointments();
    expect(slice.result.length).toBeGreaterThan(0);
    expect(sandbox.callCounts().appointments).toBe(2);
  });

  it('does not repeat a call that got a 500', async () => {
    sandbox.faults.set('classes', { kind: 'status', status: 500, times: 3 });

    const error = await rejectionOf(client.getBookableTrialClasses());

    expect(error).toBeInstanceOf(PerfectGymApiError);
    expect(error).toMatchObject({ status: 500, errorCode: 'SIMULATED_FAILURE' });
    expect(isTemporary(error)).toBe(true);
    expect(sandbox.callCounts().classes).toBe(1);
  });

  it('repeats a read after 503s and returns the answer that finally comes', async () => {
    sandbox.faults.set('studio', { kind: 'status', status: 503, times: 2 });

    const studio = await client.getStudioInformation();

    expect(studio.studioId).toBe(sandbox.snapshot().studio.studioId);
    expect(sandbox.callCounts().studio).toBe(3);
    expect(events.map((event) => event.status)).toEqual([503, 503, 200]);
  });

  it('gives up after maxRetries when the 503s do not stop', async () => {
    sandbox.faults.set('classBookingValidate', { kind: 'status', status: 503 });

    const error = await rejectionOf(client.validateClassBooking({ customerId: member(), classSlotId: 1 }));

    expect(error).toMatchObject({ status: 503, endpoint: 'classBookingValidate' });
    expect(sandbox.callCounts().classBookingValidate).toBe(3);
  });

  it('does not repeat a booking that got a 503: the studio may have booked it', async () => {
    const [slot] = (await openClassSlots()) as [ClassSlot];
    sandbox.faults.set('classBook', { kind: 'status', status: 503, times: 1, afterHandling: true });

    const error = await rejectionOf(client.bookClassSlot({ customerId: member(), classSlotId: slot.id }));

    expect(error).toMatchObject({ status: 503 });
    expect(sandbox.callCounts().classBook).toBe(1);
    expect(sandbox.snapshot().bookings).toHaveLength(1);
  });

  it('times out when the studio answers later than timeoutMs', async () => {
    sandbox.faults.set('config', { kind: 'delay', ms: 2_000, times: 1 });
    const hasty = makeClient({ timeoutMs: 300, maxRetries: 0, onCall: (event) => events.push(event) });
    const configId = sandbox.snapshot().configs[0]?.id ?? -1;

    const started = performance.now();
    const error = await rejectionOf(hasty.getTrialOfferConfig(configId));

    expect(performance.now() - started).toBeLessThan(1_500);
    expect(error).toBeInstanceOf(PerfectGymRequestError);
    expect(error).toMatchObject({ reason: 'timeout', endpoint: 'config' });
    expect(isTemporary(error)).toBe(true);
    expect(events.at(-1)).toMatchObject({ endpoint: 'config', status: 'timeout' });
    expect(reachableStrings(error).filter((text) => text.includes(sandbox.apiKey))).toEqual([]);
  });

  it('repeats a read that timed out', async () => {
    sandbox.faults.set('config', { kind: 'delay', ms: 2_000, times: 1 });
    const hasty = makeClient({ timeoutMs: 300, maxRetries: 1 });
    const configId = sandbox.snapshot().configs[0]?.id ?? -1;

    const config = await hasty.getTrialOfferConfig(configId);

    expect(config.id).toBe(configId);
    expect(sandbox.callCounts().config).toBe(2);
  });

  it('repeats a read whose connection was dropped', async () => {
    sandbox.faults.set('classes', { kind: 'drop', times: 1 });

    const slice = await client.getBookableTrialClasses();

    expect(slice.result.length).toBeGreaterThan(0);
    expect(sandbox.callCounts().classes).toBe(2);
    expect(events.map((event) => event.status)).toEqual(['network-error', 200]);
  });

  it('never repeats a booking whose connection dropped, even when the studio did book it', async () => {
    const [first, second] = (await openClassSlots()) as [ClassSlot, ClassSlot];

    sandbox.faults.set('classBook', { kind: 'drop', times: 1 });
    const dropped = await rejectionOf(client.bookClassSlot({ customerId: member(), classSlotId: first.id }));
    expect(dropped).toBeInstanceOf(PerfectGymRequestError);
    expect(dropped).toMatchObject({ reason: 'network', endpoint: 'classBook' });
    expect(isTemporary(dropped)).toBe(true);
    expect(sandbox.callCounts().classBook).toBe(1);
    expect(sandbox.snapshot().bookings).toHaveLength(0);

    sandbox.faults.set('classBook', { kind: 'drop', times: 1, afterHandling: true });
    const bookedUnseen = await rejectionOf(
      client.bookClassSlot({ customerId: member(), classSlotId: second.id }),
    );
    expect(bookedUnseen).toMatchObject({ reason: 'network' });
    expect(sandbox.callCounts().classBook).toBe(2);
    expect(sandbox.snapshot().bookings).toEqual([expect.objectContaining({ classSlotId: second.id })]);
  });
});
