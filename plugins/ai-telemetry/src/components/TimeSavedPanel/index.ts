export { TimeSavedPanel } from './TimeSavedPanel';
