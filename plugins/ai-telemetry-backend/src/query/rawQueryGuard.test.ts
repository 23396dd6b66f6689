import { InputError } from '@backstage/errors';
import { checkQueryStep, checkRawQuery } from './rawQueryGuard';
import { GUARD_REFUSALS } from './__testUtils__/rawQueryAttempts';

function reasonFor(query: string): string {
  try {
    checkRawQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`${query} was accepted`);
}

function units(query: string): string[] {
  return checkRawQuery(query).units.map(u => {
    const name = u.node.type === 'selector' ? u.node.metric : u.node.op;
    const where = u.subqueries.map(s => ` in [${s.range}:${s.step ?? ''}]`);
    return `${u.kind} ${name}${where.join('')}`;
  });
}

describe('checkRawQuery', () => {
  it('accepts the contract metrics and the recording rules, and lists what is selected', () => {
    expect(
      checkRawQuery(
        'sum by (language) (rate(ai_copilot_suggestions_total{accepted="true"}[1h])) / ' +
          'sum by (language) (ai_telemetry:suggestions:increase1h offset 1d)',
      ).metrics,
    ).toEqual([
      'ai_copilot_suggestions_total',
      'ai_telemetry:suggestions:increase1h',
    ]);
    expect(
      checkRawQuery(
        'max_over_time(sum(increase(ai_copilot_feature_usage{feature=~"chat|test"}[1h]))[1d:1h])',
      ).metrics,
    ).toEqual(['ai_copilot_feature_usage']);
    expect(checkRawQuery('vector(1)').metrics).toEqual([]);
  });

  it.each([
    'sum by (language) (increase(ai_copilot_suggestions_total[1d]))',
    'sum(increase(ai_copilot_suggestions_total{accepted="true"}[1d])) / sum(increase(ai_copilot_suggestions_total[1d]))',
    'avg by (assistant) (rate(ai_copilot_lines_generated{language=~"go|rust", assistant!="other"}[5m] offset 1w))',
    'count by (feature) (increase(ai_copilot_feature_usage[1h] @ end()))',
    'sum(increase(ai_copilot_time_saved_seconds{activity="documentation"}[1h] @ 1795824000)) / 3600',
    'sum(abs(-(increase(ai_copilot_lines_generated[1d]) / 60)))',
    'sum(sgn(increase(ai_copilot_lines_generated[1d]) * 2))',
    'sum(3600 * rate(ai_copilot_lines_generated[5m]))',
    'sum by (language) (increase(ai_copilot_lines_generated[1d])) > 1000',
    'sum by (language) (increase(ai_copilot_lines_generated[1d])) / ignoring(language) group_left sum(increase(ai_copilot_lines_generated[1d]))',
    'sum by (language, assistant) (increase(ai_copilot_lines_generated[1d])) / on(language) group_left sum by (language) (increase(ai_copilot_lines_generated[1d]))',
    'round(clamp_min(sum(increase(ai_copilot_lines_generated[1d])), 1), 10)',
    'sum by (language) (rate(ai_copilot_lines_generated[5m])) and on(language) sum by (language) (rate(ai_copilot_suggestions_total[5m])) > 1',
    'max_over_time(sum by (language) (rate(ai_copilot_lines_generated[5m]))[1d:5m] offset 1d)',
    'sum_over_time(ai_telemetry:suggestions:increase1h{language="go"}[1d:1h])',
    'ai_telemetry:acceptance:ratio_rate1h',
    'sum(ai_telemetry:feature_usage:increase1h) by (feature)',
    'hour() + 0 * time()',
    'sort_desc(sum by (language) (increase(ai_copilot_lines_generated[1d])))',
  ])('lets through %s', query => {
    expect(() => checkRawQuery(query)).not.toThrow();
  });

  it.each(GUARD_REFUSALS)(
    'refuses an attempt to %s',
    (_what, query, reason) => {
      expect(reasonFor(query)).toMatch(reason);
    },
  );

  it('lists what is left to check against the data: aggregations of per-person series and rule selectors, with the subqueries they sit in', () => {
    expect(
      units(
        'sum(sum by (language) (increase(ai_copilot_lines_generated[1h]))) / ' +
          'max_over_time(avg_over_time(count(irate(ai_copilot_feature_usage[5m]))[1h:5m])[1d:1h]) + ' +
          'sum_over_time(ai_telemetry:lines_generated:increase1h[1d:1h] offset 1d)',
      ),
    ).toEqual([
      'aggregation sum',
      'aggregation count in [1d:1h] in [1h:5m]',
      'rule ai_telemetry:lines_generated:increase1h in [1d:1h]',
    ]);
    expect(units('sum(vector(1)) + time()')).toEqual([]);
  });

  it('writes the query back as it was read, which is what Prometheus runs', () => {
    // Every operation in parentheses: where lezer and Prometheus could read the text differently
    // (here, `-2 ^ 2`), Prometheus runs what was checked. Comments go, escapes are normalised.
    expect(
      checkRawQuery(
        "sum by(language)(rate(ai_copilot_lines_generated{language=~'go|r\\u0075st'}[5m]))  # a comment\n" +
          '/ on (language) group_left sum by (language) (increase(ai_copilot_lines_generated[1h] offset 1h @ start())) * -2 ^ 2',
      ).promql,
    ).toBe(
      '(sum by (language) (rate(ai_copilot_lines_generated{language=~"go|rust"}[5m])) / on(language) group_left() ' +
        'sum by (language) (increase(ai_copilot_lines_generated[1h] @ start() offset 1h))) * ((-2) ^ 2)',
    );
    expect(
      checkRawQuery(
        'sum(rate(ai_copilot_feature_usage{feature="\\x41\\101\\n\\"é"}[5m]))',
      ).promql,
    ).toBe(
      'sum(rate(ai_copilot_feature_usage{feature="AA\\u000a\\"\\u00e9"}[5m]))',
    );
  });

  it('refuses every other metric, naming it', () => {
    expect(reasonFor('up')).toMatch(
      /selects up, which is not one of the plugin's/,
    );
    expect(
      reasonFor(
        'sum(rate(ai_copilot_suggestions_total[5m])) or process_cpu_seconds_total',
      ),
    ).toMatch(/process_cpu_seconds_total/);
    expect(reasonFor('ai_copilot_')).toMatch(/selects ai_copilot_,/);
    expect(reasonFor('ai_telemetryx:foo')).toMatch(/ai_telemetryx:foo/);
  });

  it('refuses selectors without a metric name and matchers on __name__', () => {
    expect(reasonFor('{job="x"}')).toMatch(/has no metric name/);
    expect(reasonFor('sum(rate({job=~".+"}[5m]))')).toMatch(
      /has no metric name/,
    );
    expect(reasonFor('sum(ai_copilot_feature_usage{__name__=~".+"})')).toMatch(
      /__name__/,
    );
    expect(reasonFor('sum(ai_copilot_feature_usage{__name__="up"})')).toMatch(
      /__name__/,
    );
  });

  it('refuses quoted names, info() and queries that do not parse', () => {
    expect(reasonFor('{"up"}')).toMatch(/quoted metric or label name/);
    expect(reasonFor('ai_copilot_feature_usage{"up"}')).toMatch(
      /quoted metric or label name/,
    );
    expect(reasonFor('ai_copilot_feature_usage{"x"="y"}')).toMatch(/quoted/);
    expect(reasonFor('info(ai_copilot_feature_usage)')).toMatch(/target_info/);
    expect(reasonFor('sum(ai_copilot_feature_usage')).toMatch(
      /does not parse at position \d+/,
    );
    expect(reasonFor('ai_copilot_feature_usage{a="b"} or up{x="')).toMatch(
      /does not parse|selects up/,
    );
    expect(reasonFor('sum(ai_copilot_feature_usage{feature="\\q"})')).toMatch(
      /the escape \\q/,
    );
    expect(reasonFor('   ')).toMatch(/empty/);
    expect(reasonFor(`ai_copilot_x${' '.repeat(10_001)}`)).toMatch(
      /more than 10000/,
    );
  });
});

describe('checkQueryStep', () => {
  const daily = 'sum(increase(ai_copilot_feature_usage[1d]))';

  it('passes a step of at least the window, and names the unit and its window otherwise', () => {
    const checked = checkRawQuery(daily);
    expect(() => checkQueryStep(checked, 86400)).not.toThrow();
    expect(() => checkQueryStep(checked, 3600)).toThrow(
      new InputError(
        `${daily} reads 1d windows every 1h: consecutive answers would overlap, and differ ` +
          'by the few people of the span between them; use a step of at least 1d',
      ),
    );
  });

  it('names a recording rule as one', () => {
    expect(() =>
      checkQueryStep(
        checkRawQuery('sum(ai_telemetry:suggestions:increase1h)'),
        60,
      ),
    ).toThrow(
      /^the recording rule ai_telemetry:suggestions:increase1h reads 1h windows every 1m:/,
    );
  });
});
