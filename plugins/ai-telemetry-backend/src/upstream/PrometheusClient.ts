import { ServiceUnavailableError } from '@backstage/errors';
import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusDriver, RuleGroup } from 'prometheus-query';
import { UpstreamError, UpstreamTimeoutError } from './errors';
import { postToApi } from './prometheusApi';
import { probe } from './probe';

/** One series of a query result: its labels and its points as [unix seconds, value]. */
export type PrometheusSeries = {
  labels: Record<string, string>;
  points: Array<[number, number]>;
};

/** An alerting rule as Prometheus's rules API reports it. */
export type PrometheusAlertRule = {
  group: string;
  name: string;
  query: string;
  forSeconds: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  health: string;
  alerts: Array<{
    state: string;
    activeAt?: number;
    annotations: Record<string, string>;
  }>;
};

/** How long a query may take before it counts as timed out, by default. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/** What a query may ask of Prometheus besides the query. */
export type QueryOptions = {
  /**
   * Seconds Prometheus may spend evaluating the query (its `timeout` parameter), at most the
   * client's own time-out; a query over it is a 504.
   */
  timeoutSeconds?: number;
};

/** What prometheus-query throws (plain objects, not Errors), and postToApi's ApiFailure. */
type DriverError = {
  errorType?: string;
  error?: string;
  code?: string;
  httpStatus?: number;
  prometheus?: { errorType?: string; error?: string };
  /** The body of an answer that is not the HTTP API's JSON (`client_error`). */
  data?: unknown;
  /** What was thrown first: the driver rethrows its own errors wrapped as network errors. */
  original?: unknown;
};

const NETWORK_CODES_MEANING_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

/**
 * The Prometheus-compatible engine (Prometheus or VictoriaMetrics) that holds the history:
 * queries through Node's HTTP client (postToApi), rules and label values through
 * prometheus-query's PrometheusDriver. Every failure becomes an error the HTTP
 * layer answers with the right status: Prometheus unreachable → 503, its own errors → 502 with
 * its message, no answer in time → 504.
 */
export class PrometheusClient {
  private readonly driver: PrometheusDriver;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly options: { timeoutMs?: number } = {},
  ) {
    this.driver = new PrometheusDriver({
      endpoint: baseUrl,
      baseURL: '/api/v1/',
      headers,
      timeout: this.timeoutMs,
      // A team's matcher can be long: POST keeps it out of the URL.
      preferPost: true,
    });
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  }

  /**
   * The `timeout` every query sends: a second less than the client waits, so that Prometheus
   * stops evaluating (rather than run on for its own default of 2 minutes) and says so before
   * the client gives up; or the query's own, when shorter.
   */
  private evaluationTimeout(options: QueryOptions): string {
    const clientSeconds = Math.max(1, Math.floor(this.timeoutMs / 1000) - 1);
    const seconds = Math.min(
      clientSeconds,
      options.timeoutSeconds ?? clientSeconds,
    );
    return `${Math.max(1, Math.ceil(seconds))}s`;
  }

  health(): Promise<UpstreamHealth> {
    return probe(this.baseUrl, '/-/ready', this.headers);
  }

  /** Evaluates `query` every `step` seconds from `start` to `end` (unix seconds). */
  async rangeQuery(
    query: string,
    start: number,
    end: number,
    step: number,
    options: QueryOptions = {},
  ): Promise<PrometheusSeries[]> {
    return this.query('query_range', {
      query,
      start: String(start),
      end: String(end),
      step: String(step),
      timeout: this.evaluationTimeout(options),
    });
  }

  /** Evaluates `query` at `time` (unix seconds). */
  async instantQuery(
    query: string,
    time: number,
    options: QueryOptions = {},
  ): Promise<PrometheusSeries[]> {
    return this.query('query', {
      query,
      time: String(time),
      timeout: this.evaluationTimeout(options),
    });
  }

  /** Every alerting rule Prometheus has loaded, with its active alerts. */
  async alertRules(): Promise<PrometheusAlertRule[]> {
    const groups: RuleGroup[] = await this.call(() => this.driver.rules());
    return groups.flatMap(group =>
      group.rules
        .filter(rule => rule.type === 'alerting')
        .map(rule => ({
          group: group.name,
          name: rule.name,
          query: rule.query,
          forSeconds: rule.duration ?? 0,
          labels: (rule.labels ?? {}) as Record<string, string>,
          annotations: (rule.annotations ?? {}) as Record<string, string>,
          health: rule.health,
          alerts: (rule.alerts ?? []).map(alert => ({
            state: String(alert.state),
            ...(alert.activeAt
              ? { activeAt: new Date(alert.activeAt).getTime() }
              : {}),
            annotations: (alert.annotations ?? {}) as Record<string, string>,
          })),
        })),
    );
  }

  /**
   * The values of `label` over the series that match every selector in `matchers` and have
   * samples between `start` and `end` (unix seconds). It reads the index, which can still name
   * series that were deleted: use it to find candidates, and a range query to know.
   */
  async labelValues(
    label: string,
    matchers: string[],
    start: number,
    end: number,
  ): Promise<string[]> {
    return this.call(() =>
      this.driver.labelValues(label, matchers, start * 1000, end * 1000),
    );
  }

  /**
   * Deletes every sample of the series that match any selector in `matchers`, over all time
   * (the admin API, `--web.enable-admin-api`). Range queries still return the samples until
   * {@link PrometheusClient.cleanTombstones}.
   */
  async deleteSeries(matchers: string[]): Promise<void> {
    const body = new URLSearchParams(matchers.map(m => ['match[]', m]));
    await this.admin('delete_series', body);
  }

  /**
   * Removes deleted samples from disk, so that range queries no longer return them. Answers
   * false for an engine that has no such step (VictoriaMetrics deletes at once).
   */
  async cleanTombstones(): Promise<boolean> {
    try {
      await this.admin('clean_tombstones');
      return true;
    } catch (error) {
      if (
        error instanceof UpstreamError &&
        error.message.includes('unsupported path requested')
      ) {
        return false;
      }
      throw error;
    }
  }

  private async admin(
    action: 'delete_series' | 'clean_tombstones',
    body?: URLSearchParams,
  ): Promise<void> {
    const where = `Prometheus at ${this.baseUrl}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/v1/admin/tsdb/${action}`, {
        method: 'POST',
        headers: {
          ...this.headers,
          ...(body && {
            'Content-Type': 'application/x-www-form-urlencoded',
          }),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') {
        throw new UpstreamTimeoutError(
          `${where} did not answer ${action} within ${this.timeoutMs} ms`,
        );
      }
      throw new ServiceUnavailableError(
        `${where} is unreachable: ${e.cause?.code ?? e.message}`,
      );
    }
    if (response.ok) return;
    const text = await response.text().catch(() => '');
    let message = text.trim().slice(0, 300) || 'no message';
    try {
      message = JSON.parse(text).error ?? message;
    } catch {
      // Not JSON: keep the text.
    }
    const hint =
      response.status === 503 || response.status === 404
        ? ' (is the admin API on? start Prometheus with --web.enable-admin-api)'
        : '';
    throw new UpstreamError(
      `${where} answered HTTP ${response.status} to ${action}: ${message}${hint}`,
    );
  }

  private async query(
    endpoint: 'query' | 'query_range',
    params: Record<string, string>,
  ): Promise<PrometheusSeries[]> {
    const data = await this.call(() =>
      postToApi({
        baseUrl: this.baseUrl,
        endpoint,
        form: new URLSearchParams(params),
        headers: this.headers,
        timeoutMs: this.timeoutMs,
      }),
    );
    return toSeries(data as QueryData);
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (thrown) {
      throw this.toError(thrown);
    }
  }

  private toError(thrown: unknown): Error {
    let e = (thrown ?? {}) as DriverError;
    const original = e.original as DriverError | undefined;
    if (e.errorType === 'network_error' && original?.errorType) {
      e = original;
    }
    const where = `Prometheus at ${this.baseUrl}`;
    switch (e.errorType) {
      case 'timeout_error':
        return new UpstreamTimeoutError(
          `${where} did not answer within ${this.timeoutMs} ms`,
        );
      case 'network_error':
      case 'ssl_error':
        if (e.code === 'ETIMEDOUT') {
          return new UpstreamTimeoutError(
            `${where} did not answer within ${this.timeoutMs} ms`,
          );
        }
        return new ServiceUnavailableError(
          `${where} is unreachable: ${
            e.code && NETWORK_CODES_MEANING_UNREACHABLE.has(e.code)
              ? e.code
              : e.error ?? e.code ?? 'network error'
          }`,
        );
      case 'http_error': {
        const type = e.prometheus?.errorType;
        const message = e.prometheus?.error ?? e.error ?? 'no message';
        if (type === 'timeout') {
          return new UpstreamTimeoutError(`${where} timed out: ${message}`);
        }
        if (type === 'unavailable') {
          return new ServiceUnavailableError(
            `${where} is unavailable: ${message}`,
          );
        }
        return new UpstreamError(
          `${where} answered HTTP ${e.httpStatus}${
            type ? ` (${type})` : ''
          }: ${message}`,
          type,
        );
      }
      case 'client_error':
        // Prometheus answers its API with a plain 503 "Service Unavailable" until its storage
        // is loaded (a restart replays its write-ahead log) and while it shuts down.
        if (
          typeof e.data === 'string' &&
          e.data.trim() === 'Service Unavailable'
        ) {
          return new ServiceUnavailableError(
            `${where} is not ready (starting up or shutting down)`,
          );
        }
        return new UpstreamError(
          `${where} answered with something other than the Prometheus HTTP API`,
        );
      default:
        return new UpstreamError(
          `${where} failed: ${
            thrown instanceof Error ? thrown.message : e.error ?? String(thrown)
          }`,
        );
    }
  }
}

/** A query's answer as the HTTP API gives it. */
type QueryData = {
  resultType?: string;
  result: Array<{
    metric?: Record<string, string>;
    values?: Array<[number, string]>;
    value?: [number, string];
  }>;
};

/** A series' labels, its metric name (when it has one) last. */
function labelsOf(metric: Record<string, string> | undefined) {
  if (!metric) return {};
  const { __name__: name, ...labels } = metric;
  return name ? { ...labels, __name__: name } : labels;
}

/**
 * Prometheus's numbers as numbers, as prometheus-query read them before: `NaN`, `+Inf` and
 * `-Inf` all as NaN.
 */
function toNumber(text: string): number {
  return parseFloat(text);
}

function toSeries(data: QueryData | undefined): PrometheusSeries[] {
  switch (data?.resultType) {
    case 'matrix':
      return data.result.map(series => ({
        labels: labelsOf(series.metric),
        points: (series.values ?? []).map(
          ([t, v]) => [t, toNumber(v)] as [number, number],
        ),
      }));
    case 'vector':
      return data.result.map(sample => ({
        labels: labelsOf(sample.metric),
        points: [[sample.value![0], toNumber(sample.value![1])]],
      }));
    default:
      throw new UpstreamError(
        `Prometheus at the configured URL answered a ${String(
          data?.resultType,
        )} where a vector or matrix was expected`,
      );
  }
}
