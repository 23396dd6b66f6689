import {
  DASHBOARD_RANGES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import fc from 'fast-check';
import { validateGroupRef } from '../query/groupRef';
import { parseTime } from '../query/params';
import { parseStep } from '../query/QueryService';
import { DAY, HOUR, STEPS } from '../query/window';
import {
  fakePrometheus,
  NOW,
  testQueryService,
} from '../query/__testUtils__/testDoubles';
import {
  holds,
  hostileKey,
  hostileString,
  jsonText,
  prototypePollution,
} from './__testUtils__/hostile';

/**
 * The parameters of the dashboard, panel and team routes (src/query/params.ts through
 * QueryService.parseRequest: range, from/to as unix seconds or ISO 8601, the language and
 * assistant filters), the raw query's start, end and step, and a team's namespace and name,
 * over generated values: what passes is within the allow-lists and the retention and makes a
 * window the dashboards can draw; everything else is a 400 whose message starts by naming the
 * field. Nothing else is ever thrown.
 */

const RUNS = {
  panelRequest: 20_000,
  rawQueryTimes: 10_000,
  groupRef: 10_000,
};

const RETENTION_DAYS = 90;
const LANGUAGES: readonly string[] = DEFAULT_LANGUAGES;
const ASSISTANTS: readonly string[] = DEFAULT_ASSISTANTS;
const FIELDS = ['range', 'from', 'to', 'language', 'assistant'];

/** A time near now (inside or outside the retention), as a client may write it. */
const time = fc
  .integer({ min: NOW - 120 * DAY, max: NOW + 3 * DAY })
  .chain(seconds =>
    fc.constantFrom(
      String(seconds),
      `${seconds}.25`,
      new Date(seconds * 1000).toISOString(),
      new Date(seconds * 1000).toISOString().slice(0, 10),
      new Date(seconds * 1000).toISOString().replace('Z', '+02:00'),
      new Date(seconds * 1000).toISOString().replace(/:\d\d\.\d+Z$/, 'Z'),
    ),
  );

/** What Express's query parser hands a route: a string, or a list or object of them. */
function queryValue(valid: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const text = fc.oneof(
    { weight: 24, arbitrary: valid },
    { weight: 1, arbitrary: valid.map(v => v.toUpperCase()) },
    { weight: 1, arbitrary: valid.map(v => ` ${v}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('', '1e21', '-1', '9'.repeat(400), 'NaN'),
    },
    { weight: 3, arbitrary: hostileString },
  );
  return fc.oneof(
    { weight: 12, arbitrary: text },
    { weight: 1, arbitrary: fc.array(text, { minLength: 2, maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(hostileKey, text)
        .map(([k, v]) => Object.fromEntries([[k, v]])),
    },
  );
}

const range = queryValue(fc.constantFrom(...DASHBOARD_RANGES));
const from = queryValue(time);
const to = queryValue(time);
const panelQuery = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ range }, { requiredKeys: [] }) },
      { weight: 3, arbitrary: fc.record({ from, to }) },
      {
        weight: 1,
        arbitrary: fc.record({ range, from, to }, { requiredKeys: [] }),
      },
    ),
    fc.record(
      {
        language: queryValue(fc.constantFrom(...LANGUAGES)),
        assistant: queryValue(fc.constantFrom(...ASSISTANTS)),
      },
      { requiredKeys: [] },
    ),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant([]) },
      {
        weight: 1,
        arbitrary: fc.array(fc.tuple(hostileKey, queryValue(time)), {
          maxLength: 2,
        }),
      },
    ),
  )
  // Object.fromEntries defines `__proto__` as a key of its own, as a parsed query may hold it.
  .map(([window, filters, extra]) =>
    Object.fromEntries([
      ...Object.entries(window),
      ...Object.entries(filters),
      ...extra,
    ]),
  );

describe('the query parameters of the dashboards, over generated values', () => {
  // Thousands of generated cases a test, on a shared CI machine.
  jest.setTimeout(120_000);

  const service = testQueryService({ prometheus: fakePrometheus().client });

  it(`passes a window the dashboards can draw, or names the field (${RUNS.panelRequest} queries)`, () => {
    let passed = 0;
    fc.assert(
      fc.property(panelQuery, query => {
        let request;
        try {
          request = service.parseRequest(query);
        } catch (error) {
          const { name, message } = error as Error;
          holds(name === 'InputError', () => `threw ${name}: ${message}`);
          // The field named first: a parameter of the route, or the one sent (cut short).
          const named = [...FIELDS, ...Object.keys(query)].some(field =>
            message.startsWith(`Invalid ${field.slice(0, 64)}: `),
          );
          holds(named, () => `names no field: ${message}`);
          holds(message.length < 600, () => `a message of ${message.length}`);
          return;
        }
        passed++;
        const { window, filters } = request;
        holds(
          Object.keys(query).every(k => FIELDS.includes(k)),
          () => `passed an unknown parameter: ${Object.keys(query)}`,
        );
        holds(
          filters.language === undefined ||
            (filters.language === query.language &&
              LANGUAGES.includes(filters.language)),
          () => `language ${JSON.stringify(filters.language)}`,
        );
        holds(
          filters.assistant === undefined ||
            (filters.assistant === query.assistant &&
              ASSISTANTS.includes(filters.assistant)),
          () => `assistant ${JSON.stringify(filters.assistant)}`,
        );
        const { start, end, asOf, step, barStep } = window;
        const align = Math.max(step, barStep);
        holds(
          [start, end, step, barStep].every(Number.isSafeInteger) &&
            (STEPS as readonly number[]).includes(step) &&
            [HOUR, DAY].includes(barStep) &&
            start % align === 0 &&
            end % align === 0 &&
            end - start >= align &&
            start >= NOW - RETENTION_DAYS * DAY - align &&
            end <= NOW + align &&
            start < asOf &&
            asOf <= end &&
            asOf <= NOW &&
            (end - start) / step <= 1100,
          () =>
            `a window the dashboards cannot draw: ${JSON.stringify(window)}`,
        );
      }),
      { numRuns: RUNS.panelRequest },
    );
    expect(passed).toBeGreaterThan(RUNS.panelRequest / 10);
    expect(prototypePollution()).toEqual([]);
  });

  it(`reads a raw query's start, end and step, or names the field (${RUNS.rawQueryTimes} values each)`, () => {
    const value = fc.oneof(
      { weight: 3, arbitrary: jsonText.map(text => JSON.parse(text)) },
      { weight: 2, arbitrary: time },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 4e9 }) },
      { weight: 1, arbitrary: fc.double() },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.integer({ min: 0, max: 1e7 }),
            fc.constantFrom('', 's', 'm', 'h', 'd', 'w', 'ms'),
          )
          .map(([n, unit]) => `${n}${unit}`),
      },
    );
    let accepted = 0;
    fc.assert(
      fc.property(value, fc.constantFrom('start', 'end'), (given, field) => {
        for (const [name, read] of [
          [field, () => parseTime(field, given)],
          ['step', () => parseStep(given)],
        ] as const) {
          let seconds;
          try {
            seconds = read();
          } catch (error) {
            const { name: type, message } = error as Error;
            holds(
              type === 'InputError' && message.startsWith(`Invalid ${name}: `),
              () => `${type}: ${message}`,
            );
            holds(message.length < 200, () => `a message of ${message.length}`);
            continue;
          }
          holds(
            typeof seconds === 'number' &&
              Number.isFinite(seconds) &&
              seconds >= (name === 'step' ? 1 : 0) &&
              seconds < 1e12,
            () => `${name} read as ${seconds}`,
          );
          accepted++;
        }
      }),
      { numRuns: RUNS.rawQueryTimes },
    );
    expect(accepted).toBeGreaterThan(RUNS.rawQueryTimes / 10);
  });

  it(`passes only a catalog name as a team's namespace and name (${RUNS.groupRef} pairs)`, () => {
    const part = fc.oneof(
      fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/),
      hostileString,
    );
    let passed = 0;
    fc.assert(
      fc.property(part, part, (namespace, name) => {
        try {
          validateGroupRef({ namespace, name });
        } catch (error) {
          const { name: type, message } = error as Error;
          holds(
            type === 'InputError' && /^(namespace|name) "/.test(message),
            () => `${type}: ${message}`,
          );
          holds(message.length < 120, () => `a message of ${message.length}`);
          return;
        }
        holds(
          /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace) &&
            /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(name),
          () => `passed ${JSON.stringify([namespace, name])}`,
        );
        passed++;
      }),
      { numRuns: RUNS.groupRef },
    );
    expect(passed).toBeGreaterThan(RUNS.groupRef / 10);
  });
});
