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
 * read): then the rule cannot stand in for the counters. Prometheus reads both sides whatever
 * the other holds, and the counters' side is every per-developer series of the family: asked
 * only once {@link ruleQuery} found the rule without a value.
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
  /**
   * Per family, where its rule was found to begin: no value at the whole hours after `after` and
   * before `at`, a value at `at`. The rules hold no pseudonym, so erasure leaves them; retention
   * removes the counters of those hours with them; a backfill of the rule into those hours only
   * makes the counters' check below stricter than it needs to be. So a later window that starts
   * within what was looked at reads the same first value without the subquery (~2,300 steps over
   * 97 days).
   */
  private readonly began = new Map<
    MetricFamily,
    { after: number; at: number }
  >();

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
        const covered = await this.covers(
          family,
          firstRead,
          Math.max(firstRead + HOUR, lastRead),
        );
        return [family, covered ? 'recording-rule' : 'raw'] as const;
      }),
    );
    return Object.fromEntries(entries) as FamilySources;
  }

  /**
   * Covered when the rule has a value at `lastRead` wherever the counters had samples in the
   * hour before, and the counters had no samples in the window before the rule's first value
   * there. The first value is found on the rule's own few series (an hourly subquery), so the
   * counters are read only for the hours before the rules began, where they would be read anyway.
   */
  private async covers(
    family: MetricFamily,
    firstRead: number,
    lastRead: number,
  ): Promise<boolean> {
    const span = lastRead - firstRead;
    const [ruleAtEnd, ruleAtStart] = await Promise.all([
      this.instant(ruleQuery(family), lastRead),
      this.instant(ruleQuery(family), firstRead + HOUR),
    ]);
    if (
      ruleAtEnd.length === 0 &&
      (await this.instant(uncoveredQuery(family), lastRead)).length > 0
    ) {
      return false;
    }
    // A value for the first hour read: the rule began before the window, nothing to check there.
    if (ruleAtStart.length > 0) return true;
    const began = await this.ruleBegan(family, firstRead, lastRead);
    if (began === undefined) {
      // No rule value in the window: covered only when the counters have no samples either.
      const counters = await this.instant(
        countersQuery(family, span),
        lastRead,
      );
      return counters.length === 0;
    }
    // The rule's value at R is the increase over (R − 1h, R]: samples before that are not in it.
    // A sample at R − 1h itself is the start the rule's first increase counts from, so the
    // counters are checked strictly before it.
    const uncoveredBefore = began - HOUR - 1;
    if (uncoveredBefore <= firstRead) return true;
    const before = await this.instant(
      countersQuery(family, uncoveredBefore - firstRead),
      uncoveredBefore,
    );
    return before.length === 0;
  }

  /** The first whole hour after `firstRead`, up to `lastRead`, at which the family's rule had a value. */
  private async ruleBegan(
    family: MetricFamily,
    firstRead: number,
    lastRead: number,
  ): Promise<number | undefined> {
    const known = this.began.get(family);
    if (
      known &&
      known.after <= firstRead &&
      firstRead < known.at &&
      known.at <= lastRead
    ) {
      return known.at;
    }
    const found = await this.instant(
      ruleBeganQuery(family, lastRead - firstRead),
      lastRead,
    );
    const at = found[0]?.points[0]?.[1];
    if (at === undefined || !Number.isFinite(at)) return undefined;
    if (!known || firstRead < known.after) {
      this.began.set(family, { after: firstRead, at });
    }
    return at;
  }
}

/** Non-empty when the family's rule has a value at the evaluation time (a few series). */
function ruleQuery(family: MetricFamily): string {
  return `count(${RECORDING_RULES[family]})`;
}

/** The first hour (a Unix time) within `span` seconds before the evaluation time at which the family's rule had a value. */
export function ruleBeganQuery(family: MetricFamily, span: number): string {
  return `min_over_time(timestamp(count(${RECORDING_RULES[family]}))[${span}s:1h])`;
}

/** Non-empty when the family's counters had samples within `span` seconds before the evaluation time. */
function countersQuery(family: MetricFamily, span: number): string {
  return `count(count_over_time(${FAMILY_METRICS[family]}[${span}s]))`;
}
