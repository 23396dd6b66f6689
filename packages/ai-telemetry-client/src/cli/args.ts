/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  name = 'UsageError';
}

/** A whole number from a flag, naming the flag when it is not one. */
export function integerFlag(
  flag: string,
  value: string | undefined,
): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`--${flag} must be a whole number, got "${value}"`);
  }
  return Number(value);
}
