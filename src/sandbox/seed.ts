/**
 * What the sandbox studio starts with: studio information, trial-offer configs, classes with their
 * slots, bookable appointments with opening hours, and the customers already known. A seed is
 * plain data, so a test can build its own; `demoSeed` builds the demo studio "Studio Kiez Berlin".
 */
import type { leadFieldModes } from '../perfectgym/schemas.ts';
import {
  addDaysToDate,
  atLocalTime,
  type DayOfWeek,
  dayMs,
  dayOfWeekOf,
  daysOfWeek,
  type LocalDate,
  localDateOf,
  minuteMs,
  minutesOfDay,
  type TermUnit,
  timeOfDay,
} from './calendar.ts';

export type LeadFieldMode = (typeof leadFieldModes)[number];

export interface SeedLocalTime {
  hour: number;
  minute: number;
  second: number;
  nano: number;
}

/** Answered as-is by `GET /v1/studios/information`, so it follows the API's StudioInformation. */
export interface SeedStudio {
  studioId: number;
  name: string;
  description?: string;
  country?: string;
  countryCode?: string;
  openingDate?: string;
  email?: string;
  logoUrl?: string;
  telephone?: string;
  website?: string;
  street?: string;
  houseNumber?: string;
  zip?: string;
  city?: string;
  openingHours?: SeedOpeningHours[];
  publicOpeningHours?: SeedOpeningHours[];
  closingHours?: { reason?: string; dateTimeFrom?: string; dateTimeTo?: string }[];
  accessCodeConfiguration: { enabled?: boolean };
  location?: { latitude: number; longitude: number };
  studioTags?: { name: string }[];
}

export interface SeedOpeningHours {
  dayOfWeekFrom: DayOfWeek;
  dayOfWeekTo: DayOfWeek;
  timeFrom: SeedLocalTime;
  timeTo: SeedLocalTime;
}

/** Answered as-is by `GET /v1/trial-offers/config/{configId}`. */
export interface SeedTrialOfferConfig {
  id: number;
  name: string;
  /** After one booking of this config, no second one whose slot starts within this term of it. */
  preventMultipleBookingsTerm: { value: number; unit: Exclude<TermUnit, 'MINUTES' | 'HOURS'> };
  /** How many (not canceled) bookings of this config one customer may hold. */
  contingent: number;
  /** When present, bookings must be confirmed within this term after booking. */
  confirmationOfBookingTerm?: { value: number; unit: TermUnit };
  allowBookingForLeads: boolean;
  leadDataConfig: {
    trialOfferLeadDataConfigId: number;
    genderMode: LeadFieldMode;
    dateOfBirthMode: LeadFieldMode;
    telephoneMode: LeadFieldMode;
    addressMode: LeadFieldMode;
  };
}

export interface SeedInstructor {
  id: number;
  firstName: string;
  lastName: string;
  publicName?: string;
}

export interface SeedLocation {
  id: number;
  name: string;
  description?: string;
}

export interface SeedClassSlot {
  id: number;
  startMs: number;
  endMs: number;
  instructorIds: number[];
  locationId: number;
  earliestBookingMs: number;
  latestBookingMs: number;
  maxParticipants: number;
  bookedParticipants: number;
  additionalParticipants: number;
  maxWaitingListParticipants: number;
  waitingListParticipants: number;
}

export interface SeedClass {
  id: number;
  trialOfferConfigId: number;
  title: string;
  type: 'STUDIO' | 'STREAM';
  /** Minutes. */
  duration: number;
  category: string;
  description: string;
  imgUrl?: string;
  /** `false` makes the class display-only: listed, never bookable. */
  bookable: boolean;
  slots: SeedClassSlot[];
}

/** Local opening hours of a bookable appointment: on `days`, slots from `from` to `to` (`HH:mm`). */
export interface SeedAppointmentHours {
  days: DayOfWeek[];
  from: string;
  to: string;
}

export interface SeedAppointment {
  id: number;
  trialOfferConfigId: number;
  title: string;
  /** Minutes; also the step of the slot grid (slots start at `from`, `from + duration`, …). */
  duration: number;
  category: string;
  description: string;
  imgUrl?: string;
  /** The instructor of a day's slots rotates through this list, one per calendar day. */
  instructorIds: number[];
  openingHours: SeedAppointmentHours[];
  /** Slot starts (epoch ms) already booked by people outside the sandbox. */
  takenStartsMs: number[];
}

export interface SeedCustomer {
  id: number;
  firstname: string;
  lastname: string;
  email: string;
  /** Leads are refused by configs with `allowBookingForLeads: false`; members are not. */
  isLead: boolean;
}

export interface SandboxSeed {
  /** IANA zone of the studio; every date-time is written in it. */
  zone: string;
  studio: SeedStudio;
  configs: SeedTrialOfferConfig[];
  instructors: SeedInstructor[];
  locations: SeedLocation[];
  classes: SeedClass[];
  appointments: SeedAppointment[];
  customers: SeedCustomer[];
  /** First id handed to a created lead. */
  firstLeadId: number;
  /** First booking id; class and appointment bookings share the sequence. */
  firstBookingId: number;
}

const zone = 'Europe/Berlin';
const allWeek: DayOfWeek[] = [...daysOfWeek];
const weekdays: DayOfWeek[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'];

function localTime(hour: number, minute = 0): SeedLocalTime {
  return { hour, minute, second: 0, nano: 0 };
}

/** How a class is scheduled in the demo; `demoSeed` turns it into dated slots. */
interface ClassPlan {
  seedClass: Omit<SeedClass, 'slots'>;
  times: string[];
  days: DayOfWeek[];
  instructorIds: number[];
  locationId: number;
  maxParticipants: number;
  maxWaitingListParticipants: number;
  /** Booking opens this many days before the start. */
  bookingOpensDaysBefore: number;
  /** Booking closes this many minutes before the start. */
  bookingClosesMinutesBefore: number;
}

const classPlans: ClassPlan[] = [
  {
    seedClass: {
      id: 101,
      trialOfferConfigId: 1,
      title: 'Rückenfit',
      type: 'STUDIO',
      duration: 60,
      category: 'Gesundheit',
      description: 'Kräftigung und Mobilisation für einen starken Rücken.',
      imgUrl: 'https://studio-kiez.example/img/rueckenfit.jpg',
      bookable: true,
    },
    times: ['18:00'],
    days: allWeek,
    instructorIds: [11],
    locationId: 31,
    maxParticipants: 12,
    maxWaitingListParticipants: 3,
    bookingOpensDaysBefore: 14,
    bookingClosesMinutesBefore: 60,
  },
  {
    seedClass: {
      id: 102,
      trialOfferConfigId: 1,
      title: 'HIIT Express',
      type: 'STUDIO',
      duration: 30,
      category: 'Fitness',
      description: 'Dreißig Minuten Intervalltraining, danach bist du wach.',
      bookable: true,
    },
    times: ['07:00', '19:30'],
    days: allWeek,
    instructorIds: [12, 13],
    locationId: 32,
    maxParticipants: 16,
    maxWaitingListParticipants: 0,
    bookingOpensDaysBefore: 14,
    bookingClosesMinutesBefore: 60,
  },
  {
    seedClass: {
      id: 103,
      trialOfferConfigId: 2,
      title: 'Yoga Flow',
      type: 'STUDIO',
      duration: 75,
      category: 'Mind & Body',
      description: 'Fließende Vinyasa-Sequenzen für alle Level.',
      imgUrl: 'https://studio-kiez.example/img/yoga.jpg',
      bookable: true,
    },
    times: ['10:00'],
    days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'],
    instructorIds: [14],
    locationId: 31,
    maxParticipants: 14,
    maxWaitingListParticipants: 5,
    bookingOpensDaysBefore: 14,
    bookingClosesMinutesBefore: 60,
  },
  {
    seedClass: {
      id: 104,
      trialOfferConfigId: 2,
      title: 'Pilates Live',
      type: 'STREAM',
      duration: 45,
      category: 'Mind & Body',
      description: 'Pilates im Livestream, von zu Hause aus.',
      bookable: true,
    },
    times: ['20:00'],
    days: ['MONDAY', 'WEDNESDAY', 'FRIDAY', 'SUNDAY'],
    instructorIds: [15],
    locationId: 33,
    maxParticipants: 30,
    maxWaitingListParticipants: 0,
    // Opens only a week ahead, so the later slots in the list cannot be booked yet.
    bookingOpensDaysBefore: 7,
    bookingClosesMinutesBefore: 15,
  },
  {
    seedClass: {
      id: 105,
      trialOfferConfigId: 3,
      title: 'Kickboxen Basics',
      type: 'STUDIO',
      duration: 60,
      category: 'Kampfsport',
      description: 'Technik, Kondition und Spaß für Einsteiger:innen.',
      bookable: true,
    },
    times: ['17:00'],
    days: ['TUESDAY', 'THURSDAY', 'SATURDAY'],
    instructorIds: [16],
    locationId: 32,
    maxParticipants: 10,
    maxWaitingListParticipants: 2,
    bookingOpensDaysBefore: 14,
    bookingClosesMinutesBefore: 60,
  },
  {
    seedClass: {
      id: 106,
      trialOfferConfigId: 2,
      title: 'Sauna-Aufguss',
      type: 'STUDIO',
      duration: 15,
      category: 'Wellness',
      description: 'Der Abendaufguss. Nur zur Info, einfach vorbeikommen.',
      bookable: false,
    },
    times: ['21:00'],
    days: allWeek,
    instructorIds: [13],
    locationId: 34,
    maxParticipants: 20,
    maxWaitingListParticipants: 0,
    bookingOpensDaysBefore: 14,
    bookingClosesMinutesBefore: 0,
  },
];

/**
 * Occupancy of the `index`-th slot of a class, varied but deterministic: every sixth slot is full
 * with the waiting list still open, every sixth (shifted) is full with the waiting list full too.
 */
function occupancy(plan: ClassPlan, index: number) {
  const max = plan.maxParticipants;
  const maxWaiting = plan.maxWaitingListParticipants;
  const additional = index % 3 === 0 ? 1 : 0;
  if (index % 6 === 3) {
    return {
      bookedParticipants: max - additional,
      additionalParticipants: additional,
      waitingListParticipants: 0,
    };
  }
  if (index % 6 === 5) {
    return {
      bookedParticipants: max - additional,
      additionalParticipants: additional,
      waitingListParticipants: maxWaiting,
    };
  }
  return {
    bookedParticipants: (index * 5 + plan.seedClass.id) % (max - 2),
    additionalParticipants: additional,
    waitingListParticipants: 0,
  };
}

/** Appointment slot starts (local `HH:mm`) on a date, on a grid of `duration` from each opening. */
export function appointmentGridTimes(appointment: SeedAppointment, date: LocalDate): string[] {
  const day = dayOfWeekOf(date);
  const times: string[] = [];
  for (const hours of appointment.openingHours) {
    if (!hours.days.includes(day)) continue;
    const close = minutesOfDay(hours.to);
    for (
      let start = minutesOfDay(hours.from);
      start + appointment.duration <= close;
      start += appointment.duration
    ) {
      times.push(timeOfDay(start));
    }
  }
  return times;
}

/**
 * The demo studio, "Studio Kiez Berlin", with class slots from two days before `nowMs` to sixteen
 * days after (the slots endpoint shows one day back to fourteen ahead, so the edges are visible
 * as the clock moves). Deterministic: the same `nowMs` gives the same seed.
 */
export function demoSeed(nowMs: number): SandboxSeed {
  return buildDemoSeed(nowMs, zone);
}

function buildDemoSeed(nowMs: number, zone: string): SandboxSeed {
  const today = localDateOf(nowMs, zone);

  const classes: SeedClass[] = [];
  let nextSlotId = 10_001;
  for (const plan of classPlans) {
    const slots: SeedClassSlot[] = [];
    for (let dayOffset = -2; dayOffset <= 16; dayOffset++) {
      const date = addDaysToDate(today, dayOffset);
      if (!plan.days.includes(dayOfWeekOf(date))) continue;
      for (const time of plan.times) {
        const startMs = atLocalTime(date, time, zone);
        const index = slots.length;
        slots.push({
          id: nextSlotId++,
          startMs,
          endMs: startMs + plan.seedClass.duration * minuteMs,
          instructorIds: [plan.instructorIds[index % plan.instructorIds.length] as number],
          locationId: plan.locationId,
          earliestBookingMs: startMs - plan.bookingOpensDaysBefore * dayMs,
          latestBookingMs: startMs - plan.bookingClosesMinutesBefore * minuteMs,
          maxParticipants: plan.maxParticipants,
          maxWaitingListParticipants: plan.maxWaitingListParticipants,
          ...occupancy(plan, index),
        });
      }
    }
    classes.push({ ...plan.seedClass, slots });
  }

  const appointments: SeedAppointment[] = [
    {
      id: 201,
      trialOfferConfigId: 1,
      title: 'Probetraining mit Coach',
      duration: 60,
      category: 'Personal Training',
      description: 'Eine Stunde Training mit Coach: Ziele, Technik, Trainingsplan.',
      imgUrl: 'https://studio-kiez.example/img/coach.jpg',
      instructorIds: [11, 12],
      openingHours: [
        { days: weekdays, from: '09:00', to: '19:00' },
        { days: ['SATURDAY'], from: '10:00', to: '14:00' },
      ],
      takenStartsMs: [],
    },
    {
      id: 202,
      trialOfferConfigId: 2,
      title: 'Body-Check',
      duration: 30,
      category: 'Gesundheit',
      description: 'Körperanalyse und kurze Beratung.',
      instructorIds: [14],
      openingHours: [{ days: [...weekdays, 'SATURDAY'], from: '08:00', to: '12:00' }],
      takenStartsMs: [],
    },
    {
      id: 203,
      trialOfferConfigId: 3,
      title: 'Mitglieder-Beratung',
      duration: 45,
      category: 'Beratung',
      description: 'Beratungstermin für bestehende Mitglieder.',
      instructorIds: [16],
      openingHours: [{ days: ['TUESDAY', 'THURSDAY'], from: '14:00', to: '17:00' }],
      takenStartsMs: [],
    },
  ];
  for (const appointment of appointments) {
    for (let dayOffset = 0; dayOffset <= 16; dayOffset++) {
      const date = addDaysToDate(today, dayOffset);
      appointmentGridTimes(appointment, date).forEach((time, index) => {
        if ((dayOffset + index) % 4 === 1) appointment.takenStartsMs.push(atLocalTime(date, time, zone));
      });
    }
  }

  return {
    zone,
    studio: {
      studioId: 1,
      name: 'Studio Kiez Berlin',
      description: 'Dein Fitnessstudio im Prenzlauer Berg: Kurse, Gerätetraining und Sauna.',
      country: 'Germany',
      countryCode: 'DE',
      openingDate: '2019-04-01',
      email: 'hallo@studio-kiez.example',
      logoUrl: 'https://studio-kiez.example/logo.png',
      telephone: '+49 30 44021180',
      website: 'https://studio-kiez.example',
      street: 'Oderberger Straße',
      houseNumber: '12',
      zip: '10435',
      city: 'Berlin',
      openingHours: [
        { dayOfWeekFrom: 'MONDAY', dayOfWeekTo: 'FRIDAY', timeFrom: localTime(6), timeTo: localTime(23) },
        { dayOfWeekFrom: 'SATURDAY', dayOfWeekTo: 'SUNDAY', timeFrom: localTime(7), timeTo: localTime(22) },
      ],
      publicOpeningHours: [
        { dayOfWeekFrom: 'MONDAY', dayOfWeekTo: 'FRIDAY', timeFrom: localTime(7), timeTo: localTime(22) },
        { dayOfWeekFrom: 'SATURDAY', dayOfWeekTo: 'SUNDAY', timeFrom: localTime(8), timeTo: localTime(21) },
      ],
      closingHours: [],
      accessCodeConfiguration: { enabled: true },
      location: { latitude: 52.5386, longitude: 13.4093 },
      studioTags: [{ name: 'prenzlauer-berg' }, { name: 'sauna' }],
    },
    configs: [
      {
        id: 1,
        name: 'Probetraining',
        preventMultipleBookingsTerm: { value: 1, unit: 'WEEK' },
        contingent: 2,
        confirmationOfBookingTerm: { value: 24, unit: 'HOURS' },
        allowBookingForLeads: true,
        leadDataConfig: {
          trialOfferLeadDataConfigId: 1,
          genderMode: 'OPTIONAL',
          dateOfBirthMode: 'OPTIONAL',
          telephoneMode: 'MANDATORY',
          addressMode: 'MANDATORY',
        },
      },
      {
        id: 2,
        name: 'Schnupperstunde',
        preventMultipleBookingsTerm: { value: 1, unit: 'MONTH' },
        contingent: 1,
        allowBookingForLeads: true,
        leadDataConfig: {
          trialOfferLeadDataConfigId: 2,
          genderMode: 'INACTIVE',
          dateOfBirthMode: 'INACTIVE',
          telephoneMode: 'INACTIVE',
          addressMode: 'INACTIVE',
        },
      },
      {
        id: 3,
        name: 'Mitglieder werben',
        preventMultipleBookingsTerm: { value: 2, unit: 'WEEK' },
        contingent: 1,
        allowBookingForLeads: false,
        leadDataConfig: {
          trialOfferLeadDataConfigId: 3,
          genderMode: 'MANDATORY',
          dateOfBirthMode: 'MANDATORY',
          telephoneMode: 'OPTIONAL',
          addressMode: 'INACTIVE',
        },
      },
    ],
    instructors: [
      { id: 11, firstName: 'Lena', lastName: 'Hoffmann', publicName: 'Lena' },
      { id: 12, firstName: 'Murat', lastName: 'Yilmaz', publicName: 'Coach Murat' },
      { id: 13, firstName: 'Jonas', lastName: 'Becker' },
      { id: 14, firstName: 'Aylin', lastName: 'Kaya', publicName: 'Aylin' },
      { id: 15, firstName: 'Sophie', lastName: 'Wagner' },
      { id: 16, firstName: 'Dario', lastName: 'Rossi', publicName: 'Dario' },
    ],
    locations: [
      { id: 31, name: 'Kursraum 1', description: 'Erster Stock, links neben der Treppe' },
      { id: 32, name: 'Kursraum 2', description: 'Erdgeschoss, hinter dem Empfang' },
      { id: 33, name: 'Livestream' },
      { id: 34, name: 'Sauna' },
    ],
    classes,
    appointments,
    customers: [{ id: 501, firstname: 'Karla', lastname: 'Kiez', email: 'known@example.com', isLead: false }],
    firstLeadId: 1001,
    firstBookingId: 5001,
  };
}

/** How a studio of the demo chain differs from the Berlin one it is drawn from. */
interface ChainPlace {
  zone: string;
  studio: Pick<SeedStudio, 'studioId' | 'name' | 'description' | 'country' | 'countryCode' | 'email'> &
    Pick<SeedStudio, 'telephone' | 'street' | 'houseNumber' | 'zip' | 'city' | 'location' | 'studioTags'>;
  /** Classes the studio does not run. */
  leaveOut: number[];
  titles: Record<number, string>;
  customers: SeedCustomer[];
  firstLeadId: number;
  firstBookingId: number;
}

function chainSeed(nowMs: number, place: ChainPlace): SandboxSeed {
  const berlin = buildDemoSeed(nowMs, place.zone);
  return {
    ...berlin,
    studio: { ...berlin.studio, ...place.studio },
    classes: berlin.classes
      .filter((seedClass) => !place.leaveOut.includes(seedClass.id))
      .map((seedClass) => ({ ...seedClass, title: place.titles[seedClass.id] ?? seedClass.title })),
    customers: place.customers,
    firstLeadId: place.firstLeadId,
    firstBookingId: place.firstBookingId,
  };
}

/** A studio of the demo chain: its id (as in `STUDIOS_FILE`) and how its data is built. */
export interface DemoChainStudio {
  id: string;
  seed: (nowMs: number) => SandboxSeed;
}

/**
 * The demo chain "Studio Kiez": Berlin (the demo studio), Hamburg, and Lisboa in another time zone
 * (Europe/Lisbon, an hour behind). Each has its own address, coordinates, classes, customers and
 * id ranges, so a lead or booking id tells which studio it belongs to.
 */
export const demoChain: readonly DemoChainStudio[] = [
  { id: 'berlin', seed: demoSeed },
  {
    id: 'hamburg',
    seed: (nowMs) =>
      chainSeed(nowMs, {
        zone: 'Europe/Berlin',
        studio: {
          studioId: 2,
          name: 'Studio Kiez Hamburg',
          description: 'Dein Fitnessstudio im Schanzenviertel: Kurse und Gerätetraining.',
          country: 'Germany',
          countryCode: 'DE',
          email: 'moin@studio-kiez.example',
          telephone: '+49 40 88402100',
          street: 'Schulterblatt',
          houseNumber: '73',
          zip: '20357',
          city: 'Hamburg',
          location: { latitude: 53.5626, longitude: 9.9633 },
          studioTags: [{ name: 'schanze' }],
        },
        leaveOut: [104, 106],
        titles: { 101: 'Rücken stark' },
        customers: [
          { id: 601, firstname: 'Hanne', lastname: 'Hafen', email: 'known@example.com', isLead: false },
        ],
        firstLeadId: 2001,
        firstBookingId: 7001,
      }),
  },
  {
    id: 'lisboa',
    seed: (nowMs) =>
      chainSeed(nowMs, {
        zone: 'Europe/Lisbon',
        studio: {
          studioId: 3,
          name: 'Studio Kiez Lisboa',
          description: 'O teu ginásio no Bairro Alto: aulas, treino e sauna.',
          country: 'Portugal',
          countryCode: 'PT',
          email: 'ola@studio-kiez.example',
          telephone: '+351 213 420 180',
          street: 'Rua da Rosa',
          houseNumber: '120',
          zip: '1200-389',
          city: 'Lisboa',
          location: { latitude: 38.7139, longitude: -9.1456 },
          studioTags: [{ name: 'bairro-alto' }, { name: 'sauna' }],
        },
        leaveOut: [104],
        titles: { 101: 'Costas em forma', 105: 'Kickboxing para iniciantes', 106: 'Sauna' },
        customers: [],
        firstLeadId: 3001,
        firstBookingId: 9001,
      }),
  },
];
