/**
 * The demo's seeded generators, for tests and benchmarks (through
 * `@fawkes/ai-telemetry-test-utils`): the same seed gives the same draws and the same events.
 *
 * @packageDocumentation
 */
export { createRandom } from './random';
export type { Random } from './random';
export { developerProfile, randomEvent } from './randomEvents';
export type { DeveloperProfile } from './randomEvents';
export { withGithubLogins, githubLoginOf } from './githubLogins';
export {
  buildOrg,
  GITHUB_LOGIN_ANNOTATION,
  orgToCatalogYaml,
  catalogHeader,
} from './org';
export type { DemoOrg, DemoUser } from './org';
