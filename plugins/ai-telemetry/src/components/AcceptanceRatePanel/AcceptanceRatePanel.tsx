import {
  AcceptanceRatePanel as AcceptanceRatePanelResponse,
  NamedSeries,
  Point,
} from '@fawkes/plugin-ai-telemetry-common';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { Theme, useTheme } from '@material-ui/core/styles';
import { useMemo, useState } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import { formatTime, isoTime } from '../../lib/format';
import { seriesStyle, signalColours } from '../../lib/palette';
import { byTotal, ChartRow, mergeSeries } from '../../lib/series';
import { ACCEPTANCE_ALERT_THRESHOLD } from '../../lib/thresholds';
import {
  ChartFrame,
  ticksOf,
  timeAxis,
  useChartTheme,
  valueAxisLabel,
} from '../ChartFrame';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';
import { SeriesToggles, ToggleableSeries } from '../SeriesToggles';

type SplitBy = 'language' | 'assistant';

type ChartSeries = ToggleableSeries & { points: Point[]; width: number };

function percentages(points: Point[]): Point[] {
  return points.map(p => ({ t: p.t, v: p.v * 100 }));
}

function buildSeries(
  panel: AcceptanceRatePanelResponse,
  splitBy: SplitBy,
  theme: Theme,
  organisation?: Point[],
): ChartSeries[] {
  const colours = signalColours(theme);
  const split: NamedSeries[] = byTotal(
    splitBy === 'language' ? panel.data.byLanguage : panel.data.byAssistant,
  );
  const base: ChartSeries[] = [
    {
      key: 'overall',
      label: 'All suggestions, per step',
      color: theme.palette.text.secondary,
      points: panel.data.overall,
      width: 1,
    },
    {
      key: 'movingAverage7d',
      label: '7-day moving average',
      color: colours.primary,
      points: panel.data.movingAverage7d,
      width: 3,
    },
  ];
  if (organisation) {
    base.push({
      key: 'organisation',
      label: 'Organisation, 7-day moving average',
      color: colours.comparison,
      dash: '2 3',
      points: organisation,
      width: 2,
    });
  }
  return [
    ...base,
    ...split.map((s, i) => {
      // The first palette colour is the moving average's.
      const style = seriesStyle(theme, i + 1);
      return {
        key: `${splitBy}:${s.name}`,
        label: s.name,
        color: style.color,
        dash: style.dash,
        points: s.points,
        width: 1.5,
      };
    }),
  ];
}

/** The split series start hidden: per-step ratios of single languages are noisy together. */
function initiallyHidden(series: ChartSeries[]): Set<string> {
  return new Set(series.filter(s => s.key.includes(':')).map(s => s.key));
}

function table(
  panel: AcceptanceRatePanelResponse,
  organisation?: Point[],
): Tabular {
  const series: Record<string, Point[]> = {
    overall: panel.data.overall,
    moving_average_7d: panel.data.movingAverage7d,
    ...(organisation && { organisation }),
    ...Object.fromEntries(
      panel.data.byLanguage.map(s => [`language:${s.name}`, s.points]),
    ),
    ...Object.fromEntries(
      panel.data.byAssistant.map(s => [`assistant:${s.name}`, s.points]),
    ),
  };
  const keys = Object.keys(series);
  const rows = mergeSeries(series);
  return {
    header: ['time', ...keys.map(k => `${k} (acceptance 0..1)`)],
    rows: rows.map(r => [isoTime(r.t), ...keys.map(k => r[k])]),
  };
}

const AcceptanceChart = (props: {
  panel: AcceptanceRatePanelResponse;
  organisation?: Point[];
}) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const { panel, organisation } = props;
  const [splitBy, setSplitBy] = useState<SplitBy>('language');
  const series = useMemo(
    () => buildSeries(panel, splitBy, theme, organisation),
    [panel, splitBy, theme, organisation],
  );
  const [hidden, setHidden] = useState<Set<string>>(() =>
    initiallyHidden(series),
  );
  const rows: ChartRow[] = useMemo(
    () =>
      mergeSeries(
        Object.fromEntries(series.map(s => [s.key, percentages(s.points)])),
      ),
    [series],
  );
  const step = panel.step;
  const span = panel.window.end - panel.window.start;
  const ticks = useMemo(() => ticksOf(rows), [rows]);

  return (
    <>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={splitBy}
        onChange={(_, value: SplitBy | null) => {
          if (!value) return;
          setSplitBy(value);
          setHidden(
            initiallyHidden(buildSeries(panel, value, theme, organisation)),
          );
        }}
        aria-label="Split the acceptance rate by"
        style={{ marginBottom: 8 }}
      >
        <ToggleButton value="language">By language</ToggleButton>
        <ToggleButton value="assistant">By assistant</ToggleButton>
      </ToggleButtonGroup>
      <SeriesToggles
        label="Series shown in the acceptance rate chart"
        series={series}
        hidden={hidden}
        onChange={setHidden}
      />
      <ChartFrame title="Acceptance rate over time (accepted ÷ shown, %)">
        {({ width, height }) => (
          <LineChart
            width={width}
            height={height}
            data={rows}
            margin={{ top: 8, right: 16, bottom: 24, left: 8 }}
          >
            <CartesianGrid {...chart.grid} />
            <XAxis
              {...timeAxis(chart, { ticks, spanMs: span, label: 'Time (UTC)' })}
            />
            <YAxis
              domain={[0, 100]}
              unit=" %"
              width={64}
              {...chart.axis}
              label={{
                ...valueAxisLabel(chart, 'Acceptance rate (%)'),
                offset: 4,
              }}
            />
            <Tooltip
              {...chart.tooltip}
              labelFormatter={t => formatTime(Number(t), step)}
              formatter={(value, name) => [
                `${Number(value).toFixed(1)} %`,
                series.find(s => s.key === name)?.label ?? name,
              ]}
            />
            <ReferenceLine
              y={ACCEPTANCE_ALERT_THRESHOLD * 100}
              stroke={theme.palette.text.secondary}
              strokeDasharray="2 4"
              label={{
                value: `alert below ${ACCEPTANCE_ALERT_THRESHOLD * 100} %`,
                position: 'insideTopRight',
                fill: theme.palette.text.secondary,
                fontSize: 11,
              }}
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
                  strokeWidth={s.width}
                  strokeOpacity={s.key === 'overall' ? 0.6 : 1}
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

/** Acceptance rate over time: overall, its 7-day moving average, and by language or assistant. */
export const AcceptanceRatePanel = (props: {
  state: PanelState<AcceptanceRatePanelResponse>;
  /** The organisation's 7-day moving average, drawn as a comparison line on a team's chart. */
  organisation?: Point[];
}) => (
  <PanelCard
    id="acceptance-rate"
    title="Acceptance rate"
    subheader="Share of shown suggestions that were accepted"
    state={props.state}
    isEmpty={p => p.data.overall.length === 0}
    emptyWhat="suggestions"
    tabular={p => table(p, props.organisation)}
    hasChart
  >
    {panel => (
      <AcceptanceChart panel={panel} organisation={props.organisation} />
    )}
  </PanelCard>
);
