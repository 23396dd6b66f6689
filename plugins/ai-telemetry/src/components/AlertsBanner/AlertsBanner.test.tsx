import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { alertsPanel } from '../../testing/fixtures';
import { failed, loaded, loading } from '../../testing/states';
import { AlertsBanner } from './AlertsBanner';

describe('AlertsBanner', () => {
  it('shows a firing alert as a banner, with its PromQL on request', async () => {
    await renderInTestApp(<AlertsBanner state={loaded(alertsPanel)} />);
    expect(
      screen.getByText('Firing: Low AI suggestion acceptance rate'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Copilot acceptance rate is 21% \(below 30% threshold\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/AI Telemetry cannot be scraped/)).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Show query' }));
    expect(
      screen.getByText(/# LowCopilotAcceptanceRate \(for 7200 s\)/),
    ).toBeInTheDocument();
  });

  it('says when no alert fires, and when no rule is loaded', async () => {
    const quiet = {
      ...alertsPanel,
      data: {
        rules: alertsPanel.data.rules.map(r => ({
          ...r,
          state: 'inactive' as const,
        })),
      },
    };
    const { rerender } = await renderInTestApp(
      <AlertsBanner state={loaded(quiet)} />,
    );
    expect(
      screen.getByText(/No AI Telemetry alert is firing \(2 rules checked\)/),
    ).toBeInTheDocument();

    rerender(
      <AlertsBanner state={loaded({ ...alertsPanel, data: { rules: [] } })} />,
    );
    expect(
      screen.getByText(/No AI Telemetry alert rules are loaded/),
    ).toBeInTheDocument();
  });

  it('shows loading and error states', async () => {
    const retry = jest.fn();
    const { rerender } = await renderInTestApp(
      <AlertsBanner state={loading()} />,
    );
    expect(screen.getByLabelText('Loading alerts')).toBeInTheDocument();

    rerender(
      <AlertsBanner state={failed('the rules API answered 500', retry)} />,
    );
    expect(screen.getByText(/the rules API answered 500/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalled();
  });
});
