import { Link } from '@backstage/core-components';
import {
  NamedSeries,
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
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { useMemo, useState } from 'react';
import { Area, YAxis } from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import {
  formatCompact,
  formatCount,
  formatDecimal,
  formatHours,
  formatUnitCost,
  formatUsd,
  isoTime,
} from '../../lib/format';
import { seriesStyle } from '../../lib/palette';
import { keyedSeries, mergeSeries } from '../../lib/series';
import {
  barUnit,
  stackedArea,
  TimeChart,
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

/** Why a cost figure is missing. */
const NO_COST = 'No assistant reported a cost and no price is configured';

/** What the usage chart draws: tokens or cost, stacked by token type, assistant or model. */
type Measure = 'tokens' | 'cost';
type Breakdown = 'type' | 'assistant' | 'model';

const BREAKDOWN_WORDS: Record<Breakdown, string> = {
  type: 'type',
  assistant: 'assistant',
  model: 'model',
};

function seriesFor(
  data: UsageFigures,
  measure: Measure,
  breakdown: Breakdown,
): NamedSeries[] {
  if (measure === 'cost') {
    return breakdown === 'model' ? data.costByModel : data.costByAssistant;
  }
  if (breakdown === 'assistant') return data.tokensByAssistant;
  if (breakdown === 'model') return data.tokensByModel;
  return data.tokensByType;
}

const UsageChart = (props: {
  panel: UsagePanelResponse;
  data: UsageFigures;
}) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const { panel, data } = props;
  const hasCost = data.costByAssistant.length > 0;
  const [measure, setMeasure] = useState<Measure>('tokens');
  const [chosen, setBreakdown] = useState<Breakdown>('type');
  // Cost has no token type: it is drawn by assistant unless by model was chosen.
  const breakdown: Breakdown =
    measure === 'cost' && chosen === 'type' ? 'assistant' : chosen;
  const series = seriesFor(data, measure, breakdown);
  const rows = useMemo(() => mergeSeries(keyedSeries(series)), [series]);
  const unit = barUnit(panel.step);
  const what = measure === 'tokens' ? 'Tokens' : 'Usage cost (USD)';
  const format = (v: number) =>
    measure === 'tokens' ? formatCompact(v) : formatUsd(v);
  const nameOf = (name: string) =>
    breakdown === 'type' ? typeLabel(name) : name;
  return (
    <>
      <Grid container spacing={2} alignItems="center">
        <Grid item>
          <ToggleButtonGroup
            size="small"
            exclusive
            value={measure}
            onChange={(_, value: Measure | null) => value && setMeasure(value)}
            aria-label="What the chart shows"
          >
            <ToggleButton value="tokens">Tokens</ToggleButton>
            <ToggleButton value="cost" disabled={!hasCost}>
              Cost
            </ToggleButton>
          </ToggleButtonGroup>
        </Grid>
        <Grid item>
          <ToggleButtonGroup
            size="small"
            exclusive
            value={breakdown}
            onChange={(_, value: Breakdown | null) =>
              value && setBreakdown(value)
            }
            aria-label="Stacked by"
          >
            <ToggleButton value="type" disabled={measure === 'cost'}>
              By type
            </ToggleButton>
            <ToggleButton value="assistant">By assistant</ToggleButton>
            <ToggleButton value="model">By model</ToggleButton>
          </ToggleButtonGroup>
        </Grid>
      </Grid>
      <TimeChart
        title={`${what} per ${unit}, stacked by ${BREAKDOWN_WORDS[breakdown]}`}
        height={220}
        type="composed"
        rows={rows}
        time={{
          step: panel.step,
          spanMs: panel.window.end - panel.window.start,
        }}
        formatter={(value, name) => [
          measure === 'tokens'
            ? formatCount(Number(value))
            : formatUsd(Number(value)),
          nameOf(String(name)),
        ]}
      >
        <YAxis
          width={64}
          tickFormatter={v => format(Number(v))}
          {...chart.axis}
          label={valueAxisLabel(chart, `${what} per ${unit}`)}
        />
        {series.map((s, i) => (
          <Area
            key={s.name}
            {...stackedArea(s.name, seriesStyle(theme, i).color, 'stack')}
          />
        ))}
      </TimeChart>
    </>
  );
};

const AssistantTable = (props: { data: UsageFigures }) => (
  <Table size="small" aria-label="Tokens, cost and accepted lines by assistant">
    <TableHead>
      <TableRow>
        <TableCell>Assistant</TableCell>
        <TableCell align="right">Tokens</TableCell>
        <TableCell align="right">Cost</TableCell>
        <TableCell align="right">Accepted lines</TableCell>
        <TableCell align="right">Cost per accepted line</TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {props.data.byAssistant.map(a => (
        <TableRow key={a.assistant}>
          <TableCell component="th" scope="row">
            {a.assistant}
          </TableCell>
          <TableCell align="right">{formatCompact(a.totalTokens)}</TableCell>
          <TableCell align="right">
            {a.costUsd === null ? '—' : formatUsd(a.costUsd)}
          </TableCell>
          <TableCell align="right">{formatCount(a.acceptedLines)}</TableCell>
          <TableCell align="right">
            {a.costUsd === null || a.acceptedLines === 0
              ? '—'
              : formatUnitCost(a.costUsd / a.acceptedLines)}
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

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

/** Which assistants the cost per accepted line is over, or why there is none. */
function costPerLineNote(data: UsageFigures): string {
  if (data.costPerAcceptedLine) {
    const { lines, assistants } = data.costPerAcceptedLine;
    return `${formatCount(lines)} lines and their cost, from ${assistants.join(
      ', ',
    )}`;
  }
  return data.totalCostUsd === null
    ? NO_COST
    : 'No accepted lines from the assistants with a cost';
}

/**
 * Time at the keyboard, with the agents' own time beside it; the total alone where the split is
 * pooled (too few developers have agents working to show it apart).
 */
const ActiveTimeTile = (props: {
  panel: UsagePanelResponse;
  active: UsageFigures['activeSeconds'];
}) => {
  const { panel, active } = props;
  if (active.user === null || active.agent === null) {
    return (
      <Tile
        label="Active time"
        value={formatHours(active.total)}
        change={tileChange(panel, 'activeSeconds', active.total)}
        note="developers and agents together: too few developers have agents working to show them apart"
      />
    );
  }
  return (
    <Tile
      label="Active time"
      value={formatHours(active.user)}
      change={tileChange(panel, 'activeSecondsUser', active.user)}
      note={`developers at the keyboard; agents worked ${formatHours(
        active.agent,
      )} on their own`}
    />
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
              ? NO_COST
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
        <ActiveTimeTile panel={panel} active={data.activeSeconds} />
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
      <Grid item xs={6} md={3}>
        <Tile
          label="Cost per accepted line"
          value={
            data.costPerAcceptedLine === null
              ? '—'
              : formatUnitCost(data.costPerAcceptedLine.usd)
          }
          change={tileChange(
            panel,
            'costPerAcceptedLine',
            data.costPerAcceptedLine?.usd ?? null,
          )}
          note={costPerLineNote(data)}
        />
      </Grid>
      <Grid item xs={12}>
        <UsageChart panel={panel} data={data} />
      </Grid>
      <Grid item xs={12}>
        <AssistantTable data={data} />
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
