import {
  LinesGeneratedPanel as LinesGeneratedPanelResponse,
  pointsOf,
} from '@fawkes/plugin-ai-telemetry-common';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { useMemo, useState } from 'react';
import { Area, Line, YAxis } from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import { formatCount, isoTime } from '../../lib/format';
import { seriesStyle } from '../../lib/palette';
import { byTotal, keyedSeries, mergeSeries } from '../../lib/series';
import { tileChange } from '../../lib/change';
import {
  barUnit,
  stackedArea,
  TimeChart,
  useChartTheme,
  valueAxisLabel,
} from '../ChartFrame';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';
import { SeriesToggles, ToggleableSeries } from '../SeriesToggles';

const CUMULATIVE = 'cumulative';

function table(panel: LinesGeneratedPanelResponse): Tabular {
  const languages = byTotal(panel.data.byLanguage);
  const rows = mergeSeries({
    total: pointsOf(panel.data.total),
    cumulative: pointsOf(panel.data.cumulative),
    ...keyedSeries(languages, 'lang:'),
  });
  return {
    header: [
      `${barUnit(panel.step)} (start, UTC)`,
      'lines, all languages',
      'cumulative lines',
      ...languages.map(s => `lines, ${s.name}`),
    ],
    rows: rows.map(r => [
      isoTime(r.t),
      r.total,
      r.cumulative,
      ...languages.map(s => r[`lang:${s.name}`]),
    ]),
  };
}

const LinesChart = (props: { panel: LinesGeneratedPanelResponse }) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const { panel } = props;
  const step = panel.step;
  const span = panel.window.end - panel.window.start;
  const languages = useMemo(
    () => byTotal(panel.data.byLanguage),
    [panel.data.byLanguage],
  );
  const series: ToggleableSeries[] = useMemo(
    () => [
      ...languages.map((s, i) => ({
        key: `lang:${s.name}`,
        label: s.name,
        ...seriesStyle(theme, i),
        dash: undefined,
      })),
      {
        key: CUMULATIVE,
        label: 'Cumulative total (right axis)',
        color: theme.palette.text.primary,
        dash: '6 3',
      },
    ],
    [languages, theme],
  );
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const rows = useMemo(
    () =>
      mergeSeries({
        [CUMULATIVE]: pointsOf(panel.data.cumulative),
        ...keyedSeries(languages, 'lang:'),
      }),
    [panel.data.cumulative, languages],
  );
  const unit = barUnit(step);

  return (
    <>
      <Typography variant="h4" component="p" style={{ fontWeight: 600 }}>
        {formatCount(panel.data.totalLines)}
        <Typography variant="body2" component="span" color="textSecondary">
          {' '}
          lines accepted in this range
        </Typography>
      </Typography>
      {tileChange(panel, 'totalLines', panel.data.totalLines) && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          data-testid="tile-change"
        >
          {tileChange(panel, 'totalLines', panel.data.totalLines)}
        </Typography>
      )}
      <SeriesToggles
        label="Series shown in the lines chart"
        series={series}
        hidden={hidden}
        onChange={setHidden}
      />
      <TimeChart
        title={`Lines accepted per ${unit}, stacked by language, and the running total`}
        type="composed"
        rows={rows}
        time={{ step, spanMs: span }}
        formatter={(value, name) => [
          formatCount(Number(value)),
          series.find(s => s.key === name)?.label ?? name,
        ]}
      >
        <YAxis
          yAxisId="bars"
          width={72}
          tickFormatter={v => formatCount(Number(v))}
          {...chart.axis}
          label={valueAxisLabel(chart, `Lines per ${unit}`)}
        />
        <YAxis
          yAxisId="total"
          orientation="right"
          width={80}
          tickFormatter={v => formatCount(Number(v))}
          {...chart.axis}
          label={valueAxisLabel(chart, 'Cumulative lines', 'right')}
        />
        {series
          .filter(s => s.key !== CUMULATIVE && !hidden.has(s.key))
          .map(s => (
            <Area
              key={s.key}
              yAxisId="bars"
              {...stackedArea(s.key, s.color, 'languages')}
            />
          ))}
        {!hidden.has(CUMULATIVE) && (
          <Line
            yAxisId="total"
            dataKey={CUMULATIVE}
            name={CUMULATIVE}
            stroke={theme.palette.text.primary}
            strokeDasharray="6 3"
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        )}
      </TimeChart>
    </>
  );
};

/** Lines accepted from assistants: stacked by language per day, and the cumulative total. */
export const LinesGeneratedPanel = (props: {
  state: PanelState<LinesGeneratedPanelResponse>;
}) => (
  <PanelCard
    id="lines-generated"
    title="Lines generated"
    subheader="Lines accepted from AI assistants"
    state={props.state}
    isEmpty={p => p.data.totalLines === 0}
    emptyWhat="accepted lines"
    tabular={table}
    hasChart
  >
    {panel => <LinesChart panel={panel} />}
  </PanelCard>
);
