import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { overviewPanel } from '../../testing/fixtures';
import { failed, loaded, loading } from '../../testing/states';
import { OverviewPanel } from './OverviewPanel';

describe('OverviewPanel', () => {
  it('shows the tiles, the gauge against the 30 % alert line, and the top languages', async () => {
    await renderInTestApp(<OverviewPanel state={loaded(overviewPanel)} />);
    const tile = (name: string) => screen.getByRole('group', { name });
    expect(tile('Total suggestions')).toHaveTextContent('12,345');
    expect(tile('Total suggestions')).toHaveTextContent('4,000 accepted');
    // Against the three days before.
    expect(tile('Total suggestions')).toHaveTextContent(
      '▲ 23 % on the previous 3 days',
    );
    expect(tile('Acceptance rate')).toHaveTextContent(
      '▲ 2.4 pts on the previous 3 days',
    );
    expect(tile('Active users')).toHaveTextContent(
      'same as the previous 3 days',
    );
    expect(
      screen.getByRole('img', {
        name: 'Acceptance rate 32.4 %; alert below 30 %',
      }),
    ).toBeInTheDocument();
    expect(tile('Active users')).toHaveTextContent('42');
    expect(tile('Opted-in users')).toHaveTextContent('47');
    expect(tile('Teams using AI')).toHaveTextContent('7');
    const languages = within(tile('Top 5 languages')).getAllByRole('listitem');
    expect(languages.map(l => l.textContent)).toEqual([
      expect.stringMatching(/^python6,000 · 48.6 % of all · accepted 33.3 %/),
      expect.stringMatching(/^go2,000 · 16.2 % of all · accepted 25 %/),
    ]);
  });

  it("compares a team with the organisation and leaves out 'teams using AI'", async () => {
    await renderInTestApp(
      <OverviewPanel
        state={loaded({
          ...overviewPanel,
          data: {
            ...overviewPanel.data,
            teamsUsingAi: null,
            acceptanceRate: 0.21,
          },
        })}
        organisation={overviewPanel.data}
      />,
    );
    expect(screen.getByText('Organisation: 32.4 %')).toBeInTheDocument();
    expect(screen.getByText(/Below the 30 % line/)).toBeInTheDocument();
    expect(screen.queryByRole('group', { name: 'Teams using AI' })).toBeNull();
  });

  it('shows loading, error and empty states', async () => {
    const { rerender } = await renderInTestApp(
      <OverviewPanel state={loading()} />,
    );
    expect(screen.getByLabelText('Loading Overview')).toBeInTheDocument();

    rerender(<OverviewPanel state={failed('Prometheus is unreachable')} />);
    expect(screen.getByText(/Prometheus is unreachable/)).toBeInTheDocument();

    rerender(
      <OverviewPanel
        state={loaded({
          ...overviewPanel,
          data: {
            ...overviewPanel.data,
            totalSuggestions: 0,
            topLanguages: [],
          },
        })}
      />,
    );
    expect(screen.getByTestId('empty-telemetry')).toHaveTextContent(
      'No suggestions in this time range yet.',
    );
  });
});
