import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import {
  dashboard,
  githubApi,
  githubStatus,
  mockApi,
  overviewPanel,
  responseError,
  teamDashboard,
  tooFewParticipants,
} from '../../testing/fixtures';
import { FakeSignalApi } from '../../__testUtils__/signals';
import { TeamAiTelemetryContent } from './TeamAiTelemetryContent';

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'checkout', namespace: 'default', title: 'Checkout' },
  spec: { type: 'team', children: [] },
};

function render(
  api: ReturnType<typeof mockApi>,
  signals = new FakeSignalApi(),
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [aiTelemetryApiRef, api],
        [signalApiRef, signals],
      ]}
    >
      <EntityProvider entity={group}>
        <TeamAiTelemetryContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('TeamAiTelemetryContent', () => {
  it("shows the team's panels with the organisation as comparison", async () => {
    const api = mockApi({
      ...githubApi(),
      getTeamDashboard: jest.fn().mockResolvedValue(teamDashboard),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    expect(await screen.findByText('Organisation: 32.4 %')).toBeInTheDocument();
    expect(api.getTeamDashboard).toHaveBeenCalledWith(
      { namespace: 'default', name: 'checkout' },
      { range: '30d' },
    );
    expect(
      screen.getByRole('group', { name: 'Active users' }),
    ).toHaveTextContent('6');
    // The organisation's acceptance is drawn beside the team's, daily and per step.
    expect(screen.getByTestId('acceptance-marks')).toHaveTextContent(
      'the organisation’s 7-day moving average',
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Per step, by language' }),
    );
    expect(
      screen.getByRole('checkbox', {
        name: 'Organisation, 7-day moving average',
      }),
    ).toBeChecked();
    // The organisation's alerts are left to the organisation page.
    expect(screen.queryByTestId('panel-alerts')).toBeNull();
  });

  it('shows no figures under the privacy threshold', async () => {
    const api = mockApi({
      ...githubApi(),
      getTeamDashboard: jest.fn().mockResolvedValue(tooFewParticipants),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    const note = await screen.findByTestId('too-few-participants');
    expect(note).toHaveTextContent('Too few participants');
    expect(note).toHaveTextContent('Fewer than 5 members of Security');
    expect(screen.queryByTestId('panel-overview')).toBeNull();
    expect(screen.queryByText('12,345')).toBeNull();
  });

  it('explains a view withheld because a sub-team could be subtracted from it, keeping the filters', async () => {
    const api = mockApi({
      ...githubApi(),
      getTeamDashboard: jest
        .fn()
        .mockResolvedValue({ ...tooFewParticipants, reason: 'differencing' }),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    const note = await screen.findByTestId('too-few-participants');
    expect(note).toHaveTextContent('Figures withheld to protect a few people');
    expect(note).toHaveTextContent(
      'The figures of Security would differ by fewer than 5 developers',
    );
    expect(screen.queryByTestId('panel-overview')).toBeNull();
    expect(
      screen.getByRole('search', { name: 'Dashboard filters' }),
    ).toBeInTheDocument();
  });

  it('says which permission is missing on a 403', async () => {
    const api = mockApi({
      ...githubApi(),
      getTeamDashboard: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            403,
            'NotAllowedError',
            'This needs the permission ai-telemetry.team.read',
          ),
        ),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api);
    const forbidden = await screen.findByTestId('team-forbidden');
    expect(forbidden).toHaveTextContent(
      "You cannot see this team's AI telemetry",
    );
    expect(forbidden).toHaveTextContent('ai-telemetry.team.read');
    expect(screen.queryByTestId('panel-overview')).toBeNull();
  });

  it("shows the team's new figures when the backend announces new data", async () => {
    const signals = new FakeSignalApi();
    const api = mockApi({
      ...githubApi(),
      getTeamDashboard: jest
        .fn()
        .mockResolvedValueOnce(teamDashboard)
        .mockResolvedValueOnce({
          ...teamDashboard,
          panels: {
            ...teamDashboard.panels,
            overview: {
              ...overviewPanel,
              data: {
                ...overviewPanel.data,
                teamsUsingAi: null,
                activeUsers: 7,
              },
            },
          },
        }),
      getDashboard: jest.fn().mockResolvedValue(dashboard),
    });
    await render(api, signals);
    const activeUsers = await screen.findByRole('group', {
      name: 'Active users',
    });
    expect(activeUsers).toHaveTextContent('6');

    signals.announceNewData();

    await waitFor(() =>
      expect(
        screen.getByRole('group', { name: 'Active users' }),
      ).toHaveTextContent('7'),
    );
    expect(api.getTeamDashboard).toHaveBeenCalledTimes(2);
    expect(api.getDashboard).toHaveBeenCalledTimes(2);
  });
  it("says which of the team's Copilot figures come from the GitHub import", async () => {
    await render(
      mockApi({
        ...githubApi({ status: githubStatus }),
        getTeamDashboard: jest.fn().mockResolvedValue(teamDashboard),
        getDashboard: jest.fn().mockResolvedValue(dashboard),
      }),
    );
    expect(await screen.findByTestId('github-import-note')).toHaveTextContent(
      'Copilot figures up to 2026-11-02 come from GitHub',
    );
  });
});
