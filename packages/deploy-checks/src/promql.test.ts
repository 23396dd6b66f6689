import { analysePromql, metricNames } from './promql';

describe('analysePromql', () => {
  it('lists the metrics an expression selects and the labels it matches on', () => {
    const analysis = analysePromql(
      'sum(rate(ai_copilot_suggestions_total{accepted="true",language=~"go|python"}[1h])) / sum(rate(ai_copilot_suggestions_total[1h]))',
    );

    expect(analysis.errors).toEqual([]);
    expect(metricNames(analysis)).toEqual(['ai_copilot_suggestions_total']);
    expect(analysis.selectors.map(s => s.matcherLabels)).toEqual([
      ['accepted', 'language'],
      [],
    ]);
    expect(analysis.outputLabels).toEqual([]);
  });

  it('reports a syntax error with its position', () => {
    const analysis = analysePromql('sum(ai_copilot_lines_generated{language=');

    expect(analysis.errors).toHaveLength(1);
    expect(analysis.errors[0]).toMatch(/^syntax error at \d+/);
  });

  it('tells a selector whose labels an aggregation drops from one whose labels reach the result', () => {
    const analysis = analysePromql(
      'topk(3, ai_copilot_lines_generated) or sum by (language) (ai_copilot_lines_generated) / ai_copilot_feature_usage',
    );

    expect(
      analysis.selectors.map(({ metric, aggregated }) => [metric, aggregated]),
    ).toEqual([
      ['ai_copilot_lines_generated', false],
      ['ai_copilot_lines_generated', true],
      ['ai_copilot_feature_usage', false],
    ]);
    expect(analysis.outputLabels).toBeUndefined();
  });

  it('finds user_hash wherever it is named, and aggregations that use without', () => {
    const analysis = analysePromql(
      'count(sum without (language) (ai_copilot_suggestions_total)) / on(user_hash) group by (user_hash) (ai_copilot_feature_usage)',
    );

    expect(analysis.labelNames).toEqual(['language', 'user_hash', 'user_hash']);
    expect(analysis.usesWithout).toBe(true);
  });

  it('gives the labels a result keeps: the outermost by labels, over both sides', () => {
    expect(
      analysePromql(
        'sum by (language, accepted) (increase(ai_copilot_suggestions_total[1h]))',
      ).outputLabels,
    ).toEqual(['language', 'accepted']);
    expect(
      analysePromql(
        '(sum by (feature) (a) / sum by (feature, assistant) (b)) * 2',
      ).outputLabels,
    ).toEqual(['feature', 'assistant']);
    expect(
      analysePromql('count(sum by (user_hash) (increase(a[1h])) > 0)')
        .outputLabels,
    ).toEqual([]);
    expect(analysePromql('rate(a[5m])').outputLabels).toBeUndefined();
  });
});
