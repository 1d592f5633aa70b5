/**
 * The sandbox studio: a stateful, in-process stand-in for the studio's trial-offer API, served
 * over real HTTP. trialgram uses it when no studio credentials are configured, for the demo, and
 * as the peer of the client's contract tests.
 */
export { createSandboxClock, type SandboxClock } from './clock.ts';
export type { SandboxFault } from './faults.ts';
export {
  type DemoChainStudio,
  demoChain,
  demoSeed,
  type LeadFieldMode,
  type SandboxSeed,
  type SeedAppointment,
  type SeedAppointmentHours,
  type SeedClass,
  type SeedClassSlot,
  type SeedCustomer,
  type SeedInstructor,
  type SeedLocation,
  type SeedStudio,
  type SeedTrialOfferConfig,
} from './seed.ts';
export {
  createSandbox,
  type Sandbox,
  type SandboxOptions,
  type SandboxStudio,
  type SandboxStudioOptions,
} from './server.ts';
export type { SandboxSnapshot } from './studio.ts';
