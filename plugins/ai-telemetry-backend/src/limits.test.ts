import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import {
  exportRequest,
  OTLP_PATH,
  sum,
} from './otlp/__testUtils__/otlpRequests';
import { startFakeUpstream } from './__testUtils__/fakeUpstream';
import {
  optIn,
  serviceAuthorization,
  startAiTelemetryTestBackend,
  userAuthorization,
} from './__testUtils__/testBackend';

/**
 * Each limit of `aiTelemetry.limits`, set in the configuration of a whole backend (so that the
 * wiring from config to route is tested, not a limiter handed to a router), on the real clock:
 * beyond it a 429 with `Retry-After` and Backstage's JSON error naming the config key; nothing of
 * the refused request is stored; and waiting as long as `Retry-After` says is enough. The
 * limiters' arithmetic is tested in src/http/rateLimit.test.ts, each route's use of its limiter
 * in createEventsRouter.test.ts, createOtlpRouter.test.ts, createQueryRouter.test.ts and
 * router.test.ts.
 */

const BASE = '/api/ai-telemetry';
const JANE = 'user:default/jane';
const JOHN = 'user:default/john';
const ADMIN = 'user:default/telemetry-admin';

const sleep = (seconds: number) =>
  new Promise(resolve => setTimeout(resolve, seconds * 1000));

async function counterRows(knex: Knex): Promise<number> {
  const [{ n }] = await knex('counters').count({ n: '*' });
  return Number(n);
}

describe('aiTelemetry.limits, in a whole backend', () => {
  // A backend each, and waits on the real clock.
  jest.setTimeout(60_000);

  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('holds each developer to ingestion.eventsPerMinute: 429 with Retry-After, nothing stored, enough to wait', async () => {
    const { api, knex } = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: { limits: { ingestion: { eventsPerMinute: 120 } } },
    });
    const jane = await optIn(api, JANE);
    const john = await optIn(api, JOHN);
    const send = (token: string, batchId: string, count: number) =>
      api
        .post(`${BASE}/v1/events`)
        .set('Authorization', `Bearer ${token}`)
        .send({
          batchId,
          events: [{ kind: 'feature', feature: 'chat', count }],
        });

    expect((await send(jane, 'a', 100)).status).toBe(202);
    expect((await send(jane, 'b', 20)).status).toBe(202);
    const rows = await counterRows(knex);
    const refused = await send(jane, 'c', 2);

    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    // Two events at 120 a minute: a second.
    expect(retryAfter).toBe(1);
    expect(refused.body.error).toMatchObject({
      name: 'TooManyRequestsError',
      message:
        'Too many events: a developer may send 120 a minute ' +
        '(aiTelemetry.limits.ingestion.eventsPerMinute), each event counted as its count, ' +
        'and this batch counts 2; nothing was stored; try again in 1 s',
    });
    expect(await counterRows(knex)).toBe(rows);
    expect(
      (await knex('processed_batches').select('batch_id')).map(r => r.batch_id),
    ).toEqual(['a', 'b']);
    // Another developer has a budget of their own.
    expect((await send(john, 'c', 2)).status).toBe(202);

    await sleep(retryAfter);
    const retried = await send(jane, 'c', 2);
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual({ accepted: 1, duplicate: false });
  });

  it('holds each developer to ingestion.otlpPointsPerMinute: 429 with Retry-After, nothing stored, enough to wait', async () => {
    const { api, knex } = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: { limits: { ingestion: { otlpPointsPerMinute: 60 } } },
    });
    const token = await optIn(api, JANE);
    const start = Math.floor(Date.now() / 1000) - 600;
    let minute = 0;
    /** An export of `points` streams, each counting tokens over the next minute. */
    const exportOf = (points: number) => {
      const at = start + 60 * minute++;
      return api
        .post(OTLP_PATH)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(
          exportRequest([
            sum(
              'claude_code.token.usage',
              Array.from({ length: points }, (_, i) => ({
                attributes: { 'session.id': `s-${i}`, type: 'input' },
                start: at,
                end: at + 60,
                value: 10,
              })),
            ),
          ]),
        );
    };

    expect((await exportOf(59)).status).toBe(200);
    const streams = await knex('otlp_streams').count({ n: '*' });
    const refused = await exportOf(2);

    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(refused.body.error.name).toBe('TooManyRequestsError');
    expect(refused.body.error.message).toMatch(
      /^Too many data points: a developer may export 60 a minute \(aiTelemetry\.limits\.ingestion\.otlpPointsPerMinute\) and this export holds 2; nothing was stored; try again in [12] s$/,
    );
    expect(await knex('otlp_streams').count({ n: '*' })).toEqual(streams);

    await sleep(retryAfter);
    expect((await exportOf(2)).status).toBe(200);
  });

  it('holds each user to portal.requestsPerMinute on the portal routes, not on ingestion or health', async () => {
    const { api } = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: { limits: { portal: { requestsPerMinute: 3 } } },
    });
    // The opt-in is a portal request too: one of Jane's three.
    const token = await optIn(api, JANE);
    const me = () =>
      api.get(`${BASE}/v1/me`).set('Authorization', userAuthorization(JANE));

    expect((await me()).status).toBe(200);
    expect((await me()).status).toBe(200);
    const refused = await me();

    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.body.error).toMatchObject({
      name: 'TooManyRequestsError',
      message:
        'Too many requests: at most 3 a minute per user ' +
        '(aiTelemetry.limits.portal.requestsPerMinute); try again in 20 s',
    });
    // Ingestion, health and the scrape have budgets of their own, or none.
    const events = await api
      .post(`${BASE}/v1/events`)
      .set('Authorization', `Bearer ${token}`)
      .send({ batchId: 'x', events: [{ kind: 'feature', feature: 'chat' }] });
    expect(events.status).toBe(202);
    expect((await api.get(`${BASE}/health`)).status).toBe(200);
    const scrape = await api
      .get(`${BASE}/v1/metrics`)
      .set('Authorization', serviceAuthorization('prometheus-scrape'));
    expect(scrape.status).toBe(200);
    expect(
      (
        await api
          .get(`${BASE}/v1/me`)
          .set('Authorization', userAuthorization(JOHN))
      ).status,
    ).toBe(200);
  });

  it('holds each admin to rawQueries.concurrent and answers 504 after rawQueries.timeoutSeconds', async () => {
    const prometheus = await startFakeUpstream({ held: true });
    try {
      const { api } = await startAiTelemetryTestBackend(databases, {
        aiTelemetry: {
          prometheus: { baseUrl: prometheus.url },
          permissions: { admins: [ADMIN] },
          limits: { rawQueries: { concurrent: 1, timeoutSeconds: 1 } },
        },
      });
      const now = Math.floor(Date.now() / 1000);
      const query = (hoursBack: number, user = ADMIN) =>
        api
          .post(`${BASE}/v1/query`)
          .set('Authorization', userAuthorization(user))
          .send({
            query: 'sum(increase(ai_copilot_suggestions_total[1h]))',
            start: now - hoursBack * 3600,
            end: now,
            step: 3600,
          });

      const started = Date.now();
      const slow = await query(2);
      const took = (Date.now() - started) / 1000;

      expect(slow.status).toBe(504);
      expect(took).toBeGreaterThanOrEqual(0.9);
      expect(took).toBeLessThan(5);
      expect(slow.body.error.message).toMatch(
        /^The raw query took longer than 1 s \(aiTelemetry\.limits\.rawQueries\.timeoutSeconds\)/,
      );
      // Prometheus is still at it: the admin's one slot is held.
      const refused = await query(3);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('2');
      expect(refused.body.error.message).toMatch(
        /^Too many raw queries at once: a user may run 1 at a time \(aiTelemetry\.limits\.rawQueries\.concurrent\)/,
      );

      prometheus.release();
      let answered: request.Response | undefined;
      for (let i = 0; i < 50 && answered?.status !== 200; i++) {
        await sleep(0.1);
        answered = await query(4);
      }
      expect(answered?.status).toBe(200);
    } finally {
      await prometheus.close();
    }
  });
});
