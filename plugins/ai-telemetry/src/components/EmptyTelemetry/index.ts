export { EmptyTelemetry } from './EmptyTelemetry';
