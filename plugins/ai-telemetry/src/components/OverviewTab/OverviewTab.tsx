import { isTooFewParticipants } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import { useDashboardView } from '../../hooks/useDashboardView';
import { useOrganisationDashboard } from '../../hooks/useDashboards';
import { Dashboard } from '../Dashboard';
import { DashboardFilters } from '../DashboardFilters';
import { StackHealthCard } from '../StackHealthCard';
import { TooFewParticipantsNotice } from '../TooFewParticipantsNotice';

/**
 * The organisation dashboard: filters in the URL, then every panel, or why the privacy threshold
 * withholds them.
 */
export const OverviewTab = () => {
  const { view, query, setView } = useDashboardView();
  const { panels, value } = useOrganisationDashboard(query);
  return (
    <>
      <DashboardFilters view={view} onChange={setView} window={value?.window} />
      {value && isTooFewParticipants(value) ? (
        <TooFewParticipantsNotice answer={value} />
      ) : (
        <Dashboard panels={panels} />
      )}
      <Box mt={3} maxWidth={640}>
        <StackHealthCard />
      </Box>
    </>
  );
};
