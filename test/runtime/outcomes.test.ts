/**
 * Lost answers with real processes: the bot killed (SIGKILL) while the studio has acted on a
 * booking, an appointment, a lead creation and a confirmation but not answered yet; the answer
 * dropped or timed out after the studio acted; and an instance of two on Redis killed while its
 * booking hangs at the studio. In every case: at most one booking and one lead per prospect at the
 * studio, the prospect told the truth, staff told where the outcome was lost, nobody stuck.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallbackData } from '../../src/booking/index.ts';
import { createFakeTelegram, type FakeTelegram, type FakeUser } from '../../src/fake-telegram/index.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import type { SandboxSnapshot } from '../../src/sandbox/studio.ts';
import { deleteRedisKeys, redisUrl, uniqueRedisPrefix } from '../store/redis-helpers.ts';
import {
  answerLeadQuestions,
  type BotProcess,
  botEnv,
  chooseOfferAndSlot,
  countMatching,
  eventually,
  killBot,
  type LoadBalancer,
  type Prospect,
  spawnBot,
  startLoadBalancer,
  step,
  texts,
} from './helpers.ts';

const staffChatId = 900_222;
const goodNews = /^Good news: you're booked for/;
const withStudio = /^The studio has your details and will get in touch/;

let sandbox: Sandbox;
let fake: FakeTelegram;
let directory: string;
const processes: BotProcess[] = [];
let staff: FakeUser;

beforeAll(async () => {
  sandbox = await createSandbox({ rateLimitPerMinute: false });
  directory = mkdtempSync(join(tmpdir(), 'trialgram-outcomes-'));
});

afterAll(async () => {
  for (const bot of processes.splice(0)) await killBot(bot);
  await sandbox?.close();
  rmSync(directory, { recursive: true, force: true });
});

/**
 * A Telegram (and staff chat) of the describe's own: its bots are SIGKILLed, which leaves their
 * last update unconfirmed, and a shared fake would hand it to the next describe's bot, whose store
 * has never seen it (a Confirm tap from there even reaches the studio).
 */
function ownTelegram(): void {
  beforeAll(async () => {
    fake = await createFakeTelegram();
    staff = fake.user({ id: staffChatId, firstName: 'Front desk' });
  });
  afterAll(async () => {
    for (const bot of processes.splice(0)) await killBot(bot);
    await fake?.close();
  });
}

function person(n: number, firstName: string): Prospect {
  return {
    firstName,
    lastName: `Lost${n}`,
    email: `lost${n}.answer@example.com`,
    telephone: `+4915122200${String(n).padStart(3, '0')}`,
    street: 'Kastanienallee',
    houseNumber: String(n),
    zipCode: '10435',
    city: 'Berlin',
  };
}

function leadsOf(studio: SandboxSnapshot, email: string) {
  return studio.leads.filter((lead) => (lead.leadCustomerData as { email?: string }).email === email);
}

function bookingsOf(studio: SandboxSnapshot, email: string) {
  const ids = new Set(leadsOf(studio, email).map((lead) => lead.id));
  return studio.bookings.filter((booking) => ids.has(booking.customerId));
}

/** Waits until the bot has told `user` something matching `pattern`, whichever message it was. */
async function toldEventually(user: FakeUser, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  await user.chat.waitFor(() => countMatching(user, pattern) > 0, timeoutMs);
}

function staffNotices(): string[] {
  return staff.chat.messages.filter((m) => m.from === 'bot').map((m) => m.text ?? '');
}

async function spawn(extra: Record<string, string>, storageUrl: string, more = {}) {
  const bot = await spawnBot({
    ...botEnv({ fake, sandbox, storageUrl, ...more }),
    STAFF_CHAT_ID: String(staffChatId),
    ...extra,
  });
  processes.push(bot);
  return bot;
}

describe('a bot process killed while the studio has acted but not answered', () => {
  ownTelegram();

  it('lets the next update of each prospect find out: booked, lead with the studio, confirmed', async () => {
    const storage = `sqlite:${join(directory, 'killed.sqlite')}`;
    // A long timeout: the process must still be waiting for the answer when it is killed.
    const first = await spawn({ PERFECTGYM_TIMEOUT_MS: '60000' }, storage);
    await step(staff, () => staff.start(), texts.offers);

    // Carla has booked Rückenfit and is about to confirm.
    const carla = fake.user({ firstName: 'Carla' });
    await chooseOfferAndSlot(carla, /Rückenfit/);
    await answerLeadQuestions(carla, person(1, 'Carla'));
    await step(carla, () => carla.tap(/Book now/), texts.confirmationRequired);

    // Each call below is performed by the studio, whose answer then never comes.
    const lena = fake.user({ firstName: 'Lena' });
    await chooseOfferAndSlot(lena, /Yoga Flow/);
    await answerLeadQuestions(lena, person(2, 'Lena'));
    sandbox.faults.set('leadCreate', { kind: 'hang', times: 1, afterHandling: true });
    await lena.tap(/Book now/);
    await eventually(async () => leadsOf(sandbox.snapshot(), person(2, 'Lena').email).length === 1, 30_000);

    const kim = fake.user({ firstName: 'Kim' });
    await chooseOfferAndSlot(kim, /Yoga Flow/);
    await answerLeadQuestions(kim, person(3, 'Kim'));
    sandbox.faults.set('classBook', { kind: 'hang', times: 1, afterHandling: true });
    await kim.tap(/Book now/);
    await eventually(async () => bookingsOf(sandbox.snapshot(), person(3, 'Kim').email).length === 1, 30_000);

    const ben = fake.user({ firstName: 'Ben' });
    await chooseOfferAndSlot(ben, /Probetraining mit Coach/);
    await answerLeadQuestions(ben, person(4, 'Ben'));
    sandbox.faults.set('appointmentBook', { kind: 'hang', times: 1, afterHandling: true });
    await ben.tap(/Book now/);
    await eventually(async () => bookingsOf(sandbox.snapshot(), person(4, 'Ben').email).length === 1, 30_000);

    sandbox.faults.set('confirm', { kind: 'hang', times: 1, afterHandling: true });
    await carla.tap(/Confirm booking/);
    await eventually(
      async () =>
        bookingsOf(sandbox.snapshot(), person(1, 'Carla').email)[0]?.confirmation.state === 'CONFIRMED',
      30_000,
    );

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    for (const user of [lena, kim, ben]) expect(countMatching(user, /Good news|has your details/)).toBe(0);

    const second = await spawn({ PERFECTGYM_TIMEOUT_MS: '60000' }, storage);
    await lena.sendText('hello?');
    await kim.sendText('/start');
    await ben.sendText('Did it work?');
    await carla.tap(/Confirm booking/);
    await toldEventually(lena, withStudio);
    await toldEventually(kim, goodNews);
    await toldEventually(ben, goodNews);
    await toldEventually(carla, texts.confirmed);
    await eventually(async () => staffNotices().filter((t) => t.startsWith('❓')).length >= 3, 30_000);

    // Ben's appointment needs confirming: without its id, the studio's e-mail carries the link.
    expect(countMatching(ben, /it sends you a confirmation link by e-mail/)).toBe(1);
    expect(countMatching(lena, /already known/)).toBe(0);
    expect(countMatching(kim, /already booked|Try again/)).toBe(0);

    const studio = sandbox.snapshot();
    for (const [n, name, bookings] of [
      [1, 'Carla', 1],
      [2, 'Lena', 0],
      [3, 'Kim', 1],
      [4, 'Ben', 1],
    ] as const) {
      expect(leadsOf(studio, person(n, name).email)).toHaveLength(1);
      expect(bookingsOf(studio, person(n, name).email)).toHaveLength(bookings);
    }
    expect(studio.callCounts.leadCreate).toBe(4);
    expect(studio.callCounts.appointmentBook).toBe(1);
    expect(studio.callCounts.classBook).toBe(2);

    const lost = staffNotices().filter((t) => t.startsWith('❓'));
    expect(
      lost.filter((t) => t.includes(`Telegram user: ${lena.id}`) && t.includes(person(2, 'Lena').email)),
    ).toHaveLength(1);
    expect(lost.filter((t) => t.includes(`Telegram user: ${kim.id}`))).toHaveLength(1);
    expect(lost.filter((t) => t.includes(`Telegram user: ${ben.id}`))).toHaveLength(1);
    for (const bot of [first, second]) {
      const output = bot.stdout() + bot.stderr();
      for (const n of [1, 2, 3, 4]) expect(output).not.toContain(`lost${n}.answer@example.com`);
    }
    await killBot(second);
  }, 120_000);
});

describe('a bot process whose studio acts, then loses the answer (timeout after 3 s, dropped, 500)', () => {
  ownTelegram();
  let bot: BotProcess;
  beforeAll(async () => {
    bot = await spawn({ PERFECTGYM_TIMEOUT_MS: '3000' }, `sqlite:${join(directory, 'timeout.sqlite')}`);
    // The staff chat opens the bot, so the bot may write there (Telegram's rule).
    await step(staff, () => staff.start(), texts.offers);
  });
  afterAll(() => killBot(bot));

  const faults = {
    timeout: { kind: 'hang', times: 1, afterHandling: true },
    drop: { kind: 'drop', times: 1, afterHandling: true },
    '500': { kind: 'status', status: 500, times: 1, afterHandling: true },
  } as const;
  const cases = [
    { endpoint: 'classBook', offer: /Yoga Flow/, lost: 'timeout', told: goodNews, bookings: 1 },
    { endpoint: 'classBook', offer: /Yoga Flow/, lost: 'drop', told: goodNews, bookings: 1 },
    { endpoint: 'classBook', offer: /Rückenfit/, lost: '500', told: goodNews, bookings: 1 },
    {
      endpoint: 'appointmentBook',
      offer: /Probetraining mit Coach/,
      lost: 'timeout',
      told: goodNews,
      bookings: 1,
    },
    {
      endpoint: 'appointmentBook',
      offer: /Probetraining mit Coach/,
      lost: 'drop',
      told: goodNews,
      bookings: 1,
    },
    { endpoint: 'leadCreate', offer: /Yoga Flow/, lost: 'timeout', told: withStudio, bookings: 0 },
    { endpoint: 'leadCreate', offer: /Yoga Flow/, lost: 'drop', told: withStudio, bookings: 0 },
    { endpoint: 'leadCreate', offer: /Rückenfit/, lost: '500', told: withStudio, bookings: 0 },
    { endpoint: 'confirm', offer: /Rückenfit/, lost: 'timeout', told: /confirmation reached/, bookings: 1 },
    { endpoint: 'confirm', offer: /Rückenfit/, lost: 'drop', told: /confirmation reached/, bookings: 1 },
  ] as const;

  it.each(cases.map((c, i) => ({ ...c, n: 10 + i })))(
    '$endpoint, $lost: told the truth, one lead, $bookings booking(s), nobody stuck',
    async ({ endpoint, offer, lost, told, bookings, n }) => {
      const who = person(n, `P${n}`);
      const user = fake.user({ firstName: who.firstName });
      await chooseFreshSlot(user, offer);
      await answerLeadQuestions(user, who);
      if (endpoint === 'confirm') {
        await step(user, () => user.tap(/Book now/), texts.confirmationRequired);
        sandbox.faults.set(endpoint, faults[lost]);
        await user.tap(/Confirm booking/);
      } else {
        sandbox.faults.set(endpoint, faults[lost]);
        await user.tap(/Book now/);
      }
      await toldEventually(user, told, 15_000).catch((error) => {
        console.log(JSON.stringify(user.chat.messages.map((m) => m.text)), bot.stdout().slice(-3000));
        throw error;
      });
      if (endpoint === 'confirm') {
        // Confirming is safe to repeat: the next tap shows the studio's answer.
        await step(user, () => user.tap(/Confirm booking/), texts.confirmed);
        expect(bookingsOf(sandbox.snapshot(), who.email)[0]?.confirmation.state).toBe('CONFIRMED');
      }
      const studio = sandbox.snapshot();
      expect(leadsOf(studio, who.email)).toHaveLength(1);
      expect(bookingsOf(studio, who.email)).toHaveLength(bookings);
      expect(countMatching(user, /Try again|already booked|already known/)).toBe(0);
      expect(bot.stdout()).toContain('studio call lost its answer');
      // Staff hear of every lost answer (headed ❓), with how it was resolved.
      await eventually(
        async () => staffNotices().some((t) => t.startsWith('❓') && t.includes(`Telegram user: ${user.id}`)),
        15_000,
      );
    },
    30_000,
  );
});

/** The slots this file's prospects chose, so that each takes a time nobody here took before. */
const chosenSlots = new Set<string>();

/**
 * /start, the offer, then a free slot no earlier prospect of this file chose (whatever the shared
 * slot-list cache still shows), from the first day that has one; a class's time may be shared
 * when none is left. Late in the day, today may have a single appointment time left, which the
 * n-th slot modulo the list gave two prospects (the second found it taken).
 */
async function chooseFreshSlot(user: FakeUser, offer: RegExp): Promise<void> {
  await step(user, () => user.start(), texts.offers);
  let list = await step(user, () => user.tap(offer), texts.slots);
  // Every time button of the day shown, then of the next pages and days ("Later times", day buttons).
  const pagesSeen = new Set<string>();
  for (;;) {
    const buttons = list.buttons.flat().map((button) => ({
      label: button.text,
      data: button.callbackData,
      parsed: button.callbackData === undefined ? undefined : parseCallbackData(button.callbackData),
    }));
    const { messageId } = list;
    const bookable = buttons.filter(({ parsed }) => parsed?.action === 'slot' && !parsed.waitingList);
    const fresh = bookable.find(
      ({ parsed }) => !chosenSlots.has(JSON.stringify(parsed?.action === 'slot' && parsed.slot)),
    );
    const page = (parsed: ReturnType<typeof parseCallbackData>) =>
      parsed?.action === 'slotDay' ? `${parsed.day}:${parsed.from}` : '';
    const shown = buttons.find(({ label }) => /^• .* •$/.test(label));
    if (shown) pagesSeen.add(page(shown.parsed));
    const next = buttons.find(
      ({ parsed }) => parsed?.action === 'slotDay' && !parsed.empty && !pagesSeen.has(page(parsed)),
    );
    // A class has room for several: with no time left that nobody here took, one more joins one.
    const chosen = fresh ?? (next === undefined ? bookable[0] : undefined);
    if (chosen?.data !== undefined && chosen.parsed?.action === 'slot') {
      chosenSlots.add(JSON.stringify(chosen.parsed.slot));
      const tap = chosen.data;
      await step(user, () => user.tap(tap, { messageId }), texts.firstName);
      return;
    }
    if (next?.data === undefined) throw new Error('no free slot');
    pagesSeen.add(page(next.parsed));
    const tapped = next.data;
    list = await step(user, () => user.tap(tapped, { messageId }), texts.slots);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('two webhook instances on one Redis', () => {
  ownTelegram();
  const prefix = uniqueRedisPrefix('outcomes');
  let balancer: LoadBalancer;

  afterAll(async () => {
    await balancer?.close();
    await deleteRedisKeys(prefix);
  });

  it('one killed while its booking hangs at the studio: the other finds the booking, books nothing twice', async () => {
    balancer = await startLoadBalancer();
    const ports = [await freePort(), await freePort()];
    const instances: BotProcess[] = [];
    for (const port of ports) {
      instances.push(
        await spawn({ PORT: String(port), PERFECTGYM_TIMEOUT_MS: '60000' }, redisUrl(prefix), {
          webhookUrl: balancer.url,
          webhookSecret: 'outcomes-secret',
        }),
      );
    }
    balancer.setBackends(ports.map((port) => `http://127.0.0.1:${port}/telegram`));
    // The staff chat opens the bot, so the bot may write there (Telegram's rule).
    await step(staff, () => staff.start(), texts.offers);

    const eve = fake.user({ firstName: 'Eve' });
    await chooseOfferAndSlot(eve, /Yoga Flow/);
    await answerLeadQuestions(eve, person(8, 'Eve'));
    sandbox.faults.set('classBook', { kind: 'hang', times: 1, afterHandling: true });
    const bookTap = await eve.tap(/Book now/);
    await eventually(async () => bookingsOf(sandbox.snapshot(), person(8, 'Eve').email).length === 1, 30_000);
    await eve.chat.waitFor(() => balancer.backendOf(bookTap) !== undefined);

    const dead = balancer.backendOf(bookTap) as number;
    await killBot(instances[dead]);
    const survivor = 1 - dead;
    balancer.setBackends([`http://127.0.0.1:${ports[survivor]}/telegram`]);

    // The dead instance's chat lock runs out; then the survivor looks the booking up.
    await eve.sendText('hello?');
    await toldEventually(eve, goodNews, 45_000);
    const studio = sandbox.snapshot();
    expect(leadsOf(studio, person(8, 'Eve').email)).toHaveLength(1);
    expect(bookingsOf(studio, person(8, 'Eve').email)).toHaveLength(1);
    expect(countMatching(eve, /already booked|Try again/)).toBe(0);
    await eventually(
      async () => staffNotices().some((t) => t.startsWith('❓') && t.includes(`Telegram user: ${eve.id}`)),
      30_000,
    );
    for (const bot of instances) await killBot(bot);
  }, 90_000);
});
