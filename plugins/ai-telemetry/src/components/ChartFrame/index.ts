export { ChartFrame, useChartTheme } from './ChartFrame';
