/**
 * Reminders across real processes: a sender SIGKILLed while Telegram (a loopback stand-in) holds
 * its requests, then restarted on the same SQLite file; and two senders on one Redis, one of them
 * killed while sending.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createReminderScheduler } from '../../src/reminders/index.ts';
import { deleteRedisKeys, redisUrl, uniqueRedisPrefix } from '../store/redis-helpers.ts';
import { maxStartsPerSecond, minute, reminder, sleep, waitFor } from './helpers.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const node = join(repoRoot, 'node_modules/.bin/node');

interface Received {
  id: string;
  attempt: number;
  pid: number;
  /** When the sender started this delivery (epoch ms, fractional). */
  startedAt: number;
}

/** The stand-in for Telegram: records every reminder posted; while `holding`, answers nothing. */
async function startTelegram() {
  const received: Received[] = [];
  const held: Array<{ id: string; response: ServerResponse }> = [];
  const state = { holding: false };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const reminder = JSON.parse(body) as Received;
      received.push(reminder);
      if (state.holding) held.push({ id: reminder.id, response });
      else response.writeHead(200).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sendMessage`;
  return {
    url,
    received,
    held,
    state,
    times: (id: string) => received.filter((r) => r.id === id).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const { response } of held) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function spawnSender(env: Record<string, string>) {
  const child = spawn(node, ['test/reminders/sender-process.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    exited,
    ready: () => waitFor(() => output.includes('ready'), `the sender to start:\n${output}`, 20_000),
    output: () => output,
  };
}

async function kill(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
}

const ids = (count: number, dueAt: number) =>
  Array.from({ length: count }, (_, i) => `r.${1000 + i}.b1.slot_reminder.${dueAt}`);

describe('reminders across processes', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  it('a sender killed while sending (embedded store) sends each reminder once after its restart, only the ones in flight twice', {
    timeout: 60_000,
  }, async () => {
    const telegram = await startTelegram();
    cleanups.push(() => telegram.close());
    const dir = await mkdtemp(join(tmpdir(), 'trialgram-reminders-crash-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'bot.sqlite');
    const dueAt = Date.now();
    const env = {
      STORAGE_URL: `sqlite:${path}`,
      TELEGRAM_URL: telegram.url,
      REMINDER_RATE: '10',
      SCHEDULE: '30',
      DUE_AT: String(dueAt),
    };
    const first = spawnSender(env);
    cleanups.push(() => kill(first.child, first.exited));
    await first.ready();
    await waitFor(() => telegram.received.length >= 5, 'five reminders sent');
    telegram.state.holding = true;
    await waitFor(() => telegram.held.length >= 1, 'a reminder in flight');
    // Those Telegram answered are recorded as sent before the kill, so only the held ones are in doubt.
    const answered = telegram.received.length - telegram.held.length;
    const db = new DatabaseSync(path, { readOnly: true });
    await waitFor(
      () =>
        (db.prepare(`SELECT COUNT(*) AS n FROM reminders WHERE status = 'sent'`).get() as { n: number }).n >=
        answered,
      'the answered ones recorded',
    );
    db.close();
    await kill(first.child, first.exited);
    const inFlight = telegram.held.splice(0).map((h) => h.id);
    expect(inFlight.length).toBeGreaterThanOrEqual(1);

    telegram.state.holding = false;
    // The restarted sender schedules the same reminders again, as a replayed step would: harmless.
    const second = spawnSender(env);
    cleanups.push(() => kill(second.child, second.exited));
    await second.ready();
    const all = ids(30, dueAt);
    await waitFor(
      () => all.every((id) => telegram.times(id) >= (inFlight.includes(id) ? 2 : 1)),
      () => `every reminder sent (${telegram.received.length} received):\n${second.output()}`,
      30_000,
    );
    await sleep(500);
    for (const id of all) expect(telegram.times(id), id).toBe(inFlight.includes(id) ? 2 : 1);
    for (const id of inFlight) {
      expect(telegram.received.filter((r) => r.id === id).map((r) => r.attempt)).toEqual([1, 2]);
    }
  });

  it('reminders that fell due while the sender was down are sent or dropped by the late rule when it is back', async () => {
    const telegram = await startTelegram();
    cleanups.push(() => telegram.close());
    const dir = await mkdtemp(join(tmpdir(), 'trialgram-reminders-down-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'bot.sqlite');
    const dueAt = Date.now() + 10_000;
    // Both fall due while no sender runs; the restart comes seconds later.
    const inTime = reminder({ userId: 1, dueAt, leadMs: 2 * minute });
    const tooLate = reminder({
      userId: 2,
      dueAt,
      leadMs: 2_000,
      kind: 'confirmation_nudge',
      slotStartAt: dueAt + 60 * minute,
    });
    const env = { STORAGE_URL: `sqlite:${path}`, TELEGRAM_URL: telegram.url, REMINDER_RATE: '10' };
    const first = spawnSender({ ...env, REMINDERS_JSON: JSON.stringify([inTime, tooLate]) });
    cleanups.push(() => kill(first.child, first.exited));
    await first.ready();
    expect(Date.now()).toBeLessThan(dueAt);
    await kill(first.child, first.exited);
    await waitFor(() => Date.now() > dueAt + 2_000, 'both to be overdue', 30_000);

    const second = spawnSender(env);
    cleanups.push(() => kill(second.child, second.exited));
    await second.ready();
    await waitFor(() => telegram.times(inTime.id) === 1, 'the reminder still in time');
    const db = new DatabaseSync(path, { readOnly: true });
    const status = (id: string) =>
      (db.prepare('SELECT status FROM reminders WHERE id = ?').get(id) as { status: string }).status;
    await waitFor(() => status(tooLate.id) === 'late_dropped', 'the late nudge dropped');
    db.close();
    expect(telegram.times(tooLate.id)).toBe(0);
  }, 60_000);

  it('two senders on one Redis send each reminder once, at REMINDER_RATE together; one killed while sending leaves the in-flight one to the other, at most twice', async () => {
    const telegram = await startTelegram();
    cleanups.push(() => telegram.close());
    const prefix = uniqueRedisPrefix('reminders-two');
    cleanups.push(() => deleteRedisKeys(prefix));
    const base = {
      STORAGE_URL: redisUrl(prefix),
      TELEGRAM_URL: telegram.url,
      REMINDER_RATE: '20',
      LOCK_MS: '3000',
    };
    const a = spawnSender(base);
    const b = spawnSender(base);
    cleanups.push(
      () => kill(a.child, a.exited),
      () => kill(b.child, b.exited),
    );
    await Promise.all([a.ready(), b.ready()]);
    // Once both run, two other instances schedule the same reminders, due now (without sending).
    const dueAt = Date.now();
    for (let i = 0; i < 2; i++) {
      const scheduling = createReminderScheduler({
        stores: { kind: 'redis' },
        storageUrl: redisUrl(prefix),
        ratePerSecond: 20,
        deliver: async () => ({ status: 'failed', retry: false }),
      });
      await scheduling.schedule(Array.from({ length: 60 }, (_, n) => reminder({ userId: 1000 + n, dueAt })));
      await scheduling.close();
    }
    const all = ids(60, dueAt);
    // Both take part, and together they keep to REMINDER_RATE over two seconds of sending.
    await waitFor(
      () => telegram.received.length >= 40 && new Set(telegram.received.map((r) => r.pid)).size === 2,
      'both senders sending',
      30_000,
    );
    expect(maxStartsPerSecond(telegram.received.map((r) => r.startedAt))).toBeLessThanOrEqual(20);

    // Sender A is killed while its request is in flight.
    telegram.state.holding = true;
    await waitFor(() => telegram.held.length >= 1, 'a reminder in flight');
    const victim = telegram.received.at(-1) as Received;
    const killed = victim.pid === a.child.pid ? a : b;
    await kill(killed.child, killed.exited);
    telegram.state.holding = false;
    for (const { response } of telegram.held.splice(0)) response.writeHead(200).end('{"ok":true}');

    await waitFor(() => all.every((id) => telegram.times(id) >= 1), 'every reminder sent', 40_000);
    await waitFor(() => telegram.times(victim.id) >= 2, 'the killed sender’s reminder taken over', 40_000);
    await sleep(1_000);
    const twice = all.filter((id) => telegram.times(id) > 1);
    // Only what was in flight in the killed sender may come twice; nothing comes three times.
    for (const id of all) expect(telegram.times(id), id).toBeLessThanOrEqual(2);
    const killedInFlight = telegram.received
      .filter((r) => r.pid === killed.child.pid && r.attempt === 1)
      .map((r) => r.id);
    for (const id of twice) expect(killedInFlight).toContain(id);
    expect(telegram.received.find((r) => r.id === victim.id && r.attempt === 2)?.pid).not.toBe(
      killed.child.pid,
    );
  }, 90_000);
});
