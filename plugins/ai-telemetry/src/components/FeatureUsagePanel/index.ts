export { FeatureUsagePanel } from './FeatureUsagePanel';
