import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import { mockApi } from '../../testing/fixtures';
import { StackHealthCard } from './StackHealthCard';

describe('StackHealthCard', () => {
  it('shows whether Prometheus and the Pushgateway are up', async () => {
    const api = mockApi({
      getHealth: jest.fn().mockResolvedValue({
        status: 'degraded',
        prometheus: { up: true, url: 'http://127.0.0.1:9090', latencyMs: 3 },
        pushgateway: {
          up: false,
          url: 'http://127.0.0.1:9091',
          latencyMs: 1,
          error: 'ECONNREFUSED',
        },
      }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[aiTelemetryApiRef, api]]}>
        <StackHealthCard />
      </TestApiProvider>,
    );
    expect(await screen.findByText('up (3 ms)')).toBeInTheDocument();
    expect(screen.getByText('down: ECONNREFUSED')).toBeInTheDocument();
  });

  it('shows the status alone when the backend tells no details', async () => {
    const api = mockApi({
      getHealth: jest.fn().mockResolvedValue({ status: 'ok' }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[aiTelemetryApiRef, api]]}>
        <StackHealthCard />
      </TestApiProvider>,
    );
    expect(await screen.findByText('ok')).toBeInTheDocument();
    expect(screen.getAllByText('not shown')).toHaveLength(4);
  });

  it('shows the error when the backend fails', async () => {
    const api = mockApi({
      getHealth: jest.fn().mockRejectedValue(new Error('backend unreachable')),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[aiTelemetryApiRef, api]]}>
        <StackHealthCard />
      </TestApiProvider>,
    );
    expect(
      (await screen.findAllByText(/backend unreachable/)).length,
    ).toBeGreaterThan(0);
  });
});
