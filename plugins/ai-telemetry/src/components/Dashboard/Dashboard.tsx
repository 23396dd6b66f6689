import {
  DashboardResponse,
  isPanelError,
  PanelId,
  PanelResponseById,
} from '@fawkes/plugin-ai-telemetry-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { PanelStates } from '../../hooks/usePanelStates';
import { AcceptanceRatePanel } from '../AcceptanceRatePanel';
import { AdoptionPanel } from '../AdoptionPanel';
import { AlertsBanner } from '../AlertsBanner';
import { FeatureUsagePanel } from '../FeatureUsagePanel';
import { LinesGeneratedPanel } from '../LinesGeneratedPanel';
import { OverviewPanel } from '../OverviewPanel';
import { TeamComparisonPanel } from '../TeamComparisonPanel';
import { TimeSavedPanel } from '../TimeSavedPanel';
import { UsagePanel } from '../UsagePanel';

function panelOf<Id extends PanelId>(
  dashboard: DashboardResponse | undefined,
  id: Id,
): PanelResponseById[Id] | undefined {
  const panel = dashboard?.panels[id];
  return panel && !isPanelError(panel)
    ? (panel as PanelResponseById[Id])
    : undefined;
}

/**
 * Every panel of a dashboard. With `organisation`, the figures are a team's, and the
 * organisation's are drawn beside them for comparison (the alerts, organisation-wide, and the
 * team comparison are left to the organisation page).
 */
export const Dashboard = (props: {
  panels: PanelStates;
  organisation?: DashboardResponse;
  team?: boolean;
}) => {
  const { panels, organisation, team } = props;
  const comparison = team ? organisation : undefined;
  return (
    <Grid container spacing={3}>
      {!team && (
        <Grid item xs={12}>
          <AlertsBanner state={panels.alerts} />
        </Grid>
      )}
      <Grid item xs={12}>
        <OverviewPanel
          state={panels.overview}
          organisation={panelOf(comparison, 'overview')?.data}
        />
      </Grid>
      <Grid item xs={12} lg={6}>
        <AcceptanceRatePanel
          state={panels.acceptanceRate}
          organisation={
            panelOf(comparison, 'acceptanceRate')?.data.movingAverage7d
          }
        />
      </Grid>
      <Grid item xs={12} lg={6}>
        <LinesGeneratedPanel state={panels.linesGenerated} />
      </Grid>
      <Grid item xs={12} lg={6}>
        <TimeSavedPanel
          state={panels.timeSaved}
          organisation={panelOf(comparison, 'timeSaved')?.data}
        />
      </Grid>
      <Grid item xs={12} lg={6}>
        <FeatureUsagePanel state={panels.featureUsage} />
      </Grid>
      <Grid item xs={12}>
        <UsagePanel state={panels.usage} />
      </Grid>
      <Grid item xs={12}>
        <AdoptionPanel state={panels.adoption} />
      </Grid>
      {!team && (
        <Grid item xs={12}>
          <TeamComparisonPanel state={panels.teamComparison} />
        </Grid>
      )}
      <Grid item xs={12}>
        <Typography variant="caption" color="textSecondary" component="p">
          Every figure pools enough developers that no one's can be told apart:
          the languages, assistants, models, features and activities that too
          few developers use are shown together as “other”.
        </Typography>
      </Grid>
    </Grid>
  );
};
