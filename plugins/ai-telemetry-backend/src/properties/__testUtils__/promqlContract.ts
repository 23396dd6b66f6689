import {
  METRIC_LABELS,
  METRIC_NAMES,
  MetricName,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import { parser } from '@prometheus-io/lezer-promql';
import { RECORDING_RULE_SOURCES } from '../../query/recordingRules';
import {
  FAMILY_METRICS,
  PER_USER_DAILY_EVALUATED,
  PER_USER_DAILY_RULES,
  PER_USER_DAILY_UNFILTERED,
  ORGANISATION_DAILY_RULES,
} from '../../query/families';

/**
 * Reads built PromQL back with Prometheus's own grammar (@prometheus-io/lezer-promql, the
 * parser the raw query guard uses too) and says what it selects, independently of the code
 * that built it.
 */

export type Matcher = { label: string; op: string; value: string };
export type SelectorRead = { metric: string; matchers: Matcher[] };

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** A PromQL string literal's value, as Prometheus's lexer (Go's strconv.Unquote) reads it. */
export function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') {
      out += body[i];
      continue;
    }
    const c = body[++i];
    if (c in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[c];
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const digits = { x: 2, u: 4, U: 8 }[c];
      out += String.fromCodePoint(
        parseInt(body.slice(i + 1, i + 1 + digits), 16),
      );
      i += digits;
    } else if (/[0-7]/.test(c)) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      throw new Error(`unknown escape \\${c} in ${literal}`);
    }
  }
  return out;
}

/**
 * Every selector of a query with its metric and matchers, and the query's shape (the names of
 * its syntax nodes, in order). Throws when the query does not parse, or names a metric or label
 * in quotes (syntax no builder writes).
 */
export function readPromql(query: string): {
  shape: string;
  selectors: SelectorRead[];
} {
  const tree = parser.parse(query);
  const names: string[] = [];
  const selectors: SelectorRead[] = [];
  const text = (n: { from: number; to: number } | null) =>
    n ? query.slice(n.from, n.to) : '';
  tree.iterate({
    enter: node => {
      if (node.type.isError) {
        throw new Error(`does not parse at ${node.from}: ${query}`);
      }
      if (
        node.name === 'QuotedLabelName' ||
        node.name === 'QuotedLabelMatcher'
      ) {
        throw new Error(`names a metric or label in quotes: ${query}`);
      }
      names.push(node.name);
      if (node.name === 'VectorSelector') {
        const matchers = (
          node.node
            .getChild('LabelMatchers')
            ?.getChildren('UnquotedLabelMatcher') ?? []
        ).map(m => ({
          label: text(m.getChild('LabelName')),
          op: text(m.getChild('MatchOp')),
          value: unquote(text(m.getChild('StringLiteral'))),
        }));
        // `{__name__="x",...}` names the metric x, as `x{...}` does.
        const named = matchers.findIndex(
          m => m.label === '__name__' && m.op === '=',
        );
        const identifier = text(node.node.getChild('Identifier'));
        selectors.push(
          identifier || named < 0
            ? { metric: identifier, matchers }
            : {
                metric: matchers[named].value,
                matchers: matchers.filter((_, i) => i !== named),
              },
        );
      }
      return undefined;
    },
  });
  return { shape: names.join(' '), selectors };
}

/** The metrics and recording rules a query may select, each with the labels it carries. */
export const SELECTABLE: ReadonlyMap<string, readonly string[]> = new Map([
  ...METRIC_NAMES.map((name): [string, readonly string[]] => [
    name,
    METRIC_LABELS[name as MetricName],
  ]),
  ...Object.entries(RECORDING_RULE_SOURCES).map(
    ([name, source]): [string, readonly string[]] => [name, source.labels],
  ),
  // The per-developer daily rules keep (at most) their counter's labels; the marker none.
  ...Object.entries(PER_USER_DAILY_RULES).map(
    ([family, rule]): [string, readonly string[]] => [
      rule,
      METRIC_LABELS[FAMILY_METRICS[family as keyof typeof FAMILY_METRICS]],
    ],
  ),
  ...Object.values(PER_USER_DAILY_UNFILTERED).flatMap(narrow =>
    narrow!.map((unfiltered): [string, readonly string[]] => [
      unfiltered.rule,
      ['user_hash', ...unfiltered.labels],
    ]),
  ),
  // The organisation's daily rules: no user_hash.
  ...Object.values(ORGANISATION_DAILY_RULES).map(
    (organisation): [string, readonly string[]] => [
      organisation!.rule,
      organisation!.labels,
    ],
  ),
  [PER_USER_DAILY_EVALUATED, []],
]);

const PSEUDONYM_ALTERNATION = /^[0-9a-f]{64}(\|[0-9a-f]{64})*$/;

/**
 * The one matcher on a label the contract's table does not list: `source="github"`, which
 * tells the series the GitHub Copilot import writes (GITHUB_SOURCE_LABEL of the common
 * package) from the scraped ones.
 */
function isImportedSeriesMatcher(m: Matcher): boolean {
  return m.label === 'source' && m.op === '=' && m.value === 'github';
}

/**
 * What in a query selects outside the contract: a metric that is neither a contract metric nor
 * one of the plugin's recording rules, a selector without a metric name, a matcher on a label
 * the metric does not carry (`__name__` included), an operator not in `ops`, or a `user_hash`
 * matcher other than `options.userHash` allows.
 */
export function contractViolations(
  query: string,
  options: ContractOptions = {},
): string[] {
  let selectors: SelectorRead[];
  try {
    ({ selectors } = readPromql(query));
  } catch (error) {
    return [String(error)];
  }
  return selectorViolations(selectors, options).map(p => `${p} in ${query}`);
}

export type ContractOptions = {
  ops?: readonly string[];
  /**
   * Which user_hash matchers are allowed: an alternation of pseudonyms (the default), the
   * dashboards' `$team` placeholder, `user_hash!=""` (series that carry a pseudonym, as the raw
   * console's pooling checks count them), or none.
   */
  userHash?: UserHashMatch | UserHashMatch[];
};

type UserHashMatch = 'pseudonyms' | 'placeholder' | 'present' | 'none';

/** {@link contractViolations} of selectors read already. */
export function selectorViolations(
  selectors: readonly SelectorRead[],
  options: ContractOptions = {},
): string[] {
  const ops = options.ops ?? ['='];
  const userHash = options.userHash ?? 'pseudonyms';
  const problems: string[] = [];
  for (const { metric, matchers } of selectors) {
    const labels = SELECTABLE.get(metric);
    if (!labels) {
      problems.push(`selects ${JSON.stringify(metric)}`);
      continue;
    }
    for (const m of matchers) {
      if (m.label === USER_HASH_LABEL) {
        const allowed = {
          pseudonyms: m.op === '=~' && PSEUDONYM_ALTERNATION.test(m.value),
          placeholder: m.op === '=~' && m.value === '$team',
          present: m.op === '!=' && m.value === '',
          none: false,
        };
        const ok = [userHash].flat().some(kind => allowed[kind]);
        if (!ok) problems.push(`matches user_hash ${m.op}`);
      } else if (isImportedSeriesMatcher(m) && !metric.includes(':')) {
        continue;
      } else if (!labels.includes(m.label)) {
        problems.push(`matches ${metric} on ${m.label}`);
      } else if (!ops.includes(m.op)) {
        problems.push(`matches ${m.label} with ${m.op}`);
      }
    }
  }
  return problems;
}
