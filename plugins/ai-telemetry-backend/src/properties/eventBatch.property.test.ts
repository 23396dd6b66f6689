import {
  ACTIVITIES,
  BATCH_ID_PATTERN,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  EVENT_KINDS,
  FEATURES,
  INGEST_LIMITS,
  LABEL_VALUE_PATTERN,
} from '@fawkes/plugin-ai-telemetry-common';
import fc from 'fast-check';
import { countedEvents, parseEventBatch } from '../ingestion/eventBatch';
import {
  entriesOf,
  json,
  holds,
  jsonText,
  objectText,
  orHostile,
  prototypePollution,
} from './__testUtils__/hostile';

/**
 * The parser of `POST /v1/events` (src/ingestion/eventBatch.ts) over generated bodies: batches
 * a client gets almost right (a field missing, of the wrong type or out of range, an unknown or
 * `__proto__` key, hostile strings, deep nesting, numbers such as 1e400 and -0), and any JSON at
 * all. It accepts exactly what the contract allows (checked by an oracle written here from the
 * API's documentation, not from the parser), and refuses everything else with a 400 naming the
 * field, or a 413 for too many events; it never throws anything else.
 */

const RUNS = 20_000;

const { maxCount, maxLines, maxWaitMs, maxSeconds, maxEventsPerBatch } =
  INGEST_LIMITS;

const labelValue = fc.oneof(
  fc.constantFrom(...DEFAULT_LANGUAGES, ...DEFAULT_ASSISTANTS),
  fc.stringMatching(LABEL_VALUE_PATTERN),
);
const around = (max: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max }) },
    { weight: 1, arbitrary: fc.integer({ min: -3, max: max + 3 }) },
    { weight: 1, arbitrary: fc.double({ min: -1, max: max + 1, noNaN: true }) },
  );
/** A field's value: valid most of the time, so that whole batches often are. */
const field = (valid: fc.Arbitrary<string>) => orHostile(valid, 40);

const suggestion = entriesOf({
  required: {
    kind: fc.constant('"suggestion"'),
    language: field(json(labelValue)),
    accepted: field(json(fc.boolean())),
  },
  optional: {
    lines: field(json(around(maxLines))),
    waitMs: field(json(around(maxWaitMs))),
    activity: field(json(fc.constantFrom(...ACTIVITIES))),
    assistant: field(json(labelValue)),
    count: field(json(around(maxCount))),
  },
});
const feature = entriesOf({
  required: {
    kind: fc.constant('"feature"'),
    feature: field(json(fc.constantFrom(...FEATURES))),
  },
  optional: {
    assistant: field(json(labelValue)),
    count: field(json(around(maxCount))),
  },
});
const timeSaved = entriesOf({
  required: {
    kind: field(
      json(
        fc.oneof(
          { weight: 10, arbitrary: fc.constant('time_saved') },
          { weight: 1, arbitrary: fc.constantFrom(...EVENT_KINDS) },
        ),
      ),
    ),
    activity: field(json(fc.constantFrom(...ACTIVITIES))),
    seconds: field(json(around(maxSeconds))),
  },
  optional: { assistant: field(json(labelValue)) },
});
const event = orHostile(
  fc.oneof(suggestion, feature, timeSaved).map(objectText),
  30,
);
const tooMany = fc
  .integer({ min: maxEventsPerBatch + 1, max: maxEventsPerBatch + 50 })
  .map(n => `[${Array(n).fill('{"kind":"feature","feature":"chat"}')}]`);

const batch = fc.oneof(
  {
    weight: 12,
    arbitrary: entriesOf({
      required: {
        batchId: orHostile(json(fc.stringMatching(BATCH_ID_PATTERN)), 12),
        events: orHostile(
          fc
            .oneof(
              { weight: 30, arbitrary: fc.array(event, { maxLength: 4 }) },
              { weight: 1, arbitrary: fc.constant([]) },
            )
            .map(events => `[${events.join(',')}]`),
          12,
        ),
      },
    }).map(objectText),
  },
  {
    weight: 1,
    arbitrary: tooMany.map(events => `{"batchId":"b","events":${events}}`),
  },
  { weight: 3, arbitrary: jsonText },
);

/** The contract of an event batch, from the API's documentation (contract.ts, api/events.ts). */
function contractAllows(body: unknown): boolean {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const only = (v: Record<string, unknown>, keys: string[]) =>
    Object.keys(v).every(k => keys.includes(k));
  const int = (v: unknown, min: number, max: number) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  const num = (v: unknown, min: number, max: number) =>
    typeof v === 'number' && v >= min && v <= max;
  const label = (v: unknown) =>
    typeof v === 'string' && LABEL_VALUE_PATTERN.test(v);
  const optional = (v: unknown, check: (x: unknown) => boolean) =>
    v === undefined || check(v);
  const activity = (v: unknown) => ACTIVITIES.includes(v as never);
  const eventAllowed = (e: unknown): boolean => {
    if (!isObject(e)) return false;
    switch (e.kind) {
      case 'suggestion':
        return (
          only(e, [
            'kind',
            'language',
            'accepted',
            'lines',
            'waitMs',
            'activity',
            'assistant',
            'count',
          ]) &&
          label(e.language) &&
          typeof e.accepted === 'boolean' &&
          optional(e.lines, v => int(v, 0, maxLines)) &&
          optional(e.waitMs, v => num(v, 0, maxWaitMs)) &&
          optional(e.activity, activity) &&
          optional(e.assistant, label) &&
          optional(e.count, v => int(v, 1, maxCount))
        );
      case 'feature':
        return (
          only(e, ['kind', 'feature', 'assistant', 'count']) &&
          FEATURES.includes(e.feature as never) &&
          optional(e.assistant, label) &&
          optional(e.count, v => int(v, 1, maxCount))
        );
      case 'time_saved':
        return (
          only(e, ['kind', 'activity', 'seconds', 'assistant']) &&
          activity(e.activity) &&
          num(e.seconds, 0, maxSeconds) &&
          optional(e.assistant, label)
        );
      default:
        return false;
    }
  };
  return (
    isObject(body) &&
    only(body, ['batchId', 'events']) &&
    typeof body.batchId === 'string' &&
    BATCH_ID_PATTERN.test(body.batchId) &&
    Array.isArray(body.events) &&
    body.events.length >= 1 &&
    body.events.length <= maxEventsPerBatch &&
    body.events.every(eventAllowed)
  );
}

/** The fields of a batch, for messages that name them. */
const FIELD = new RegExp(
  `^(batchId|events(\\[\\d+\\](\\.(${[
    'kind',
    'language',
    'accepted',
    'lines',
    'waitMs',
    'activity',
    'assistant',
    'count',
    'feature',
    'seconds',
  ].join('|')}))?)?)[ :]`,
);

describe('POST /v1/events: the batch parser, over generated bodies', () => {
  // Thousands of generated cases a test, on a shared CI machine.
  jest.setTimeout(120_000);

  it(`accepts exactly what the contract allows and names the field of anything else (${RUNS} bodies)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(batch, text => {
        const body: unknown = JSON.parse(text);
        const allowed = contractAllows(body);
        let parsed;
        try {
          parsed = parseEventBatch(body);
        } catch (error) {
          const { name, message } = error as Error;
          holds(!allowed, () => `refused an allowed batch: ${message}`);
          // Messages quote values cut short: they never grow with the body.
          holds(message.length < 1200, () => `a message of ${message.length}`);
          if (name === 'PayloadTooLargeError') {
            holds(
              /^The batch holds \d+ events, over the limit of 1000 events a batch: split it$/.test(
                message,
              ),
              () => message,
            );
            return;
          }
          holds(name === 'InputError', () => `threw ${name}: ${message}`);
          const problem = message.replace(/^Invalid event batch: /, '');
          holds(
            problem !== message &&
              (/^(the body |unknown field )/.test(problem) ||
                FIELD.test(problem)),
            () => `names no field: ${message}`,
          );
          return;
        }
        accepted++;
        holds(allowed, () => 'accepted a batch the contract does not allow');
        // What comes out is what went in, and nothing the contract does not name.
        expect(parsed).toEqual(body);
        expect(countedEvents(parsed)).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: RUNS },
    );
    // The generator reaches both sides of the line.
    expect(accepted).toBeGreaterThan(RUNS / 20);
    expect(prototypePollution()).toEqual([]);
  });
});
