import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import {
  erasureJob,
  githubApi,
  mockApi,
  myData,
  myDataWithGithub,
  myGithubImported,
  responseError,
} from '../../testing/fixtures';
import { FakeSignalApi } from '../../__testUtils__/signals';
import { MyDataTab } from './MyDataTab';

function render(
  api: ReturnType<typeof mockApi>,
  signals = new FakeSignalApi(),
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [aiTelemetryApiRef, api],
        [signalApiRef, signals],
      ]}
    >
      <MyDataTab />
    </TestApiProvider>,
  );
}

describe('MyDataTab', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('shows the pseudonym, the opt-in history, personal charts and every stored series', async () => {
    await render(
      mockApi({
        ...githubApi(),
        getMyData: jest.fn().mockResolvedValue(myData),
        getErasureJobs: jest.fn().mockResolvedValue({ jobs: [] }),
      }),
    );
    expect(await screen.findByTestId('pseudonym')).toHaveTextContent(
      'd1390bbb7f95',
    );
    expect(
      screen.getByRole('table', { name: 'Opt-in history' }),
    ).toHaveTextContent('2026-11-01 09:00 UTCturned on');
    expect(screen.getByTestId('panel-my-acceptance-rate')).toHaveTextContent(
      '42.9 % of 7 suggestions',
    );
    expect(screen.getByTestId('panel-my-lines')).toHaveTextContent(
      '30 lines in total',
    );
    expect(screen.getByTestId('panel-my-time-saved')).toHaveTextContent(
      '0.1 hours in total',
    );

    const series = screen.getByRole('table', { name: 'Series in Prometheus' });
    const rows = within(series).getAllByRole('row');
    expect(rows).toHaveLength(5);
    expect(rows[3]).toHaveTextContent(
      'ai_copilot_lines_generatedassistant="copilot", language="python"3302026-11-02 11:00 UTC',
    );
    expect(
      screen.getByRole('table', { name: 'Running totals' }),
    ).toHaveTextContent('ai_copilot_suggestions_total');
  });

  it('downloads the JSON and CSV exports through the API', async () => {
    const saved: string[] = [];
    URL.createObjectURL = jest.fn(() => 'blob:export');
    URL.revokeObjectURL = jest.fn();
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function click(this: HTMLAnchorElement) {
        saved.push(this.download);
      });
    const api = mockApi({
      ...githubApi(),
      getMyData: jest.fn().mockResolvedValue(myData),
      getErasureJobs: jest.fn().mockResolvedValue({ jobs: [] }),
      downloadMyData: jest.fn().mockResolvedValue(new Blob(['{}'])),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Download JSON' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() =>
      expect(saved).toEqual([
        'ai-telemetry-my-data.json',
        'ai-telemetry-my-data.csv',
      ]),
    );
    expect(api.downloadMyData.mock.calls).toEqual([['json'], ['csv']]);
  });

  it('erases only after confirmation, and follows the job until it is done', async () => {
    const getErasureJobs = jest
      .fn()
      .mockResolvedValueOnce({ jobs: [] })
      .mockResolvedValueOnce({ jobs: [erasureJob('running', 2)] })
      .mockResolvedValueOnce({ jobs: [erasureJob('running', 5)] })
      .mockResolvedValue({ jobs: [erasureJob('done', 7)] });
    const getMyData = jest.fn().mockResolvedValue(myData);
    const api = mockApi({
      ...githubApi(),
      getMyData,
      getErasureJobs,
      requestErasure: jest.fn().mockResolvedValue(erasureJob('pending', 0)),
    });
    await render(api);

    fireEvent.click(
      await screen.findByRole('button', { name: 'Erase all my data' }),
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Erase all my AI telemetry?',
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.requestErasure).not.toHaveBeenCalled();

    jest.useFakeTimers();
    fireEvent.click(screen.getByRole('button', { name: 'Erase all my data' }));
    fireEvent.click(screen.getByRole('button', { name: 'Erase everything' }));

    const job = await screen.findByTestId('erasure-job');
    expect(api.requestErasure).toHaveBeenCalledTimes(1);
    expect(job).toHaveTextContent('Erasure running');
    expect(
      screen.getByTestId('erasure-step-delete_counters'),
    ).toHaveTextContent('done');
    expect(
      screen.getByTestId('erasure-step-delete_counters'),
    ).toHaveTextContent('deleted 4 counters');
    expect(
      screen.getByTestId('erasure-step-delete_pushgateway_groups'),
    ).toHaveTextContent('running');

    // Polled every 2 s until the job is done.
    await waitFor(() => expect(job).toHaveTextContent('Erasure done'));
    expect(screen.getByTestId('erasure-step-verify')).toHaveTextContent('done');
    expect(getErasureJobs).toHaveBeenCalledTimes(4);
    await waitFor(() => expect(getMyData).toHaveBeenCalledTimes(2));

    await act(async () => {
      jest.advanceTimersByTime(10_000);
    });
    expect(getErasureJobs).toHaveBeenCalledTimes(4);
  });

  it("shows the server's error with a retry when the data cannot be read", async () => {
    const getMyData = jest
      .fn()
      .mockRejectedValueOnce(
        await responseError(
          503,
          'ServiceUnavailableError',
          'Prometheus at http://127.0.0.1:9090 is unreachable',
        ),
      )
      .mockResolvedValue(myData);
    await render(
      mockApi({
        ...githubApi(),
        getMyData,
        getErasureJobs: jest.fn().mockResolvedValue({ jobs: [] }),
      }),
    );
    expect(
      await screen.findByText(
        /Prometheus at http:\/\/127.0.0.1:9090 is unreachable \(HTTP 503\)/,
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('pseudonym')).toBeInTheDocument();
  });

  it('shows new running totals when the backend announces new data, without reloading the page', async () => {
    const signals = new FakeSignalApi();
    const api = mockApi({
      ...githubApi(),
      getMyData: jest
        .fn()
        .mockResolvedValueOnce(myData)
        .mockResolvedValueOnce({
          ...myData,
          counters: [{ ...myData.counters[0], value: 15 }],
        }),
      getErasureJobs: jest.fn().mockResolvedValue({ jobs: [] }),
    });
    await render(api, signals);
    const totals = await screen.findByRole('table', { name: 'Running totals' });
    const row = () =>
      within(totals).getAllByRole('row')[1].querySelectorAll('td')[2];
    expect(row()).toHaveTextContent(/^3$/);

    signals.announceNewData();

    await waitFor(() => expect(row()).toHaveTextContent(/^15$/));
    expect(screen.getByRole('table', { name: 'Running totals' })).toBe(totals);
    expect(api.getMyData).toHaveBeenCalledTimes(2);
  });
  it('shows what the GitHub import brought in: the login, each day and what it added, the running totals', async () => {
    await render(
      mockApi({
        ...githubApi({ me: myGithubImported }),
        getMyData: jest.fn().mockResolvedValue(myDataWithGithub),
        getErasureJobs: jest.fn().mockResolvedValue({ jobs: [] }),
      }),
    );
    expect(await screen.findByTestId('github-import-state')).toHaveTextContent(
      'Under the login guest-gh',
    );
    const days = screen.getByRole('table', {
      name: 'Days imported from GitHub',
    });
    expect(within(days).getAllByRole('row')[1]).toHaveTextContent(
      '2026-11-02yes2026-11-03 06:00 UTCsuggestions_total +10, lines_generated +18',
    );
    expect(
      screen.getByRole('table', {
        name: 'Running totals of the GitHub import',
      }),
    ).toHaveTextContent('ai_copilot_lines_generated');
  });
});
