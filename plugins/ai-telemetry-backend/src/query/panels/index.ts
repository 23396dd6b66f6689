import { PanelId } from '@fawkes/plugin-ai-telemetry-common';
import { acceptanceRatePanel } from './acceptanceRate';
import { adoptionPanel } from './adoption';
import { alertsPanel } from './alerts';
import { featureUsagePanel } from './featureUsage';
import { linesGeneratedPanel } from './linesGenerated';
import { overviewPanel } from './overview';
import { Panel } from './panel';
import { teamComparisonPanel } from './teamComparison';
import { timeSavedPanel } from './timeSaved';
import { usagePanel } from './usage';

export type {
  ComparableTeam,
  PanelContext,
  PanelData,
  UsageVisibility,
} from './panel';
export { ignoredFilters } from './panel';

/** Every panel of the dashboard, one module each. */
export const PANELS: { [K in PanelId]: Panel<K> } = {
  overview: overviewPanel,
  acceptanceRate: acceptanceRatePanel,
  linesGenerated: linesGeneratedPanel,
  timeSaved: timeSavedPanel,
  featureUsage: featureUsagePanel,
  usage: usagePanel,
  adoption: adoptionPanel,
  teamComparison: teamComparisonPanel,
  alerts: alertsPanel,
};
