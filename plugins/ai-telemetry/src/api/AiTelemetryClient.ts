import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AdminErasureJobsResponse,
  AdminErasureRequest,
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
  OptInChangeRequest,
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
import {
  AiTelemetryApi,
  AuditLogQuery,
  MyDataFormat,
  TeamRef,
} from './AiTelemetryApi';

function queryString(
  query: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const JSON_BODY = { 'Content-Type': 'application/json' };

/** Talks to the ai-telemetry backend with the signed-in user's token. */
export class AiTelemetryClient implements AiTelemetryApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getHealth(): Promise<HealthResponse> {
    return (await this.request('/health')).json();
  }

  async getDashboard(
    query: DashboardQuery,
  ): Promise<OrganisationDashboardResponse> {
    return (await this.request(`/v1/dashboard${queryString(query)}`)).json();
  }

  async getPanel<Id extends PanelId>(
    id: Id,
    query: DashboardQuery,
  ): Promise<OrganisationPanelResponse<Id>> {
    const path = `/v1/panels/${encodeURIComponent(id)}${queryString(query)}`;
    return (await this.request(path)).json();
  }

  async getTeamDashboard(
    team: TeamRef,
    query: DashboardQuery,
  ): Promise<TeamDashboardResponse> {
    const namespace = encodeURIComponent(team.namespace);
    const name = encodeURIComponent(team.name);
    const path = `/v1/teams/${namespace}/${name}/dashboard${queryString(
      query,
    )}`;
    return (await this.request(path)).json();
  }

  async getMe(): Promise<MeResponse> {
    return (await this.request('/v1/me')).json();
  }

  async setOptIn(
    enabled: boolean,
    options?: { erase?: boolean },
  ): Promise<OptInResponse | OptOutWithErasureResponse> {
    const body: OptInChangeRequest = {
      enabled,
      ...(options?.erase && { erase: true }),
    };
    const response = await this.request('/v1/me/opt-in', {
      method: 'PUT',
      headers: JSON_BODY,
      body: JSON.stringify(body),
    });
    return response.json();
  }

  async rotateToken(): Promise<TelemetryTokenResponse> {
    return (await this.request('/v1/me/token', { method: 'POST' })).json();
  }

  async getMyData(): Promise<MyDataResponse> {
    return (await this.request('/v1/me/data?format=json')).json();
  }

  async downloadMyData(format: MyDataFormat): Promise<Blob> {
    const path = `/v1/me/data?format=${encodeURIComponent(format)}`;
    return (await this.request(path)).blob();
  }

  async getErasureJobs(): Promise<ErasureJobsResponse> {
    return (await this.request('/v1/me/erasure')).json();
  }

  async requestErasure(): Promise<ErasureJob> {
    return (await this.request('/v1/me/erasure', { method: 'POST' })).json();
  }

  async getGithubStatus(): Promise<GithubImportStatusResponse> {
    return (await this.request('/v1/github/status')).json();
  }

  async getCopilotSeats(): Promise<CopilotSeatsResponse> {
    return (await this.request('/v1/github/seats')).json();
  }

  async getMyGithubImport(): Promise<MyGithubImportResponse> {
    return (await this.request('/v1/me/github')).json();
  }

  async runRawQuery(request: RawQueryRequest): Promise<RawQueryResponse> {
    const response = await this.request('/v1/query', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify(request),
    });
    return response.json();
  }

  async requestErasureFor(
    userEntityRef: string,
    reason?: string,
  ): Promise<ErasureJob> {
    const body: AdminErasureRequest = {
      userEntityRef,
      ...(reason && { reason }),
    };
    const response = await this.request('/v1/admin/erasure', {
      method: 'POST',
      headers: JSON_BODY,
      body: JSON.stringify(body),
    });
    return response.json();
  }

  async getAdminErasureJobs(
    userEntityRef: string,
  ): Promise<AdminErasureJobsResponse> {
    const path = `/v1/admin/erasure${queryString({ userEntityRef })}`;
    return (await this.request(path)).json();
  }

  async getAuditLog(query: AuditLogQuery = {}): Promise<AuditLogResponse> {
    return (await this.request(`/v1/admin/audit${queryString(query)}`)).json();
  }

  /** Fetches a path of the plugin's API; a non-ok answer becomes a ResponseError. */
  private async request(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('ai-telemetry');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
