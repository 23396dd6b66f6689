import {
  PanelParams,
  QueryKey,
  QuerySpec,
  UsageWithheldReason,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  PrometheusAlertRule,
  PrometheusSeries,
} from '../../upstream/PrometheusClient';

/** What a panel's data is computed from. */
export type PanelContext = {
  params: PanelParams;
  /** The panel's queries, from the panel catalog. */
  specs: QuerySpec[];
  /** Runs a query (through the cache). */
  run(spec: QuerySpec): Promise<PrometheusSeries[]>;
  /** Developers opted in now (for a team: its members). */
  optedInUsers(): Promise<number>;
  /** Catalog Groups with a direct member among the active users of `activeUsers` (organisation only). */
  teamsUsingAi(activeUsers: QuerySpec): Promise<number>;
  alertRules(): Promise<PrometheusAlertRule[]>;
  /**
   * Whether the usage figures (tokens, cost, sessions...) of this view may be shown: the
   * privacy threshold over the usage families alone.
   */
  usageVisibility(): Promise<UsageVisibility>;
  estimates: { hourlyCost: number; seatCostPerMonth: number };
  minGroupSize: number;
};

/** The usage families' privacy check: figures with how many report, or why not. */
export type UsageVisibility =
  | { withheld: false; reporting: number }
  | { withheld: true; reason: UsageWithheldReason };

/** The panel's query with that key. */
export function specFor(ctx: PanelContext, key: QueryKey): QuerySpec {
  const spec = ctx.specs.find(s => s.key === key);
  if (!spec) {
    throw new Error(`the panel has no ${key} query`);
  }
  return spec;
}

/** The value of a one-element instant result (`count(...)`), 0 when it is empty. */
export function scalarOf(series: PrometheusSeries[]): number {
  const value = series[0]?.points[0]?.[1];
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/** Active users from an activeUsers result: a count for a team, one series per pseudonym otherwise. */
export function activeUserCount(
  ctx: PanelContext,
  series: PrometheusSeries[],
): number {
  return ctx.params.team ? scalarOf(series) : series.length;
}
