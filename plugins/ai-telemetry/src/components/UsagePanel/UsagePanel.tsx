import { Link } from '@backstage/core-components';
import {
  UsageData,
  UsageFigures,
  UsagePanel as UsagePanelResponse,
  pointsOf,
} from '@fawkes/plugin-ai-telemetry-common';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { useTheme } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useMemo } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import {
  formatCompact,
  formatCount,
  formatDecimal,
  formatHours,
  formatTime,
  formatUsd,
  isoTime,
} from '../../lib/format';
import { seriesStyle } from '../../lib/palette';
import { keyedSeries, mergeSeries } from '../../lib/series';
import {
  ChartFrame,
  ticksOf,
  timeAxis,
  useChartTheme,
  valueAxisLabel,
} from '../ChartFrame';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';
import { tileChange } from '../../lib/change';
import { Tile } from '../Tile';

/** Token types in the order they stack, with the words the chart uses. */
const TOKEN_TYPE_LABELS: Record<string, string> = {
  input: 'Input',
  output: 'Output',
  cache_read: 'Cache read',
  cache_creation: 'Cache creation',
  reasoning: 'Reasoning',
};

function typeLabel(type: string): string {
  return TOKEN_TYPE_LABELS[type] ?? type;
}

function table(panel: UsagePanelResponse): Tabular {
  const data = panel.data;
  if (data.withheld) {
    return { header: ['figure', 'value'], rows: [['withheld', data.reason]] };
  }
  const types = data.tokensByType.map(s => s.name);
  const rows = mergeSeries({
    cost: data.cost ? pointsOf(data.cost) : [],
    ...keyedSeries(data.tokensByType),
  });
  return {
    header: ['start (UTC)', ...types.map(t => `tokens, ${t}`), 'cost (USD)'],
    rows: rows.map(r => [
      isoTime(r.t),
      ...types.map(t => r[t]),
      data.cost ? r.cost : null,
    ]),
  };
}

const Withheld = (props: { data: Extract<UsageData, { withheld: true }> }) => {
  const { data } = props;
  if (data.reason === 'noData') {
    return (
      <Alert severity="info" data-testid="usage-no-data">
        <AlertTitle>No assistant here reports tokens yet</AlertTitle>
        Tokens, cost, sessions and active time come from assistants that export
        OpenTelemetry metrics: Claude Code, Gemini CLI, Codex and Copilot Chat
        in VS Code. Each developer can point theirs at the portal under{' '}
        <Link to="/settings/ai-telemetry">Settings → AI Telemetry</Link>.
      </Alert>
    );
  }
  return (
    <Alert severity="info" data-testid="usage-withheld">
      <AlertTitle>Usage figures withheld to protect a few people</AlertTitle>
      {data.reason === 'differencing'
        ? `These figures would differ by fewer than ${data.minGroupSize} developers from another view you can open, so they are not shown.`
        : `Fewer than ${data.minGroupSize} developers here have an assistant reporting over OpenTelemetry in this time range, so their tokens and cost are not shown.`}{' '}
      The rest of the dashboard is unaffected.
    </Alert>
  );
};

const TokensChart = (props: {
  panel: UsagePanelResponse;
  data: UsageFigures;
}) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const { panel, data } = props;
  const rows = useMemo(
    () => mergeSeries(keyedSeries(data.tokensByType)),
    [data.tokensByType],
  );
  const ticks = useMemo(() => ticksOf(rows), [rows]);
  const unit = panel.step >= 86400 ? 'day' : 'hour';
  return (
    <ChartFrame title={`Tokens per ${unit}, stacked by type`} height={220}>
      {({ width, height }) => (
        <ComposedChart
          width={width}
          height={height}
          data={rows}
          margin={{ top: 8, right: 8, bottom: 24, left: 8 }}
        >
          <CartesianGrid {...chart.grid} />
          <XAxis
            {...timeAxis(chart, {
              ticks,
              spanMs: panel.window.end - panel.window.start,
              label: `${unit === 'day' ? 'Day' : 'Hour'} (UTC)`,
            })}
          />
          <YAxis
            width={64}
            tickFormatter={v => formatCompact(Number(v))}
            {...chart.axis}
            label={valueAxisLabel(chart, `Tokens per ${unit}`)}
          />
          <Tooltip
            {...chart.tooltip}
            labelFormatter={t => formatTime(Number(t), panel.step)}
            formatter={(value, name) => [
              formatCount(Number(value)),
              typeLabel(String(name)),
            ]}
          />
          {data.tokensByType.map((s, i) => {
            const style = seriesStyle(theme, i);
            return (
              <Area
                key={s.name}
                dataKey={s.name}
                name={s.name}
                stackId="types"
                type="linear"
                stroke={style.color}
                fill={style.color}
                fillOpacity={0.75}
                isAnimationActive={false}
              />
            );
          })}
        </ComposedChart>
      )}
    </ChartFrame>
  );
};

const ModelTable = (props: { data: UsageFigures }) => {
  const { byModel } = props.data;
  const types = Object.keys(TOKEN_TYPE_LABELS).filter(type =>
    byModel.some(m => (m.tokens[type] ?? 0) > 0),
  );
  return (
    <Table size="small" aria-label="Tokens and cost by model">
      <TableHead>
        <TableRow>
          <TableCell>Model</TableCell>
          {types.map(type => (
            <TableCell key={type} align="right">
              {typeLabel(type)}
            </TableCell>
          ))}
          <TableCell align="right">Cost</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {byModel.map(m => (
          <TableRow key={m.model}>
            <TableCell component="th" scope="row">
              {m.model}
            </TableCell>
            {types.map(type => (
              <TableCell key={type} align="right">
                {formatCompact(m.tokens[type] ?? 0)}
              </TableCell>
            ))}
            <TableCell align="right">
              {m.costUsd === null ? '—' : formatUsd(m.costUsd)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

const Figures = (props: { panel: UsagePanelResponse; data: UsageFigures }) => {
  const { panel, data } = props;
  const perDeveloper = (value: number) =>
    data.reportingDevelopers > 0 ? value / data.reportingDevelopers : 0;
  return (
    <Grid container spacing={2}>
      <Grid item xs={6} md={3}>
        <Tile
          label="Tokens"
          value={formatCompact(data.totalTokens)}
          change={tileChange(panel, 'totalTokens', data.totalTokens)}
          note={`${data.reportingDevelopers} developers reporting`}
        />
      </Grid>
      <Grid item xs={6} md={3}>
        <Tile
          label="Usage cost"
          change={tileChange(panel, 'totalCostUsd', data.totalCostUsd)}
          value={
            data.totalCostUsd === null ? '—' : formatUsd(data.totalCostUsd)
          }
          note={
            data.totalCostUsd === null
              ? 'No assistant reported a cost and no price is configured'
              : `${formatUsd(
                  perDeveloper(data.totalCostUsd),
                )} per reporting developer`
          }
        />
      </Grid>
      <Grid item xs={6} md={3}>
        <Tile
          label="Sessions"
          value={formatCount(data.sessions)}
          change={tileChange(panel, 'sessions', data.sessions)}
          note={`${formatDecimal(
            perDeveloper(data.sessions),
          )} per reporting developer`}
        />
      </Grid>
      <Grid item xs={6} md={3}>
        <Tile
          label="Active time"
          value={formatHours(data.activeSeconds.user)}
          change={tileChange(
            panel,
            'activeSecondsUser',
            data.activeSeconds.user,
          )}
          note={`developers at the keyboard; agents worked ${formatHours(
            data.activeSeconds.agent,
          )} on their own`}
        />
      </Grid>
      <Grid item xs={6} md={3}>
        <Tile
          label="Commits"
          value={formatCount(data.commits)}
          change={tileChange(panel, 'commits', data.commits)}
        />
      </Grid>
      <Grid item xs={6} md={3}>
        <Tile
          label="Pull requests"
          value={formatCount(data.pullRequests)}
          change={tileChange(panel, 'pullRequests', data.pullRequests)}
        />
      </Grid>
      <Grid item xs={12}>
        <TokensChart panel={panel} data={data} />
      </Grid>
      <Grid item xs={12}>
        <ModelTable data={data} />
      </Grid>
    </Grid>
  );
};

/**
 * Tokens and cost: what the assistants that report over OpenTelemetry consumed (tokens by type
 * and model, usage cost), with their sessions, active time, commits and pull requests.
 */
export const UsagePanel = (props: {
  state: PanelState<UsagePanelResponse>;
}) => (
  <PanelCard
    id="usage"
    title="Tokens and cost"
    subheader="From assistants that export OpenTelemetry metrics: Claude Code, Gemini CLI, Codex, Copilot Chat"
    state={props.state}
    isEmpty={p =>
      !p.data.withheld && p.data.totalTokens === 0 && p.data.sessions === 0
    }
    emptyWhat="assistant usage"
    tabular={table}
    hasChart
  >
    {panel =>
      panel.data.withheld ? (
        <Withheld data={panel.data} />
      ) : (
        <Figures panel={panel} data={panel.data} />
      )
    }
  </PanelCard>
);
