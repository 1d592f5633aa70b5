/**
 * The sandbox studio's business clock. Slots, booking windows and confirmation terms are judged
 * against it, so a test or the demo can jump a day ahead without waiting. Rate limits and 429
 * lockouts deliberately stay on real time (the client under test waits for them in real time).
 */
export interface SandboxClock {
  /** Current business time in epoch milliseconds. */
  now(): number;
  /** Moves the clock by `ms` (negative moves it back). */
  advance(ms: number): void;
  /** Puts the clock at `epochMs`; it keeps ticking from there. */
  set(epochMs: number): void;
}

/**
 * Creates a clock that starts at `startMs` (default: the real time) and ticks along with real
 * time, shifted by whatever `advance`/`set` have moved it.
 */
export function createSandboxClock(startMs: number = Date.now()): SandboxClock {
  assertFinite(startMs, 'startMs');
  let base = startMs;
  let realAtBase = Date.now();
  return {
    now: () => base + (Date.now() - realAtBase),
    advance(ms) {
      assertFinite(ms, 'ms');
      base += ms;
    },
    set(epochMs) {
      assertFinite(epochMs, 'epochMs');
      base = epochMs;
      realAtBase = Date.now();
    },
  };
}

function assertFinite(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of milliseconds`);
}
