import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { PanelQuery } from '@fawkes/plugin-ai-telemetry-common';
import { failed, loaded, loading } from '../../testing/states';
import { PanelCard } from './PanelCard';

type FakePanel = {
  queries: PanelQuery[];
  ignoredFilters: string[];
  data: number[];
};

const panel: FakePanel = {
  queries: [
    {
      query: 'sum(increase(ai_copilot_feature_usage[1h]))',
      type: 'range',
      source: 'raw',
      step: 3600,
    },
  ],
  ignoredFilters: ['language'],
  data: [3, 4],
};

function renderCard(state = loaded(panel)) {
  return renderInTestApp(
    <PanelCard<FakePanel>
      id="fake"
      title="Fake panel"
      state={state}
      isEmpty={p => p.data.length === 0}
      tabular={p => ({ header: ['n'], rows: p.data.map(n => [n]) })}
      hasChart
    >
      {p => <p>chart of {p.data.join(' and ')}</p>}
    </PanelCard>,
  );
}

describe('PanelCard', () => {
  let downloads: string[];
  beforeEach(() => {
    downloads = [];
    URL.createObjectURL = jest.fn(() => 'blob:fake');
    URL.revokeObjectURL = jest.fn();
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function click(this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
  });
  afterEach(() => jest.restoreAllMocks());

  it('draws the figures, the PromQL on request, and a table instead of the chart', async () => {
    await renderCard();
    expect(screen.getByText('chart of 3 and 4')).toBeInTheDocument();
    expect(
      screen.getByText(/The language filter does not apply here/),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Show query' }));
    expect(
      screen.getByText('sum(increase(ai_copilot_feature_usage[1h]))'),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    expect(
      screen.getByRole('table', { name: 'Fake panel as a table' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('chart of 3 and 4')).not.toBeInTheDocument();
  });

  it('downloads its figures as CSV', async () => {
    await renderCard();
    fireEvent.click(
      screen.getByRole('button', { name: 'Download Fake panel as CSV' }),
    );
    const blob = (URL.createObjectURL as jest.Mock).mock.calls[0][0] as Blob;
    expect(await blob.text()).toBe('n\r\n3\r\n4\r\n');
    expect(downloads).toEqual(['ai-telemetry-fake.csv']);
  });

  it('shows that it is loading', async () => {
    await renderCard(loading());
    expect(screen.getByLabelText('Loading Fake panel')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Download Fake panel as CSV' }),
    ).toBeDisabled();
  });

  it("shows the server's message and retries", async () => {
    const retry = jest.fn();
    await renderCard(
      failed('Prometheus at http://127.0.0.1:9090 is unreachable', retry),
    );
    expect(
      screen.getByText(
        /Prometheus at http:\/\/127.0.0.1:9090 is unreachable \(HTTP 503\)/,
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('says how to start sending telemetry when there is nothing to show', async () => {
    await renderCard(loaded({ ...panel, data: [] }));
    expect(screen.getByTestId('empty-telemetry')).toHaveTextContent(
      /opt in under Settings → AI Telemetry, then set FAWKES_AI_TELEMETRY=enabled/,
    );
  });
});
