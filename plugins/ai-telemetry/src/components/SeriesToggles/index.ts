export { SeriesToggles } from './SeriesToggles';
export type { ToggleableSeries } from './SeriesToggles';
