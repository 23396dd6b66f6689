export { aiTelemetryApiRef } from './AiTelemetryApi';
export type { AiTelemetryApi } from './AiTelemetryApi';
export { AiTelemetryClient } from './AiTelemetryClient';
