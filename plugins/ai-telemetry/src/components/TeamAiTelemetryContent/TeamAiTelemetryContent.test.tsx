import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import {
  dashboard,
  mockApi,
  responseError,
  teamDashboard,
  tooFewParticipants,
} from '../../testing/fixtures';
import { TeamAiTelemetryContent } from './TeamAiTelemetryContent';

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'checkout', namespace: 'default', title: 'Checkout' },
  spec: { type: 'team', children: [] },
};

function render(api: ReturnType<typeof mockApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[aiTelemetryApiRef, api]]}>
      <EntityProvider entity={group}>
        <TeamAiTelemetryContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('TeamAiTelemetryContent', () => {
  it("shows the team's panels with the organisation as comparison", async () => {
    const api = mockApi({
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
});
