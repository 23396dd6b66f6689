import { Point } from '@fawkes/plugin-ai-telemetry-common';
import Grid from '@material-ui/core/Grid';
import { useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import {
  formatCount,
  formatDecimal,
  formatPercent,
  formatTick,
  timeTicks,
  formatTime,
  isoTime,
} from '../../lib/format';
import { PersonalDaily } from '../../lib/myData';
import { signalColours } from '../../lib/palette';
import { ACCEPTANCE_ALERT_THRESHOLD } from '../../lib/thresholds';
import { ChartFrame, useChartTheme } from '../ChartFrame';
import { PanelCard } from '../PanelCard';

const DAY = 86400;

/** The personal figures, in the shape a PanelCard takes (no PromQL: computed in the browser). */
export type PersonalPanel = { queries: []; data: PersonalDaily };

const dayAxis = {
  dataKey: 't',
  type: 'number' as const,
  scale: 'time' as const,
  domain: ['dataMin', 'dataMax'] as [string, string],
  // Month and day: the tooltip and the table give the year.
  tickFormatter: (t: number) => formatTick(t, 3 * DAY * 1000),
};

function dayTicks(points: Point[]): number[] {
  return points.length
    ? timeTicks(points[0].t, points[points.length - 1].t)
    : [];
}

const DailyBars = (props: {
  title: string;
  points: Point[];
  unit: string;
  yLabel: string;
  color: string;
}) => {
  const chart = useChartTheme();
  const theme = useTheme();
  return (
    <ChartFrame title={props.title} height={220}>
      {({ width, height }) => (
        <BarChart
          width={width}
          height={height}
          data={props.points}
          margin={{ top: 8, right: 16, bottom: 24, left: 8 }}
        >
          <CartesianGrid {...chart.grid} vertical={false} />
          <XAxis
            {...dayAxis}
            ticks={dayTicks(props.points)}
            padding={{ left: 12, right: 12 }}
            {...chart.axis}
            label={{
              value: 'Day (UTC)',
              position: 'insideBottom',
              offset: -16,
              ...chart.label,
            }}
          />
          <YAxis
            width={64}
            tickFormatter={v => formatDecimal(Number(v))}
            {...chart.axis}
            label={{
              value: props.yLabel,
              angle: -90,
              position: 'insideLeft',
              style: { textAnchor: 'middle' },
              ...chart.label,
            }}
          />
          <Tooltip
            {...chart.tooltip}
            cursor={{ fill: theme.palette.action.hover }}
            labelFormatter={t => formatTime(Number(t), DAY)}
            formatter={v => [
              `${formatDecimal(Number(v))} ${props.unit}`,
              props.yLabel,
            ]}
          />
          <Bar dataKey="v" fill={props.color} isAnimationActive={false} />
        </BarChart>
      )}
    </ChartFrame>
  );
};

function acceptanceSummary(data?: PersonalDaily): string {
  if (!data || data.totals.suggestions === 0)
    return 'Accepted ÷ shown, per day';
  const rate = data.totals.accepted / data.totals.suggestions;
  return `${formatPercent(rate)} of ${formatCount(
    data.totals.suggestions,
  )} suggestions`;
}

/** The developer's own acceptance rate, lines and time saved per day. */
export const PersonalCharts = (props: { state: PanelState<PersonalPanel> }) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const colours = signalColours(theme);
  const { state } = props;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} lg={4}>
        <PanelCard
          id="my-acceptance-rate"
          title="My acceptance rate"
          subheader={acceptanceSummary(state.panel?.data)}
          state={state}
          showsQueries={false}
          isEmpty={p => p.data.acceptanceRate.length === 0}
          emptyWhat="suggestions of yours"
          tabular={p => ({
            header: ['day (UTC)', 'suggestions shown', 'acceptance (0..1)'],
            rows: p.data.suggestions.map(s => [
              isoTime(s.t).slice(0, 10),
              s.v,
              p.data.acceptanceRate.find(a => a.t === s.t)?.v,
            ]),
          })}
          hasChart
        >
          {p => (
            <ChartFrame title="My acceptance rate per day (%)" height={220}>
              {({ width, height }) => (
                <LineChart
                  width={width}
                  height={height}
                  data={p.data.acceptanceRate.map(a => ({
                    t: a.t,
                    v: a.v * 100,
                  }))}
                  margin={{ top: 8, right: 16, bottom: 24, left: 8 }}
                >
                  <CartesianGrid {...chart.grid} />
                  <XAxis
                    {...dayAxis}
                    ticks={dayTicks(p.data.acceptanceRate)}
                    {...chart.axis}
                    label={{
                      value: 'Day (UTC)',
                      position: 'insideBottom',
                      offset: -16,
                      ...chart.label,
                    }}
                  />
                  <YAxis
                    domain={[0, 100]}
                    unit=" %"
                    width={64}
                    {...chart.axis}
                    label={{
                      value: 'Acceptance (%)',
                      angle: -90,
                      position: 'insideLeft',
                      style: { textAnchor: 'middle' },
                      ...chart.label,
                    }}
                  />
                  <Tooltip
                    {...chart.tooltip}
                    labelFormatter={t => formatTime(Number(t), DAY)}
                    formatter={v => [`${Number(v).toFixed(1)} %`, 'acceptance']}
                  />
                  <ReferenceLine
                    y={ACCEPTANCE_ALERT_THRESHOLD * 100}
                    stroke={theme.palette.text.secondary}
                    strokeDasharray="2 4"
                  />
                  <Line
                    dataKey="v"
                    stroke={colours.primary}
                    strokeWidth={2}
                    dot={{ r: 2 }}
                    isAnimationActive={false}
                  />
                </LineChart>
              )}
            </ChartFrame>
          )}
        </PanelCard>
      </Grid>
      <Grid item xs={12} lg={4}>
        <PanelCard
          id="my-lines"
          title="My accepted lines"
          subheader={
            state.panel
              ? `${state.panel.data.totals.lines} lines in total`
              : 'Lines accepted per day'
          }
          state={state}
          showsQueries={false}
          isEmpty={p => p.data.lines.length === 0}
          emptyWhat="accepted lines of yours"
          tabular={p => ({
            header: ['day (UTC)', 'lines accepted'],
            rows: p.data.lines.map(l => [isoTime(l.t).slice(0, 10), l.v]),
          })}
          hasChart
        >
          {p => (
            <DailyBars
              title="Lines I accepted per day"
              points={p.data.lines}
              unit="lines"
              yLabel="Lines"
              color={colours.primary}
            />
          )}
        </PanelCard>
      </Grid>
      <Grid item xs={12} lg={4}>
        <PanelCard
          id="my-time-saved"
          title="My time saved"
          subheader={
            state.panel
              ? `${formatDecimal(
                  state.panel.data.totals.hoursSaved,
                )} hours in total (estimate)`
              : 'Estimated hours saved per day'
          }
          state={state}
          showsQueries={false}
          isEmpty={p => p.data.hoursSaved.length === 0}
          emptyWhat="time saved of yours"
          tabular={p => ({
            header: ['day (UTC)', 'hours saved'],
            rows: p.data.hoursSaved.map(h => [isoTime(h.t).slice(0, 10), h.v]),
          })}
          hasChart
        >
          {p => (
            <DailyBars
              title="Hours I saved per day (estimate)"
              points={p.data.hoursSaved}
              unit="h"
              yLabel="Hours"
              color={colours.accent}
            />
          )}
        </PanelCard>
      </Grid>
    </Grid>
  );
};
