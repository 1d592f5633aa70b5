/**
 * The sandbox studio's state and rules, free of HTTP: what the 13 trial-offer endpoints answer,
 * and what booking, lead creation and confirmation change. Answers are already in the API's JSON
 * shapes (date-times written like the real API), so the server only routes and serialises.
 *
 * Readings of rules the API documents only by name (the owner may revisit these):
 * - `contingent`: how many bookings (not canceled, waiting list included) of one config a customer
 *   may hold. `preventMultipleBookingsTerm`: a second booking of the same config is refused when
 *   its slot starts within that term of a slot the customer already holds. Both give NO_CONTINGENT.
 * - A full class slot whose waiting list has room validates as AVAILABLE (the customer can book,
 *   just onto the waiting list); `book` then answers WAITING_LIST. Waiting-list entries need no
 *   confirmation and are not promoted when a place frees up.
 * - `allowBookingForLeads: false` refuses leads (customers created through the API) with
 *   NOT_AVAILABLE for classes and BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED for appointments;
 *   seeded members may still book.
 * - A confirmation term runs from the moment of booking on the sandbox clock. Once it has passed,
 *   the booking is canceled and its place freed, whether or not anyone calls confirm.
 * - One appointment slot takes one customer; `instructorIds`, when given, must be the slot's
 *   instructors (else RESOURCE_NOT_AVAILABLE).
 * - A customer's own bookings come first: a class slot they hold answers CUSTOMER_ALREADY_BOOKED,
 *   an appointment period overlapping a place they hold CUSTOMER_IN_OTHER_BOOKING, before
 *   contingent and capacity are looked at. That is what a client sees when it validates again a
 *   booking whose answer it lost.
 */

import { formatZonedDateTime } from '../perfectgym/datetime.ts';
import type { EndpointName } from '../perfectgym/endpoints.ts';
import type { Slice } from '../perfectgym/schemas.ts';
import {
  addDaysToDate,
  addTerm,
  atLocalTime,
  dayMs,
  type LocalDate,
  localDateOf,
  minuteMs,
} from './calendar.ts';
import { notFound, SandboxHttpError } from './errors.ts';
import { bookingRefusalReason, type LeadProblem, leadProblems } from './messages.ts';
import {
  appointmentGridTimes,
  type SandboxSeed,
  type SeedAppointment,
  type SeedClass,
  type SeedClassSlot,
  type SeedCustomer,
  type SeedInstructor,
  type SeedTrialOfferConfig,
} from './seed.ts';

export type ClassValidationStatus =
  | 'AVAILABLE'
  | 'NO_CONTINGENT'
  | 'BOOKING_LIMIT_REACHED'
  | 'CUSTOMER_ALREADY_BOOKED'
  | 'CUSTOMER_IN_OTHER_BOOKING'
  | 'DISPLAY_ONLY'
  | 'DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME'
  | 'DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME'
  | 'NOT_AVAILABLE';

export type AppointmentValidationStatus =
  | 'AVAILABLE'
  | 'PAST_START_DATE_TIME'
  | 'END_DATE_TIME_NOT_AFTER_START_DATE_TIME'
  | 'PERIOD_DOES_NOT_MATCH'
  | 'CUSTOMER_IN_OTHER_BOOKING'
  | 'NO_CONTINGENT'
  | 'BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED'
  | 'BOOKING_LIMIT_REACHED'
  | 'RESOURCE_NOT_AVAILABLE';

export type LeadValidationStatus = 'POSSIBLE' | 'INVALID_LEAD_CUSTOMER_DATA' | 'DUPLICATE_CUSTOMER';

export type BookingStatus = 'BOOKED' | 'BOOKED_WITH_CONFIRMATION_REQUIRED' | 'WAITING_LIST' | 'CANCELED';
export type ConfirmationState = 'NOT_REQUIRED' | 'PENDING' | 'CONFIRMED' | 'EXPIRED';

/** Lead data after its types were checked; values are exactly what the caller sent. */
export interface LeadCustomerInput {
  firstname?: string | null | undefined;
  lastname?: string | null | undefined;
  email?: string | null | undefined;
  gender?: string | null | undefined;
  dateOfBirth?: string | null | undefined;
  telephone?: string | null | undefined;
  address?:
    | {
        street?: string | null | undefined;
        zipCode?: string | null | undefined;
        city?: string | null | undefined;
      }
    | null
    | undefined;
}

export interface AppointmentRequest {
  customerId: number;
  bookableAppointmentId: number;
  startMs: number;
  endMs: number;
  instructorIds?: number[] | null | undefined;
}

interface Booking {
  id: number;
  kind: 'class' | 'appointment';
  customerId: number;
  configId: number;
  classId?: number;
  classSlotId?: number;
  appointmentId?: number;
  startMs: number;
  endMs: number;
  instructorIds: number[];
  status: BookingStatus;
  /** Whether the booking holds a participant place (else a waiting-list place). */
  holdsPlace: boolean;
  bookedAtMs: number;
  confirmation: ConfirmationState;
  confirmationDeadlineMs?: number;
}

interface Lead {
  id: number;
  trialOfferConfigId: number;
  createdAtMs: number;
  /** Exactly the JSON received. */
  leadCustomerData: unknown;
}

interface ClassSlotState extends SeedClassSlot {
  classId: number;
}

/** Class slots are listed from one day before to fourteen days after the clock. */
const classSlotsBackMs = dayMs;
const classSlotsAheadMs = 14 * dayMs;

/** Items with an id greater than `offset`, sorted by id, at most `sliceSize` of them. */
export function sliceById<T extends { id: number }, R>(
  items: T[],
  offset: number,
  sliceSize: number,
  render: (item: T) => R,
): Slice<R> {
  const after = items.filter((item) => item.id > offset).sort((a, b) => a.id - b.id);
  const page = after.slice(0, sliceSize);
  const last = page.at(-1);
  return {
    result: page.map(render),
    hasNext: after.length > page.length,
    offset: last ? String(last.id) : String(offset),
  };
}

/** Creates the studio from a seed; `now` is the business clock. */
export function createStudio(seed: SandboxSeed, now: () => number): Studio {
  return new Studio(structuredClone(seed), now);
}

export class Studio {
  readonly #seed: SandboxSeed;
  readonly #now: () => number;
  readonly #configs: Map<number, SeedTrialOfferConfig>;
  readonly #classes: Map<number, SeedClass>;
  readonly #classSlots: Map<number, ClassSlotState>;
  readonly #appointments: Map<number, SeedAppointment>;
  readonly #customers: Map<number, SeedCustomer>;
  readonly #leads: Lead[] = [];
  readonly #bookings: Booking[] = [];
  /** Appointment slots taken outside the sandbox, per appointment, by start. */
  readonly #takenAppointmentStarts: Map<number, Set<number>>;
  #nextLeadId: number;
  #nextBookingId: number;

  constructor(seed: SandboxSeed, now: () => number) {
    this.#seed = seed;
    this.#now = now;
    this.#configs = new Map(seed.configs.map((config) => [config.id, config]));
    this.#classes = new Map(seed.classes.map((seedClass) => [seedClass.id, seedClass]));
    this.#classSlots = new Map(
      seed.classes.flatMap((seedClass) =>
        seedClass.slots.map((slot) => [slot.id, { ...slot, classId: seedClass.id }] as const),
      ),
    );
    this.#appointments = new Map(seed.appointments.map((appointment) => [appointment.id, appointment]));
    this.#takenAppointmentStarts = new Map(
      seed.appointments.map((appointment) => [appointment.id, new Set(appointment.takenStartsMs)]),
    );
    this.#customers = new Map(seed.customers.map((customer) => [customer.id, { ...customer }]));
    this.#nextLeadId = seed.firstLeadId;
    this.#nextBookingId = seed.firstBookingId;
  }

  get zone(): string {
    return this.#seed.zone;
  }

  #format(epochMs: number): string {
    return formatZonedDateTime(epochMs, this.#seed.zone);
  }

  // ---------- reads ----------

  studioInformation() {
    return this.#seed.studio;
  }

  config(configId: number): SeedTrialOfferConfig {
    const config = this.#configs.get(configId);
    if (!config) throw notFound('config', configId);
    return config;
  }

  classes(offset: number, sliceSize: number) {
    return sliceById([...this.#classes.values()], offset, sliceSize, (seedClass) => ({
      id: seedClass.id,
      trialOfferConfigId: seedClass.trialOfferConfigId,
      trialOfferClass: this.#classInformation(seedClass),
    }));
  }

  appointments(offset: number, sliceSize: number) {
    return sliceById([...this.#appointments.values()], offset, sliceSize, (appointment) => ({
      id: appointment.id,
      trialOfferConfigId: appointment.trialOfferConfigId,
      trialOfferBookableAppointment: this.#appointmentInformation(appointment),
    }));
  }

  classSlots(classId: number, offset: number, sliceSize: number) {
    const seedClass = this.#classes.get(classId);
    if (!seedClass) throw notFound('class', classId);
    const now = this.#now();
    const visible = [...this.#classSlots.values()].filter(
      (slot) =>
        slot.classId === classId &&
        slot.startMs >= now - classSlotsBackMs &&
        slot.startMs <= now + classSlotsAheadMs,
    );
    return sliceById(visible, offset, sliceSize, (slot) => this.#renderClassSlot(slot, seedClass));
  }

  /**
   * Free appointment slots from `windowStart` (default: today in the studio zone) for `daysAhead`
   * calendar days, never starting in the past.
   */
  appointmentSlots(
    appointmentId: number,
    options: { windowStart?: LocalDate; daysAhead: number; customerId?: number },
  ) {
    const appointment = this.#appointment(appointmentId);
    if (options.customerId !== undefined) this.#customer(options.customerId);
    const now = this.#now();
    const firstDate = options.windowStart ?? localDateOf(now, this.zone);
    const slots: { startDateTime: string; endDateTime: string; instructors: SeedInstructor[] }[] = [];
    for (let day = 0; day < options.daysAhead; day++) {
      const date = addDaysToDate(firstDate, day);
      for (const time of appointmentGridTimes(appointment, date)) {
        const startMs = atLocalTime(date, time, this.zone);
        if (startMs <= now || this.#appointmentSlotTaken(appointmentId, startMs)) continue;
        slots.push({
          startDateTime: this.#format(startMs),
          endDateTime: this.#format(startMs + appointment.duration * minuteMs),
          instructors: this.#appointmentInstructorIds(appointment, date).map((id) => this.#instructor(id)),
        });
      }
    }
    return slots;
  }

  // ---------- leads ----------

  validateLead(
    configId: number,
    data: LeadCustomerInput,
  ): { status: LeadValidationStatus; problem?: LeadProblem } {
    const config = this.config(configId);
    const problem = leadDataProblem(config, data, localDateOf(this.#now(), this.zone));
    if (problem) return { status: 'INVALID_LEAD_CUSTOMER_DATA', problem };
    const email = (data.email ?? '').trim().toLowerCase();
    const known = [...this.#customers.values()].some((customer) => customer.email.toLowerCase() === email);
    return known ? { status: 'DUPLICATE_CUSTOMER' } : { status: 'POSSIBLE' };
  }

  /** Stores the lead exactly as received (`raw`) once `data` (its typed view) validates. */
  createLead(configId: number, data: LeadCustomerInput, raw: unknown): { leadCustomerId: number } {
    const validation = this.validateLead(configId, data);
    if (validation.status !== 'POSSIBLE') {
      throw new SandboxHttpError({
        status: 400,
        errorCode: validation.status,
        messageKey: validation.status,
        params: { reason: validation.problem ? leadProblems[validation.problem] : '' },
      });
    }
    const id = this.#nextLeadId++;
    this.#leads.push({ id, trialOfferConfigId: configId, createdAtMs: this.#now(), leadCustomerData: raw });
    this.#customers.set(id, {
      id,
      firstname: data.firstname ?? '',
      lastname: data.lastname ?? '',
      // Trimmed as validateLead compares it: " ann@x.de " is the same customer next time.
      email: (data.email ?? '').trim(),
      isLead: true,
    });
    return { leadCustomerId: id };
  }

  /**
   * Deletes a lead the API created, as staff do when they delete or merge it: the studio no longer
   * knows that customer id (calls naming it answer 404) and its e-mail address is free again.
   * Its bookings stay as they were. Answers whether there was such a lead.
   */
  deleteLead(leadId: number): boolean {
    const index = this.#leads.findIndex((lead) => lead.id === leadId);
    if (index === -1) return false;
    this.#leads.splice(index, 1);
    this.#customers.delete(leadId);
    return true;
  }

  // ---------- class booking ----------

  validateClassBooking(customerId: number, classSlotId: number): { validationStatus: ClassValidationStatus } {
    return { validationStatus: this.#checkClassBooking(customerId, classSlotId).status };
  }

  bookClass(customerId: number, classSlotId: number) {
    const check = this.#checkClassBooking(customerId, classSlotId);
    if (check.status !== 'AVAILABLE') throw refusal(check.status);
    const { slot, config } = check;
    const booking = this.#addBooking({
      kind: 'class',
      customerId,
      config,
      classId: slot.classId,
      classSlotId: slot.id,
      startMs: slot.startMs,
      endMs: slot.endMs,
      instructorIds: slot.instructorIds,
      holdsPlace: check.placement === 'participant',
    });
    if (booking.holdsPlace) slot.bookedParticipants++;
    else slot.waitingListParticipants++;
    return {
      bookingId: booking.id,
      bookingStatus: booking.status,
      classSlotId: slot.id,
      classId: slot.classId,
      customerId,
      classSlotStatus: 'PLANNED',
      participantStatus: booking.holdsPlace ? 'PARTICIPATING' : 'UNSET',
    };
  }

  #checkClassBooking(
    customerId: number,
    classSlotId: number,
  ):
    | {
        status: 'AVAILABLE';
        slot: ClassSlotState;
        config: SeedTrialOfferConfig;
        placement: 'participant' | 'waitingList';
      }
    | { status: Exclude<ClassValidationStatus, 'AVAILABLE'> } {
    const slot = this.#classSlots.get(classSlotId);
    if (!slot) throw notFound('classSlot', classSlotId);
    const customer = this.#customer(customerId);
    const seedClass = this.#classes.get(slot.classId) as SeedClass;
    const config = this.config(seedClass.trialOfferConfigId);
    const now = this.#now();
    const active = this.#activeBookingsOf(customerId);

    if (!seedClass.bookable) return { status: 'DISPLAY_ONLY' };
    if (active.some((booking) => booking.classSlotId === slot.id))
      return { status: 'CUSTOMER_ALREADY_BOOKED' };
    if (customer.isLead && !config.allowBookingForLeads) return { status: 'NOT_AVAILABLE' };
    if (now < slot.earliestBookingMs) return { status: 'DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME' };
    if (now > slot.latestBookingMs) return { status: 'DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME' };
    if (!this.#hasContingent(active, config, slot.startMs)) return { status: 'NO_CONTINGENT' };
    if (overlapsHeldPlace(active, slot.startMs, slot.endMs)) return { status: 'CUSTOMER_IN_OTHER_BOOKING' };
    const free = slot.maxParticipants - slot.bookedParticipants - slot.additionalParticipants;
    if (free > 0) return { status: 'AVAILABLE', slot, config, placement: 'participant' };
    if (slot.waitingListParticipants < slot.maxWaitingListParticipants) {
      return { status: 'AVAILABLE', slot, config, placement: 'waitingList' };
    }
    return { status: 'BOOKING_LIMIT_REACHED' };
  }

  // ---------- appointment booking ----------

  validateAppointmentBooking(request: AppointmentRequest): { validationStatus: AppointmentValidationStatus } {
    return { validationStatus: this.#checkAppointmentBooking(request).status };
  }

  bookAppointment(request: AppointmentRequest) {
    const check = this.#checkAppointmentBooking(request);
    if (check.status !== 'AVAILABLE') throw refusal(check.status);
    const { appointment, config, instructorIds } = check;
    const { id: _id, ...information } = this.#appointmentInformation(appointment);
    const booking = this.#addBooking({
      kind: 'appointment',
      customerId: request.customerId,
      config,
      appointmentId: appointment.id,
      startMs: request.startMs,
      endMs: request.endMs,
      instructorIds,
      holdsPlace: true,
    });
    return {
      bookingId: booking.id,
      bookingStatus: booking.status,
      startDateTime: this.#format(booking.startMs),
      endDateTime: this.#format(booking.endMs),
      ...information,
      instructors: instructorIds.map((id) => this.#instructor(id)),
      appointmentStatus: 'PLANNED',
      participantStatus: 'PARTICIPATING',
    };
  }

  #checkAppointmentBooking(request: AppointmentRequest):
    | {
        status: 'AVAILABLE';
        appointment: SeedAppointment;
        config: SeedTrialOfferConfig;
        instructorIds: number[];
      }
    | { status: Exclude<AppointmentValidationStatus, 'AVAILABLE'> } {
    const appointment = this.#appointment(request.bookableAppointmentId);
    const customer = this.#customer(request.customerId);
    const config = this.config(appointment.trialOfferConfigId);
    const { startMs, endMs } = request;
    const now = this.#now();

    if (endMs <= startMs) return { status: 'END_DATE_TIME_NOT_AFTER_START_DATE_TIME' };
    const date = localDateOf(startMs, this.zone);
    const onGrid = appointmentGridTimes(appointment, date).some(
      (time) => atLocalTime(date, time, this.zone) === startMs,
    );
    if (!onGrid || endMs - startMs !== appointment.duration * minuteMs)
      return { status: 'PERIOD_DOES_NOT_MATCH' };
    if (startMs <= now) return { status: 'PAST_START_DATE_TIME' };
    if (customer.isLead && !config.allowBookingForLeads) {
      return { status: 'BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED' };
    }
    const slotInstructorIds = this.#appointmentInstructorIds(appointment, date);
    const requested = request.instructorIds ?? [];
    if (requested.some((id) => !slotInstructorIds.includes(id))) return { status: 'RESOURCE_NOT_AVAILABLE' };
    const active = this.#activeBookingsOf(request.customerId);
    if (overlapsHeldPlace(active, startMs, endMs)) return { status: 'CUSTOMER_IN_OTHER_BOOKING' };
    if (!this.#hasContingent(active, config, startMs)) return { status: 'NO_CONTINGENT' };
    if (this.#appointmentSlotTaken(appointment.id, startMs)) return { status: 'BOOKING_LIMIT_REACHED' };
    return { status: 'AVAILABLE', appointment, config, instructorIds: slotInstructorIds };
  }

  #appointmentSlotTaken(appointmentId: number, startMs: number): boolean {
    if (this.#takenAppointmentStarts.get(appointmentId)?.has(startMs)) return true;
    return this.#bookings.some(
      (booking) =>
        booking.appointmentId === appointmentId &&
        booking.startMs === startMs &&
        booking.status !== 'CANCELED',
    );
  }

  /** One instructor per calendar day, rotating, so the same day always shows the same person. */
  #appointmentInstructorIds(appointment: SeedAppointment, date: LocalDate): number[] {
    if (appointment.instructorIds.length === 0) return [];
    const dayNumber = Math.round(Date.parse(`${date}T00:00:00Z`) / dayMs);
    return [appointment.instructorIds[dayNumber % appointment.instructorIds.length] as number];
  }

  // ---------- shared booking rules ----------

  #hasContingent(active: Booking[], config: SeedTrialOfferConfig, startMs: number): boolean {
    const ofConfig = active.filter((booking) => booking.configId === config.id);
    if (ofConfig.length >= config.contingent) return false;
    const term = config.preventMultipleBookingsTerm;
    return !ofConfig.some(
      (booking) =>
        startMs < addTerm(booking.startMs, term, this.zone) &&
        booking.startMs < addTerm(startMs, term, this.zone),
    );
  }

  #activeBookingsOf(customerId: number): Booking[] {
    return this.#bookings.filter(
      (booking) => booking.customerId === customerId && booking.status !== 'CANCELED',
    );
  }

  #addBooking(
    init: Omit<
      Booking,
      'id' | 'configId' | 'status' | 'bookedAtMs' | 'confirmation' | 'confirmationDeadlineMs'
    > & {
      config: SeedTrialOfferConfig;
    },
  ): Booking {
    const { config, ...rest } = init;
    const bookedAtMs = this.#now();
    const term = config.confirmationOfBookingTerm;
    const needsConfirmation = term !== undefined && init.holdsPlace;
    const booking: Booking = {
      ...rest,
      id: this.#nextBookingId++,
      configId: config.id,
      bookedAtMs,
      status: !init.holdsPlace
        ? 'WAITING_LIST'
        : needsConfirmation
          ? 'BOOKED_WITH_CONFIRMATION_REQUIRED'
          : 'BOOKED',
      confirmation: needsConfirmation ? 'PENDING' : 'NOT_REQUIRED',
      ...(needsConfirmation ? { confirmationDeadlineMs: addTerm(bookedAtMs, term, this.zone) } : {}),
    };
    this.#bookings.push(booking);
    return booking;
  }

  // ---------- confirmation ----------

  /** The server has run expireOverdueBookings for this request already. */
  confirm(bookingId: number): { status: 'CONFIRMED' | 'EXPIRED' } {
    const booking = this.#bookings.find((candidate) => candidate.id === bookingId);
    if (!booking) throw notFound('booking', bookingId);
    if (booking.confirmation === 'EXPIRED') return { status: 'EXPIRED' };
    if (booking.confirmation === 'PENDING') booking.confirmation = 'CONFIRMED';
    return { status: 'CONFIRMED' };
  }

  /** Cancels bookings whose confirmation term has passed and frees their places. */
  expireOverdueBookings(): void {
    const now = this.#now();
    for (const booking of this.#bookings) {
      if (booking.confirmation !== 'PENDING' || booking.confirmationDeadlineMs === undefined) continue;
      if (now <= booking.confirmationDeadlineMs) continue;
      booking.confirmation = 'EXPIRED';
      booking.status = 'CANCELED';
      const slot = booking.classSlotId === undefined ? undefined : this.#classSlots.get(booking.classSlotId);
      if (slot) slot.bookedParticipants--;
    }
  }

  // ---------- lookups and rendering ----------

  #customer(customerId: number): SeedCustomer {
    const customer = this.#customers.get(customerId);
    if (!customer) throw notFound('customer', customerId);
    return customer;
  }

  #appointment(appointmentId: number): SeedAppointment {
    const appointment = this.#appointments.get(appointmentId);
    if (!appointment) throw notFound('appointment', appointmentId);
    return appointment;
  }

  #instructor(id: number): SeedInstructor {
    const instructor = this.#seed.instructors.find((candidate) => candidate.id === id);
    return instructor ?? { id, firstName: 'N.', lastName: 'N.' };
  }

  #classInformation(seedClass: SeedClass) {
    const { slots: _slots, trialOfferConfigId: _configId, ...information } = seedClass;
    return information;
  }

  #appointmentInformation(appointment: SeedAppointment) {
    return {
      id: appointment.id,
      title: appointment.title,
      duration: appointment.duration,
      category: appointment.category,
      description: appointment.description,
      ...(appointment.imgUrl === undefined ? {} : { imgUrl: appointment.imgUrl }),
    };
  }

  #renderClassSlot(slot: ClassSlotState, seedClass: SeedClass) {
    const location = this.#seed.locations.find((candidate) => candidate.id === slot.locationId);
    return {
      id: slot.id,
      startDateTime: this.#format(slot.startMs),
      endDateTime: this.#format(slot.endMs),
      classInformation: this.#classInformation(seedClass),
      instructors: slot.instructorIds.map((id) => this.#instructor(id)),
      ...(location ? { location } : {}),
      earliestBookingDateTime: this.#format(slot.earliestBookingMs),
      latestBookingDateTime: this.#format(slot.latestBookingMs),
      maxParticipants: slot.maxParticipants,
      maxWaitingListParticipants: slot.maxWaitingListParticipants,
      bookedParticipants: slot.bookedParticipants,
      additionalParticipants: slot.additionalParticipants,
      waitingListParticipants: slot.waitingListParticipants,
    };
  }

  /** Everything the studio holds, JSON-serialisable, for tests and the playground page. */
  snapshot(callCounts: Record<EndpointName, number>): SandboxSnapshot {
    this.expireOverdueBookings();
    const now = this.#now();
    return {
      now: this.#format(now),
      nowMs: now,
      zone: this.zone,
      studio: this.#seed.studio,
      configs: [...this.#configs.values()],
      customers: this.#seed.customers.map(({ id, email, isLead }) => ({ id, email, isLead })),
      leads: this.#leads.map((lead) => ({
        id: lead.id,
        trialOfferConfigId: lead.trialOfferConfigId,
        createdAt: this.#format(lead.createdAtMs),
        leadCustomerData: lead.leadCustomerData,
      })),
      bookings: this.#bookings.map((booking) => ({
        id: booking.id,
        kind: booking.kind,
        customerId: booking.customerId,
        trialOfferConfigId: booking.configId,
        ...(booking.classId === undefined ? {} : { classId: booking.classId }),
        ...(booking.classSlotId === undefined ? {} : { classSlotId: booking.classSlotId }),
        ...(booking.appointmentId === undefined ? {} : { bookableAppointmentId: booking.appointmentId }),
        startDateTime: this.#format(booking.startMs),
        endDateTime: this.#format(booking.endMs),
        status: booking.status,
        bookedAt: this.#format(booking.bookedAtMs),
        confirmation: {
          state: booking.confirmation,
          ...(booking.confirmationDeadlineMs === undefined
            ? {}
            : { deadline: this.#format(booking.confirmationDeadlineMs) }),
        },
      })),
      classSlots: [...this.#classSlots.values()].map((slot) => ({
        id: slot.id,
        classId: slot.classId,
        startDateTime: this.#format(slot.startMs),
        endDateTime: this.#format(slot.endMs),
        maxParticipants: slot.maxParticipants,
        bookedParticipants: slot.bookedParticipants,
        additionalParticipants: slot.additionalParticipants,
        freePlaces: Math.max(0, slot.maxParticipants - slot.bookedParticipants - slot.additionalParticipants),
        maxWaitingListParticipants: slot.maxWaitingListParticipants,
        waitingListParticipants: slot.waitingListParticipants,
      })),
      callCounts,
    };
  }
}

/** The sandbox's whole state, as `GET /__sandbox/state` answers it. */
export interface SandboxSnapshot {
  now: string;
  nowMs: number;
  zone: string;
  studio: SandboxSeed['studio'];
  configs: SeedTrialOfferConfig[];
  /** Customers the studio knew before the sandbox started (created leads are under `leads`). */
  customers: { id: number; email: string; isLead: boolean }[];
  leads: { id: number; trialOfferConfigId: number; createdAt: string; leadCustomerData: unknown }[];
  bookings: {
    id: number;
    kind: 'class' | 'appointment';
    customerId: number;
    trialOfferConfigId: number;
    classId?: number;
    classSlotId?: number;
    bookableAppointmentId?: number;
    startDateTime: string;
    endDateTime: string;
    status: BookingStatus;
    bookedAt: string;
    confirmation: { state: ConfirmationState; deadline?: string };
  }[];
  classSlots: {
    id: number;
    classId: number;
    startDateTime: string;
    endDateTime: string;
    maxParticipants: number;
    bookedParticipants: number;
    additionalParticipants: number;
    freePlaces: number;
    maxWaitingListParticipants: number;
    waitingListParticipants: number;
  }[];
  callCounts: Record<EndpointName, number>;
}

function overlapsHeldPlace(active: Booking[], startMs: number, endMs: number): boolean {
  return active.some((booking) => booking.holdsPlace && booking.startMs < endMs && startMs < booking.endMs);
}

function refusal(status: string): SandboxHttpError {
  return new SandboxHttpError({
    status: 400,
    errorCode: status,
    messageKey: 'BOOKING_NOT_POSSIBLE',
    params: { reason: bookingRefusalReason(status) },
  });
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isBlank(value: string | null | undefined): boolean {
  return value === undefined || value === null || value.trim() === '';
}

/** The first reason the lead data does not satisfy the config, or undefined when it does. */
function leadDataProblem(
  config: SeedTrialOfferConfig,
  data: LeadCustomerInput,
  today: LocalDate,
): LeadProblem | undefined {
  const modes = config.leadDataConfig;
  if (isBlank(data.firstname)) return 'firstnameMissing';
  if (isBlank(data.lastname)) return 'lastnameMissing';
  if (isBlank(data.email)) return 'emailMissing';
  if (!emailPattern.test((data.email ?? '').trim())) return 'emailMalformed';
  if (modes.genderMode === 'MANDATORY' && isBlank(data.gender)) return 'genderMissing';
  if (modes.dateOfBirthMode === 'MANDATORY' && isBlank(data.dateOfBirth)) return 'dateOfBirthMissing';
  if (data.dateOfBirth && data.dateOfBirth > today) return 'dateOfBirthInFuture';
  if (modes.telephoneMode === 'MANDATORY' && isBlank(data.telephone)) return 'telephoneMissing';
  if (!isBlank(data.telephone) && !/^\+?\d{5,20}$/.test((data.telephone ?? '').replace(/[\s()/.-]/g, ''))) {
    return 'telephoneMalformed';
  }
  const address = data.address;
  if (modes.addressMode === 'MANDATORY' && !address) return 'addressMissing';
  if (address && (isBlank(address.street) || isBlank(address.zipCode) || isBlank(address.city))) {
    return 'addressIncomplete';
  }
  return undefined;
}
