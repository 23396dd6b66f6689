import { StreamState } from '../database/OtlpStreamStore';

/**
 * How many recent intervals of a delta stream are remembered: a retried export is recognised
 * as long as fewer than this many newer points of its stream were counted since.
 */
export const MAX_REMEMBERED_INTERVALS = 32;

/** A data point, as far as counting it once is concerned. */
export type StreamPoint = {
  temporality: 'delta' | 'cumulative';
  startNanos: bigint;
  timeNanos: bigint;
  /** Finite and not negative (checked before). */
  value: number;
};

/** Orders timestamps, for sorting. */
export function compareNanos(a: bigint, b: bigint): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** What a data point does to its stream. */
export type StreamStep =
  /**
   * It adds to the stream: the run's total goes from `before` to `after` (`before` is 0 when
   * the point starts a new run), and the stream's state becomes `state`.
   */
  | { kind: 'count'; before: number; after: number; state: StreamState }
  /** It adds nothing: a retried point, an older point of the run, a zero or unchanged value. */
  | { kind: 'unchanged' }
  /** It cannot be counted exactly once: older than what was counted, or overlapping it. */
  | { kind: 'refused'; reason: 'out_of_order' };

/**
 * A point that starts a run. A zero that resets a cumulative stream is written all the same,
 * so that the stream's next points count from it; a new stream's zero need not be.
 */
function newRun(point: StreamPoint, reset: boolean): StreamStep {
  const start = point.startNanos.toString();
  const end = point.timeNanos.toString();
  if (point.value === 0 && !(reset && point.temporality === 'cumulative')) {
    return { kind: 'unchanged' };
  }
  return {
    kind: 'count',
    before: 0,
    after: point.value,
    state: {
      temporality: point.temporality,
      runStart: start,
      lastEnd: end,
      total: point.value,
      intervals: point.temporality === 'delta' ? [[start, end]] : [],
    },
  };
}

/**
 * Delta points add their value once per [start, end] interval: the same interval again is a
 * retry and adds nothing; an interval that overlaps one counted, or that is older than every
 * interval still remembered, cannot be told from a retry and is refused.
 */
function deltaStep(state: StreamState, point: StreamPoint): StreamStep {
  const start = point.startNanos;
  const end = point.timeNanos;
  const intervals = state.intervals.map(
    ([a, b]) => [BigInt(a), BigInt(b)] as const,
  );
  if (intervals.some(([a, b]) => a === start && b === end)) {
    return { kind: 'unchanged' };
  }
  if (point.value === 0) return { kind: 'unchanged' };
  if (intervals.some(([a, b]) => start < b && a < end)) {
    return { kind: 'refused', reason: 'out_of_order' };
  }
  if (intervals.length >= MAX_REMEMBERED_INTERVALS && end <= intervals[0][1]) {
    return { kind: 'refused', reason: 'out_of_order' };
  }
  const next = [...intervals, [start, end] as const]
    .sort((x, y) => compareNanos(x[1], y[1]))
    .slice(-MAX_REMEMBERED_INTERVALS);
  const lastEnd = BigInt(state.lastEnd) > end ? BigInt(state.lastEnd) : end;
  return {
    kind: 'count',
    before: state.total,
    after: state.total + point.value,
    state: {
      temporality: 'delta',
      runStart: state.runStart,
      lastEnd: lastEnd.toString(),
      total: state.total + point.value,
      intervals: next.map(([a, b]) => [a.toString(), b.toString()]),
    },
  };
}

/**
 * Cumulative points add their increase over the last point counted of their run. A new start
 * time, or a value lower than the last, is a reset: a new run, counted from zero. A point not
 * newer than the last counted (a retry, or a late one) adds nothing; a point of a run older
 * than the current one is refused.
 */
function cumulativeStep(state: StreamState, point: StreamPoint): StreamStep {
  const runStart = BigInt(state.runStart);
  if (point.startNanos < runStart) {
    return { kind: 'refused', reason: 'out_of_order' };
  }
  if (point.startNanos > runStart) return newRun(point, true);
  if (point.timeNanos <= BigInt(state.lastEnd)) return { kind: 'unchanged' };
  if (point.value < state.total) return newRun(point, true);
  if (point.value === state.total) return { kind: 'unchanged' };
  return {
    kind: 'count',
    before: state.total,
    after: point.value,
    state: {
      temporality: 'cumulative',
      runStart: state.runStart,
      lastEnd: point.timeNanos.toString(),
      total: point.value,
      intervals: [],
    },
  };
}

/**
 * What a data point adds to its stream, given the stream's state (`undefined` for a stream
 * never seen, or forgotten). A stream that changes temporality starts a new run.
 */
export function streamStep(
  state: StreamState | undefined,
  point: StreamPoint,
): StreamStep {
  if (!state || state.temporality !== point.temporality) {
    return newRun(point, Boolean(state));
  }
  return point.temporality === 'delta'
    ? deltaStep(state, point)
    : cumulativeStep(state, point);
}

/**
 * What a count adds to a counter fed at `factor` per unit, in thousandths: the difference of
 * the rounded run totals, so that a run adds up to its rounded total however many points it
 * takes (no rounding error builds up point by point).
 */
export function incrementMilli(
  before: number,
  after: number,
  factor: number,
): number {
  return Math.round(after * factor * 1000) - Math.round(before * factor * 1000);
}
