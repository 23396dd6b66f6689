export { PanelCard } from './PanelCard';
export type { PanelCardProps } from './PanelCard';
