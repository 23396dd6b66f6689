/**
 * Attempts to get a per-person answer out of the admin's raw PromQL console, each with the
 * reason it must be refused for. The guard refuses these before Prometheus is asked, so the
 * unit tests check them alone and the integration test again over HTTP on real data.
 */

const S = 'ai_copilot_suggestions_total';
const L = 'ai_copilot_lines_generated';
const RULE = 'ai_telemetry:suggestions:increase1h';
const HASH = 'ab'.repeat(32);

const userHash = /user_hash appears in/;
const notDimension = /which is not one of the contract's dimensions/;
const refusedAggregation = (op: string) =>
  new RegExp(`^${op} is not allowed: .*; aggregate with sum, avg, count$`);
const refusedFunction = (fn: string) =>
  new RegExp(`^${fn}\\(\\) is not allowed`);
const notAFunction = (fn: string) =>
  new RegExp(`^${fn}\\(\\) is not one of the functions the console takes`);
const perPersonFunction = (fn: string) =>
  new RegExp(`^${fn}\\(\\) of per-person series is not allowed`);
const notAggregated = /the query answers per-person series; aggregate them/;
const perPersonSubquery = /is a subquery of per-person series; aggregate first/;
const compares = /compares per-person values/;
const combines = /combines per-person series with (each other|other series)/;
const scaling = /per-person values may only be multiplied or divided once/;
const notPlugins = /which is not one of the plugin's/;
const runningTotal =
  /adds up per-person counters as they stand: running totals/;

/** [what it tries, the query, the reason it must be refused for]. */
export const GUARD_REFUSALS: Array<[string, string, RegExp]> = [
  // The three of the issue.
  [
    'copy user_hash into another label with label_replace',
    `sum by (u) (label_replace(${S}, "u", "$1", "user_hash", "(.*)"))`,
    /user_hash appears in the arguments of label_replace\(\)/,
  ],
  [
    'copy user_hash into another label with label_join',
    `sum by (u) (label_join(${S}, "u", "", "user_hash"))`,
    /user_hash appears in the arguments of label_join\(\)/,
  ],
  [
    'select one pseudonym and aggregate it "away"',
    `sum without (user_hash) (${S}{user_hash="${HASH}"})`,
    /user_hash appears in the without clause of sum/,
  ],
  // user_hash anywhere else.
  [
    'group by the pseudonym',
    `sum by (user_hash) (rate(${S}[5m]))`,
    /user_hash appears in the by clause of sum/,
  ],
  [
    'match pseudonyms by a regular expression',
    `sum(${S}{user_hash=~"0a.*"})`,
    /user_hash appears in a matcher of/,
  ],
  [
    'join on the pseudonym',
    `sum(rate(${S}[5m])) * on(user_hash) group_left sum(rate(${L}[5m]))`,
    /user_hash appears in the vector matching/,
  ],
  [
    'ignore the pseudonym in a join',
    `sum(${L}) / ignoring(user_hash) sum(${S})`,
    userHash,
  ],
  [
    'copy the pseudonym over with group_left',
    `sum by (language) (${L}) * on(language) group_left(user_hash) sum by (language) (${S})`,
    userHash,
  ],
  [
    'turn pseudonyms into values with count_values',
    `count_values("user_hash", sum(${L}))`,
    /user_hash appears in the arguments of count_values/,
  ],
  [
    'select one pseudonym of a recording rule',
    `${RULE}{user_hash="${HASH}"}`,
    userHash,
  ],
  // Labels that may carry a pseudonym (legacy pushes), and `without`.
  ['group by instance', `sum by (instance) (rate(${S}[5m]))`, notDimension],
  ['group by job', `sum by (job) (rate(${S}[5m]))`, notDimension],
  [
    'group by an exported label',
    `sum by (exported_instance) (${S})`,
    notDimension,
  ],
  [
    'join on instance',
    `sum by (language) (${S}) / on(instance) sum by (language) (${L})`,
    notDimension,
  ],
  [
    'match on instance',
    `sum(${S}{instance="x"})`,
    /matches on instance, which is not a label of ai_copilot_suggestions_total/,
  ],
  [
    'keep every other label with without',
    `sum without (language) (rate(${S}[5m]))`,
    /without \(\.\.\.\) keeps every label it does not name/,
  ],
  [
    'keep every label with an empty without',
    `sum without () (${S})`,
    /without/,
  ],
  // Aggregations that pick members.
  [
    'pick the busiest series',
    `topk(1, rate(${S}[5m]))`,
    refusedAggregation('topk'),
  ],
  [
    'pick the idlest series',
    `bottomk(1, rate(${S}[5m]))`,
    refusedAggregation('bottomk'),
  ],
  ['answer the maximum', `max(increase(${L}[1d]))`, refusedAggregation('max')],
  ['answer the minimum', `min(increase(${L}[1d]))`, refusedAggregation('min')],
  [
    'answer a quantile',
    `quantile(0.99, increase(${L}[1d]))`,
    refusedAggregation('quantile'),
  ],
  [
    'turn values into labels',
    `count_values("v", increase(${L}[1d]))`,
    refusedAggregation('count_values'),
  ],
  ['pick k series', `limitk(1, ${L})`, refusedAggregation('limitk')],
  [
    'pick a share of series',
    `limit_ratio(0.1, ${L})`,
    refusedAggregation('limit_ratio'),
  ],
  [
    'answer a spread',
    `stddev(increase(${L}[1d]))`,
    refusedAggregation('stddev'),
  ],
  [
    'answer a variance',
    `stdvar(increase(${L}[1d]))`,
    refusedAggregation('stdvar'),
  ],
  [
    'answer presence per group',
    `group by (language) (${L})`,
    refusedAggregation('group'),
  ],
  [
    'pick the maximum of pooled groups',
    `max(sum by (language) (increase(${L}[1d])))`,
    refusedAggregation('max'),
  ],
  // Functions.
  [
    'learn whether one group has series',
    `absent(${S}{language="cobol"})`,
    refusedFunction('absent'),
  ],
  [
    'learn whether one group had series',
    `absent_over_time(${S}{language="cobol"}[1d])`,
    refusedFunction('absent_over_time'),
  ],
  [
    'turn a result into a scalar',
    `scalar(sum(${L}))`,
    refusedFunction('scalar'),
  ],
  [
    'answer a quantile over time',
    `sum(quantile_over_time(0.5, ${L}[1h]))`,
    refusedFunction('quantile_over_time'),
  ],
  ['select target_info', `info(${L})`, /target_info/],
  [
    'sort by a label',
    `sort_by_label(sum by (language) (${L}), "language")`,
    notAFunction('sort_by_label'),
  ],
  [
    'use a histogram function',
    `histogram_quantile(0.9, sum by (language) (rate(${L}[5m])))`,
    notAFunction('histogram_quantile'),
  ],
  [
    'round small values to zero',
    `sum(round(increase(${L}[1d]), 1000))`,
    perPersonFunction('round'),
  ],
  [
    'floor small values to zero',
    `sum(floor(increase(${L}[1d]) / 1000))`,
    perPersonFunction('floor'),
  ],
  [
    'give people without data a value',
    `sum(clamp_min(increase(${L}[1d]), 1))`,
    perPersonFunction('clamp_min'),
  ],
  [
    'count samples of people without data',
    `sum(count_over_time(${L}[1h]))`,
    perPersonFunction('count_over_time'),
  ],
  ['read sample times', `sum(timestamp(${L}))`, perPersonFunction('timestamp')],
  [
    'give people without data exp(0) = 1',
    `sum(exp(increase(${L}[1d])))`,
    perPersonFunction('exp'),
  ],
  [
    'use a fit that is not exactly 0 without data',
    `sum(deriv(${L}[1h]))`,
    perPersonFunction('deriv'),
  ],
  // Per-person series not aggregated.
  ['read the raw series', S, notAggregated],
  [
    'read one group of raw series',
    `rate(${S}{language="rust"}[5m])`,
    notAggregated,
  ],
  ['scale the raw series', `${L} * 2`, notAggregated],
  ['negate the raw series', `-${L}`, notAggregated],
  [
    'hide raw series after a comment',
    `sum(rate(${L}[5m])) # hidden\nor rate(${L}[5m])`,
    combines,
  ],
  // Running totals, and windows read more often than they are long.
  ['add up the counters as they stand', `sum(${S})`, runningTotal],
  [
    'count the series as they stand',
    `count by (language) (${S}{language="rust"})`,
    runningTotal,
  ],
  ['scale the counters as they stand', `sum(abs(${L}) * 2)`, runningTotal],
  [
    'read a running total over a window',
    `sum(max_over_time(${L}[1d]))`,
    perPersonFunction('max_over_time'),
  ],
  [
    'read the last value in a window',
    `sum(last_over_time(${L}[1h]))`,
    perPersonFunction('last_over_time'),
  ],
  [
    'difference overlapping daily windows in a subquery',
    `rate(sum(increase(${L}[1d]))[2h:5m])`,
    /reads 1d windows every 5m \(its subquery's step\)/,
  ],
  [
    'leave the step of a subquery to the engine',
    `max_over_time(sum(increase(${L}[1h]))[1d:])`,
    /has no step \(Prometheus would take its evaluation interval\); give it a step of at least 5m/,
  ],
  [
    'read a recording rule in a subquery more often than it is recorded',
    `deriv(sum(${RULE})[1d:30m])`,
    /reads 1h windows every 30m/,
  ],
  // Subqueries of per-person series.
  [
    'take each person at their busiest',
    `sum(max_over_time(rate(${L}[5m])[1d:5m]))`,
    perPersonSubquery,
  ],
  [
    'aggregate a per-person subquery',
    `sum(rate(${L}[5m])[1h:5m] offset 1d)`,
    perPersonSubquery,
  ],
  // Queries that would keep Prometheus busy (issue 13): refused for their cost, first.
  [
    'keep Prometheus busy for seconds with a subquery stepping every second',
    `sum(sum_over_time(${S}[90d:1s]))`,
    /^the subquery step 1s of .* is finer than 5m, the dashboards' finest step; use a step of at least 5m, e\.g\. \[90d:5m\]$/,
  ],
  [
    'step a subquery in milliseconds',
    `max_over_time(sum(rate(${L}[5m]))[1d:100ms])`,
    /the subquery step 100ms .* is finer than 5m/,
  ],
  [
    'evaluate a subquery 25,920 times',
    `max_over_time(sum(rate(${L}[5m]))[90d:5m])`,
    /evaluates its inner query 25920 times \(range ÷ step\), more than 11000; use a step of at least 12m or a shorter range/,
  ],
  [
    'multiply nested subqueries into millions of evaluations',
    `max_over_time(max_over_time(sum(rate(${L}[5m]))[1d:5m])[30d:5m])`,
    /evaluates its inner query 2488320 times \(range ÷ step, times the subqueries around it\)/,
  ],
  [
    'leave the step of a subquery without metrics to the engine',
    'max_over_time(vector(1)[90d:])',
    /has no step/,
  ],
  // Filters on per-person values.
  ['keep only the heaviest user', `sum(increase(${L}[1d]) > 1e6)`, compares],
  [
    'count people above a threshold',
    `count(increase(${L}[1d]) > 100)`,
    compares,
  ],
  ['mark people without data', `sum(increase(${L}[1d]) == bool 0)`, compares],
  ['filter with the number first', `sum(1e6 < increase(${L}[1d]))`, compares],
  // Per-person series combined with other series.
  [
    'keep the people who also use rust',
    `sum(increase(${S}{language="go"}[1d]) and ignoring(language) increase(${S}{language="rust"}[1d]))`,
    combines,
  ],
  [
    'drop the people who use rust',
    `sum(increase(${S}[1d]) unless ignoring(language) increase(${S}{language="rust"}[1d]))`,
    combines,
  ],
  [
    'fill in from another metric',
    `sum(increase(${S}[1d]) or increase(${L}[1d]))`,
    combines,
  ],
  [
    "multiply everyone by one group's total",
    `sum(increase(${S}{language="go"}[1d]) * on() group_left() sum(increase(${S}{language="rust"}[1d])))`,
    combines,
  ],
  [
    'divide per person',
    `sum(increase(${S}[1d]) / ignoring(accepted) group_left increase(${S}{accepted="true"}[1d]))`,
    combines,
  ],
  [
    'add a constant vector to everyone',
    `sum(increase(${S}[1d]) * vector(2))`,
    combines,
  ],
  [
    'subtract a person from themselves a day earlier',
    `sum(increase(${S}[1d]) - increase(${S}[1d] offset 1d))`,
    combines,
  ],
  // Arithmetic that makes people without data count.
  ['add 1 to everyone', `sum(increase(${L}[1d]) + 1)`, scaling],
  ['underflow small values to 0', `sum(increase(${L}[1d]) * 5e-324)`, scaling],
  ['underflow in two steps', `sum(increase(${L}[1d]) * 1e-6 * 1e-6)`, scaling],
  ['divide a number by people', `sum(1 / increase(${L}[1d]))`, scaling],
  ['raise to the power 0', `sum(increase(${L}[1d]) ^ 0)`, scaling],
  ['take a remainder', `sum(increase(${L}[1d]) % 10)`, scaling],
  ['multiply by a non-literal', `sum(increase(${L}[1d]) * time())`, scaling],
  // Recording rules.
  [
    "read a rule's raw samples over a range",
    `sum_over_time(${RULE}[1d])`,
    /read a recording rule over a range with a subquery/,
  ],
  [
    'match a rule on a label it does not have',
    `ai_telemetry:acceptance:ratio_rate1h{language="go"}`,
    /matches on language, which is not a label of ai_telemetry:acceptance:ratio_rate1h \(it has none\)/,
  ],
  // Other metrics and names.
  [
    'select a lookalike of the contract',
    `sum(ai_copilot_secret_total)`,
    notPlugins,
  ],
  [
    'select a lookalike of the rules',
    `sum(ai_telemetry:shadow:rule)`,
    notPlugins,
  ],
  ['select another metric', 'up', notPlugins],
  [
    'select by a name pattern',
    `sum(rate({__name__=~"ai_copilot_.*"}[5m]))`,
    /has no metric name/,
  ],
  [
    'match on __name__',
    `sum(${L}{__name__=~".+"})`,
    /matching on __name__ is not allowed/,
  ],
  [
    'hide a label behind quotes',
    `sum({"${L}", "user_hash"="${HASH}"})`,
    /quoted metric or label name/,
  ],
  // Syntax.
  [
    'use a string as a value',
    `sum(rate(${L}[5m])) + "1"`,
    /strings belong in label matchers/,
  ],
  [
    'use a range without unit',
    `sum(rate(${L}[300]))`,
    /a duration that is not a plain duration/,
  ],
  [
    'compute a range',
    `sum(rate(${L}[5m * 2]))`,
    /a duration that is not a plain duration/,
  ],
  ['use a duration as a number', `sum(${L}) * 1h`, /the number "1h"/],
  [
    'hold too many aggregations',
    Array.from(
      { length: 21 },
      (_, i) => `sum(rate(${L}{language="l${i}"}[5m]))`,
    ).join(' + '),
    /at most 20 are checked per query/,
  ],
  // The per-developer daily rules keep user_hash: read them for one developer's days.
  [
    "read a per-developer daily rule's series",
    'ai_telemetry:suggestions_per_user:increase1d',
    /selects ai_telemetry:suggestions_per_user:increase1d, which is not one of the plugin's/,
  ],
  [
    'aggregate a per-developer daily rule, grouped by a breakdown label',
    'count by (language) (ai_telemetry:lines_generated_per_user:increase1d)',
    /selects ai_telemetry:lines_generated_per_user:increase1d, which is not one of the plugin's/,
  ],
  [
    "read the daily rules' marker",
    'ai_telemetry:per_user_daily_v3:evaluated',
    /selects ai_telemetry:per_user_daily_v3:evaluated, which is not one of the plugin's/,
  ],
];
