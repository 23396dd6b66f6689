import {
  ACTIVE_TIME_TYPES,
  ACTIVITIES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  DEFAULT_MODEL_PATTERNS,
  METRIC_LABELS,
  MetricName,
  TOKEN_TYPES,
  UNKNOWN_LANGUAGE,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import fc from 'fast-check';
import { DROP_REASONS, MappingSettings } from '../otlp/mapping';
import { mapDataPoint } from '../otlp/OtlpReceiver';
import {
  countDataPoints,
  dataPointsOf,
  decodeExportRequest,
  encodeExportRequest,
  OtlpDecodeError,
  OtlpEncoding,
} from '../otlp/otlpProtocol';
import { SOURCE_METRICS } from '../otlp/sources';
import {
  holds,
  hostileKey,
  hostileString,
  json,
  jsonText,
  numberText,
  objectText,
  orHostile,
  prototypePollution,
} from './__testUtils__/hostile';

/**
 * The OTLP receiver's parsing and mapping (src/otlp/otlpProtocol.ts, mapping.ts, sources.ts)
 * over generated exports, in OTLP JSON and in protobuf (valid exports with bytes flipped, cut or
 * added, and random bytes): an export decodes, or is refused with an OtlpDecodeError (the
 * route's 400) that never quotes the body; a decoded export is counted and flattened without
 * throwing anything else; and every data point is either dropped for one of the documented
 * reasons or mapped onto the contract's counters with allow-listed labels only, whatever the
 * exporter put in its attributes.
 */

const RUNS = { json: 8_000, protobuf: 6_000 };

/** A marker in attribute values and names: no message may repeat it. */
const MARKER = 'Zq9Marker';

const settings: MappingSettings = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  models: DEFAULT_MODEL_PATTERNS,
  pricing: [
    { model: 'claude-*', input: 3, output: 15 },
    { model: 'gpt-5*', input: 2, output: 8, cacheRead: 0.5, reasoning: 8 },
  ],
  secondsPerLine: 12,
};

/** The attribute keys the mapping reads (sources.ts), and a few it must ignore. */
const ATTRIBUTE_KEYS = [
  'type',
  'model',
  'language',
  'decision',
  'tool',
  'function_name',
  'approved',
  'token_type',
  'gen_ai.token.type',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'copilot_chat.edit.outcome',
  'copilot_chat.language_id',
  'user.email',
  'user_hash',
  'service.name',
];
/** Values the mapping understands, so that generated points are often counted. */
const ATTRIBUTE_VALUES = [
  'added',
  'removed',
  'input',
  'output',
  'cacheRead',
  'cacheCreation',
  'cache_read',
  'thought',
  'cache',
  'cached_input',
  'reasoning_output',
  'accept',
  'reject',
  'modify',
  'auto_accept',
  'approved',
  'denied',
  'accepted',
  'rejected',
  'user',
  'cli',
  'replace',
  'write_file',
  'Edit',
  'python',
  'TypeScript',
  'c++',
  'unknown',
  'claude-sonnet-4-5-20250929',
  'gpt-5-mini',
  'gemini-2.5-pro',
  'true',
  'false',
  MARKER,
];

const nanos = fc.oneof(
  {
    weight: 16,
    arbitrary: fc
      .bigInt({
        min: 1_600_000_000_000_000_000n,
        max: 1_900_000_000_000_000_000n,
      })
      .map(n => JSON.stringify(String(n))),
  },
  { weight: 1, arbitrary: numberText },
  {
    weight: 1,
    arbitrary: fc.constantFrom('"-1"', '"0"', '"1e9"', '"x"', '""'),
  },
);

const anyValue = fc.letrec<{ value: string }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    {
      weight: 8,
      arbitrary: fc
        .oneof(
          { weight: 3, arbitrary: fc.constantFrom(...ATTRIBUTE_VALUES) },
          { weight: 1, arbitrary: hostileString },
        )
        .map(s => `{"stringValue":${JSON.stringify(s)}}`),
    },
    { weight: 1, arbitrary: nanos.map(n => `{"intValue":${n}}`) },
    { weight: 1, arbitrary: numberText.map(n => `{"doubleValue":${n}}`) },
    { weight: 1, arbitrary: json(fc.boolean()).map(b => `{"boolValue":${b}}`) },
    {
      weight: 1,
      arbitrary: fc
        .array(tie('value'), { maxLength: 3 })
        .map(values => `{"arrayValue":{"values":[${values.join(',')}]}}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(hostileKey, tie('value')), { maxLength: 3 })
        .map(
          kvs =>
            `{"kvlistValue":{"values":[${kvs
              .map(([k, v]) =>
                objectText([
                  ['key', JSON.stringify(k)],
                  ['value', v],
                ]),
              )
              .join(',')}]}}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `{"bytesValue":"${Buffer.from(MARKER).toString('base64')}"}`,
        `{"bytesValue":"${Buffer.from(MARKER).toString('base64')}"}`,
        `{"bytesValue":"${Buffer.from(MARKER).toString('base64')}"}`,
        `{"bytesValue":"${MARKER}=="}`,
      ),
    },
    { weight: 1, arbitrary: jsonText },
  ),
})).value;

const attribute = orHostile(
  fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...ATTRIBUTE_KEYS) },
        { weight: 1, arbitrary: hostileKey },
        { weight: 1, arbitrary: fc.constant(MARKER) },
      ),
      anyValue,
    )
    .map(([key, value]) =>
      objectText([
        ['key', JSON.stringify(key)],
        ['value', value],
      ]),
    ),
  150,
);
const attributes = fc
  .array(attribute, { maxLength: 3 })
  .map(list => `[${list.join(',')}]`);

const value = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .double({ min: 0, max: 1e6, noNaN: true })
      .map(n => ['asDouble', JSON.stringify(n)]),
  },
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: 0, max: 1e6 })
      .map(n => ['asInt', JSON.stringify(String(n))]),
  },
  { weight: 1, arbitrary: numberText.map(n => ['asDouble', n]) },
  { weight: 1, arbitrary: nanos.map(n => ['asInt', n]) },
) as fc.Arbitrary<[string, string]>;

const numberPoint = fc
  .tuple(
    attributes,
    nanos,
    nanos,
    fc.option(value, { freq: 8 }),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
  )
  .map(([attrs, start, time, v, ordered]) =>
    objectText([
      ['attributes', attrs],
      ['startTimeUnixNano', ordered ? '"1700000000000000000"' : start],
      ['timeUnixNano', ordered ? '"1700000060000000000"' : time],
      ...(v ? [v] : []),
    ]),
  );
const histogramPoint = fc
  .tuple(attributes, nanos, fc.option(numberText, { freq: 8 }))
  .map(([attrs, time, sum]) =>
    objectText([
      ['attributes', attrs],
      ['startTimeUnixNano', '"1700000000000000000"'],
      ['timeUnixNano', time],
      ['count', '"3"'],
      ...(sum ? ([['sum', sum]] as Array<[string, string]>) : []),
    ]),
  );
const temporality = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('1', '2') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0',
      '3',
      '-1',
      '"AGGREGATION_TEMPORALITY_DELTA"',
      '"x"',
    ),
  },
);

const sumData = (monotonic: fc.Arbitrary<boolean>) =>
  fc
    .tuple(
      fc.array(orHostile(numberPoint, 150), { minLength: 1, maxLength: 2 }),
      temporality,
      monotonic,
    )
    .map(
      ([points, t, m]) =>
        `"sum":{"dataPoints":[${points.join(
          ',',
        )}],"aggregationTemporality":${t},"isMonotonic":${m}}`,
    );
const histogramData = fc
  .tuple(
    fc.array(orHostile(histogramPoint, 150), { minLength: 1, maxLength: 2 }),
    temporality,
  )
  .map(
    ([points, t]) =>
      `"histogram":{"dataPoints":[${points.join(
        ',',
      )}],"aggregationTemporality":${t}}`,
  );
const otherData = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('gauge', 'summary', 'exponentialHistogram'),
        fc.array(numberPoint, { maxLength: 2 }),
      )
      .map(
        ([kind, points]) => `"${kind}":{"dataPoints":[${points.join(',')}]}`,
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom('"sum":{}', '"histogram":null') },
  { weight: 2, arbitrary: sumData(fc.boolean()) },
  { weight: 2, arbitrary: histogramData },
);

/** A metric of a known source, mostly exported as that source does; or anything else. */
const metric = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...SOURCE_METRICS).chain(source =>
      fc
        .oneof(
          {
            weight: 8,
            arbitrary:
              source.instrument === 'sum'
                ? sumData(fc.constant(true))
                : histogramData,
          },
          { weight: 1, arbitrary: otherData },
        )
        .map(d => `{"name":${JSON.stringify(source.name)},"unit":"1",${d}}`),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(hostileString, otherData)
      .map(([name, d]) => `{"name":${JSON.stringify(name)},${d}}`),
  },
);

const serviceName = fc.oneof(
  fc.constantFrom(
    'claude-code',
    'gemini-cli',
    'codex',
    'copilot-chat',
    'github-copilot',
  ),
  hostileString,
);

const exportJson = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .array(
        fc
          .tuple(
            serviceName,
            attributes,
            fc.array(orHostile(metric, 100), { maxLength: 2 }),
          )
          .map(
            ([service, attrs, metrics]) =>
              `{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":${JSON.stringify(
                service,
              )}}},${
                attrs.slice(1, -1) ||
                '{"key":"host.name","value":{"stringValue":"h"}}'
              }]},` +
              `"scopeMetrics":[{"scope":{"name":"s","version":"1"},"metrics":[${metrics.join(
                ',',
              )}]}]}`,
          ),
        { maxLength: 2 },
      )
      .map(resources => `{"resourceMetrics":[${resources.join(',')}]}`),
  },
  { weight: 1, arbitrary: jsonText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'not json',
      '{"resourceMetrics":',
      '[]',
      'null',
    ),
  },
);

/** Checks what the receiver makes of one export: decode, count, flatten, map. */
function receive(body: Buffer, encoding: OtlpEncoding): 'decoded' | 'refused' {
  const refused = (error: unknown) => {
    holds(error instanceof OtlpDecodeError, () => `threw ${error}`);
    const { message } = error as Error;
    holds(!message.includes(MARKER), () => `quotes the body: ${message}`);
    holds(message.length < 400, () => `a message of ${message.length}`);
    return 'refused' as const;
  };
  let request;
  try {
    request = decodeExportRequest(body, encoding);
  } catch (error) {
    return refused(error);
  }
  const counted = countDataPoints(request);
  let points;
  try {
    points = dataPointsOf(request);
  } catch (error) {
    return refused(error);
  }
  holds(
    points.length <= counted,
    () => `${points.length} points of ${counted}`,
  );
  for (const point of points) {
    const mapped = mapDataPoint(point, settings);
    if (typeof mapped === 'string') {
      holds(DROP_REASONS.includes(mapped), () => `dropped as ${mapped}`);
      continue;
    }
    for (const target of mapped.targets) {
      checkTarget(target.metric, target.labels, target.factor);
    }
  }
  return 'decoded';
}

const ALLOWED_VALUES: Record<string, readonly string[]> = {
  language: [...DEFAULT_LANGUAGES, UNKNOWN_LANGUAGE],
  assistant: DEFAULT_ASSISTANTS,
  accepted: ['true', 'false'],
  activity: ACTIVITIES,
  feature: [],
};

/** A counter the contract names, with exactly its labels, each from its allow-list. */
function checkTarget(
  counter: string,
  labels: Record<string, string>,
  factor: number,
) {
  const names = METRIC_LABELS[counter as MetricName];
  holds(names, () => `maps onto ${counter}`);
  holds(
    JSON.stringify(Object.keys(labels).sort()) ===
      JSON.stringify(names.filter(n => n !== USER_HASH_LABEL).sort()),
    () => `labels ${Object.keys(labels)} on ${counter}`,
  );
  for (const [name, label] of Object.entries(labels)) {
    let allowed: boolean;
    if (name === 'model') {
      allowed =
        label === 'other' ||
        (/^[a-z0-9][a-z0-9._:-]{0,63}$/.test(label) &&
          DEFAULT_MODEL_PATTERNS.some(p =>
            label.startsWith(p.replace('*', '')),
          ));
    } else if (name === 'type') {
      allowed = [...TOKEN_TYPES, ...ACTIVE_TIME_TYPES].includes(label as never);
    } else {
      allowed = (ALLOWED_VALUES[name] ?? []).includes(label);
    }
    holds(allowed, () => `${counter}{${name}=${JSON.stringify(label)}}`);
  }
  holds(Number.isFinite(factor) && factor >= 0, () => `factor ${factor}`);
}

describe('OTLP exports, over generated bodies', () => {
  // Thousands of generated cases a test, on a shared CI machine.
  jest.setTimeout(120_000);

  it(`decodes OTLP JSON or refuses it with a 400, and maps only onto the contract (${RUNS.json} exports)`, () => {
    let decoded = 0;
    fc.assert(
      fc.property(exportJson, text => {
        if (receive(Buffer.from(text, 'utf8'), 'json') === 'decoded') decoded++;
      }),
      { numRuns: RUNS.json },
    );
    expect(decoded).toBeGreaterThan(RUNS.json / 4);
    expect(prototypePollution()).toEqual([]);
  });

  it(`decodes protobuf or refuses it with a 400, bytes flipped, cut or random (${RUNS.protobuf} exports)`, () => {
    const encoded = exportJson.map(text => {
      try {
        return encodeExportRequest(JSON.parse(text));
      } catch {
        return Buffer.from(text, 'utf8');
      }
    });
    const mutated = fc
      .tuple(
        encoded,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          maxLength: 4,
        }),
        fc.option(fc.nat(), { freq: 3 }),
      )
      .map(([bytes, flips, cut]) => {
        const out = Buffer.from(bytes);
        for (const [at, byte] of flips) {
          if (out.length > 0) out[at % out.length] = byte;
        }
        return cut === null || out.length === 0
          ? out
          : out.subarray(0, cut % out.length);
      });
    const body = fc.oneof(
      { weight: 6, arbitrary: mutated },
      { weight: 1, arbitrary: encoded },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 200 }).map(b => Buffer.from(b)),
      },
    );
    let decoded = 0;
    fc.assert(
      fc.property(body, bytes => {
        if (receive(bytes, 'protobuf') === 'decoded') decoded++;
      }),
      { numRuns: RUNS.protobuf },
    );
    expect(decoded).toBeGreaterThan(RUNS.protobuf / 10);
  });
});
