/**
 * The Fawkes AI Telemetry client: what an IDE extension embeds to report AI assistant
 * usage (counts and allow-listed labels only), and the `fawkes-ai-telemetry` command.
 *
 * @packageDocumentation
 */

export { TelemetryClient } from './TelemetryClient';
export type {
  FlushOutcome,
  FlushResult,
  RecordResult,
  TelemetryStatus,
} from './TelemetryClient';
export { ENV, defaultQueueDir, readClientSettings } from './settings';
export type {
  ClientSettings,
  RetryOptions,
  TelemetryClientOptions,
  TelemetryLogger,
} from './settings';
export { validateEvent } from './validateEvent';
export type { LabelLists } from './validateEvent';
export { InputError } from './errors';
export { runCli } from './cli/main';
export type {
  Activity,
  Feature,
  FeatureEvent,
  IngestEventsRequest,
  IngestEventsResponse,
  SuggestionEvent,
  TelemetryEvent,
  TimeSavedEvent,
} from './contract';
