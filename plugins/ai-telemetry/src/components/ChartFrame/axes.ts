import { Point } from '@fawkes/plugin-ai-telemetry-common';
import { formatTick, timeTicks } from '../../lib/format';
import { useChartTheme } from './ChartFrame';

type ChartTheme = ReturnType<typeof useChartTheme>;

/** What one bar of a chart over time covers, by its step (seconds): a day, or an hour. */
export function barUnit(stepSeconds: number): 'day' | 'hour' {
  return stepSeconds >= 86400 ? 'day' : 'hour';
}

/** Tick positions for a time axis over rows sorted by time (none for no rows). */
export function ticksOf(rows: ReadonlyArray<Pick<Point, 't'>>): number[] {
  return rows.length ? timeTicks(rows[0].t, rows[rows.length - 1].t) : [];
}

/**
 * The props of a recharts XAxis over time: the rows' `t` (epoch ms) from the first to the
 * last, ticks labelled for the given span (ms), a label below the axis.
 */
export function timeAxis(
  chart: ChartTheme,
  options: { ticks: number[]; spanMs: number; label: string },
) {
  return {
    dataKey: 't',
    type: 'number' as const,
    scale: 'time' as const,
    domain: ['dataMin', 'dataMax'] as [string, string],
    ticks: options.ticks,
    tickFormatter: (t: number) => formatTick(t, options.spanMs),
    ...chart.axis,
    label: {
      value: options.label,
      position: 'insideBottom' as const,
      offset: -16,
      ...chart.label,
    },
  };
}

/** The label of a recharts YAxis, turned to run along the axis. */
export function valueAxisLabel(
  chart: ChartTheme,
  value: string,
  side: 'left' | 'right' = 'left',
) {
  return {
    value,
    angle: side === 'left' ? -90 : 90,
    position:
      side === 'left' ? ('insideLeft' as const) : ('insideRight' as const),
    style: { textAnchor: 'middle' as const },
    ...chart.label,
  };
}
