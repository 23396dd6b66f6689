import { TestDatabases } from '@backstage/backend-test-utils';
import {
  optIn,
  startAiTelemetryTestBackend,
  userAuthorization,
} from './__testUtils__/testBackend';

/**
 * Bad input of every kind, at every route of a whole backend, as an attacker (or a fuzzer)
 * would send it: the answer is a 4xx that names the problem, never a 5xx. (With no Prometheus
 * behind this backend, a request that passes every check answers 503.)
 */

const ADMIN = 'user:default/telemetry-admin';
const BASE = '/api/ai-telemetry';

/** `"kind"` as `depth` nested arrays, as the issue sent it. */
function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

const NESTING =
  /^The request body nests arrays and objects more than 32 levels deep \(at [^)]+\); no body of this API is nested that deeply$/;

describe('a backend under abuse', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function start() {
    const backend = await startAiTelemetryTestBackend(databases, {
      aiTelemetry: { permissions: { admins: [ADMIN] } },
    });
    const token = await optIn(backend.api, ADMIN);
    return { ...backend, token };
  }

  it('answers a body nested thousands of levels deep with a 400 on every route that takes one (issue 13: 500)', async () => {
    const { api, token } = await start();
    const admin = userAuthorization(ADMIN);
    // 2,000 levels keep within the smallest body limit (4 KB); 5,000 is the issue's.
    const attempts: Array<[string, string, string, string]> = [
      [
        'post',
        '/v1/events',
        `Bearer ${token}`,
        `{"batchId":"b","events":[{"kind":${nested(5000)}}]}`,
      ],
      ['post', '/v1/query', admin, `{"kind":${nested(5000)}}`],
      [
        'post',
        '/v1/query',
        admin,
        `{"query":${nested(5000)},"start":0,"end":1,"step":1}`,
      ],
      ['put', '/v1/me/opt-in', admin, `{"enabled":${nested(2000)}}`],
      ['post', '/v1/me/erasure', admin, `{"kind":${nested(2000)}}`],
      ['post', '/v1/admin/erasure', admin, `{"userEntityRef":${nested(2000)}}`],
    ];
    for (const [method, path, authorization, body] of attempts) {
      const res = await (method === 'put'
        ? api.put(BASE + path)
        : api.post(BASE + path)
      )
        .set('Authorization', authorization)
        .set('Content-Type', 'application/json')
        .send(body);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.error.message).toMatch(NESTING);
    }
  });

  it('answers a raw query whose start, end or step is no time with a 400 naming it (issue 13: 500)', async () => {
    const { api } = await start();
    for (const field of ['start', 'end', 'step']) {
      for (const value of ['abc', -1, 1e21]) {
        const res = await api
          .post(`${BASE}/v1/query`)
          .set('Authorization', userAuthorization(ADMIN))
          .send({
            query: 'sum(rate(ai_copilot_feature_usage[5m]))',
            start: Date.now() / 1000 - 3600,
            end: Date.now() / 1000,
            step: 300,
            [field]: value,
          });
        expect([field, value, res.status]).toEqual([field, value, 400]);
        expect(res.body.error.message).toMatch(
          new RegExp(`^Invalid ${field}: `),
        );
      }
    }
  });

  it('answers malformed parameters with a 4xx, never a 5xx', async () => {
    const { api } = await start();
    const paths = [
      '/v1/dashboard?from[a][b][c]=1&to=2',
      '/v1/dashboard?range=7d&range=30d',
      `/v1/dashboard?from=${'9'.repeat(400)}&to=1`,
      '/v1/dashboard?from=1e21&to=1e22',
      '/v1/dashboard?from=-1&to=0',
      '/v1/panels/overview?language=%00',
      `/v1/panels/${'x'.repeat(5000)}`,
      '/v1/teams/default/..%2F..%2Fetc/dashboard',
      '/v1/admin/audit?limit=1e21',
      '/v1/admin/audit?before=-1',
      `/v1/admin/erasure?userEntityRef=${'['.repeat(300)}`,
      '/v1/me/data?format=xml',
      '/v1/metrics?shard=99&shards=3',
    ];
    for (const path of paths) {
      const res = await api
        .get(BASE + path)
        .set('Authorization', userAuthorization(ADMIN));
      expect([path, res.status < 500]).toEqual([path, true]);
      expect(res.body.error?.message).toBeTruthy();
    }
  });
});
