export { ChartFrame, useChartTheme } from './ChartFrame';
export { ticksOf, timeAxis, valueAxisLabel } from './axes';
