import { InputError } from '@backstage/errors';
import {
  METRIC_NAMES,
  MetricName,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../upstream/PrometheusClient';
import {
  Matcher,
  renderModifiers,
  renderPromql,
  renderSelector,
  Selector,
  short,
  Subquery,
} from './rawQueryAst';
import { PoolingUnit } from './rawQueryGuard';
import { RECORDING_RULE_SOURCES } from './recordingRules';

/**
 * One companion query of a raw query: per group of a pooling unit and evaluation time, how many
 * pseudonyms the group pools. Its value is the number of pseudonyms with a non-zero term in the
 * group; when none has one, the number of pseudonyms in the group at all plus one half (a group
 * of enough people that all did nothing may be answered: its zeros single no one out); 0 for a
 * group without pseudonyms.
 */
export type PoolingCheck = {
  /** What the check is about, for the refusal. */
  unit: string;
  query: string;
  hint: string;
};

const WITH_PSEUDONYM: Matcher = { label: USER_HASH_LABEL, op: '!=', value: '' };

function by(labels: readonly string[]): string {
  return labels.length > 0 ? ` by (${labels.join(', ')})` : '';
}

/**
 * The pooling count of `perPerson` (an expression of per-person series, those without a
 * pseudonym left out) by `labels`, each group present in `groups` counted.
 */
function poolCount(
  labels: readonly string[],
  perPerson: string,
  groups: string,
): string {
  const perGroup = `count${by(labels)}`;
  const perUser = `count${by([...labels, USER_HASH_LABEL])}`;
  return (
    `(${perGroup} (${perUser} ((${perPerson}) != 0))) or ` +
    `(${perGroup} (${perUser} (${perPerson})) + 0.5) or ` +
    `(${groups} * 0)`
  );
}

/** Evaluates a count where the unit is evaluated: within each subquery, the smallest. */
function withinSubqueries(count: string, subqueries: Subquery[]): string {
  return [...subqueries]
    .reverse()
    .reduce(
      (inner, s) =>
        `min_over_time((${inner})[${s.range}:${s.step ?? ''}]${renderModifiers(
          s,
        )})`,
      count,
    );
}

function aggregationCheck(
  unit: Extract<PoolingUnit, { kind: 'aggregation' }>,
): PoolingCheck {
  const labels = unit.node.grouping?.labels ?? [];
  const [inner] = unit.node.args;
  const perPerson = renderPromql(inner, {
    selector: s =>
      METRIC_NAMES.includes(s.metric as MetricName)
        ? { ...s, matchers: [...s.matchers, WITH_PSEUDONYM] }
        : s,
  });
  const groups = `count${by(labels)} (${renderPromql(inner)})`;
  return {
    unit: short(unit.node),
    query: withinSubqueries(
      poolCount(labels, perPerson, groups),
      unit.subqueries,
    ),
    hint: `widen its window (e.g. [1d] rather than [1h])${
      labels.length > 0 ? ', group by fewer labels' : ''
    } or drop a label filter`,
  };
}

function ruleChecks(
  unit: Extract<PoolingUnit, { kind: 'rule' }>,
): PoolingCheck[] {
  const selector: Selector = unit.node;
  const rule = RECORDING_RULE_SOURCES[selector.metric];
  const groups = `(${renderPromql(selector)})`;
  return rule.terms.map(term => {
    const source = `${term.fn}(${renderSelector(term.metric, [
      ...term.matchers,
      ...selector.matchers,
      WITH_PSEUDONYM,
    ])}[${term.window}]${renderModifiers(selector)})`;
    return {
      unit: `the recording rule ${short(selector)}`,
      query: withinSubqueries(
        poolCount(rule.labels, source, groups),
        unit.subqueries,
      ),
      hint:
        'read it over a wider window (e.g. sum_over_time(rule[1d:1h]) at a daily step)' +
        ' or drop a label filter',
    };
  });
}

/** The companion queries of a checked raw query's pooling units, without duplicates. */
export function poolingChecks(units: PoolingUnit[]): PoolingCheck[] {
  const checks = units.flatMap(unit =>
    unit.kind === 'aggregation' ? [aggregationCheck(unit)] : ruleChecks(unit),
  );
  return [...new Map(checks.map(c => [c.query, c])).values()];
}

function groupName(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length > 0
    ? `the group {${entries
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ')}}`
    : 'the whole selection';
}

/** Why a companion query's answer shows a group that pools too few people, if it does. */
export function unpooledReason(
  check: PoolingCheck,
  series: PrometheusSeries[],
  minGroupSize: number,
): string | undefined {
  for (const s of series) {
    const low = s.points.find(([, v]) => !(v >= minGroupSize));
    if (low) {
      const [t, v] = low;
      const people = Math.floor(v);
      const who = `${people} ${people === 1 ? 'person' : 'people'}${
        Number.isInteger(v) ? ' with data' : ', none of them with data'
      }`;
      return (
        `${check.unit} pools ${who} in ${groupName(s.labels)} at ` +
        `${new Date(
          t * 1000,
        ).toISOString()}: every series must pool at least ` +
        `${minGroupSize} people with data (or at least ${minGroupSize} people who all have none). ` +
        `To answer, ${check.hint}.`
      );
    }
  }
  return undefined;
}

/**
 * Runs the companion queries of the pooling units (through `run`, over the raw query's own
 * range and step) and refuses, with an InputError naming the group, its count and a hint, when
 * any group at any evaluation time pools fewer than `minGroupSize` pseudonyms.
 */
export async function assertPooled(
  units: PoolingUnit[],
  run: (query: string) => Promise<PrometheusSeries[]>,
  minGroupSize: number,
): Promise<void> {
  const checks = poolingChecks(units);
  const answers = await Promise.all(checks.map(c => run(c.query)));
  for (const [i, check] of checks.entries()) {
    const reason = unpooledReason(check, answers[i], minGroupSize);
    if (reason) throw new InputError(reason);
  }
}
