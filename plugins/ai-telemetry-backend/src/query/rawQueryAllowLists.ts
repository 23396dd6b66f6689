import {
  METRIC_LABELS,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';

/**
 * What the raw PromQL console takes (rawQueryGuard): the labels, aggregations and functions,
 * and what it refuses by name, with the reason the refusal gives.
 */

/** The labels of the contract besides the pseudonym: the only ones to group or match on. */
export const DIMENSION_LABELS: readonly string[] = [
  ...new Set(Object.values(METRIC_LABELS).flat()),
].filter(label => label !== USER_HASH_LABEL);

export const ALLOWED_AGGREGATIONS = ['sum', 'avg', 'count'];

export const REFUSED_AGGREGATIONS: Record<string, string> = {
  topk: 'it picks single series, i.e. single people',
  bottomk: 'it picks single series, i.e. single people',
  limitk: 'it picks single series, i.e. single people',
  limit_ratio: 'it picks single series, i.e. single people',
  max: "it answers one member's value",
  min: "it answers one member's value",
  quantile: "it answers one member's value",
  count_values: 'it turns values into labels',
  stddev: 'a spread over few members gives their values away',
  stdvar: 'a spread over few members gives their values away',
  group: 'use count',
};

/**
 * Functions that read per-person counters over a window, by their increments: a term is 0
 * exactly when nothing happened in the window. (A counter's own value, or a *_over_time of it,
 * is a running total: consecutive answers would differ by single people's increments.)
 */
export const PERSON_RANGE_FUNCTIONS = [
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'changes',
  'resets',
];
/** Functions of per-person terms that keep a term 0 exactly when it was. */
export const PERSON_FUNCTIONS = ['abs', 'sgn'];

export type Arg = 'vector' | 'matrix' | 'scalar';
export type Signature = { args: Arg[]; optional?: number; returns: Arg };

const range = (extra: Arg[] = []): Signature => ({
  args: ['matrix', ...extra],
  returns: 'vector',
});
const elementwise = (extra: Arg[] = [], optional = 0): Signature => ({
  args: ['vector', ...extra],
  optional,
  returns: 'vector',
});
const clock: Signature = { args: ['vector'], optional: 1, returns: 'vector' };

/** The functions the console takes, on aggregated series (and some on per-person ones). */
export const FUNCTIONS: Record<string, Signature> = {
  ...Object.fromEntries(PERSON_RANGE_FUNCTIONS.map(fn => [fn, range()])),
  sum_over_time: range(),
  avg_over_time: range(),
  min_over_time: range(),
  max_over_time: range(),
  last_over_time: range(),
  count_over_time: range(),
  present_over_time: range(),
  stddev_over_time: range(),
  stdvar_over_time: range(),
  deriv: range(),
  predict_linear: range(['scalar']),
  ...Object.fromEntries(
    [
      ...PERSON_FUNCTIONS,
      'ceil',
      'floor',
      'sqrt',
      'exp',
      'ln',
      'log2',
      'log10',
      'deg',
      'rad',
      'sort',
      'sort_desc',
      'timestamp',
    ].map(fn => [fn, elementwise()]),
  ),
  round: elementwise(['scalar'], 1),
  clamp: elementwise(['scalar', 'scalar']),
  clamp_min: elementwise(['scalar']),
  clamp_max: elementwise(['scalar']),
  ...Object.fromEntries(
    [
      'hour',
      'minute',
      'month',
      'year',
      'day_of_month',
      'day_of_week',
      'day_of_year',
      'days_in_month',
    ].map(fn => [fn, clock]),
  ),
  vector: { args: ['scalar'], returns: 'vector' },
  time: { args: [], returns: 'scalar' },
  pi: { args: [], returns: 'scalar' },
};

export const REFUSED_FUNCTIONS: Record<string, string> = {
  label_replace: 'it copies labels (such as user_hash) into others',
  label_join: 'it copies labels (such as user_hash) into others',
  absent: 'it answers by the absence of series, e.g. of one person',
  absent_over_time: 'it answers by the absence of series, e.g. of one person',
  scalar:
    'it turns a one-series result into a number; combine aggregations with on(...) or ignoring(...) instead',
  quantile_over_time: 'it answers single values',
  info: 'it selects target_info series by itself',
};

/** The smallest and largest factor per-person values may be scaled by (no underflow to 0). */
export const MIN_FACTOR = 1e-9;
export const MAX_FACTOR = 1e9;
