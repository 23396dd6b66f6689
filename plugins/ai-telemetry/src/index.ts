/**
 * Fawkes AI Telemetry frontend plugin.
 *
 * The package root serves apps on the legacy frontend system; `./alpha` default-exports the
 * plugin for the new frontend system.
 *
 * @packageDocumentation
 */
export {
  aiTelemetryPlugin,
  AiTelemetryPage,
  AiTelemetrySettings,
  EntityAiTelemetryContent,
  EntityAiTelemetryOptInCard,
} from './plugin';
export { aiTelemetryApiRef, AiTelemetryClient } from './api';
export type { AiTelemetryApi, MyDataFormat, TeamRef } from './api';
