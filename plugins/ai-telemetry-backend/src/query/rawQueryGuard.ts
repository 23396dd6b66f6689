import { InputError } from '@backstage/errors';
import {
  CONTRACT_METRIC_PREFIX,
  RECORDING_RULE_PREFIX,
} from '@fawkes/plugin-ai-telemetry-common';
import { parser } from '@prometheus-io/lezer-promql';

/** The longest raw query accepted. */
export const MAX_RAW_QUERY_LENGTH = 10_000;

function snippet(query: string, from: number): string {
  const text = query
    .slice(Math.max(0, from - 10), from + 20)
    .replace(/\s+/g, ' ');
  return JSON.stringify(text);
}

function allowedMetric(name: string): boolean {
  return (
    (name.startsWith(CONTRACT_METRIC_PREFIX) &&
      name.length > CONTRACT_METRIC_PREFIX.length) ||
    (name.startsWith(RECORDING_RULE_PREFIX) &&
      name.length > RECORDING_RULE_PREFIX.length)
  );
}

/**
 * Checks a raw PromQL query of the admin console before it reaches Prometheus: it must parse,
 * and every series it selects must be one of the plugin's, named as such: an `ai_copilot_*`
 * metric of the contract or an `ai_telemetry:*` recording rule. Refused, each with its reason
 * in an InputError: a selector without a metric name (`{job="x"}`), any matcher on `__name__`,
 * quoted (UTF-8) metric or label names, `info()` (which selects `target_info` by itself), and
 * every other metric. Returns the metric names the query selects.
 */
export function checkRawQuery(query: string): string[] {
  if (query.trim() === '') {
    throw new InputError('query is empty');
  }
  if (query.length > MAX_RAW_QUERY_LENGTH) {
    throw new InputError(
      `query is ${query.length} characters long, more than ${MAX_RAW_QUERY_LENGTH}`,
    );
  }
  const tree = parser.parse(query);
  const metrics = new Set<string>();
  let refusal: string | undefined;
  const refuse = (reason: string) => {
    refusal ??= reason;
  };

  tree.iterate({
    enter: node => {
      if (refusal) return false;
      if (node.type.isError) {
        refuse(
          `query does not parse at position ${node.from}, near ${snippet(
            query,
            node.from,
          )}`,
        );
        return false;
      }
      switch (node.name) {
        case 'VectorSelector': {
          const identifier = node.node.getChild('Identifier');
          if (!identifier) {
            refuse(
              `the selector ${snippet(query, node.from)} has no metric name; ` +
                `name one of the ai_copilot_* metrics or ai_telemetry:* recording rules`,
            );
            return false;
          }
          const name = query.slice(identifier.from, identifier.to);
          if (!allowedMetric(name)) {
            refuse(
              `the query selects ${name}, which is not one of the plugin's: only ` +
                `${CONTRACT_METRIC_PREFIX}* metrics and ${RECORDING_RULE_PREFIX}* recording rules may be selected`,
            );
            return false;
          }
          metrics.add(name);
          return undefined;
        }
        case 'LabelName':
          if (query.slice(node.from, node.to) === '__name__') {
            refuse(
              'matching on __name__ is not allowed; name the metric instead',
            );
          }
          return undefined;
        case 'QuotedLabelName':
        case 'QuotedLabelMatcher':
          refuse(
            `quoted metric or label names, as in ${snippet(
              query,
              node.from,
            )}, are not allowed`,
          );
          return false;
        case 'Info':
          refuse(
            'info() is not allowed: it selects target_info series by itself',
          );
          return false;
        default:
          return undefined;
      }
    },
  });

  if (refusal) {
    throw new InputError(refusal);
  }
  return [...metrics].sort();
}
