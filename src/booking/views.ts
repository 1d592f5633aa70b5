/**
 * The messages and keyboards of the booking flow, as data: Fluent keys with arguments and button
 * payloads. The adapter renders them with i18n; nothing here knows about Telegram's API.
 */
import type { SupportedLocale } from '../config.ts';
import type {
  BookableTrialOfferAppointment,
  StudioInformation,
  TrialOfferClass,
} from '../perfectgym/schemas.ts';
import type { SlotWindow } from './calendar.ts';
import { type CallbackData, encodeCallbackData } from './callback-data.ts';
import type { FlowContext } from './context.ts';
import type { InlineButton, Keyboard, View } from './effects.ts';
import { formatCalendarDate, formatDayButton, formatLongDate, formatShortDay, formatTime } from './format.ts';
import type { EditableField, LeadFieldName, LeadInputProblem } from './lead-fields.ts';
import { fieldMaxLengths, isolated, withoutInvisibles, zipCodeMinLength } from './lead-fields.ts';
import { editableFieldsFor, isSkippable, type LeadFieldModes } from './lead-plan.ts';
import { type MessageKey, type Text, text } from './messages.ts';
import type { OfferRef } from './offer-kind.ts';
import { formatPhoneInternational } from './phone.ts';
import { groupByDay, type PresentedSlot, slotDay, slotsInWindow } from './slot-presentation.ts';
import type { FlowData } from './state.ts';

export const offersPerPage = 6;
/** Time buttons in one message at most; a day with more gets "later times". */
export const maxSlotButtons = 12;
export const slotButtonsPerRow = 4;
export const dayButtonsPerRow = 3;
/** Days per window of day buttons (also the appointment call's `daysAhead`, at most 6). */
export const slotWindowDays = 6;
/** How far ahead "later" may page through appointment windows. */
export const appointmentHorizonDays = 90;

const msPerDay = 86_400_000;

export function button(label: Text, data: CallbackData): InlineButton {
  return { text: label, data: encodeCallbackData(data) };
}

function inline(rows: InlineButton[][]): Keyboard | undefined {
  const nonEmpty = rows.filter((row) => row.length > 0);
  return nonEmpty.length > 0 ? { type: 'inline', rows: nonEmpty } : undefined;
}

export function view(parts: Text[], keyboard?: Keyboard): View {
  return keyboard ? { parts, keyboard } : { parts };
}

// ---------- offers ----------

export interface OfferEntry {
  offer: OfferRef;
  configId: number;
  title: string;
}

/** Bookable offers in the studio's order, classes first; an offer listed under two configs appears once. */
export function offerEntries(
  classes: readonly TrialOfferClass[],
  appointments: readonly BookableTrialOfferAppointment[],
): OfferEntry[] {
  const entries: OfferEntry[] = [
    ...classes
      .filter((c) => c.trialOfferClass.bookable)
      .map((c) => ({
        offer: { type: 'class' as const, id: c.trialOfferClass.id },
        configId: c.trialOfferConfigId,
        title: titleOf(c.trialOfferClass.title, c.trialOfferClass.category, c.trialOfferClass.id),
      })),
    ...appointments.map((a) => ({
      offer: { type: 'appointment' as const, id: a.trialOfferBookableAppointment.id },
      configId: a.trialOfferConfigId,
      title: titleOf(
        a.trialOfferBookableAppointment.title,
        a.trialOfferBookableAppointment.category,
        a.trialOfferBookableAppointment.id,
      ),
    })),
  ];
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = `${entry.offer.type}:${entry.offer.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function titleOf(title: string | undefined, category: string | undefined, id: number): string {
  return title?.trim() || category?.trim() || `#${id}`;
}

export function offersView(entries: readonly OfferEntry[], page: number, rev: number, lead: Text[]): View {
  const pages = Math.max(1, Math.ceil(entries.length / offersPerPage));
  const current = Math.min(Math.max(0, page), pages - 1);
  const shown = entries.slice(current * offersPerPage, (current + 1) * offersPerPage);
  const rows = shown.map((entry) => [
    button(
      text(entry.offer.type === 'class' ? 'offer-button-class' : 'offer-button-appointment', {
        title: entry.title,
      }),
      { action: 'offer', rev, offer: entry.offer },
    ),
  ]);
  const nav: InlineButton[] = [];
  if (current > 0)
    nav.push(button(text('button-previous'), { action: 'offersPage', rev, page: current - 1 }));
  if (current < pages - 1)
    nav.push(button(text('button-next'), { action: 'offersPage', rev, page: current + 1 }));
  const parts = [...lead, text('offers-choose')];
  if (pages > 1) parts.push(text('offers-page', { page: current + 1, pages }));
  return view(parts, inline([...rows, nav]));
}

export function greeting(studio: StudioInformation | undefined): Text {
  const name = studio?.name?.trim();
  return name ? text('start-greeting', { studio: name }) : text('start-greeting-no-name');
}

// ---------- studio contact ----------

export function contactParts(studio: StudioInformation | undefined): Text[] {
  if (!studio) return [text('studio-contact-missing')];
  const parts: Text[] = [];
  if (studio.telephone?.trim())
    parts.push(text('studio-contact-telephone', { telephone: studio.telephone.trim() }));
  if (studio.email?.trim()) parts.push(text('studio-contact-email', { email: studio.email.trim() }));
  if (studio.website?.trim()) parts.push(text('studio-contact-website', { website: studio.website.trim() }));
  const address = studioAddress(studio);
  if (address) parts.push(text('studio-contact-address', { address }));
  return parts.length > 0 ? [text('studio-contact-intro'), ...parts] : [text('studio-contact-missing')];
}

/** "Oderberger Straße 12, 10435 Berlin"; empty when the studio names no address. */
export function studioAddress(studio: StudioInformation | undefined): string {
  if (!studio) return '';
  return [
    [studio.street, studio.houseNumber].filter((p) => p?.trim()).join(' '),
    [studio.zip, studio.city].filter((p) => p?.trim()).join(' '),
  ]
    .filter((line) => line !== '')
    .join(', ');
}

export function otherOffersRow(rev: number): InlineButton[] {
  return [button(text('button-other-offers'), { action: 'otherOffers', rev })];
}

// ---------- slots ----------

/** A day number as a short label ("Mon 22 Jun"); day numbers are calendar days, so format in UTC. */
function dayLabel(day: number, locale: SupportedLocale): string {
  return formatShortDay(day * msPerDay + msPerDay / 2, 'UTC', locale);
}

/** "Monday, 22 June 2026" for a day number. */
function longDayLabel(day: number, locale: SupportedLocale): string {
  return formatLongDate(day * msPerDay + msPerDay / 2, 'UTC', locale);
}

export interface SlotListInput {
  offerTitle: string;
  /** Every slot the prospect may pick from the last load (any window). */
  slots: readonly PresentedSlot[];
  window: SlotWindow;
  /** The day whose times are shown; absent (or without slots): the window's first day with any. */
  day?: number | undefined;
  /** Index of the first time shown of that day, for days with more than {@link maxSlotButtons}. */
  from?: number | undefined;
  today: number;
  /** Appointments: windows come from the API, so "later" cannot know whether more slots follow. */
  loadsByWindow: boolean;
  rev: number;
  locale: SupportedLocale;
  /** Messages shown above the list (e.g. "that time was just taken"). */
  lead?: Text[] | undefined;
}

export type DayAvailability = 'free' | 'waitingList' | 'none';

function availabilityOf(slots: readonly PresentedSlot[] | undefined): DayAvailability {
  if (!slots || slots.length === 0) return 'none';
  return slots.some((slot) => slot.availability === 'free') ? 'free' : 'waitingList';
}

const dayButtonKeys = {
  free: 'slot-day-free',
  waitingList: 'slot-day-waiting-list',
  none: 'slot-day-none',
} as const satisfies Record<DayAvailability, MessageKey>;

/** The day whose times a list shows: the asked one while it has slots, else the first free, else the first. */
export function shownDay(
  byDay: ReadonlyMap<number, readonly PresentedSlot[]>,
  asked: number | undefined,
): number | undefined {
  if (asked !== undefined && byDay.has(asked)) return asked;
  const days = [...byDay.keys()].sort((a, b) => a - b);
  return days.find((day) => availabilityOf(byDay.get(day)) === 'free') ?? days[0];
}

/**
 * Day first: a row or two of day buttons for the window (each marked free, waiting list only, or
 * nothing free), then the shown day's times as compact buttons, times only, at most
 * {@link maxSlotButtons}. The text names the offer and the day; it never repeats the buttons.
 */
export function slotListView(input: SlotListInput): View {
  const { window, today, rev, locale } = input;
  const byDay = new Map(groupByDay(slotsInWindow(input.slots, window)).map((g) => [g.day, g.slots]));
  const day = shownDay(byDay, input.day);
  const daySlots = day === undefined ? [] : (byDay.get(day) ?? []);
  const lastPage = Math.max(0, Math.ceil(daySlots.length / maxSlotButtons) - 1);
  const from = Math.min(Math.floor(Math.max(0, input.from ?? 0) / maxSlotButtons), lastPage) * maxSlotButtons;
  const shown = daySlots.slice(from, from + maxSlotButtons);

  const parts: Text[] = [...(input.lead ?? [])];
  if (day === undefined) {
    parts.push(
      text('slots-none-in-window', {
        from: dayLabel(window.fromDay, locale),
        to: dayLabel(window.fromDay + window.days - 1, locale),
      }),
    );
  } else {
    parts.push(text('slots-header', { offer: input.offerTitle }));
    parts.push(text('slots-pick-time', { day: longDayLabel(day, locale) }));
    if (shown.some((slot) => slot.availability === 'waitingList'))
      parts.push(text('slots-waiting-list-note'));
  }

  const dayButtons: InlineButton[] = [];
  for (let d = Math.max(today, window.fromDay); d < window.fromDay + window.days; d++) {
    const availability = availabilityOf(byDay.get(d));
    const args = { day: formatDayButton(d, locale) };
    dayButtons.push(
      button(d === day ? text('slot-day-selected', args) : text(dayButtonKeys[availability], args), {
        action: 'slotDay',
        rev,
        day: d,
        from: 0,
        empty: availability === 'none',
      }),
    );
  }

  const timeButtons = shown.map((slot) => {
    const args = { time: formatTime(slot.startMs, slot.zone, locale) };
    const label =
      slot.availability === 'waitingList'
        ? text('slot-button-waiting-list', args)
        : text('slot-button', args);
    return button(label, {
      action: 'slot',
      rev,
      slot: slot.slot,
      waitingList: slot.availability === 'waitingList',
    });
  });

  const moreTimes: InlineButton[] = [];
  if (day !== undefined && from > 0) {
    moreTimes.push(
      button(text('button-earlier-times'), {
        action: 'slotDay',
        rev,
        day,
        from: from - maxSlotButtons,
        empty: false,
      }),
    );
  }
  if (day !== undefined && from + maxSlotButtons < daySlots.length) {
    moreTimes.push(
      button(text('button-later-times'), {
        action: 'slotDay',
        rev,
        day,
        from: from + maxSlotButtons,
        empty: false,
      }),
    );
  }

  const nav: InlineButton[] = [];
  const earlierDay = Math.max(today, window.fromDay - window.days);
  const hasEarlier =
    window.fromDay > today &&
    (input.loadsByWindow ||
      input.slots.some((slot) => slotDay(slot) >= today && slotDay(slot) < window.fromDay));
  if (hasEarlier)
    nav.push(button(text('button-earlier'), { action: 'slotWindow', rev, fromDay: earlierDay }));
  const laterDay = window.fromDay + window.days;
  const hasLater = input.loadsByWindow
    ? laterDay <= today + appointmentHorizonDays
    : input.slots.some((slot) => slotDay(slot) >= laterDay);
  if (hasLater) nav.push(button(text('button-later'), { action: 'slotWindow', rev, fromDay: laterDay }));
  return view(
    parts,
    inline([
      ...chunk(dayButtons, dayButtonsPerRow),
      ...chunk(timeButtons, slotButtonsPerRow),
      moreTimes,
      nav,
      otherOffersRow(rev),
    ]),
  );
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

/** The toast for a tap on a day without free places. */
export function dayWithoutPlacesText(day: number, locale: SupportedLocale): Text {
  return text('slots-day-none-toast', { day: longDayLabel(day, locale) });
}

/** The view when an offer has no bookable slot at all. */
export function noSlotsView(offerTitle: string, rev: number, lead: Text[] = []): View {
  return view([...lead, text('slots-none', { offer: offerTitle })], inline([otherOffersRow(rev)]));
}

// ---------- the chosen slot in texts ----------

export function zoneOf(flow: FlowData | undefined, ctx: FlowContext): string {
  return flow?.zone ?? ctx.fallbackTimeZone;
}

/** `{ date, time }` of the chosen slot in the studio's zone. */
export function chosenSlotArgs(flow: FlowData, ctx: FlowContext): { date: string; time: string } {
  const startMs = (flow.slot?.slot.startMin ?? 0) * 60_000;
  const zone = zoneOf(flow, ctx);
  return { date: formatLongDate(startMs, zone, ctx.locale), time: formatTime(startMs, zone, ctx.locale) };
}

export function offerTitle(flow: FlowData | undefined): string {
  return flow?.offer?.title ?? '';
}

// ---------- lead data ----------

const promptKeys = {
  firstName: 'lead-ask-first-name',
  lastName: 'lead-ask-last-name',
  email: 'lead-ask-email',
  gender: 'lead-ask-gender',
  dateOfBirth: 'lead-ask-date-of-birth',
  telephone: 'lead-ask-telephone',
  street: 'lead-ask-street',
  houseNumber: 'lead-ask-house-number',
  zipCode: 'lead-ask-zip-code',
  city: 'lead-ask-city',
} as const satisfies Record<LeadFieldName, MessageKey>;

export function problemText(problem: LeadInputProblem): Text {
  switch (problem.kind) {
    case 'empty':
      return text('lead-error-empty');
    case 'tooLong':
      return text('lead-error-too-long', { max: problem.max });
    case 'noLetters':
      return text('lead-error-no-letters');
    case 'email':
      return text('lead-error-email');
    case 'phone':
      return text('lead-error-phone', { example: problem.example });
    case 'sharedPhone':
      return text('lead-error-contact-invalid');
    case 'zipCode':
      return text('lead-error-zip-code', { min: zipCodeMinLength, max: fieldMaxLengths.zipCode });
    case 'zipCodeDigits':
      return text('lead-error-zip-code-digits', { digits: problem.digits });
    case 'dateFormat':
      return text('lead-error-date-format');
    case 'dateImpossible':
      return text('lead-error-date-impossible');
    case 'dateInFuture':
      return text('lead-error-date-future');
    case 'dateTooLongAgo':
      return text('lead-error-date-too-old', { years: problem.maxYears });
    case 'dateTooYoung':
      return text('lead-error-date-too-young', { years: problem.minYears });
  }
}

/** The question for one field, with its buttons; `lead` holds hints shown above it. */
export function leadPromptView(
  field: LeadFieldName,
  modes: LeadFieldModes,
  rev: number,
  ctx: FlowContext,
  lead: Text[] = [],
  wholeAddress = false,
): View {
  const skippable = isSkippable(field, modes);
  const parts = [...lead, text(wholeAddress && field === 'street' ? 'lead-ask-address' : promptKeys[field])];
  if (skippable) parts.push(text('lead-optional'));
  const skipRow = skippable ? [button(text('button-skip'), { action: 'skip', rev })] : [];
  switch (field) {
    case 'telephone':
      return view(parts, {
        type: 'shareContact',
        share: text('button-share-contact'),
        ...(skippable ? { skip: text('button-skip') } : {}),
      });
    case 'gender':
      return view(
        parts,
        inline([
          [
            button(text('gender-female'), { action: 'gender', rev, gender: 'FEMALE' }),
            button(text('gender-male'), { action: 'gender', rev, gender: 'MALE' }),
            button(text('gender-diverse'), { action: 'gender', rev, gender: 'UNISEX' }),
          ],
          skipRow,
        ]),
      );
    case 'firstName':
    case 'lastName': {
      // Both profile names: one tap fills both (typing still goes through the two questions).
      const fullName = field === 'firstName' ? profileFullName(ctx) : undefined;
      const profileName = profileNameFor(field, ctx);
      const label = fullName
        ? text('button-use-full-name', { name: isolated(`${fullName.firstName} ${fullName.lastName}`) })
        : profileName && text('button-use-name', { name: isolated(profileName) });
      const nameRow = label ? [button(label, { action: 'profileName', rev })] : [];
      return view(parts, inline([nameRow, skipRow]));
    }
    default:
      return view(parts, inline([skipRow]));
  }
}

/** The address read from one line, to be confirmed with one tap, or entered field by field. */
export function addressConfirmView(lead: FlowData['lead'], rev: number): View {
  const args = {
    street: isolated(lead.street ?? ''),
    zip: isolated(lead.zipCode ?? ''),
    city: isolated(lead.city ?? ''),
  };
  const understood = lead.houseNumber
    ? text('lead-address-understood', { ...args, number: isolated(lead.houseNumber) })
    : text('lead-address-understood-no-number', args);
  return view(
    [understood],
    inline([
      [button(text('button-address-ok'), { action: 'addressOk', rev })],
      [button(text('button-address-in-parts'), { action: 'addressParts', rev })],
    ]),
  );
}

/**
 * The Telegram profile's first or last name, offered as a one-tap answer; without the invisible
 * and direction-changing characters profile names may hold, as every typed answer.
 */
export function profileNameFor(field: 'firstName' | 'lastName', ctx: FlowContext): string | undefined {
  const profileName = field === 'firstName' ? ctx.user.firstName : ctx.user.lastName;
  const name = profileName === undefined ? undefined : withoutInvisibles(profileName).trim();
  return name ? name : undefined;
}

/** The Telegram profile's first and last name, when it has both. */
export function profileFullName(ctx: FlowContext): { firstName: string; lastName: string } | undefined {
  const firstName = profileNameFor('firstName', ctx);
  const lastName = profileNameFor('lastName', ctx);
  return firstName && lastName ? { firstName, lastName } : undefined;
}

// ---------- summary ----------

const editButtonTexts: Record<EditableField, Text> = {
  firstName: text('edit-first-name'),
  lastName: text('edit-last-name'),
  email: text('edit-email'),
  gender: text('edit-gender'),
  dateOfBirth: text('edit-date-of-birth'),
  telephone: text('edit-telephone'),
  address: text('edit-address'),
};

const genderSummaryTexts: Record<string, Text> = {
  FEMALE: text('summary-gender-female'),
  MALE: text('summary-gender-male'),
  UNISEX: text('summary-gender-diverse'),
};

export function summaryView(
  flow: FlowData,
  modes: LeadFieldModes,
  rev: number,
  ctx: FlowContext,
  lead: Text[] = [],
): View {
  const { lead: fields } = flow;
  const parts: Text[] = [
    ...lead,
    text('summary-header', { offer: offerTitle(flow), ...chosenSlotArgs(flow, ctx) }),
  ];
  if (flow.slot?.waitingList) parts.push(text('summary-waiting-list'));
  // What the prospect gave, isolated where it could turn the line around (see `isolated`).
  parts.push(
    text('summary-name', { first: isolated(fields.firstName ?? ''), last: isolated(fields.lastName ?? '') }),
  );
  parts.push(text('summary-email', { value: isolated(fields.email ?? '') }));
  const gender = fields.gender === undefined ? undefined : genderSummaryTexts[fields.gender];
  if (gender) parts.push(gender);
  if (fields.dateOfBirth) {
    parts.push(text('summary-date-of-birth', { value: formatCalendarDate(fields.dateOfBirth, ctx.locale) }));
  }
  if (fields.telephone) {
    parts.push(text('summary-telephone', { value: formatPhoneInternational(fields.telephone) }));
  }
  if (fields.street) {
    const words = (...given: Array<string | undefined>) =>
      given
        .filter((part): part is string => Boolean(part))
        .map(isolated)
        .join(' ');
    const address = [words(fields.street, fields.houseNumber), words(fields.zipCode, fields.city)].join(', ');
    parts.push(text('summary-address', { value: address }));
  }
  parts.push(consentLine(ctx));

  const editButtons = editableFieldsFor(modes).map((field) =>
    button(editButtonTexts[field], { action: 'edit', rev, field }),
  );
  const editRows = chunk(editButtons, 2);
  return view(parts, inline([bookRow(flow, rev), ...editRows, cancelRow(rev)]));
}

function consentLine(ctx: FlowContext): Text {
  return ctx.privacyUrl ? text('summary-consent', { url: ctx.privacyUrl }) : text('summary-consent-no-link');
}

function bookRow(flow: FlowData, rev: number): InlineButton[] {
  return flow.offer && flow.slot
    ? [button(text('button-book'), { action: 'book', rev, offer: flow.offer, slot: flow.slot.slot })]
    : [];
}

function cancelRow(rev: number): InlineButton[] {
  return [button(text('button-cancel'), { action: 'cancel', rev })];
}

/**
 * The summary for a prospect the studio already knows: no lead data to check, but the choice
 * (offer, date and time, place, the name where the flow holds it) and the consent line, so that
 * only "Book now" books, never a stray tap on a slot.
 */
export function choiceSummaryView(flow: FlowData, rev: number, ctx: FlowContext, lead: Text[] = []): View {
  const parts: Text[] = [
    ...lead,
    text('summary-header', { offer: offerTitle(flow), ...chosenSlotArgs(flow, ctx) }),
  ];
  if (flow.slot?.waitingList) parts.push(text('summary-waiting-list'));
  // The room where the slot names one, else the studio: never the studio's name as a room.
  const room = flow.slot?.location;
  const studioName = ctx.studio?.name?.trim();
  if (room) parts.push(text('booking-detail-location', { location: room }));
  else if (studioName) parts.push(text('booking-detail-studio', { place: studioName }));
  const { firstName, lastName } = flow.lead;
  if (firstName && lastName) parts.push(text('summary-name', { first: firstName, last: lastName }));
  parts.push(consentLine(ctx));
  return view(parts, inline([bookRow(flow, rev), cancelRow(rev)]));
}
