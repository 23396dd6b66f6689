import { useApi } from '@backstage/core-plugin-api';
import {
  DashboardQuery,
  DashboardResponse,
  isTooFewParticipants,
  OrganisationDashboardResponse,
  PanelId,
  TeamDashboardResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { useCallback, useMemo } from 'react';
import { aiTelemetryApiRef, TeamRef } from '../api';
import { useLiveAsync } from './useLiveAsync';
import {
  failureOf,
  PanelFailure,
  PanelStates,
  usePanelStates,
} from './usePanelStates';

/** The figures of an organisation answer; none under the privacy threshold. */
function figuresOf(
  answer: OrganisationDashboardResponse | undefined,
): DashboardResponse | undefined {
  return answer && !isTooFewParticipants(answer) ? answer : undefined;
}

/**
 * The same object for as long as its JSON is the same, so that a caller's new but equal query
 * (a fresh object on every render) does not load the dashboard again.
 */
function useStableValue<T>(value: T): T {
  const key = JSON.stringify(value);
  return useMemo(() => JSON.parse(key) as T, [key]);
}

/**
 * The organisation dashboard for a query, panel by panel; `value` says when the privacy
 * threshold withholds every figure. It loads again, keeping the figures on show, when the
 * backend announces new data.
 */
export function useOrganisationDashboard(query: DashboardQuery): {
  panels: PanelStates;
  value?: OrganisationDashboardResponse;
} {
  const api = useApi(aiTelemetryApiRef);
  const stableQuery = useStableValue(query);
  const dashboard = useLiveAsync(
    useCallback(() => api.getDashboard(stableQuery), [api, stableQuery]),
  );
  const loadPanel = useCallback(
    async (id: PanelId) => {
      const answer = await api.getPanel(id, stableQuery);
      if (isTooFewParticipants(answer)) {
        // The data changed since the dashboard was loaded.
        throw new Error(
          `No figures any more under the privacy threshold of ${answer.minGroupSize}; reload the page to see why`,
        );
      }
      return answer;
    },
    [api, stableQuery],
  );
  return {
    panels: usePanelStates(
      { ...dashboard, value: figuresOf(dashboard.value) },
      loadPanel,
    ),
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
  /**
   * The organisation's dashboard over the same window and filters; absent while loading, when
   * failed, or when the privacy threshold withholds it.
   */
  organisation?: DashboardResponse;
};

/** A team's dashboard; both dashboards load again, in the background, on new data. */
export function useTeamDashboard(
  team: TeamRef,
  query: DashboardQuery,
): TeamDashboardState {
  const api = useApi(aiTelemetryApiRef);
  const stableTeam = useStableValue(team);
  const stableQuery = useStableValue(query);
  const teamDashboard = useLiveAsync(
    useCallback(
      () => api.getTeamDashboard(stableTeam, stableQuery),
      [api, stableTeam, stableQuery],
    ),
  );
  const organisation = useLiveAsync(
    useCallback(() => api.getDashboard(stableQuery), [api, stableQuery]),
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
    organisation: figuresOf(organisation.value),
  };
}
