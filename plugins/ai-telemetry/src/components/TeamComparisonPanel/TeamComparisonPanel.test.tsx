import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { teamComparisonPanel } from '../../testing/fixtures';
import { loaded } from '../../testing/states';
import { TeamComparisonPanel } from './TeamComparisonPanel';

function rowTexts(): string[] {
  const table = screen.getByRole('table', { name: 'Teams compared' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => row.textContent ?? '');
}

describe('TeamComparisonPanel', () => {
  it('lists the teams, most active first, each linking to its AI Telemetry tab', async () => {
    await renderInTestApp(
      <TeamComparisonPanel state={loaded(teamComparisonPanel)} />,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(rowTexts()).toEqual([
      'Checkout1231 %2,4003.5 h',
      'Search9—0—',
      'payments742 %5,1006.3 h',
    ]);
    expect(screen.getByRole('link', { name: 'Checkout' })).toHaveAttribute(
      'href',
      '/catalog/default/group/checkout/ai-telemetry',
    );
    expect(screen.getByTestId('team-comparison-note')).toHaveTextContent(
      'The teams you may open (your own and the teams below them; every team for telemetry admins) whose own AI Telemetry tab shows figures',
    );
  });

  it('sorts by the column whose header is clicked, and back', async () => {
    await renderInTestApp(
      <TeamComparisonPanel state={loaded(teamComparisonPanel)} />,
    );
    const header = (name: string) =>
      screen.getByRole('button', { name: new RegExp(`^${name}`) });
    fireEvent.click(header('Lines accepted'));
    expect(rowTexts().map(r => r.split(/\d/)[0])).toEqual([
      'payments',
      'Checkout',
      'Search',
    ]);
    fireEvent.click(header('Lines accepted'));
    expect(rowTexts().map(r => r.split(/\d/)[0])).toEqual([
      'Search',
      'Checkout',
      'payments',
    ]);
    // Teams without a rate come last either way.
    fireEvent.click(header('Acceptance rate'));
    expect(rowTexts().map(r => r.split(/\d/)[0])).toEqual([
      'payments',
      'Checkout',
      'Search',
    ]);
    fireEvent.click(header('Acceptance rate'));
    expect(rowTexts().map(r => r.split(/\d/)[0])).toEqual([
      'Checkout',
      'payments',
      'Search',
    ]);
    fireEvent.click(header('Team'));
    expect(rowTexts().map(r => r.split(/\d/)[0])).toEqual([
      'Checkout',
      'payments',
      'Search',
    ]);
    // Without the catalog's entity route, the link takes the catalog's default path.
    expect(screen.getByRole('link', { name: 'Search' })).toHaveAttribute(
      'href',
      '/catalog/default/group/search/ai-telemetry',
    );
  });

  it('says when the answer holds only the most active of many teams', async () => {
    await renderInTestApp(
      <TeamComparisonPanel
        state={loaded({
          ...teamComparisonPanel,
          data: { ...teamComparisonPanel.data, totalTeams: 1412 },
        })}
      />,
    );
    expect(screen.getByTestId('team-comparison-most-active')).toHaveTextContent(
      'The 3 teams with the most active developers of the 1,412 you may open',
    );
  });

  it('says why there is no team to compare', async () => {
    await renderInTestApp(
      <TeamComparisonPanel
        state={loaded({
          ...teamComparisonPanel,
          data: { teams: [], totalTeams: 0, minGroupSize: 5 },
        })}
      />,
    );
    expect(screen.getByTestId('team-comparison-none')).toHaveTextContent(
      'No team to compare: none that you may open has at least 5 members with data',
    );
  });
});
