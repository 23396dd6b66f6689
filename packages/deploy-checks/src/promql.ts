import { parser } from '@prometheus-io/lezer-promql';

/** What `parser.parse` returns a tree of, without importing @lezer/common for its type. */
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** Aggregations whose result keeps only the `by` labels (or none): they can drop user_hash. */
const LABEL_DROPPING_AGGREGATIONS = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
]);

/** One metric selector of an expression. */
export type SelectorUse = {
  /** The metric name, or undefined for a selector without one (`{__name__=~"..."}`). */
  metric: string | undefined;
  /** The label names its matchers use. */
  matcherLabels: string[];
  /**
   * True when the selector sits inside a sum/avg/min/max/count/group/stddev/stdvar, so that its
   * own labels are not in the result (other than those in `by`). topk, bottomk, quantile,
   * count_values and limitk keep the labels of their input and do not count.
   */
  aggregated: boolean;
};

export type PromqlAnalysis = {
  /** Parse errors, with their position; empty for a valid expression. */
  errors: string[];
  selectors: SelectorUse[];
  /** Every label name the expression mentions: matchers, by/without, on/ignoring. */
  labelNames: string[];
  /**
   * The labels the result can carry, when the expression ends in aggregations: the `by` labels
   * of its outermost sum/avg/... (none without `by`), joined over both sides of a binary
   * operation. Undefined when a result can keep the labels of its input series.
   */
  outputLabels: string[] | undefined;
  /** True when any aggregation uses `without`, which keeps every label it does not name. */
  usesWithout: boolean;
};

/** Parses one PromQL expression with Prometheus's own lezer grammar and lists what it uses. */
export function analysePromql(expr: string): PromqlAnalysis {
  const tree = parser.parse(expr);
  const analysis: PromqlAnalysis = {
    errors: [],
    selectors: [],
    labelNames: [],
    outputLabels: undefined,
    usesWithout: false,
  };
  const text = (from: number, to: number) => expr.slice(from, to);

  tree.iterate({
    enter: ref => {
      if (ref.type.isError) {
        analysis.errors.push(
          `syntax error at ${ref.from}: "${expr.slice(
            Math.max(0, ref.from - 20),
            ref.from,
          )}‸${expr.slice(ref.from, ref.from + 20)}"`,
        );
        return;
      }
      switch (ref.name) {
        case 'LabelName':
          analysis.labelNames.push(text(ref.from, ref.to));
          break;
        case 'Without':
          analysis.usesWithout = true;
          break;
        case 'VectorSelector': {
          const node = ref.node;
          const identifier = node.getChild('Identifier');
          const matcherLabels: string[] = [];
          const matchers = node.getChild('LabelMatchers');
          for (const matcher of matchers?.getChildren('UnquotedLabelMatcher') ??
            []) {
            const label = matcher.getChild('LabelName');
            if (label) matcherLabels.push(text(label.from, label.to));
          }
          let aggregated = false;
          for (let up = node.parent; up; up = up.parent) {
            if (
              up.name === 'AggregateExpr' &&
              LABEL_DROPPING_AGGREGATIONS.has(aggregationOp(up))
            ) {
              aggregated = true;
              break;
            }
          }
          analysis.selectors.push({
            metric: identifier
              ? text(identifier.from, identifier.to)
              : undefined,
            matcherLabels,
            aggregated,
          });
          break;
        }
        default:
      }
    },
  });
  // The grammar can mark one fault with several error nodes.
  analysis.errors = [...new Set(analysis.errors)];
  if (analysis.errors.length === 0) {
    analysis.outputLabels = outputLabels(tree.topNode.firstChild, expr);
  }
  return analysis;
}

const EXPRESSIONS = new Set([
  'AggregateExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberDurationLiteral',
  'OffsetExpr',
  'ParenExpr',
  'StepInvariantExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
]);

function aggregationOp(node: SyntaxNode): string {
  return (node.getChild('AggregateOp')?.firstChild?.name ?? '').toLowerCase();
}

function outputLabels(
  node: SyntaxNode | null,
  expr: string,
): string[] | undefined {
  if (!node) return undefined;
  const operands = () => {
    const children: SyntaxNode[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (EXPRESSIONS.has(child.name)) children.push(child);
    }
    return children;
  };
  switch (node.name) {
    case 'NumberDurationLiteral':
      return [];
    case 'ParenExpr':
      return outputLabels(operands()[0] ?? null, expr);
    case 'AggregateExpr': {
      if (!LABEL_DROPPING_AGGREGATIONS.has(aggregationOp(node))) {
        return undefined;
      }
      const modifier = node.getChild('AggregateModifier');
      if (!modifier) return [];
      if (!modifier.getChild('By')) return undefined;
      return (
        modifier.getChild('GroupingLabels')?.getChildren('LabelName') ?? []
      ).map(label => expr.slice(label.from, label.to));
    }
    case 'BinaryExpr': {
      const sides = operands().map(side => outputLabels(side, expr));
      if (sides.length !== 2 || sides.some(side => side === undefined)) {
        return undefined;
      }
      return [...new Set(sides.flatMap(side => side ?? []))];
    }
    default:
      return undefined;
  }
}

/** The metric names an expression selects, without repeats. */
export function metricNames(analysis: PromqlAnalysis): string[] {
  return [
    ...new Set(
      analysis.selectors.flatMap(selector =>
        selector.metric ? [selector.metric] : [],
      ),
    ),
  ];
}
