/**
 * The metric contract (docs/metric-contract.md): what lands in Prometheus, and nothing else.
 */

/**
 * The four counters, under the names the seed's PromQL, alerts and Grafana dashboard use. They
 * are also the metric families the dashboard panels read (`MetricFamily`).
 */
export const METRICS = {
  suggestions: 'ai_copilot_suggestions_total',
  linesGenerated: 'ai_copilot_lines_generated',
  timeSaved: 'ai_copilot_time_saved_seconds',
  featureUsage: 'ai_copilot_feature_usage',
} as const;

/**
 * The counters that assistants' own OpenTelemetry metrics feed (the OTLP receiver,
 * docs/metric-contract.md#from-otlp-metrics-to-counters).
 */
export const OTLP_METRICS = {
  tokens: 'ai_copilot_tokens_total',
  costUsd: 'ai_copilot_cost_usd_total',
  sessions: 'ai_copilot_sessions_total',
  activeSeconds: 'ai_copilot_active_seconds_total',
  commits: 'ai_copilot_commits_total',
  pullRequests: 'ai_copilot_pull_requests_total',
} as const;

/** @public */
export type MetricName =
  | (typeof METRICS)[keyof typeof METRICS]
  | (typeof OTLP_METRICS)[keyof typeof OTLP_METRICS];

/** Every metric name of the contract, in a fixed order: the seed's four first. */
export const METRIC_NAMES: readonly MetricName[] = [
  ...Object.values(METRICS),
  ...Object.values(OTLP_METRICS),
];

/** Every contract metric starts with this. */
export const CONTRACT_METRIC_PREFIX = 'ai_copilot_';
/** Every recording rule of the plugin starts with this. */
export const RECORDING_RULE_PREFIX = 'ai_telemetry:';

/** The label that carries the pseudonym on every series. */
export const USER_HASH_LABEL = 'user_hash';

/** Activities that time saved is attributed to. */
export const ACTIVITIES = [
  'code_completion',
  'code_generation',
  'documentation',
] as const;
/** @public */
export type Activity = (typeof ACTIVITIES)[number];

/** Assistant features whose use is counted. */
export const FEATURES = [
  'completion',
  'chat',
  'explain',
  'document',
  'test',
] as const;
/** @public */
export type Feature = (typeof FEATURES)[number];

/** Kinds of model tokens (`type` of `ai_copilot_tokens_total`). */
export const TOKEN_TYPES = [
  'input',
  'output',
  'cache_read',
  'cache_creation',
  'reasoning',
] as const;
/** @public */
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Who was active (`type` of `ai_copilot_active_seconds_total`): the developer or the agent. */
export const ACTIVE_TIME_TYPES = ['user', 'agent'] as const;
/** @public */
export type ActiveTimeType = (typeof ACTIVE_TIME_TYPES)[number];

/** The value every language or assistant outside the configured lists becomes. */
export const OTHER = 'other';

/** The `language` of counts whose source does not report one (OTLP metrics, mostly). */
export const UNKNOWN_LANGUAGE = 'unknown';

/** Default editor language ids (config `aiTelemetry.languages`). */
export const DEFAULT_LANGUAGES = [
  'python',
  'typescript',
  'javascript',
  'java',
  'go',
  'rust',
  'csharp',
  'cpp',
  'ruby',
  'kotlin',
  OTHER,
] as const;

/** Default assistants (config `aiTelemetry.assistants`). */
export const DEFAULT_ASSISTANTS = [
  'copilot',
  'continue',
  'cody',
  'claude-code',
  'cursor',
  'gemini-cli',
  'codex',
  OTHER,
] as const;

/**
 * Default allow-list of model name patterns (config `aiTelemetry.models`): `*` stands for any
 * characters; a normalised model that matches none is counted as `other`.
 */
export const DEFAULT_MODEL_PATTERNS = [
  'claude-*',
  'gpt-*',
  'gemini-*',
  'o*',
] as const;

/** The labels each metric carries, besides those Prometheus adds (job, instance). */
export const METRIC_LABELS: Record<MetricName, readonly string[]> = {
  [METRICS.suggestions]: [USER_HASH_LABEL, 'language', 'accepted', 'assistant'],
  [METRICS.linesGenerated]: [USER_HASH_LABEL, 'language', 'assistant'],
  [METRICS.timeSaved]: [USER_HASH_LABEL, 'activity', 'assistant'],
  [METRICS.featureUsage]: [USER_HASH_LABEL, 'feature', 'assistant'],
  [OTLP_METRICS.tokens]: [USER_HASH_LABEL, 'assistant', 'model', 'type'],
  [OTLP_METRICS.costUsd]: [USER_HASH_LABEL, 'assistant', 'model'],
  [OTLP_METRICS.sessions]: [USER_HASH_LABEL, 'assistant'],
  [OTLP_METRICS.activeSeconds]: [USER_HASH_LABEL, 'assistant', 'type'],
  [OTLP_METRICS.commits]: [USER_HASH_LABEL, 'assistant'],
  [OTLP_METRICS.pullRequests]: [USER_HASH_LABEL, 'assistant'],
};

/** Help texts served with the counters on the metrics endpoint. */
export const METRIC_HELP: Record<MetricName, string> = {
  [METRICS.suggestions]:
    'AI suggestions shown, by outcome (accepted="true"/"false").',
  [METRICS.linesGenerated]: 'Lines accepted from an AI assistant.',
  [METRICS.timeSaved]: 'Estimated seconds saved by accepting AI output.',
  [METRICS.featureUsage]: 'AI assistant feature invocations.',
  [OTLP_METRICS.tokens]:
    'Model tokens used by an AI assistant, by model and type (input, output, cache_read, cache_creation, reasoning).',
  [OTLP_METRICS.costUsd]:
    "AI assistant usage cost in US dollars: the assistant's own figure, else tokens times the configured price.",
  [OTLP_METRICS.sessions]: 'AI assistant sessions started.',
  [OTLP_METRICS.activeSeconds]:
    'Seconds an AI assistant was actively used, by the developer (user) or working itself (agent).',
  [OTLP_METRICS.commits]: 'Git commits made with an AI assistant.',
  [OTLP_METRICS.pullRequests]: 'Pull requests created with an AI assistant.',
};

/** Default seconds a developer would have spent typing one line (the seed's 10–15 s). */
export const DEFAULT_SECONDS_PER_LINE = 12;

/**
 * Time saved by one accepted suggestion: max(0, lines × secondsPerLine − waitSeconds).
 */
export function timeSavedSeconds(
  lines: number,
  waitSeconds: number,
  secondsPerLine: number = DEFAULT_SECONDS_PER_LINE,
): number {
  return Math.max(0, lines * secondsPerLine - waitSeconds);
}

/** Maps a value onto an allow-list, everything unknown becoming `other`. */
export function normaliseLabel(
  value: string | undefined,
  allowed: readonly string[],
): string {
  const v = (value ?? '').trim().toLowerCase();
  return allowed.includes(v) ? v : OTHER;
}

/** The longest model label value; anything longer is counted as `other`. */
const MAX_MODEL_LENGTH = 64;
const MODEL_VALUE = /^[a-z0-9][a-z0-9._:-]*$/;
/** A trailing release date, e.g. the `-20250929` of `claude-sonnet-4-5-20250929`. */
const DATE_SUFFIX = /-\d{8}$/;

/** Whether a normalised model name matches an allow-list pattern (`*` is any characters). */
export function modelMatchesPattern(model: string, pattern: string): boolean {
  const source = pattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(model);
}

/**
 * A model name as the source reports it, reduced to its label value: lower case, a trailing
 * `-YYYYMMDD` dropped (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`). `undefined` when
 * nothing usable is left.
 */
export function normaliseModelName(
  model: string | undefined,
): string | undefined {
  const value = (model ?? '').trim().toLowerCase().replace(DATE_SUFFIX, '');
  return value.length > 0 &&
    value.length <= MAX_MODEL_LENGTH &&
    MODEL_VALUE.test(value)
    ? value
    : undefined;
}

/**
 * The `model` label of a model name: normalised ({@link normaliseModelName}) and bounded by the
 * allow-list of patterns; anything else, or no model at all, is `other`.
 */
export function modelLabel(
  model: string | undefined,
  patterns: readonly string[] = DEFAULT_MODEL_PATTERNS,
): string {
  const value = normaliseModelName(model);
  if (value === undefined || value === OTHER) return OTHER;
  return patterns.some(pattern => modelMatchesPattern(value, pattern))
    ? value
    : OTHER;
}
