import { PanelId, PanelResponseById } from '@fawkes/plugin-ai-telemetry-common';
import { loadAcceptanceRate } from './acceptanceRate';
import { loadAlerts } from './alerts';
import { PanelContext } from './context';
import { loadFeatureUsage } from './featureUsage';
import { loadLinesGenerated } from './linesGenerated';
import { loadOverview } from './overview';
import { loadTimeSaved } from './timeSaved';
import { loadUsage } from './usage';

export type { PanelContext } from './context';

/** Computes each panel's data from its queries' results. */
export const PANEL_LOADERS: {
  [K in PanelId]: (ctx: PanelContext) => Promise<PanelResponseById[K]['data']>;
} = {
  overview: loadOverview,
  acceptanceRate: loadAcceptanceRate,
  linesGenerated: loadLinesGenerated,
  timeSaved: loadTimeSaved,
  featureUsage: loadFeatureUsage,
  usage: loadUsage,
  alerts: loadAlerts,
};
