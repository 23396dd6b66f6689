import {
  NamedSeries,
  Point,
  pointsOf,
  Series,
} from '@fawkes/plugin-ai-telemetry-common';

/** One row of a chart's data: the time, and one value per series key. */
export type ChartRow = { t: number } & Record<string, number | undefined>;

/**
 * Merges series that share a time axis into chart rows, sorted by time. A series without a
 * point at a time leaves that key undefined (a gap, not a zero).
 */
export function mergeSeries(series: Record<string, Point[]>): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const [key, points] of Object.entries(series)) {
    for (const { t, v } of points) {
      const row = rows.get(t) ?? ({ t } as ChartRow);
      row[key] = v;
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** Named series as the record {@link mergeSeries} takes, keyed by a prefix and the name. */
export function keyedSeries(
  series: NamedSeries[],
  prefix = '',
): Record<string, Point[]> {
  return Object.fromEntries(
    series.map(s => [`${prefix}${s.name}`, pointsOf(s)]),
  );
}

/** The sum of a series' values. */
export function total(series: Series): number {
  return series.values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

/** Named series ordered by their total, largest first (for stable legends and colours). */
export function byTotal(series: NamedSeries[]): NamedSeries[] {
  return [...series].sort((a, b) => total(b) - total(a));
}
