import { createApiRef } from '@backstage/core-plugin-api';
import {
  AdminErasureJobsResponse,
  AuditLogResponse,
  CopilotSeatsResponse,
  DashboardQuery,
  ErasureJob,
  ErasureJobsResponse,
  GithubImportStatusResponse,
  HealthResponse,
  MeResponse,
  MyGithubImportResponse,
  MyDataResponse,
  OptInResponse,
  OptOutWithErasureResponse,
  OrganisationDashboardResponse,
  OrganisationPanelResponse,
  PanelId,
  RawQueryRequest,
  RawQueryResponse,
  TeamDashboardResponse,
  TelemetryTokenResponse,
} from '@fawkes/plugin-ai-telemetry-common';

/** A catalog Group, by the parts of its entity ref. */
export type TeamRef = { namespace: string; name: string };

/** The formats of the personal data export. */
export type MyDataFormat = 'json' | 'csv';

/**
 * A page of the audit log: at most `limit` entries (default 100, at most 1,000) older than the
 * entry `before`, of one `subject` (a User's ref) or of everyone.
 */
export type AuditLogQuery = {
  limit?: number;
  before?: string;
  subject?: string;
};

/** What the AI Telemetry pages ask of the ai-telemetry backend. */
export interface AiTelemetryApi {
  /** The state of the telemetry stack (Prometheus and the Pushgateway). */
  getHealth(): Promise<HealthResponse>;

  /** Every panel of the organisation dashboard, or none under the privacy threshold. */
  getDashboard(query: DashboardQuery): Promise<OrganisationDashboardResponse>;
  /** One panel of the organisation dashboard (to retry a panel that failed). */
  getPanel<Id extends PanelId>(
    id: Id,
    query: DashboardQuery,
  ): Promise<OrganisationPanelResponse<Id>>;
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

  /**
   * The GitHub Copilot import's state: what it reads and up to which day; why it fails only
   * for telemetry administrators (the backend decides).
   */
  getGithubStatus(): Promise<GithubImportStatusResponse>;
  /** The organisation's Copilot seats as counts with the idle seats' cost, or why withheld. */
  getCopilotSeats(): Promise<CopilotSeatsResponse>;
  /** Whether the caller's Copilot usage is imported from GitHub, under which login, and the days. */
  getMyGithubImport(): Promise<MyGithubImportResponse>;

  /** Runs an administrator's PromQL over a range; needs `ai-telemetry.query.raw`. */
  runRawQuery(request: RawQueryRequest): Promise<RawQueryResponse>;
  /**
   * Starts erasing everything stored about a user (`user:namespace/name`) on their behalf, e.g.
   * for a request that arrived by mail; needs `ai-telemetry.data.erase`.
   */
  requestErasureFor(
    userEntityRef: string,
    reason?: string,
  ): Promise<ErasureJob>;
  /** A user's erasure jobs, newest first; needs `ai-telemetry.data.erase`. */
  getAdminErasureJobs(userEntityRef: string): Promise<AdminErasureJobsResponse>;
  /** The audit log, newest first; needs `ai-telemetry.data.erase`. */
  getAuditLog(query?: AuditLogQuery): Promise<AuditLogResponse>;
}

/** @public */
export const aiTelemetryApiRef = createApiRef<AiTelemetryApi>({
  id: 'plugin.ai-telemetry.api',
});
