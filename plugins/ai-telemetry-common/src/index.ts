/**
 * The shared vocabulary of the Fawkes AI Telemetry plugins: the metric contract, the
 * permissions, the pseudonym function, the request/response types, and the CSV writer of
 * every download.
 *
 * @packageDocumentation
 */

export * from './api/events';
export * from './api/ingestion';
export * from './api/live';
export * from './api/privacy';
export * from './api/queries';
export * from './contract';
export * from './csv';
export * from './github';
export * from './permissions';
export * from './pseudonym';
export * from './types';
