export { AcceptanceRatePanel } from './AcceptanceRatePanel';
