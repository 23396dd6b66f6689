export { OverviewPanel } from './OverviewPanel';
