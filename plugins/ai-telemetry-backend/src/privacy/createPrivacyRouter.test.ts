import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  METRIC_NAMES,
  METRICS,
  MY_DATA_CSV_COLUMNS,
  pseudonymize,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import { IncomingMessage, ServerResponse } from 'http';
import {
  optIn,
  serviceAuthorization,
  startAiTelemetryTestBackend,
  TEST_AI_TELEMETRY_CONFIG,
  userAuthorization,
} from '../__testUtils__/testBackend';

const JANE = 'user:default/jane.doe';
const JOHN = 'user:default/john.roe';
const ADMIN = 'user:default/privacy.officer';
const KEY = TEST_AI_TELEMETRY_CONFIG.pseudonymKey;
const T = Date.UTC(2026, 10, 1, 9) / 1000;

/** An HTTP server on a free port that answers with `handler`, given the request's body. */
function fakeServer(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<TestHttpServer> {
  return startHttpServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => handler(req, body, res));
  });
}

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The permission policy of these tests: only ADMIN holds ai-telemetry.data.erase. */
const adminOnly = mockServices.permissions.mock({
  authorize: async (requests, options) => {
    const principal = (options.credentials as BackstageCredentials)
      .principal as BackstageUserPrincipal;
    return requests.map(() => ({
      result:
        principal.userEntityRef === ADMIN
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    }));
  },
});

describe('the privacy routes', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const servers: TestHttpServer[] = [];
  let prometheusUrl: string;
  let pushgatewayUrl: string;
  let janeHash: string;
  const asked: string[] = [];

  beforeAll(async () => {
    janeHash = await pseudonymize(JANE, KEY);
    const prometheus = await fakeServer((req, body, res) => {
      const query = new URLSearchParams(body).get('query') ?? '';
      asked.push(`${req.url} ${query}`);
      const byMetric: Record<string, unknown[]> = {
        [METRICS.suggestions]: [
          {
            metric: {
              user_hash: janeHash,
              language: 'python',
              accepted: 'true',
              assistant: 'copilot',
              job: 'ai-telemetry-backend',
              instance: 'backstage:7007',
            },
            values: [
              [T, '3'],
              [T + 900, '5'],
            ],
          },
        ],
        [METRICS.linesGenerated]: [
          {
            // A legacy push: a label value a spreadsheet would run as a formula, and a label
            // outside the contract that holds a comma and quotes.
            metric: { user_hash: janeHash, language: '=1+2', team: 'a,"b"' },
            values: [[T, '12.5']],
          },
        ],
      };
      const metric = /__name__="([^"]+)"/.exec(query)?.[1] ?? '';
      const result = byMetric[metric] ?? [];
      json(res, { status: 'success', data: { resultType: 'matrix', result } });
    });
    const pushgateway = await fakeServer((_req, _body, res) =>
      json(res, {
        status: 'success',
        data: [
          {
            labels: { job: 'ai_telemetry', instance: janeHash },
            push_time_seconds: {
              metrics: [
                { labels: { job: 'ai_telemetry', instance: janeHash } },
              ],
            },
          },
          { labels: { job: 'ai_telemetry', instance: 'f'.repeat(64) } },
        ],
      }),
    );
    servers.push(prometheus, pushgateway);
    prometheusUrl = prometheus.url;
    pushgatewayUrl = pushgateway.url;
  });

  afterAll(() => Promise.all(servers.map(s => s.close())));

  const start = (upstreams: 'fake' | 'down' = 'fake') =>
    startAiTelemetryTestBackend(databases, {
      aiTelemetry:
        upstreams === 'fake'
          ? {
              prometheus: { baseUrl: prometheusUrl },
              pushgateway: { baseUrl: pushgatewayUrl },
            }
          : {},
      features: [
        adminOnly.factory,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'User',
              metadata: { name: 'left.team', namespace: 'default' },
              spec: {},
            },
          ],
        }),
      ],
    });

  /** Jane opted in, with one batch counted in the database. */
  async function janeWithData() {
    const backend = await start();
    const token = await optIn(backend.api, JANE);
    const sent = await backend.api
      .post('/api/ai-telemetry/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .send({
        batchId: 'b1',
        events: [{ kind: 'feature', feature: 'chat', assistant: 'copilot' }],
      });
    expect(sent.status).toBe(202);
    return { ...backend, token };
  }

  it('exports everything stored about the caller as JSON, over the retention, and audits the export', async () => {
    const { api } = await janeWithData();

    const res = await api
      .get('/api/ai-telemetry/v1/me/data')
      .set('Authorization', userAuthorization(JANE));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      userEntityRef: JANE,
      optedIn: true,
      userHash: janeHash,
      history: [{ enabled: true }],
      counters: [
        {
          metric: METRICS.featureUsage,
          labels: {
            user_hash: janeHash,
            feature: 'chat',
            assistant: 'copilot',
          },
          value: 1,
        },
      ],
      step: 900,
      erasureJobs: [],
      pushgatewayGroups: [
        { labels: { job: 'ai_telemetry', instance: janeHash } },
      ],
    });
    expect(res.body.series).toEqual([
      {
        metric: METRICS.linesGenerated,
        labels: { user_hash: janeHash, language: '=1+2', team: 'a,"b"' },
        samples: [[T * 1000, 12.5]],
      },
      {
        metric: METRICS.suggestions,
        labels: expect.objectContaining({ user_hash: janeHash }),
        samples: [
          [T * 1000, 3],
          [(T + 900) * 1000, 5],
        ],
      },
    ]);
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(
      90 * 86_400_000,
    );
    // One range query per metric of the contract, each restricted to the caller's pseudonym.
    const queries = asked.slice(-METRIC_NAMES.length).map(a => a.split(' ')[1]);
    expect(queries).toEqual(
      METRIC_NAMES.map(
        m => `last_over_time({__name__="${m}",user_hash="${janeHash}"}[900s])`,
      ),
    );

    const audit = await api
      .get('/api/ai-telemetry/v1/admin/audit')
      .set('Authorization', userAuthorization(ADMIN));
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(
      ['data_exported', 'opt_in'],
    );
    expect(audit.body.entries[0]).toMatchObject({
      actor: JANE,
      subject: JANE,
      detail: 'json: 2 series, 1 counters, 1 Pushgateway groups',
    });
  });

  it('downloads the CSV: a header row, then one row per series sample and per running total', async () => {
    const { api } = await janeWithData();

    const res = await api
      .get('/api/ai-telemetry/v1/me/data?format=csv')
      .set('Authorization', userAuthorization(JANE));

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="ai-telemetry-my-data-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = res.text.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(
      'source,metric,user_hash,language,accepted,assistant,activity,feature,job,instance,other_labels,timestamp,value',
    );
    expect(lines[0].split(',')).toEqual([...MY_DATA_CSV_COLUMNS]);
    const iso = (t: number) => new Date(t * 1000).toISOString();
    expect(lines.slice(1, 4)).toEqual([
      `prometheus,${
        METRICS.linesGenerated
      },${janeHash},'=1+2,,,,,,,"team=a,""b""",${iso(T)},12.5`,
      `prometheus,${
        METRICS.suggestions
      },${janeHash},python,true,copilot,,,ai-telemetry-backend,backstage:7007,,${iso(
        T,
      )},3`,
      `prometheus,${
        METRICS.suggestions
      },${janeHash},python,true,copilot,,,ai-telemetry-backend,backstage:7007,,${iso(
        T + 900,
      )},5`,
    ]);
    expect(lines[4]).toMatch(
      new RegExp(
        `^database,${METRICS.featureUsage},${janeHash},,,copilot,,chat,,,,\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z,1$`,
      ),
    );
    expect(lines).toHaveLength(5);
  });

  it('refuses an export it cannot complete, naming Prometheus', async () => {
    const { api } = await start('down');

    const res = await api
      .get('/api/ai-telemetry/v1/me/data?format=csv')
      .set('Authorization', userAuthorization(JANE));

    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(
      /^Prometheus at http:\/\/127\.0\.0\.1:1 is unreachable: ECONNREFUSED/,
    );
  });

  it('starts one erasure of the caller’s data at a time, lists it, and holds off a new opt-in meanwhile', async () => {
    const { api } = await janeWithData();
    const asJane = (req: ReturnType<typeof api.get>) =>
      req.set('Authorization', userAuthorization(JANE));

    const first = await asJane(api.post('/api/ai-telemetry/v1/me/erasure'));
    const again = await asJane(
      api.post('/api/ai-telemetry/v1/me/erasure').send({}),
    );
    const listed = await asJane(api.get('/api/ai-telemetry/v1/me/erasure'));
    const optInAgain = await asJane(
      api.put('/api/ai-telemetry/v1/me/opt-in').send({ enabled: true }),
    );

    expect([first.status, first.body.error]).toEqual([202, undefined]);
    expect(first.body).toMatchObject({
      userEntityRef: JANE,
      requestedBy: JANE,
      state: 'pending',
      failedAttempts: 0,
    });
    expect(first.body.steps.map((s: { name: string }) => s.name)).toEqual([
      'stop_ingestion',
      'delete_counters',
      'delete_pushgateway_groups',
      'wait_for_scrapes',
      'delete_prometheus_series',
      'verify',
      'drop_cached_results',
    ]);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(listed.body).toEqual({ jobs: [first.body] });
    expect(optInAgain.status).toBe(409);
    expect(optInAgain.body.error.message).toMatch(
      /An erasure of user:default\/jane\.doe's data is under way/,
    );
  });

  it('opts out and starts the erasure in one request with erase: true', async () => {
    const { api, token } = await janeWithData();

    const res = await api
      .put('/api/ai-telemetry/v1/me/opt-in')
      .set('Authorization', userAuthorization(JANE))
      .send({ enabled: false, erase: true });
    const ingest = await api
      .post('/api/ai-telemetry/v1/events')
      .set('Authorization', `Bearer ${token}`)
      .send({ batchId: 'b2', events: [{ kind: 'feature', feature: 'chat' }] });

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      userEntityRef: JANE,
      optedIn: false,
      erasureJob: { userEntityRef: JANE, state: 'pending' },
    });
    expect(ingest.status).toBe(401);
  });

  it('lets nobody read or erase another user’s data, not even with their pseudonym', async () => {
    const { api } = await janeWithData();
    const asJohn = (req: ReturnType<typeof api.get>) =>
      req.set('Authorization', userAuthorization(JOHN));

    const answers = await Promise.all([
      asJohn(api.get(`/api/ai-telemetry/v1/me/data?userHash=${janeHash}`)),
      asJohn(api.get(`/api/ai-telemetry/v1/me/data?user_hash=${janeHash}`)),
      asJohn(api.get(`/api/ai-telemetry/v1/me/erasure?userEntityRef=${JANE}`)),
      asJohn(
        api
          .post('/api/ai-telemetry/v1/me/erasure')
          .send({ userHash: janeHash }),
      ),
      asJohn(
        api
          .post('/api/ai-telemetry/v1/me/erasure')
          .send({ userEntityRef: JANE }),
      ),
      asJohn(
        api
          .post('/api/ai-telemetry/v1/admin/erasure')
          .send({ userEntityRef: JANE }),
      ),
      asJohn(
        api.get(`/api/ai-telemetry/v1/admin/erasure?userEntityRef=${JANE}`),
      ),
      asJohn(api.get('/api/ai-telemetry/v1/admin/audit')),
    ]);

    expect(answers.map(a => a.status)).toEqual(Array(8).fill(403));
    expect(answers[0].body.error.message).toMatch(
      /^GET \/v1\/me\/data concerns the caller alone.*takes no userHash/,
    );
    expect(answers[5].body.error.message).toBe(
      'This needs the permission ai-telemetry.data.erase',
    );
    const jane = await api
      .get('/api/ai-telemetry/v1/me/erasure')
      .set('Authorization', userAuthorization(JANE));
    expect(jane.body).toEqual({ jobs: [] });
  });

  it('refuses telemetry tokens and service tokens on every privacy route', async () => {
    const { api, token } = await janeWithData();
    const routes = [
      api.get('/api/ai-telemetry/v1/me/data'),
      api.get('/api/ai-telemetry/v1/me/erasure'),
      api.post('/api/ai-telemetry/v1/me/erasure'),
      api.get('/api/ai-telemetry/v1/admin/audit'),
    ];
    const withTelemetryToken = await Promise.all(
      routes.map(r => r.set('Authorization', `Bearer ${token}`)),
    );
    const withServiceToken = await Promise.all(
      [
        api.get('/api/ai-telemetry/v1/me/data'),
        api
          .post('/api/ai-telemetry/v1/admin/erasure')
          .send({ userEntityRef: JANE }),
      ].map(r =>
        r.set('Authorization', serviceAuthorization('prometheus-scrape')),
      ),
    );

    expect(withTelemetryToken.map(r => r.status)).toEqual([401, 401, 401, 401]);
    expect(withServiceToken.map(r => r.status)).toEqual([403, 403]);
  });

  it('lets a holder of ai-telemetry.data.erase erase a named user’s data and read the audit log', async () => {
    const { api } = await janeWithData();
    await optIn(api, JOHN);

    const started = await api
      .post('/api/ai-telemetry/v1/admin/erasure')
      .set('Authorization', userAuthorization(ADMIN))
      .send({
        userEntityRef: 'User:default/John.Roe',
        reason: 'request by mail',
      });
    const notAUser = await api
      .post('/api/ai-telemetry/v1/admin/erasure')
      .set('Authorization', userAuthorization(ADMIN))
      .send({ userEntityRef: 'group:default/team-a' });
    const johnSees = await api
      .get('/api/ai-telemetry/v1/me/erasure')
      .set('Authorization', userAuthorization(JOHN));
    const adminSees = await api
      .get(`/api/ai-telemetry/v1/admin/erasure?userEntityRef=${JOHN}`)
      .set('Authorization', userAuthorization(ADMIN));
    const page1 = await api
      .get('/api/ai-telemetry/v1/admin/audit?limit=2')
      .set('Authorization', userAuthorization(ADMIN));
    const page2 = await api
      .get(
        `/api/ai-telemetry/v1/admin/audit?limit=2&before=${page1.body.nextBefore}`,
      )
      .set('Authorization', userAuthorization(ADMIN));
    const johnsEntries = await api
      .get(`/api/ai-telemetry/v1/admin/audit?subject=${JOHN}`)
      .set('Authorization', userAuthorization(ADMIN));

    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      userEntityRef: JOHN,
      requestedBy: ADMIN,
      reason: 'request by mail',
      state: 'pending',
    });
    expect(notAUser.status).toBe(400);
    expect(notAUser.body.error.message).toBe(
      'Invalid erasure request: userEntityRef: "group:default/team-a" is a group, not a User',
    );
    expect(johnSees.body.jobs.map((j: { id: string }) => j.id)).toEqual([
      started.body.id,
    ]);
    expect(adminSees.body).toEqual(johnSees.body);
    expect(
      [...page1.body.entries, ...page2.body.entries].map(
        (e: { action: string; subject: string }) => [e.action, e.subject],
      ),
    ).toEqual([
      ['erasure_requested', JOHN],
      ['opt_in', JOHN],
      ['opt_in', JANE],
    ]);
    expect(page2.body.nextBefore).toBeUndefined();
    expect(page1.body.entries[0]).toMatchObject({
      actor: ADMIN,
      detail: `opened job ${started.body.id}; reason: request by mail`,
    });
    expect(johnsEntries.body.entries).toHaveLength(2);
  });

  it('erases on behalf only of users the portal knows, and checks the ref before the audit log', async () => {
    const { api } = await start();
    const ask = (userEntityRef: string) =>
      api
        .post('/api/ai-telemetry/v1/admin/erasure')
        .set('Authorization', userAuthorization(ADMIN))
        .send({ userEntityRef });

    const inCatalogOnly = await ask('user:default/left.team');
    const nowhere = await ask('user:default/nobody.here');
    const hostile = await Promise.all(
      [
        'user:default/../../x"',
        'user:default/a b',
        `user:default/${'x'.repeat(70)}`,
        'user:../x',
        'user:default/x\nINJECTED',
      ].map(ask),
    );
    const audit = await api
      .get('/api/ai-telemetry/v1/admin/audit')
      .set('Authorization', userAuthorization(ADMIN));

    expect(inCatalogOnly.status).toBe(202);
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.message).toBe(
      'There is no user user:default/nobody.here in the catalog or the opt-in registry',
    );
    expect(hostile.map(r => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(hostile[0].body.error.message).toMatch(
      /^Invalid erasure request: userEntityRef: .* is not a catalog entity ref/,
    );
    expect(
      audit.body.entries.map((e: { subject: string }) => e.subject),
    ).toEqual(['user:default/left.team']);
  });

  it('serves the erasure failure counter on the metrics endpoint from the start, at 0', async () => {
    const { api } = await start();

    const res = await api
      .get('/api/ai-telemetry/v1/metrics')
      .set('Authorization', serviceAuthorization('prometheus-scrape'));

    expect(res.status).toBe(200);
    expect(res.text).toContain(
      '# TYPE ai_telemetry_erasure_failures_total counter\nai_telemetry_erasure_failures_total 0\n',
    );
  });
});
