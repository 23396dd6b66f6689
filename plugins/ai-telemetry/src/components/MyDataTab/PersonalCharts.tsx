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
import { ReactNode } from 'react';
import { PanelState } from '../../hooks/usePanelStates';
import {
  formatCompact,
  formatCount,
  formatDecimal,
  formatHours,
  formatPercent,
  formatTime,
  formatUsd,
  isoTime,
} from '../../lib/format';
import { PersonalDaily } from '../../lib/myData';
import { signalColours } from '../../lib/palette';
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

const DAY = 86400;

/** The personal figures, in the shape a PanelCard takes (no PromQL: computed in the browser). */
export type PersonalPanel = { queries: []; data: PersonalDaily };

/** A day axis over the points' `t` (epoch ms) for the given chart theme. */
function dayAxis(chart: ReturnType<typeof useChartTheme>, points: Point[]) {
  return timeAxis(chart, {
    ticks: ticksOf(points),
    // Month and day: the tooltip and the table give the year.
    spanMs: 3 * DAY * 1000,
    label: 'Day (UTC)',
  });
}

function day(t: number): string {
  return isoTime(t).slice(0, 10);
}

/** One value per day, as a table of day and value. */
function dailyTable(column: string, points: Point[]): Tabular {
  return {
    header: ['day (UTC)', column],
    rows: points.map(p => [day(p.t), p.v]),
  };
}

/** One of the personal cards: a PanelCard over the personal figures, a third of a row wide. */
const PersonalCard = (props: {
  id: string;
  title: string;
  subheader: string;
  state: PanelState<PersonalPanel>;
  /** The points the card charts: none means nothing to show. */
  points: (data: PersonalDaily) => Point[];
  emptyWhat: string;
  tabular: (data: PersonalDaily) => Tabular;
  children: (data: PersonalDaily) => ReactNode;
  wide?: boolean;
}) => (
  <Grid item xs={12} lg={props.wide ? 12 : 4}>
    <PanelCard
      id={props.id}
      title={props.title}
      subheader={props.subheader}
      state={props.state}
      showsQueries={false}
      isEmpty={p => props.points(p.data).length === 0}
      emptyWhat={props.emptyWhat}
      tabular={p => props.tabular(p.data)}
      hasChart
    >
      {p => props.children(p.data)}
    </PanelCard>
  </Grid>
);

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
            {...dayAxis(chart, props.points)}
            padding={{ left: 12, right: 12 }}
          />
          <YAxis
            width={64}
            tickFormatter={v => formatDecimal(Number(v))}
            {...chart.axis}
            label={valueAxisLabel(chart, props.yLabel)}
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

function usageSummary(data?: PersonalDaily): string {
  if (!data || data.tokens.length === 0) {
    return 'From assistants that report over OpenTelemetry (Claude Code, Gemini CLI, Codex, Copilot Chat)';
  }
  const t = data.totals;
  return [
    `${formatCompact(t.tokens)} tokens`,
    `${formatUsd(t.costUsd)}`,
    `${formatCount(t.sessions)} sessions`,
    `${formatHours(t.activeSeconds.user)} active (agents ${formatHours(
      t.activeSeconds.agent,
    )})`,
    `${formatCount(t.commits)} commits`,
    `${formatCount(t.pullRequests)} pull requests`,
  ].join(' · ');
}

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
      <PersonalCard
        id="my-acceptance-rate"
        title="My acceptance rate"
        subheader={acceptanceSummary(state.panel?.data)}
        state={state}
        points={d => d.acceptanceRate}
        emptyWhat="suggestions of yours"
        tabular={d => ({
          header: ['day (UTC)', 'suggestions shown', 'acceptance (0..1)'],
          rows: d.suggestions.map(s => [
            day(s.t),
            s.v,
            d.acceptanceRate.find(a => a.t === s.t)?.v,
          ]),
        })}
      >
        {d => (
          <ChartFrame title="My acceptance rate per day (%)" height={220}>
            {({ width, height }) => (
              <LineChart
                width={width}
                height={height}
                data={d.acceptanceRate.map(a => ({ t: a.t, v: a.v * 100 }))}
                margin={{ top: 8, right: 16, bottom: 24, left: 8 }}
              >
                <CartesianGrid {...chart.grid} />
                <XAxis {...dayAxis(chart, d.acceptanceRate)} />
                <YAxis
                  domain={[0, 100]}
                  unit=" %"
                  width={64}
                  {...chart.axis}
                  label={valueAxisLabel(chart, 'Acceptance (%)')}
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
      </PersonalCard>
      <PersonalCard
        id="my-lines"
        title="My accepted lines"
        subheader={
          state.panel
            ? `${state.panel.data.totals.lines} lines in total`
            : 'Lines accepted per day'
        }
        state={state}
        points={d => d.lines}
        emptyWhat="accepted lines of yours"
        tabular={d => dailyTable('lines accepted', d.lines)}
      >
        {d => (
          <DailyBars
            title="Lines I accepted per day"
            points={d.lines}
            unit="lines"
            yLabel="Lines"
            color={colours.primary}
          />
        )}
      </PersonalCard>
      <PersonalCard
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
        points={d => d.hoursSaved}
        emptyWhat="time saved of yours"
        tabular={d => dailyTable('hours saved', d.hoursSaved)}
      >
        {d => (
          <DailyBars
            title="Hours I saved per day (estimate)"
            points={d.hoursSaved}
            unit="h"
            yLabel="Hours"
            color={colours.accent}
          />
        )}
      </PersonalCard>
      <PersonalCard
        id="my-usage"
        title="My assistant usage"
        subheader={usageSummary(state.panel?.data)}
        state={state}
        points={d => d.tokens}
        emptyWhat="assistant tokens of yours"
        tabular={d => ({
          header: ['day (UTC)', 'tokens', 'cost (USD)'],
          rows: d.tokens.map(p => [
            day(p.t),
            p.v,
            d.costUsd.find(c => c.t === p.t)?.v ?? 0,
          ]),
        })}
        wide
      >
        {d => (
          <DailyBars
            title="Tokens my assistants used per day"
            points={d.tokens}
            unit="tokens"
            yLabel="Tokens"
            color={colours.primary}
          />
        )}
      </PersonalCard>
    </Grid>
  );
};
