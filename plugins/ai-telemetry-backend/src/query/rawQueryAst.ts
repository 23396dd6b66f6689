import { InputError } from '@backstage/errors';
import { quoteLabelValue } from './promql';
import { parser } from '@prometheus-io/lezer-promql';

/**
 * A raw PromQL query as a small syntax tree of our own: read from the lezer parse, checked by
 * the guard, and written back as PromQL. The console sends Prometheus the tree written back,
 * never the text as typed, so that what runs is exactly what was checked (no comment, escape or
 * precedence that the two parsers read differently).
 */

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type Matcher = { label: string; op: MatchOp; value: string };

/** When a selector or subquery reads: `@` and `offset`, as written. */
export type Modifiers = { at?: string; offset?: string };

export type Selector = Modifiers & {
  type: 'selector';
  /** '' when the selector names no metric. */
  metric: string;
  matchers: Matcher[];
  /** A range selector's range, e.g. `5m`. */
  range?: string;
};

export type Subquery = Modifiers & {
  type: 'subquery';
  expr: Expr;
  range: string;
  step?: string;
};

export type Aggregation = {
  type: 'aggregation';
  op: string;
  grouping?: { without: boolean; labels: string[] };
  args: Expr[];
};

export type Call = { type: 'call'; fn: string; args: Expr[] };

export type VectorMatching = {
  on: boolean;
  labels: string[];
  group?: { side: 'left' | 'right'; labels: string[] };
};

export type Binary = {
  type: 'binary';
  op: string;
  bool: boolean;
  matching?: VectorMatching;
  lhs: Expr;
  rhs: Expr;
};

export type Unary = { type: 'unary'; op: '-' | '+'; expr: Expr };
export type NumberLiteral = { type: 'number'; text: string; value: number };
export type StringLiteral = { type: 'string'; value: string };

export type Expr =
  | Selector
  | Subquery
  | Aggregation
  | Call
  | Binary
  | Unary
  | NumberLiteral
  | StringLiteral;

const BINARY_OPS: Record<string, string> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};

const MATCH_OPS: Record<string, MatchOp> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

const DURATION = /^(\d+(y|w|d|h|ms|m|s))+$/;
const NUMBER =
  /^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|inf|nan)$/i;

const ESCAPES: Record<string, string> = {
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

function signed(op: '-' | '+', n: NumberLiteral): NumberLiteral {
  if (op === '+') return n;
  const unsigned = n.text.replace(/^[+-]/, '');
  return {
    type: 'number',
    text: n.text.startsWith('-') ? unsigned : `-${unsigned}`,
    value: -n.value,
  };
}

function snippet(query: string, from: number): string {
  return JSON.stringify(
    query.slice(Math.max(0, from - 10), from + 20).replace(/\s+/g, ' '),
  );
}

class Reader {
  constructor(private readonly query: string) {}

  text(node: SyntaxNode): string {
    return this.query.slice(node.from, node.to);
  }

  refuse(node: SyntaxNode, what: string): never {
    throw new InputError(
      `${what}, as in ${snippet(this.query, node.from)}, is not allowed`,
    );
  }

  children(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name !== 'LineComment') out.push(c);
    }
    return out;
  }

  expr(node: SyntaxNode): Expr {
    const kids = this.children(node);
    switch (node.name) {
      case 'ParenExpr':
        return this.expr(kids[0]);
      case 'NumberDurationLiteral':
        return this.number(node);
      case 'StringLiteral':
        return { type: 'string', value: this.string(node) };
      case 'VectorSelector':
        return this.selector(node);
      case 'MatrixSelector': {
        const [inner, duration] = kids;
        if (inner.name !== 'VectorSelector') {
          this.refuse(
            node,
            'a range [...] after anything but a plain selector (use a subquery [range:step])',
          );
        }
        return { ...this.selector(inner), range: this.duration(duration) };
      }
      case 'SubqueryExpr':
        return {
          type: 'subquery',
          expr: this.expr(kids[0]),
          range: this.duration(kids[1]),
          ...(kids[2] ? { step: this.duration(kids[2]) } : {}),
        };
      case 'OffsetExpr':
        return this.modified(node, kids[0], 'offset', this.offset(kids[2]));
      case 'StepInvariantExpr': {
        const at =
          kids[2].name === 'AtModifierPreprocessors'
            ? `${this.text(kids[2]).trim()}()`
            : this.number(kids[2]).text;
        return this.modified(node, kids[0], 'at', at);
      }
      case 'UnaryExpr': {
        const op = this.text(kids[0]) === '-' ? '-' : '+';
        const inner = this.expr(kids[1]);
        // lezer reads `x * -2` with either a signed number or a sign before a number.
        return inner.type === 'number'
          ? signed(op, inner)
          : { type: 'unary', op, expr: inner };
      }
      case 'FunctionCall':
        return {
          type: 'call',
          fn: this.text(kids[0]),
          args: this.children(kids[1]).map(arg => this.expr(arg)),
        };
      case 'AggregateExpr':
        return this.aggregation(kids);
      case 'BinaryExpr':
        return this.binary(node, kids);
      default:
        return this.refuse(node, `the syntax ${node.name}`);
    }
  }

  private modified(
    node: SyntaxNode,
    innerNode: SyntaxNode,
    key: keyof Modifiers,
    value: string,
  ): Expr {
    const inner = this.expr(innerNode);
    if (
      (inner.type !== 'selector' && inner.type !== 'subquery') ||
      inner[key] !== undefined
    ) {
      return this.refuse(
        node,
        `${
          key === 'at' ? '@' : 'offset'
        } anywhere but once after a selector or subquery`,
      );
    }
    return { ...inner, [key]: value };
  }

  private selector(node: SyntaxNode): Selector {
    const [first, second] = this.children(node);
    const name = first?.name === 'Identifier' ? first : undefined;
    const matchers = name ? second : first;
    return {
      type: 'selector',
      metric: name ? this.text(name) : '',
      matchers: matchers
        ? this.children(matchers).map(m => this.matcher(m))
        : [],
    };
  }

  private matcher(node: SyntaxNode): Matcher {
    if (node.name !== 'UnquotedLabelMatcher') {
      this.refuse(node, 'a quoted metric or label name');
    }
    const [label, op, value] = this.children(node);
    return {
      label: this.text(label),
      op: MATCH_OPS[op.firstChild!.name],
      value: this.string(value),
    };
  }

  private labels(node: SyntaxNode): string[] {
    return this.children(node).map(label => {
      if (label.name !== 'LabelName') {
        this.refuse(label, 'a quoted label name');
      }
      return this.text(label);
    });
  }

  private aggregation(kids: SyntaxNode[]): Aggregation {
    const op = this.text(kids[0]);
    const modifier = kids.find(k => k.name === 'AggregateModifier');
    const body = kids.find(k => k.name === 'FunctionCallBody')!;
    const aggregation: Aggregation = {
      type: 'aggregation',
      op,
      args: this.children(body).map(arg => this.expr(arg)),
    };
    if (modifier) {
      const [keyword, labels] = this.children(modifier);
      aggregation.grouping = {
        without: keyword.name === 'Without',
        labels: this.labels(labels),
      };
    }
    return aggregation;
  }

  private binary(node: SyntaxNode, kids: SyntaxNode[]): Binary {
    const lhs = kids[0];
    const rhs = kids[kids.length - 1];
    const op = BINARY_OPS[kids[1].name];
    if (!op) this.refuse(kids[1], `the operator ${this.text(kids[1])}`);
    const binary: Binary = {
      type: 'binary',
      op,
      bool: false,
      lhs: this.expr(lhs),
      rhs: this.expr(rhs),
    };
    for (const modifier of kids.slice(2, -1)) {
      if (modifier.name === 'BoolModifier') {
        binary.bool = true;
      } else if (modifier.name === 'MatchingModifierClause') {
        const parts = this.children(modifier);
        binary.matching = {
          on: parts[0].name === 'On',
          labels: this.labels(parts[1]),
        };
        if (parts[2]) {
          binary.matching.group = {
            side: parts[2].name === 'GroupLeft' ? 'left' : 'right',
            labels: parts[3] ? this.labels(parts[3]) : [],
          };
        }
      } else {
        this.refuse(node, `the modifier ${this.text(modifier)}`);
      }
    }
    return binary;
  }

  private number(node: SyntaxNode): NumberLiteral {
    const text = this.text(node).replace(/\s+/g, '');
    if (!NUMBER.test(text)) {
      this.refuse(node, `the number ${JSON.stringify(text)}`);
    }
    const unsigned = text.replace(/^[+-]/, '');
    let value = /^inf$/i.test(unsigned) ? Infinity : Number(unsigned);
    if (/^nan$/i.test(unsigned)) value = NaN;
    return {
      type: 'number',
      text,
      value: text.startsWith('-') ? -value : value,
    };
  }

  private duration(node: SyntaxNode): string {
    const text = this.text(node).trim();
    if (node.name !== 'DurationExpr' || !DURATION.test(text)) {
      this.refuse(node, 'a duration that is not a plain duration like 5m');
    }
    return text;
  }

  private offset(node: SyntaxNode): string {
    const text = this.text(node).replace(/\s+/g, '');
    const unsigned = text.replace(/^[+-]/, '');
    if (!DURATION.test(unsigned)) {
      this.refuse(node, 'an offset that is not a plain duration like 1d');
    }
    return text.startsWith('-') ? `-${unsigned}` : unsigned;
  }

  /** A string literal's value, as Prometheus (Go's strconv.Unquote) reads it. */
  private string(node: SyntaxNode): string {
    const literal = this.text(node);
    const quote = literal[0];
    if (literal.length < 2 || literal[literal.length - 1] !== quote) {
      this.refuse(node, 'an unterminated string');
    }
    const body = literal.slice(1, -1);
    if (quote === '`') return body;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      if (body[i] !== '\\') {
        out += body[i];
        continue;
      }
      const c = body[++i];
      const digits = { x: 2, u: 4, U: 8 }[c as 'x' | 'u' | 'U'];
      if (c in ESCAPES) {
        out += ESCAPES[c];
      } else if (digits) {
        const hex = body.slice(i + 1, i + 1 + digits);
        const code = /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : NaN;
        if (
          hex.length !== digits ||
          !(code < (c === 'x' ? 0x80 : 0x110000)) ||
          (code >= 0xd800 && code <= 0xdfff)
        ) {
          this.refuse(node, `the escape \\${c}${hex}`);
        }
        out += String.fromCodePoint(code);
        i += digits;
      } else if (/^[0-7]{3}$/.test(body.slice(i, i + 3))) {
        const code = parseInt(body.slice(i, i + 3), 8);
        if (code >= 0x80) this.refuse(node, `the escape \\${c}`);
        out += String.fromCharCode(code);
        i += 2;
      } else {
        this.refuse(node, `the escape \\${c ?? ''}`);
      }
    }
    return out;
  }
}

/**
 * Parses a PromQL query into the syntax tree; an InputError gives the position of a parse
 * error, or names syntax that the console does not take (quoted names, duration arithmetic,
 * fill modifiers and other experimental syntax).
 */
export function parseRawQuery(query: string): Expr {
  const tree = parser.parse(query);
  tree.iterate({
    enter: node => {
      if (node.type.isError) {
        throw new InputError(
          `query does not parse at position ${node.from}, near ${snippet(
            query,
            node.from,
          )}`,
        );
      }
    },
  });
  const reader = new Reader(query);
  const [expr] = reader.children(tree.topNode);
  if (!expr) throw new InputError('query is empty');
  return reader.expr(expr);
}

function renderLabels(labels: string[]): string {
  return `(${labels.join(', ')})`;
}

/** A selector's or subquery's ` @ ...` and ` offset ...`. */
export function renderModifiers(node: Modifiers): string {
  return `${node.at ? ` @ ${node.at}` : ''}${
    node.offset ? ` offset ${node.offset}` : ''
  }`;
}

/** `metric{label="value",...}`, without range or modifiers. */
export function renderSelector(metric: string, matchers: Matcher[]): string {
  const inner = matchers
    .map(m => `${m.label}${m.op}${quoteLabelValue(m.value)}`)
    .join(', ');
  return inner || !metric ? `${metric}{${inner}}` : metric;
}

const DURATION_UNITS: Record<string, number> = {
  y: 365 * 86400,
  w: 7 * 86400,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
};

/** A duration as written (`1h30m`), in seconds. */
export function durationSeconds(text: string): number {
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) {
    seconds += Number(n) * DURATION_UNITS[unit];
  }
  return seconds;
}

/** Seconds as the shortest duration that says them exactly (`3d`, `90m`). */
export function formatDuration(seconds: number): string {
  const unit = ['w', 'd', 'h', 'm', 's'].find(
    u => seconds % DURATION_UNITS[u] === 0,
  );
  return unit ? `${seconds / DURATION_UNITS[unit]}${unit}` : `${seconds}s`;
}

/** An expression as PromQL, cut short for messages. */
export function short(expr: Expr): string {
  const text = renderPromql(expr);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export type RenderOptions = {
  /** Rewrites every selector on the way (e.g. to add a matcher). */
  selector?: (selector: Selector) => Selector;
};

/**
 * Writes a syntax tree back as PromQL: every operand that is itself an operation in
 * parentheses, every string quoted by quoteLabelValue, so that the text reads back as the tree.
 */
export function renderPromql(expr: Expr, options: RenderOptions = {}): string {
  const r = (e: Expr) => renderPromql(e, options);
  const operand = (e: Expr) =>
    e.type === 'binary' ||
    e.type === 'unary' ||
    (e.type === 'number' && /^[+-]/.test(e.text)) ||
    // lezer reads `-x offset 1h` as the offset of `-x`: keep the modifier with its selector.
    ((e.type === 'selector' || e.type === 'subquery') && (e.at || e.offset))
      ? `(${r(e)})`
      : r(e);
  switch (expr.type) {
    case 'number':
      return expr.text;
    case 'string':
      return quoteLabelValue(expr.value);
    case 'selector': {
      const s = options.selector ? options.selector(expr) : expr;
      return `${renderSelector(s.metric, s.matchers)}${
        s.range ? `[${s.range}]` : ''
      }${renderModifiers(s)}`;
    }
    case 'subquery':
      return `(${r(expr.expr)})[${expr.range}:${
        expr.step ?? ''
      }]${renderModifiers(expr)}`;
    case 'call':
      return `${expr.fn}(${expr.args.map(r).join(', ')})`;
    case 'aggregation': {
      const grouping = expr.grouping
        ? ` ${expr.grouping.without ? 'without' : 'by'} ${renderLabels(
            expr.grouping.labels,
          )} `
        : '';
      return `${expr.op}${grouping}(${expr.args.map(r).join(', ')})`;
    }
    case 'unary':
      return `${expr.op}${operand(expr.expr)}`;
    case 'binary': {
      const m = expr.matching;
      const matching = m
        ? ` ${m.on ? 'on' : 'ignoring'}${renderLabels(m.labels)}${
            m.group
              ? ` group_${m.group.side}${renderLabels(m.group.labels)}`
              : ''
          }`
        : '';
      return `${operand(expr.lhs)} ${expr.op}${
        expr.bool ? ' bool' : ''
      }${matching} ${operand(expr.rhs)}`;
    }
    default:
      throw new TypeError('unknown node');
  }
}
