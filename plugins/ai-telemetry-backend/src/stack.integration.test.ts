import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  instantQuery,
  requireTestStack,
  testStack,
} from '@fawkes/ai-telemetry-test-utils';
import request from 'supertest';
import { aiTelemetryPlugin } from './plugin';

describe('the live telemetry stack', () => {
  beforeAll(requireTestStack);

  it('is reported up by /health', async () => {
    const { server } = await startTestBackend({
      features: [
        aiTelemetryPlugin,
        mockServices.rootConfig.factory({
          data: {
            aiTelemetry: {
              prometheus: { baseUrl: testStack.prometheusUrl },
              pushgateway: { baseUrl: testStack.pushgatewayUrl },
              pseudonymKey: testStack.demoPseudonymKey,
            },
          },
        }),
      ],
    });

    const res = await request(server).get('/api/ai-telemetry/health');

    expect(res.body).toMatchObject({
      status: 'ok',
      prometheus: { up: true },
      pushgateway: { up: true },
    });
  });

  it('holds the demo history: at least 40 pseudonyms, with samples older than 25 days', async () => {
    const users = await instantQuery(
      testStack.prometheusUrl,
      'count(count by (user_hash) (count_over_time(ai_copilot_suggestions_total[31d])))',
    );
    expect(Number(users[0].value![1])).toBeGreaterThanOrEqual(40);

    const twentySixDaysAgo = Date.now() / 1000 - 26 * 86400;
    const old = await instantQuery(
      testStack.prometheusUrl,
      'count(count_over_time(ai_copilot_suggestions_total[1h]))',
      twentySixDaysAgo,
    );
    expect(old).toHaveLength(1);
    expect(Number(old[0].value![1])).toBeGreaterThan(0);
  });
});
