/**
 * The sandbox studio for the benchmark: the demo studio, with the classes of trial-offer config 1
 * (every lead field asked, confirmation required) opened up so that thousands of prospects can
 * book them. Prospects all tap the first free time, so those slots need the room.
 */
import { demoSeed, type SandboxSeed } from '../src/sandbox/index.ts';

/** The config whose classes every simulated prospect books. */
export const benchmarkConfigId = 1;

/**
 * Slots starting sooner than this are left out: booking closes an hour before a class starts,
 * and a slot that closed in the middle of a run would turn bookings into refusals.
 */
const minimumLeadTimeMs = 3 * 60 * 60 * 1000;

/**
 * `demoSeed(nowMs)` with every slot of config 1's classes holding `capacity` free places, and no
 * slot of theirs starting within the next three hours. Other offers stay as in the demo.
 */
export function benchmarkSeed(nowMs: number, capacity: number): SandboxSeed {
  const seed = demoSeed(nowMs);
  for (const seedClass of seed.classes) {
    if (seedClass.trialOfferConfigId !== benchmarkConfigId || !seedClass.bookable) continue;
    seedClass.slots = seedClass.slots
      .filter((slot) => slot.startMs >= nowMs + minimumLeadTimeMs)
      .map((slot) => ({
        ...slot,
        maxParticipants: capacity,
        bookedParticipants: 0,
        additionalParticipants: 0,
        waitingListParticipants: 0,
      }));
  }
  return seed;
}

/** The ids of the classes the prospects book, in the order prospects take turns with them. */
export function benchmarkClassIds(seed: SandboxSeed): number[] {
  return seed.classes
    .filter((seedClass) => seedClass.trialOfferConfigId === benchmarkConfigId && seedClass.bookable)
    .map((seedClass) => seedClass.id);
}
