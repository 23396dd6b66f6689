import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { adoptionPanel } from '../../testing/fixtures';
import { loaded } from '../../testing/states';
import { AdoptionPanel } from './AdoptionPanel';

describe('AdoptionPanel', () => {
  it('shows the funnel, the cohorts per day and what the words mean', async () => {
    const { container } = await renderInTestApp(
      <AdoptionPanel state={loaded(adoptionPanel)} />,
    );
    const tile = (name: string) => screen.getByRole('group', { name });
    expect(tile('Opted in')).toHaveTextContent('47');
    expect(tile('Active')).toHaveTextContent(
      '42shown a suggestion in this range; 89.4 % of those opted in',
    );
    expect(tile('Regular')).toHaveTextContent(
      '30active on at least 1 of 3 days; 71.4 % of the active',
    );
    expect(
      screen.getByText(
        'Active developers per day, by suggestions shown per active day',
      ),
    ).toBeVisible();
    // Three stacked cohorts.
    expect(container.querySelectorAll('.recharts-bar')).toHaveLength(3);
    expect(screen.getByTestId('adoption-definitions')).toHaveTextContent(
      'light under 50, moderate 50 to under 200, heavy 200 or more. Counts of 1 to 4 developers are withheld',
    );
  });

  it('shows withheld counts as such, in the funnel and in the table', async () => {
    await renderInTestApp(
      <AdoptionPanel
        state={loaded({
          ...adoptionPanel,
          data: {
            ...adoptionPanel.data,
            funnel: { ...adoptionPanel.data.funnel, regular: null },
          },
        })}
      />,
    );
    expect(screen.getByRole('group', { name: 'Regular' })).toHaveTextContent(
      '—active on at least 1 of 3 days; withheld to protect a few people',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    const table = screen.getByRole('table', { name: 'Adoption as a table' });
    const rows = within(table).getAllByRole('row');
    // Header, three funnel stages, three cohorts of three days.
    expect(rows).toHaveLength(1 + 3 + 9);
    expect(rows[3]).toHaveTextContent('regular (active on at least 1 days)');
    expect(rows[3]).toHaveTextContent('—');
    // The second day's light cohort is withheld.
    expect(rows[7]).toHaveTextContent('light2026-11-02 00:00 UTC1—');
  });

  it('says when no one was active', async () => {
    await renderInTestApp(
      <AdoptionPanel
        state={loaded({
          ...adoptionPanel,
          data: {
            ...adoptionPanel.data,
            funnel: { optedIn: 47, active: 0, regular: 0 },
          },
        })}
      />,
    );
    expect(screen.getByTestId('empty-telemetry')).toBeInTheDocument();
  });
});
