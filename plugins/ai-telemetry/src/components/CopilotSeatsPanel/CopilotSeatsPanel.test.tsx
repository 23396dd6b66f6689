import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { LiveAsyncState } from '../../hooks/useLiveAsync';
import {
  copilotSeats,
  copilotSeatsWithheld,
  responseError,
} from '../../testing/fixtures';
import { CopilotSeatsResponse } from '@fawkes/plugin-ai-telemetry-common';
import { CopilotSeatsPanel } from './CopilotSeatsPanel';

function answered(
  value: CopilotSeatsResponse,
): LiveAsyncState<CopilotSeatsResponse> {
  return { loading: false, value, retry: jest.fn() };
}

function tile(name: string) {
  return screen.getByRole('group', { name });
}

describe('CopilotSeatsPanel', () => {
  it('shows the seats, their activity, the idle ones and what they cost against all seats', async () => {
    await renderInTestApp(<CopilotSeatsPanel state={answered(copilotSeats)} />);

    expect(
      screen.getByText(
        'Seats of the organisation fawkes, counts only, as read from GitHub 2026-11-03 06:00 UTC',
      ),
    ).toBeInTheDocument();
    expect(tile('Seats')).toHaveTextContent('40');
    expect(tile('Seats')).toHaveTextContent('$760.00 a month at $19.00 a seat');
    expect(tile('Active in the last 7 days')).toHaveTextContent(
      '2665 % of seats',
    );
    expect(tile('Active in the last 14 days')).toHaveTextContent('29');
    expect(tile('Active in the last 28 days')).toHaveTextContent(
      '3177.5 % of seats',
    );
    expect(tile('Never used')).toHaveTextContent('4');
    expect(tile('Pending cancellation')).toHaveTextContent(
      '2end with the billing cycle; 1 invitations not accepted yet',
    );
    expect(tile('Idle seats')).toHaveTextContent('9');
    const cost = tile('Idle seats cost a month');
    expect(cost).toHaveTextContent('$171.00');
    expect(cost).toHaveTextContent('of $760.00 a month for all seats (22.5 %)');
    expect(
      within(cost).getByRole('progressbar', {
        name: 'Idle seats: 22.5 % of the cost',
      }),
    ).toHaveAttribute('aria-valuenow', '23');
    expect(screen.queryByTestId('seats-stale')).toBeNull();
  });

  it('marks counts that are stale because the last read from GitHub failed', async () => {
    await renderInTestApp(
      <CopilotSeatsPanel state={answered({ ...copilotSeats, stale: true })} />,
    );
    expect(screen.getByTestId('seats-stale')).toHaveTextContent(
      'These counts are from 2026-11-03 06:00 UTC: the last read from GitHub failed, so they may be out of date.',
    );
    expect(tile('Seats')).toHaveTextContent('40');
  });

  it('says the import is off and how to turn it on, with no figures', async () => {
    await renderInTestApp(
      <CopilotSeatsPanel
        state={answered(copilotSeatsWithheld('not_configured'))}
      />,
    );
    const off = screen.getByTestId('github-import-off');
    expect(off).toHaveTextContent('The GitHub Copilot import is off');
    expect(off).toHaveTextContent(
      'Copilot seats come from the GitHub import, which is off in this portal.',
    );
    expect(off).toHaveTextContent('integrations.github');
    expect(
      within(off).getByLabelText('Configuration of the import'),
    ).toHaveTextContent(/aiTelemetry:\s+github:\s+organization:/);
    expect(screen.queryByRole('group', { name: 'Seats' })).toBeNull();
  });

  it('says the seats have not been read yet', async () => {
    await renderInTestApp(
      <CopilotSeatsPanel
        state={answered(copilotSeatsWithheld('not_fetched'))}
      />,
    );
    expect(screen.getByTestId('seats-withheld')).toHaveTextContent(
      'No seat figures yetThe import has not read the seats from GitHub yet.',
    );
    expect(screen.queryByRole('group', { name: 'Seats' })).toBeNull();
  });

  it('withholds the figures below the privacy threshold and says from how many seats they show', async () => {
    await renderInTestApp(
      <CopilotSeatsPanel state={answered(copilotSeatsWithheld('threshold'))} />,
    );
    const notice = screen.getByTestId('seats-withheld');
    expect(notice).toHaveTextContent('Too few seats to show');
    expect(notice).toHaveTextContent(
      'Fewer than 5 Copilot seats: their activity would single people out. Seat figures appear from 5 seats on',
    );
    expect(screen.queryByRole('group', { name: 'Idle seats' })).toBeNull();
  });

  it("shows the server's error with a retry, never a blank panel", async () => {
    const retry = jest.fn();
    await renderInTestApp(
      <CopilotSeatsPanel
        state={{
          loading: false,
          error: await responseError(
            503,
            'ServiceUnavailableError',
            'The plugin database did not answer',
          ),
          retry,
        }}
      />,
    );
    const panel = screen.getByTestId('copilot-seats');
    expect(panel).toHaveTextContent(
      'Could not load the Copilot seatsThe plugin database did not answer (HTTP 503)',
    );
    fireEvent.click(within(panel).getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalled();
  });

  it('shows progress while loading', async () => {
    await renderInTestApp(
      <CopilotSeatsPanel state={{ loading: true, retry: jest.fn() }} />,
    );
    expect(
      await within(screen.getByTestId('copilot-seats')).findByRole(
        'progressbar',
        { name: 'Loading' },
      ),
    ).toBeInTheDocument();
  });
});
