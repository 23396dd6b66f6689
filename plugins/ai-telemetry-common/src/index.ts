/**
 * The shared vocabulary of the Fawkes AI Telemetry plugins: the metric contract, the
 * permissions, the pseudonym function, and the request/response types.
 *
 * @packageDocumentation
 */

export * from './contract';
export * from './permissions';
export * from './pseudonym';
export * from './types';
