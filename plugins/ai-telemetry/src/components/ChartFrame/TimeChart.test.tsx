import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { Bar, Line } from 'recharts';
import { TimeChart } from './TimeChart';

const DAY_MS = 86_400_000;
const start = Date.UTC(2026, 10, 1);

describe('TimeChart', () => {
  it('labels its time axis by what a row covers, unless told otherwise', async () => {
    const rows = [0, 1, 2].map(i => ({ t: start + i * DAY_MS, v: i }));
    const { rerender } = await renderInTestApp(
      <TimeChart
        title="Per day"
        type="line"
        rows={rows}
        time={{ step: 86400, spanMs: 3 * DAY_MS }}
        formatter={value => value}
      >
        <Line dataKey="v" isAnimationActive={false} />
      </TimeChart>,
    );
    expect(screen.getByText('Per day')).toBeVisible();
    expect(screen.getByText('Day (UTC)')).toBeInTheDocument();

    rerender(
      <TimeChart
        title="Per step"
        type="line"
        rows={rows}
        time={{ step: 900, spanMs: 3 * DAY_MS, label: 'Time (UTC)' }}
        formatter={value => value}
      >
        <Line dataKey="v" isAnimationActive={false} />
      </TimeChart>,
    );
    expect(screen.getByText('Time (UTC)')).toBeInTheDocument();
  });

  it('names periods of uneven length on the axis by their field', async () => {
    const { container } = await renderInTestApp(
      <TimeChart
        title="Per week"
        type="bar"
        rows={[
          { period: '2026-11-01 (2 days)', v: 3 },
          { period: '2026-11-03 (7 days)', v: 5 },
        ]}
        periodKey="period"
        formatter={value => value}
      >
        <Bar dataKey="v" isAnimationActive={false} />
      </TimeChart>,
    );
    expect(screen.getByText('2026-11-03 (7 days)')).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-bar-rectangle')).toHaveLength(
      2,
    );
  });
});
