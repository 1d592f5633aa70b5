import { describe, expect, it } from 'vitest';
import {
  type AppointmentSlot,
  allClassSlots,
  type ClassSlot,
  day,
  epochOf,
  freePlaces,
  hour,
  mondayNineAm,
  type Slice,
  startSandbox,
} from './helpers.ts';

const apiDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}\[Europe\/Berlin\]$/;

describe('studio and configs', () => {
  it('describes the demo studio', async () => {
    const test = await startSandbox();
    const answer = await test.endpoint<Record<string, unknown>>('studio');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      name: 'Studio Kiez Berlin',
      city: 'Berlin',
      countryCode: 'DE',
      accessCodeConfiguration: { enabled: true },
    });
    for (const field of ['street', 'zip', 'email', 'telephone', 'website'])
      expect(answer.body[field]).toBeTruthy();
  });

  it('has a config asking for lead data with confirmation, one asking nothing, one closed to leads', async () => {
    const test = await startSandbox();
    const configs = await Promise.all(
      [1, 2, 3].map(
        async (configId) => (await test.endpoint<Config>('config', { params: { configId } })).body,
      ),
    );
    const [withFields, bare, membersOnly] = configs as [Config, Config, Config];
    const modes = (config: Config) => [
      config.leadDataConfig.genderMode,
      config.leadDataConfig.dateOfBirthMode,
      config.leadDataConfig.telephoneMode,
      config.leadDataConfig.addressMode,
    ];
    expect(modes(withFields).every((mode) => mode === 'MANDATORY' || mode === 'OPTIONAL')).toBe(true);
    expect(new Set(modes(withFields))).toEqual(new Set(['MANDATORY', 'OPTIONAL']));
    expect(withFields.confirmationOfBookingTerm).toEqual({ value: 24, unit: 'HOURS' });
    expect(modes(bare)).toEqual(['INACTIVE', 'INACTIVE', 'INACTIVE', 'INACTIVE']);
    expect(bare.confirmationOfBookingTerm).toBeUndefined();
    expect(membersOnly.allowBookingForLeads).toBe(false);
  });
});

describe('sliced lists', () => {
  it('lists classes in id order, slice after slice, with a display-only one', async () => {
    const test = await startSandbox();
    const first = await test.endpoint<Slice<TrialClass>>('classes', { query: { sliceSize: 10 } });
    expect(first.body.result.map((entry) => entry.trialOfferClass.id)).toEqual([
      101, 102, 103, 104, 105, 106,
    ]);
    expect(first.body).toMatchObject({ hasNext: false, offset: '106' });
    expect(first.body.result.filter((entry) => !entry.trialOfferClass.bookable)).toHaveLength(1);

    const afterOffset = await test.endpoint<Slice<TrialClass>>('classes', {
      query: { offset: 103, sliceSize: 10 },
    });
    expect(afterOffset.body.result.map((entry) => entry.trialOfferClass.id)).toEqual([104, 105, 106]);
    const past = await test.endpoint<Slice<TrialClass>>('classes', { query: { offset: 106 } });
    expect(past.body).toEqual({ result: [], hasNext: false, offset: '106' });
  });

  it('lists bookable appointments of different configs', async () => {
    const test = await startSandbox();
    const answer =
      await test.endpoint<
        Slice<{ trialOfferConfigId: number; trialOfferBookableAppointment: { id: number; duration: number } }>
      >('appointments');
    expect(answer.body.result.length).toBeGreaterThanOrEqual(3);
    expect(new Set(answer.body.result.map((entry) => entry.trialOfferConfigId)).size).toBeGreaterThanOrEqual(
      3,
    );
    for (const entry of answer.body.result)
      expect(entry.trialOfferBookableAppointment.duration).toBeGreaterThan(0);
  });

  it('pages class slots in slices of 10 without gaps or repeats', async () => {
    const test = await startSandbox();
    const seen: number[] = [];
    let offset = '0';
    let slices = 0;
    for (;;) {
      const answer = await test.endpoint<Slice<ClassSlot>>('classSlots', {
        params: { classId: 102 },
        query: { offset, sliceSize: 10 },
      });
      slices++;
      const ids = answer.body.result.map((slot) => slot.id);
      expect(ids.every((id) => id > Number(offset))).toBe(true);
      seen.push(...ids);
      if (!answer.body.hasNext) {
        expect(ids.length).toBeLessThanOrEqual(10);
        break;
      }
      expect(ids).toHaveLength(10);
      expect(answer.body.offset).toBe(String(ids.at(-1)));
      offset = answer.body.offset;
    }
    expect(slices).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeGreaterThan(25);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    const unsliced = await allClassSlots(test, 102);
    expect(unsliced.map((slot) => slot.id)).toEqual(seen);
  });
});

describe('class slots', () => {
  it('shows slots from one day before to fourteen days after the clock, written like the API', async () => {
    const test = await startSandbox();
    const slots = await allClassSlots(test, 101);
    const starts = slots.map((slot) => epochOf(slot.startDateTime));
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(mondayNineAm - day);
    expect(Math.max(...starts)).toBeLessThanOrEqual(mondayNineAm + 14 * day + hour);
    // Daily at 18:00: yesterday's slot (15 h ago) and today's up to the 14th day ahead.
    expect(slots).toHaveLength(15);
    expect(slots[0]?.startDateTime).toBe('2030-03-24T18:00:00.000+01:00[Europe/Berlin]');
    // Summer time begins on 2030-03-31: the wall time stays, the offset changes.
    expect(slots.map((slot) => slot.startDateTime)).toContain('2030-04-01T18:00:00.000+02:00[Europe/Berlin]');
    for (const slot of slots) {
      for (const field of [
        'startDateTime',
        'endDateTime',
        'earliestBookingDateTime',
        'latestBookingDateTime',
      ] as const) {
        expect(slot[field]).toMatch(apiDateTime);
      }
      expect(slot.instructors.length).toBeGreaterThan(0);
      expect(epochOf(slot.latestBookingDateTime)).toBe(epochOf(slot.startDateTime) - hour);
    }
  });

  it('moves the window with the clock', async () => {
    const test = await startSandbox();
    const before = await allClassSlots(test, 101);
    test.sandbox.clock.advance(3 * day);
    const after = await allClassSlots(test, 101);
    expect(after[0]?.id).toBe((before[0]?.id ?? 0) + 3);
    expect(after.map((slot) => slot.startDateTime)).toContain('2030-04-10T18:00:00.000+02:00[Europe/Berlin]');
    expect(before.map((slot) => slot.startDateTime)).not.toContain(
      '2030-04-10T18:00:00.000+02:00[Europe/Berlin]',
    );
  });

  it('has free slots, full slots with waiting-list room and full slots without', async () => {
    const test = await startSandbox();
    const slots = [...(await allClassSlots(test, 101)), ...(await allClassSlots(test, 102))];
    const full = slots.filter((slot) => freePlaces(slot) <= 0);
    expect(slots.some((slot) => freePlaces(slot) > 0)).toBe(true);
    expect(full.some((slot) => slot.waitingListParticipants < slot.maxWaitingListParticipants)).toBe(true);
    expect(full.some((slot) => slot.waitingListParticipants >= slot.maxWaitingListParticipants)).toBe(true);
  });
});

describe('appointment slots', () => {
  it('computes free slots on the opening-hours grid, never in the past', async () => {
    const test = await startSandbox();
    const today = await test.endpoint<AppointmentSlot[]>('appointmentSlots', {
      params: { bookableAppointmentId: 201 },
    });
    expect(today.status).toBe(200);
    const starts = today.body.map((slot) => slot.startDateTime);
    // Open 09:00–19:00 in 60-minute slots; 09:00 has begun, 10:00, 14:00 and 18:00 are taken in the demo seed.
    expect(starts).toEqual(
      ['11', '12', '13', '15', '16', '17'].map((hh) => `2030-03-25T${hh}:00:00.000+01:00[Europe/Berlin]`),
    );
    for (const slot of today.body) {
      expect(epochOf(slot.startDateTime)).toBeGreaterThan(mondayNineAm);
      expect(epochOf(slot.endDateTime) - epochOf(slot.startDateTime)).toBe(hour);
      expect(slot.instructors.length).toBeGreaterThan(0);
    }
  });

  it('covers slotWindowStartDate to slotWindowStartDate + daysAhead', async () => {
    const test = await startSandbox();
    const answer = await test.endpoint<AppointmentSlot[]>('appointmentSlots', {
      params: { bookableAppointmentId: 202 },
      query: { slotWindowStartDate: '2030-03-29', daysAhead: 3 },
    });
    const dates = new Set(answer.body.map((slot) => slot.startDateTime.slice(0, 10)));
    // Friday and Saturday; Body-Check is closed on Sundays.
    expect([...dates]).toEqual(['2030-03-29', '2030-03-30']);
    const past = await test.endpoint<AppointmentSlot[]>('appointmentSlots', {
      params: { bookableAppointmentId: 202 },
      query: { slotWindowStartDate: '2030-03-20', daysAhead: 2 },
    });
    expect(past.body).toEqual([]);
  });
});

interface Config {
  id: number;
  allowBookingForLeads: boolean;
  confirmationOfBookingTerm?: { value: number; unit: string };
  leadDataConfig: Record<'genderMode' | 'dateOfBirthMode' | 'telephoneMode' | 'addressMode', string>;
}

interface TrialClass {
  trialOfferConfigId: number;
  trialOfferClass: { id: number; bookable: boolean };
}
