import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { acceptanceRatePanel } from '../../testing/fixtures';
import { failed, loaded, loading } from '../../testing/states';
import { AcceptanceRatePanel } from './AcceptanceRatePanel';

function lines(container: HTMLElement) {
  return container.querySelectorAll('.recharts-line').length;
}

describe('AcceptanceRatePanel', () => {
  it('draws one value per day by default, marking today so far and days with few suggestions', async () => {
    const { container } = await renderInTestApp(
      <AcceptanceRatePanel state={loaded(acceptanceRatePanel)} />,
    );
    expect(
      screen.getByText('Acceptance rate per day (accepted ÷ shown, %)'),
    ).toBeInTheDocument();
    expect(screen.getByText('Day (UTC)')).toBeInTheDocument();
    expect(lines(container)).toBe(1);
    expect(screen.getAllByTestId('acceptance-bar-full')).toHaveLength(1);
    expect(screen.getAllByTestId('acceptance-bar-few')).toHaveLength(1);
    expect(screen.getAllByTestId('acceptance-bar-partial')).toHaveLength(1);
    expect(screen.getByTestId('acceptance-marks')).toHaveTextContent(
      'The dashed dot is today so far',
    );
  });

  it('draws the overall rate per step and its 7-day average, with languages to toggle', async () => {
    const { container } = await renderInTestApp(
      <AcceptanceRatePanel state={loaded(acceptanceRatePanel)} />,
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Per step, by language' }),
    );
    expect(
      screen.getByText('Acceptance rate over time (accepted ÷ shown, %)'),
    ).toBeInTheDocument();
    expect(screen.getByText('Acceptance rate (%)')).toBeInTheDocument();
    expect(screen.getByText('Time (UTC)')).toBeInTheDocument();
    expect(lines(container)).toBe(2);

    const python = screen.getByRole('checkbox', { name: 'python' });
    expect(python).not.toBeChecked();
    fireEvent.click(python);
    expect(lines(container)).toBe(3);
    fireEvent.click(
      screen.getByRole('checkbox', { name: '7-day moving average' }),
    );
    expect(lines(container)).toBe(2);

    fireEvent.click(screen.getByRole('button', { name: 'By assistant' }));
    expect(
      screen.getByRole('checkbox', { name: 'copilot' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('checkbox', { name: 'python' })).toBeNull();
  });

  it('draws the organisation as a comparison line on a team chart', async () => {
    const { container } = await renderInTestApp(
      <AcceptanceRatePanel
        state={loaded(acceptanceRatePanel)}
        organisation={acceptanceRatePanel.data.movingAverage7d}
      />,
    );
    expect(lines(container)).toBe(2);
    fireEvent.click(
      screen.getByRole('button', { name: 'Per step, by language' }),
    );
    expect(
      screen.getByRole('checkbox', {
        name: 'Organisation, 7-day moving average',
      }),
    ).toBeChecked();
    expect(lines(container)).toBe(3);
  });

  it('offers the figures as a table', async () => {
    await renderInTestApp(
      <AcceptanceRatePanel state={loaded(acceptanceRatePanel)} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    const table = screen.getByRole('table', {
      name: 'Acceptance rate as a table',
    });
    expect(table).toHaveTextContent('2026-11-01 00:00 UTC');
    expect(table).toHaveTextContent('language:go (acceptance 0..1)');
  });

  it('shows loading, error and empty states', async () => {
    const { rerender } = await renderInTestApp(
      <AcceptanceRatePanel state={loading()} />,
    );
    expect(
      screen.getByLabelText('Loading Acceptance rate'),
    ).toBeInTheDocument();

    rerender(<AcceptanceRatePanel state={failed('query timed out')} />);
    expect(screen.getByText(/query timed out/)).toBeInTheDocument();

    rerender(
      <AcceptanceRatePanel
        state={loaded({
          ...acceptanceRatePanel,
          data: {
            barStep: 86400,
            bars: [],
            overall: { start: 0, step: 86400, values: [] },
            movingAverage7d: { start: 0, step: 86400, values: [] },
            byLanguage: [],
            byAssistant: [],
          },
        })}
      />,
    );
    expect(screen.getByTestId('empty-telemetry')).toBeInTheDocument();
  });
});
