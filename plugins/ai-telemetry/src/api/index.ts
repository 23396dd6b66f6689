export { aiTelemetryApiRef } from './AiTelemetryApi';
export type {
  AiTelemetryApi,
  AuditLogQuery,
  MyDataFormat,
  TeamRef,
} from './AiTelemetryApi';
export { AiTelemetryClient } from './AiTelemetryClient';
