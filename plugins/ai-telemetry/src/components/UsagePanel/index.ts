export { UsagePanel } from './UsagePanel';
