import { PSEUDONYM_PATTERN } from '@fawkes/plugin-ai-telemetry-common';

/**
 * Writes `value` as a PromQL double-quoted string literal that reads back as exactly `value`.
 * Printable ASCII stays as it is (a backslash and a double quote escaped); everything else,
 * control characters and non-ASCII alike, becomes a `\u` or `\U` escape, so the literal is plain
 * ASCII whatever the input. Prometheus label values are UTF-8, so a string with a lone surrogate
 * has no literal and is refused.
 */
export function quoteLabelValue(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new TypeError(
        'a label value must be well-formed Unicode (it holds a lone surrogate)',
      );
    }
    if (char === '\\' || char === '"') {
      out += `\\${char}`;
    } else if (code >= 0x20 && code <= 0x7e) {
      out += char;
    } else if (code <= 0xffff) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += `\\U${code.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

/** One label matcher of a selector. */
export type LabelMatcher = {
  label: string;
  op: '=' | '=~';
  value: string;
};

/**
 * Whether a series' labels satisfy '=' matchers, as Prometheus matches them (an absent label is
 * the empty string). For reads answered in memory, whose matchers are all '=' (checked where
 * they are built).
 */
export function matchesEqual(
  labels: Readonly<Record<string, string>>,
  matchers: readonly LabelMatcher[],
): boolean {
  return matchers.every(m => (labels[m.label] ?? '') === m.value);
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** `metric{label="value",...}`, every value quoted by {@link quoteLabelValue}. */
export function selector(metric: string, matchers: LabelMatcher[]): string {
  if (!METRIC_NAME.test(metric)) {
    throw new TypeError(`"${metric}" is not a metric name`);
  }
  const parts = matchers.map(m => {
    if (!LABEL_NAME.test(m.label)) {
      throw new TypeError(`"${m.label}" is not a label name`);
    }
    return `${m.label}${m.op}${quoteLabelValue(m.value)}`;
  });
  return parts.length > 0 ? `${metric}{${parts.join(',')}}` : metric;
}

/** The placeholder that stands for a team's pseudonyms in the queries an answer shows. */
export const TEAM_PLACEHOLDER = '$team';

/**
 * The matcher `user_hash=~"h1|h2|..."` for a set of pseudonyms. Each must be a pseudonym (64
 * lowercase hex characters), so the alternation can only ever match those exact values
 * (Prometheus anchors regular expressions); the set must not be empty, since `=~""` would match
 * every series without the label. Sorted, so that the same team always gives the same query.
 */
export function userHashMatcher(userHashes: readonly string[]): LabelMatcher {
  if (userHashes.length === 0) {
    throw new TypeError('a team matcher needs at least one pseudonym');
  }
  for (const hash of userHashes) {
    if (!PSEUDONYM_PATTERN.test(hash)) {
      throw new TypeError('a pseudonym must be 64 lowercase hex characters');
    }
  }
  return {
    label: 'user_hash',
    op: '=~',
    value: [...new Set(userHashes)].sort().join('|'),
  };
}

/** A number of seconds as a PromQL duration, e.g. `3600s`. */
export function seconds(value: number): string {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(
      `a duration must be a positive whole number of seconds, not ${value}`,
    );
  }
  return `${value}s`;
}
