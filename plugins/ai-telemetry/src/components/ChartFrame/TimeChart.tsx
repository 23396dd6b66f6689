import { ComponentProps, ReactNode, useMemo } from 'react';
import {
  BarChart,
  CartesianGrid,
  ComposedChart,
  LineChart,
  Tooltip,
  XAxis,
} from 'recharts';
import { formatTime } from '../../lib/format';
import { barUnit, ticksOf, timeAxis } from './axes';
import { ChartFrame, useChartTheme } from './ChartFrame';

/** The recharts charts a time chart can be: bars take a band as their cursor, lines a line. */
const CHARTS = { line: LineChart, composed: ComposedChart, bar: BarChart };

const BAR_AXIS_LABELS = { day: 'Day (UTC)', hour: 'Hour (UTC)' };

const NO_ROWS: ReadonlyArray<{ t: number }> = [];

/** What the time axis runs over: time itself, or periods of uneven length. */
type Axis =
  | {
      /** Rows at `t` (epoch ms), sorted by time. */
      rows: ReadonlyArray<{ t: number }>;
      time: {
        /** Seconds a row covers, which the tooltip names it by. */
        step: number;
        /** The window's length (ms), which the tick labels follow. */
        spanMs: number;
        /** Below the axis; by default what a row covers, "Day (UTC)" or "Hour (UTC)". */
        label?: string;
      };
    }
  | {
      /** One row a period. */
      rows: ReadonlyArray<object>;
      /** The rows' field that names their period, on the axis and in the tooltip. */
      periodKey: string;
    };

/**
 * A titled chart over time in a {@link ChartFrame}: the grid, the time axis and a themed tooltip
 * headed by the row's time or period. The children draw the rest: the value axes, the series
 * and any reference line.
 */
export const TimeChart = (
  props: Axis & {
    title: string;
    height?: number;
    type: keyof typeof CHARTS;
    /** Room right of the plot (px), as for a reference line's label. */
    marginRight?: number;
    formatter: ComponentProps<typeof Tooltip>['formatter'];
    children: ReactNode;
  },
) => {
  const chart = useChartTheme();
  const { title, height, type, rows, marginRight = 8, formatter } = props;
  const time = 'time' in props ? props.time : undefined;
  const timeRows = 'time' in props ? props.rows : NO_ROWS;
  const ticks = useMemo(() => ticksOf(timeRows), [timeRows]);
  const Chart = CHARTS[type];
  return (
    <ChartFrame title={title} height={height}>
      {size => (
        <Chart
          {...size}
          data={rows}
          margin={{
            top: 8,
            right: marginRight,
            bottom: time ? 24 : 8,
            left: 8,
          }}
        >
          <CartesianGrid {...chart.grid} />
          {'periodKey' in props ? (
            <XAxis dataKey={props.periodKey} {...chart.axis} />
          ) : (
            <XAxis
              {...timeAxis(chart, {
                ticks,
                spanMs: props.time.spanMs,
                label:
                  props.time.label ?? BAR_AXIS_LABELS[barUnit(props.time.step)],
              })}
            />
          )}
          <Tooltip
            {...chart.tooltip}
            labelFormatter={
              time ? t => formatTime(Number(t), time.step) : undefined
            }
            formatter={formatter}
          />
          {props.children}
        </Chart>
      )}
    </ChartFrame>
  );
};

/**
 * The props of a recharts Area stacked under `stackId` in a time chart: the series under `key`,
 * outlined and filled in its colour, drawn at once.
 */
export function stackedArea(key: string, color: string, stackId: string) {
  return {
    dataKey: key,
    name: key,
    stackId,
    type: 'linear' as const,
    stroke: color,
    fill: color,
    fillOpacity: 0.75,
    isAnimationActive: false,
  };
}
