import { backoffDelay } from './backoff';

const retry = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 };

describe('backoffDelay', () => {
  it('doubles with every failure, within the upper half of each step (jitter)', () => {
    expect([1, 2, 3, 4].map(f => backoffDelay(f, retry, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(
      [1, 2, 3, 4].map(f => backoffDelay(f, retry, () => 0.999999)),
    ).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than maxDelayMs, however many failures', () => {
    expect(backoffDelay(50, retry, () => 0.999999)).toBe(8000);
  });

  it('waits at least as long as a Retry-After asks', () => {
    expect(backoffDelay(1, retry, () => 0, 30_000)).toBe(30_000);
    expect(backoffDelay(3, retry, () => 0, 10)).toBe(2000);
  });
});
