import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { aiTelemetryApiRef } from '../../api';
import { dashboard, mockApi, myData } from '../../testing/fixtures';
import { AiTelemetryPage } from './AiTelemetryPage';

describe('AiTelemetryPage', () => {
  it('draws its header with the Overview and My data tabs', async () => {
    const api = mockApi({
      getHealth: jest.fn().mockResolvedValue({
        status: 'ok',
        prometheus: { up: true, url: 'http://127.0.0.1:9090', latencyMs: 3 },
        pushgateway: { up: true, url: 'http://127.0.0.1:9091', latencyMs: 2 },
      }),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
      getMyData: jest.fn().mockResolvedValue(myData),
      getErasureJobs: jest.fn().mockResolvedValue({ jobs: [] }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[aiTelemetryApiRef, api]]}>
        <Routes>
          <Route path="/ai-telemetry/*" element={<AiTelemetryPage />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/ai-telemetry'] },
    );

    expect(
      screen.getByRole('heading', { name: 'AI Telemetry', level: 1 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('12,345')).toBeInTheDocument();
    expect(api.getMyData).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('tab', { name: 'My data' }));
    expect(await screen.findByTestId('pseudonym')).toHaveTextContent(
      'd1390bbb7f95',
    );
  });
});
