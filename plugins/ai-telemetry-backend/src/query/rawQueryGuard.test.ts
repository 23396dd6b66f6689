import { InputError } from '@backstage/errors';
import { checkRawQuery } from './rawQueryGuard';

function reasonFor(query: string): string {
  try {
    checkRawQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`${query} was accepted`);
}

describe('checkRawQuery', () => {
  it('accepts the contract metrics and the recording rules, and lists what is selected', () => {
    expect(
      checkRawQuery(
        'sum by (language) (rate(ai_copilot_suggestions_total{accepted="true"}[1h])) / ' +
          'sum by (language) (ai_telemetry:suggestions:increase1h offset 1d)',
      ),
    ).toEqual([
      'ai_copilot_suggestions_total',
      'ai_telemetry:suggestions:increase1h',
    ]);
    expect(
      checkRawQuery(
        'max_over_time(ai_copilot_feature_usage{feature=~"chat|test"}[1d:1h])',
      ),
    ).toEqual(['ai_copilot_feature_usage']);
    expect(checkRawQuery('vector(1)')).toEqual([]);
  });

  it('refuses every other metric, naming it', () => {
    expect(reasonFor('up')).toMatch(
      /selects up, which is not one of the plugin's/,
    );
    expect(
      reasonFor('ai_copilot_suggestions_total or process_cpu_seconds_total'),
    ).toMatch(/process_cpu_seconds_total/);
    expect(reasonFor('ai_copilot_')).toMatch(/selects ai_copilot_,/);
    expect(reasonFor('ai_telemetryx:foo')).toMatch(/ai_telemetryx:foo/);
  });

  it('refuses selectors without a metric name and matchers on __name__', () => {
    expect(reasonFor('{user_hash="abc"}')).toMatch(/has no metric name/);
    expect(reasonFor('sum(rate({job=~".+"}[5m]))')).toMatch(
      /has no metric name/,
    );
    expect(reasonFor('ai_copilot_feature_usage{__name__=~".+"}')).toMatch(
      /__name__/,
    );
    expect(reasonFor('ai_copilot_feature_usage{__name__="up"}')).toMatch(
      /__name__/,
    );
  });

  it('refuses quoted names, info() and queries that do not parse', () => {
    expect(reasonFor('{"up"}')).toMatch(/has no metric name/);
    expect(reasonFor('ai_copilot_feature_usage{"up"}')).toMatch(
      /quoted metric or label names/,
    );
    expect(reasonFor('ai_copilot_feature_usage{"x"="y"}')).toMatch(/quoted/);
    expect(reasonFor('info(ai_copilot_feature_usage)')).toMatch(/target_info/);
    expect(reasonFor('sum(ai_copilot_feature_usage')).toMatch(/does not parse/);
    expect(reasonFor('ai_copilot_feature_usage{a="b"} or up{x="')).toMatch(
      /does not parse|selects up/,
    );
    expect(reasonFor('   ')).toMatch(/empty/);
    expect(reasonFor(`ai_copilot_x${' '.repeat(10_001)}`)).toMatch(
      /more than 10000/,
    );
  });
});
