import fc from 'fast-check';

/**
 * What an attacker, a fuzzer or a broken client sends: the building blocks of the property
 * tests' requests. Everything here is JSON text or plain strings, so that a test sends exactly
 * what was generated (duplicate keys, `__proto__` as a key, numbers JSON.stringify never writes).
 */

/** Keys that mean something to JavaScript objects. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
];

/** Fragments that mean something to PromQL, label matchers, JSON, URLs, shells or terminals. */
export const INJECTION_FRAGMENTS = [
  '"} or up{x="',
  '"}) or vector(1) or sum(up{a="',
  '",user_hash=~".+',
  '"',
  "'",
  '`',
  '\\',
  '\\"',
  '\\\\"',
  '\\u0022',
  '{',
  '}',
  '[5m]',
  '[',
  ']',
  '(',
  ')',
  ',',
  '=',
  '=~',
  '!=',
  '!~',
  '.*',
  '|',
  '#',
  '@',
  'offset 1d',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '\u0007',
  '\u007f',
  '\u00e9',
  'e\u0301',
  '\u202e',
  '\u2028',
  '\ufeff',
  '日本語',
  '🙂',
  '\ud83d',
  '\udc00',
  '%',
  '%22',
  '%00',
  '&',
  '?',
  '/',
  '../',
  '$team',
  '${team}',
  'python',
  'copilot',
  'claude-code',
  'or',
  'and',
  'unless',
  'user_hash',
  '__name__',
  'ai_copilot_suggestions_total',
  'ai_telemetry:suggestions:increase1h',
  'user:default/jane',
  'group:default/team-a',
  ' ',
  '7d',
  '1e21',
  '-1',
  'NaN',
  'Infinity',
  '1794096000',
  '2026-11-01T00:00:00Z',
  ...PROTOTYPE_KEYS,
];

/**
 * A string made to break things: unicode, control characters, injection fragments, and a
 * fragment repeated up to `maxRepeat` times.
 */
export function hostileStringOf(maxRepeat: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
    {
      weight: 5,
      arbitrary: fc
        .array(fc.constantFrom(...INJECTION_FRAGMENTS), {
          minLength: 1,
          maxLength: 6,
        })
        .map(parts => parts.join('')),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...INJECTION_FRAGMENTS, 'a', '9'),
          fc.integer({ min: 2, max: maxRepeat }),
        )
        .map(([part, times]) => part.repeat(times)),
    },
  );
}

/** A hostile string, now and then thousands of characters long. */
export const hostileString: fc.Arbitrary<string> = hostileStringOf(2000);

/** An object key: a prototype key, a hostile string, or a short plain name. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
);

/** Number literals as JSON text, including those JSON.stringify never writes. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map(n => JSON.stringify(n)),
  },
  { weight: 3, arbitrary: fc.integer().map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0',
      '-0',
      '1',
      '-1',
      '0.5',
      '1e21',
      '1E400',
      '-1e400',
      '1e-400',
      '9007199254740993',
      '123456789012345678901234567890',
      '1.7976931348623157e308',
      '5e-324',
    ),
  },
);

/** A JSON scalar as text. */
export const scalarText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('null', 'true', 'false'),
  numberText,
  hostileString.map(s => JSON.stringify(s)),
);

/** An array or object nested `depth` levels deep, as JSON text (never recursion: any depth). */
export function nestedText(depth: number, inner = '1'): string {
  return '[{"a":'.repeat(depth) + inner + '}]'.repeat(depth);
}

/** `{"k":v,...}` from entries given as text; keys may repeat, and may be `__proto__`. */
export function objectText(entries: ReadonlyArray<[string, string]>): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

/** Any JSON value as text: hostile keys and scalars, up to a few levels deep. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{
  value: string;
  array: string;
  object: string;
}>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: scalarText },
    { weight: 1, arbitrary: tie('array') },
    { weight: 1, arbitrary: tie('object') },
  ),
  array: fc
    .array(tie('value'), { maxLength: 5 })
    .map(items => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(hostileKey, tie('value')), { maxLength: 5 })
    .map(objectText),
})).value;

/** A value where a field of a known type is expected: often valid, else anything at all. */
export function orHostile(
  valid: fc.Arbitrary<string>,
  validWeight = 4,
): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: validWeight, arbitrary: valid },
    { weight: 1, arbitrary: jsonText },
    { weight: 1, arbitrary: fc.integer({ min: 33, max: 400 }).map(nestedText) },
  );
}

/** JSON text of a valid value. */
export function json<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<string> {
  return arbitrary.map(value => JSON.stringify(value));
}

/**
 * An object's entries, each field present or not, plus now and then an unknown or prototype
 * key, shuffled: the body of a request as a client might get it almost right.
 */
export function entriesOf(fields: {
  required: Record<string, fc.Arbitrary<string>>;
  optional?: Record<string, fc.Arbitrary<string>>;
}): fc.Arbitrary<Array<[string, string]>> {
  const field = ([name, arbitrary]: [string, fc.Arbitrary<string>]) =>
    arbitrary.map((value): [string, string] => [name, value]);
  const required = Object.entries(fields.required).map(entry =>
    fc.option(field(entry), { freq: 30 }),
  );
  const optional = Object.entries(fields.optional ?? {}).map(entry =>
    fc.option(field(entry), { freq: 2 }),
  );
  const extra = fc.oneof(
    { weight: 10, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(hostileKey, jsonText) },
  );
  return fc
    .tuple(fc.tuple(...required, ...optional), extra)
    .chain(([present, more]) =>
      fc.shuffledSubarray(
        [
          ...present.filter((e): e is [string, string] => e !== null),
          ...(more ? [more] : []),
        ],
        { minLength: present.filter(e => e !== null).length + (more ? 1 : 0) },
      ),
    );
}

/** Object.prototype's own names when the test began. */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** What was added to Object.prototype (a polluted prototype) since the test began. */
export function prototypePollution(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).filter(
    name => !PROTOTYPE_NAMES.has(name),
  );
}

/**
 * Fails the property with `what` unless `condition` holds: a plain throw, as fast-check reports
 * it with the input that caused it (cheaper than expect() in a loop of many thousand runs).
 */
export function holds(condition: unknown, what: () => string): void {
  if (!condition) throw new Error(what());
}
