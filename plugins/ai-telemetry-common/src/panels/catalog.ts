import {
  FilterName,
  FILTER_NAMES,
  PanelFilters,
  PanelId,
} from '../api/queries';
import { METRICS, MetricName, OTLP_METRICS } from '../contract';
import {
  LabelMatcher,
  seconds,
  selector,
  TEAM_PLACEHOLDER,
  userHashMatcher,
} from './promql';
import { PanelRequest } from './params';
import {
  HOUR,
  MAX_POINTS_PER_QUERY,
  MOVING_AVERAGE_SECONDS,
  pointCount,
} from './window';

/** A metric family of the contract: `suggestions`, `linesGenerated`, `timeSaved`, `featureUsage`. */
export type MetricFamily = keyof typeof METRICS;

/** The metric families, in a fixed order. */
export const METRIC_FAMILIES = Object.keys(METRICS) as MetricFamily[];

/**
 * A family of the counters that assistants' OpenTelemetry metrics feed (`tokens`, `costUsd`,
 * `sessions`, `activeSeconds`, `commits`, `pullRequests`): read by the usage panel only, never
 * through recording rules.
 */
export type UsageFamily = keyof typeof OTLP_METRICS;

/** The usage families, in a fixed order. */
export const USAGE_FAMILIES = Object.keys(OTLP_METRICS) as UsageFamily[];

/** Any family of per-developer counters. */
export type CounterFamily = MetricFamily | UsageFamily;

/** The counter each family reads. */
export const FAMILY_METRICS: Record<CounterFamily, MetricName> = {
  ...METRICS,
  ...OTLP_METRICS,
};

/**
 * The organisation-level recording rules (deploy/prometheus/rules/ai-telemetry-recording.yml):
 * each family's increase over the last hour, summed over users, without `user_hash`.
 */
export const RECORDING_RULES: Record<MetricFamily, string> = {
  suggestions: 'ai_telemetry:suggestions:increase1h',
  linesGenerated: 'ai_telemetry:lines_generated:increase1h',
  timeSaved: 'ai_telemetry:time_saved_seconds:increase1h',
  featureUsage: 'ai_telemetry:feature_usage:increase1h',
};

function hasRecordingRule(family: CounterFamily): family is MetricFamily {
  return family in RECORDING_RULES;
}

/** Every contract metric starts with this. */
export const CONTRACT_METRIC_PREFIX = 'ai_copilot_';
/** Every recording rule of the plugin starts with this. */
export const RECORDING_RULE_PREFIX = 'ai_telemetry:';

/**
 * The filters each family's labels allow (time saved, feature usage and the usage families
 * carry no language).
 */
export const FAMILY_FILTERS: Record<CounterFamily, readonly FilterName[]> = {
  suggestions: ['language', 'assistant'],
  linesGenerated: ['language', 'assistant'],
  timeSaved: ['assistant'],
  featureUsage: ['assistant'],
  tokens: ['assistant'],
  costUsd: ['assistant'],
  sessions: ['assistant'],
  activeSeconds: ['assistant'],
  commits: ['assistant'],
  pullRequests: ['assistant'],
};

/** Where a family's figures are read from. */
export type QuerySource = 'raw' | 'recording-rule';

/** The validated parameters every query is built from. */
export type PanelParams = PanelRequest & {
  /** On a team dashboard: the pseudonyms of the team's opted-in members (never empty). */
  team?: { userHashes: readonly string[] };
};

/** The queries the panels run, by what they compute. */
export type QueryKey =
  | 'suggestions'
  | 'activeUsers'
  | 'lines'
  | 'timeSaved'
  | 'featureUsage'
  | 'featureUsageHourly'
  | 'participants'
  | 'tokens'
  | 'cost'
  | 'usageTotal'
  | 'costTotal';

/** One PromQL query, ready to send, with the times it is evaluated at (unix seconds). */
export type QuerySpec = {
  key: QueryKey;
  family: CounterFamily;
  source: QuerySource;
  type: 'range' | 'instant';
  /** The PromQL to send. */
  query: string;
  /** The PromQL as answers show it: a team's pseudonyms replaced by `$team`. */
  display: string;
  /** Range queries: first and last evaluation time, and the step. */
  start?: number;
  end?: number;
  step?: number;
  /** Instant queries: the evaluation time. */
  time?: number;
  /** featureUsageHourly: the query reads the hour that ends this many hours before each evaluation. */
  hourOffset?: number;
};

/** The two renderings of every query: as sent, and as shown. */
type Rendering = { team?: LabelMatcher };

function renderings(params: PanelParams): {
  sent: Rendering;
  shown: Rendering;
} {
  if (!params.team) return { sent: {}, shown: {} };
  return {
    sent: { team: userHashMatcher(params.team.userHashes) },
    shown: {
      team: { label: 'user_hash', op: '=~', value: TEAM_PLACEHOLDER },
    },
  };
}

function filterMatchers(
  family: CounterFamily,
  filters: PanelFilters,
): LabelMatcher[] {
  return FAMILY_FILTERS[family]
    .filter(name => filters[name] !== undefined)
    .map(name => ({ label: name, op: '=', value: filters[name]! }));
}

/**
 * The family's increase over the `windowSeconds` before each evaluation time, per series:
 * `increase(counter[w])` on the raw counters, or the sum of the recording rule's hourly
 * increases in that window (`sum_over_time(rule[w-1s:1h])`: the subquery's points fall on whole
 * hours, and one second less than w keeps the hour at the window's start out, so that adjacent
 * windows never count an hour twice, on Prometheus and VictoriaMetrics alike).
 */
function increaseOver(
  family: CounterFamily,
  params: PanelParams,
  rendering: Rendering,
  source: QuerySource,
  windowSeconds: number,
  offsetSeconds = 0,
): string {
  const offset = offsetSeconds > 0 ? ` offset ${seconds(offsetSeconds)}` : '';
  const matchers = filterMatchers(family, params.filters);
  if (source === 'recording-rule' && hasRecordingRule(family)) {
    const rule = selector(RECORDING_RULES[family], matchers);
    return `sum_over_time(${rule}[${seconds(windowSeconds - 1)}:1h]${offset})`;
  }
  const metric = FAMILY_METRICS[family];
  const all = rendering.team ? [...matchers, rendering.team] : matchers;
  return `increase(${selector(metric, all)}[${seconds(
    windowSeconds,
  )}]${offset})`;
}

/**
 * The source a query can really use: recording rules only for the organisation, and only when
 * every window it reads starts and ends on a whole hour.
 */
function usableSource(
  requested: QuerySource,
  params: PanelParams,
  times: number[],
): QuerySource {
  if (requested !== 'recording-rule' || params.team) return 'raw';
  return times.every(t => t % HOUR === 0) ? 'recording-rule' : 'raw';
}

type Build = (rendering: Rendering, source: QuerySource) => string;

function spec(
  params: PanelParams,
  base: Omit<QuerySpec, 'query' | 'display' | 'source'>,
  requested: QuerySource,
  alignedTimes: number[],
  build: Build,
): QuerySpec {
  const source = usableSource(requested, params, alignedTimes);
  const { sent, shown } = renderings(params);
  if (base.type === 'range') {
    const points = pointCount(base.start!, base.end!, base.step!);
    if (points > MAX_POINTS_PER_QUERY) {
      throw new RangeError(
        `the ${base.key} query would return ${points} points, more than ${MAX_POINTS_PER_QUERY}`,
      );
    }
  }
  return {
    ...base,
    source,
    query: build(sent, source),
    display: build(shown, source),
  };
}

/**
 * Suggestions shown per step, by language, assistant and outcome, from a week before the window
 * (for the moving average) to its end. The overview's totals and the acceptance panel's every
 * series are sums of these points, so both panels share this one query.
 */
export function suggestionsQuery(
  params: PanelParams,
  source: QuerySource,
): QuerySpec {
  const { start, end, step } = params.window;
  const first = start + step - MOVING_AVERAGE_SECONDS;
  return spec(
    params,
    {
      key: 'suggestions',
      family: 'suggestions',
      type: 'range',
      start: first,
      end,
      step,
    },
    source,
    [first, step],
    (r, s) =>
      `sum by (language, assistant, accepted) (${increaseOver(
        'suggestions',
        params,
        r,
        s,
        step,
      )})`,
  );
}

/**
 * The pseudonyms with suggestions in the window (for the organisation, so that the backend can
 * count them and the teams they belong to; the answer carries only counts), or just their
 * number (for a team). Always from the raw counters: distinct users cannot be summed from
 * hourly counts.
 */
export function activeUsersQuery(params: PanelParams): QuerySpec {
  const { start, end } = params.window;
  return spec(
    params,
    { key: 'activeUsers', family: 'suggestions', type: 'instant', time: end },
    'raw',
    [],
    r => {
      const perUser = `sum by (user_hash) (${increaseOver(
        'suggestions',
        params,
        r,
        'raw',
        end - start,
      )}) > 0`;
      return params.team ? `count(${perUser})` : perUser;
    },
  );
}

/** Lines accepted per bar and language. */
export function linesQuery(
  params: PanelParams,
  source: QuerySource,
): QuerySpec {
  const { start, end, barStep } = params.window;
  return spec(
    params,
    {
      key: 'lines',
      family: 'linesGenerated',
      type: 'range',
      start: start + barStep,
      end,
      step: barStep,
    },
    source,
    [start, barStep],
    (r, s) =>
      `sum by (language) (${increaseOver(
        'linesGenerated',
        params,
        r,
        s,
        barStep,
      )})`,
  );
}

/** Seconds saved in the window, by activity. */
export function timeSavedQuery(
  params: PanelParams,
  source: QuerySource,
): QuerySpec {
  const { start, end } = params.window;
  return spec(
    params,
    { key: 'timeSaved', family: 'timeSaved', type: 'instant', time: end },
    source,
    [start, end],
    (r, s) =>
      `sum by (activity) (${increaseOver(
        'timeSaved',
        params,
        r,
        s,
        end - start,
      )})`,
  );
}

/** Feature invocations per step, by feature. */
export function featureUsageQuery(
  params: PanelParams,
  source: QuerySource,
): QuerySpec {
  const { start, end, step } = params.window;
  return spec(
    params,
    {
      key: 'featureUsage',
      family: 'featureUsage',
      type: 'range',
      start: start + step,
      end,
      step,
    },
    source,
    [start, step],
    (r, s) =>
      `sum by (feature) (${increaseOver('featureUsage', params, r, s, step)})`,
  );
}

/**
 * Feature invocations per hour, by feature, for the heatmaps. A long window has more hours than
 * one query may return points, so it is read by n interleaved queries (n divides 24), each
 * every n hours, the k-th reading the hour that ends k hours before its evaluation time.
 */
export function featureUsageHourlyQueries(
  params: PanelParams,
  source: QuerySource,
): QuerySpec[] {
  const { start, end } = params.window;
  const hours = (end - start) / HOUR;
  const parts =
    [1, 2, 3, 4, 6, 8, 12, 24].find(n => hours / n < MAX_POINTS_PER_QUERY) ??
    24;
  const step = parts * HOUR;
  return Array.from({ length: parts }, (_, k) =>
    spec(
      params,
      {
        key: 'featureUsageHourly',
        family: 'featureUsage',
        type: 'range',
        start: start + step,
        end,
        step,
        hourOffset: k,
      },
      source,
      [start, step],
      (r, s) =>
        `sum by (feature) (${increaseOver(
          'featureUsage',
          params,
          r,
          s,
          HOUR,
          k * HOUR,
        )})`,
    ),
  );
}

/**
 * Who has data of one family in the window, for the privacy threshold: one series per pseudonym
 * and value of each filter label that the request sets and the family applies
 * (`sum by (user_hash, language, assistant) (...) > 0`), over the organisation or a team. The
 * filter values themselves are left out of the query, so that one answer tells who has data
 * under the filters and who has data outside them, and serves every value of the same filters.
 * The backend only counts these pseudonyms; no answer carries them. Always from the raw counters.
 */
export function participantsQuery(
  params: PanelParams,
  family: CounterFamily,
): QuerySpec {
  const { start, end } = params.window;
  const by = [
    'user_hash',
    ...FAMILY_FILTERS[family].filter(
      name => params.filters[name] !== undefined,
    ),
  ];
  const everything: PanelParams = { ...params, filters: {} };
  return spec(
    params,
    { key: 'participants', family, type: 'instant', time: end },
    'raw',
    [],
    r =>
      `sum by (${by.join(', ')}) (${increaseOver(
        family,
        everything,
        r,
        'raw',
        end - start,
      )}) > 0`,
  );
}

/**
 * Tokens per bar, by model and type (usage panel). Raw counters only: the usage families have
 * no recording rules.
 */
export function tokensQuery(params: PanelParams): QuerySpec {
  const { start, end, barStep } = params.window;
  return spec(
    params,
    {
      key: 'tokens',
      family: 'tokens',
      type: 'range',
      start: start + barStep,
      end,
      step: barStep,
    },
    'raw',
    [],
    r =>
      `sum by (model, type) (${increaseOver(
        'tokens',
        params,
        r,
        'raw',
        barStep,
      )})`,
  );
}

/** Usage cost in US dollars per bar, by model (usage panel). */
export function costQuery(params: PanelParams): QuerySpec {
  const { start, end, barStep } = params.window;
  return spec(
    params,
    {
      key: 'cost',
      family: 'costUsd',
      type: 'range',
      start: start + barStep,
      end,
      step: barStep,
    },
    'raw',
    [],
    r =>
      `sum by (model) (${increaseOver('costUsd', params, r, 'raw', barStep)})`,
  );
}

/** The usage families summed over the window as tiles: sessions, active time, commits, PRs. */
export type UsageTotalFamily = Extract<
  UsageFamily,
  'sessions' | 'activeSeconds' | 'commits' | 'pullRequests'
>;

/** A usage family's total over the window (active time by `type`: user, agent). */
export function usageTotalQuery(
  params: PanelParams,
  family: UsageTotalFamily,
): QuerySpec {
  const { start, end } = params.window;
  const by = family === 'activeSeconds' ? ' by (type)' : '';
  return spec(
    params,
    { key: 'usageTotal', family, type: 'instant', time: end },
    'raw',
    [],
    r => `sum${by} (${increaseOver(family, params, r, 'raw', end - start)})`,
  );
}

/** The usage cost over the window, for the ROI estimate. */
export function costTotalQuery(params: PanelParams): QuerySpec {
  const { start, end } = params.window;
  return spec(
    params,
    { key: 'costTotal', family: 'costUsd', type: 'instant', time: end },
    'raw',
    [],
    r => `sum (${increaseOver('costUsd', params, r, 'raw', end - start)})`,
  );
}

/** The usage families drawn as tiles, in the order the panel shows them. */
export const USAGE_TOTAL_FAMILIES: readonly UsageTotalFamily[] = [
  'sessions',
  'activeSeconds',
  'commits',
  'pullRequests',
];

/** A panel: what it shows, which families it reads, and the queries it runs. */
export type PanelDefinition = {
  id: PanelId;
  title: string;
  description: string;
  /** The families the panel's figures come from (none for alerts). */
  families: readonly CounterFamily[];
  /** The queries, given the source each family is read from. */
  queries(
    params: PanelParams,
    sources: Record<MetricFamily, QuerySource>,
  ): QuerySpec[];
};

/** Every panel of the dashboard. */
export const PANEL_CATALOG: Record<PanelId, PanelDefinition> = {
  overview: {
    id: 'overview',
    title: 'Overview',
    description:
      'Suggestions shown, acceptance rate, active and opted-in users, top five languages, teams using AI tools',
    families: ['suggestions'],
    queries: (params, sources) => [
      suggestionsQuery(params, sources.suggestions),
      activeUsersQuery(params),
    ],
  },
  acceptanceRate: {
    id: 'acceptanceRate',
    title: 'Acceptance rate',
    description:
      'Share of suggestions accepted per step: overall, by language, by assistant, and over the last seven days',
    families: ['suggestions'],
    queries: (params, sources) => [
      suggestionsQuery(params, sources.suggestions),
    ],
  },
  linesGenerated: {
    id: 'linesGenerated',
    title: 'Lines generated',
    description: 'Lines accepted per day by language, and their running total',
    families: ['linesGenerated'],
    queries: (params, sources) => [linesQuery(params, sources.linesGenerated)],
  },
  timeSaved: {
    id: 'timeSaved',
    title: 'Time saved',
    description:
      'Estimated hours saved, per active developer and by activity, and what they are worth against the seats',
    families: ['timeSaved'],
    // Time saved has no language label, so the developers it is divided by are counted
    // without the language filter too.
    queries: (params, sources) => [
      timeSavedQuery(params, sources.timeSaved),
      activeUsersQuery({
        ...params,
        filters: { assistant: params.filters.assistant },
      }),
      costTotalQuery(params),
    ],
  },
  usage: {
    id: 'usage',
    title: 'Tokens and cost',
    description:
      'Model tokens by type and model, usage cost, sessions, active time, commits and pull requests, from the assistants that report them over OpenTelemetry',
    families: USAGE_FAMILIES,
    queries: params => [
      tokensQuery(params),
      costQuery(params),
      ...USAGE_TOTAL_FAMILIES.map(family => usageTotalQuery(params, family)),
    ],
  },
  featureUsage: {
    id: 'featureUsage',
    title: 'Feature usage',
    description:
      'Assistant features used per step, and by hour of day and weekday (UTC)',
    families: ['featureUsage'],
    queries: (params, sources) => [
      featureUsageQuery(params, sources.featureUsage),
      ...featureUsageHourlyQueries(params, sources.featureUsage),
    ],
  },
  alerts: {
    id: 'alerts',
    title: 'Alerts',
    description: 'The ai-telemetry alert rules and whether they fire',
    families: [],
    queries: () => [],
  },
};

/** The filters of a request that a panel cannot apply (alerts apply none). */
export function ignoredFilters(
  panel: PanelDefinition,
  filters: PanelFilters,
): FilterName[] {
  return FILTER_NAMES.filter(
    name =>
      filters[name] !== undefined &&
      (panel.families.length === 0 ||
        panel.families.some(f => !FAMILY_FILTERS[f].includes(name))),
  );
}
