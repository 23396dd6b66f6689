import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import {
  freePort,
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import { IncomingMessage, ServerResponse } from 'http';
import request from 'supertest';
import { AuditorService } from '@backstage/backend-plugin-api';
import { AuditLog } from '../audit/AuditLog';
import { AuditStore } from '../database/AuditStore';
import { PrometheusClient } from '../upstream/PrometheusClient';
import { memoryAuditLog } from '../__testUtils__/memoryAuditLog';
import { createQueryRouter } from './createQueryRouter';
import { QueryService } from './QueryService';
import { eventsPrometheus } from './__testUtils__/eventsPrometheus';
import {
  activity,
  fakePrometheus,
  group,
  hash,
  NOW,
  participantsFrom,
  testQueryService,
  users,
} from './__testUtils__/testDoubles';

function appFor(
  queries: QueryService,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  audit = memoryAuditLog().audit,
  limits: {
    concurrentRawQueries?: number;
    rawQueryTimeoutSeconds?: number;
  } = {},
) {
  const app = express();
  app.use(
    createQueryRouter({
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions({ result }),
      queries,
      audit,
      ...limits,
    }),
  );
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return request(app);
}

describe('the query routes', () => {
  const servers: TestHttpServer[] = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));
  async function prometheusAt(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ) {
    const server = await startHttpServer(handler);
    servers.push(server);
    return server.url;
  }

  it('answers a dashboard for any signed-in caller', async () => {
    const tenActive = participantsFrom(activity(users(1, 10)));
    const res = await appFor(
      testQueryService({ prometheus: fakePrometheus(tenActive).client }),
    ).get('/v1/dashboard?range=7d');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.panels)).toEqual([
      'overview',
      'acceptanceRate',
      'linesGenerated',
      'timeSaved',
      'featureUsage',
      'usage',
      'adoption',
      'teamComparison',
      'alerts',
    ]);
  });

  it('shows in the team comparison the teams the policy lets the caller read, and a service none', async () => {
    const team = users(1, 6);
    const service = () =>
      testQueryService({
        prometheus: eventsPrometheus(
          users(1, 12).map(user => ({
            user,
            t: Date.UTC(2026, 10, 27, 12) / 1000,
            accepted: 1,
          })),
        ).client,
        optedIn: users(1, 12).map(n => ({
          userEntityRef: `user:default/u${n}`,
          userHash: hash(n),
        })),
        entities: [
          group(
            'alpha',
            team.map(n => `u${n}`),
          ),
        ],
      });
    const rows = async (
      result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
      principal?: string,
    ) => {
      let req = appFor(service(), result).get(
        '/v1/panels/teamComparison?range=7d',
      );
      if (principal) req = req.set('Authorization', principal);
      const res = await req;
      expect(res.status).toBe(200);
      return res.body.data.teams.map(
        (t: { team: { entityRef: string } }) => t.team.entityRef,
      );
    };
    expect(await rows(AuthorizeResult.ALLOW)).toEqual(['group:default/alpha']);
    expect(await rows(AuthorizeResult.DENY)).toEqual([]);
    expect(
      await rows(AuthorizeResult.ALLOW, mockCredentials.service.header()),
    ).toEqual([]);
  });

  it('refuses bad parameters with a 400 that names the field, and unknown panels with a 404', async () => {
    const api = appFor(
      testQueryService({ prometheus: fakePrometheus().client }),
    );
    const bad = await api.get(
      '/v1/dashboard?range=7d&assistant=%22%7D%20or%20up%7Bx%3D%22',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^Invalid assistant: /),
    });
    const missing = await api.get('/v1/panels/secrets');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(
      /There is no panel "secrets"; the panels are overview, /,
    );
  });

  it('answers 403 naming the permission for team dashboards and raw queries the policy denies', async () => {
    const api = appFor(
      testQueryService({ prometheus: fakePrometheus().client }),
      AuthorizeResult.DENY,
    );
    const team = await api.get('/v1/teams/default/platform/dashboard');
    expect(team.status).toBe(403);
    expect(team.body.error.message).toBe(
      'This needs the permission ai-telemetry.team.read on group:default/platform',
    );
    const raw = await api
      .post('/v1/query')
      .send({ query: 'ai_copilot_feature_usage', start: 0, end: 1, step: 1 });
    expect(raw.status).toBe(403);
    expect(raw.body.error.message).toBe(
      'This needs the permission ai-telemetry.query.raw',
    );
  });

  it("refuses raw queries outside the plugin's metrics with the reason, and malformed bodies", async () => {
    const prometheus = fakePrometheus();
    const api = appFor(testQueryService({ prometheus: prometheus.client }));
    const res = await api.post('/v1/query').send({
      query: 'sum(rate({job="node"}[5m]))',
      start: 0,
      end: 3600,
      step: 60,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/has no metric name/);
    const extra = await api
      .post('/v1/query')
      .send({ query: 'x', start: 0, end: 1, step: 1, user: 'me' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/unknown field user/);
    expect(prometheus.asked).toEqual([]);
  });

  it('audit-logs every raw query, answered or refused: who, the query, when, and why one is not answered', async () => {
    const prometheus = fakePrometheus();
    const { audit, records } = memoryAuditLog();
    const api = appFor(
      testQueryService({ prometheus: prometheus.client }),
      AuthorizeResult.ALLOW,
      audit,
    );
    const refused = 'sum(rate({job="node"}[5m]))';
    const answered = 'sum(rate(ai_copilot_feature_usage[5m]))';
    const asked = (query: string, start: number) =>
      api.post('/v1/query').send({ query, start, end: NOW, step: 300 });

    expect((await asked(refused, NOW - 3600)).status).toBe(400);
    expect((await asked(answered, NOW - 3600)).status).toBe(200);

    const entry = (detail: string) =>
      expect.objectContaining({
        action: 'raw_query',
        actor: 'user:default/mock',
        subject: 'organisation',
        detail,
        at: expect.any(Date),
      });
    expect(records).toEqual([
      entry(`asked: ${refused}`),
      entry(`not answered (InputError): ${refused}`),
      entry(`asked: ${answered}`),
    ]);
  });

  describe('answers a raw query only once its attempt is on record', () => {
    const RAW = {
      query: 'sum(rate(ai_copilot_feature_usage[5m]))',
      start: NOW - 3600,
      end: NOW,
      step: 300,
    };
    const silentAuditor: AuditorService = {
      async createEvent() {
        return { async success() {}, async fail() {} };
      },
    };
    const auditWith = (add: AuditStore['add']) =>
      new AuditLog({
        store: { add, list: async () => [], pruneOlderThan: async () => 0 },
        auditor: silentAuditor,
      });

    it('asks Prometheus while the attempt is being recorded, and answers once it is', async () => {
      const prometheus = fakePrometheus();
      let recorded = () => {};
      const adds: string[] = [];
      const api = appFor(
        testQueryService({ prometheus: prometheus.client }),
        AuthorizeResult.ALLOW,
        auditWith(async entry => {
          adds.push(entry.detail ?? '');
          await new Promise<void>(resolve => {
            recorded = resolve;
          });
        }),
      );
      let answered = false;
      const res = api
        .post('/v1/query')
        .send(RAW)
        .then(r => {
          answered = true;
          return r;
        });
      while (prometheus.asked.length === 0 || adds.length === 0) {
        await new Promise(resolve => setTimeout(resolve, 5));
      }
      expect(adds).toEqual([`asked: ${RAW.query}`]);
      // Prometheus has answered; the answer waits for the record.
      await new Promise(resolve => setTimeout(resolve, 50));
      expect(answered).toBe(false);

      recorded();
      expect((await res).status).toBe(200);
    });

    it('does not answer an attempt that could not be recorded', async () => {
      const prometheus = fakePrometheus(() => [
        { labels: {}, points: [[NOW, 42]] },
      ]);
      const api = appFor(
        testQueryService({ prometheus: prometheus.client }),
        AuthorizeResult.ALLOW,
        auditWith(async () => {
          throw new Error('the audit log is unreachable');
        }),
      );
      const res = await api.post('/v1/query').send(RAW);
      expect(res.status).toBe(500);
      expect(res.body.error.message).toBe('the audit log is unreachable');
      expect(JSON.stringify(res.body)).not.toContain('42');
    });
  });

  it('answers 503 naming Prometheus and its URL when it is unreachable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const api = appFor(
      testQueryService({ prometheus: new PrometheusClient(url) }),
    );
    const res = await api.get('/v1/dashboard');
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual(
      expect.objectContaining({
        name: 'ServiceUnavailableError',
        message: `Prometheus at ${url} is unreachable: ECONNREFUSED`,
      }),
    );
  });

  it("answers 502 with Prometheus's message, and 504 when it does not answer in time", async () => {
    const failing = await prometheusAt((_req, res) => {
      res.writeHead(422, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'execution',
          error: 'query processing would load too many samples',
        }),
      );
    });
    const bad = await appFor(
      testQueryService({ prometheus: new PrometheusClient(failing) }),
    ).get('/v1/panels/overview');
    expect(bad.status).toBe(502);
    expect(bad.body.error.message).toBe(
      `Prometheus at ${failing} answered HTTP 422 (execution): query processing would load too many samples`,
    );

    const silent = await prometheusAt(() => undefined);
    const slow = await appFor(
      testQueryService({
        prometheus: new PrometheusClient(silent, {}, { timeoutMs: 100 }),
      }),
    ).get('/v1/panels/linesGenerated');
    expect(slow.status).toBe(504);
    expect(slow.body.error.message).toBe(
      `Prometheus at ${silent} did not answer within 100 ms`,
    );
  });

  describe('holds under abuse', () => {
    const RAW = {
      query: 'sum(rate(ai_copilot_feature_usage[5m]))',
      start: NOW - 3600,
      end: NOW,
      step: 300,
    };

    it.each([
      ['start', 'abc'],
      ['start', -1],
      ['start', 1e21],
      ['end', 'abc'],
      ['end', -1],
      ['end', 1e21],
      ['step', 'abc'],
      ['step', -1],
      ['step', 1e21],
    ])(
      'answers a raw query with %s %j with a 400 naming the field (issue 13: it answered 500)',
      async (field, value) => {
        const prometheus = fakePrometheus();
        const res = await appFor(
          testQueryService({ prometheus: prometheus.client }),
        )
          .post('/v1/query')
          .send({ ...RAW, [field]: value });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({
          name: 'InputError',
          message: expect.stringMatching(new RegExp(`^Invalid ${field}: `)),
        });
        expect(prometheus.asked).toEqual([]);
      },
    );

    it('answers a raw query body nested 5,000 levels deep with a 400 (issue 13: it answered 500)', async () => {
      const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      const api = appFor(
        testQueryService({ prometheus: fakePrometheus().client }),
      );
      for (const body of [
        `{"kind":${nested}}`,
        `{"query":${nested},"start":0,"end":1,"step":1}`,
      ]) {
        const res = await api
          .post('/v1/query')
          .set('Content-Type', 'application/json')
          .send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(
          /^The request body nests arrays and objects more than 32 levels deep \(at (kind|query)\[0\]/,
        );
      }
    });

    it('refuses a subquery stepping every second within a second, naming its step, without asking Prometheus', async () => {
      const prometheus = fakePrometheus();
      const api = appFor(testQueryService({ prometheus: prometheus.client }));
      const started = Date.now();

      const res = await api.post('/v1/query').send({
        ...RAW,
        query: 'sum(sum_over_time(ai_copilot_suggestions_total[90d:1s]))',
      });

      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^the subquery step 1s of .* is finer than 5m, the dashboards' finest step/,
      );
      expect(prometheus.asked).toEqual([]);
    });

    it('runs at most two raw queries of a user at once: a third is a 429 with Retry-After, audit-logged', async () => {
      const prometheus = fakePrometheus(() => [], { held: true });
      const { audit, records } = memoryAuditLog();
      const api = appFor(
        testQueryService({ prometheus: prometheus.client }),
        AuthorizeResult.ALLOW,
        audit,
      );
      const asked = async (count: number) => {
        while (prometheus.asked.length < count) {
          await new Promise(resolve => setTimeout(resolve, 5));
        }
        return prometheus.asked.length;
      };
      // Each query its own range: the cache coalesces identical ones.
      const send = (hoursBack: number, user = 'user:default/mock') =>
        api
          .post('/v1/query')
          .set('Authorization', mockCredentials.user.header(user))
          .send({ ...RAW, start: NOW - hoursBack * 3600 })
          .then(res => res);

      const first = send(1);
      const afterFirst = await asked(1);
      const second = send(2);
      await asked(afterFirst + 1);
      const started = Date.now();
      const third = await send(3);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBe('2');
      expect(third.body.error.message).toBe(
        'Too many raw queries at once: a user may run 2 at a time ' +
          '(aiTelemetry.limits.rawQueries.concurrent); wait for one to finish; try again in 2 s',
      );
      // The two that run are on record as they started; the third, refused, says why.
      expect(records.map(r => r.detail)).toEqual([
        `asked: ${RAW.query}`,
        `asked: ${RAW.query}`,
        `not answered (TooManyRequestsError): ${RAW.query}`,
      ]);
      // Another user is not held back by this one.
      const other = send(4, 'user:default/other');
      await asked(prometheus.asked.length + 1);

      prometheus.release();
      for (const res of await Promise.all([first, second, other])) {
        expect(res.status).not.toBe(429);
      }
      expect((await send(5)).status).not.toBe(429);
    });

    it("answers 504 once a raw query takes longer than its time-out, holding the user's slot until Prometheus is done", async () => {
      const prometheus = fakePrometheus(() => [], { held: true });
      const { audit, records } = memoryAuditLog();
      const api = appFor(
        testQueryService({ prometheus: prometheus.client }),
        AuthorizeResult.ALLOW,
        audit,
        { concurrentRawQueries: 1, rawQueryTimeoutSeconds: 0.05 },
      );
      const send = (hoursBack: number) =>
        api.post('/v1/query').send({ ...RAW, start: NOW - hoursBack * 3600 });

      const slow = await send(1);
      expect(slow.status).toBe(504);
      expect(slow.body.error.message).toBe(
        'The raw query took longer than 0.05 s (aiTelemetry.limits.rawQueries.timeoutSeconds); ' +
          'narrow its range, make its step coarser or read the recording rules',
      );
      expect(records.map(r => r.detail)).toEqual([
        `asked: ${RAW.query}`,
        `not answered (UpstreamTimeoutError): ${RAW.query}`,
      ]);
      // Prometheus is still at it: the user's one slot is taken.
      expect((await send(2)).status).toBe(429);

      prometheus.release();
      await new Promise(resolve => setTimeout(resolve, 10));
      expect((await send(3)).status).not.toBe(429);
    });
  });
});
