export { TeamAiTelemetryContent } from './TeamAiTelemetryContent';
