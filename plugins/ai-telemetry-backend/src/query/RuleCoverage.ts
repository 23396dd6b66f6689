import {
  CounterFamily,
  FamilySources,
  FAMILY_METRICS,
  METRIC_FAMILIES,
  MetricFamily,
  PanelParams,
  RECORDING_RULES,
} from './families';
import { HOUR, MOVING_AVERAGE_SECONDS } from './window';
import { PrometheusSeries } from '../upstream/PrometheusClient';

/** An instant query, run through the query cache. */
export type InstantRun = (
  query: string,
  time: number,
) => Promise<PrometheusSeries[]>;

/**
 * Non-empty when the family's raw counters have samples in the hour before the evaluation time
 * but its recording rule has no value at that time (which is what the panels' hourly subqueries
 * read): then the rule cannot stand in for the counters.
 */
export function uncoveredQuery(family: MetricFamily): string {
  return (
    `count(count_over_time(${FAMILY_METRICS[family]}[1h])) unless on() ` +
    `count(${RECORDING_RULES[family]})`
  );
}

/**
 * Decides, per metric family, whether the organisation panels can read the recording rules:
 * only where the rule's series exist wherever the raw counters do, checked in the first and the
 * last hour the panels read (a rule deployed after the data began, or an engine that does not
 * evaluate rules, such as VictoriaMetrics without vmalert, falls back to the raw counters).
 * Teams always read the raw counters, since the rules hold no user_hash.
 */
export class RuleCoverage {
  constructor(private readonly instant: InstantRun) {}

  /** The source of each family; only `families` are checked, the others read raw. */
  async sources(
    params: PanelParams,
    families: readonly CounterFamily[] = METRIC_FAMILIES,
  ): Promise<FamilySources> {
    const entries = await Promise.all(
      METRIC_FAMILIES.map(async family => {
        if (params.team || !families.includes(family)) {
          return [family, 'raw'] as const;
        }
        const { start, end, asOf } = params.window;
        const firstRead =
          family === 'suggestions' ? start - MOVING_AVERAGE_SECONDS : start;
        // The last hour the rules are read for has ended by asOf (the running step is read raw).
        const lastRead = Math.min(end, Math.floor(asOf / HOUR) * HOUR);
        const covered = await this.covers(family, [
          firstRead + HOUR,
          Math.max(firstRead + HOUR, lastRead),
        ]);
        return [family, covered ? 'recording-rule' : 'raw'] as const;
      }),
    );
    return Object.fromEntries(entries) as FamilySources;
  }

  private async covers(
    family: MetricFamily,
    times: number[],
  ): Promise<boolean> {
    const results = await Promise.all(
      times.map(time => this.instant(uncoveredQuery(family), time)),
    );
    return results.every(result => result.length === 0);
  }
}
