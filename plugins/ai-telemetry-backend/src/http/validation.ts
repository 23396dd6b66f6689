import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** The longest value or field name a message quotes, in characters. */
const MAX_QUOTED_LENGTH = 60;

/** How many problems one error message lists at most. */
const MAX_LISTED_ISSUES = 5;

/** Problems as one sentence: the first {@link MAX_LISTED_ISSUES}, and how many more. */
function listed(problems: string[]): string {
  const more =
    problems.length > MAX_LISTED_ISSUES
      ? ` (and ${problems.length - MAX_LISTED_ISSUES} more)`
      : '';
  return `${problems.slice(0, MAX_LISTED_ISSUES).join('; ')}${more}`;
}

/** `events[3].lines`, from zod's path. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((name, part) => {
    if (typeof part === 'number') return `${name}[${part}]`;
    const key = String(part);
    const shown =
      key.length > MAX_QUOTED_LENGTH
        ? `${key.slice(0, MAX_QUOTED_LENGTH - 1)}…`
        : key;
    return name ? `${name}.${shown}` : shown;
  }, '');
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/**
 * A value as a message quotes it: a number, boolean or (cut short) string as JSON, an array or
 * object by its type only ("(an array)"), so that no message grows with the body or walks
 * into it.
 */
function quoted(value: unknown): string {
  if (value !== null && typeof value === 'object') return `(${typeOf(value)})`;
  const text =
    JSON.stringify(
      typeof value === 'string' ? value.slice(0, MAX_QUOTED_LENGTH) : value,
    ) ?? String(value);
  return text.length > MAX_QUOTED_LENGTH
    ? `${text.slice(0, MAX_QUOTED_LENGTH - 1)}…`
    : text;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** One problem, in words, naming the field. */
function describeIssue(body: unknown, issue: z.core.$ZodIssue): string {
  const field = fieldName(issue.path) || 'the body';
  const value = valueAt(body, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return listed(
        issue.keys.map(
          key => `unknown field ${fieldName([...issue.path, key])}`,
        ),
      );
    case 'invalid_union': {
      // A discriminated union answers this when its discriminator is absent or unknown.
      const options = (issue as { options?: unknown[] }).options;
      const expected = options ? `; expected one of ${options.join(', ')}` : '';
      return value === undefined
        ? `${field} is missing${expected}`
        : `${field} ${quoted(value)} is not allowed${expected}`;
    }
    case 'invalid_type':
      return value === undefined
        ? `${field} is missing (expected ${issue.expected})`
        : `${field} must be ${
            issue.expected === 'object'
              ? 'a JSON object'
              : `a ${issue.expected}`
          }, got ${typeOf(value)}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `${field} may hold at most ${String(issue.maximum)} items`
        : `${field} must be at most ${String(issue.maximum)}, got ${quoted(
            value,
          )}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `${field} must hold at least ${String(issue.minimum)} item(s)`
        : `${field} must be at least ${String(issue.minimum)}, got ${quoted(
            value,
          )}`;
    case 'invalid_value':
      return `${field} ${quoted(
        value,
      )} is not allowed; expected one of ${issue.values
        .map(v => String(v))
        .join(', ')}`;
    case 'invalid_format':
    case 'custom':
      return `${field} ${quoted(value)} ${issue.message}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

/**
 * Validates a request body against a (strict) zod schema. Throws an InputError that names the
 * offending fields, e.g. `Invalid event batch: events[2].count must be at most 1000, got 5000`.
 */
export function parseRequest<T>(
  schema: z.ZodType<T>,
  body: unknown,
  what: string,
): T {
  const result = schema.safeParse(body);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map(issue => describeIssue(body, issue));
  throw new InputError(`Invalid ${what}: ${listed(problems)}`);
}
