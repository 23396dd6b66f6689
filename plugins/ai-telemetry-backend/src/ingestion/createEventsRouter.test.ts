import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  pseudonymize,
  TelemetryEvent,
} from '@fawkes/plugin-ai-telemetry-common';
import express from 'express';
import { Knex } from 'knex';
import request from 'supertest';
import { RateLimiter } from '../http/rateLimit';
import {
  optIn,
  serviceAuthorization,
  startAiTelemetryTestBackend,
  TEST_AI_TELEMETRY_CONFIG,
  userAuthorization,
} from '../__testUtils__/testBackend';
import { createEventsRouter } from './createEventsRouter';
import { IngestionService } from './IngestionService';

const JANE = 'user:default/jane.doe';
const JOHN = 'user:default/john.roe';
const EVENTS = '/api/ai-telemetry/v1/events';
const METRICS_PATH = '/api/ai-telemetry/v1/metrics';

const suggestion: TelemetryEvent = {
  kind: 'suggestion',
  language: 'python',
  accepted: true,
  lines: 10,
  waitMs: 5000,
  assistant: 'copilot',
};

async function counters(knex: Knex) {
  const rows = await knex('counters')
    .orderBy(['metric', 'labels'])
    .select('user_hash', 'metric', 'labels', 'value_milli');
  return rows.map(r => [r.metric, JSON.parse(r.labels), Number(r.value_milli)]);
}

async function storedNothing(knex: Knex) {
  expect(await knex('counters').select()).toEqual([]);
  expect(await knex('processed_batches').select()).toEqual([]);
}

describe('POST /v1/events', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('counts a batch sent with a telemetry token under the metric contract', async () => {
    const { api, knex } = await startAiTelemetryTestBackend(databases);
    const token = await optIn(api, JANE);

    const res = await api
      .post(EVENTS)
      .set('Authorization', `Bearer ${token}`)
      .send({
        batchId: 'batch-1',
        events: [
          suggestion,
          { kind: 'suggestion', language: 'cobol', accepted: false, count: 3 },
          {
            kind: 'feature',
            feature: 'chat',
            assistant: 'Unknown-Bot',
            count: 2,
          },
          {
            kind: 'time_saved',
            activity: 'documentation',
            seconds: 30.5,
            assistant: 'copilot',
          },
        ],
      });

    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 4, duplicate: false });
    expect(await counters(knex)).toEqual([
      [
        'ai_copilot_feature_usage',
        { feature: 'chat', assistant: 'other' },
        2000,
      ],
      [
        'ai_copilot_lines_generated',
        { language: 'python', assistant: 'copilot' },
        10_000,
      ],
      [
        'ai_copilot_suggestions_total',
        { language: 'other', accepted: 'false', assistant: 'other' },
        3000,
      ],
      [
        'ai_copilot_suggestions_total',
        { language: 'python', accepted: 'true', assistant: 'copilot' },
        1000,
      ],
      [
        'ai_copilot_time_saved_seconds',
        { activity: 'code_completion', assistant: 'copilot' },
        115_000, // 10 lines × 12 s − 5 s of waiting
      ],
      [
        'ai_copilot_time_saved_seconds',
        { activity: 'documentation', assistant: 'copilot' },
        30_500,
      ],
    ]);
    const userHash = await pseudonymize(
      JANE,
      TEST_AI_TELEMETRY_CONFIG.pseudonymKey,
    );
    expect(
      new Set(
        (await knex('counters').select('user_hash')).map(r => r.user_hash),
      ),
    ).toEqual(new Set([userHash]));
  });

  it('counts the same batch id once and answers duplicate: true', async () => {
    const { api, knex } = await startAiTelemetryTestBackend(databases);
    const token = await optIn(api, JANE);
    const send = () =>
      api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send({ batchId: 'retried', events: [suggestion, suggestion] });

    const first = await send();
    const again = await send();

    expect(first.body).toEqual({ accepted: 2, duplicate: false });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ accepted: 2, duplicate: true });
    expect(
      (await counters(knex)).find(
        ([m]) => m === 'ai_copilot_suggestions_total',
      )?.[2],
    ).toBe(2000);
  });

  it('accepts a Backstage user token, counting for that user', async () => {
    const { api, knex } = await startAiTelemetryTestBackend(databases);
    await optIn(api, JOHN);

    const res = await api
      .post(EVENTS)
      .set('Authorization', userAuthorization(JOHN))
      .send({ batchId: 'from-the-portal', events: [suggestion] });

    expect(res.status).toBe(202);
    const johnHash = await pseudonymize(
      JOHN,
      TEST_AI_TELEMETRY_CONFIG.pseudonymKey,
    );
    expect((await knex('processed_batches').select())[0].user_hash).toBe(
      johnHash,
    );
  });

  describe('refuses bad input, naming the problem, and stores nothing', () => {
    const batch = (events: unknown[], extra: object = {}) => ({
      batchId: 'b1',
      events,
      ...extra,
    });

    it.each([
      [
        'a missing field',
        batch([{ kind: 'suggestion', accepted: true }]),
        /events\[0\]\.language is missing/,
      ],
      ['a missing batch id', { events: [suggestion] }, /batchId is missing/],
      [
        'a wrong type',
        batch([{ ...suggestion, accepted: 'yes' }]),
        /events\[0\]\.accepted must be a boolean, got a string/,
      ],
      [
        'an unknown kind',
        batch([suggestion, { kind: 'keystroke', key: 'a' }]),
        /events\[1\]\.kind "keystroke" is not allowed; expected one of suggestion, feature, time_saved/,
      ],
      [
        'a negative count',
        batch([{ ...suggestion, count: -1 }]),
        /events\[0\]\.count must be at least 1, got -1/,
      ],
      [
        'a huge count',
        batch([{ kind: 'feature', feature: 'chat', count: 5_000_000 }]),
        /events\[0\]\.count must be at most 100, got 5000000/,
      ],
      [
        'a count beyond a minute of suggestions (issue 13: 1,000 events × count 1,000)',
        batch([{ ...suggestion, count: 1000 }]),
        /events\[0\]\.count must be at most 100, got 1000/,
      ],
      [
        'negative lines',
        batch([{ ...suggestion, lines: -3 }]),
        /events\[0\]\.lines must be at least 0, got -3/,
      ],
      [
        'more lines than one suggestion holds (issue 13: 10,000 lines)',
        batch([{ ...suggestion, lines: 10_000 }]),
        /events\[0\]\.lines must be at most 1000, got 10000/,
      ],
      [
        'more than an hour of time saved',
        batch([
          { kind: 'time_saved', activity: 'documentation', seconds: 3601 },
        ]),
        /events\[0\]\.seconds must be at most 3600, got 3601/,
      ],
      [
        'a wait of more than an hour',
        batch([{ ...suggestion, waitMs: 3_600_001 }]),
        /events\[0\]\.waitMs must be at most 3600000, got 3600001/,
      ],
      [
        'a count that is not a number',
        batch([{ ...suggestion, count: '1e9' }]),
        /events\[0\]\.count must be a number, got a string/,
      ],
      [
        'an unknown field',
        batch([{ ...suggestion, file: 'src/secret.py' }]),
        /unknown field events\[0\]\.file/,
      ],
      [
        'an unknown top-level field',
        batch([suggestion], { user: 'someone-else' }),
        /unknown field user/,
      ],
      [
        'a feature outside the contract',
        batch([{ kind: 'feature', feature: 'autopilot' }]),
        /events\[0\]\.feature "autopilot" is not allowed; expected one of completion, chat, explain, document, test/,
      ],
      [
        'a language that is not an identifier',
        batch([{ ...suggestion, language: 'print("hi")' }]),
        /events\[0\]\.language "print\(\\"hi\\"\)" is not an identifier/,
      ],
      [
        'a bad batch id',
        { batchId: 'no spaces allowed', events: [suggestion] },
        /batchId "no spaces allowed" is not a batch id/,
      ],
      ['an empty batch', batch([]), /events must hold at least 1 item/],
      [
        'a body that is not an object',
        [suggestion],
        /the body must be a JSON object, got an array/,
      ],
    ])('%s', async (_case, body, message) => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send(body);

      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
      await storedNothing(knex);
    });

    it('a body nested 5,000 levels deep (issue 13: it answered 500)', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(
          `{"batchId":"b1","events":[{"kind":${'['.repeat(5000)}${']'.repeat(
            5000,
          )}}]}`,
        );

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message:
          'The request body nests arrays and objects more than 32 levels deep ' +
          '(at events[0].kind[0][0][0]…); no body of this API is nested that deeply',
      });
      await storedNothing(knex);
    });

    it('a value of 200 KB, quoted cut short', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send(batch([{ ...suggestion, language: 'x'.repeat(200_000) }]));

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^Invalid event batch: events\[0\]\.language "x+… is not an identifier/,
      );
      expect(res.body.error.message.length).toBeLessThan(300);
      await storedNothing(knex);
    });

    it('malformed JSON', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send('{"batchId": "b1", "events": [');

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /The request body is not valid JSON/,
      );
      await storedNothing(knex);
    });

    it('a body that is not sent as JSON', async () => {
      const { api } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'text/plain')
        .send('batchId=b1');

      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/Content-Type: application\/json/);
    });

    it('more than 1,000 events (413)', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send(batch(Array.from({ length: 1001 }, () => suggestion)));

      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(
        /1001 events, over the limit of 1000 events a batch/,
      );
      await storedNothing(knex);
    });

    it('more than 256 KB (413)', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send(batch([suggestion], { padding: 'x'.repeat(300 * 1024) }));

      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(
        /over the limit of 262144 bytes: a batch may hold at most 256 KB and 1000 events/,
      );
      await storedNothing(knex);
    });
  });

  describe('refuses a bad credential with a 401 that names the problem', () => {
    it('no bearer token', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);

      const res = await api
        .post(EVENTS)
        .send({ batchId: 'b1', events: [suggestion] });

      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/Missing bearer token/);
      await storedNothing(knex);
    });

    it('a wrong token', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      await optIn(api, JANE);

      const unknown = await api
        .post(EVENTS)
        .set('Authorization', 'Bearer fat_notATokenThisPortalIssued')
        .send({ batchId: 'b1', events: [suggestion] });
      const garbage = await api
        .post(EVENTS)
        .set('Authorization', 'Bearer hunter2')
        .send({ batchId: 'b1', events: [suggestion] });

      expect(unknown.status).toBe(401);
      expect(unknown.body.error.message).toMatch(/Unknown telemetry token/);
      expect(garbage.status).toBe(401);
      expect(garbage.body.error.message).toMatch(
        /neither a telemetry token \(fat_…\) nor a valid Backstage user token/,
      );
      await storedNothing(knex);
    });

    it('a rotated token', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const old = await optIn(api, JANE);
      const rotated = await api
        .post('/api/ai-telemetry/v1/me/token')
        .set('Authorization', userAuthorization(JANE));

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${old}`)
        .send({ batchId: 'b1', events: [suggestion] });

      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(
        /telemetry token was replaced by a newer one on .* use the newest token/,
      );
      await storedNothing(knex);
      const fresh = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${rotated.body.token}`)
        .send({ batchId: 'b1', events: [suggestion] });
      expect(fresh.status).toBe(202);
    });

    it('a token revoked by opting out', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);
      await api
        .put('/api/ai-telemetry/v1/me/opt-in')
        .set('Authorization', userAuthorization(JANE))
        .send({ enabled: false });

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send({ batchId: 'b1', events: [suggestion] });

      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(
        /telemetry token was revoked on .* because its user opted out.*Settings → AI Telemetry/,
      );
      await storedNothing(knex);
    });

    it('a service token (403: only users and telemetry tokens may send events)', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);

      const res = await api
        .post(EVENTS)
        .set('Authorization', serviceAuthorization('prometheus-scrape'))
        .send({ batchId: 'b1', events: [suggestion] });

      expect(res.status).toBe(403);
      await storedNothing(knex);
    });
  });

  describe('refuses users who are not opted in (403), storing nothing', () => {
    async function scrape(
      api: Awaited<ReturnType<typeof startAiTelemetryTestBackend>>['api'],
    ) {
      const res = await api
        .get(METRICS_PATH)
        .set('Authorization', serviceAuthorization('prometheus-scrape'));
      return res.text;
    }

    it('a user who never opted in', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);

      const res = await api
        .post(EVENTS)
        .set('Authorization', userAuthorization(JANE))
        .send({ batchId: 'b1', events: [suggestion] });

      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `${JANE} has not opted in to AI telemetry, so nothing is collected. To take part, ` +
          'turn it on under Settings → AI Telemetry in the portal, then use the telemetry ' +
          'token it shows.',
      );
      await storedNothing(knex);
      expect(await knex('opt_ins').select()).toEqual([]);
      expect(await scrape(api)).not.toMatch(/user_hash=/);
    });

    it('a user who opted out, whose earlier counts are no longer served', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);
      await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send({ batchId: 'before', events: [suggestion] });
      const janeHash = await pseudonymize(
        JANE,
        TEST_AI_TELEMETRY_CONFIG.pseudonymKey,
      );
      expect(await scrape(api)).toContain(`user_hash="${janeHash}"`);
      await api
        .put('/api/ai-telemetry/v1/me/opt-in')
        .set('Authorization', userAuthorization(JANE))
        .send({ enabled: false });
      const before = await counters(knex);

      const res = await api
        .post(EVENTS)
        .set('Authorization', userAuthorization(JANE))
        .send({ batchId: 'after', events: [suggestion] });

      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /user:default\/jane.doe opted out of AI telemetry on .*turn it on under Settings → AI Telemetry/,
      );
      expect(await counters(knex)).toEqual(before);
      expect(
        (await knex('processed_batches').select('batch_id')).map(
          r => r.batch_id,
        ),
      ).toEqual(['before']);
      expect(await scrape(api)).not.toContain(janeHash);
    });
  });

  describe('holds each developer to a budget of events a minute (429 with Retry-After)', () => {
    it('by default 1,000 events, each counted as its count, and stores nothing beyond it', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const jane = await optIn(api, JANE);
      const john = await optIn(api, JOHN);
      const send = (token: string, batchId: string, events: TelemetryEvent[]) =>
        api.post(EVENTS).set('Authorization', `Bearer ${token}`).send({
          batchId,
          events,
        });

      // 500 events of count 2: a minute's worth in one go.
      const full = await send(
        jane,
        'full',
        Array.from({ length: 500 }, () => ({ ...suggestion, count: 2 })),
      );
      expect(full.status).toBe(202);
      const before = await counters(knex);

      // Half a minute's worth more: the bucket refills 1,000 a minute (one every 60 ms), so a
      // single event could already fit again on a loaded machine; 500 need 30 s.
      const refused = await send(
        jane,
        'more',
        Array.from({ length: 250 }, () => ({ ...suggestion, count: 2 })),
      );
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.body.error.name).toBe('TooManyRequestsError');
      expect(refused.body.error.message).toMatch(
        /^Too many events: a developer may send 1000 a minute \(aiTelemetry\.limits\.ingestion\.eventsPerMinute\).*; nothing was stored; try again in \d+ s$/,
      );
      expect(await counters(knex)).toEqual(before);
      expect(
        (await knex('processed_batches').select('batch_id')).map(
          r => r.batch_id,
        ),
      ).toEqual(['full']);

      // Another developer has a budget of their own.
      expect((await send(john, 'john', [suggestion])).status).toBe(202);
    });

    it('refuses a batch that counts more than a minute in one go (413: split it)', async () => {
      const { api, knex } = await startAiTelemetryTestBackend(databases);
      const token = await optIn(api, JANE);

      const res = await api
        .post(EVENTS)
        .set('Authorization', `Bearer ${token}`)
        .send({
          batchId: 'huge',
          events: Array.from({ length: 1000 }, () => ({
            ...suggestion,
            count: 100,
          })),
        });

      expect(res.status).toBe(413);
      expect(res.body.error.message).toBe(
        'The batch counts 100000 events (each event as its count), more than the 1000 a ' +
          'developer may send a minute (aiTelemetry.limits.ingestion.eventsPerMinute): split it',
      );
      await storedNothing(knex);
    });

    describe('with a budget set', () => {
      function appWith(perMinute: number) {
        let now = 1_800_000_000_000;
        const ingest = jest.fn(async () => ({ accepted: 1, duplicate: false }));
        const app = express();
        app.use(
          createEventsRouter({
            httpAuth: mockServices.httpAuth(),
            ingestion: { ingest } as unknown as IngestionService,
            rateLimit: new RateLimiter({ perMinute, now: () => now }),
          }),
        );
        app.use(
          MiddlewareFactory.create({
            config: mockServices.rootConfig(),
            logger: mockServices.logger.mock(),
          }).error(),
        );
        const post = (user: string, body: unknown) =>
          request(app)
            .post('/v1/events')
            .set('Authorization', mockCredentials.user.header(user))
            .send(body as object);
        return {
          post,
          ingest,
          advance: (ms: number) => {
            now += ms;
          },
        };
      }

      it('answers 429 with the seconds until the batch fits, and counts it then', async () => {
        const { post, ingest, advance } = appWith(120);
        const batch = (n: number) => ({
          batchId: `b${n}`,
          events: [{ ...suggestion, count: 60 }],
        });

        expect((await post(JANE, batch(1))).status).toBe(202);
        expect((await post(JANE, batch(2))).status).toBe(202);
        const refused = await post(JANE, batch(3));
        expect(refused.status).toBe(429);
        expect(refused.headers['retry-after']).toBe('30');
        expect(refused.body.error.message).toMatch(/this batch counts 60/);
        expect(ingest).toHaveBeenCalledTimes(2);

        advance(30_000);
        expect((await post(JANE, batch(3))).status).toBe(202);
        expect(ingest).toHaveBeenCalledTimes(3);
      });
    });
  });
});
