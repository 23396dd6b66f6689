import {
  RoiEstimate,
  TimeSavedData,
  TimeSavedPanel as TimeSavedPanelResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { PanelState } from '../../hooks/usePanelStates';
import { formatDecimal, formatMoney, formatUsd } from '../../lib/format';
import { seriesStyle } from '../../lib/palette';
import { ChartFrame, useChartTheme } from '../ChartFrame';
import { Tabular } from '../DataTable';
import { PanelCard } from '../PanelCard';
import { tileChange } from '../../lib/change';
import { Tile } from '../Tile';

const useStyles = makeStyles(theme => ({
  formula: {
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre-wrap',
    color: theme.palette.text.primary,
    background: theme.palette.action.hover,
    padding: theme.spacing(1),
    borderRadius: theme.shape.borderRadius,
    margin: theme.spacing(1, 0),
  },
  inputs: { margin: 0, paddingLeft: theme.spacing(2.5) },
}));

function table(data: TimeSavedData): Tabular {
  const { roi } = data;
  return {
    header: ['figure', 'value'],
    rows: [
      ['hours saved', data.totalHours],
      ['active users', data.activeUsers],
      ['hours per active user', data.hoursPerActiveUser],
      ...data.byActivity.map(
        a => [`hours saved: ${a.activity}`, a.hours] as [string, number],
      ),
      ['roi: formula', roi.formula],
      ['roi: hourly cost', roi.inputs.hourlyCost],
      ['roi: seat cost per month', roi.inputs.seatCostPerMonth],
      ['roi: days', roi.inputs.days],
      ['roi: days per month', roi.inputs.daysPerMonth],
      ['roi: value of time saved', roi.valueOfTimeSaved],
      ['roi: seat cost', roi.seatCost],
      ['roi: usage cost (USD)', roi.inputs.usageCostUsd],
      ['roi: total cost', roi.totalCost],
      ['roi: net', roi.net],
      ['roi: ratio', roi.ratio],
    ],
  };
}

const RoiTile = (props: { roi: RoiEstimate }) => {
  const classes = useStyles();
  const { roi } = props;
  const { inputs } = roi;
  return (
    <Tile
      label="Return on investment"
      heading="Return on investment (estimate)"
      value={roi.ratio === null ? '—' : `${formatDecimal(roi.ratio)} ×`}
    >
      <Typography variant="body2">
        value {formatMoney(roi.valueOfTimeSaved)} − seats{' '}
        {formatMoney(roi.seatCost)}
        {inputs.usageCostUsd !== null &&
          ` − usage ${formatMoney(inputs.usageCostUsd)}`}{' '}
        = net {formatMoney(roi.net)}
      </Typography>
      <pre className={classes.formula} aria-label="ROI formula">
        {roi.formula.replace(/; /g, '\n')}
      </pre>
      <Typography variant="caption" color="textSecondary" component="div">
        Inputs:
        <ul className={classes.inputs}>
          <li>
            hoursSaved = {formatDecimal(inputs.hoursSaved)} (estimate: lines ×
            seconds per line)
          </li>
          <li>hourlyCost = {formatMoney(inputs.hourlyCost)} (configured)</li>
          <li>
            seatCostPerMonth = {formatMoney(inputs.seatCostPerMonth)}{' '}
            (configured)
          </li>
          <li>activeUsers = {inputs.activeUsers} (measured)</li>
          <li>days = {formatDecimal(inputs.days)}</li>
          <li>daysPerMonth = {inputs.daysPerMonth}</li>
          <li>
            usageCostUsd ={' '}
            {inputs.usageCostUsd === null
              ? 'not counted (no assistant in view reports its usage over OpenTelemetry, or too few developers do for it to be shown)'
              : `${formatUsd(
                  inputs.usageCostUsd,
                )} (measured: the assistants' own cost, or tokens × configured price)`}
          </li>
        </ul>
      </Typography>
    </Tile>
  );
};

const ActivityChart = (props: { data: TimeSavedData }) => {
  const theme = useTheme();
  const chart = useChartTheme();
  const rows = props.data.byActivity;
  return (
    <ChartFrame title="Hours saved by activity" height={180}>
      {({ width, height }) => (
        <BarChart
          width={width}
          height={height}
          data={rows}
          layout="vertical"
          margin={{ top: 4, right: 24, bottom: 24, left: 8 }}
        >
          <CartesianGrid {...chart.grid} horizontal={false} />
          <XAxis
            type="number"
            tickFormatter={v => formatDecimal(Number(v))}
            {...chart.axis}
            label={{
              value: 'Hours saved',
              position: 'insideBottom',
              offset: -14,
              ...chart.label,
            }}
          />
          <YAxis
            type="category"
            dataKey="activity"
            width={124}
            {...chart.axis}
          />
          <Tooltip
            {...chart.tooltip}
            cursor={{ fill: theme.palette.action.hover }}
            formatter={value => [`${formatDecimal(Number(value))} h`, 'saved']}
          />
          <Bar dataKey="hours" isAnimationActive={false}>
            {rows.map((row, i) => (
              <Cell key={row.activity} fill={seriesStyle(theme, i).color} />
            ))}
          </Bar>
        </BarChart>
      )}
    </ChartFrame>
  );
};

/** Estimated time saved: total, per active developer, by activity, and the ROI tile. */
export const TimeSavedPanel = (props: {
  state: PanelState<TimeSavedPanelResponse>;
  /** The organisation's figures, shown beside a team's. */
  organisation?: TimeSavedData;
}) => {
  const { organisation } = props;
  return (
    <PanelCard
      id="time-saved"
      title="Time saved"
      subheader="Estimated from accepted lines: lines × seconds per line − waiting time"
      state={props.state}
      isEmpty={p => p.data.totalHours === 0}
      emptyWhat="time saved"
      tabular={p => table(p.data)}
      hasChart
    >
      {panel => {
        const { data } = panel;
        return (
          <Grid container spacing={2}>
            <Grid item xs={12} xl={6}>
              <Grid container spacing={2}>
                <Grid item xs={12} sm={6}>
                  <Tile
                    label="Total hours saved"
                    value={`${formatDecimal(data.totalHours)} h`}
                    change={tileChange(panel, 'totalHours', data.totalHours)}
                  />
                </Grid>
                <Grid item xs={12} sm={6}>
                  <Tile
                    label="Hours saved per active developer"
                    heading="Per active developer"
                    change={tileChange(
                      panel,
                      'hoursPerActiveUser',
                      data.hoursPerActiveUser,
                    )}
                    value={
                      data.hoursPerActiveUser === null
                        ? '—'
                        : `${formatDecimal(data.hoursPerActiveUser)} h`
                    }
                    note={`${data.activeUsers} active developers${
                      organisation && organisation.hoursPerActiveUser !== null
                        ? `; organisation: ${formatDecimal(
                            organisation.hoursPerActiveUser,
                          )} h`
                        : ''
                    }`}
                  />
                </Grid>
                <Grid item xs={12}>
                  <ActivityChart data={data} />
                </Grid>
              </Grid>
            </Grid>
            <Grid item xs={12} xl={6}>
              <RoiTile roi={data.roi} />
            </Grid>
          </Grid>
        );
      }}
    </PanelCard>
  );
};
