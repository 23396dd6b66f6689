export { aiTelemetryApiRef } from './AiTelemetryApi';
export type { AiTelemetryApi, MyDataFormat, TeamRef } from './AiTelemetryApi';
export { AiTelemetryClient } from './AiTelemetryClient';
