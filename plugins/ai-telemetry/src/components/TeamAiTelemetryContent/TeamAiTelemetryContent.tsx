import { useEntity } from '@backstage/plugin-catalog-react';
import { aiTelemetryTeamReadPermission } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useMemo } from 'react';
import { useDashboardView } from '../../hooks/useDashboardView';
import { useTeamDashboard } from '../../hooks/useDashboards';
import { useGithubStatus } from '../../hooks/useGithub';
import { Dashboard } from '../Dashboard';
import { DashboardFilters } from '../DashboardFilters';
import { GithubImportNote } from '../GithubImportStatus';
import { TooFewParticipantsNotice } from '../TooFewParticipantsNotice';

/**
 * The "AI Telemetry" tab of a Group entity page: the team's panels with the organisation as a
 * comparison, or no figures under the privacy threshold, with the reason
 * (docs/privacy-model.md#the-privacy-threshold).
 */
export const TeamAiTelemetryContent = () => {
  const { entity } = useEntity();
  const team = useMemo(
    () => ({
      namespace: entity.metadata.namespace ?? 'default',
      name: entity.metadata.name,
    }),
    [entity.metadata.namespace, entity.metadata.name],
  );
  const { view, query, setView } = useDashboardView();
  const state = useTeamDashboard(team, query);
  const githubStatus = useGithubStatus();
  const title =
    entity.metadata.title ?? state.value?.team.title ?? entity.metadata.name;

  let body;
  if (state.error?.statusCode === 403) {
    body = (
      <Alert severity="warning" data-testid="team-forbidden">
        <AlertTitle>You cannot see this team's AI telemetry</AlertTitle>
        Team figures need the permission{' '}
        <code>{aiTelemetryTeamReadPermission.name}</code>, which team leads
        usually have. Ask your portal administrator if you should have it. The
        organisation's figures are on the AI Telemetry page. (
        {state.error.message})
      </Alert>
    );
  } else if (state.value?.tooFewParticipants) {
    body = <TooFewParticipantsNotice answer={state.value} />;
  } else {
    body = (
      <>
        <GithubImportNote
          state={githubStatus}
          detailsAt="on the AI Telemetry page"
        />
        {state.value && (
          <Typography variant="body2" color="textSecondary" paragraph>
            {title}: its members and the members of its child groups who opted
            in (at least {state.value.minGroupSize} with data). The organisation
            is shown for comparison.
          </Typography>
        )}
        <Dashboard
          panels={state.panels}
          organisation={state.organisation}
          team
        />
      </>
    );
  }

  return (
    <Box data-testid="team-ai-telemetry">
      <DashboardFilters
        view={view}
        onChange={setView}
        window={state.value?.window}
      />
      {state.error && state.error.statusCode !== 403 && (
        <Box mb={2}>
          <Alert
            severity="error"
            action={
              <Button color="inherit" size="small" onClick={state.retry}>
                Retry
              </Button>
            }
          >
            <AlertTitle>Could not load the team's AI telemetry</AlertTitle>
            {state.error.message}
          </Alert>
        </Box>
      )}
      {body}
    </Box>
  );
};
