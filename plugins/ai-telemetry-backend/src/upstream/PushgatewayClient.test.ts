import { ServiceUnavailableError } from '@backstage/errors';
import {
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import { UpstreamError } from './errors';
import { groupPath, PushgatewayClient } from './PushgatewayClient';

describe('PushgatewayClient', () => {
  const servers: TestHttpServer[] = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));

  async function fake(status: number, body: unknown) {
    const asked: string[] = [];
    const server = await startHttpServer((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    servers.push(server);
    return {
      asked,
      url: server.url,
      client: new PushgatewayClient(server.url),
    };
  }

  it('names a group by its grouping labels, job first, encoding values the URL cannot hold', () => {
    expect(groupPath({ instance: 'abc', job: 'ai_telemetry' })).toBe(
      'job/ai_telemetry/instance/abc',
    );
    expect(groupPath({ job: 'a/b', user_hash: '', zone: 'x y' })).toBe(
      'job@base64/YS9i/user_hash@base64/=/zone/x%20y',
    );
  });

  it('lists every group with its series, and deletes a group by its labels', async () => {
    const { asked, client } = await fake(200, {
      status: 'success',
      data: [
        {
          labels: { job: 'ai_telemetry', instance: 'abc' },
          last_push_successful: true,
          ai_copilot_suggestions_total: {
            type: 'UNTYPED',
            metrics: [
              {
                labels: {
                  job: 'ai_telemetry',
                  instance: 'abc',
                  language: 'go',
                },
                value: '3',
              },
            ],
          },
          push_time_seconds: {
            metrics: [{ labels: { job: 'ai_telemetry', instance: 'abc' } }],
          },
        },
      ],
    });

    const groups = await client.listGroups();
    await client.deleteGroup(groups[0].labels);

    expect(groups).toEqual([
      {
        labels: { job: 'ai_telemetry', instance: 'abc' },
        series: [
          {
            metric: 'ai_copilot_suggestions_total',
            labels: { job: 'ai_telemetry', instance: 'abc', language: 'go' },
          },
          {
            metric: 'push_time_seconds',
            labels: { job: 'ai_telemetry', instance: 'abc' },
          },
        ],
      },
    ]);
    expect(asked).toEqual([
      'GET /api/v1/metrics',
      'DELETE /metrics/job/ai_telemetry/instance/abc',
    ]);
  });

  it('names the Pushgateway in its errors: unreachable (503) or refusing (502)', async () => {
    const { url, client } = await fake(500, 'storage failure');
    const refused = await client.deleteGroup({ job: 'x' }).catch(e => e);
    const down = await new PushgatewayClient('http://127.0.0.1:1')
      .listGroups()
      .catch(e => e);

    expect(refused).toBeInstanceOf(UpstreamError);
    expect(refused.message).toBe(
      `Pushgateway at ${url} answered HTTP 500 to DELETE /metrics/job/x: storage failure`,
    );
    expect(down).toBeInstanceOf(ServiceUnavailableError);
    expect(down.message).toMatch(
      /^Pushgateway at http:\/\/127\.0\.0\.1:1 is unreachable/,
    );
  });
});
