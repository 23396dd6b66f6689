import { ReportAnswer } from './dashboard';
import { ReportPeriod } from './week';

/** The variable that holds the reporting service's token. */
export const REPORT_TOKEN_ENV = 'FAWKES_AI_TELEMETRY_REPORT_TOKEN';

/** The backend's dashboards take a while over long ranges; a report waits this long. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The backend could not be asked, refused the report's token, or failed to compute a figure. */
export class DashboardError extends Error {
  name = 'DashboardError';
  /** True when the backend refused the token (401, 403) rather than failed. */
  readonly refused: boolean;

  constructor(message: string, status?: number) {
    super(message);
    this.refused = status === 401 || status === 403;
  }
}

/**
 * The error for a failed answer of the backend, or of one of its panels: the status says whose
 * fault it is, and the backend's own message says what happened.
 */
export function backendError(
  endpoint: string,
  status: number,
  message: string,
  what = 'the dashboard',
): DashboardError {
  const answered = `(HTTP ${status}: ${message})`;
  switch (status) {
    case 401:
      return new DashboardError(
        `The backend at ${endpoint} refused the report token ${answered}. Pass the token of ` +
          `the weekly-report entry of backend.auth.externalAccess with --token or ${REPORT_TOKEN_ENV}.`,
        status,
      );
    case 403:
      return new DashboardError(
        `The backend at ${endpoint} does not let this token read ${what} ${answered}. The ` +
          'weekly-report token needs accessRestrictions [{ plugin: ai-telemetry }] and no narrower ones.',
        status,
      );
    case 400:
      return new DashboardError(
        `The backend refused the request ${answered}`,
        status,
      );
    case 502:
    case 503:
    case 504:
      return new DashboardError(
        `The backend could not compute ${what}: Prometheus failed ${answered}`,
        status,
      );
    default:
      return new DashboardError(
        `The backend failed to compute ${what} ${answered}`,
        status,
      );
  }
}

/** The message of Backstage's JSON error body (`{ error: { name, message } }`), else the text. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = JSON.parse(text)?.error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON (a proxy's page): the text says more than nothing.
  }
  return text.trim().slice(0, 300) || response.statusText || 'no message';
}

/**
 * Reads the organisation dashboard of `GET /v1/dashboard?from=&to=` with a Backstage service
 * token (a static external-access token restricted to the ai-telemetry plugin).
 */
export class DashboardClient {
  /** The plugin's base URL, without a trailing slash. */
  readonly endpoint: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(options: {
    endpoint: string;
    token: string;
    timeoutMs?: number;
  }) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The dashboard of the period, as the backend aligned it. */
  async dashboard(period: ReportPeriod): Promise<ReportAnswer> {
    const query = new URLSearchParams({
      from: period.from.toISOString(),
      to: period.to.toISOString(),
    });
    const url = `${this.endpoint}/v1/dashboard?${query}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${this.token}`,
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & {
        cause?: { code?: string; message?: string };
      };
      throw new DashboardError(
        e.name === 'TimeoutError'
          ? `The backend at ${this.endpoint} did not answer within ${this.timeoutMs} ms`
          : `Cannot reach the backend at ${this.endpoint}: ${
              e.cause?.code ?? e.cause?.message ?? e.message
            }`,
      );
    }
    if (!response.ok) {
      throw backendError(
        this.endpoint,
        response.status,
        await errorMessage(response),
      );
    }
    return (await response.json()) as ReportAnswer;
  }
}
