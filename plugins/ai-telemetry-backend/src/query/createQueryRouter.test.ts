import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import {
  freePort,
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import { IncomingMessage, ServerResponse } from 'http';
import request from 'supertest';
import { PrometheusClient } from '../upstream/PrometheusClient';
import { memoryAuditLog } from '../__testUtils__/memoryAuditLog';
import { createQueryRouter } from './createQueryRouter';
import { QueryService } from './QueryService';
import {
  activity,
  fakePrometheus,
  participantsFrom,
  testQueryService,
  users,
} from './__testUtils__/testDoubles';

function appFor(
  queries: QueryService,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  audit = memoryAuditLog().audit,
) {
  const app = express();
  app.use(
    createQueryRouter({
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions({ result }),
      queries,
      audit,
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
      'alerts',
    ]);
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

  it('audit-logs every raw query, answered or refused: who, the query, when', async () => {
    const prometheus = fakePrometheus();
    const { audit, records } = memoryAuditLog();
    const api = appFor(
      testQueryService({ prometheus: prometheus.client }),
      AuthorizeResult.ALLOW,
      audit,
    );
    const query = 'sum(rate({job="node"}[5m]))';
    const res = await api
      .post('/v1/query')
      .send({ query, start: 0, end: 3600, step: 60 });
    expect(res.status).toBe(400);
    expect(records).toEqual([
      expect.objectContaining({
        action: 'raw_query',
        actor: 'user:default/mock',
        subject: 'organisation',
        detail: `not answered (InputError): ${query}`,
        at: expect.any(Date),
      }),
    ]);
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
});
