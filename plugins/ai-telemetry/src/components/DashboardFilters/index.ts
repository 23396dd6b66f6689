export { DashboardFilters } from './DashboardFilters';
