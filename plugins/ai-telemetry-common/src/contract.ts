/**
 * The metric contract (docs/metric-contract.md): what lands in Prometheus, and nothing else.
 */

/** The four counters, under the names the seed's PromQL, alerts and Grafana dashboard use. */
export const METRICS = {
  suggestions: 'ai_copilot_suggestions_total',
  linesGenerated: 'ai_copilot_lines_generated',
  timeSaved: 'ai_copilot_time_saved_seconds',
  featureUsage: 'ai_copilot_feature_usage',
} as const;

/** @public */
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Every metric name of the contract, in a fixed order. */
export const METRIC_NAMES: readonly MetricName[] = Object.values(METRICS);

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

/** The value every language or assistant outside the configured lists becomes. */
export const OTHER = 'other';

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
  OTHER,
] as const;

/** The labels each metric carries, besides those Prometheus adds (job, instance). */
export const METRIC_LABELS: Record<MetricName, readonly string[]> = {
  [METRICS.suggestions]: [USER_HASH_LABEL, 'language', 'accepted', 'assistant'],
  [METRICS.linesGenerated]: [USER_HASH_LABEL, 'language', 'assistant'],
  [METRICS.timeSaved]: [USER_HASH_LABEL, 'activity', 'assistant'],
  [METRICS.featureUsage]: [USER_HASH_LABEL, 'feature', 'assistant'],
};

/** Help texts served with the counters on the metrics endpoint. */
export const METRIC_HELP: Record<MetricName, string> = {
  [METRICS.suggestions]:
    'AI suggestions shown, by outcome (accepted="true"/"false").',
  [METRICS.linesGenerated]: 'Lines accepted from an AI assistant.',
  [METRICS.timeSaved]: 'Estimated seconds saved by accepting AI output.',
  [METRICS.featureUsage]: 'AI assistant feature invocations.',
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
