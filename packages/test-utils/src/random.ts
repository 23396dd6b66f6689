// The demo's own generators, which its commands use at run time: one seeded generator and one
// event generator for the demo, the tests and the benchmarks.
export {
  createRandom,
  developerProfile,
  randomEvent,
} from '@fawkes/ai-telemetry-demo';
export type { DeveloperProfile, Random } from '@fawkes/ai-telemetry-demo';
