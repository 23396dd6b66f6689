import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  aiTelemetryDataErasePermission,
  aiTelemetryRawQueryPermission,
} from '@fawkes/plugin-ai-telemetry-common';
import { fireEvent, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { aiTelemetryApiRef } from '../../api';
import { dashboard, githubApi, mockApi, myData } from '../../testing/fixtures';
import {
  FreshPermissionCache,
  permissionApiAllowing,
} from '../../__testUtils__/permissions';
import { AiTelemetryPage } from './AiTelemetryPage';

function pageApi() {
  return mockApi({
    ...githubApi(),
    getHealth: jest.fn().mockResolvedValue({
      status: 'ok',
      prometheus: { up: true, url: 'http://127.0.0.1:9090', latencyMs: 3 },
      pushgateway: { up: true, url: 'http://127.0.0.1:9091', latencyMs: 2 },
    }),
    getDashboard: jest.fn().mockResolvedValue(dashboard),
    getMyData: jest.fn().mockResolvedValue(myData),
    getErasureJobs: jest.fn().mockResolvedValue({ jobs: [] }),
    getAuditLog: jest.fn().mockResolvedValue({ entries: [] }),
  });
}

async function render(api: ReturnType<typeof mockApi>, allowed: string[]) {
  const permissionApi = permissionApiAllowing(...allowed);
  jest.spyOn(permissionApi, 'authorize');
  await renderInTestApp(
    <FreshPermissionCache>
      <TestApiProvider
        apis={[
          [aiTelemetryApiRef, api],
          [permissionApiRef, permissionApi],
        ]}
      >
        <Routes>
          <Route path="/ai-telemetry/*" element={<AiTelemetryPage />} />
        </Routes>
      </TestApiProvider>
    </FreshPermissionCache>,
    { routeEntries: ['/ai-telemetry'] },
  );
  return permissionApi;
}

describe('AiTelemetryPage', () => {
  it('draws its header with the Overview and My data tabs, and no Admin tab for a developer', async () => {
    const api = pageApi();
    const permissionApi = await render(api, []);

    expect(
      screen.getByRole('heading', { name: 'AI Telemetry', level: 1 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('12,345')).toBeInTheDocument();
    expect(api.getMyData).not.toHaveBeenCalled();
    expect(permissionApi.authorize).toHaveBeenCalledTimes(2);
    expect(
      screen.queryByRole('tab', { name: 'Admin' }),
    ).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('tab', { name: 'My data' }));
    expect(await screen.findByTestId('pseudonym')).toHaveTextContent(
      'd1390bbb7f95',
    );
  });

  it.each([
    [aiTelemetryRawQueryPermission.name, 'PromQL console'],
    [aiTelemetryDataErasePermission.name, 'Audit log'],
  ])('adds the Admin tab for a holder of %s', async (permission, card) => {
    await render(pageApi(), [permission]);

    fireEvent.click(await screen.findByRole('tab', { name: 'Admin' }));
    expect(
      await screen.findByRole('heading', { name: card }),
    ).toBeInTheDocument();
  });
});
