import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { AiTelemetryApi, aiTelemetryApiRef } from '../../api';
import { AiTelemetryPage } from './AiTelemetryPage';

function apiWith(getHealth: AiTelemetryApi['getHealth']): AiTelemetryApi {
  return { getHealth };
}

describe('AiTelemetryPage', () => {
  it('shows whether Prometheus and the Pushgateway are up', async () => {
    const api = apiWith(async () => ({
      status: 'degraded',
      prometheus: { up: true, url: 'http://127.0.0.1:9090', latencyMs: 3 },
      pushgateway: {
        up: false,
        url: 'http://127.0.0.1:9091',
        latencyMs: 1,
        error: 'ECONNREFUSED',
      },
    }));

    await renderInTestApp(
      <TestApiProvider apis={[[aiTelemetryApiRef, api]]}>
        <AiTelemetryPage />
      </TestApiProvider>,
    );

    expect(screen.getByText('AI Telemetry')).toBeInTheDocument();
    expect(await screen.findByText('up (3 ms)')).toBeInTheDocument();
    expect(screen.getByText('down: ECONNREFUSED')).toBeInTheDocument();
  });

  it('shows the server error when the backend fails', async () => {
    const api = apiWith(async () => {
      throw new Error('backend unreachable');
    });

    await renderInTestApp(
      <TestApiProvider apis={[[aiTelemetryApiRef, api]]}>
        <AiTelemetryPage />
      </TestApiProvider>,
    );

    expect(
      (await screen.findAllByText(/backend unreachable/)).length,
    ).toBeGreaterThan(0);
  });
});
