export { TeamComparisonPanel } from './TeamComparisonPanel';
