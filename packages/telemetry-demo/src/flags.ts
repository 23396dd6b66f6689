/** A mistake in the command line: printed with a hint to the usage, exit code 2. */
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

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A duration such as `500ms`, `5s`, `10m`, `2h` (a bare number is seconds), in ms. */
export function durationFlag(
  flag: string,
  value: string | undefined,
): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) {
    throw new UsageError(
      `--${flag} must be a duration such as 500ms, 5s, 10m or 2h, got "${value}"`,
    );
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']);
}
