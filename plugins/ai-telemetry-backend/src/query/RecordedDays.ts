import { PER_USER_DAILY_EVALUATED, RecordedDays } from './families';
import { DAY, WindowSpec } from './window';
import { PrometheusSeries } from '../upstream/PrometheusClient';

/** A range query, run through the query cache. */
export type RangeRun = (
  query: string,
  start: number,
  end: number,
  step: number,
) => Promise<PrometheusSeries[]>;

/** A day's sample lies in [its midnight, the next midnight): read forward from the midnight. */
export const DAY_AHEAD = `[${DAY * 1000 - 1}ms] offset -${DAY * 1000 - 1}ms`;

/**
 * The ends (midnights) of the days from `first` to `last` (the midnights that end the first and
 * the last day) that the daily rules' marker says were recorded.
 */
export async function recordedDayEnds(
  range: RangeRun,
  first: number,
  last: number,
): Promise<Set<number>> {
  const series = await range(
    `count_over_time(${PER_USER_DAILY_EVALUATED}${DAY_AHEAD})`,
    first,
    last,
    DAY,
  );
  return new Set(
    series.flatMap(s => s.points.filter(([, v]) => v > 0).map(([t]) => t)),
  );
}

/**
 * Which whole UTC days of a window the per-developer daily rules hold
 * (deploy/prometheus/rules/ai-telemetry-per-user.yml): from the first day of the window the
 * rule group was evaluated for (its `ai_telemetry:per_user_daily_v3:evaluated` marker), the days
 * up to the last one before `asOf`, without a gap. The days before them (before the rules were
 * deployed, or a first day Prometheus missed: the readers add them from the counters, as
 * `before`), a day the group has not run for yet (it runs once a day, some time after
 * midnight), the days after a gap, and every day on an engine that evaluates no rules
 * (VictoriaMetrics without vmalert) are read from the counters instead. So a window that
 * reaches back before the rules (a tile's previous window, for the first months after they are
 * deployed) still reads its recorded days from them.
 */
export class DailyRuleCoverage {
  /**
   * `countersBetween`: whether any counter has a sample from `start` to before `end` (where the
   * days begin after the window's first midnight, so that readers need not walk every
   * developer's counters over days with no sample).
   */
  constructor(
    private readonly range: RangeRun,
    private readonly countersBetween?: (
      start: number,
      end: number,
    ) => Promise<boolean>,
  ) {}

  async of(window: WindowSpec): Promise<RecordedDays | undefined> {
    const from = Math.ceil(window.start / DAY) * DAY;
    const last = Math.floor(Math.floor(window.asOf) / DAY) * DAY;
    if (last - from < DAY) return undefined;
    const recorded = await recordedDayEnds(this.range, from + DAY, last);
    let first = from;
    while (first < last && !recorded.has(first + DAY)) first += DAY;
    let until = first;
    while (until < last && recorded.has(until + DAY)) until += DAY;
    if (until === first) return undefined;
    const quiet =
      first > window.start &&
      this.countersBetween !== undefined &&
      !(await this.countersBetween(window.start, first));
    return quiet
      ? { from: first, until, quietFrom: window.start }
      : { from: first, until };
  }
}
