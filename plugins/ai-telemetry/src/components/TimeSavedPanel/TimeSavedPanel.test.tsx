import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { timeSavedPanel } from '../../testing/fixtures';
import { failed, loaded, loading } from '../../testing/states';
import { TimeSavedPanel } from './TimeSavedPanel';

describe('TimeSavedPanel', () => {
  it('shows total hours, hours per developer, activities and the ROI with its formula and inputs', async () => {
    const { container } = await renderInTestApp(
      <TimeSavedPanel
        state={loaded(timeSavedPanel)}
        organisation={{ ...timeSavedPanel.data, hoursPerActiveUser: 2 }}
      />,
    );
    expect(
      screen.getByRole('group', { name: 'Total hours saved' }),
    ).toHaveTextContent('30 h');
    expect(
      screen.getByRole('group', { name: 'Hours saved per active developer' }),
    ).toHaveTextContent('0.7 h42 active developers; organisation: 2 h');
    expect(screen.getByText('Hours saved by activity')).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-bar-rectangle')).toHaveLength(
      3,
    );

    const roi = screen.getByRole('group', { name: 'Return on investment' });
    expect(roi).toHaveTextContent('12.8 ×');
    expect(roi).toHaveTextContent(
      'value 2,550 − seats 79 − usage 121 = net 2,350',
    );
    expect(roi).toHaveTextContent(
      'hoursSaved = 30 (estimate: lines × seconds per line)',
    );
    expect(roi).toHaveTextContent('usageCostUsd = $121.35 (measured');
    expect(screen.getByLabelText('ROI formula')).toHaveTextContent(
      'value = hoursSaved × hourlyCost',
    );
    expect(roi).toHaveTextContent('hourlyCost = 85 (configured)');
    expect(roi).toHaveTextContent('activeUsers = 42');
  });

  it('says when the usage cost is not known, and leaves it out of the net', async () => {
    const { roi } = timeSavedPanel.data;
    await renderInTestApp(
      <TimeSavedPanel
        state={loaded({
          ...timeSavedPanel,
          data: {
            ...timeSavedPanel.data,
            roi: {
              ...roi,
              inputs: { ...roi.inputs, usageCostUsd: null },
              totalCost: roi.seatCost,
              net: roi.valueOfTimeSaved - roi.seatCost,
              ratio: roi.valueOfTimeSaved / roi.seatCost,
            },
          },
        })}
      />,
    );
    const tile = screen.getByRole('group', { name: 'Return on investment' });
    expect(tile).toHaveTextContent('value 2,550 − seats 79 = net 2,471');
    expect(tile).toHaveTextContent('usageCostUsd = not counted');
  });

  it('shows loading, error and empty states', async () => {
    const { rerender } = await renderInTestApp(
      <TimeSavedPanel state={loading()} />,
    );
    expect(screen.getByLabelText('Loading Time saved')).toBeInTheDocument();

    rerender(<TimeSavedPanel state={failed('Prometheus is unreachable')} />);
    expect(screen.getByText(/Prometheus is unreachable/)).toBeInTheDocument();

    rerender(
      <TimeSavedPanel
        state={loaded({
          ...timeSavedPanel,
          data: { ...timeSavedPanel.data, totalHours: 0, byActivity: [] },
        })}
      />,
    );
    expect(screen.getByTestId('empty-telemetry')).toBeInTheDocument();
  });
});
