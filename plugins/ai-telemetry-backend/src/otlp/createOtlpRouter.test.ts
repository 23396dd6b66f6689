import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import express from 'express';
import { Knex } from 'knex';
import request from 'supertest';
import { gzipSync } from 'zlib';
import { pseudonymize } from '@fawkes/plugin-ai-telemetry-common';
import {
  optIn,
  serviceAuthorization,
  startAiTelemetryTestBackend,
  TEST_AI_TELEMETRY_CONFIG,
  userAuthorization,
} from '../__testUtils__/testBackend';
import {
  CUMULATIVE,
  OTLP_PATH,
  binary,
  exportRequest,
  servedSeries,
  sum,
} from './__testUtils__/otlpRequests';
import { RateLimiter } from '../http/rateLimit';
import { createOtlpRouter, OTLP_LIMITS } from './createOtlpRouter';
import { OtlpReceiver } from './OtlpReceiver';
import { decodeExportResponse, encodeExportRequest } from './otlpProtocol';

jest.setTimeout(60_000);

const JANE = 'user:default/jane.doe';
const JOHN = 'user:default/john.roe';
const T0 = 1_764_000_000;

const sessionStarted = exportRequest([
  sum('claude_code.session.count', [
    {
      attributes: { 'session.id': 's-1', start_type: 'fresh' },
      start: T0,
      end: T0 + 60,
      value: 1,
    },
  ]),
  sum(
    'claude_code.token.usage',
    [
      {
        attributes: {
          'session.id': 's-1',
          type: 'input',
          model: 'claude-sonnet-4-5-20250929',
        },
        start: T0,
        end: T0 + 60,
        value: 1200,
      },
    ],
    { unit: 'tokens' },
  ),
]);

/** The bytes of a protobuf field of wire type 2 (`field` holding `length` bytes), up to them. */
function lengthPrefix(field: number, length: number): Buffer {
  const bytes = [(field << 3) | 2];
  let rest = length;
  while (rest > 127) {
    bytes.push((rest & 127) | 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/**
 * A protobuf export whose one data point has an attribute value nested `levels` deep (an
 * array of an array of ...), written from the inside out in linear time.
 */
function deeplyNestedExport(levels: number): Buffer {
  const core = Buffer.from([0x0a, 0x01, 0x78]); // AnyValue { string_value: "x" }
  const outside: Buffer[] = [];
  let length = core.length;
  const add = (bytes: Buffer) => {
    outside.push(bytes);
    length += bytes.length;
  };
  const wrap = (field: number) => add(lengthPrefix(field, length));
  for (let i = 0; i < levels; i++) {
    wrap(1); // ArrayValue.values
    wrap(5); // AnyValue.array_value
  }
  wrap(2); // KeyValue.value
  add(Buffer.concat([lengthPrefix(1, 4), Buffer.from('deep')])); // KeyValue.key
  wrap(7); // NumberDataPoint.attributes
  wrap(1); // Sum.data_points
  wrap(7); // Metric.sum
  const name = Buffer.from('claude_code.session.count');
  add(Buffer.concat([lengthPrefix(1, name.length), name])); // Metric.name
  wrap(2); // ScopeMetrics.metrics
  wrap(2); // ResourceMetrics.scope_metrics
  wrap(1); // ExportMetricsServiceRequest.resource_metrics
  return Buffer.concat([...outside.reverse(), core]);
}

async function storedNothing(knex: Knex) {
  expect(await knex('counters').select()).toEqual([]);
  expect(await knex('otlp_streams').select()).toEqual([]);
  expect(await knex('otlp_dropped_points').select()).toEqual([]);
}

describe('POST /otlp/v1/metrics', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function start() {
    const backend = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: { metrics: { newSeriesZeroSeconds: 0 } },
    });
    const token = await optIn(backend.api, JANE);
    const post = (body: object | Buffer | string, contentType: string) =>
      backend.api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', contentType)
        .send(body as object);
    return { ...backend, token, post };
  }

  it("counts for the token's owner only, whoever the export's attributes claim to be", async () => {
    const { api, post, knex } = await start();
    const janeHash = await pseudonymize(
      JANE,
      TEST_AI_TELEMETRY_CONFIG.pseudonymKey,
    );
    const johnHash = await pseudonymize(
      JOHN,
      TEST_AI_TELEMETRY_CONFIG.pseudonymKey,
    );
    // Jane's token, an export dressed up as John's: resource and point attributes naming him.
    const claimsToBeJohn = exportRequest(
      [
        sum('claude_code.session.count', [
          {
            attributes: { user_hash: johnHash, 'user.email': 'john@x.example' },
            start: T0,
            end: T0 + 60,
            value: 7,
          },
        ]),
      ],
      {
        'service.name': 'claude-code',
        'user.id': JOHN,
        'user.email': 'john@x.example',
        user_hash: johnHash,
      },
    );

    const res = await post(claimsToBeJohn, 'application/json');
    const scrape = await api
      .get('/api/ai-telemetry/v1/metrics')
      .set('Authorization', serviceAuthorization('prometheus-scrape'));

    expect(res.status).toBe(200);
    expect(
      (await knex('counters').select('user_hash')).map(r => r.user_hash),
    ).toEqual([janeHash]);
    expect(scrape.text).toContain(
      `ai_copilot_sessions_total{user_hash="${janeHash}",assistant="claude-code"}`,
    );
    expect(scrape.text).not.toContain(johnHash);
  });

  describe('accepts exports as the OTLP/HTTP spec describes them', () => {
    it('JSON: answers an empty ExportMetricsServiceResponse and counts the points', async () => {
      const { api, post } = await start();

      const res = await post(sessionStarted, 'application/json');

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({});
      expect(await servedSeries(api)).toEqual([
        'ai_copilot_sessions_total{assistant="claude-code"} 1',
        'ai_copilot_tokens_total{assistant="claude-code",model="claude-sonnet-4-5",type="input"} 1200',
      ]);
    });

    it('protobuf, gzipped: answers in protobuf, and a retried export counts once', async () => {
      const { api, token } = await start();
      const body = gzipSync(encodeExportRequest(sessionStarted));
      const send = () =>
        api
          .post(OTLP_PATH)
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', 'application/x-protobuf')
          .set('Content-Encoding', 'gzip')
          .send(body)
          .buffer(true)
          .parse(binary);

      const first = await send();
      const retried = await send();

      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe('application/x-protobuf');
      expect(decodeExportResponse(first.body, 'protobuf')).toEqual({});
      expect(retried.status).toBe(200);
      expect(await servedSeries(api)).toEqual([
        'ai_copilot_sessions_total{assistant="claude-code"} 1',
        'ai_copilot_tokens_total{assistant="claude-code",model="claude-sonnet-4-5",type="input"} 1200',
      ]);
    });

    it('cumulative streams add their increase, and a reset starts over', async () => {
      const { api, post } = await start();
      const tokens = (from: number, end: number, value: number) =>
        exportRequest(
          [
            sum(
              'gemini_cli.token.usage',
              [
                {
                  attributes: { model: 'gemini-2.5-pro', type: 'output' },
                  start: from,
                  end,
                  value,
                },
              ],
              { temporality: CUMULATIVE },
            ),
          ],
          { 'service.name': 'gemini-cli' },
        );

      for (const body of [
        tokens(T0, T0 + 10, 100),
        tokens(T0, T0 + 20, 250),
        tokens(T0, T0 + 20, 250),
        tokens(T0 + 100, T0 + 110, 40),
      ]) {
        expect((await post(body, 'application/json')).status).toBe(200);
      }

      expect(await servedSeries(api)).toEqual([
        'ai_copilot_tokens_total{assistant="gemini-cli",model="gemini-2.5-pro",type="output"} 290',
      ]);
    });
  });

  describe('answers partialSuccess for data points it does not count', () => {
    it('an unknown metric, counted in the backend’s own metrics by reason', async () => {
      const { api, post } = await start();

      const res = await post(
        exportRequest([
          sum('claude_code.session.count', [
            { start: T0, end: T0 + 60, value: 1 },
          ]),
          sum('claude_code.brand_new.count', [
            { start: T0, end: T0 + 60, value: 3 },
          ]),
        ]),
        'application/json',
      );

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        partialSuccess: {
          rejectedDataPoints: '1',
          errorMessage: expect.stringMatching(
            /^1 of 2 data points were not counted: 1 unknown_metric \(claude_code\.brand_new\.count\)\./,
          ),
        },
      });
      const metrics = await api
        .get('/api/ai-telemetry/v1/metrics')
        .set('Authorization', serviceAuthorization('prometheus-scrape'));
      expect(metrics.text).toContain(
        'ai_telemetry_otlp_points_dropped_total{reason="unknown_metric"} 1\n',
      );
      expect(metrics.text).toContain(
        'ai_telemetry_otlp_points_dropped_total{reason="negative_value"} 0\n',
      );
      expect(await servedSeries(api)).toEqual([
        'ai_copilot_sessions_total{assistant="claude-code"} 1',
      ]);
    });

    it.each([
      ['a negative delta', -5, 'negative_value'],
      ['NaN', 'NaN', 'invalid_value'],
      ['a huge value', 1e300, 'value_out_of_range'],
    ])('%s', async (_name, value, reason) => {
      const { api, post } = await start();

      const res = await post(
        exportRequest([
          sum('claude_code.cost.usage', [
            {
              attributes: { model: 'claude-opus-4-1' },
              start: T0,
              end: T0 + 60,
              value,
            },
          ]),
        ]),
        'application/json',
      );

      expect(res.status).toBe(200);
      expect(res.body.partialSuccess).toEqual({
        rejectedDataPoints: '1',
        errorMessage: expect.stringContaining(
          `1 ${reason} (claude_code.cost.usage)`,
        ),
      });
      expect(await servedSeries(api)).toEqual([]);
    });

    it('a gauge or an up-down sum where a counter is documented', async () => {
      const { post } = await start();

      const res = await post(
        exportRequest([
          sum(
            'claude_code.commit.count',
            [{ start: T0, end: T0 + 60, value: 1 }],
            { monotonic: false },
          ),
        ]),
        'application/json',
      );

      expect(res.body.partialSuccess.errorMessage).toContain(
        '1 unsupported_type (claude_code.commit.count)',
      );
    });
  });

  describe('refuses a body it cannot read', () => {
    it('malformed protobuf (400)', async () => {
      const { knex, post } = await start();

      const res = await post(
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
        'application/x-protobuf',
      );

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^The body is not a protobuf ExportMetricsServiceRequest: /,
      );
      await storedNothing(knex);
    });

    it('malformed JSON, or JSON that is no export (400)', async () => {
      const { post } = await start();

      const broken = await post('{"resourceMetrics": [', 'application/json');
      const wrongShape = await post(
        { resourceMetrics: 'all of them' },
        'application/json',
      );
      const notAnObject = await post('[1, 2]', 'application/json');
      const badTime = await post(
        exportRequest([
          {
            name: 'claude_code.session.count',
            sum: {
              aggregationTemporality: 1,
              isMonotonic: true,
              dataPoints: [
                { timeUnixNano: 'jane.doe@example.com', asInt: '1' },
              ],
            },
          },
        ]),
        'application/json',
      );

      expect(broken.status).toBe(400);
      expect(broken.body.error.message).toMatch(/^The body is not valid JSON/);
      expect(wrongShape.status).toBe(400);
      expect(wrongShape.body.error.message).toMatch(
        /^The body is not a JSON ExportMetricsServiceRequest: .*resourceMetrics: array expected/,
      );
      expect(notAnObject.status).toBe(400);
      expect(notAnObject.body.error.message).toMatch(/expected an object/);
      // protobufjs reads a 64-bit integer that is no number as 0: a point without a time.
      expect(badTime.status).toBe(200);
      expect(badTime.body.partialSuccess.errorMessage).toContain(
        '1 invalid_timestamps (claude_code.session.count)',
      );
      // What the body holds is not echoed back (nor logged).
      expect(broken.text + wrongShape.text + badTime.text).not.toContain(
        'jane.doe',
      );
    });

    it('a JSON export nested 5,000 levels deep (400, not a stack overflow)', async () => {
      const { knex, post } = await start();
      const deep = `${'{"arrayValue":{"values":['.repeat(
        5000,
      )}{"stringValue":"x"}${']}}'.repeat(5000)}`;
      const body = JSON.stringify(
        exportRequest([
          sum('claude_code.session.count', [
            {
              attributes: { deep: 'PLACEHOLDER' },
              start: T0,
              end: T0 + 60,
              value: 1,
            },
          ]),
        ]),
      ).replace('{"stringValue":"PLACEHOLDER"}', deep);

      const res = await post(body, 'application/json');

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^The export nests values more than 64 levels deep \(at resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]…\): send attribute values as strings, numbers or flat lists$/,
      );
      await storedNothing(knex);
    });

    it.each([5_000, 100_000])(
      'a protobuf export nested %i levels deep (400, not a stack overflow)',
      async levels => {
        const { knex, post } = await start();

        const res = await post(
          deeplyNestedExport(levels),
          'application/x-protobuf',
        );

        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(
          /^The export nests values more than 64 levels deep/,
        );
        await storedNothing(knex);
      },
    );

    it('a broken gzip stream (400)', async () => {
      const { api, token } = await start();

      const res = await api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/x-protobuf')
        .set('Content-Encoding', 'gzip')
        .send(Buffer.from('not gzip at all'));

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^The request body could not be read/,
      );
    });

    it('a content type OTLP does not use (415)', async () => {
      const { knex, post } = await start();

      const res = await post('resourceMetrics=1', 'text/plain');

      expect(res.status).toBe(415);
      expect(res.body.error).toEqual(
        expect.objectContaining({
          name: 'UnsupportedMediaTypeError',
          message:
            'OTLP/HTTP takes Content-Type application/x-protobuf or application/json (got text/plain)',
        }),
      );
      await storedNothing(knex);
    });

    it('a content encoding other than gzip (415)', async () => {
      const { api, token } = await start();

      const res = await api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'zstd')
        .send(Buffer.from('{}'));

      expect(res.status).toBe(415);
      expect(res.body.error.message).toMatch(
        /Content-Encoding zstd is not supported: send gzip or no encoding/,
      );
    });

    it('a body over the size limit (413)', async () => {
      const { knex, post } = await start();
      const padding = 'x'.repeat(OTLP_LIMITS.maxBodyBytes);

      const res = await post(
        { ...sessionStarted, padding },
        'application/json',
      );

      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(
        /^The export is over the limit of 2097152 bytes \(after gzip is undone\)/,
      );
      await storedNothing(knex);
    });

    it('too many data points (413)', async () => {
      const { knex, post } = await start();
      const points = Array.from(
        { length: OTLP_LIMITS.maxDataPoints + 1 },
        (_, i) => ({
          attributes: { n: i },
          start: T0,
          end: T0 + 60,
          value: 1,
        }),
      );

      const res = await post(
        exportRequest([sum('claude_code.session.count', points)]),
        'application/json',
      );

      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(
        /^The export holds 10001 data points, over the limit of 10000/,
      );
      await storedNothing(knex);
    });
  });

  describe('takes the telemetry token as POST /v1/events does', () => {
    it('no token, or a wrong one (401)', async () => {
      const { api, knex } = await start();

      const missing = await api
        .post(OTLP_PATH)
        .set('Content-Type', 'application/json')
        .send(sessionStarted);
      const wrong = await api
        .post(OTLP_PATH)
        .set('Authorization', 'Bearer fat_notATokenThisPortalIssued')
        .set('Content-Type', 'application/json')
        .send(sessionStarted);

      expect(missing.status).toBe(401);
      expect(missing.body.error.message).toMatch(
        /^Missing bearer token: set OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <telemetry token>"/,
      );
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.message).toMatch(/^Unknown telemetry token/);
      await storedNothing(knex);
    });

    it('a token revoked by opting out (401), and a rotated one (401)', async () => {
      const { api, knex, token } = await start();
      await api
        .post('/api/ai-telemetry/v1/me/token')
        .set('Authorization', userAuthorization(JANE));
      const rotated = await api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(sessionStarted);
      const newest = await api
        .post('/api/ai-telemetry/v1/me/token')
        .set('Authorization', userAuthorization(JANE));
      await api
        .put('/api/ai-telemetry/v1/me/opt-in')
        .set('Authorization', userAuthorization(JANE))
        .send({ enabled: false });
      const revoked = await api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${newest.body.token}`)
        .set('Content-Type', 'application/json')
        .send(sessionStarted);

      expect(rotated.status).toBe(401);
      expect(rotated.body.error.message).toMatch(
        /replaced by a newer one .* use the newest token/,
      );
      expect(revoked.status).toBe(401);
      expect(revoked.body.error.message).toMatch(
        /revoked on .* because its user opted out of AI telemetry/,
      );
      await storedNothing(knex);
    });

    it('a user who opted out, or never opted in (403), storing nothing', async () => {
      const { api, knex } = await start();
      await api
        .put('/api/ai-telemetry/v1/me/opt-in')
        .set('Authorization', userAuthorization(JANE))
        .send({ enabled: false });

      const optedOut = await api
        .post(OTLP_PATH)
        .set('Authorization', userAuthorization(JANE))
        .set('Content-Type', 'application/json')
        .send(sessionStarted);
      const never = await api
        .post(OTLP_PATH)
        .set('Authorization', userAuthorization('user:default/john.roe'))
        .set('Content-Type', 'application/json')
        .send(sessionStarted);

      expect(optedOut.status).toBe(403);
      expect(optedOut.body.error.message).toMatch(
        /^user:default\/jane\.doe opted out of AI telemetry on .*, so nothing is collected/,
      );
      expect(never.status).toBe(403);
      expect(never.body.error.message).toMatch(
        /^user:default\/john\.roe has not opted in to AI telemetry, so nothing is collected/,
      );
      await storedNothing(knex);
    });

    it('a service token (403)', async () => {
      const { api, knex } = await start();

      const res = await api
        .post(OTLP_PATH)
        .set('Authorization', serviceAuthorization('prometheus-scrape'))
        .set('Content-Type', 'application/json')
        .send(sessionStarted);

      expect(res.status).toBe(403);
      await storedNothing(knex);
    });
  });

  describe('holds each developer to a budget of data points a minute (429 with Retry-After)', () => {
    function appWith(perMinute: number) {
      let now = 1_800_000_000_000;
      const receive = jest.fn(async () => ({ rejected: 0 }));
      const app = express();
      app.use(
        createOtlpRouter({
          httpAuth: mockServices.httpAuth(),
          ingestion: { authenticateToken: jest.fn() },
          receiver: {
            requireOptedIn: async () => {},
            receive,
          } as unknown as OtlpReceiver,
          rateLimit: new RateLimiter({ perMinute, now: () => now }),
        }),
      );
      app.use(
        MiddlewareFactory.create({
          config: mockServices.rootConfig(),
          logger: mockServices.logger.mock(),
        }).error(),
      );
      const exportOf = (points: number) =>
        request(app)
          .post('/otlp/v1/metrics')
          .set('Authorization', mockCredentials.user.header(JANE))
          .set('Content-Type', 'application/json')
          .send(
            exportRequest([
              sum(
                'claude_code.token.usage',
                Array.from({ length: points }, (_, i) => ({
                  attributes: { 'session.id': `s-${i}`, type: 'input' },
                  start: T0,
                  end: T0 + 60,
                  value: 1,
                })),
              ),
            ]),
          );
      return {
        exportOf,
        receive,
        advance: (ms: number) => {
          now += ms;
        },
      };
    }

    it('answers 429 with Retry-After, as the OTLP spec asks, and receives nothing of it', async () => {
      const { exportOf, receive, advance } = appWith(600);

      expect((await exportOf(400)).status).toBe(200);
      const refused = await exportOf(300);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('10');
      expect(refused.body.error.message).toBe(
        'Too many data points: a developer may export 600 a minute ' +
          '(aiTelemetry.limits.ingestion.otlpPointsPerMinute) and this export holds 300; ' +
          'nothing was stored; try again in 10 s',
      );
      expect(receive).toHaveBeenCalledTimes(1);

      advance(10_000);
      expect((await exportOf(300)).status).toBe(200);
      expect(receive).toHaveBeenCalledTimes(2);
    });

    it('refuses an export of more points than a minute allows (413)', async () => {
      const { exportOf, receive } = appWith(100);

      const res = await exportOf(101);

      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(
        /^The export holds 101 data points, more than the 100 a developer may export a minute \(aiTelemetry\.limits\.ingestion\.otlpPointsPerMinute\)/,
      );
      expect(receive).not.toHaveBeenCalled();
    });
  });
});
