import {
  FILTER_NAMES,
  FilterName,
  PanelFilters,
  PanelId,
  PanelResponseById,
  TeamInfo,
  UsageWithheldReason,
} from '@fawkes/plugin-ai-telemetry-common';
import { AdoptionSettings } from '../../config/AiTelemetryConfig';
import {
  PrometheusAlertRule,
  PrometheusSeries,
} from '../../upstream/PrometheusClient';
import {
  CounterFamily,
  FAMILY_FILTERS,
  FamilySources,
  PanelParams,
} from '../families';
import { WindowSpec } from '../window';
import { DailyAmounts } from '../ActivityIndex';
import { InstantQuery, QuerySpec, SeriesQuery } from './queries';

/** The usage families' privacy check: figures with how many report, or why not. */
export type UsageVisibility =
  | { withheld: false; reporting: number }
  | { withheld: true; reason: UsageWithheldReason };

/**
 * A catalog Group the organisation's team comparison may show: the caller may read its team
 * tab, and that tab would show figures. The pseudonyms stay in the backend.
 */
export type ComparableTeam = { info: TeamInfo; userHashes: readonly string[] };

/** What a panel's loader may ask of the service, besides its own queries' results. */
export type PanelContext = {
  params: PanelParams;
  /** Runs a query (through the cache). */
  run(spec: QuerySpec): Promise<PrometheusSeries[]>;
  /** Developers opted in now (for a team: its members). */
  optedInUsers(): Promise<number>;
  /** Catalog Groups with a direct member among the active users of `activeUsers` (organisation only). */
  teamsUsingAi(activeUsers: InstantQuery): Promise<number>;
  alertRules(): Promise<PrometheusAlertRule[]>;
  /**
   * Whether the usage figures (tokens, cost, sessions...) of this view may be shown: the
   * privacy threshold over the usage families alone.
   */
  usageVisibility(): Promise<UsageVisibility>;
  estimates: { hourlyCost: number; seatCostPerMonth: number };
  minGroupSize: number;
  /**
   * On a team dashboard, the other views with the same filters that the team's counts of people
   * could be subtracted from, or that could be subtracted from them: the organisation
   * (`undefined`) and each group below the team whose own tab shows figures, by the pseudonyms
   * of their members; none for the organisation. The QueryService always sets it (as the three
   * below); a panel's own test may leave it out.
   */
  nestedViews?(): Promise<Array<ReadonlySet<string> | undefined>>;
  /** The Groups of the organisation's team comparison; null on a team dashboard. */
  comparableTeams?(): Promise<ComparableTeam[] | null>;
  /** `aiTelemetry.adoption`; its defaults when absent. */
  adoption?: AdoptionSettings;
  /**
   * A range query's amounts per series and day from the activity index, when its read
   * (`indexedDaily`) is one the index can answer whole; otherwise undefined, and the query is run.
   */
  dailyAmounts?(spec: QuerySpec): Promise<DailyAmounts | undefined>;
};

/** A panel's figures. */
export type PanelData<Id extends PanelId> = PanelResponseById[Id]['data'];

/** The queries a panel runs, under names of its own: a query, a list of them, or a series. */
type NamedQueries = Record<string, QuerySpec | QuerySpec[] | SeriesQuery>;

function specsOf(value: QuerySpec | QuerySpec[] | SeriesQuery): QuerySpec[] {
  if (Array.isArray(value)) return value;
  if ('kind' in value) {
    return [value.recorded, value.complete, value.partial].filter(
      (q): q is NonNullable<typeof q> => q !== undefined,
    );
  }
  return [value];
}

/**
 * The results of a {@link SeriesQuery} as one range result: the running step's value joins
 * each series as the point that closes that step, so the buckets it falls into are the same as
 * for the steps that have ended.
 */
export async function runSeries(
  ctx: PanelContext,
  series: SeriesQuery,
): Promise<PrometheusSeries[]> {
  const [recorded, complete, partial] = await Promise.all([
    series.recorded ? ctx.run(series.recorded) : Promise.resolve([]),
    series.complete ? ctx.run(series.complete) : Promise.resolve([]),
    series.partial ? ctx.run(series.partial) : Promise.resolve([]),
  ]);
  const closing = series.partialStart + series.step;
  const byLabels = new Map<string, PrometheusSeries>();
  // The recorded steps come before the others: each series' points stay in time order.
  for (const s of [...recorded, ...complete]) {
    const key = JSON.stringify(s.labels);
    const joined = byLabels.get(key) ?? { labels: s.labels, points: [] };
    joined.points.push(...s.points);
    byLabels.set(key, joined);
  }
  for (const s of partial) {
    const value = s.points[0]?.[1];
    if (value === undefined) continue;
    const key = JSON.stringify(s.labels);
    const joined = byLabels.get(key) ?? { labels: s.labels, points: [] };
    joined.points.push([closing, value]);
    byLabels.set(key, joined);
  }
  return [...byLabels.values()];
}

/**
 * One panel of the dashboard, in one module: which families it reads, the queries it builds
 * from validated parameters, and the loader that turns their results into its figures. The
 * loader receives the very queries the module built, typed, so nothing is looked up by name.
 */
export type PanelDefinition<Id extends PanelId, Q extends NamedQueries> = {
  id: Id;
  /** The families the panel's figures come from (none for alerts). */
  families: readonly CounterFamily[];
  /** Seconds between the points of the panel's series. */
  step(window: WindowSpec): number;
  queries(params: PanelParams, sources: FamilySources): Q;
  load(queries: Q, ctx: PanelContext): Promise<PanelData<Id>>;
  /** Queries the panel shows besides its PromQL (the alerts panel's rules API call). */
  extraQueries?: Array<{ query: string; source: 'rules-api' }>;
  /**
   * The figures of the panel's tiles, by name: answered for the previous window of the same
   * length too, so that each tile shows its change.
   */
  tiles?: (data: PanelData<Id>) => Record<string, number | null>;
};

/** A panel as the service uses it: its queries for a request, and how to load its figures. */
export type Panel<Id extends PanelId> = {
  id: Id;
  families: readonly CounterFamily[];
  step(window: WindowSpec): number;
  extraQueries: Array<{ query: string; source: 'rules-api' }>;
  tiles?: (data: PanelData<Id>) => Record<string, number | null>;
  plan(
    params: PanelParams,
    sources: FamilySources,
  ): {
    queries: QuerySpec[];
    load(ctx: PanelContext): Promise<PanelData<Id>>;
  };
};

/** Turns a panel module's definition into the {@link Panel} the service runs. */
export function definePanel<Id extends PanelId, Q extends NamedQueries>(
  definition: PanelDefinition<Id, Q>,
): Panel<Id> {
  return {
    id: definition.id,
    families: definition.families,
    step: definition.step,
    extraQueries: definition.extraQueries ?? [],
    tiles: definition.tiles,
    plan(params, sources) {
      const queries = definition.queries(params, sources);
      return {
        queries: Object.values(queries).flatMap(specsOf),
        load: ctx => definition.load(queries, ctx),
      };
    },
  };
}

/** The filters of a request that a panel cannot apply (alerts apply none). */
export function ignoredFilters(
  families: readonly CounterFamily[],
  filters: PanelFilters,
): FilterName[] {
  return FILTER_NAMES.filter(
    name =>
      filters[name] !== undefined &&
      (families.length === 0 ||
        families.some(f => !FAMILY_FILTERS[f].includes(name))),
  );
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
