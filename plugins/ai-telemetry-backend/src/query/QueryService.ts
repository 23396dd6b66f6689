import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
import { setImmediate as nextTurn } from 'timers/promises';
import {
  DashboardResponse,
  isPanelError,
  OrganisationDashboardResponse,
  OrganisationPanelResponse,
  OrganisationTooFewParticipants,
  PANEL_IDS,
  PanelError,
  PanelId,
  PanelQuery,
  PanelResponse,
  PanelResponseById,
  PreviousWindow,
  QueryWindow,
  RawQueryRequest,
  RawQueryResponse,
  TeamDashboardResponse,
  TooFewParticipantsReason,
} from '@fawkes/plugin-ai-telemetry-common';
import { FamilySources, PanelParams } from './families';
import { PanelRequest, parsePanelRequest, parseTime } from './params';
import { IndexedInstant, InstantQuery, QuerySpec } from './panels/queries';
import { ActivityIndex, DailyAmounts } from './ActivityIndex';
import { matchesEqual } from './promql';
import {
  LIVE_RESOLUTION_SECONDS,
  MAX_POINTS_PER_QUERY,
  PanelParameterError,
  pointCount,
} from './window';
import { AiTelemetryConfig } from '../config/AiTelemetryConfig';
import {
  PrometheusAlertRule,
  PrometheusClient,
  PrometheusSeries,
} from '../upstream/PrometheusClient';
import { UpstreamError } from '../upstream/errors';
import {
  ComparableTeam,
  ignoredFilters,
  PANELS,
  PanelContext,
  PanelData,
  UsageVisibility,
} from './panels';
import { AnswerCache, SerialisedAnswer } from './AnswerCache';
import { CounterPresence } from './CounterPresence';
import { QueryCache } from './QueryCache';
import { PrivacyThreshold } from './privacyThreshold';
import { breakdownLabelsOf, RowVisibility } from './breakdownRows';
import {
  CheckedRawQuery,
  checkQueryStep,
  checkRawQuery,
} from './rawQueryGuard';
import { assertPooled } from './rawQueryPooling';
import {
  hourlyPoolingOf,
  PoolingIndex,
  provesPooled,
} from './rawQueryPoolingIndex';
import { DailyRuleCoverage } from './RecordedDays';
import { RuleCoverage } from './RuleCoverage';
import { TeamReadCheck } from './teamAccess';
import { ResolvedTeam, TeamResolver } from './TeamResolver';
import { OptInStore } from '../database/OptInStore';

/** How many checked raw queries are kept, so that one asked again is not parsed again. */
const CHECKED_QUERIES = 100;

/** How many answers of the activity index are kept for reuse (each panel read of an answer). */
const INDEXED_ANSWERS = 32;

/** Alert states change by the minute: they are reused only briefly. */
const ALERT_RULES_TTL_MS = 10_000;

/**
 * A query to run: a panel query (with the read the activity index may answer in its place), or
 * one of the service's own (kept `ttlMs`, when given).
 */
type QueryRun = (
  | { type: 'range'; query: string; start: number; end: number; step: number }
  | { type: 'instant'; query: string; time: number; indexed?: IndexedInstant }
) & { ttlMs?: number };

/** The activity index and where erasures are listed, so that it forgets what they deleted. */
export type ActivitySource = {
  index: ActivityIndex;
  erasures(): Promise<Array<{ userHash: string; finishedAt?: Date }>>;
};

/** The key of a series grouped `by` these labels (both sides of a join are grouped so). */
function groupKey(labels: Record<string, string>, by: readonly string[]) {
  return JSON.stringify(by.map(name => labels[name] ?? ''));
}

/**
 * A family's rest narrowed to one read: its series under the read's matchers, summed by its
 * labels, those with data only (as `sum by (by) (...{matchers}) > 0` would answer).
 */
function narrowed(
  series: PrometheusSeries[],
  read: IndexedInstant,
): PrometheusSeries[] {
  const groups = new Map<string, PrometheusSeries>();
  for (const s of series) {
    if (!matchesEqual(s.labels, read.matchers)) continue;
    const value = s.points[0]?.[1];
    if (value === undefined || !Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const name of read.by) {
      if (s.labels[name]) labels[name] = s.labels[name];
    }
    const key = groupKey(labels, read.by);
    const known = groups.get(key);
    if (known) known.points[0][1] += value;
    else groups.set(key, { labels, points: [[s.points[0][0], value]] });
  }
  return [...groups.values()].filter(s => s.points[0][1] > 0);
}

/**
 * The index's answer joined with the rest of the window's from Prometheus: amounts added per
 * label set (presence stays 1), series with data only.
 */
function joined(
  fromIndex: PrometheusSeries[],
  rest: PrometheusSeries[],
  { needs, by }: IndexedInstant,
): PrometheusSeries[] {
  if (!rest.some(s => (s.points[0]?.[1] ?? 0) > 0)) return fromIndex;
  const byKey = new Map<string, PrometheusSeries>();
  const keyOf = (labels: Record<string, string>) => groupKey(labels, by);
  for (const s of fromIndex) byKey.set(keyOf(s.labels), s);
  for (const s of rest) {
    const value = s.points[0]?.[1];
    if (!(value !== undefined && value > 0)) continue;
    const known = byKey.get(keyOf(s.labels));
    if (!known) {
      byKey.set(keyOf(s.labels), {
        labels: s.labels,
        points: [[s.points[0][0], needs === 'values' ? value : 1]],
      });
    } else if (needs === 'values') {
      known.points[0][1] += value;
    }
  }
  return [...byKey.values()];
}

export type QueryServiceOptions = {
  prometheus: PrometheusClient;
  cache: QueryCache;
  optIns: Pick<OptInStore, 'listOptedIn' | 'registryVersion'>;
  teams: TeamResolver;
  settings: Pick<
    AiTelemetryConfig,
    'languages' | 'assistants' | 'privacy' | 'estimates'
  > &
    Partial<Pick<AiTelemetryConfig, 'adoption'>>;
  logger: LoggerService;
  /** The activity index, where the backend keeps one. */
  activity?: ActivitySource;
  /** Now, in unix seconds (tests fix it). */
  now?: () => number;
};

function toWindow(params: PanelRequest): QueryWindow {
  const { start, end, asOf, step } = params.window;
  return { start: start * 1000, end: end * 1000, asOf: asOf * 1000, step };
}

function toPanelQuery(spec: QuerySpec): PanelQuery {
  return spec.type === 'range'
    ? {
        query: spec.display,
        type: 'range',
        source: spec.source,
        start: spec.start * 1000,
        end: spec.end * 1000,
        step: spec.step,
      }
    : {
        query: spec.display,
        type: 'instant',
        source: spec.source,
        time: spec.time * 1000,
      };
}

/** Who asks, as far as an answer depends on it (the Groups they may read). */
function callerOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return `${principal.type}:${
    principal.userEntityRef ?? principal.subject ?? ''
  }`;
}

/** Whether no panel of an answer failed: only then is it worth keeping. */
function allPanelsAnswered(
  answer: OrganisationDashboardResponse | TeamDashboardResponse,
): boolean {
  return (
    answer.tooFewParticipants ||
    !Object.values(answer.panels).some(isPanelError)
  );
}

function statusOf(error: Error): number {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return status;
  switch (error.name) {
    case 'InputError':
      return 400;
    case 'NotAllowedError':
      return 403;
    case 'NotFoundError':
      return 404;
    case 'ServiceUnavailableError':
      return 503;
    default:
      return 500;
  }
}

/**
 * The panels of the organisation and team dashboards, and the admin's raw queries. Every query
 * is built on the server from the panel catalog with validated parameters; results go through
 * the cache, where identical concurrent queries are coalesced; answers carry aggregates only.
 */
export class QueryService {
  private readonly coverage: RuleCoverage;
  private readonly recorded: DailyRuleCoverage;
  private readonly privacy: PrivacyThreshold;
  private readonly presence: CounterPresence;
  private readonly usageChecks = new WeakMap<
    PanelParams,
    Promise<UsageVisibility>
  >();
  private readonly rowChecks = new WeakMap<
    PanelParams,
    Promise<RowVisibility>
  >();
  private readonly now: () => number;
  private readonly answers = new AnswerCache();
  private readonly checkedQueries = new Map<string, CheckedRawQuery>();
  private readonly poolingIndex: PoolingIndex;
  private activityGeneration?: string;
  private activityCheck?: Promise<void>;
  private readonly indexedAnswers = new Map<
    string,
    Promise<PrometheusSeries[]>
  >();

  constructor(private readonly options: QueryServiceOptions) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.coverage = new RuleCoverage((query, time) =>
      this.run({ type: 'instant', query, time }),
    );
    this.presence = new CounterPresence((label, matchers, start, end) =>
      options.cache.get(
        JSON.stringify(['label-values', label, matchers, start, end]),
        () => options.prometheus.labelValues(label, matchers, start, end),
      ),
    );
    this.recorded = new DailyRuleCoverage(
      (query, start, end, step) =>
        this.run({ type: 'range', query, start, end, step }),
      (start, end) => this.presence.between(start, end),
    );
    this.privacy = new PrivacyThreshold({
      run: spec => this.run(spec),
      minGroupSize: options.settings.privacy.minGroupSize,
    });
    this.poolingIndex = new PoolingIndex({
      range: (query, start, end, step, ttlMs) =>
        this.run({ type: 'range', query, start, end, step, ttlMs }),
      retentionDays: options.settings.privacy.retentionDays,
      now: this.now,
    });
  }

  /** Validates a dashboard's query string; an InputError names the offending field. */
  parseRequest(query: Record<string, unknown>): PanelRequest {
    const { languages, assistants, privacy } = this.options.settings;
    try {
      return parsePanelRequest(query, {
        languages,
        assistants,
        retentionDays: privacy.retentionDays,
        now:
          Math.floor(this.now() / LIVE_RESOLUTION_SECONDS) *
          LIVE_RESOLUTION_SECONDS,
      });
    } catch (error) {
      if (error instanceof PanelParameterError) {
        throw new InputError(`Invalid ${error.field}: ${error.message}`);
      }
      throw error;
    }
  }

  /**
   * Every panel, for the organisation, or no figures under the privacy threshold. The team
   * comparison shows the Groups `canReadTeams` allows (none without it).
   */
  async dashboard(
    request: PanelRequest,
    credentials: BackstageCredentials,
    canReadTeams?: TeamReadCheck,
  ): Promise<OrganisationDashboardResponse> {
    const params = await this.withRecordedDays(request);
    // Which families the rules cover is asked of Prometheus while the threshold counts people
    // (from the activity index, in this process): neither waits for the other.
    const sources = this.coverage.sources(params);
    sources.catch(() => undefined);
    const reason = await this.privacy.organisation(params);
    if (reason) return this.tooFew(request, reason);
    const dashboard = await this.allPanels(
      params,
      credentials,
      undefined,
      canReadTeams,
      await sources,
    );
    const { minGroupSize } = this.options.settings.privacy;
    return { ...dashboard, tooFewParticipants: false, minGroupSize };
  }

  /**
   * {@link dashboard} as sent, serialised once: reused for the same caller, window (to its
   * `asOf`, read to 15 seconds) and filters for a short while (AnswerCache), so that every
   * request after the first within the same 15 seconds is one lookup.
   */
  async dashboardAnswer(
    request: PanelRequest,
    credentials: BackstageCredentials,
    canReadTeams?: TeamReadCheck,
  ): Promise<SerialisedAnswer> {
    const key = await this.answerKey(['dashboard'], request, credentials);
    return this.answers.get(
      key,
      () => this.dashboard(request, credentials, canReadTeams),
      allPanelsAnswered,
    );
  }

  /** {@link teamDashboard} as sent, reused as {@link dashboardAnswer} is. */
  async teamDashboardAnswer(
    group: { namespace: string; name: string },
    request: PanelRequest,
    credentials: BackstageCredentials,
  ): Promise<SerialisedAnswer> {
    const key = await this.answerKey(
      ['team', group.namespace, group.name],
      request,
      credentials,
    );
    return this.answers.get(
      key,
      () => this.teamDashboard(group, request, credentials),
      allPanelsAnswered,
    );
  }

  /**
   * One panel, for the organisation, or no figures under the privacy threshold (the alerts,
   * which tell nothing about people, are always answered).
   */
  async panel(
    id: PanelId,
    request: PanelRequest,
    credentials: BackstageCredentials,
    canReadTeams?: TeamReadCheck,
  ): Promise<OrganisationPanelResponse> {
    const params = await this.withRecordedDays(request);
    if (PANELS[id].families.length > 0) {
      const reason = await this.privacy.organisation(params);
      if (reason) return this.tooFew(request, reason);
    }
    const sources = await this.coverage.sources(params, PANELS[id].families);
    return this.loadPanel(
      id,
      params,
      sources,
      credentials,
      undefined,
      canReadTeams,
    );
  }

  /**
   * Every panel for a catalog Group (its members and its child groups' members, opted in),
   * or no figures at all under the privacy threshold: when fewer than `minGroupSize` of them
   * have data (per metric family, under the filters that family allows), or when the view
   * differs by fewer than `minGroupSize` people from a subgroup's, the organisation's or the
   * same view with fewer filters ({@link PrivacyThreshold}).
   */
  async teamDashboard(
    group: { namespace: string; name: string },
    request: PanelRequest,
    credentials: BackstageCredentials,
  ): Promise<TeamDashboardResponse> {
    const { minGroupSize } = this.options.settings.privacy;
    const team = await this.options.teams.resolve(group, credentials);
    if (team.userHashes.length < minGroupSize) {
      return { ...this.tooFew(request, 'threshold'), team: team.info };
    }
    const withDays = await this.withRecordedDays(request);
    const reason = await this.privacy.team(withDays, team);
    if (reason) return { ...this.tooFew(request, reason), team: team.info };

    const params: PanelParams = {
      ...withDays,
      team: { userHashes: team.userHashes },
    };

    const dashboard = await this.allPanels(params, credentials, team);
    return {
      ...dashboard,
      tooFewParticipants: false,
      team: team.info,
      minGroupSize,
    };
  }

  /**
   * Runs an admin's PromQL over a range, as the guard (rawQueryGuard) checked and wrote it, and
   * answers only when every group of every aggregation of per-person series, and of every
   * recording rule it reads, pools at least `minGroupSize` pseudonyms at every step
   * (rawQueryPooling): otherwise an InputError names the group and the count. Where the hourly
   * counts of growing counters prove it (rawQueryPoolingIndex, cached per day), the companion
   * query that counts the people is not needed: the common case costs the query alone.
   */
  async rawQuery(body: RawQueryRequest): Promise<RawQueryResponse> {
    const checked = this.checked(body.query);
    const start = parseTime('start', body.start);
    const end = parseTime('end', body.end);
    const step = parseStep(body.step);
    if (end <= start) {
      throw new InputError('Invalid end: end must be later than start');
    }
    const earliest =
      this.now() - this.options.settings.privacy.retentionDays * 86400;
    if (end < earliest) {
      throw new InputError(
        `Invalid end: the range lies before the retention of ${this.options.settings.privacy.retentionDays} days`,
      );
    }
    const from = Math.max(start, Math.floor(earliest / step) * step);
    const points = pointCount(from, end, step);
    if (points > MAX_POINTS_PER_QUERY) {
      throw new InputError(
        `Invalid step: ${points} points from start to end, more than ${MAX_POINTS_PER_QUERY}; ` +
          `use a step of at least ${Math.ceil(
            (end - from) / (MAX_POINTS_PER_QUERY - 1),
          )} seconds`,
      );
    }
    if (points > 1) checkQueryStep(checked, step);
    const { minGroupSize } = this.options.settings.privacy;
    const range = (query: string) =>
      this.run({ type: 'range', query, start: from, end, step });
    // Units that hourly counts can vouch for are checked against them once the answer is in
    // (its groups are theirs); the others, and those the counts do not prove pooled, by their
    // companion queries (rawQueryPooling).
    const hourly = checked.units.map(unit =>
      hourlyPoolingOf(unit, checked.promql),
    );
    let series: PrometheusSeries[];
    try {
      const [answer, , counts] = await Promise.all([
        range(checked.promql),
        assertPooled(
          checked.units.filter((_, i) => !hourly[i]),
          range,
          minGroupSize,
        ),
        // Read once the queries are on their way: read from the cache, as they nearly always
        // are, the counts would otherwise hold up the sending for as long as they take.
        nextTurn().then(() =>
          Promise.all(
            hourly.map(h =>
              h ? this.poolingIndex.counts(h, from - h.window, end) : undefined,
            ),
          ),
        ),
      ]);
      series = answer;
      await assertPooled(
        checked.units.filter(
          (_, i) =>
            hourly[i] &&
            !provesPooled(hourly[i]!, counts[i]!, series, minGroupSize),
        ),
        range,
        minGroupSize,
      );
    } catch (error) {
      if (
        error instanceof UpstreamError &&
        error.upstreamErrorType === 'bad_data'
      ) {
        throw new InputError(`Prometheus refused the query: ${error.message}`);
      }
      throw error;
    }
    const withHash = series.filter(s => 'user_hash' in s.labels).length;
    if (withHash > 0) {
      throw new InputError(
        `The result would carry user_hash on ${withHash} series; aggregate it away, ` +
          'e.g. sum by (language) (...)',
      );
    }
    return {
      query: body.query,
      start: from * 1000,
      end: end * 1000,
      step,
      series: series.map(s => ({
        labels: s.labels,
        points: s.points.map(([t, v]) => ({ t: t * 1000, v })),
      })),
    };
  }

  /** A raw query as the guard checked it; a query asked again is not parsed again. */
  private checked(query: string): CheckedRawQuery {
    let checked = this.checkedQueries.get(query);
    if (checked) {
      // Most recently used last.
      this.checkedQueries.delete(query);
    } else {
      checked = checkRawQuery(query);
      for (const old of this.checkedQueries.keys()) {
        if (this.checkedQueries.size < CHECKED_QUERIES) break;
        this.checkedQueries.delete(old);
      }
    }
    this.checkedQueries.set(query, checked);
    return checked;
  }

  /** Drops every cached result and answer (erasure's last step). */
  async dropCachedResults(): Promise<void> {
    await this.options.cache.dropAll();
    this.answers.clear();
  }

  /**
   * What a finished answer depends on: the view, the caller, the window and filters, the
   * generation of the cached results (so that erasure on any instance drops it too) and the
   * opt-in registry's version (an opt-out counts at once, on every instance).
   */
  private async answerKey(
    view: string[],
    request: PanelRequest,
    credentials: BackstageCredentials,
  ): Promise<string> {
    const [generation, registry] = await Promise.all([
      this.options.cache.generation(),
      this.options.optIns.registryVersion(),
    ]);
    return JSON.stringify([
      generation,
      registry,
      ...view,
      callerOf(credentials),
      request.window,
      request.filters,
    ]);
  }

  private tooFew(
    request: PanelRequest,
    reason: TooFewParticipantsReason,
  ): OrganisationTooFewParticipants {
    return {
      tooFewParticipants: true,
      reason,
      minGroupSize: this.options.settings.privacy.minGroupSize,
      window: toWindow(request),
      filters: request.filters,
    };
  }

  private async allPanels(
    params: PanelParams,
    credentials: BackstageCredentials,
    team?: ResolvedTeam,
    canReadTeams?: TeamReadCheck,
    known?: FamilySources,
  ): Promise<DashboardResponse> {
    const sources = known ?? (await this.coverage.sources(params));
    const settled = await Promise.allSettled(
      PANEL_IDS.map(id =>
        this.loadPanel(id, params, sources, credentials, team, canReadTeams),
      ),
    );
    if (settled.every(s => s.status === 'rejected')) {
      throw (settled[0] as PromiseRejectedResult).reason;
    }
    const panels = Object.fromEntries(
      settled.map((result, i): [PanelId, PanelResponse | PanelError] => {
        const id = PANEL_IDS[i];
        if (result.status === 'fulfilled') return [id, result.value];
        const error = isError(result.reason)
          ? result.reason
          : new Error(String(result.reason));
        this.options.logger.warn(`Panel ${id} failed: ${error.message}`);
        return [
          id,
          {
            id,
            error: {
              name: error.name,
              message: error.message,
              statusCode: statusOf(error),
            },
          },
        ];
      }),
    ) as DashboardResponse['panels'];
    return { window: toWindow(params), filters: params.filters, panels };
  }

  private async loadPanel<Id extends PanelId>(
    id: Id,
    params: PanelParams,
    sources: FamilySources,
    credentials: BackstageCredentials,
    team?: ResolvedTeam,
    canReadTeams?: TeamReadCheck,
  ): Promise<PanelResponseById[Id]> {
    const panel = PANELS[id] as (typeof PANELS)[Id];
    const [{ data, queries }, previous] = await Promise.all([
      this.computePanel(
        panel,
        params,
        sources,
        credentials,
        team,
        canReadTeams,
      ),
      panel.tiles
        ? this.previousTiles(panel, params, credentials, team)
        : Promise.resolve(undefined),
    ]);
    return {
      id,
      window: toWindow(params),
      step: panel.step(params.window),
      filters: params.filters,
      ignoredFilters: ignoredFilters(panel.families, params.filters),
      queries,
      data,
      ...(previous && { previous }),
    } as PanelResponseById[Id];
  }

  /**
   * The usage panel's privacy check for one request, worked out once: the time saved panel
   * (its ROI's usage cost) and the usage panel ask it of the same params object.
   */
  private usageVisibility(
    params: PanelParams,
    team?: ResolvedTeam,
  ): Promise<UsageVisibility> {
    let visibility = this.usageChecks.get(params);
    if (!visibility) {
      visibility = this.privacy.usage(params, team);
      this.usageChecks.set(params, visibility);
    }
    return visibility;
  }

  private async computePanel<Id extends PanelId>(
    panel: (typeof PANELS)[Id],
    params: PanelParams,
    sources: FamilySources,
    credentials: BackstageCredentials,
    team?: ResolvedTeam,
    canReadTeams?: TeamReadCheck,
    breakdowns: 'rows' | 'totals only' = 'rows',
  ): Promise<{ data: PanelData<Id>; queries: PanelQuery[] }> {
    const plan = panel.plan(params, sources);
    const nestedViews = async () =>
      team
        ? [
            undefined,
            ...(await this.privacy.subgroupsShowing(params, team)).map(
              hashes => new Set(hashes),
            ),
          ]
        : [];
    const ctx: PanelContext = {
      params,
      run:
        breakdowns === 'rows'
          ? spec => this.runWithRows(spec, params, nestedViews, team)
          : spec => this.run(spec),
      optedInUsers: team
        ? async () => team.userHashes.length
        : async () => (await this.options.optIns.listOptedIn()).length,
      teamsUsingAi: activeSpec => this.teamsUsingAi(activeSpec, credentials),
      alertRules: () => this.alertRules(),
      usageVisibility: () => this.usageVisibility(params, team),
      estimates: this.options.settings.estimates,
      minGroupSize: this.options.settings.privacy.minGroupSize,
      nestedViews,
      comparableTeams: async () =>
        team ? null : this.comparableTeams(params, credentials, canReadTeams),
      adoption: this.options.settings.adoption,
      dailyAmounts: spec => this.dailyAmounts(spec),
    };
    const data = (await plan.load(ctx)) as PanelData<Id>;
    const queries: PanelQuery[] = [
      ...plan.queries.map(toPanelQuery),
      ...panel.extraQueries.map(q => ({ ...q, type: 'instant' as const })),
    ];
    return { data, queries };
  }

  /**
   * A panel query's results with the rows of its breakdowns under the privacy threshold of rows
   * ({@link PrivacyThreshold.rows}): values too few developers share pooled as one row. The
   * rows are decided once per request, and only when a result has a breakdown label.
   */
  private async runWithRows(
    spec: QuerySpec,
    params: PanelParams,
    nestedViews: () => Promise<Array<ReadonlySet<string> | undefined>>,
    team?: ResolvedTeam,
  ): Promise<PrometheusSeries[]> {
    const series = await this.run(spec);
    if (breakdownLabelsOf(spec.family, series).length === 0) return series;
    let rows = this.rowChecks.get(params);
    if (!rows) {
      rows = nestedViews().then(nested =>
        this.privacy.rows(params, nested, team),
      );
      this.rowChecks.set(params, rows);
    }
    return (await rows).relabel(spec.family, series);
  }

  /**
   * The panel's tiles over the previous window of the same length (shifted back by the
   * window's length, so the same part of a running day is compared), under the privacy
   * threshold of that window, or why there are none.
   */
  private async previousTiles<Id extends PanelId>(
    panel: (typeof PANELS)[Id],
    params: PanelParams,
    credentials: BackstageCredentials,
    team?: ResolvedTeam,
  ): Promise<PreviousWindow> {
    const { start, end, asOf, step, barStep } = params.window;
    const length = end - start;
    const previousRequest: PanelParams = {
      ...params,
      recordedDays: undefined,
      window: {
        start: start - length,
        end: end - length,
        asOf: asOf - length,
        step,
        barStep,
      },
    };
    const window = toWindow(previousRequest);
    const earliest =
      this.now() - this.options.settings.privacy.retentionDays * 86400;
    if (previousRequest.window.start < earliest) {
      return { window, withheld: 'retention' };
    }
    // Before the first data, no one to count: the threshold withholds it without reading them.
    if (!(await this.presence.any(previousRequest.window))) {
      return { window, withheld: 'threshold' };
    }
    const previous = await this.withRecordedDays(previousRequest);
    const reason = team
      ? await this.privacy.team(previous, team)
      : await this.privacy.organisation(previous);
    if (reason) return { window, withheld: reason };
    const sources = await this.coverage.sources(previous, panel.families);
    // Only the tiles are answered for the previous window: no rows to decide.
    const { data } = await this.computePanel(
      panel,
      previous,
      sources,
      credentials,
      team,
      undefined,
      'totals only',
    );
    return { window, tiles: panel.tiles!(data as never) };
  }

  /**
   * The Groups of the organisation's team comparison: each whose own team dashboard would show
   * figures for this request (the same rules as {@link teamDashboard}) and whose team tab the
   * caller may open. One read of the catalog, the threshold's participants counted once for all.
   */
  private async comparableTeams(
    request: PanelRequest,
    credentials: BackstageCredentials,
    canReadTeams?: TeamReadCheck,
  ): Promise<ComparableTeam[]> {
    if (!canReadTeams) return [];
    // Reading every Group and deciding each team's threshold is work on this thread: the
    // queries the other panels have just asked are sent to Prometheus first.
    await nextTurn();
    const { minGroupSize } = this.options.settings.privacy;
    const candidates = (
      await this.options.teams.resolveAll(credentials)
    ).filter(team => team.userHashes.length >= minGroupSize);
    const reasons = await this.privacy.teams(request, candidates);
    const showing = candidates.filter((_, i) => reasons[i] === undefined);
    const readable = await canReadTeams(showing.map(t => t.info.entityRef));
    return showing
      .filter((_, i) => readable[i])
      .map(({ info, userHashes }) => ({ info, userHashes }));
  }

  /** The params with the days of their window that the per-developer daily rules hold. */
  private async withRecordedDays(params: PanelParams): Promise<PanelParams> {
    const recordedDays = await this.recorded.of(params.window);
    return recordedDays ? { ...params, recordedDays } : params;
  }

  private async run(q: QueryRun): Promise<PrometheusSeries[]> {
    const { activity } = this.options;
    if (!activity || q.type !== 'instant' || !q.indexed) return this.ask(q);
    if (!(await this.activityUsable(activity))) return this.ask(q);
    // The same read is asked by several panels of one answer: worked out once, until the cached
    // results' generation or what the index holds changes.
    const key = JSON.stringify([
      this.activityGeneration,
      activity.index.version,
      q.query,
      q.time,
    ]);
    const known = this.indexedAnswers.get(key);
    if (known) return known;
    const answer = this.fromActivity(activity, q);
    this.indexedAnswers.set(key, answer);
    answer.catch(() => this.indexedAnswers.delete(key));
    for (const old of this.indexedAnswers.keys()) {
      if (this.indexedAnswers.size <= INDEXED_ANSWERS) break;
      this.indexedAnswers.delete(old);
    }
    return answer;
  }

  /**
   * A range query's amounts per series and day from the activity index, where its read is one
   * the index holds every day of; undefined otherwise (the caller runs the query).
   */
  private async dailyAmounts(
    spec: QuerySpec,
  ): Promise<DailyAmounts | undefined> {
    const { activity } = this.options;
    if (!activity || spec.type !== 'range' || !spec.indexedDaily)
      return undefined;
    if (!(await this.activityUsable(activity))) return undefined;
    // As in fromActivity: the queries already asked are sent first.
    await nextTurn();
    return activity.index.answerDaily(spec.indexedDaily);
  }

  /** Whether the index may answer now: it has forgotten every erasure's pseudonym. */
  private async activityUsable(activity: ActivitySource): Promise<boolean> {
    try {
      await this.activityCurrent(activity);
      return true;
    } catch (error) {
      // Erasures cannot be listed (the database is down): the index may hold a pseudonym that
      // is gone, so Prometheus answers until they can.
      this.options.logger.warn(
        `Activity index not used: erasures could not be listed: ${error}`,
      );
      return false;
    }
  }

  /** A query with a read the activity index may answer: from it where it holds every day. */
  private async fromActivity(
    activity: ActivitySource,
    q: Extract<QueryRun, { type: 'instant' }>,
  ): Promise<PrometheusSeries[]> {
    // The answer is worked out here, on this thread: the queries the same panels have just
    // asked of Prometheus are sent first, so that Prometheus works meanwhile.
    await nextTurn();
    const read = q.indexed!;
    const fromIndex = activity.index.answer(read, q.time);
    if (!fromIndex) return this.ask(q);
    if (!read.rest) return fromIndex;
    // The family's rest, shared by every read of it (one query through the cache).
    const rest = await this.ask({
      type: 'instant',
      query: read.rest,
      time: q.time,
    });
    return joined(fromIndex, narrowed(rest, read), read);
  }

  /**
   * Before the activity index answers: when the cached results' generation has changed since it
   * last looked (an erasure's last step, on any instance, or a cache that lost it), it forgets
   * the pseudonyms of every erasure listed.
   */
  private activityCurrent(activity: ActivitySource): Promise<void> {
    this.activityCheck ??= (async () => {
      const generation = await this.options.cache.generation();
      if (generation === this.activityGeneration) return;
      const now = this.now();
      for (const job of await activity.erasures()) {
        activity.index.forget(
          job.userHash,
          job.finishedAt ? job.finishedAt.getTime() / 1000 : now,
        );
      }
      this.activityGeneration = generation;
    })().finally(() => {
      this.activityCheck = undefined;
    });
    return this.activityCheck;
  }

  private ask(q: QueryRun): Promise<PrometheusSeries[]> {
    const { prometheus, cache } = this.options;
    const key = JSON.stringify(
      q.type === 'range'
        ? [q.type, q.query, q.start, q.end, q.step]
        : [q.type, q.query, q.time],
    );
    return cache.get(
      key,
      () =>
        q.type === 'range'
          ? prometheus.rangeQuery(q.query, q.start, q.end, q.step)
          : prometheus.instantQuery(q.query, q.time),
      { ttlMs: q.ttlMs },
    );
  }

  private alertRules(): Promise<PrometheusAlertRule[]> {
    return this.options.cache.get(
      'alert-rules',
      () => this.options.prometheus.alertRules(),
      { ttlMs: ALERT_RULES_TTL_MS },
    );
  }

  private async teamsUsingAi(
    activeSpec: InstantQuery,
    credentials: BackstageCredentials,
  ): Promise<number> {
    const active = await this.run(activeSpec);
    const key = JSON.stringify([
      'teams-using-ai',
      activeSpec.query,
      activeSpec.time,
    ]);
    return this.options.cache.get(key, () =>
      this.options.teams.countGroupsOf(
        active.map(s => s.labels.user_hash).filter(Boolean),
        credentials,
      ),
    );
  }
}

const STEP_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A step as seconds or a duration (`30s`, `15m`, `1h`, `1d`), in seconds. */
export function parseStep(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  const match =
    typeof text === 'string' ? /^(\d{1,7})(s|m|h|d)?$/.exec(text) : null;
  const seconds = match ? Number(match[1]) * STEP_UNITS[match[2] ?? 's'] : NaN;
  if (!(seconds >= 1)) {
    throw new InputError(
      'Invalid step: give whole seconds or a duration such as 15m, 1h or 1d',
    );
  }
  return seconds;
}
