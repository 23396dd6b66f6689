import { ServiceUnavailableError } from '@backstage/errors';
import {
  freePort,
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import { IncomingMessage, ServerResponse } from 'http';
import { gzipSync } from 'zlib';
import { UpstreamError, UpstreamTimeoutError } from './errors';
import { PrometheusClient } from './PrometheusClient';

function json(status: number, body: unknown) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

describe('PrometheusClient', () => {
  const servers: TestHttpServer[] = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));
  async function clientFor(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    timeoutMs?: number,
  ) {
    const fake = await startHttpServer(handler);
    servers.push(fake);
    return {
      url: fake.url,
      client: new PrometheusClient(fake.url, {}, { timeoutMs }),
    };
  }

  it('returns range results as labels and [seconds, value] points, POSTing the query', async () => {
    let body = '';
    const { client } = await clientFor((req, res) => {
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () =>
        json(200, {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: { language: 'go' },
                values: [
                  [1700000000, '3'],
                  [1700003600, '4.5'],
                ],
              },
            ],
          },
        })(req, res),
      );
    });

    const series = await client.rangeQuery(
      'sum by (language) (x)',
      1700000000,
      1700003600,
      3600,
    );

    expect(series).toEqual([
      {
        labels: { language: 'go' },
        points: [
          [1700000000, 3],
          [1700003600, 4.5],
        ],
      },
    ]);
    expect(new URLSearchParams(body).get('query')).toBe(
      'sum by (language) (x)',
    );
  });

  it('asks for answers uncompressed, and still reads gzipped ones, small and large, the metric name as a label', async () => {
    const { client } = await clientFor((req, res) => {
      let body = '';
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        const time = Number(new URLSearchParams(body).get('time'));
        expect(req.headers['accept-encoding']).toBe('identity');
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
        });
        res.end(
          gzipSync(
            JSON.stringify({
              status: 'success',
              data: {
                resultType: 'vector',
                result: Array.from({ length: time }, (_, i) => ({
                  metric: { __name__: 'up', instance: `i${i}` },
                  value: [1700000000, String(i)],
                })),
              },
            }),
          ),
        );
      });
    });

    const small = await client.instantQuery('up', 2);
    // Over 64 KB gzipped: inflated in the thread pool.
    const large = await client.instantQuery('up', 100_000);

    expect(small).toEqual([
      { labels: { instance: 'i0', __name__: 'up' }, points: [[1700000000, 0]] },
      { labels: { instance: 'i1', __name__: 'up' }, points: [[1700000000, 1]] },
    ]);
    expect(Object.keys(small[0].labels)).toEqual(['instance', '__name__']);
    expect(large).toHaveLength(100_000);
    expect(large[99_999].points).toEqual([[1700000000, 99_999]]);
  });

  it("asks Prometheus to stop evaluating before the client stops waiting, or at the query's own time-out", async () => {
    const timeouts: Array<string | null> = [];
    const answer = json(200, {
      status: 'success',
      data: { resultType: 'vector', result: [] },
    });
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        timeouts.push(new URLSearchParams(body).get('timeout'));
        answer(req, res);
      });
    };
    const { client } = await clientFor(handler);
    const { client: quick } = await clientFor(handler, 10_000);

    await client.rangeQuery('x', 1_700_000_000, 1_700_003_600, 60);
    await client.instantQuery('x', 1_700_000_000);
    await client.rangeQuery('x', 1_700_000_000, 1_700_003_600, 60, {
      timeoutSeconds: 10,
    });
    await quick.instantQuery('x', 1_700_000_000);
    await quick.rangeQuery('x', 1_700_000_000, 1_700_003_600, 60, {
      timeoutSeconds: 60,
    });

    expect(timeouts).toEqual(['29s', '29s', '10s', '9s', '9s']);
  });

  it('asks again on a new connection when a kept-alive one was closed as it was reused', async () => {
    // The server answers the first query, then resets the connection the second one arrives on
    // (as when Prometheus closes an idle connection the client has just picked up again).
    let requests = 0;
    const answer = json(200, {
      status: 'success',
      data: { resultType: 'vector', result: [] },
    });
    const { client } = await clientFor((req, res) => {
      requests++;
      if (requests === 2) {
        req.socket.destroy();
        return;
      }
      answer(req, res);
    });
    await expect(client.instantQuery('up', 1700000000)).resolves.toEqual([]);
    await expect(client.instantQuery('up', 1700000000)).resolves.toEqual([]);
    expect(requests).toBe(3);
  });

  it('answers 503 naming Prometheus and its URL when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const error = await new PrometheusClient(url)
      .instantQuery('x', 1)
      .catch(e => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toBe(
      `Prometheus at ${url} is unreachable: ECONNREFUSED`,
    );
  });

  it("answers 502 with Prometheus's own message when it refuses a query", async () => {
    const { url, client } = await clientFor(
      json(400, {
        status: 'error',
        errorType: 'bad_data',
        error: 'parse error: unexpected "}"',
      }),
    );
    const error = await client.instantQuery('x}', 1).catch(e => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.statusCode).toBe(502);
    expect(error.upstreamErrorType).toBe('bad_data');
    expect(error.message).toBe(
      `Prometheus at ${url} answered HTTP 400 (bad_data): parse error: unexpected "}"`,
    );
  });

  it('answers 502 when something other than Prometheus answers', async () => {
    const { client } = await clientFor((_req, res) =>
      res.end('<html>proxy</html>'),
    );
    const error = await client.instantQuery('x', 1).catch(e => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(
      /something other than the Prometheus HTTP API/,
    );
  });

  it('answers 503 while Prometheus starts up or shuts down', async () => {
    // What Prometheus answers its API with until its storage is loaded.
    const { url, client } = await clientFor((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Service Unavailable');
    });
    const error = await client.instantQuery('x', 1).catch(e => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toBe(
      `Prometheus at ${url} is not ready (starting up or shutting down)`,
    );
  });

  it('answers 504 when Prometheus does not answer in time, or says its query timed out', async () => {
    const silent = await clientFor(() => undefined, 200);
    const error = await silent.client.rangeQuery('x', 1, 2, 1).catch(e => e);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error.statusCode).toBe(504);
    expect(error.message).toBe(
      `Prometheus at ${silent.url} did not answer within 200 ms`,
    );

    const slow = await clientFor(
      json(503, {
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in expression evaluation',
      }),
    );
    const timedOut = await slow.client.instantQuery('x', 1).catch(e => e);
    expect(timedOut).toBeInstanceOf(UpstreamTimeoutError);
    expect(timedOut.message).toMatch(
      /timed out: query timed out in expression evaluation$/,
    );
  });

  it('lists alerting rules with their alerts', async () => {
    const { client } = await clientFor(
      json(200, {
        status: 'success',
        data: {
          groups: [
            {
              name: 'ai-telemetry',
              file: 'x.yml',
              interval: 300,
              rules: [
                {
                  type: 'recording',
                  name: 'r',
                  query: 'q',
                  health: 'ok',
                  labels: {},
                },
                {
                  type: 'alerting',
                  name: 'A',
                  query: 'up == 0',
                  duration: 300,
                  health: 'ok',
                  labels: { severity: 'warning' },
                  annotations: { summary: 's' },
                  alerts: [
                    {
                      state: 'firing',
                      activeAt: '2026-11-01T00:00:00Z',
                      labels: {},
                      annotations: { description: 'd' },
                      value: '1',
                    },
                  ],
                },
              ],
            },
          ],
        },
      }),
    );
    expect(await client.alertRules()).toEqual([
      {
        group: 'ai-telemetry',
        name: 'A',
        query: 'up == 0',
        forSeconds: 300,
        labels: { severity: 'warning' },
        annotations: { summary: 's' },
        health: 'ok',
        alerts: [
          {
            state: 'firing',
            activeAt: Date.UTC(2026, 10, 1),
            annotations: { description: 'd' },
          },
        ],
      },
    ]);
  });
});

describe('PrometheusClient, deleting series (admin API)', () => {
  const servers: TestHttpServer[] = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));

  /** A fake that records `METHOD path body` and answers with `status` and `body`. */
  async function adminFake(status: number, body = '') {
    const asked: string[] = [];
    const fake = await startHttpServer((req, res) => {
      let text = '';
      req.on('data', chunk => {
        text += chunk;
      });
      req.on('end', () => {
        asked.push(`${req.method} ${req.url} ${decodeURIComponent(text)}`);
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(body);
      });
    });
    servers.push(fake);
    return { asked, url: fake.url, client: new PrometheusClient(fake.url) };
  }

  it('deletes the series that match, then cleans the tombstones', async () => {
    const { asked, client } = await adminFake(204);

    await client.deleteSeries(['{user_hash="abc"}']);
    const cleaned = await client.cleanTombstones();

    expect(cleaned).toBe(true);
    expect(asked).toEqual([
      'POST /api/v1/admin/tsdb/delete_series match[]={user_hash="abc"}',
      'POST /api/v1/admin/tsdb/clean_tombstones ',
    ]);
  });

  it('says how to turn the admin API on when Prometheus refuses it', async () => {
    const { url, client } = await adminFake(
      503,
      '{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}',
    );

    const error = await client
      .deleteSeries(['{user_hash="abc"}'])
      .catch(e => e);

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe(
      `Prometheus at ${url} answered HTTP 503 to delete_series: admin APIs disabled ` +
        '(is the admin API on? start Prometheus with --web.enable-admin-api)',
    );
  });

  it('takes an engine without tombstones (VictoriaMetrics) as already clean', async () => {
    const { client } = await adminFake(
      400,
      'unsupported path requested: "/api/v1/admin/tsdb/clean_tombstones"',
    );

    expect(await client.cleanTombstones()).toBe(false);
  });

  it('answers 503 naming Prometheus when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;

    const error = await new PrometheusClient(url)
      .deleteSeries(['{user_hash="abc"}'])
      .catch(e => e);

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toBe(
      `Prometheus at ${url} is unreachable: ECONNREFUSED`,
    );
  });
});
