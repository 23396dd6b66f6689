import { MetricName, METRICS } from '@fawkes/plugin-ai-telemetry-common';
import { RECORDING_RULES } from './families';
import { Matcher } from './rawQueryAst';

/** One per-person term that a recording rule adds up: `fn(metric{matchers}[window])`. */
export type RuleTerm = {
  fn: 'increase' | 'rate';
  metric: MetricName;
  matchers: Matcher[];
  window: string;
};

/** What a recording rule's series are made of, for the raw console's pooling check. */
export type RecordingRuleSource = {
  /** The rule's expression, as deploy/prometheus/rules/ai-telemetry-recording.yml writes it. */
  expr: string;
  /** The labels its series carry. */
  labels: readonly string[];
  /** The per-person terms each series adds up: it pools the pseudonyms whose term is not 0. */
  terms: RuleTerm[];
};

function hourlyIncrease(
  metric: MetricName,
  labels: string[],
): RecordingRuleSource {
  return {
    expr: `sum by (${labels.join(', ')}) (increase(${metric}[1h]))`,
    labels,
    terms: [{ fn: 'increase', metric, matchers: [], window: '1h' }],
  };
}

const suggestions = METRICS.suggestions;

/**
 * Every recording rule of the plugin with the per-person counters it is computed from (a test
 * holds this table to the rule file, so that the two cannot drift apart).
 */
export const RECORDING_RULE_SOURCES: Readonly<
  Record<string, RecordingRuleSource>
> = {
  [RECORDING_RULES.suggestions]: hourlyIncrease(suggestions, [
    'language',
    'accepted',
    'assistant',
  ]),
  [RECORDING_RULES.linesGenerated]: hourlyIncrease(METRICS.linesGenerated, [
    'language',
    'assistant',
  ]),
  [RECORDING_RULES.timeSaved]: hourlyIncrease(METRICS.timeSaved, [
    'activity',
    'assistant',
  ]),
  [RECORDING_RULES.featureUsage]: hourlyIncrease(METRICS.featureUsage, [
    'feature',
    'assistant',
  ]),
  'ai_telemetry:acceptance:ratio_rate1h': {
    expr:
      `sum(rate(${suggestions}{accepted="true"}[1h])) / ` +
      `sum(rate(${suggestions}[1h]))`,
    labels: [],
    terms: [
      {
        fn: 'rate',
        metric: suggestions,
        matchers: [{ label: 'accepted', op: '=', value: 'true' }],
        window: '1h',
      },
      { fn: 'rate', metric: suggestions, matchers: [], window: '1h' },
    ],
  },
  'ai_telemetry:active_users:count1h': {
    expr: `count(sum by (user_hash) (increase(${suggestions}[1h])) > 0)`,
    labels: [],
    terms: [
      { fn: 'increase', metric: suggestions, matchers: [], window: '1h' },
    ],
  },
};
