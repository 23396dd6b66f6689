import { InputError } from '@backstage/errors';
import {
  METRIC_LABELS,
  METRIC_NAMES,
  MetricName,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  Aggregation,
  Binary,
  Call,
  durationSeconds,
  Expr,
  formatDuration,
  parseRawQuery,
  renderPromql,
  Selector,
  short,
  Subquery,
} from './rawQueryAst';
import {
  ALLOWED_AGGREGATIONS,
  Arg,
  DIMENSION_LABELS,
  FUNCTIONS,
  MAX_FACTOR,
  MIN_FACTOR,
  PERSON_FUNCTIONS,
  PERSON_RANGE_FUNCTIONS,
  REFUSED_AGGREGATIONS,
  REFUSED_FUNCTIONS,
} from './rawQueryAllowLists';
import { RECORDING_RULE_SOURCES } from './recordingRules';
import { STEPS } from './window';

/** The longest raw query accepted. */
export const MAX_RAW_QUERY_LENGTH = 10_000;

/** The most aggregations of per-person series and rule selectors one query may hold. */
export const MAX_POOLING_UNITS = 20;

/** The finest step a subquery may take: the dashboards' finest, five minutes. */
export const MIN_SUBQUERY_STEP_SECONDS: number = STEPS[0];

/**
 * How many times one evaluation of a query may evaluate what its subqueries hold (range ÷ step,
 * multiplied through nested subqueries): Prometheus's own limit of points per series, so that
 * `[90d:1s]` (7.8 million) is refused at once rather than keep Prometheus busy.
 */
export const MAX_SUBQUERY_EVALUATIONS = 11_000;

/**
 * A part of the query whose every series must pool enough people, checked against the data
 * (rawQueryPooling): an aggregation of per-person series, or a recording rule's selector. The
 * subqueries it sits in, outermost first, tell when it is evaluated.
 */
export type PoolingUnit = (
  | { kind: 'aggregation'; node: Aggregation }
  | { kind: 'rule'; node: Selector }
) & {
  subqueries: Subquery[];
  /** The longest window it reads per-person counters over, in seconds. */
  window: number;
};

export type CheckedRawQuery = {
  /** The query as Prometheus will run it: the checked syntax tree written back. */
  promql: string;
  /** The metrics and recording rules it selects. */
  metrics: string[];
  units: PoolingUnit[];
};

/**
 * What a value is: its type; who it is about (no one: numbers, time; single people; pooled
 * groups); for per-person values, whether they are already scaled by a number, and whether they
 * are running totals (a counter read without a window).
 */
type Who = 'nobody' | 'person' | 'pooled';
type Shape = {
  kind: Arg | 'string';
  who: Who;
  scaled?: boolean;
  running?: boolean;
};

/** The longest range of the selectors in `expr` (a per-person expression), in seconds. */
function longestWindow(expr: Expr): number {
  switch (expr.type) {
    case 'selector':
      return expr.range ? durationSeconds(expr.range) : 0;
    case 'call':
    case 'aggregation':
      return Math.max(0, ...expr.args.map(longestWindow));
    case 'binary':
      return Math.max(longestWindow(expr.lhs), longestWindow(expr.rhs));
    case 'unary':
    case 'subquery':
      return longestWindow(expr.expr);
    default:
      return 0;
  }
}

function refuse(reason: string): never {
  throw new InputError(reason);
}

function checkLabels(labels: string[], where: string): void {
  for (const label of labels) {
    if (!DIMENSION_LABELS.includes(label)) {
      refuse(
        `${where} names the label ${label}, which is not one of the contract's dimensions ` +
          `(${DIMENSION_LABELS.join(
            ', ',
          )}); instance, job and exported_* labels may carry a pseudonym`,
      );
    }
  }
}

function userHashInArgs(what: string, args: Expr[]): string | undefined {
  if (
    args.some(a => a.type === 'string' && a.value.includes(USER_HASH_LABEL))
  ) {
    return `the arguments of ${what}`;
  }
  return args.map(userHashMention).find(Boolean);
}

/** Where the query names user_hash, if it does. */
function userHashMention(expr: Expr): string | undefined {
  const named = (labels: string[] | undefined) =>
    labels?.includes(USER_HASH_LABEL);
  switch (expr.type) {
    case 'selector':
      return expr.matchers.some(m => m.label === USER_HASH_LABEL)
        ? `a matcher of ${short(expr)}`
        : undefined;
    case 'subquery':
      return userHashMention(expr.expr);
    case 'aggregation':
      if (named(expr.grouping?.labels)) {
        return `the ${expr.grouping!.without ? 'without' : 'by'} clause of ${
          expr.op
        }`;
      }
      return userHashInArgs(expr.op, expr.args);
    case 'call':
      return userHashInArgs(`${expr.fn}()`, expr.args);
    case 'binary':
      if (named(expr.matching?.labels) || named(expr.matching?.group?.labels)) {
        return `the vector matching (on, ignoring, group_left, group_right) of ${expr.op}`;
      }
      return userHashMention(expr.lhs) ?? userHashMention(expr.rhs);
    case 'unary':
      return userHashMention(expr.expr);
    default:
      return undefined;
  }
}

class Checker {
  readonly metrics = new Set<string>();
  readonly units: PoolingUnit[] = [];

  check(expr: Expr, subqueries: Subquery[]): Shape {
    switch (expr.type) {
      case 'number':
        return { kind: 'scalar', who: 'nobody' };
      case 'string':
        return refuse(
          `the string ${short(
            expr,
          )} is not allowed: strings belong in label matchers only`,
        );
      case 'selector':
        return this.selector(expr, subqueries);
      case 'subquery':
        return this.subquery(expr, subqueries);
      case 'call':
        return this.call(expr, subqueries);
      case 'aggregation':
        return this.aggregation(expr, subqueries);
      case 'unary': {
        const shape = this.check(expr.expr, subqueries);
        if (shape.kind !== 'scalar' && shape.kind !== 'vector') {
          refuse(`${short(expr)}: a sign applies to numbers and vectors only`);
        }
        return shape;
      }
      case 'binary':
        return this.binary(expr, subqueries);
      default:
        return refuse('unknown syntax');
    }
  }

  private selector(expr: Selector, subqueries: Subquery[]): Shape {
    const name = expr.metric;
    if (!name) {
      refuse(
        `the selector ${short(expr)} has no metric name; ` +
          `name one of the contract's metrics (${METRIC_NAMES.join(
            ', ',
          )}) or recording rules`,
      );
    }
    if (expr.matchers.some(m => m.label === '__name__')) {
      refuse('matching on __name__ is not allowed; name the metric instead');
    }
    // An own key only: a metric named after an Object.prototype member (valueOf) is no rule.
    const isRule = Object.prototype.hasOwnProperty.call(
      RECORDING_RULE_SOURCES,
      name,
    );
    const contract = METRIC_NAMES.includes(name as MetricName);
    if (!isRule && !contract) {
      refuse(
        `the query selects ${name}, which is not one of the plugin's: only the contract's metrics ` +
          `(${METRIC_NAMES.join(', ')}) and its recording rules (${Object.keys(
            RECORDING_RULE_SOURCES,
          ).join(', ')}) may be selected`,
      );
    }
    const rule = RECORDING_RULE_SOURCES[name];
    const labels = isRule
      ? rule.labels
      : METRIC_LABELS[name as MetricName].filter(l => l !== USER_HASH_LABEL);
    for (const m of expr.matchers) {
      if (!labels.includes(m.label)) {
        const its = labels.length ? labels.join(', ') : 'it has none';
        refuse(
          `${short(expr)} matches on ${
            m.label
          }, which is not a label of ${name} (${its})`,
        );
      }
    }
    this.metrics.add(name);
    if (contract) {
      return expr.range
        ? { kind: 'matrix', who: 'person' }
        : { kind: 'vector', who: 'person', running: true };
    }
    if (expr.range) {
      refuse(
        `${short(
          expr,
        )}: read a recording rule over a range with a subquery at its ` +
          `hourly resolution, as the panels do: sum_over_time(${name}[1d:1h])`,
      );
    }
    this.units.push({
      kind: 'rule',
      node: expr,
      subqueries,
      window: Math.max(...rule.terms.map(t => durationSeconds(t.window))),
    });
    return { kind: 'vector', who: 'pooled' };
  }

  private subquery(expr: Subquery, subqueries: Subquery[]): Shape {
    checkSubqueryCost(expr, subqueries);
    const inner = this.check(expr.expr, [...subqueries, expr]);
    if (inner.kind !== 'vector') {
      refuse(`${short(expr)}: a subquery needs an instant vector inside`);
    }
    if (inner.who === 'person') {
      refuse(
        `${short(expr)} is a subquery of per-person series; aggregate first, ` +
          'e.g. max_over_time(sum(rate(metric[5m]))[1d:5m])',
      );
    }
    return { kind: 'matrix', who: inner.who };
  }

  private call(expr: Call, subqueries: Subquery[]): Shape {
    const { fn, args } = expr;
    const refusal = REFUSED_FUNCTIONS[fn];
    if (refusal) refuse(`${fn}() is not allowed: ${refusal}`);
    const signature = FUNCTIONS[fn];
    if (!signature) {
      refuse(
        `${fn}() is not one of the functions the console takes (${Object.keys(
          FUNCTIONS,
        ).join(', ')})`,
      );
    }
    const required = signature.args.length - (signature.optional ?? 0);
    if (args.length < required || args.length > signature.args.length) {
      refuse(`${fn}() takes ${signature.args.length} argument(s)`);
    }
    const shapes = args.map((arg, i) => {
      const shape = this.check(arg, subqueries);
      if (shape.kind !== signature.args[i]) {
        refuse(
          `${fn}() needs a ${signature.args[i]} as argument ${i + 1}, not a ${
            shape.kind
          }`,
        );
      }
      return shape;
    });
    const data = shapes.find(s => s.kind !== 'scalar');
    if (data?.who === 'person') {
      const allowed =
        signature.args[0] === 'matrix'
          ? PERSON_RANGE_FUNCTIONS
          : PERSON_FUNCTIONS;
      if (!allowed.includes(fn)) {
        refuse(
          `${fn}() of per-person series is not allowed: it can make people without data ` +
            'count as contributors or drop people by their own figures; apply it after ' +
            `the aggregation (per-person series take ${[
              ...PERSON_RANGE_FUNCTIONS,
              ...PERSON_FUNCTIONS,
            ].join(', ')})`,
        );
      }
      return {
        kind: 'vector',
        who: 'person',
        scaled: data.scaled,
        running: data.kind === 'vector' && data.running,
      };
    }
    return { kind: signature.returns, who: data?.who ?? 'nobody' };
  }

  private aggregation(expr: Aggregation, subqueries: Subquery[]): Shape {
    const why = REFUSED_AGGREGATIONS[expr.op];
    if (why || !ALLOWED_AGGREGATIONS.includes(expr.op)) {
      refuse(
        `${expr.op} is not allowed${why ? `: ${why}` : ''}; ` +
          `aggregate with ${ALLOWED_AGGREGATIONS.join(', ')}`,
      );
    }
    if (expr.grouping?.without) {
      refuse(
        `${expr.op} without (...) keeps every label it does not name; ` +
          `group with by (...) on the contract's dimensions`,
      );
    }
    checkLabels(expr.grouping?.labels ?? [], `${expr.op} by (...)`);
    const shapes = expr.args.map(arg => this.check(arg, subqueries));
    if (shapes.length !== 1 || shapes[0].kind !== 'vector') {
      refuse(`${expr.op}() takes one instant vector`);
    }
    if (shapes[0].who === 'person') {
      if (shapes[0].running) {
        refuse(
          `${short(
            expr,
          )} adds up per-person counters as they stand: running totals, so that ` +
            "consecutive answers differ by single people's increments; read them over a window, " +
            `e.g. increase(metric[1d]) or rate(metric[1h])`,
        );
      }
      this.units.push({
        kind: 'aggregation',
        node: expr,
        subqueries,
        window: longestWindow(expr),
      });
      return { kind: 'vector', who: 'pooled' };
    }
    return shapes[0];
  }

  private binary(expr: Binary, subqueries: Subquery[]): Shape {
    const { op, matching } = expr;
    checkLabels(
      [...(matching?.labels ?? []), ...(matching?.group?.labels ?? [])],
      `the vector matching of ${op}`,
    );
    const lhs = this.check(expr.lhs, subqueries);
    const rhs = this.check(expr.rhs, subqueries);
    for (const shape of [lhs, rhs]) {
      if (shape.kind !== 'scalar' && shape.kind !== 'vector') {
        refuse(
          `${short(
            expr,
          )}: ${op} takes numbers and instant vectors, not range vectors`,
        );
      }
    }
    if (lhs.who !== 'person' && rhs.who !== 'person') {
      const vector = lhs.kind === 'vector' || rhs.kind === 'vector';
      const who =
        lhs.who === 'pooled' || rhs.who === 'pooled' ? 'pooled' : 'nobody';
      return { kind: vector ? 'vector' : 'scalar', who };
    }
    return this.personBinary(expr, lhs, rhs);
  }

  /** The only operation on per-person series besides functions: scaling by a plain number. */
  private personBinary(expr: Binary, lhs: Shape, rhs: Shape): Shape {
    const { op } = expr;
    const text = short(expr);
    if (lhs.kind !== 'scalar' && rhs.kind !== 'scalar') {
      refuse(
        `${text} combines per-person series with ${
          lhs.who === rhs.who ? 'each other' : 'other series'
        }: an operator between a person's series picks people by their other data; ` +
          'aggregate each side and combine the results, e.g. sum(a) / sum(b)',
      );
    }
    if (['==', '!=', '>', '<', '>=', '<='].includes(op)) {
      refuse(
        `${text} compares per-person values: a filter on each person's own figure picks ` +
          'people out (like max or quantile); compare the aggregated result instead, ' +
          'e.g. sum by (language) (...) > 100',
      );
    }
    const scalar = lhs.kind === 'scalar' ? expr.lhs : expr.rhs;
    const person = lhs.kind === 'scalar' ? rhs : lhs;
    const factor = scalar.type === 'number' ? Math.abs(scalar.value) : NaN;
    if (
      !(op === '*' || (op === '/' && scalar === expr.rhs)) ||
      !(factor >= MIN_FACTOR && factor <= MAX_FACTOR) ||
      person.scaled
    ) {
      refuse(
        `${text}: per-person values may only be multiplied or divided once by a plain number ` +
          'between 1e-9 and 1e9 (adding one, say, makes people without data ' +
          'look like contributors); do the arithmetic after the aggregation',
      );
    }
    return {
      kind: 'vector',
      who: 'person',
      scaled: true,
      running: person.running,
    };
  }
}

/**
 * Refuses a subquery that steps more finely than {@link MIN_SUBQUERY_STEP_SECONDS}, or that
 * (with the subqueries around it) evaluates its inner query more than
 * {@link MAX_SUBQUERY_EVALUATIONS} times per evaluation of the query: checked before anything
 * inside it, so that a costly query is refused first for its cost.
 */
function checkSubqueryCost(expr: Subquery, enclosing: Subquery[]): void {
  const finest = formatDuration(MIN_SUBQUERY_STEP_SECONDS);
  if (!expr.step) {
    refuse(
      `the subquery ${short(
        expr,
      )} has no step (Prometheus would take its evaluation ` +
        `interval); give it a step of at least ${finest}, e.g. [${expr.range}:${finest}]`,
    );
  }
  const step = durationSeconds(expr.step);
  if (step < MIN_SUBQUERY_STEP_SECONDS) {
    refuse(
      `the subquery step ${expr.step} of ${short(
        expr,
      )} is finer than ${finest}, ` +
        `the dashboards' finest step; use a step of at least ${finest}, e.g. [${expr.range}:${finest}]`,
    );
  }
  const evaluationsOf = (s: Subquery) =>
    Math.ceil(durationSeconds(s.range) / durationSeconds(s.step!));
  const outer = enclosing.reduce((n, s) => n * evaluationsOf(s), 1);
  const evaluations = outer * evaluationsOf(expr);
  if (evaluations > MAX_SUBQUERY_EVALUATIONS) {
    // The finest whole-minute step that keeps to the limit.
    const perOuter = Math.max(1, Math.floor(MAX_SUBQUERY_EVALUATIONS / outer));
    const coarser = formatDuration(
      Math.ceil(durationSeconds(expr.range) / perOuter / 60) * 60,
    );
    refuse(
      `the subquery ${short(
        expr,
      )} evaluates its inner query ${evaluations} times ` +
        `(range ÷ step${
          enclosing.length ? ', times the subqueries around it' : ''
        }), more than ${MAX_SUBQUERY_EVALUATIONS}; use a step of at least ${coarser} ` +
        `or a shorter range, e.g. [${expr.range}:${coarser}]`,
    );
  }
}

/**
 * Refuses a unit evaluated more often than the window it reads: consecutive answers would
 * overlap, and their difference would be about the few people of the span between them. The
 * step is the unit's innermost subquery's, else the query's (none for a single evaluation).
 */
function checkStep(unit: PoolingUnit, queryStep?: number): void {
  const subquery = unit.subqueries[unit.subqueries.length - 1];
  // Written out only for a refusal: every raw query passes here with its step.
  const what = () =>
    unit.kind === 'rule'
      ? `the recording rule ${short(unit.node)}`
      : short(unit.node);
  if (subquery && !subquery.step) {
    refuse(
      `${what()} sits in a subquery without a step; give it one of at least its window, ` +
        `e.g. [${subquery.range}:${formatDuration(unit.window)}]`,
    );
  }
  const step = subquery ? durationSeconds(subquery.step!) : queryStep;
  if (step !== undefined && step < unit.window) {
    refuse(
      `${what()} reads ${formatDuration(
        unit.window,
      )} windows every ${formatDuration(step)}${
        subquery ? " (its subquery's step)" : ''
      }: consecutive answers would overlap, and differ by the few people of the span ` +
        `between them; use a step of at least ${formatDuration(unit.window)}`,
    );
  }
}

/**
 * Checks a raw PromQL query of the admin console before it reaches Prometheus, and refuses it
 * with its reason (an InputError) unless every answer it can give is about pooled groups:
 * - it selects only the contract's metrics (per-person series) and the plugin's recording rules,
 *   matching only on their own labels: no user_hash anywhere, no __name__, no quoted names;
 * - per-person counters are only read over a window by their increments (rate, increase...),
 *   scaled by a plain number, and aggregated with sum, avg or count by the contract's
 *   dimensions; never filtered by value, compared, matched with other series, put in a
 *   subquery, read as running totals or aggregated with topk, max, quantile & co;
 * - aggregated results may then be combined freely with the allowed functions and operators;
 * - no aggregation of per-person series and no recording rule is evaluated in a subquery more
 *   often than the window it reads (see checkQueryStep for the query's own step).
 * What is left to check against the data (rawQueryPooling) is listed as pooling units: every
 * aggregation of per-person series and every recording rule selector.
 */
export function checkRawQuery(query: string): CheckedRawQuery {
  if (query.trim() === '') {
    throw new InputError('query is empty');
  }
  if (query.length > MAX_RAW_QUERY_LENGTH) {
    throw new InputError(
      `query is ${query.length} characters long, more than ${MAX_RAW_QUERY_LENGTH}`,
    );
  }
  const expr = parseRawQuery(query);
  const mention = userHashMention(expr);
  if (mention) {
    refuse(
      `user_hash appears in ${mention}: a raw query may not name the pseudonym label, ` +
        'since every answer must pool many people',
    );
  }
  const checker = new Checker();
  const shape = checker.check(expr, []);
  if (shape.kind !== 'vector' && shape.kind !== 'scalar') {
    refuse('the query must answer an instant vector or a number');
  }
  if (shape.who === 'person') {
    refuse(
      'the query answers per-person series; aggregate them with sum, avg or count by (...) ' +
        `on the contract's dimensions (${DIMENSION_LABELS.join(', ')})`,
    );
  }
  for (const unit of checker.units) {
    checkStep(unit);
  }
  if (checker.units.length > MAX_POOLING_UNITS) {
    refuse(
      `the query holds ${checker.units.length} aggregations of per-person series and ` +
        `recording rule selectors; at most ${MAX_POOLING_UNITS} are checked per query`,
    );
  }
  return {
    promql: renderPromql(expr),
    metrics: [...checker.metrics].sort(),
    units: checker.units,
  };
}

/**
 * Refuses a checked query whose range, evaluated every `step` seconds, would read an
 * aggregation of per-person series or a recording rule more often than the window it reads.
 */
export function checkQueryStep(checked: CheckedRawQuery, step: number): void {
  for (const unit of checked.units) {
    if (unit.subqueries.length === 0) checkStep(unit, step);
  }
}
