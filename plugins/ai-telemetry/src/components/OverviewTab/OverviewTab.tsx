import { isTooFewParticipants } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useDashboardView } from '../../hooks/useDashboardView';
import { useOrganisationDashboard } from '../../hooks/useDashboards';
import { useCopilotSeats, useGithubStatus } from '../../hooks/useGithub';
import { CopilotSeatsPanel } from '../CopilotSeatsPanel';
import { Dashboard } from '../Dashboard';
import { DashboardFilters } from '../DashboardFilters';
import { GithubImportCard, GithubImportNote } from '../GithubImportStatus';
import { StackHealthCard } from '../StackHealthCard';
import { TooFewParticipantsNotice } from '../TooFewParticipantsNotice';

/**
 * The organisation dashboard: filters in the URL, which figures come from the GitHub Copilot
 * import, then every panel, or why the privacy threshold withholds them; then the Copilot
 * seats, the import's state and the telemetry stack's.
 */
export const OverviewTab = () => {
  const { view, query, setView } = useDashboardView();
  const { panels, value } = useOrganisationDashboard(query);
  const githubStatus = useGithubStatus();
  const seats = useCopilotSeats();
  return (
    <>
      <DashboardFilters view={view} onChange={setView} window={value?.window} />
      <GithubImportNote state={githubStatus} detailsAt="below" />
      {value && isTooFewParticipants(value) ? (
        <TooFewParticipantsNotice answer={value} />
      ) : (
        <Dashboard panels={panels} />
      )}
      <Box mt={3}>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <CopilotSeatsPanel state={seats} />
          </Grid>
          <Grid item xs={12} md={6}>
            <GithubImportCard state={githubStatus} />
          </Grid>
          <Grid item xs={12} md={6}>
            <StackHealthCard />
          </Grid>
        </Grid>
      </Box>
    </>
  );
};
