export { AiTelemetryPage } from './AiTelemetryPage';
