/**
 * Helpers for running trialgram as it runs in production: the whole app (in-process through
 * `startApp`, or as a `node src/main.ts` child process) against the sandbox studio and the fake
 * Telegram, a round-robin load balancer in front of several webhook instances, and a driver that
 * plays a prospect through a booking by reading what the bot shows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseCallbackData } from '../../src/booking/index.ts';
import type { FakeTelegram, FakeUser, ViewMessage } from '../../src/fake-telegram/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Environment

export interface BotEnvOptions {
  fake: FakeTelegram;
  sandbox: Sandbox;
  storageUrl: string;
  webhookUrl?: string;
  webhookSecret?: string;
  logLevel?: string;
}

/** The environment an operator would set, pointing at the fake Telegram and the sandbox studio. */
export function botEnv(options: BotEnvOptions): Record<string, string> {
  return {
    BOT_TOKEN: options.fake.token,
    TELEGRAM_API_ROOT: options.fake.apiRoot,
    PERFECTGYM_BASE_URL: options.sandbox.url,
    PERFECTGYM_API_KEY: options.sandbox.apiKey,
    STORAGE_URL: options.storageUrl,
    PORT: '0',
    // Tests listen on loopback only, in webhook mode too.
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'info',
    ...(options.webhookUrl ? { WEBHOOK_URL: options.webhookUrl } : {}),
    ...(options.webhookSecret ? { WEBHOOK_SECRET: options.webhookSecret } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// A bot process

export interface BotProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout (JSON log lines). */
  stdout(): string;
  /** Everything written to stderr (start-up and shutdown lines). */
  stderr(): string;
  /** Resolves once stderr or stdout shows `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node src/main.ts` with `env` only (plus PATH), as `npm start` would in production, and
 * resolves once it is polling or serving its webhook.
 */
export async function spawnBot(env: Record<string, string>, readyTimeoutMs = 15_000): Promise<BotProcess> {
  const bot = startBotProcess(env);
  await bot.waitForOutput(/Long polling as @|Webhook mode:/, readyTimeoutMs);
  return bot;
}

/** Starts `node src/main.ts` like {@link spawnBot}, without waiting for anything. */
export function startBotProcess(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      notify();
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const process_: BotProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(pattern, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(err) || pattern.test(out)) {
            finish();
            resolve();
          } else if (done) {
            finish();
            reject(new Error(`bot exited before printing ${pattern}:\n${err}\n${out.slice(-2_000)}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`bot did not print ${pattern} within ${timeoutMs} ms:\n${err}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  return process_;
}

/** Kills the process if it still runs and waits for it to be gone. */
export async function killBot(bot: BotProcess | undefined): Promise<void> {
  if (!bot || bot.child.exitCode !== null || bot.child.signalCode !== null) return;
  bot.child.kill('SIGKILL');
  await bot.exited;
}

// ---------------------------------------------------------------------------------------------
// A load balancer

export interface Delivery {
  updateId: number;
  chatId: number | undefined;
  backend: number;
  status: number;
  /** true for the second copy of an update (a simulated Telegram redelivery). */
  redelivery: boolean;
}

export interface LoadBalancer {
  /** Where Telegram posts: set WEBHOOK_URL to this. */
  readonly url: string;
  /** The webhook URLs of the instances behind it. */
  setBackends(urls: string[]): void;
  /** Every forwarded request, redeliveries included, once answered. */
  readonly deliveries: Delivery[];
  /** The instance each update was first sent to, as soon as it was sent. */
  backendOf(updateId: number): number | undefined;
  /** Waits until no forwarded request is still open. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface LoadBalancerOptions {
  /**
   * Which requests Telegram "sends again", by the request's position (0, 1, 2…): `concurrent`
   * sends the copy to the other instance at the same moment, `afterAnswer` once the first answer is
   * back (Telegram retries a request whose answer it missed).
   */
  redeliver?: (position: number) => 'concurrent' | 'afterAnswer' | undefined;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * A round-robin HTTP load balancer on loopback: each webhook POST goes to the next instance in
 * turn, with Telegram's headers, and the instance's answer goes back to Telegram.
 */
export async function startLoadBalancer(options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  let backends: string[] = [];
  let position = 0;
  const deliveries: Delivery[] = [];
  const firstBackend = new Map<number, number>();
  const open = new Set<Promise<unknown>>();

  const forward = async (
    backend: number,
    body: Buffer,
    headers: Record<string, string>,
    update: { updateId: number; chatId: number | undefined },
    redelivery: boolean,
  ) => {
    const response = await fetch(backends[backend] as string, {
      method: 'POST',
      headers,
      body: new Uint8Array(body),
    });
    const text = await response.text();
    deliveries.push({ ...update, backend, status: response.status, redelivery });
    return { status: response.status, text, contentType: response.headers.get('content-type') };
  };
  const track = <T>(promise: Promise<T>): Promise<T> => {
    open.add(promise);
    void promise.then(
      () => open.delete(promise),
      () => open.delete(promise),
    );
    return promise;
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const secret = request.headers['x-telegram-bot-api-secret-token'];
      if (typeof secret === 'string') headers['x-telegram-bot-api-secret-token'] = secret;
      const parsed = JSON.parse(body.toString('utf8')) as {
        update_id: number;
        message?: { chat: { id: number } };
        callback_query?: { from: { id: number } };
      };
      const update = {
        updateId: parsed.update_id,
        chatId: parsed.message?.chat.id ?? parsed.callback_query?.from.id,
      };
      const mine = position++;
      const primary = mine % backends.length;
      const other = (primary + 1) % backends.length;
      const mode = options.redeliver?.(mine);
      if (!firstBackend.has(update.updateId)) firstBackend.set(update.updateId, primary);
      const first = track(forward(primary, body, headers, update, false));
      if (mode === 'concurrent')
        void track(forward(other, body, headers, update, true)).catch(() => undefined);
      try {
        const answer = await first;
        if (mode === 'afterAnswer') {
          void track(forward(other, body, headers, update, true)).catch(() => undefined);
        }
        response.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
        response.end(answer.text);
      } catch {
        response.writeHead(502).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/telegram`,
    setBackends(urls) {
      backends = urls;
    },
    deliveries,
    backendOf: (updateId) => firstBackend.get(updateId),
    async idle() {
      while (open.size > 0) await Promise.allSettled([...open]);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Playing a prospect

const messageKey = (message: ViewMessage) => `${message.messageId}\u0000${message.text ?? ''}`;

function newestBotMessage(user: FakeUser): ViewMessage | undefined {
  return user.chat.last('bot');
}

/**
 * Does `action` and resolves with the bot's newest message once it is new (sent or edited after
 * the action) and matches `expected`. Reads what the user sees; no timing assumptions.
 */
export async function step(
  user: FakeUser,
  action: () => Promise<unknown>,
  expected: RegExp,
  timeoutMs = 10_000,
): Promise<ViewMessage> {
  const seen = new Set(user.chat.messages.filter((m) => m.from === 'bot').map(messageKey));
  await action();
  let found: ViewMessage | undefined;
  try {
    await user.chat.waitFor((chat) => {
      const newest = chat.last('bot');
      if (!newest || seen.has(messageKey(newest)) || !expected.test(newest.text ?? '')) return false;
      found = newest;
      return true;
    }, timeoutMs);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; expected ${expected}, the bot's last message is: ${JSON.stringify(newestBotMessage(user)?.text)}`,
    );
  }
  return found as ViewMessage;
}

export const texts = {
  offers: /Which trial would you like to book\?/,
  slots: /When would you like to come to/,
  firstName: /What's your first name\?/,
  lastName: /And your last name\?/,
  email: /What's your e-mail address\?/,
  gender: /What's your gender\?/,
  dateOfBirth: /What's your date of birth\?/,
  telephone: /What's your phone number\?/,
  address: /What's your address\? In one line/,
  addressRead: /^Is this right\?\nStreet: /,
  street: /What street do you live on\?/,
  houseNumber: /And the house number\?/,
  zipCode: /What's your postcode\?/,
  city: /And the town or city\?/,
  summary: /Please check your booking/,
  booked: /You're booked!/,
  confirmationRequired: /Almost done!/,
  confirmed: /Confirmed!/,
  storeUnavailable: /technical trouble/,
} as const;

export interface Prospect {
  firstName: string;
  lastName: string;
  email: string;
  telephone: string;
  street: string;
  houseNumber: string;
  zipCode: string;
  city: string;
}

type LeadQuestion = Exclude<
  keyof typeof texts,
  'offers' | 'slots' | 'summary' | 'booked' | 'confirmationRequired' | 'confirmed' | 'storeUnavailable'
>;
const leadQuestions: LeadQuestion[] = [
  'firstName',
  'lastName',
  'email',
  'gender',
  'dateOfBirth',
  'telephone',
  'address',
  'addressRead',
  'street',
  'houseNumber',
  'zipCode',
  'city',
];
const nextPrompt = new RegExp([...leadQuestions.map((q) => texts[q].source), texts.summary.source].join('|'));

/** Taps the first inline button of the newest bot message that satisfies `accept`. */
async function tapButton(
  user: FakeUser,
  accept: (data: ReturnType<typeof parseCallbackData>) => boolean,
): Promise<void> {
  const message = user.chat.messages.filter((m) => m.from === 'bot' && m.buttons.length > 0).at(-1);
  const button = message?.buttons
    .flat()
    .find((b) => b.callbackData !== undefined && accept(parseCallbackData(b.callbackData)));
  if (!message || !button?.callbackData) throw new Error('no such button in the newest keyboard');
  await user.tap(button.callbackData, { messageId: message.messageId });
}

function answer(user: FakeUser, question: LeadQuestion, prospect: Prospect): Promise<unknown> {
  switch (question) {
    case 'gender':
    case 'dateOfBirth':
      return tapButton(user, (data) => data?.action === 'skip');
    case 'telephone':
      return user.shareContact({ phoneNumber: prospect.telephone });
    case 'address':
      return user.sendText(
        `${prospect.street} ${prospect.houseNumber}, ${prospect.zipCode} ${prospect.city}`,
      );
    case 'addressRead':
      return tapButton(user, (data) => data?.action === 'addressOk');
    default:
      return user.sendText(prospect[question]);
  }
}

/** /start, the offer whose button text matches `offer`, then the first free slot. */
export async function chooseOfferAndSlot(user: FakeUser, offer: RegExp): Promise<ViewMessage> {
  await step(user, () => user.start(), texts.offers);
  await step(user, () => user.tap(offer), texts.slots);
  return step(
    user,
    () => tapButton(user, (data) => data?.action === 'slot' && !data.waitingList),
    texts.firstName,
  );
}

/**
 * Answers the bot's lead questions from `prospect`, whichever the studio's config asks for, until
 * the summary, or until the bot asks `stopBefore` (left unanswered).
 */
export async function answerLeadQuestions(
  user: FakeUser,
  prospect: Prospect,
  stopBefore?: RegExp,
): Promise<ViewMessage> {
  let current = newestBotMessage(user);
  for (let answered = 0; answered < 20; answered++) {
    const text = current?.text ?? '';
    if (texts.summary.test(text) || stopBefore?.test(text)) return current as ViewMessage;
    const question = leadQuestions.find((q) => texts[q].test(text));
    if (!question) throw new Error(`unexpected bot message while collecting lead data: ${text}`);
    current = await step(user, () => answer(user, question, prospect), nextPrompt);
  }
  throw new Error('the bot kept asking');
}

/** From the summary: "Book now", then "Confirm booking" when the studio requires it. */
export async function bookAndConfirm(user: FakeUser): Promise<void> {
  const result = await step(
    user,
    () => user.tap(/Book now/),
    new RegExp(`${texts.booked.source}|${texts.confirmationRequired.source}`),
  );
  if (texts.confirmationRequired.test(result.text ?? '')) {
    await step(user, () => user.tap(/Confirm booking/), texts.confirmed);
  }
}

/**
 * Every text the bot sent or edited into this chat, in order: the history, not only what is on
 * screen now (a confirmed booking's "Almost done!" message is edited into "Confirmed!").
 */
export function sentTexts(user: FakeUser, methods = ['sendMessage', 'editMessageText']): string[] {
  return user.chat.calls
    .filter((call) => methods.includes(call.method))
    .map((call) => String(call.params.text ?? ''));
}

/** How many texts the bot sent or edited into this chat match `pattern`. */
export function countMatching(user: FakeUser, pattern: RegExp): number {
  return sentTexts(user).filter((text) => pattern.test(text)).length;
}

// ---------------------------------------------------------------------------------------------
// Metrics

/** The value of one Prometheus sample whose labels include `labels`; undefined when absent. */
export function metricValue(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Polls `check` until it holds (for things outside any chat, such as /healthz). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
