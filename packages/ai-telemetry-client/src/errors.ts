/**
 * An invalid event or client option; the message names the field or option. `record()` and
 * the `TelemetryClient` constructor throw it, and nothing is stored.
 * @public
 */
export class InputError extends Error {
  name = 'InputError';
}

/**
 * Whether a value is an error: an object with a string `name` and `message`. Duck-typed, since
 * errors of Node's own modules come from another realm under a test runner.
 */
export function isError(value: unknown): value is Error {
  const candidate = value as Partial<Error> | null | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.message === 'string'
  );
}
