import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';
import express from 'express';
import request from 'supertest';
import { DEFAULT_LIMITS, LimitSettings } from './config/AiTelemetryConfig';
import { createRouter, RouterOptions } from './router';

/** An upstream whose readiness probe counts its calls. */
function upstream(url: string, up = true) {
  const probe = jest.fn(
    async (): Promise<UpstreamHealth> => ({ up, url, latencyMs: 3 }),
  );
  return { health: probe };
}

/**
 * The router with stand-in upstreams; every other service is a stub that the requests of these
 * tests never reach.
 */
async function apiWith(
  options: { limits?: LimitSettings; prometheusUp?: boolean } = {},
) {
  const prometheus = upstream('http://prometheus:9090', options.prometheusUp);
  const pushgateway = upstream('http://pushgateway:9091');
  const given: Partial<RouterOptions> = {
    httpAuth: mockServices.httpAuth(),
    prometheus: prometheus as unknown as RouterOptions['prometheus'],
    pushgateway: pushgateway as unknown as RouterOptions['pushgateway'],
    limits: options.limits,
  };
  const stubs = new Proxy(given, {
    get: (target, name) =>
      name in target ? target[name as keyof RouterOptions] : {},
  }) as RouterOptions;
  const app = express();
  app.use(await createRouter(stubs));
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return { api: request(app), prometheus, pushgateway };
}

describe('GET /health', () => {
  it('tells an unauthenticated caller the status alone', async () => {
    const { api } = await apiWith({ prometheusUp: false });
    for (const authorization of [
      mockCredentials.none.header(),
      'Bearer not-a-token',
      'Bearer fat_aTelemetryTokenIsNoBackstageToken',
    ]) {
      const res = await api.get('/health').set('Authorization', authorization);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'degraded' });
      expect(res.text).not.toContain('prometheus:9090');
    }
  });

  it('tells a signed-in user or a service each upstream, its URL and latency', async () => {
    const { api } = await apiWith();
    for (const authorization of [
      mockCredentials.user.header(),
      mockCredentials.service.header(),
    ]) {
      const res = await api.get('/health').set('Authorization', authorization);
      expect(res.body).toEqual({
        status: 'ok',
        prometheus: { up: true, url: 'http://prometheus:9090', latencyMs: 3 },
        pushgateway: { up: true, url: 'http://pushgateway:9091', latencyMs: 3 },
      });
    }
  });

  it('probes the upstreams once for calls in quick succession', async () => {
    const { api, prometheus, pushgateway } = await apiWith();
    for (let i = 0; i < 20; i++) {
      await api
        .get('/health')
        .set('Authorization', mockCredentials.none.header());
    }
    expect(prometheus.health).toHaveBeenCalledTimes(1);
    expect(pushgateway.health).toHaveBeenCalledTimes(1);
  });
});

describe('the per-user limit on the portal routes', () => {
  const limits: LimitSettings = {
    ...DEFAULT_LIMITS,
    portal: { requestsPerMinute: 3 },
  };

  it('answers 429 with Retry-After beyond the limit, per user, before the body is read', async () => {
    const { api } = await apiWith({ limits });
    const ask = (user: string) =>
      api
        .post('/v1/query')
        .set('Authorization', mockCredentials.user.header(user))
        .send({});

    for (let i = 0; i < 3; i++) {
      // The body is no query: a 400, but a request all the same.
      expect((await ask('user:default/jane')).status).toBe(400);
    }
    const refused = await ask('user:default/jane');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.body.error.message).toMatch(
      /^Too many requests: at most 3 a minute per user \(aiTelemetry\.limits\.portal\.requestsPerMinute\)/,
    );
    expect((await ask('user:default/john')).status).toBe(400);
    // The dashboard, the panels, the team pages and the user's own routes share the budget.
    for (const path of [
      '/v1/dashboard',
      '/v1/panels/overview',
      '/v1/teams/default/a/dashboard',
      '/v1/me',
      '/v1/me/data',
      '/v1/admin/audit',
    ]) {
      const res = await api
        .get(path)
        .set('Authorization', mockCredentials.user.header('user:default/jane'));
      expect([path, res.status]).toEqual([path, 429]);
    }
  });

  it('leaves health and the API description alone', async () => {
    const { api } = await apiWith({ limits });
    for (let i = 0; i < 5; i++) {
      expect((await api.get('/health')).status).toBe(200);
      expect((await api.get('/openapi.json')).status).toBe(200);
    }
  });
});
