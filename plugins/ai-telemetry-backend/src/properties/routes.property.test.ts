import { TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DASHBOARD_RANGES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  MY_DATA_FORMATS,
  PANEL_IDS,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import fc from 'fast-check';
import { encodeExportRequest } from '../otlp/otlpProtocol';
import { attributes, sum } from '../otlp/__testUtils__/otlpRequests';
import { createRouter, RouterOptions } from '../router';
import { spec } from '../schema/openapi.generated';
import { listRoutes } from '../__testUtils__/routes';
import {
  serviceAuthorization,
  startAiTelemetryTestBackend,
  userAuthorization,
} from '../__testUtils__/testBackend';
import { group } from '../query/__testUtils__/testDoubles';
import { FakeUpstream, startFakeUpstream } from '../__testUtils__/fakeUpstream';
import {
  entriesOf,
  holds,
  hostileStringOf,
  jsonText,
  nestedText,
  objectText,
  orHostile,
  PROTOTYPE_KEYS,
  prototypePollution,
} from './__testUtils__/hostile';
import { readPromql, selectorViolations } from './__testUtils__/promqlContract';

/**
 * Every route of the plugin, as the router lists them (each looked up in its OpenAPI spec, so
 * that a new route is fuzzed as soon as it is mounted), over generated requests through a whole
 * test backend (Backstage's auth policies, the OpenAPI validation, the routes' own parsers, the
 * real services on SQLite, Backstage's error handler): path parameters, query strings (repeated
 * keys, `a[b][c]` nesting, prototype keys, bad percent-encoding), and bodies from the spec's
 * schemas, valid or almost, with hostile values, deep nesting, huge numbers and any JSON at all,
 * under each route's own credentials. Every answer is a 2xx, or a 4xx whose JSON error says what
 * is wrong (a 400 names the field), never a 5xx; and every query the backend sends Prometheus
 * selects only the contract's metrics and recording rules. Prometheus and the Pushgateway are a
 * stand-in that answers every query with no data.
 */

const RUNS_PER_ROUTE = 100;

const BASE = '/api/ai-telemetry';
const ADMIN = 'user:default/telemetry-admin';
const DEVELOPER = 'user:default/dev';

// `any`: a JSON Schema of the spec, read loosely, keyword by keyword, as the generators need.
type Schema = Record<string, any>;
type Operation = {
  parameters?: Schema[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, unknown>>;
};
/** The spec as generated, copied before any router has used it. */
const document = structuredClone(spec) as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, Schema>>;
};

function resolve(schema: Schema): Schema {
  let s = schema;
  while (s?.$ref) {
    const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(s.$ref)!;
    s = document.components[section][name];
  }
  return s ?? {};
}

/** Values a parameter or field of this name takes in real requests. */
const EXAMPLES: Record<string, readonly string[]> = {
  id: PANEL_IDS,
  namespace: ['default', 'Default', 'default '],
  name: ['team-a', 'alpha', 'nowhere'],
  range: DASHBOARD_RANGES,
  from: ['1793491200', '2026-11-01T00:00:00Z', '2026-11-20'],
  to: ['1794096000', '2026-11-28T00:00:00Z', '2026-11-27'],
  language: DEFAULT_LANGUAGES,
  assistant: DEFAULT_ASSISTANTS,
  format: MY_DATA_FORMATS,
  limit: ['1', '100', '1000'],
  before: ['1', '12345'],
  shard: ['0', '1', '3'],
  shards: ['1', '2', '4'],
  userEntityRef: [DEVELOPER, 'user:default/jane.doe', 'group:default/team-a'],
  subject: [DEVELOPER, 'user:jane', 'component:x'],
  query: [
    'sum(rate(ai_copilot_suggestions_total[5m]))',
    'sum by (language) (increase(ai_copilot_lines_generated{language="python"}[1h]))',
    // A metric named after an Object.prototype member answered 500 once.
    'valueOf',
    'sum(up)',
  ],
  start: ['1794000000', '2026-11-27T00:00:00Z'],
  end: ['1794096000', '2026-11-28T00:00:00Z'],
  step: ['300', '1h', '3600'],
};

/** A string for a schema: its enum, its pattern, an example of a field of that name, or any. */
function stringFor(schema: Schema, name?: string): fc.Arbitrary<string> {
  const options: Array<fc.Arbitrary<string>> = [];
  if (name && EXAMPLES[name]) options.push(fc.constantFrom(...EXAMPLES[name]));
  if (schema.enum) options.push(fc.constantFrom(...(schema.enum as string[])));
  if (schema.pattern)
    options.push(fc.stringMatching(new RegExp(schema.pattern)));
  if (options.length === 0) options.push(fc.string({ maxLength: 20 }));
  return fc.oneof(...options);
}

/** JSON text of a value of `schema`, each field now and then replaced by anything at all. */
function valueFor(
  schema: Schema,
  name?: string,
  depth = 0,
): fc.Arbitrary<string> {
  const s = resolve(schema);
  const alternatives: Schema[] | undefined = s.oneOf ?? s.anyOf;
  if (alternatives) {
    const options: Array<fc.Arbitrary<string>> = alternatives.map(alt =>
      valueFor(alt, name, depth),
    );
    return fc.oneof(...options);
  }
  if (s.const !== undefined) return fc.constant(JSON.stringify(s.const));
  if (s.enum) return fc.constantFrom(...s.enum).map(v => JSON.stringify(v));
  const types: string[] = Array.isArray(s.type)
    ? s.type
    : [s.type ?? (s.properties ? 'object' : 'any')];
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<string> => {
      switch (type) {
        case 'string':
          return stringFor(s, name).map(v => JSON.stringify(v));
        case 'integer':
          return fc
            .integer({ min: s.minimum ?? -5, max: s.maximum ?? 1000 })
            .map(String);
        case 'number':
          return fc
            .double({
              min: s.minimum ?? -5,
              max: s.maximum ?? 1e6,
              noNaN: true,
            })
            .map(v => JSON.stringify(v));
        case 'boolean':
          return fc.boolean().map(String);
        case 'array':
          return fc
            .array(
              orHostile(valueFor(s.items ?? {}, undefined, depth + 1), 30),
              {
                minLength: Math.min(s.minItems ?? 0, 2),
                maxLength: Math.min(s.maxItems ?? 3, 3),
              },
            )
            .map(items => `[${items.join(',')}]`);
        case 'object': {
          if (depth > 4 || !s.properties) return jsonText;
          const field = (key: string) =>
            orHostile(valueFor(s.properties[key], key, depth + 1), 30);
          const keys = Object.keys(s.properties);
          const required = new Set<string>(s.required ?? []);
          return entriesOf({
            required: Object.fromEntries(
              keys.filter(k => required.has(k)).map(k => [k, field(k)]),
            ),
            optional: Object.fromEntries(
              keys.filter(k => !required.has(k)).map(k => [k, field(k)]),
            ),
          }).map(objectText);
        }
        default:
          return jsonText;
      }
    }),
  );
}

/** What a route's JSON body is: the spec's schema, or the type its route checks. */
const BODY_SCHEMAS: Record<string, Schema> = {
  'PUT /v1/me/opt-in': { $ref: '#/components/schemas/OptInChangeRequest' },
};

/** An OTLP export of a known source, in OTLP JSON. */
function otlpExport(value: number, start: number): Record<string, unknown> {
  return {
    resourceMetrics: [
      {
        resource: { attributes: attributes({ 'service.name': 'claude-code' }) },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code' },
            metrics: [
              sum('claude_code.token.usage', [
                {
                  attributes: { type: 'input', model: 'claude-sonnet-4-5' },
                  start,
                  end: start + 60,
                  value,
                },
              ]),
            ],
          },
        ],
      },
    ],
  };
}
const otlpJson = fc
  .tuple(
    fc.integer({ min: 0, max: 1e6 }),
    fc.integer({ min: 1.79e9, max: 1.8e9 }),
  )
  .map(([value, start]) => JSON.stringify(otlpExport(value, start)));

type Body = { contentType?: string; data?: string | Buffer };

/** A body for the route: JSON from its schema, anything else in JSON, or not JSON at all. */
function bodyFor(route: string, operation: Operation): fc.Arbitrary<Body> {
  const content = operation.requestBody?.content ?? {};
  const jsonSchema = BODY_SCHEMAS[route] ?? content['application/json']?.schema;
  let valid = jsonSchema ? valueFor(jsonSchema) : fc.constant('{}');
  if (route === 'POST /otlp/v1/metrics') valid = otlpJson;
  const json = (arbitrary: fc.Arbitrary<string>) =>
    arbitrary.map((data): Body => ({ contentType: 'application/json', data }));
  const options: Array<fc.WeightedArbitrary<Body>> = [
    { weight: 10, arbitrary: json(valid) },
    { weight: 2, arbitrary: json(jsonText) },
    {
      weight: 1,
      arbitrary: json(
        fc.integer({ min: 20, max: 6000 }).map(d => nestedText(d)),
      ),
    },
    {
      weight: 1,
      arbitrary: json(
        fc.constantFrom(
          '',
          '{',
          '{"a":1,}',
          'nul',
          '"\\ud800"',
          '1e99999',
          `[${'1,'.repeat(40)}]`,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        contentType: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/xml',
          'application/json; charset=latin1',
          'application/x-protobuf',
        ),
        data: hostileStringOf(200),
      }),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  ];
  if (content['application/x-protobuf']) {
    options.push(
      {
        weight: 3,
        arbitrary: otlpJson.map(text => ({
          contentType: 'application/x-protobuf',
          data: encodeExportRequest(JSON.parse(text)),
        })),
      },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 300 }).map(bytes => ({
          contentType: 'application/x-protobuf',
          data: Buffer.from(bytes),
        })),
      },
    );
  }
  return fc.oneof(...options);
}

/**
 * A hostile string short enough for a URL: Node refuses request lines over 16 KB (431) before
 * any route sees them.
 */
const urlString = hostileStringOf(40);

/** A string percent-encoded for a URL; lone surrogates as the bytes no UTF-8 decoder takes. */
function encode(value: string): string {
  return value
    .split(/([\ud800-\udfff])/)
    .map((part, i) => (i % 2 === 1 ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

type Parameter = { name: string; in: string; schema?: Schema };

function parametersOf(operation: Operation): Parameter[] {
  return (operation.parameters ?? []).map(p => resolve(p) as Parameter);
}

/** Percent-encodings no decoder takes, sent as they are. */
const BROKEN_ESCAPES = ['%', '%zz', '%E0%A4%A'];

/** A query string: the route's parameters (valid or not), others, nested, repeated, broken. */
function queryFor(
  operation: Operation,
): fc.Arbitrary<{ text: string; keys: string[] }> {
  const known = parametersOf(operation).filter(p => p.in === 'query');
  const value = (p?: Parameter) =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: p ? stringFor(resolve(p.schema ?? {}), p.name) : urlString,
      },
      { weight: 2, arbitrary: urlString },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '',
          '1e21',
          '-1',
          '9'.repeat(400),
          ...BROKEN_ESCAPES,
        ),
      },
    );
  const key = fc.oneof(
    ...known.map(p => fc.constant(p.name)),
    fc.constantFrom(...PROTOTYPE_KEYS, 'user', 'userHash'),
    urlString,
  );
  // [the key as sent (nested with brackets, as qs reads them), the key, the value]
  const entry = fc.oneof(
    ...(known.length > 0
      ? [
          {
            weight: 6,
            arbitrary: fc
              .constantFrom(...known)
              .chain(p => value(p).map(v => [p.name, p.name, v] as const)),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc.tuple(key, value()).map(([k, v]) => [k, k, v] as const),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          key,
          fc.constantFrom('[a][b][c]', '[]', '[__proto__][x]', '[0]'),
          value(),
        )
        .map(([k, nest, v]) => [`${k}${nest}`, k, v] as const),
    },
  );
  return fc.array(entry, { maxLength: 4 }).map(entries => ({
    // The key, and each part of a nested one (qs reads `[a][b]` after an empty key as `a`).
    keys: entries.flatMap(([sent, k]) => [
      k,
      encode(k),
      ...sent.split(/[[\]]+/),
    ]),
    text: entries
      .map(
        ([sent, , v]) =>
          `${encode(sent)}=${BROKEN_ESCAPES.includes(v) ? v : encode(v)}`,
      )
      .join('&'),
  }));
}

/** The path with each `:param` filled: an example value, anything at all, or a broken escape. */
function pathFor(path: string): fc.Arbitrary<string> {
  const parts = path.split('/').map(part => {
    if (!part.startsWith(':')) return fc.constant(part);
    const name = part.slice(1);
    return fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(...(EXAMPLES[name] ?? ['x'])).map(encode),
      },
      { weight: 3, arbitrary: urlString.filter(s => s !== '').map(encode) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...BROKEN_ESCAPES, '..', '.', '%2F', '%00'),
      },
    );
  });
  return fc.tuple(...parts).map(p => p.join('/'));
}

/** `GET /v1/panels/{id}` of the spec, for a router path `/v1/panels/:id`. */
function operationOf(method: string, path: string): Operation | undefined {
  const specPath = path.replace(/:(\w+)/g, '{$1}');
  return document.paths[specPath]?.[method.toLowerCase()];
}

/** Field names a 400 may name: the route's parameters and body fields, and the keys sent. */
function namesOf(route: string, operation: Operation | undefined): Set<string> {
  const names = new Set<string>();
  const walk = (schema: Schema, depth: number) => {
    const s = resolve(schema);
    if (depth > 6 || !s) return;
    for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? [])])
      walk(alt, depth + 1);
    for (const [key, value] of Object.entries<Schema>(s.properties ?? {})) {
      names.add(key);
      walk(value, depth + 1);
    }
    if (s.items) walk(s.items, depth + 1);
  };
  for (const p of parametersOf(operation ?? {})) names.add(p.name);
  for (const content of Object.values(operation?.requestBody?.content ?? {})) {
    if (content.schema) walk(content.schema, 0);
  }
  if (BODY_SCHEMAS[route]) walk(BODY_SCHEMAS[route], 0);
  return names;
}

/** Words by which a 400 about the body as a whole names it. */
const WHOLE_BODY =
  /\b(body|JSON|Content-Type|media type|charset|export|ExportMetricsServiceRequest|uri|URL)\b/i;

describe('every route, over generated requests', () => {
  // Thousands of generated cases a test, on a shared CI machine.
  jest.setTimeout(120_000);

  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let upstream: FakeUpstream;
  let api: Awaited<ReturnType<typeof startAiTelemetryTestBackend>>['api'];
  let telemetryToken: string;
  /** Requests sent so far. */
  let sent = 0;
  /** The pseudonyms of the users of this test. */
  const pseudonyms = new Set<string>();
  let routes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    ({ api } = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: {
        prometheus: { baseUrl: upstream.url },
        pushgateway: { baseUrl: upstream.url },
        permissions: { admins: [ADMIN] },
        limits: {
          ingestion: { eventsPerMinute: 1e9, otlpPointsPerMinute: 1e9 },
          portal: { requestsPerMinute: 1e9 },
        },
      },
      features: [
        catalogServiceMock.factory({
          entities: [
            group('team-a', ['dev', 'jane.doe']),
            group('alpha', ['telemetry-admin']),
          ],
        }),
      ],
    }));
    for (const user of [DEVELOPER, ADMIN]) {
      const res = await api
        .put(`${BASE}/v1/me/opt-in`)
        .set('Authorization', userAuthorization(user))
        .send({ enabled: true });
      if (res.status !== 200) {
        throw new Error(`opt-in: ${res.status} ${res.text}`);
      }
      pseudonyms.add(res.body.userHash);
      if (user === DEVELOPER) telemetryToken = res.body.token;
    }
    // Listing routes only: the services are never called.
    const stubs = new Proxy({}, { get: () => ({}) }) as RouterOptions;
    routes = listRoutes(await createRouter(stubs));
  }, 60_000);

  afterAll(() => upstream?.close());

  it('finds the routes to fuzz in the router, each documented but the spec itself', () => {
    const undocumented = routes
      .filter(r => !operationOf(r.method, r.path))
      .map(r => `${r.method} ${r.path}`);
    expect(undocumented).toEqual(['GET /openapi.json']);
    expect(routes.length).toBeGreaterThan(15);
  });

  /** The credential the route takes, as its spec says (a user's for a route it does not list). */
  function authorizationFor(
    operation: Operation | undefined,
  ): fc.Arbitrary<string | undefined> {
    const security = operation?.security ?? [{ BackstageUserToken: [] }];
    const schemes = new Set(security.flatMap(s => Object.keys(s)));
    const options: Array<string | undefined> = [];
    if (schemes.has('TelemetryToken')) options.push(`Bearer ${telemetryToken}`);
    if (schemes.has('BackstageUserToken')) {
      options.push(userAuthorization(ADMIN));
    }
    if (schemes.has('BackstageServiceToken')) {
      options.push(serviceAuthorization('prometheus-scrape'));
    }
    // `{}` among the schemes: no credentials at all will do.
    if (security.some(s => Object.keys(s).length === 0))
      options.push(undefined);
    return fc.constantFrom(...options);
  }

  /**
   * Fuzzes one route with `RUNS_PER_ROUTE` generated requests: what fast-check found wrong
   * with the smallest request it found it with, or nothing.
   */
  async function fuzz(
    method: string,
    path: string,
  ): Promise<string | undefined> {
    const route = `${method} ${path}`;
    const operation = operationOf(method, path);
    const names = namesOf(route, operation);
    const request = fc.record({
      path: pathFor(path),
      query: queryFor(operation ?? {}),
      body:
        method === 'GET'
          ? fc.constant<Body>({})
          : bodyFor(route, operation ?? {}),
      authorization: authorizationFor(operation),
    });
    const check = async ({
      path: url,
      query,
      body,
      authorization,
    }: {
      path: string;
      query: { text: string; keys: string[] };
      body: Body;
      authorization?: string;
    }) => {
      sent++;
      const target = `${BASE}${url}${query.text ? `?${query.text}` : ''}`;
      let req = api[method.toLowerCase() as 'get' | 'put' | 'post'](target);
      if (authorization) req = req.set('Authorization', authorization);
      if (body.contentType) req = req.set('Content-Type', body.contentType);
      const res =
        body.data === undefined ? await req : await req.send(body.data);
      holds(res.status < 500, () => `${res.status} ${res.text.slice(0, 500)}`);
      if (res.status < 400) return;
      const error = res.body?.error;
      holds(
        /json/.test(res.headers['content-type'] ?? '') &&
          typeof error?.name === 'string' &&
          typeof error?.message === 'string' &&
          error.message.length > 0,
        () =>
          `${res.status} without a JSON error: ${JSON.stringify(
            res.headers,
          )} ${res.text.slice(0, 300)}`,
      );
      if (res.status !== 400) return;
      const message: string = error.message;
      const keysSent = [
        ...query.keys,
        ...[
          ...String(body.data ?? '').matchAll(/"((?:[^"\\]|\\.){1,60})":/g),
        ].map(m => m[1]),
      ];
      const named =
        WHOLE_BODY.test(message) ||
        /\bunknown (field|query parameter)\b/i.test(message) ||
        [...names, ...keysSent].some(
          field => field && message.includes(field.slice(0, 60)),
        );
      holds(named, () => `a 400 that names no field: ${message}`);
    };
    try {
      await fc.assert(fc.asyncProperty(request, check), {
        numRuns: RUNS_PER_ROUTE,
      });
      return undefined;
    } catch (error) {
      const { message, cause } = error as Error & { cause?: unknown };
      return `${route}: ${String(cause ?? message).slice(0, 1000)}\n${
        /Counterexample: .*/.exec(message)?.[0].slice(0, 1500) ?? ''
      }`;
    }
  }

  it(`answers every route 2xx or a 4xx that says why, never 5xx (${RUNS_PER_ROUTE} requests a route)`, async () => {
    const failures: string[] = [];
    for (const { method, path } of routes) {
      const failure = await fuzz(method, path);
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(routes.length * RUNS_PER_ROUTE);
    expect(prototypePollution()).toEqual([]);
    // The privacy routes read one person's own series (my data, erasure's verification) by
    // their pseudonym alone; everything else selects within the contract.
    const outside = upstream.queries.flatMap(query => {
      const { selectors } = readPromql(query);
      return selectors.flatMap(selector => {
        const own = selector.matchers.find(
          m => m.label === USER_HASH_LABEL && m.op === '=',
        );
        if (own) {
          return pseudonyms.has(own.value)
            ? []
            : [`reads someone else's series: ${query}`];
        }
        return selectorViolations([selector], {
          ops: ['=', '!=', '=~', '!~'],
          userHash: ['present', 'pseudonyms'],
        }).map(problem => `${problem} in ${query}`);
      });
    });
    expect(outside).toEqual([]);
    expect(upstream.queries.length).toBeGreaterThan(0);
  });
});
