/**
 * The sandbox studio's side of the story: its clock, faults, leads, bookings and free places, and
 * the bot's scheduled reminders. Reads `/api/sandbox/state`, `/api/sandbox/faults` and
 * `/api/reminders`; moves the clock and sets faults through the same admin API (the server adds
 * the API key, and sends the reminders a clock move made due).
 */
import { callApi } from './api.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const slotDaysShown = 7;
/** The bot often sends two messages in a row; one refresh after the burst is enough. */
const refreshDelayMs = 250;

/** The studio writes `2030-03-25T18:00:00.000+01:00[Europe/Berlin]`; Date.parse wants no zone name. */
function epochOf(dateTime) {
  return typeof dateTime === 'number' ? dateTime : Date.parse(dateTime.replace(/\[[^\]]*\]$/, ''));
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className !== undefined) td.className = className;
  return td;
}

function row(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function emptyRow(columns, text) {
  const td = cell(text, 'empty');
  td.colSpan = columns;
  return row([td]);
}

function describeOffset(ms) {
  const minutes = Math.round(ms / 60_000);
  if (Math.abs(minutes) < 1) return 'real time';
  const sign = minutes > 0 ? 'ahead of' : 'behind';
  const absolute = Math.abs(minutes);
  const days = Math.floor(absolute / 1440);
  const hours = Math.floor((absolute % 1440) / 60);
  const rest = absolute % 60;
  const parts = [days > 0 ? `${days} d` : '', hours > 0 ? `${hours} h` : '', rest > 0 ? `${rest} min` : ''];
  return `${parts.filter(Boolean).join(' ')} ${sign} real time`;
}

/** What a booking's status and confirmation mean, in words. */
export function describeBooking(booking, formatDate) {
  const { state, deadline } = booking.confirmation;
  if (booking.status === 'CANCELED')
    return state === 'EXPIRED' ? 'Canceled: not confirmed in time' : 'Canceled';
  if (booking.status === 'WAITING_LIST') return 'Waiting list';
  if (state === 'PENDING')
    return deadline === undefined
      ? 'Awaiting confirmation'
      : `Awaiting confirmation until ${formatDate(deadline)}`;
  if (state === 'CONFIRMED') return 'Confirmed';
  return 'Booked';
}

/**
 * elements: the panel's nodes by role (see main.js); titles: class/appointment titles by id;
 * studios: the sandbox's studios ({ id, name }), switched between with the studio picker when
 * there are several; notify(text, kind): shows a short message.
 */
export function createStudioPanel(
  elements,
  { titles: firstTitles, studios = [], endpoints, notify, onZone },
) {
  let refreshTimer;
  let refreshing;
  let zone = 'UTC';
  let titles = firstTitles;
  /** `?studio=<id>` on every admin call: the studio the panel shows (none: the first). */
  let studioQuery = '';
  const admin = (path) => `/api/sandbox/${path}${studioQuery}`;

  if (studios.length > 1) {
    for (const studio of studios) {
      const option = document.createElement('option');
      option.value = studio.id;
      option.textContent = studio.name;
      elements.studioSelect.append(option);
    }
    elements.studioPicker.hidden = false;
    elements.studioSelect.addEventListener('change', () => {
      const id = elements.studioSelect.value;
      studioQuery = `?studio=${encodeURIComponent(id)}`;
      void callApi(`/api/config${studioQuery}`)
        .then((config) => {
          titles = config.titles;
        })
        .catch(() => undefined)
        .then(refresh);
    });
  }

  const formatDate = (value) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(epochOf(value)));

  for (const endpoint of endpoints) {
    const option = document.createElement('option');
    option.value = endpoint;
    option.textContent = endpoint;
    elements.faultEndpoint.append(option);
  }

  const showError = (message) => {
    elements.error.textContent = message ?? '';
    elements.error.hidden = message === undefined;
  };

  function renderLeads(snapshot) {
    const configNames = new Map(snapshot.configs.map((config) => [config.id, config.name]));
    const rows = snapshot.leads.map((lead) => {
      const data = lead.leadCustomerData ?? {};
      const name = [data.firstname, data.lastname].filter((part) => typeof part === 'string').join(' ');
      return row([
        cell(String(lead.id), 'id'),
        cell(configNames.get(lead.trialOfferConfigId) ?? `Offer ${lead.trialOfferConfigId}`),
        cell(name),
        cell(typeof data.email === 'string' ? data.email : '', 'email'),
      ]);
    });
    elements.leads.replaceChildren(...(rows.length > 0 ? rows : [emptyRow(4, 'No leads yet')]));
  }

  function renderBookings(snapshot) {
    const rows = snapshot.bookings.map((booking) => {
      const title =
        booking.kind === 'class'
          ? (titles.classes[String(booking.classId)] ?? `Class ${booking.classId}`)
          : (titles.appointments[String(booking.bookableAppointmentId)] ??
            `Appointment ${booking.bookableAppointmentId}`);
      const status = cell(describeBooking(booking, formatDate), 'status');
      status.dataset.status = booking.status;
      status.dataset.confirmation = booking.confirmation.state;
      status.title = `status ${booking.status}, confirmation ${booking.confirmation.state}`;
      return row([
        cell(String(booking.id), 'id'),
        cell(title),
        cell(formatDate(booking.startDateTime)),
        status,
      ]);
    });
    elements.bookings.replaceChildren(...(rows.length > 0 ? rows : [emptyRow(4, 'No bookings yet')]));
  }

  const reminderKinds = {
    confirmation_nudge: 'Confirmation nudge',
    lapse_notice: 'Lapse notice',
    slot_reminder: 'Slot reminder',
  };

  /** The bot's scheduled reminders (`/api/reminders`), due by the studio clock. */
  function renderReminders(reminders) {
    const rows = reminders.map((reminder) =>
      row([
        cell(reminder.bookingRef),
        cell(
          `${reminderKinds[reminder.kind] ?? reminder.kind}${reminder.offer ? `: ${reminder.offer}` : ''}`,
        ),
        cell(formatDate(reminder.dueAt)),
        cell(reminder.state),
      ]),
    );
    elements.reminders.replaceChildren(...(rows.length > 0 ? rows : [emptyRow(4, 'No reminders scheduled')]));
  }

  function renderSlots(snapshot) {
    const bookedSlots = new Set(
      snapshot.bookings
        .filter((booking) => booking.status !== 'CANCELED')
        .map((booking) => booking.classSlotId),
    );
    const upcoming = snapshot.classSlots
      .map((slot) => ({ slot, startMs: epochOf(slot.startDateTime) }))
      .filter(({ startMs }) => startMs >= snapshot.nowMs && startMs < snapshot.nowMs + slotDaysShown * dayMs)
      .sort((a, b) => a.startMs - b.startMs);
    const rows = upcoming.map(({ slot }) => {
      const tr = row([
        cell(titles.classes[String(slot.classId)] ?? `Class ${slot.classId}`),
        cell(formatDate(slot.startDateTime)),
        cell(`${slot.freePlaces} of ${slot.maxParticipants}`, slot.freePlaces === 0 ? 'full' : undefined),
        cell(`${slot.waitingListParticipants} of ${slot.maxWaitingListParticipants}`),
      ]);
      tr.dataset.slotId = String(slot.id);
      if (bookedSlots.has(slot.id)) {
        tr.classList.add('booked');
        tr.title = 'A booking from the sandbox holds this slot';
      }
      return tr;
    });
    elements.slots.replaceChildren(
      ...(rows.length > 0 ? rows : [emptyRow(4, 'No class slots in the next 7 days')]),
    );
  }

  function renderFaults(faults) {
    const entries = Object.entries(faults);
    elements.faultList.replaceChildren(
      ...entries.map(([endpoint, fault]) => {
        const item = document.createElement('li');
        const what =
          (fault.kind === 'status' ? `answers ${fault.status}` : fault.kind) +
          (fault.afterHandling ? ' after acting' : '');
        const times = fault.remaining === null ? 'until cleared' : `${fault.remaining} more time(s)`;
        item.textContent = `${endpoint} ${what}, ${times}`;
        return item;
      }),
    );
    if (entries.length === 0) {
      const item = document.createElement('li');
      item.className = 'empty';
      item.textContent = 'No faults: the studio answers normally.';
      elements.faultList.append(item);
    }
  }

  async function loadAndRender() {
    try {
      const [snapshot, faults, reminders] = await Promise.all([
        callApi(admin('state')),
        callApi(admin('faults')),
        callApi('/api/reminders'),
      ]);
      zone = snapshot.zone;
      onZone?.(zone);
      showError(undefined);
      elements.studioName.textContent = snapshot.studio.name;
      elements.clock.textContent = formatDate(snapshot.nowMs);
      elements.clock.dateTime = new Date(snapshot.nowMs).toISOString();
      elements.clockOffset.textContent = `(${zone}, ${describeOffset(snapshot.nowMs - Date.now())})`;
      renderLeads(snapshot);
      renderBookings(snapshot);
      renderReminders(reminders);
      renderSlots(snapshot);
      renderFaults(faults);
      elements.updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      showError(`Could not read the sandbox studio: ${error.message}`);
    }
  }

  /** Reads the studio again, after any read already under way (which may predate a change). */
  function refresh() {
    clearTimeout(refreshTimer);
    const next = (refreshing ?? Promise.resolve()).then(loadAndRender);
    refreshing = next;
    void next.finally(() => {
      if (refreshing === next) refreshing = undefined;
    });
    return next;
  }

  async function change(action, done) {
    try {
      await action();
      if (done !== undefined) notify(done, 'info');
    } catch (error) {
      notify(error.message, 'error');
    }
    await refresh();
  }

  elements.refresh.addEventListener('click', () => void refresh());
  for (const button of elements.advanceButtons) {
    button.addEventListener('click', () => {
      const advanceMs = Number(button.dataset.advanceMs);
      void change(() => callApi(admin('clock'), { method: 'POST', body: { advanceMs } }));
    });
  }
  elements.clockReset.addEventListener('click', () => {
    void change(() => callApi(admin('clock'), { method: 'POST', body: { setMs: Date.now() } }));
  });
  elements.faultForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const endpoint = elements.faultEndpoint.value;
    const times = elements.faultTimes.value === '' ? undefined : Number(elements.faultTimes.value);
    const chosen = elements.faultStatus.value;
    // "after:<kind>": the studio performs the request, then loses its answer in that way.
    const after = chosen.startsWith('after:') ? chosen.slice('after:'.length) : undefined;
    const fault = {
      ...(after === undefined
        ? { kind: 'status', status: Number(chosen) }
        : after === 'status'
          ? { kind: 'status', status: 500, afterHandling: true }
          : { kind: after, afterHandling: true }),
      ...(times === undefined ? {} : { times }),
    };
    const label = elements.faultStatus.selectedOptions[0]?.textContent ?? chosen;
    void change(
      () => callApi(admin('faults'), { method: 'POST', body: { endpoint, fault } }),
      after === undefined ? `${endpoint} now answers ${chosen}` : `${endpoint}: ${label.toLowerCase()}`,
    );
  });
  elements.faultsClear.addEventListener('click', () => {
    void change(() => callApi(admin('faults'), { method: 'DELETE' }), 'Faults cleared');
  });

  return {
    refresh,
    /** Refreshes shortly, once, however often it is called meanwhile. */
    scheduleRefresh() {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void refresh(), refreshDelayMs);
    },
  };
}
