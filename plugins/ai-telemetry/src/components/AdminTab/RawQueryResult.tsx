import { RawQueryResponse } from '@fawkes/plugin-ai-telemetry-common';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { useMemo, useState } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatTime, formatTimestamp, isoTime } from '../../lib/format';
import { labelText } from '../../lib/myData';
import { seriesStyle } from '../../lib/palette';
import { mergeSeries } from '../../lib/series';
import {
  ChartFrame,
  ticksOf,
  timeAxis,
  useChartTheme,
  valueAxisLabel,
} from '../ChartFrame';
import { DataTable, Tabular } from '../DataTable';
import { SeriesToggles, ToggleableSeries } from '../SeriesToggles';

/** The chart draws this many series at most (the palette's colours × dash patterns); the table lists all. */
export const MAX_CHARTED_SERIES = 24;

/** A series' labels as the table and legend show them; `{}` for a series without labels. */
function seriesName(labels: Record<string, string>): string {
  return labelText(labels) || '{}';
}

function table(result: RawQueryResponse): Tabular {
  return {
    header: ['labels', 'last value', 'points'],
    rows: result.series.map(s => [
      seriesName(s.labels),
      s.points[s.points.length - 1]?.v,
      s.points.length,
    ]),
  };
}

const RawQueryChart = (props: { result: RawQueryResponse }) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const { result } = props;
  const charted = useMemo(
    () => result.series.slice(0, MAX_CHARTED_SERIES),
    [result],
  );
  const series: ToggleableSeries[] = charted.map((s, i) => ({
    key: `s${i}`,
    label: seriesName(s.labels),
    ...seriesStyle(theme, i),
  }));
  const rows = useMemo(
    () =>
      mergeSeries(
        Object.fromEntries(charted.map((s, i) => [`s${i}`, s.points])),
      ),
    [charted],
  );
  const ticks = useMemo(() => ticksOf(rows), [rows]);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const label = (key: unknown) =>
    series.find(s => s.key === key)?.label ?? String(key);

  return (
    <>
      <SeriesToggles
        label="Series shown in the query chart"
        series={series}
        hidden={hidden}
        onChange={setHidden}
      />
      {result.series.length > MAX_CHARTED_SERIES && (
        <Typography variant="caption" color="textSecondary" component="p">
          The chart draws the first {MAX_CHARTED_SERIES} of{' '}
          {result.series.length} series; the table lists them all.
        </Typography>
      )}
      <ChartFrame title="Query result over time" height={240}>
        {({ width, height }) => (
          <LineChart
            width={width}
            height={height}
            data={rows}
            margin={{ top: 8, right: 16, bottom: 24, left: 8 }}
          >
            <CartesianGrid {...chart.grid} />
            <XAxis
              {...timeAxis(chart, {
                ticks,
                spanMs: result.end - result.start,
                label: 'Time (UTC)',
              })}
            />
            <YAxis
              width={72}
              {...chart.axis}
              label={{ ...valueAxisLabel(chart, 'Value'), offset: 4 }}
            />
            <Tooltip
              {...chart.tooltip}
              labelFormatter={t => formatTime(Number(t), result.step)}
              formatter={(value, name) => [Number(value), label(name)]}
            />
            {series
              .filter(s => !hidden.has(s.key))
              .map(s => (
                <Line
                  key={s.key}
                  dataKey={s.key}
                  name={s.key}
                  stroke={s.color}
                  strokeDasharray={s.dash}
                  strokeWidth={1.5}
                  dot={false}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
          </LineChart>
        )}
      </ChartFrame>
    </>
  );
};

/** A raw query's answer: what was evaluated, each series as a table row, and a line chart. */
export const RawQueryResult = (props: { result: RawQueryResponse }) => {
  const { result } = props;
  return (
    <div data-testid="raw-query-result">
      <Typography variant="caption" color="textSecondary" component="p">
        Evaluated from {formatTimestamp(isoTime(result.start))} to{' '}
        {formatTimestamp(isoTime(result.end))}, every {result.step} s:{' '}
        {result.series.length} series.
      </Typography>
      <DataTable data={table(result)} caption="Query result" />
      <RawQueryChart result={result} />
    </div>
  );
};
