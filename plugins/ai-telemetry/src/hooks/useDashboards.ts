import { useApi } from '@backstage/core-plugin-api';
import {
  DashboardQuery,
  DashboardResponse,
  PanelId,
  TeamDashboardResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { useCallback } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { aiTelemetryApiRef, TeamRef } from '../api';
import {
  failureOf,
  PanelFailure,
  PanelStates,
  usePanelStates,
} from './usePanelStates';

/** The organisation dashboard for a query, panel by panel. */
export function useOrganisationDashboard(query: DashboardQuery): {
  panels: PanelStates;
  value?: DashboardResponse;
} {
  const api = useApi(aiTelemetryApiRef);
  const key = JSON.stringify(query);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const dashboard = useAsyncRetry(() => api.getDashboard(query), [api, key]);
  const loadPanel = useCallback(
    (id: PanelId) => api.getPanel(id, query),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  return {
    panels: usePanelStates(dashboard, loadPanel),
    value: dashboard.value,
  };
}

/** A team's dashboard, with the organisation's for comparison. */
export type TeamDashboardState = {
  loading: boolean;
  /** The team request failed as a whole (403 without ai-telemetry.team.read, 404, 5xx). */
  error?: PanelFailure;
  value?: TeamDashboardResponse;
  retry: () => void;
  /** Panel by panel, when the team has enough participants. */
  panels: PanelStates;
  /** The organisation's dashboard over the same window and filters; absent while loading or failed. */
  organisation?: DashboardResponse;
};

export function useTeamDashboard(
  team: TeamRef,
  query: DashboardQuery,
): TeamDashboardState {
  const api = useApi(aiTelemetryApiRef);
  const key = JSON.stringify([team, query]);
  const teamDashboard = useAsyncRetry(
    () => api.getTeamDashboard(team, query),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  const organisation = useAsyncRetry(
    () => api.getDashboard(query),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, JSON.stringify(query)],
  );
  const value = teamDashboard.value;
  const panels = usePanelStates({
    loading: teamDashboard.loading,
    error: teamDashboard.error,
    value: value && !value.tooFewParticipants ? value : undefined,
    retry: teamDashboard.retry,
  });
  return {
    loading: teamDashboard.loading,
    error: teamDashboard.error ? failureOf(teamDashboard.error) : undefined,
    value,
    retry: teamDashboard.retry,
    panels,
    organisation: organisation.value,
  };
}
