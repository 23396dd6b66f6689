import {
  METRIC_NAMES,
  MetricName,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../upstream/PrometheusClient';
import {
  durationSeconds,
  Expr,
  Matcher,
  renderPromql,
  Selector,
} from './rawQueryAst';
import { PoolingUnit } from './rawQueryGuard';
import { DAY, HOUR } from './window';

/** Functions whose per-person term is non-zero exactly when the counter grew in the window. */
const GROWTH_FUNCTIONS = ['increase', 'rate'];

/** How many days of hourly counts are asked of Prometheus at once, at most. */
const CONCURRENT_DAYS = 4;

/** How many queries' and windows' counts a {@link PoolingIndex} keeps put together. */
const BUILT_COUNTS = 100;

/** How long the hourly counts of a day that has ended are reused; a running day's, 5 minutes. */
export const ENDED_DAY_TTL_MS = 60 * 60 * 1000;
export const RUNNING_DAY_TTL_MS = 5 * 60 * 1000;

/**
 * A pooling unit that hourly counts can vouch for: an aggregation that is the whole query (so
 * that the query's own answer lists its groups), evaluated at the query's own times, of the
 * growth (`increase` or `rate`, perhaps scaled by a number) of one contract counter over at
 * least an hour. Then every person whose counter grew in an hour that lies within the window of
 * an evaluation has a non-zero term in it: the number of pseudonyms that grew in any such hour,
 * per group, is a lower bound of the count the companion query would give.
 */
export type HourlyPooling = {
  /** The counter's selector, its matchers as the query has them. */
  selector: Selector;
  /** The aggregation's `by` labels. */
  labels: string[];
  /** The window the counter is read over, in seconds. */
  window: number;
};

/** The term of a per-person expression under scaling by numbers, if it is a growth of a counter. */
function growthSelector(expr: Expr): Selector | undefined {
  if (expr.type === 'binary' && ['*', '/'].includes(expr.op)) {
    if (expr.lhs.type === 'number') return growthSelector(expr.rhs);
    if (expr.rhs.type === 'number') return growthSelector(expr.lhs);
    return undefined;
  }
  if (expr.type !== 'call' || !GROWTH_FUNCTIONS.includes(expr.fn)) {
    return undefined;
  }
  const [selector] = expr.args;
  if (
    expr.args.length !== 1 ||
    selector.type !== 'selector' ||
    !selector.range ||
    selector.at !== undefined ||
    selector.offset !== undefined ||
    !METRIC_NAMES.includes(selector.metric as MetricName)
  ) {
    return undefined;
  }
  return selector;
}

/**
 * What {@link hourlyPoolingOf} found for a unit, by the query it was asked for: a checked query
 * asked again (the QueryService keeps them) is not written out again to find it.
 */
const poolingOfUnits = new WeakMap<
  PoolingUnit,
  { queryPromql: string; pooling: HourlyPooling | undefined }
>();

/** The unit as hourly counts can vouch for it, or undefined when they cannot (see {@link HourlyPooling}). */
export function hourlyPoolingOf(
  unit: PoolingUnit,
  queryPromql: string,
): HourlyPooling | undefined {
  const known = poolingOfUnits.get(unit);
  if (known?.queryPromql === queryPromql) return known.pooling;
  const pooling = findHourlyPooling(unit, queryPromql);
  poolingOfUnits.set(unit, { queryPromql, pooling });
  return pooling;
}

function findHourlyPooling(
  unit: PoolingUnit,
  queryPromql: string,
): HourlyPooling | undefined {
  if (
    unit.kind !== 'aggregation' ||
    unit.subqueries.length > 0 ||
    unit.node.grouping?.without ||
    unit.node.args.length !== 1 ||
    renderPromql(unit.node) !== queryPromql
  ) {
    return undefined;
  }
  const selector = growthSelector(unit.node.args[0]);
  if (!selector) return undefined;
  const window = durationSeconds(selector.range!);
  if (window < HOUR) return undefined;
  return { selector, labels: unit.node.grouping?.labels ?? [], window };
}

const WITH_PSEUDONYM: Matcher = { label: USER_HASH_LABEL, op: '!=', value: '' };

function by(labels: readonly string[]): string {
  return labels.length > 0 ? ` by (${labels.join(', ')})` : '';
}

/**
 * Per group and hour: how many pseudonyms' counters grew in that hour (the point at e counts the
 * hour that ends at e).
 */
export function hourlyCountQuery(pooling: HourlyPooling): string {
  const hourly = renderPromql({
    ...pooling.selector,
    matchers: [...pooling.selector.matchers, WITH_PSEUDONYM],
    range: '1h',
  });
  return `count${by(pooling.labels)} (count${by([
    ...pooling.labels,
    USER_HASH_LABEL,
  ])} (increase(${hourly}) != 0))`;
}

/** A group's key: its values of the labels, in order (absent as empty). */
function groupKey(labels: Record<string, string>, names: string[]): string {
  return JSON.stringify(names.map(name => labels[name] ?? ''));
}

/** Counts by group, then by the end of the hour (unix seconds). */
type HourlyCounts = Map<string, Map<number, number>>;

/**
 * Whether the hourly counts prove every group of the query's answer, at every evaluation time,
 * to pool at least `minGroupSize` pseudonyms: some hour within the window of that evaluation
 * has that many growing counters in the group. False means "not proven", not "too few".
 */
export function provesPooled(
  pooling: HourlyPooling,
  counts: HourlyCounts,
  answer: PrometheusSeries[],
  minGroupSize: number,
): boolean {
  for (const series of answer) {
    const byHour = counts.get(groupKey(series.labels, pooling.labels));
    if (!byHour) return false;
    for (const [t] of series.points) {
      const last = Math.floor(t / HOUR) * HOUR;
      let pooled = false;
      for (let e = last; e - HOUR >= t - pooling.window; e -= HOUR) {
        if ((byHour.get(e) ?? 0) >= minGroupSize) {
          pooled = true;
          break;
        }
      }
      if (!pooled) return false;
    }
  }
  return true;
}

/**
 * Hourly counts of growing counters per group (the companion query's count over single hours,
 * {@link hourlyCountQuery}), read one UTC day at a time through the query cache, so that a raw
 * query over windows seen before needs no companion query at all.
 *
 * The counts are only ever used as lower bounds: what Prometheus holds for an hour can only grow
 * (late samples), except through erasure, which drops every cached result, and retention, which
 * is why no day is read that retention could drop while its counts are reused.
 */
export class PoolingIndex {
  /**
   * The counts last put together for a query over some days, with the day results they came
   * from: while the query cache hands back the same results (not expired, the same generation,
   * so no erasure since), the same counts are handed out again rather than rebuilt. Shared by
   * every caller, who must not change them.
   */
  private readonly built = new Map<
    string,
    { sources: PrometheusSeries[][]; counts: HourlyCounts }
  >();

  constructor(
    private readonly options: {
      /** A range query through the query cache, kept `ttlMs`. */
      range: (
        query: string,
        start: number,
        end: number,
        step: number,
        ttlMs: number,
      ) => Promise<PrometheusSeries[]>;
      retentionDays: number;
      /** Now, in unix seconds. */
      now: () => number;
    },
  ) {}

  /** The hourly counts of the hours that end from `from` to `to` (unix seconds). */
  async counts(
    pooling: HourlyPooling,
    from: number,
    to: number,
  ): Promise<HourlyCounts> {
    const now = this.options.now();
    // A day retention could drop within a cache entry's life is left out.
    const oldest = now - this.options.retentionDays * DAY + DAY;
    const days: number[] = [];
    for (
      let day = Math.floor((from - HOUR) / DAY) * DAY;
      day < Math.min(to, now);
      day += DAY
    ) {
      if (day >= oldest) days.push(day);
    }
    const query = hourlyCountQuery(pooling);
    const sources: PrometheusSeries[][] = [];
    const queue = days.map((day, i) => ({ day, i }));
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { day, i } = next;
        const ended = day + DAY <= now;
        sources[i] = await this.options.range(
          query,
          day + HOUR,
          day + DAY,
          HOUR,
          ended ? ENDED_DAY_TTL_MS : RUNNING_DAY_TTL_MS,
        );
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENT_DAYS, days.length) }, worker),
    );

    const key = JSON.stringify([query, days]);
    const known = this.built.get(key);
    if (
      known &&
      known.sources.length === sources.length &&
      known.sources.every((source, i) => source === sources[i])
    ) {
      // Most recently used last.
      this.built.delete(key);
      this.built.set(key, known);
      return known.counts;
    }
    const counts: HourlyCounts = new Map();
    for (const series of sources) {
      for (const s of series) {
        const group = groupKey(s.labels, pooling.labels);
        let byHour = counts.get(group);
        if (!byHour) {
          byHour = new Map();
          counts.set(group, byHour);
        }
        for (const [e, n] of s.points) byHour.set(Math.round(e), n);
      }
    }
    this.built.delete(key);
    this.built.set(key, { sources, counts });
    for (const leastRecent of this.built.keys()) {
      if (this.built.size <= BUILT_COUNTS) break;
      this.built.delete(leastRecent);
    }
    return counts;
  }
}
