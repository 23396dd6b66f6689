import { createApiRef } from '@backstage/core-plugin-api';
import {
  DashboardQuery,
  DashboardResponse,
  ErasureJob,
  ErasureJobsResponse,
  HealthResponse,
  MeResponse,
  MyDataResponse,
  OptInResponse,
  OptOutWithErasureResponse,
  PanelId,
  PanelResponseById,
  TeamDashboardResponse,
  TelemetryTokenResponse,
} from '@fawkes/plugin-ai-telemetry-common';

/** A catalog Group, by the parts of its entity ref. */
export type TeamRef = { namespace: string; name: string };

/** The formats of the personal data export. */
export type MyDataFormat = 'json' | 'csv';

/** What the AI Telemetry pages ask of the ai-telemetry backend. */
export interface AiTelemetryApi {
  /** The state of the telemetry stack (Prometheus and the Pushgateway). */
  getHealth(): Promise<HealthResponse>;

  /** Every panel of the organisation dashboard. */
  getDashboard(query: DashboardQuery): Promise<DashboardResponse>;
  /** One panel of the organisation dashboard (to retry a panel that failed). */
  getPanel<Id extends PanelId>(
    id: Id,
    query: DashboardQuery,
  ): Promise<PanelResponseById[Id]>;
  /** A Group's dashboard; needs `ai-telemetry.team.read`. */
  getTeamDashboard(
    team: TeamRef,
    query: DashboardQuery,
  ): Promise<TeamDashboardResponse>;

  /** The caller's opt-in registration. */
  getMe(): Promise<MeResponse>;
  /**
   * Turns telemetry on (answers with a new token) or off; off with `erase` also starts the
   * erasure of everything collected (answered with the job).
   */
  setOptIn(
    enabled: boolean,
    options?: { erase?: boolean },
  ): Promise<OptInResponse | OptOutWithErasureResponse>;
  /** Issues a new telemetry token; the old one stops working. */
  rotateToken(): Promise<TelemetryTokenResponse>;

  /** Everything stored about the caller. */
  getMyData(): Promise<MyDataResponse>;
  /** The personal export as a file's content. */
  downloadMyData(format: MyDataFormat): Promise<Blob>;
  /** The caller's erasure jobs, newest first. */
  getErasureJobs(): Promise<ErasureJobsResponse>;
  /** Starts erasing everything stored about the caller. */
  requestErasure(): Promise<ErasureJob>;
}

/** @public */
export const aiTelemetryApiRef = createApiRef<AiTelemetryApi>({
  id: 'plugin.ai-telemetry.api',
});
