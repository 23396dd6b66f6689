import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { linesGeneratedPanel } from '../../testing/fixtures';
import { failed, loaded, loading } from '../../testing/states';
import { LinesGeneratedPanel } from './LinesGeneratedPanel';

describe('LinesGeneratedPanel', () => {
  it('stacks the lines by language per day and draws the running total', async () => {
    const { container } = await renderInTestApp(
      <LinesGeneratedPanel state={loaded(linesGeneratedPanel)} />,
    );
    expect(screen.getByText('900')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Lines accepted per day, stacked by language, and the running total',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Lines per day')).toBeInTheDocument();
    expect(screen.getByText('Cumulative lines')).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-area')).toHaveLength(2);
    expect(container.querySelectorAll('.recharts-line')).toHaveLength(1);

    fireEvent.click(screen.getByRole('checkbox', { name: 'go' }));
    expect(container.querySelectorAll('.recharts-area')).toHaveLength(1);
  });

  it('offers the figures as a table', async () => {
    await renderInTestApp(
      <LinesGeneratedPanel state={loaded(linesGeneratedPanel)} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    const rows = screen.getAllByRole('row');
    expect(rows[0]).toHaveTextContent(
      'day (start, UTC)lines, all languagescumulative lineslines, pythonlines, go',
    );
    expect(rows[3]).toHaveTextContent('2026-11-03 00:00 UTC23090015080');
  });

  it('shows loading, error and empty states', async () => {
    const { rerender } = await renderInTestApp(
      <LinesGeneratedPanel state={loading()} />,
    );
    expect(
      screen.getByLabelText('Loading Lines generated'),
    ).toBeInTheDocument();

    rerender(<LinesGeneratedPanel state={failed('Prometheus answered 503')} />);
    expect(screen.getByText(/Prometheus answered 503/)).toBeInTheDocument();

    rerender(
      <LinesGeneratedPanel
        state={loaded({
          ...linesGeneratedPanel,
          data: {
            totalLines: 0,
            byLanguage: [],
            total: { start: 0, step: 86400, values: [] },
            cumulative: { start: 0, step: 86400, values: [] },
          },
        })}
      />,
    );
    expect(screen.getByTestId('empty-telemetry')).toHaveTextContent(
      'No accepted lines in this time range yet.',
    );
  });
});
