import {
  ANSWER_DECIMALS,
  NamedSeries,
  Series,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../../upstream/PrometheusClient';

/** The name of a series whose label was absent (a legacy push without `assistant`). */
export const NO_LABEL = '(none)';

/** Values by bucket start (unix seconds). */
export type Buckets = Map<number, number>;

/** The start of each bucket from `start` to `end` (exclusive), `step` seconds apart. */
export function bucketStarts(
  start: number,
  end: number,
  step: number,
): number[] {
  const starts: number[] = [];
  for (let t = start; t < end; t += step) starts.push(t);
  return starts;
}

/**
 * Sums the points of range results into buckets per group. A point evaluated at t holds the
 * increase over the `step` before it, so it belongs to the bucket that starts at t − step.
 * Series for which `groupOf` answers undefined are left out.
 */
export function sumIntoBuckets(
  series: PrometheusSeries[],
  step: number,
  groupOf: (labels: Record<string, string>) => string | undefined,
): Map<string, Buckets> {
  const groups = new Map<string, Buckets>();
  for (const s of series) {
    const group = groupOf(s.labels);
    if (group === undefined) continue;
    let buckets = groups.get(group);
    if (!buckets) {
      buckets = new Map();
      groups.set(group, buckets);
    }
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      const start = Math.round(t) - step;
      buckets.set(start, (buckets.get(start) ?? 0) + v);
    }
  }
  return groups;
}

/** A label's value, or {@link NO_LABEL}. */
export function labelOf(
  name: string,
): (labels: Record<string, string>) => string {
  return labels => labels[name] || NO_LABEL;
}

/** The total of the buckets that start at one of `starts`. */
export function total(buckets: Buckets | undefined, starts: number[]): number {
  return starts.reduce((sum, t) => sum + (buckets?.get(t) ?? 0), 0);
}

/** `value` rounded to `decimals` places ({@link ANSWER_DECIMALS}). */
export function rounded(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** A series of buckets of `step` seconds from `start` (unix seconds) with these values. */
export function seriesOf(
  start: number,
  step: number,
  values: Array<number | null>,
): Series {
  return { start: start * 1000, step, values };
}

/** A count per bucket, rounded as answers show counts (or to `decimals`), 0 where none was counted. */
export function countValues(
  buckets: Buckets | undefined,
  starts: number[],
  decimals: number = ANSWER_DECIMALS.count,
): number[] {
  return starts.map(t => rounded(buckets?.get(t) ?? 0, decimals));
}

/**
 * Counts per group as named series of the buckets at `starts` (from `start`, every `step`
 * seconds), the largest total first; rounded as counts, or to `decimals`.
 */
export function countSeries(
  groups: Map<string, Buckets>,
  starts: number[],
  start: number,
  step: number,
  decimals: number = ANSWER_DECIMALS.count,
): NamedSeries[] {
  return [...groups]
    .map(([name, buckets]) => ({
      name,
      values: countValues(buckets, starts, decimals),
      sum: total(buckets, starts),
    }))
    .sort((a, b) => b.sum - a.sum || a.name.localeCompare(b.name))
    .map(({ name, values }) => ({ name, ...seriesOf(start, step, values) }));
}
