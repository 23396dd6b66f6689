import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  freePort,
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import request from 'supertest';
import { aiTelemetryPlugin } from './plugin';

/** A stand-in upstream that answers its readiness probe with the given status. */
function fakeUpstream(status: number): Promise<TestHttpServer> {
  return startHttpServer((req, res) => {
    res.statusCode = req.url === '/-/ready' ? status : 404;
    res.end();
  });
}

function configFor(prometheusUrl: string, pushgatewayUrl: string) {
  return mockServices.rootConfig.factory({
    data: {
      aiTelemetry: {
        prometheus: { baseUrl: prometheusUrl },
        pushgateway: { baseUrl: pushgatewayUrl },
        pseudonymKey: 'test-pseudonym-key-0123456789',
      },
    },
  });
}

describe('aiTelemetryPlugin /health', () => {
  const servers: TestHttpServer[] = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));

  it('answers without authentication and reports both upstreams up', async () => {
    const prometheus = await fakeUpstream(200);
    const pushgateway = await fakeUpstream(200);
    servers.push(prometheus, pushgateway);
    const { server } = await startTestBackend({
      features: [aiTelemetryPlugin, configFor(prometheus.url, pushgateway.url)],
    });

    const res = await request(server).get('/api/ai-telemetry/health');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      prometheus: { up: true, url: prometheus.url },
      pushgateway: { up: true, url: pushgateway.url },
    });
  });

  it('reports degraded, naming the upstream that is down and why', async () => {
    const prometheus = await fakeUpstream(503);
    servers.push(prometheus);
    const { server } = await startTestBackend({
      features: [
        aiTelemetryPlugin,
        configFor(prometheus.url, `http://127.0.0.1:${await freePort()}`),
      ],
    });

    const res = await request(server).get('/api/ai-telemetry/health');

    expect(res.body.status).toBe('degraded');
    expect(res.body.prometheus).toMatchObject({
      up: false,
      error: '/-/ready answered HTTP 503',
    });
    expect(res.body.pushgateway).toMatchObject({
      up: false,
      error: 'ECONNREFUSED',
    });
  });

  it('stops start-up when the configuration is missing a key', async () => {
    await expect(
      startTestBackend({
        features: [
          aiTelemetryPlugin,
          mockServices.rootConfig.factory({
            data: {
              aiTelemetry: {
                prometheus: { baseUrl: 'http://127.0.0.1:9090' },
                pushgateway: { baseUrl: 'http://127.0.0.1:9091' },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/aiTelemetry\.pseudonymKey is missing/);
  });
});
