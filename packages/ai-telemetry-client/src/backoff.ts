import { RetryOptions } from './settings';

/**
 * The wait before try number `failures + 1`: exponential (`baseDelayMs × 2^(failures−1)`),
 * capped at `maxDelayMs`, with "equal jitter" (a uniformly random point in its upper
 * half) so that many clients that failed together do not come back together. A
 * server's Retry-After is honoured when it asks for longer.
 */
export function backoffDelay(
  failures: number,
  retry: Required<RetryOptions>,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(
    retry.maxDelayMs,
    retry.baseDelayMs * 2 ** Math.max(0, failures - 1),
  );
  const jittered = Math.round(exponential / 2 + random() * (exponential / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}
