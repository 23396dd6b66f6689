import {
  FilterName,
  METRICS,
  PanelFilters,
  MetricName,
  OTLP_METRICS,
} from '@fawkes/plugin-ai-telemetry-common';
import { PanelRequest } from './params';

/** A family of the seed's counters: `suggestions`, `linesGenerated`, `timeSaved`, `featureUsage`. */
export type MetricFamily = keyof typeof METRICS;

/** The seed's families, in a fixed order: the ones the dashboard's privacy threshold counts. */
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
 * each seed family's increase over the last hour, summed over users, without `user_hash`.
 */
export const RECORDING_RULES: Record<MetricFamily, string> = {
  suggestions: 'ai_telemetry:suggestions:increase1h',
  linesGenerated: 'ai_telemetry:lines_generated:increase1h',
  timeSaved: 'ai_telemetry:time_saved_seconds:increase1h',
  featureUsage: 'ai_telemetry:feature_usage:increase1h',
};

/**
 * The per-developer daily rules (deploy/prometheus/rules/ai-telemetry-per-user.yml): each
 * family's increase over a whole UTC day, per pseudonym and filter label (and, for the
 * suggestions, outcome). A sample recorded at time t holds the day that ended at the midnight
 * on or before t.
 */
export const PER_USER_DAILY_RULES: Record<CounterFamily, string> = {
  suggestions: 'ai_telemetry:suggestions_per_user:increase1d',
  linesGenerated: 'ai_telemetry:lines_generated_per_user:increase1d',
  timeSaved: 'ai_telemetry:time_saved_seconds_per_user:increase1d',
  featureUsage: 'ai_telemetry:feature_usage_per_user:increase1d',
  tokens: 'ai_telemetry:tokens_per_user:increase1d',
  costUsd: 'ai_telemetry:cost_usd_per_user:increase1d',
  sessions: 'ai_telemetry:sessions_per_user:increase1d',
  activeSeconds: 'ai_telemetry:active_seconds_per_user:increase1d',
  commits: 'ai_telemetry:commits_per_user:increase1d',
  pullRequests: 'ai_telemetry:pull_requests_per_user:increase1d',
};

/** A daily rule that keeps only some labels of its counter, and which (user_hash aside). */
export type NarrowDailyRule = { rule: string; labels: readonly string[] };

/**
 * The per-developer daily rules without the filter labels, each with the labels it keeps besides
 * user_hash, fewest first: read instead of {@link PER_USER_DAILY_RULES} wherever a query needs
 * no other label (the views without filters), since they hold fewer series. Who was active, and
 * on which days, needs not even the suggestions' outcome: half the series again.
 */
export const PER_USER_DAILY_UNFILTERED: Partial<
  Record<CounterFamily, readonly NarrowDailyRule[]>
> = {
  suggestions: [
    { rule: 'ai_telemetry:suggestions_shown_per_user:increase1d', labels: [] },
    {
      rule: 'ai_telemetry:suggestions_per_user_unfiltered:increase1d',
      labels: ['accepted'],
    },
    {
      rule: 'ai_telemetry:suggestions_shown_per_user_by_label:increase1d',
      labels: ['language', 'assistant'],
    },
  ],
  linesGenerated: [
    {
      rule: 'ai_telemetry:lines_generated_per_user_unfiltered:increase1d',
      labels: [],
    },
  ],
  timeSaved: [
    {
      rule: 'ai_telemetry:time_saved_seconds_per_user_unfiltered:increase1d',
      labels: [],
    },
  ],
  featureUsage: [
    {
      rule: 'ai_telemetry:feature_usage_per_user_unfiltered:increase1d',
      labels: [],
    },
  ],
  tokens: [
    { rule: 'ai_telemetry:tokens_per_user_unfiltered:increase1d', labels: [] },
  ],
  costUsd: [
    {
      rule: 'ai_telemetry:cost_usd_per_user_unfiltered:increase1d',
      labels: [],
    },
  ],
};

/** The per-developer daily rule to read for a query that needs these labels (user_hash aside). */
export function perUserDailyRule(
  family: CounterFamily,
  labels: readonly string[],
): string {
  const narrow = PER_USER_DAILY_UNFILTERED[family]?.find(candidate =>
    labels.every(
      label => label === 'user_hash' || candidate.labels.includes(label),
    ),
  );
  return narrow?.rule ?? PER_USER_DAILY_RULES[family];
}

/**
 * The organisation's daily rules (deploy/prometheus/rules/ai-telemetry-per-user.yml, evaluated
 * with the per-developer daily rules and marked by the same marker): each day's increase summed
 * over developers, without user_hash, for the usage families (which have no hourly rules) by
 * the labels the usage panel draws, and for lines and time saved by their hourly rules' labels
 * (without the GitHub import's back-dated samples, which are read beside them). The
 * organisation's charts and totals read these; a team's, which must select its members, the
 * per-developer rules.
 */
export const ORGANISATION_DAILY_RULES: Partial<
  Record<CounterFamily, NarrowDailyRule>
> = {
  tokens: {
    rule: 'ai_telemetry:tokens:increase1d',
    labels: ['assistant', 'model', 'type'],
  },
  costUsd: {
    rule: 'ai_telemetry:cost_usd:increase1d',
    labels: ['assistant', 'model'],
  },
  sessions: { rule: 'ai_telemetry:sessions:increase1d', labels: ['assistant'] },
  activeSeconds: {
    rule: 'ai_telemetry:active_seconds:increase1d',
    labels: ['assistant', 'type'],
  },
  commits: { rule: 'ai_telemetry:commits:increase1d', labels: ['assistant'] },
  pullRequests: {
    rule: 'ai_telemetry:pull_requests:increase1d',
    labels: ['assistant'],
  },
  linesGenerated: {
    rule: 'ai_telemetry:lines_generated:increase1d',
    labels: ['language', 'assistant'],
  },
  timeSaved: {
    rule: 'ai_telemetry:time_saved_seconds:increase1d',
    labels: ['activity', 'assistant'],
  },
};

/**
 * The daily rule to read for a query that needs these labels (a team's matcher counts as
 * user_hash): the organisation's where the family has one that keeps them all, else the
 * per-developer rule ({@link perUserDailyRule}).
 */
export function dailyRule(
  family: CounterFamily,
  labels: readonly string[],
): string {
  const organisation = ORGANISATION_DAILY_RULES[family];
  return organisation && labels.every(l => organisation.labels.includes(l))
    ? organisation.rule
    : perUserDailyRule(family, labels);
}

/** Marks each day the per-developer daily rules were evaluated for (value 1). */
export const PER_USER_DAILY_EVALUATED =
  'ai_telemetry:per_user_daily_v3:evaluated';

/** Whether a family has an organisation-level recording rule. */
export function hasRecordingRule(
  family: CounterFamily,
): family is MetricFamily {
  return family in RECORDING_RULES;
}

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

/** The filters of `filters` that a family applies (those it has a label for and that are set). */
export function appliedFilters(
  family: CounterFamily,
  filters: PanelFilters,
): FilterName[] {
  return FAMILY_FILTERS[family].filter(name => filters[name] !== undefined);
}

/** Whether a series' labels have the value of each of `names` that `filters` sets. */
export function matchesFilters(
  labels: Record<string, string>,
  filters: PanelFilters,
  names: readonly FilterName[],
): boolean {
  return names.every(name => labels[name] === filters[name]);
}

/** Every subset of `names` but `names` itself, the empty one included: the wider views. */
export function properSubsets(names: FilterName[]): FilterName[][] {
  const subsets: FilterName[][] = [];
  for (let mask = 0; mask < (1 << names.length) - 1; mask++) {
    subsets.push(names.filter((_, i) => mask & (1 << i)));
  }
  return subsets;
}

/**
 * The labels whose values the dashboard lists as rows or draws as series of a family's figures
 * (lines by language, tokens by model, time saved by activity...). Each value is a group of
 * developers of its own, held to the privacy threshold row by row ({@link decideRows}); every
 * label here is kept by the family's per-developer daily rule.
 */
export const BREAKDOWN_LABELS: Record<CounterFamily, readonly string[]> = {
  suggestions: ['language', 'assistant'],
  linesGenerated: ['language', 'assistant'],
  timeSaved: ['activity'],
  featureUsage: ['feature'],
  tokens: ['assistant', 'model', 'type'],
  costUsd: ['assistant', 'model'],
  sessions: [],
  activeSeconds: ['type'],
  commits: [],
  pullRequests: [],
};

/** Where a family's figures are read from. */
export type QuerySource = 'raw' | 'recording-rule';

/** The source each seed family is read from, for one request. */
export type FamilySources = Record<MetricFamily, QuerySource>;

/**
 * The whole UTC days the per-developer daily rules hold for a window: those that end after
 * `from` and by `until` (both midnights, unix seconds), every one of them recorded.
 */
export type RecordedDays = {
  from: number;
  until: number;
  /**
   * Where the days begin after the window's first midnight: the window's start when no counter
   * has a sample from it up to `from` (nothing before the rules to read from the counters).
   */
  quietFrom?: number;
};

/** The validated parameters every query is built from. */
export type PanelParams = PanelRequest & {
  /** On a team dashboard: the pseudonyms of the team's opted-in members (never empty). */
  team?: { userHashes: readonly string[] };
  /** The days of the window that per-pseudonym queries may read from the daily rules. */
  recordedDays?: RecordedDays;
};
