import { METRIC_NAMES } from '@fawkes/plugin-ai-telemetry-common';
import fc from 'fast-check';
import { RECORDING_RULE_SOURCES } from '../query/recordingRules';
import { checkRawQuery } from '../query/rawQueryGuard';
import {
  fakePrometheus,
  NOW,
  testQueryService,
} from '../query/__testUtils__/testDoubles';
import { holds, hostileStringOf } from './__testUtils__/hostile';
import { contractViolations, SELECTABLE } from './__testUtils__/promqlContract';

/**
 * The admin's raw PromQL console (POST /v1/query: src/query/rawQueryGuard.ts and rawQueryAst.ts
 * through QueryService.rawQuery), over generated queries: selectors of contract metrics,
 * recording rules and other metrics, matchers with hostile and badly quoted values, aggregations,
 * functions, binary operations, subqueries and modifiers, and junk spliced in anywhere. A query
 * is refused with a 400 (an InputError that says why), or what reaches Prometheus selects only
 * the contract's metrics and recording rules, on their own labels, never user_hash; and what
 * the guard writes back is itself a query it accepts unchanged (what runs is what was checked).
 */

const RUNS = { guard: 6_000, service: 1_000 };

const MATCH_OPS = ['=', '!=', '=~', '!~'];

const metricName = fc.constantFrom(
  ...METRIC_NAMES,
  ...METRIC_NAMES,
  ...Object.keys(RECORDING_RULE_SOURCES),
  'up',
  'ALERTS',
  'node_cpu_seconds_total',
  'ai_copilot_other_total',
  'ai_telemetry:other:increase1h',
  'ai_copilot_suggestions_total_bucket',
  'sum',
  'on',
  'offset',
  '',
);
const labelName = fc.constantFrom(
  'language',
  'assistant',
  'accepted',
  'activity',
  'feature',
  'model',
  'type',
  'user_hash',
  '__name__',
  'job',
  'instance',
  'le',
);
/** A label value quoted as PromQL takes it, or quoted carelessly, or raw. */
const quotedValue = fc
  .tuple(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom('python', 'copilot', 'true', '.+', ''),
      },
      { weight: 2, arbitrary: hostileStringOf(40) },
    ),
    fc.constantFrom('json', 'json', 'json', 'single', 'backtick', 'raw'),
  )
  .map(([value, style]) => {
    switch (style) {
      case 'json':
        return JSON.stringify(value);
      case 'single':
        return `'${value}'`;
      case 'backtick':
        return `\`${value}\``;
      default:
        return `"${value}"`;
    }
  });
const matchers = fc
  .array(
    fc
      .tuple(labelName, fc.constantFrom(...MATCH_OPS), quotedValue)
      .map(([l, op, v]) => `${l}${op}${v}`),
    { maxLength: 3 },
  )
  .map(list => (list.length > 0 ? `{${list.join(', ')}}` : ''));
const selector = fc
  .tuple(metricName, matchers)
  .map(([m, ms]) => (m === '' && ms === '' ? '{}' : `${m}${ms}`));
const duration = fc.constantFrom(
  '5m',
  '1h',
  '1d',
  '30s',
  '90d',
  '1s',
  '0s',
  '1h30m',
  '15m',
);
const modifier = fc.constantFrom(
  '',
  '',
  '',
  ' offset 1h',
  ' offset -5m',
  ' @ 1700000000',
  ' @ end()',
);

const query = fc.letrec<{ vector: string; range: string }>(tie => ({
  vector: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    {
      weight: 3,
      arbitrary: fc.tuple(selector, modifier).map(([s, m]) => s + m),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'sum',
            'sum',
            'avg',
            'count',
            'max',
            'min',
            'topk(3,',
            'quantile(0.5,',
            'count_values("x",',
            'group',
            'stddev',
          ),
          fc.constantFrom(
            '',
            ' by (language)',
            ' by (assistant, language)',
            ' without (user_hash)',
            ' by (user_hash)',
            ' by (job)',
            ' by ()',
          ),
          tie('vector'),
        )
        .map(([op, grouping, inner]) =>
          op.endsWith(',')
            ? `${op.slice(0, op.indexOf('('))}${grouping}(${op.slice(
                op.indexOf('(') + 1,
              )} ${inner})`
            : `${op}${grouping} (${inner})`,
        ),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'rate',
            'increase',
            'irate',
            'delta',
            'changes',
            'sum_over_time',
            'max_over_time',
            'absent_over_time',
            'quantile_over_time(0.9,',
            'predict_linear',
          ),
          tie('range'),
        )
        .map(([fn, inner]) => {
          if (fn.endsWith(',')) return `${fn} ${inner})`;
          return fn === 'predict_linear'
            ? `${fn}(${inner}, 3600)`
            : `${fn}(${inner})`;
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'abs',
            'sgn',
            'ceil',
            'sort',
            'vector',
            'scalar',
            'absent',
            'timestamp',
            'hour',
          ),
          tie('vector'),
        )
        .map(([fn, inner]) => `${fn}(${inner})`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(tie('vector'), quotedValue, quotedValue)
        .map(
          ([inner, a, b]) =>
            `label_replace(${inner}, ${a}, "$1", ${b}, "(.*)")`,
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          tie('vector'),
          fc.constantFrom(
            '+',
            '-',
            '*',
            '/',
            '%',
            '^',
            '>',
            '==',
            '> bool',
            'and',
            'or',
            'unless',
            'atan2',
          ),
          fc.constantFrom(
            '',
            '',
            ' on(language)',
            ' ignoring(user_hash)',
            ' on() group_left(user_hash)',
            ' on(language) group_right',
          ),
          tie('vector'),
        )
        .map(([l, op, matching, r]) => `${l} ${op}${matching} ${r}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '1',
        '-1',
        '0.5',
        '1e9',
        '1e-12',
        'Inf',
        'NaN',
        '0x10',
        'time()',
        'pi()',
      ),
    },
    { weight: 1, arbitrary: tie('vector').map(v => `(${v})`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(tie('vector'), fc.constantFrom('-', '+'))
        .map(([v, op]) => `${op}${v}`),
    },
  ),
  range: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(selector, duration, modifier)
        .map(([s, d, m]) => `${s}[${d}]${m}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          tie('vector'),
          duration,
          fc.constantFrom('', '5m', '1h', '1s', '1d'),
        )
        .map(([v, d, step]) => `(${v})[${d}:${step}]`),
    },
  ),
})).vector;

/** A query of the shape the console takes, with hostile matcher values, quoted as PromQL. */
const consoleQuery = fc
  .constantFrom(...METRIC_NAMES, ...Object.keys(RECORDING_RULE_SOURCES))
  .chain(metric => {
    const labels = SELECTABLE.get(metric)!.filter(l => l !== 'user_hash');
    if (labels.length === 0) {
      return fc.constantFrom(`sum(${metric})`, `avg(${metric}) * 2`);
    }
    const matcher = fc
      .tuple(
        fc.constantFrom(...labels),
        fc.constantFrom(...MATCH_OPS),
        fc.oneof(fc.constantFrom('python', 'copilot'), hostileStringOf(40)),
      )
      .map(([label, op, value]) => `${label}${op}${JSON.stringify(value)}`);
    const selected = fc
      .array(matcher, { maxLength: 2 })
      .map(ms => (ms.length > 0 ? `${metric}{${ms.join(', ')}}` : metric));
    const by = fc
      .subarray(labels, { maxLength: Math.min(2, labels.length) })
      .map(ls => (ls.length > 0 ? ` by (${ls.join(', ')})` : ''));
    const inner = metric.includes(':')
      ? selected
      : fc
          .tuple(
            fc.constantFrom('rate', 'increase'),
            selected,
            fc.constantFrom('5m', '1h'),
          )
          .map(([fn, sel, window]) => `${fn}(${sel}[${window}])`);
    return fc
      .tuple(
        fc.constantFrom('sum', 'avg', 'count'),
        by,
        inner,
        fc.constantFrom('', ' * 100', ' / 3600', ' > 5'),
      )
      .map(
        ([agg, grouping, body, tail]) => `${agg}${grouping} (${body})${tail}`,
      );
  });

/** Junk spliced in anywhere: a comment, a quote, a brace, a long run of anything. */
const rawQuery = fc.oneof(
  { weight: 4, arbitrary: consoleQuery },
  { weight: 8, arbitrary: query },
  {
    weight: 2,
    arbitrary: fc
      .tuple(query, fc.nat(), hostileStringOf(300))
      .map(
        ([q, at, junk]) =>
          q.slice(0, at % (q.length + 1)) + junk + q.slice(at % (q.length + 1)),
      ),
  },
  { weight: 1, arbitrary: hostileStringOf(1000) },
);

describe('raw PromQL of the admin console, over generated queries', () => {
  // Thousands of generated cases a test, on a shared CI machine.
  jest.setTimeout(120_000);

  it(`refuses with a reason, or lets through only queries within the contract, written back as checked (${RUNS.guard} queries)`, () => {
    let passed = 0;
    fc.assert(
      fc.property(rawQuery, text => {
        let checked;
        try {
          checked = checkRawQuery(text);
        } catch (error) {
          const { name, message } = error as Error;
          holds(name === 'InputError', () => `threw ${name}: ${message}`);
          // A refusal may quote the part of the query it refuses, but no more.
          holds(
            message.length > 0 && message.length < 1000 + text.length,
            () => `a message of ${message.length}`,
          );
          return;
        }
        passed++;
        const problems = contractViolations(checked.promql, {
          ops: MATCH_OPS,
          userHash: 'none',
        });
        holds(problems.length === 0, () => problems.join('\n'));
        // What runs passes the guard again, selecting the same; written once more it stays
        // as it is (the first writing may drop the parentheses of a signed number: `(+1)`).
        const again = checkRawQuery(checked.promql);
        holds(
          JSON.stringify(again.metrics) === JSON.stringify(checked.metrics),
          () => `selects otherwise once written back: ${checked.promql}`,
        );
        const third = checkRawQuery(again.promql).promql;
        holds(
          third === again.promql,
          () => `written back otherwise: ${again.promql} → ${third}`,
        );
      }),
      {
        numRuns: RUNS.guard,
        // Found by this property: a metric named after an Object.prototype member (a 500),
        // and a modified selector under a sign, written back without its parentheses.
        examples: [
          ['-(ai_telemetry:suggestions:increase1h offset 1h)'],
          ['+1 ^ 1'],
          ['valueOf'],
          ['sum(constructor)'],
          ['toString{language="x"}'],
        ],
      },
    );
    expect(passed).toBeGreaterThan(RUNS.guard / 20);
  });

  it(`sends Prometheus only queries within the contract, the query and its pooling checks alike (${RUNS.service} queries)`, async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        rawQuery,
        fc.constantFrom(300, 3600, 86400),
        async (text, step) => {
          const prometheus = fakePrometheus();
          const service = testQueryService({ prometheus: prometheus.client });
          try {
            await service.rawQuery({
              query: text,
              start: NOW - 7 * 86400,
              end: NOW,
              step,
            });
          } catch (error) {
            const { name, message } = error as Error;
            holds(name === 'InputError', () => `threw ${name}: ${message}`);
            // Valid times: a refusal is about the query (or its step), never start or end.
            holds(!/^Invalid (start|end)/.test(message), () => message);
          }
          for (const asked of prometheus.asked) {
            sent++;
            const promql = asked.split(' ').slice(1, -3).join(' ');
            const problems = contractViolations(promql, {
              ops: MATCH_OPS,
              userHash: 'present',
            });
            holds(problems.length === 0, () => problems.join('\n'));
          }
        },
      ),
      { numRuns: RUNS.service },
    );
    expect(sent).toBeGreaterThan(RUNS.service / 20);
  });
});
