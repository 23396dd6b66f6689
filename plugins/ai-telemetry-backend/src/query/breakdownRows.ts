import { FilterName, PanelFilters } from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../upstream/PrometheusClient';
import {
  appliedFilters,
  BREAKDOWN_LABELS,
  CounterFamily,
  matchesFilters,
  properSubsets,
} from './families';

/** The row that the values of a breakdown too few developers share are shown under. */
export const POOLED_ROW = 'other';

/** Who has data of one family in the window: one series per pseudonym and label set. */
export type FamilyRows = {
  family: CounterFamily;
  /** The participants query's answer (`user_hash`, every filter and breakdown label). */
  series: readonly PrometheusSeries[];
};

/** A view whose breakdowns are decided: its filters and members (the organisation: absent). */
type RowView = {
  filters: PanelFilters;
  members?: ReadonlySet<string>;
};

function isFew(count: number, minGroupSize: number): boolean {
  return count > 0 && count < minGroupSize;
}

/** How many pseudonyms are in one of the two sets but not in the other. */
function apart(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const hash of a) if (!b.has(hash)) n++;
  for (const hash of b) if (!a.has(hash)) n++;
  return n;
}

/** The pseudonyms of each value of `label` in a view: those with data under its filters. */
function rowsOf(
  rows: FamilyRows,
  label: string,
  view: RowView,
): Map<string, Set<string>> {
  const applied = appliedFilters(rows.family, view.filters);
  const byValue = new Map<string, Set<string>>();
  for (const { labels } of rows.series) {
    const hash = labels.user_hash;
    if (!hash || (view.members && !view.members.has(hash))) continue;
    if (!matchesFilters(labels, view.filters, applied)) continue;
    const value = labels[label] ?? '';
    const set = byValue.get(value) ?? new Set<string>();
    set.add(hash);
    byValue.set(value, set);
  }
  return byValue;
}

function union(
  rows: Map<string, Set<string>>,
  values: ReadonlySet<string>,
): Set<string> {
  const all = new Set<string>();
  for (const value of values) {
    for (const hash of rows.get(value) ?? []) all.add(hash);
  }
  return all;
}

/**
 * The breakdown labels a query's results are grouped by: those that some result without
 * user_hash has. (A query grouped by a label answers series without it where its value is empty,
 * since Prometheus drops empty labels: a legacy push without a language is the row "".)
 */
export function breakdownLabelsOf(
  family: CounterFamily,
  series: readonly PrometheusSeries[],
): string[] {
  return BREAKDOWN_LABELS[family].filter(label =>
    series.some(s => label in s.labels && !('user_hash' in s.labels)),
  );
}

/**
 * Which values of each breakdown label a view shows as rows of their own, and which it pools
 * under {@link POOLED_ROW}. Answers run their breakdown results through {@link relabel}.
 */
export class RowVisibility {
  constructor(
    /** By breakdown label, the values pooled. */
    readonly pooled: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly filters: PanelFilters,
  ) {}

  /** Whether a value of a label is shown pooled under {@link POOLED_ROW}. */
  isPooled(label: string, value: string): boolean {
    return this.pooled.get(label)?.has(value) ?? false;
  }

  /**
   * A breakdown query's results with the pooled values of the family's breakdown labels
   * renamed {@link POOLED_ROW}, the series that then share their labels added up. Results per
   * pseudonym (with `user_hash`) are the backend's own and pass as they are.
   */
  relabel(
    family: CounterFamily,
    series: PrometheusSeries[],
  ): PrometheusSeries[] {
    const grouped = breakdownLabelsOf(family, series).filter(
      label =>
        this.pooled.get(label)?.size &&
        this.filters[label as FilterName] === undefined,
    );
    if (grouped.length === 0) return series;
    let renamed = false;
    const out = series.map(s => {
      if ('user_hash' in s.labels) return s;
      const pooledLabels = grouped.filter(label =>
        this.isPooled(label, s.labels[label] ?? ''),
      );
      if (pooledLabels.length === 0) return s;
      renamed = true;
      const relabelled = { ...s.labels };
      for (const label of pooledLabels) relabelled[label] = POOLED_ROW;
      return { labels: relabelled, points: s.points };
    });
    return renamed ? mergeSameLabels(out) : out;
  }
}

/** Series with the same labels added up, point by point (their times merged in order). */
export function mergeSameLabels(
  series: readonly PrometheusSeries[],
): PrometheusSeries[] {
  const byKey = new Map<string, PrometheusSeries>();
  for (const s of series) {
    const key = JSON.stringify(
      Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)),
    );
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { labels: s.labels, points: [...s.points] });
      continue;
    }
    const sums = new Map<number, number>(seen.points);
    for (const [t, v] of s.points) sums.set(t, (sums.get(t) ?? 0) + v);
    seen.points = [...sums].sort(([a], [b]) => a - b);
  }
  return [...byKey.values()];
}

/**
 * The privacy threshold of the rows of a view's breakdowns (docs/privacy-model.md#rows). A
 * value of a breakdown label (a language, an assistant, a model...) is a row of its own only
 * when, in every family that lists it:
 * - at least `minGroupSize` developers in the view have data in it, and
 * - its developers differ by none or at least `minGroupSize` from the same row of each view it
 *   could be subtracted from or that could be subtracted from it: the view with fewer filters,
 *   and the `nested` views (the organisation and the groups below a team, with the same or
 *   fewer filters);
 * every other value is pooled under {@link POOLED_ROW}, and that pooled row is held to the same
 * two rules: while it has a few developers, the smallest row shown joins it.
 */
export function decideRows(input: {
  families: readonly FamilyRows[];
  filters: PanelFilters;
  members?: ReadonlySet<string>;
  /** Other views of the same data: the organisation (`undefined`) and groups, by members. */
  nested: ReadonlyArray<ReadonlySet<string> | undefined>;
  minGroupSize: number;
}): RowVisibility {
  const { families, filters, members, nested, minGroupSize } = input;
  const few = (n: number) => isFew(n, minGroupSize);
  const pooled = new Map<string, Set<string>>();
  const labels = new Set(families.flatMap(f => BREAKDOWN_LABELS[f.family]));
  for (const label of labels) {
    // A label the request filters on has one value in view: the view's own threshold holds it.
    if (filters[label as FilterName] !== undefined) continue;
    const hidden = new Set<string>();
    const readings = families
      .filter(f => BREAKDOWN_LABELS[f.family].includes(label))
      .map(rows => {
        const applied = appliedFilters(rows.family, filters);
        const viewFilters = (names: FilterName[]): PanelFilters =>
          Object.fromEntries(names.map(name => [name, filters[name]]));
        const others: RowView[] = [
          ...properSubsets(applied).map(names => ({
            filters: viewFilters(names),
            members,
          })),
          ...nested.flatMap(other =>
            [applied, ...properSubsets(applied)].map(names => ({
              filters: viewFilters(names),
              members: other,
            })),
          ),
        ];
        return {
          own: rowsOf(rows, label, { filters, members }),
          others: others.map(view => rowsOf(rows, label, view)),
        };
      });
    // Pool the rows of a few, then, while a pooled row is itself a few (or a few apart from
    // another view's), the smallest row still shown; each round pools one more or ends.
    for (const { own, others } of readings) {
      for (const [value, hashes] of own) {
        if (
          few(hashes.size) ||
          others.some(rows => few(apart(hashes, rows.get(value) ?? new Set())))
        ) {
          hidden.add(value);
        }
      }
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const { own, others } of readings) {
        const pooledHere = union(own, hidden);
        const pooledFew =
          few(pooledHere.size) ||
          others.some(rows => few(apart(pooledHere, union(rows, hidden))));
        if (!pooledFew) continue;
        const smallest = [...own]
          .filter(([value]) => !hidden.has(value))
          .sort(([, a], [, b]) => a.size - b.size)[0];
        if (smallest) {
          hidden.add(smallest[0]);
          changed = true;
        }
      }
    }
    if (hidden.size > 0) pooled.set(label, hidden);
  }
  return new RowVisibility(pooled, filters);
}
