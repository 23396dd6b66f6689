export { ChartFrame, useChartTheme } from './ChartFrame';
export { barUnit, ticksOf, timeAxis, valueAxisLabel } from './axes';
export { stackedArea, TimeChart } from './TimeChart';
