/**
 * The query API of the ai-telemetry backend (`/api/ai-telemetry/v1/dashboard`, `/v1/panels/:id`,
 * `/v1/teams/:namespace/:name/dashboard`, `/v1/query`): what the portal asks for and what it
 * gets back. Every figure is an aggregate; no answer carries a `user_hash`.
 *
 * Conventions, for every panel:
 * - times are milliseconds since the epoch (UTC), so that `new Date(t)` works directly;
 * - a time series ({@link Series}) holds one value per interval of `step` seconds from its
 *   `start`: a daily bar of 1 November covers 1 November 00:00 UTC to the next midnight;
 * - values of a ratio are null where the ratio is undefined (no suggestions shown), so a chart
 *   shows a gap rather than a false zero; values of counts are always there, 0 included;
 * - the values of series, the acceptance of bars, heatmap cells and the team comparison's rows
 *   are rounded to what the portal shows ({@link ANSWER_DECIMALS}); tiles are not rounded.
 */

/** The named ranges of `?range=`. */
export const DASHBOARD_RANGES = ['24h', '7d', '30d', '90d'] as const;
/** @public */
export type DashboardRange = (typeof DASHBOARD_RANGES)[number];

/** The range a dashboard shows when the request names none. */
export const DEFAULT_DASHBOARD_RANGE: DashboardRange = '30d';

/** The panels of the dashboard, in the order the portal shows them. */
export const PANEL_IDS = [
  'overview',
  'acceptanceRate',
  'linesGenerated',
  'timeSaved',
  'featureUsage',
  'usage',
  'adoption',
  'teamComparison',
  'alerts',
] as const;
/** @public */
export type PanelId = (typeof PANEL_IDS)[number];

/**
 * The query string of `GET /v1/dashboard`, `GET /v1/panels/:id` and
 * `GET /v1/teams/:namespace/:name/dashboard`. Give either `range` or both `from` and `to`;
 * with neither, the range is {@link DEFAULT_DASHBOARD_RANGE}.
 */
export type DashboardQuery = {
  range?: DashboardRange;
  /** Start, as ISO 8601 or unix seconds. */
  from?: string;
  /** End, as ISO 8601 or unix seconds; a future end is cut at the last complete step. */
  to?: string;
  /** Only this editor language (one of `aiTelemetry.languages`). */
  language?: string;
  /** Only this assistant (one of `aiTelemetry.assistants`). */
  assistant?: string;
};

/** The filters that can narrow a dashboard. */
export const FILTER_NAMES = ['language', 'assistant'] as const;
/** @public */
export type FilterName = (typeof FILTER_NAMES)[number];

/** The filters a dashboard was computed with. */
export type PanelFilters = Partial<Record<FilterName, string>>;

/**
 * The time window an answer covers, after alignment: ranges of three days or more cover whole
 * UTC days, shorter ones whole hours, up to and including the day (or hour) that holds now,
 * whose figures run up to `asOf` (a partial bucket); no range reaches further back than the
 * retention (`aiTelemetry.privacy.retentionDays`).
 */
export type QueryWindow = {
  /** First instant covered (ms). */
  start: number;
  /** End of the last bucket, exclusive (ms); later than `asOf` while that bucket runs. */
  end: number;
  /**
   * What the figures run to (ms): the moment of the answer for a window that reaches the
   * present, else `end`. A bucket that ends after `asOf` is partial.
   */
  asOf: number;
  /** Seconds between the points of the dashboard's time series, chosen from the range. */
  step: number;
};

/** One point of a time series, as charts draw it ({@link pointsOf}). */
export type Point = {
  /** Start of the interval the value covers (ms). */
  t: number;
  v: number;
};

/**
 * A time series: the values of consecutive intervals of `step` seconds from `start`, the i-th
 * covering `[start + i × step, start + (i + 1) × step)`. A ratio's value is null where it is
 * undefined; see the conventions at the top of this file.
 */
export type Series = {
  /** Start of the first interval (ms). */
  start: number;
  /** Seconds per interval. */
  step: number;
  values: Array<number | null>;
};

/** A time series of one label value (a language, an assistant, a token type...). */
export type NamedSeries = Series & {
  /** The label value, e.g. `python`; `(none)` for legacy pushes that did not send the label. */
  name: string;
};

/** A series as the points a chart draws: one per interval with a value, null ones left out. */
export function pointsOf(series: Series): Point[] {
  const points: Point[] = [];
  series.values.forEach((v, i) => {
    if (v !== null)
      points.push({ t: series.start + i * series.step * 1000, v });
  });
  return points;
}

/**
 * Decimals that the values of answers keep where many are drawn or listed (series, the
 * acceptance of bars, heatmap cells, team rows): what the portal shows (ratios as percentages
 * with one decimal), so that no chart, tooltip or table differs. Rounded once, here: a ratio
 * kept to a fourth digit would be rounded twice on the way to the screen (0.32149 → 0.3215 →
 * 32.2 % instead of 32.1 %).
 */
export const ANSWER_DECIMALS = {
  /** Ratios 0..1 (acceptance): 0.321 is 32.1 %, as the portal shows them. */
  ratio: 3,
  /** Counts (suggestions, lines, tokens, invocations): whole numbers. */
  count: 0,
  /** US dollars: cents. */
  usd: 2,
  /** Hours: hundredths. */
  hours: 2,
} as const;

/** One PromQL query a panel ran, shown for transparency. */
export type PanelQuery = {
  /**
   * The PromQL as it was sent. On a team dashboard the team's pseudonyms are shown as
   * `$team` (the query itself matched them with `user_hash=~"…"`).
   */
  query: string;
  type: 'range' | 'instant';
  /** Where the numbers come from: the recording rules' organisation series or the per-user counters. */
  source: 'recording-rule' | 'raw' | 'rules-api';
  /** Range queries: first evaluation time (ms). */
  start?: number;
  /** Range queries: last evaluation time (ms). */
  end?: number;
  /** Range queries: seconds between evaluations. */
  step?: number;
  /** Instant queries: evaluation time (ms). */
  time?: number;
};

/**
 * The previous window of the same length (shifted back by the window's length, so a running
 * day is compared with the same part of its day), for the panel's tiles: their figures by
 * name, or why there are none (its privacy threshold, or it lies before the retention).
 */
export type PreviousWindow =
  | { window: QueryWindow; tiles: Record<string, number | null> }
  | {
      window: QueryWindow;
      withheld: TooFewParticipantsReason | 'retention';
    };

/** What every panel answer has besides its data. */
export type PanelResponseBase<Id extends PanelId, Data> = {
  id: Id;
  window: QueryWindow;
  /** Seconds between the points of this panel's series (daily bars: 86400). */
  step: number;
  /** The filters applied to this panel. */
  filters: PanelFilters;
  /** Filters that were asked for but that this panel's metrics cannot be split by. */
  ignoredFilters: FilterName[];
  /** The PromQL the panel ran. */
  queries: PanelQuery[];
  data: Data;
  /** Panels with tiles: the tiles' figures over the previous window, for their change. */
  previous?: PreviousWindow;
};

/** A language's share of the suggestions, in {@link OverviewData.topLanguages}. */
export type LanguageShare = {
  language: string;
  suggestions: number;
  accepted: number;
  /** accepted / suggestions, 0..1. */
  acceptanceRate: number | null;
  /** This language's suggestions / all suggestions, 0..1. */
  share: number;
};

/** The headline figures. */
export type OverviewData = {
  /** Suggestions shown in the window. */
  totalSuggestions: number;
  /** Of which accepted. */
  acceptedSuggestions: number;
  /** accepted / shown, 0..1; null when nothing was shown. */
  acceptanceRate: number | null;
  /** Distinct pseudonyms that were shown at least one suggestion in the window. */
  activeUsers: number;
  /** Developers opted in now, from the opt-in registry (on a team dashboard: its members). */
  optedInUsers: number;
  /** The five languages with the most suggestions, most first. */
  topLanguages: LanguageShare[];
  /**
   * Catalog Groups with at least one direct member who was shown a suggestion in the window.
   * Null on a team dashboard.
   */
  teamsUsingAi: number | null;
};

/** The acceptance of one bar (a day, or an hour for ranges under three days). */
export type AcceptanceBar = {
  /** Start of the bar (ms). */
  t: number;
  /** accepted / shown, 0..1; null when nothing was shown. */
  v: number | null;
  /** Suggestions shown in the bar. */
  shown: number;
  /** The bar is still running (it ends after the window's `asOf`): today so far. */
  partial: boolean;
  /** Few suggestions were shown in the bar (under 20, or under a tenth of the median bar's). */
  few: boolean;
};

/** Acceptance rate (accepted / shown, 0..1) per step, and per bar. */
export type AcceptanceRateData = {
  /** Seconds per bar: a day for ranges of three days or more, else an hour. */
  barStep: number;
  /** The acceptance per bar, what the chart draws by default. */
  bars: AcceptanceBar[];
  overall: Series;
  /** Each value: the acceptance over the seven days that end where the value's interval ends. */
  movingAverage7d: Series;
  byLanguage: NamedSeries[];
  byAssistant: NamedSeries[];
};

/** Lines accepted from assistants, per bar (one day, or one hour for ranges under three days). */
export type LinesGeneratedData = {
  totalLines: number;
  /** Lines per bar and language, for a stacked chart. */
  byLanguage: NamedSeries[];
  /** Lines per bar, all languages. */
  total: Series;
  /** Lines from the start of the window to the end of each bar. */
  cumulative: Series;
};

/** The ROI tile: the value of the time saved against the cost of the seats of active users. */
export type RoiEstimate = {
  /** How the figures are computed, in words a reader can check. */
  formula: string;
  inputs: {
    hoursSaved: number;
    /** `aiTelemetry.estimates.hourlyCost`. */
    hourlyCost: number;
    /** `aiTelemetry.estimates.seatCostPerMonth`. */
    seatCostPerMonth: number;
    activeUsers: number;
    /** Length of the window in days. */
    days: number;
    /** Days in an average month (365.25 / 12). */
    daysPerMonth: number;
    /**
     * US dollars the assistants reported spending in the window (or tokens × the configured
     * price); null when none is known or the usage figures are withheld.
     */
    usageCostUsd: number | null;
  };
  /**
   * Which inputs are estimates rather than measurements, e.g. `hoursSaved` (lines × seconds
   * per line), `hourlyCost` and `seatCostPerMonth` (configured).
   */
  estimated: Array<keyof RoiEstimate['inputs']>;
  /** hoursSaved × hourlyCost. */
  valueOfTimeSaved: number;
  /** seatCostPerMonth × activeUsers × days / daysPerMonth. */
  seatCost: number;
  /** seatCost + usageCostUsd (0 when unknown). */
  totalCost: number;
  /** valueOfTimeSaved − totalCost. */
  net: number;
  /** valueOfTimeSaved / totalCost; null when nothing costs anything. */
  ratio: number | null;
};

/**
 * What the assistants themselves spent, where they report it (OpenTelemetry metrics: Claude
 * Code, Gemini CLI, Codex, Copilot Chat). Null when no developer in view reports usage cost or
 * when the usage figures are withheld ({@link UsageData}).
 */
export type UsageCost = {
  /** US dollars in the window: the assistants' own figures, else tokens × `aiTelemetry.pricing`. */
  usd: number;
};

/** Estimated time saved in the window. */
export type TimeSavedData = {
  totalHours: number;
  /** Same as {@link OverviewData.activeUsers}. */
  activeUsers: number;
  /** totalHours / activeUsers; null without active users. */
  hoursPerActiveUser: number | null;
  byActivity: Array<{ activity: string; hours: number }>;
  roi: RoiEstimate;
};

/** One cell of a heatmap: invocations of a feature in one bucket (an hour of the day, a weekday). */
export type HeatmapCell = {
  feature: string;
  /** Hour of the day 0–23, or weekday 0–6 with 0 = Sunday (UTC). */
  bucket: number;
  count: number;
};

/** Assistant feature invocations. */
export type FeatureUsageData = {
  /** Invocations in the window per feature, most first. */
  totals: Array<{ feature: string; count: number }>;
  heatmap: {
    timezone: 'UTC';
    /** feature × hour of day (0–23), summed over the window. */
    hourOfDay: HeatmapCell[];
    /** feature × weekday (0–6, 0 = Sunday), summed over the window. */
    dayOfWeek: HeatmapCell[];
  };
};

/** Tokens of one model in the window, by type. */
export type ModelUsage = {
  model: string;
  /** Tokens by type (input, output, cache_read, cache_creation, reasoning); absent types are 0. */
  tokens: Record<string, number>;
  totalTokens: number;
  /** US dollars in the window; null when no cost was reported or priced for this model. */
  costUsd: number | null;
};

/** What one assistant reporting over OpenTelemetry consumed in the window. */
export type AssistantUsage = {
  assistant: string;
  totalTokens: number;
  /** US dollars in the window; null when it reported no cost and none of its models is priced. */
  costUsd: number | null;
  /** Lines of its suggestions accepted in the window, from every source that counts them. */
  acceptedLines: number;
};

/**
 * The cost per accepted line and what it is over: the assistants with both a known cost and
 * accepted lines (an assistant that reports no lines, as Codex, is left out, so that its cost is
 * not divided by the others' lines).
 */
export type CostPerAcceptedLine = {
  /** US dollars per line: the cost of `assistants` over `lines`. */
  usd: number;
  /** Lines the assistants' suggestions had accepted in the window. */
  lines: number;
  /** The assistants counted, in the order of `byAssistant`. */
  assistants: string[];
};

/**
 * Why the usage panel has no figures while the rest of the dashboard has:
 * - `noData`: no developer in view has an assistant reporting over OpenTelemetry in the window;
 * - `threshold` / `differencing`: as {@link TooFewParticipantsReason}, counted over the usage
 *   families only (so that a few developers on Claude Code never hide a whole team's dashboard).
 */
export type UsageWithheldReason = 'noData' | TooFewParticipantsReason;

/** The usage figures: what the assistants reporting over OpenTelemetry consumed. */
export type UsageFigures = {
  withheld: false;
  /** Developers in view with any usage figure in the window. */
  reportingDevelopers: number;
  totalTokens: number;
  /** Tokens per bar and type, for a stacked chart. */
  tokensByType: NamedSeries[];
  /** Tokens per bar and assistant, most tokens first. */
  tokensByAssistant: NamedSeries[];
  /** Tokens per bar and model, most tokens first. */
  tokensByModel: NamedSeries[];
  /** Tokens and cost per model over the window, most tokens first. */
  byModel: ModelUsage[];
  /** Tokens, cost and accepted lines per assistant over the window, most tokens first. */
  byAssistant: AssistantUsage[];
  /** US dollars per bar; null when no cost is known. */
  cost: Series | null;
  /** US dollars per bar and assistant (those with a known cost), most first. */
  costByAssistant: NamedSeries[];
  /** US dollars per bar and model (those with a known cost), most first. */
  costByModel: NamedSeries[];
  /** US dollars in the window; null when no cost is known. */
  totalCostUsd: number | null;
  /** US dollars per accepted line, with what it is over; null when no assistant counts. */
  costPerAcceptedLine: CostPerAcceptedLine | null;
  sessions: number;
  /**
   * Seconds the developers were active with the assistants, and the agents worked themselves;
   * both null where the split is pooled (fewer than `minGroupSize` developers have agents
   * working, docs/privacy-model.md#rows-of-a-breakdown): then only the total is shown.
   */
  activeSeconds: { total: number; user: number | null; agent: number | null };
  commits: number;
  pullRequests: number;
};

/** The usage panel: figures, or why there are none. */
export type UsageData =
  | UsageFigures
  | { withheld: true; reason: UsageWithheldReason; minGroupSize: number };

/** The adoption cohorts, from the lightest use to the heaviest. */
export const ADOPTION_COHORTS = ['light', 'moderate', 'heavy'] as const;
/** @public */
export type AdoptionCohort = (typeof ADOPTION_COHORTS)[number];

/**
 * A number of developers in the adoption panel, or null where it is withheld: a count of 1 to
 * `minGroupSize − 1`, or one that would let such a count be worked out (from the other cells of
 * its period, or from the same count of the organisation or of a group below a team).
 */
export type DeveloperCount = number | null;

/** The developers active in one period of the window, by cohort. */
export type AdoptionPeriod = {
  /** First instant of the period (ms). */
  start: number;
  /** End of the period, exclusive (ms). */
  end: number;
  /** Days the period covers (the first week of a window may be shorter than 7). */
  days: number;
  /**
   * Developers active in the period, by how many suggestions they were shown per day they were
   * active in it (see {@link AdoptionDefinitions}); null where withheld.
   */
  cohorts: Record<AdoptionCohort, DeveloperCount>;
};

/** How the adoption panel counts, for the reader (from `aiTelemetry.adoption`). */
export type AdoptionDefinitions = {
  /**
   * Days in the window. A window that is no whole number of days (custom ranges under three
   * days) is split into this many equal periods of about a day, which count as its days.
   */
  windowDays: number;
  /** A developer active on at least this many of the window's days is regular. */
  regularDays: number;
  /** Suggestions shown per active day from which a developer counts as moderate (else light). */
  moderateFrom: number;
  /** Suggestions shown per active day from which a developer counts as heavy. */
  heavyFrom: number;
  /** The periods of {@link AdoptionData.periods}: weeks for windows of 14 days or more, else days. */
  period: 'day' | 'week';
  minGroupSize: number;
};

/**
 * Adoption: the funnel from opting in to regular use, and the light, moderate and heavy cohorts
 * per period. Counts of developers only; a count of 1 to `minGroupSize − 1` is never shown, nor
 * one it could be worked out from (null, "withheld").
 */
export type AdoptionData = {
  funnel: {
    /** Developers opted in now (on a team dashboard: its members), as in the overview. */
    optedIn: number;
    /** Developers shown at least one suggestion in the window, as in the overview. */
    active: number;
    /** Developers active on at least `regularDays` days of the window; null where withheld. */
    regular: DeveloperCount;
  };
  /** The periods of the window, oldest first: weeks counted back from its end, or days. */
  periods: AdoptionPeriod[];
  definitions: AdoptionDefinitions;
};

/** One catalog Group in the team comparison. */
export type TeamComparisonRow = {
  /** The Group; the portal links to its AI Telemetry tab. */
  team: TeamInfo;
  /** Members shown at least one suggestion in the window, as on the team's overview. */
  activeDevelopers: number;
  /** accepted / shown, 0..1; null when nothing was shown. */
  acceptanceRate: number | null;
  /** Lines accepted from assistants in the window. */
  linesAccepted: number;
  /** Estimated hours saved per active developer (time saved has no language: counted without it). */
  hoursSavedPerActiveDeveloper: number | null;
};

/**
 * The team comparison of the organisation dashboard: one row per catalog Group whose own AI
 * Telemetry tab would show figures for this window and these filters (at least `minGroupSize`
 * opted-in members with data, and none of the differencing the tab refuses) and that the caller
 * may read (`ai-telemetry.team.read`: their own groups and the groups below them; every group
 * for telemetry admins; none for services).
 */
export type TeamComparisonData = {
  /**
   * Most active developers first, at most {@link TEAM_COMPARISON_MAX_ROWS} of them; null on a
   * team dashboard, where it does not apply.
   */
  teams: TeamComparisonRow[] | null;
  /** How many Groups qualify (more than `teams` holds in a large organisation); null on a team dashboard. */
  totalTeams: number | null;
  minGroupSize: number;
};

/**
 * The most rows of the team comparison an answer carries (the most active teams first), so that
 * a dashboard answer stays small in an organisation of thousands of Groups: each team's own tab
 * has its figures.
 */
export const TEAM_COMPARISON_MAX_ROWS = 50;

/** One ai-telemetry alert rule and its state, from Prometheus's rules API. */
export type AlertRuleStatus = {
  name: string;
  group: string;
  state: 'inactive' | 'pending' | 'firing';
  /** Whether the rule's last evaluation worked ('unknown' before the first one). */
  health: 'ok' | 'err' | 'unknown';
  severity?: string;
  summary?: string;
  /** The rule's description; when it fires, as Prometheus rendered it. */
  description?: string;
  /** The rule's PromQL. */
  query: string;
  /** How long the condition must hold before the alert fires, in seconds. */
  forSeconds: number;
  /** Since when the alert is pending or firing (ms). */
  activeSince?: number;
};

/** The alert rules of the plugin (groups named `ai-telemetry*` or rules labelled `component: ai-telemetry`). */
export type AlertsData = {
  rules: AlertRuleStatus[];
};

/** @public */
export type OverviewPanel = PanelResponseBase<'overview', OverviewData>;
/** @public */
export type AcceptanceRatePanel = PanelResponseBase<
  'acceptanceRate',
  AcceptanceRateData
>;
/** @public */
export type LinesGeneratedPanel = PanelResponseBase<
  'linesGenerated',
  LinesGeneratedData
>;
/** @public */
export type TimeSavedPanel = PanelResponseBase<'timeSaved', TimeSavedData>;
/** @public */
export type FeatureUsagePanel = PanelResponseBase<
  'featureUsage',
  FeatureUsageData
>;
/** @public */
export type UsagePanel = PanelResponseBase<'usage', UsageData>;
/** @public */
export type AdoptionPanel = PanelResponseBase<'adoption', AdoptionData>;
/** @public */
export type TeamComparisonPanel = PanelResponseBase<
  'teamComparison',
  TeamComparisonData
>;
/** @public */
export type AlertsPanel = PanelResponseBase<'alerts', AlertsData>;

/** Each panel's answer, by panel id. */
export type PanelResponseById = {
  overview: OverviewPanel;
  acceptanceRate: AcceptanceRatePanel;
  linesGenerated: LinesGeneratedPanel;
  timeSaved: TimeSavedPanel;
  featureUsage: FeatureUsagePanel;
  usage: UsagePanel;
  adoption: AdoptionPanel;
  teamComparison: TeamComparisonPanel;
  alerts: AlertsPanel;
};

/** One panel with its figures (see {@link OrganisationPanelResponse} for `GET /v1/panels/:id`). */
export type PanelResponse = PanelResponseById[PanelId];

/**
 * A panel of a dashboard that could not be computed while others could. (When every panel
 * fails, the whole request fails with the error's status instead.)
 */
export type PanelError = {
  id: PanelId;
  error: {
    name: string;
    message: string;
    /** The HTTP status the panel alone would have been answered with (502, 503, 504...). */
    statusCode: number;
  };
};

/** Tells a panel answer from a {@link PanelError}. */
export function isPanelError(
  panel: PanelResponse | PanelError,
): panel is PanelError {
  return 'error' in panel;
}

/** Every panel of a dashboard, over one window and one set of filters. */
export type DashboardResponse = {
  window: QueryWindow;
  filters: PanelFilters;
  panels: { [K in PanelId]: PanelResponseById[K] | PanelError };
};

/**
 * Why an answer about people carries no figures (docs/privacy-model.md#the-privacy-threshold):
 * - `threshold`: fewer than `minGroupSize` developers have data under these filters in the
 *   window (counted per metric family; every family with data must reach it);
 * - `differencing`: the figures would differ from another view the caller can open (a sub-team
 *   of the Group, the organisation, the same view with a filter fewer) by fewer than
 *   `minGroupSize` developers, so subtracting one from the other would single them out.
 */
export type TooFewParticipantsReason = 'threshold' | 'differencing';

/**
 * An organisation answer (`GET /v1/dashboard`, `GET /v1/panels/:id`) without figures: the
 * privacy threshold was not reached, for the reason given.
 */
export type OrganisationTooFewParticipants = {
  tooFewParticipants: true;
  reason: TooFewParticipantsReason;
  minGroupSize: number;
  window: QueryWindow;
  filters: PanelFilters;
};

/** The organisation dashboard with figures. */
export type OrganisationDashboard = DashboardResponse & {
  tooFewParticipants: false;
  minGroupSize: number;
};

/** `GET /v1/dashboard`: every panel for the organisation, or no figures at all. */
export type OrganisationDashboardResponse =
  | OrganisationDashboard
  | OrganisationTooFewParticipants;

/** `GET /v1/panels/:id`: one panel for the organisation, or no figures at all. */
export type OrganisationPanelResponse<Id extends PanelId = PanelId> =
  | PanelResponseById[Id]
  | OrganisationTooFewParticipants;

/** Tells an answer without figures (organisation or team) from one with figures. */
export function isTooFewParticipants<T extends object>(
  answer: T | OrganisationTooFewParticipants,
): answer is OrganisationTooFewParticipants {
  return (
    (answer as { tooFewParticipants?: unknown }).tooFewParticipants === true
  );
}

/** The catalog Group a team dashboard is about. */
export type TeamInfo = {
  /** e.g. `group:default/platform-team`. */
  entityRef: string;
  title?: string;
};

/** A team dashboard with figures: at least `minGroupSize` members have data in the window. */
export type TeamDashboard = DashboardResponse & {
  tooFewParticipants: false;
  team: TeamInfo;
  minGroupSize: number;
};

/** A team dashboard without figures, for the reason given. */
export type TooFewParticipants = OrganisationTooFewParticipants & {
  team: TeamInfo;
};

/** `GET /v1/teams/:namespace/:name/dashboard`. */
export type TeamDashboardResponse = TeamDashboard | TooFewParticipants;

/**
 * The body of `POST /v1/query` (permission `ai-telemetry.query.raw`). The query may select only
 * the contract's `ai_copilot_*` metrics and the `ai_telemetry:*` recording rules, and its result
 * must not carry `user_hash` (aggregate it away).
 */
export type RawQueryRequest = {
  query: string;
  /** ISO 8601 or unix seconds. */
  start: string | number;
  /** ISO 8601 or unix seconds. */
  end: string | number;
  /** Seconds between evaluations, or a duration such as `1h`. */
  step: string | number;
};

/** One series of a raw query's result. */
export type RawQuerySeries = {
  labels: Record<string, string>;
  /** Unlike the panels, `t` is the evaluation time (ms). */
  points: Point[];
};

/** `POST /v1/query`. */
export type RawQueryResponse = {
  query: string;
  /** Evaluation times and step actually used (ms, ms, s). */
  start: number;
  end: number;
  step: number;
  series: RawQuerySeries[];
};
