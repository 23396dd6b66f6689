export { aiTelemetryPlugin as default } from './plugin';
