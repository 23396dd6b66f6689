import { TestDatabases } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  optIn,
  serviceAuthorization,
  startAiTelemetryTestBackend,
  userAuthorization,
} from '../__testUtils__/testBackend';

const METRICS_PATH = '/api/ai-telemetry/v1/metrics';
const JANE = 'user:default/jane.doe';

describe('GET /v1/metrics', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('serves the scrape principal in the text exposition format', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);
    const token = await optIn(api, JANE);
    await api
      .post('/api/ai-telemetry/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .send({
        batchId: 'b1',
        events: [{ kind: 'feature', feature: 'test', assistant: 'cody' }],
      });

    const res = await api
      .get(METRICS_PATH)
      .set('Authorization', serviceAuthorization('prometheus-scrape'));

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(
      'text/plain; version=0.0.4; charset=utf-8',
    );
    expect(res.text).toMatch(
      /^ai_copilot_feature_usage\{user_hash="[0-9a-f]{64}",feature="test",assistant="cody"\} 0$/m,
    );
    expect(res.text).toContain('ai_telemetry_events_ingested_total 1\n');
    expect(res.text).toContain('ai_telemetry_opted_in_users 1\n');
  });

  it('starts a new series at 0 and serves its total once the hold is over', async () => {
    const { api } = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: { metrics: { newSeriesZeroSeconds: 0 } },
    });
    const token = await optIn(api, JANE);
    await api
      .post('/api/ai-telemetry/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .send({
        batchId: 'b1',
        events: [{ kind: 'feature', feature: 'chat', count: 7 }],
      });
    const scrape = () =>
      api
        .get(METRICS_PATH)
        .set('Authorization', serviceAuthorization('prometheus-scrape'));

    const first = await scrape();
    const second = await scrape();

    expect(first.text).toMatch(/^ai_copilot_feature_usage\{.*\} 0$/m);
    expect(second.text).toMatch(/^ai_copilot_feature_usage\{.*\} 7$/m);
  });

  it('compresses for a scraper that accepts gzip, as Prometheus does', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);

    const res = await api
      .get(METRICS_PATH)
      .set('Accept-Encoding', 'gzip')
      .set('Authorization', serviceAuthorization('prometheus-scrape'));

    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.text).toContain('ai_telemetry_opted_in_users 0\n');
  });

  it('serves one shard of the users when asked, and refuses a bad shard naming it', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);
    const scrape = (query: string) =>
      api
        .get(`${METRICS_PATH}?${query}`)
        .set('Authorization', serviceAuthorization('prometheus-scrape'));

    const second = await scrape('shard=1&shards=4');
    const badCount = await scrape('shard=0&shards=3');
    const outOfRange = await scrape('shard=4&shards=4');
    const unknown = await scrape('page=2');

    expect(second.status).toBe(200);
    expect(second.text).not.toContain('ai_telemetry_opted_in_users');
    expect(badCount.status).toBe(400);
    expect(badCount.body.error.message).toMatch(
      /shards "3" must be one of 1, 2, 4, 8, 16/,
    );
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error.message).toMatch(
      /shard must be below shards \(4\), got 4/,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/unknown field page/);
  });

  it('refuses every user, and services other than the scrape principal', async () => {
    const { api } = await startAiTelemetryTestBackend(databases);
    await optIn(api, JANE);

    const user = await api
      .get(METRICS_PATH)
      .set('Authorization', userAuthorization(JANE));
    const otherService = await api
      .get(METRICS_PATH)
      .set('Authorization', serviceAuthorization('plugin:catalog'));

    expect(user.status).toBe(403);
    expect(user.body.error.message).toMatch(
      /serves per-user counters to Prometheus only: it accepts the external-access token of subject "prometheus-scrape", not user user:default\/jane.doe/,
    );
    expect(otherService.status).toBe(403);
    expect(otherService.body.error.message).toMatch(
      /not service plugin:catalog/,
    );
  });

  it('lets the configured subject in instead', async () => {
    const { api } = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: { metrics: { scrapeSubject: 'victoria-scrape' } },
    });

    const configured = await api
      .get(METRICS_PATH)
      .set('Authorization', serviceAuthorization('victoria-scrape'));
    const usual = await api
      .get(METRICS_PATH)
      .set('Authorization', serviceAuthorization('prometheus-scrape'));

    expect(configured.status).toBe(200);
    expect(usual.status).toBe(403);
  });

  it('accepts the static external-access token of backend.auth.externalAccess, with Backstage’s real auth', async () => {
    const { api } = await startAiTelemetryTestBackend(databases, {
      features: [authServiceFactory, httpAuthServiceFactory],
      config: {
        backend: {
          baseUrl: 'http://localhost:7007',
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: {
                  token: 'a-test-scrape-token',
                  subject: 'prometheus-scrape',
                },
                accessRestrictions: [{ plugin: 'ai-telemetry' }],
              },
              {
                type: 'static',
                options: { token: 'another-static-token', subject: 'ci-bot' },
              },
            ],
          },
        },
      },
    });

    const scrape = await api
      .get(METRICS_PATH)
      .set('Authorization', 'Bearer a-test-scrape-token');
    const otherStatic = await api
      .get(METRICS_PATH)
      .set('Authorization', 'Bearer another-static-token');
    const none = await api.get(METRICS_PATH);

    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('ai_telemetry_opted_in_users 0\n');
    expect(otherStatic.status).toBe(403);
    expect(none.status).toBe(401);
  });
});
