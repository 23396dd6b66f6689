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
 * (deploy/prometheus/rules/ai-telemetry-per-user.yml): the days from the window's first
 * midnight on, up to the last one before `asOf`, for which the rule group was evaluated (its
 * `ai_telemetry:per_user_daily_v3:evaluated` marker), without a gap. A day the group has not run for
 * yet (it runs once a day, some time after midnight), a day Prometheus missed, days before the
 * rules were deployed, and every day on an engine that evaluates no rules (VictoriaMetrics
 * without vmalert) are read from the counters instead.
 */
export class DailyRuleCoverage {
  constructor(private readonly range: RangeRun) {}

  async of(window: WindowSpec): Promise<RecordedDays | undefined> {
    const from = Math.ceil(window.start / DAY) * DAY;
    const last = Math.floor(Math.floor(window.asOf) / DAY) * DAY;
    if (last - from < DAY) return undefined;
    const recorded = await recordedDayEnds(this.range, from + DAY, last);
    let until = from;
    while (until < last && recorded.has(until + DAY)) until += DAY;
    return until > from ? { from, until } : undefined;
  }
}
