import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import {
  copilotSeats,
  dashboard,
  githubApi,
  githubRateLimited,
  githubStatus,
  githubStatusFailingFor,
  mockApi,
  organisationTooFew,
  overviewPanel,
  panelError,
  responseError,
  timeSavedPanel,
} from '../../testing/fixtures';
import { FakeSignalApi } from '../../__testUtils__/signals';
import { OverviewTab } from './OverviewTab';

const health = {
  status: 'ok' as const,
  prometheus: { up: true, url: 'http://127.0.0.1:9090', latencyMs: 3 },
  pushgateway: { up: true, url: 'http://127.0.0.1:9091', latencyMs: 2 },
};

function render(
  api: ReturnType<typeof mockApi>,
  url = '/ai-telemetry',
  signals = new FakeSignalApi(),
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [aiTelemetryApiRef, api],
        [signalApiRef, signals],
      ]}
    >
      <OverviewTab />
    </TestApiProvider>,
    { routeEntries: [url] },
  );
}

describe('OverviewTab', () => {
  it('asks for the view in the URL and shows a failed panel beside the others, retrying it alone', async () => {
    const api = mockApi({
      ...githubApi(),
      getHealth: jest.fn().mockResolvedValue(health),
      getDashboard: jest.fn().mockResolvedValue({
        ...dashboard,
        panels: {
          ...dashboard.panels,
          timeSaved: panelError(
            'timeSaved',
            'Prometheus at http://127.0.0.1:9090 did not answer within 10 s',
          ),
        },
      }),
      getPanel: jest.fn().mockResolvedValue(timeSavedPanel),
    });
    await render(api, '/ai-telemetry?range=7d&language=go');

    expect(api.getDashboard).toHaveBeenCalledWith({
      range: '7d',
      language: 'go',
    });
    const timeSaved = await screen.findByTestId('panel-time-saved');
    expect(timeSaved).toHaveTextContent(
      'Prometheus at http://127.0.0.1:9090 did not answer within 10 s (HTTP 503)',
    );
    // What a row named "other" is.
    expect(
      screen.getByText(/too few developers use are shown together as “other”/),
    ).toBeVisible();
    expect(screen.getByTestId('panel-overview')).toHaveTextContent('12,345');

    fireEvent.click(within(timeSaved).getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(timeSaved).toHaveTextContent('Total hours saved30 h'),
    );
    expect(api.getPanel).toHaveBeenCalledWith('timeSaved', {
      range: '7d',
      language: 'go',
    });
    expect(api.getDashboard).toHaveBeenCalledTimes(1);
  });

  it('shows the error of a failed dashboard on every panel, never a blank page', async () => {
    const api = mockApi({
      ...githubApi(),
      getHealth: jest.fn().mockResolvedValue(health),
      getDashboard: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            400,
            'InputError',
            'Invalid to: to must be later than from',
          ),
        ),
    });
    await render(api, '/ai-telemetry?from=2026-11-08&to=2026-11-01');
    expect(
      await screen.findAllByText(
        /Invalid to: to must be later than from \(HTTP 400\)/,
      ),
    ).toHaveLength(9);
  });

  it.each([
    ['threshold', 'Fewer than 5 developers have AI telemetry'],
    ['differencing', 'would differ by fewer than 5 developers'],
  ] as const)(
    'shows no figures and says why (%s), keeping the filters to widen them',
    async (reason, text) => {
      const api = mockApi({
        ...githubApi(),
        getHealth: jest.fn().mockResolvedValue(health),
        getDashboard: jest
          .fn()
          .mockResolvedValue({ ...organisationTooFew, reason }),
      });
      await render(api, '/ai-telemetry?range=24h&language=kotlin');
      const note = await screen.findByTestId('too-few-participants');
      expect(note).toHaveTextContent(text);
      expect(screen.queryByTestId('panel-overview')).toBeNull();
      expect(screen.queryByTestId('panel-alerts')).toBeNull();
      expect(
        screen.getByRole('search', { name: 'Dashboard filters' }),
      ).toHaveTextContent('kotlin');

      fireEvent.click(screen.getByRole('button', { name: '7 days' }));
      await waitFor(() =>
        expect(api.getDashboard).toHaveBeenLastCalledWith({
          range: '7d',
          language: 'kotlin',
        }),
      );
    },
  );

  it('changes the range through the picker', async () => {
    const api = mockApi({
      ...githubApi(),
      getHealth: jest.fn().mockResolvedValue(health),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    await screen.findByText('12,345');
    expect(api.getDashboard).toHaveBeenLastCalledWith({ range: '30d' });
    fireEvent.click(screen.getByRole('button', { name: '90 days' }));
    await waitFor(() =>
      expect(api.getDashboard).toHaveBeenLastCalledWith({ range: '90d' }),
    );
  });

  it('shows new figures when the backend announces new data, keeping the old ones while it loads', async () => {
    const signals = new FakeSignalApi();
    let answerRefresh: (value: typeof dashboard) => void = () => {};
    const api = mockApi({
      ...githubApi(),
      getHealth: jest.fn().mockResolvedValue(health),
      getDashboard: jest
        .fn()
        .mockResolvedValueOnce(dashboard)
        .mockReturnValueOnce(
          new Promise(resolve => {
            answerRefresh = resolve;
          }),
        ),
    });
    await render(api, '/ai-telemetry?range=7d', signals);
    const overview = await screen.findByTestId('panel-overview');
    expect(overview).toHaveTextContent('12,345');

    signals.announceNewData();
    expect(api.getDashboard).toHaveBeenCalledTimes(2);
    expect(api.getDashboard).toHaveBeenLastCalledWith({ range: '7d' });
    expect(overview).toHaveTextContent('12,345');
    expect(overview.querySelector('[aria-busy="true"]')).toBeNull();

    answerRefresh({
      ...dashboard,
      panels: {
        ...dashboard.panels,
        overview: {
          ...overviewPanel,
          data: { ...overviewPanel.data, totalSuggestions: 12346 },
        },
      },
    });
    await waitFor(() => expect(overview).toHaveTextContent('12,346'));
    expect(screen.getByTestId('panel-overview')).toBe(overview);
  });
  it('says which Copilot figures come from the GitHub import, and shows the seats and the import', async () => {
    const api = mockApi({
      ...githubApi({ status: githubStatus, seats: copilotSeats }),
      getHealth: jest.fn().mockResolvedValue(health),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    expect(await screen.findByTestId('github-import-note')).toHaveTextContent(
      'Copilot figures up to 2026-11-02 come from GitHub',
    );
    const seats = await screen.findByTestId('copilot-seats');
    expect(
      within(seats).getByRole('group', { name: 'Idle seats cost a month' }),
    ).toHaveTextContent('$171.00');
    expect(screen.getByTestId('github-import')).toHaveTextContent(
      '2026-10-06 to 2026-11-02',
    );
    expect(screen.getByTestId('panel-overview')).toHaveTextContent('12,345');
  });

  it("tells an admin why the import fails, at the top and in the import's card", async () => {
    const api = mockApi({
      ...githubApi({
        status: githubStatusFailingFor(githubRateLimited),
        seats: { ...copilotSeats, stale: true },
      }),
      getHealth: jest.fn().mockResolvedValue(health),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    expect(await screen.findByTestId('github-import-note')).toHaveTextContent(
      'The import is failing at the moment: see "GitHub Copilot import" below.',
    );
    expect(await screen.findByTestId('github-import-error')).toHaveTextContent(
      "GitHub's rate limit was reached",
    );
    expect(await screen.findByTestId('seats-stale')).toBeInTheDocument();
  });

  it('says the import is off, with the dashboard drawn as before', async () => {
    const api = mockApi({
      ...githubApi(),
      getHealth: jest.fn().mockResolvedValue(health),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    await screen.findByText('12,345');
    await waitFor(() =>
      expect(screen.getAllByTestId('github-import-off')).toHaveLength(2),
    );
    expect(screen.queryByTestId('github-import-note')).toBeNull();
  });
});
