import fc from 'fast-check';
import {
  assertJsonDepth,
  findTooDeep,
  MAX_JSON_DEPTH,
} from '../http/jsonDepth';
import { holds, jsonText, nestedText } from './__testUtils__/hostile';

/**
 * The nesting check every JSON body passes before validation (src/http/jsonDepth.ts, run by
 * src/http/jsonBody.ts and the OTLP decoder), over generated bodies: it refuses exactly the
 * bodies nested deeper than the limit, with a 400 that says where, and walks any depth without
 * recursion (thousands of levels cost no stack).
 */

const RUNS = 6_000;

/** How deeply a value nests arrays and objects, level by level (recursion overflows here). */
function depthOf(value: unknown): number {
  let depth = 0;
  let level = [value];
  for (;;) {
    const containers = level.filter(v => v !== null && typeof v === 'object');
    if (containers.length === 0) return depth;
    depth++;
    level = containers.flatMap(v =>
      Array.isArray(v) ? v : Object.values(v as object),
    );
  }
}

const body = fc.oneof(
  { weight: 4, arbitrary: jsonText },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 40 }), jsonText)
      .map(([depth, inner]) => nestedText(depth, inner)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 1000 })
      .map(depth => nestedText(depth)),
  },
);

describe('the nesting limit of JSON bodies, over generated bodies', () => {
  // Thousands of generated cases a test, on a shared CI machine.
  jest.setTimeout(120_000);

  it(`refuses exactly the bodies nested deeper than the limit, saying where (${RUNS} bodies)`, () => {
    let refused = 0;
    fc.assert(
      fc.property(
        body,
        fc.integer({ min: 1, max: 2 * MAX_JSON_DEPTH }),
        (text, limit) => {
          const value: unknown = JSON.parse(text);
          const depth = depthOf(value);
          const at = findTooDeep(value, limit);
          holds(
            (at === undefined) === depth <= limit,
            () => `depth ${depth}, limit ${limit}, found ${JSON.stringify(at)}`,
          );
          let error: Error | undefined;
          try {
            assertJsonDepth(value, limit);
          } catch (thrown) {
            error = thrown as Error;
          }
          holds((error === undefined) === depth <= limit, () => `${error}`);
          if (error) {
            refused++;
            holds(
              error.name === 'InputError' &&
                error.message.startsWith(
                  `The request body nests arrays and objects more than ${limit} levels deep`,
                ) &&
                error.message.length < 400,
              () => error!.message,
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(refused).toBeGreaterThan(RUNS / 10);
  });
});
