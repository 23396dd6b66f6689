import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { featureUsagePanel } from '../../testing/fixtures';
import { failed, loaded, loading } from '../../testing/states';
import { FeatureUsagePanel } from './FeatureUsagePanel';

describe('FeatureUsagePanel', () => {
  it('draws feature × hour of day, and feature × weekday on request', async () => {
    await renderInTestApp(
      <FeatureUsagePanel state={loaded(featureUsagePanel)} />,
    );
    expect(
      screen.getByRole('table', {
        name: 'Feature invocations by feature and hour of day (UTC)',
      }),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('rowheader').map(r => r.textContent)).toEqual([
      'completion',
      'chat',
    ]);
    expect(
      screen.getByLabelText('chat, Hour of day 09: 12'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('chat, Hour of day 10: 0'),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Weekday' }));
    expect(screen.getByLabelText('chat, Weekday Mon: 18')).toHaveTextContent(
      '18',
    );
    expect(
      screen.getByLabelText('completion, Weekday Tue: 6'),
    ).toBeInTheDocument();
  });

  it('offers every cell as a table', async () => {
    await renderInTestApp(
      <FeatureUsagePanel state={loaded(featureUsagePanel)} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    const table = screen.getByRole('table', {
      name: 'Feature usage as a table',
    });
    expect(table).toHaveTextContent('09:00 UTC');
    expect(table).toHaveTextContent('Sat (UTC)');
  });

  it('shows loading, error and empty states', async () => {
    const { rerender } = await renderInTestApp(
      <FeatureUsagePanel state={loading()} />,
    );
    expect(screen.getByLabelText('Loading Feature usage')).toBeInTheDocument();

    rerender(<FeatureUsagePanel state={failed('too many points')} />);
    expect(screen.getByText(/too many points/)).toBeInTheDocument();

    rerender(
      <FeatureUsagePanel
        state={loaded({
          ...featureUsagePanel,
          data: {
            totals: [],
            heatmap: { timezone: 'UTC', hourOfDay: [], dayOfWeek: [] },
          },
        })}
      />,
    );
    expect(screen.getByTestId('empty-telemetry')).toHaveTextContent(
      'No feature use in this time range yet.',
    );
  });
});
