import { ServiceUnavailableError } from '@backstage/errors';
import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';
import { UpstreamError, UpstreamTimeoutError } from './errors';
import { probe } from './probe';

/** One group of pushed metrics: its grouping labels (`job` among them) and its series. */
export type PushgatewayGroup = {
  labels: Record<string, string>;
  /** Every series the group holds, with all its labels (the grouping labels included). */
  series: Array<{ metric: string; labels: Record<string, string> }>;
};

/** How long a request may take before it counts as timed out, by default. */
export const DEFAULT_PUSHGATEWAY_TIMEOUT_MS = 10_000;

/** A metric family in `GET /api/v1/metrics`; other keys of a group are not families. */
type Family = { metrics?: Array<{ labels?: Record<string, string> }> };

/**
 * A grouping key as a URL path: `job/<job>/<label>/<value>...`, each value base64url-encoded
 * (`<label>@base64/<value>`) when it holds a `/` or is empty, as the Pushgateway asks.
 */
export function groupPath(labels: Record<string, string>): string {
  const part = (name: string, value: string) =>
    value === '' || value.includes('/')
      ? `${encodeURIComponent(name)}@base64/${
          Buffer.from(value, 'utf8').toString('base64url') || '='
        }`
      : `${encodeURIComponent(name)}/${encodeURIComponent(value)}`;
  const { job, ...rest } = labels;
  if (job === undefined) {
    throw new Error('a Pushgateway group always has a job label');
  }
  return [
    part('job', job),
    ...Object.keys(rest)
      .sort()
      .map(name => part(name, rest[name])),
  ].join('/');
}

/** The Pushgateway that keeps the seed's legacy manual pushes. */
export class PushgatewayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  health(): Promise<UpstreamHealth> {
    return probe(this.baseUrl, '/-/ready');
  }

  /** Every group the Pushgateway holds, with its series. */
  async listGroups(): Promise<PushgatewayGroup[]> {
    const response = await this.request('GET', '/api/v1/metrics');
    const body = (await response.json()) as {
      status?: string;
      data?: Array<Record<string, unknown>>;
    };
    if (body.status !== 'success' || !Array.isArray(body.data)) {
      throw new UpstreamError(
        `Pushgateway at ${this.baseUrl} answered /api/v1/metrics with something other than its API's groups`,
      );
    }
    return body.data.map(group => {
      const series: PushgatewayGroup['series'] = [];
      for (const [metric, family] of Object.entries(group)) {
        const metrics = (family as Family | null)?.metrics;
        if (metric === 'labels' || !Array.isArray(metrics)) continue;
        for (const sample of metrics) {
          series.push({ metric, labels: sample.labels ?? {} });
        }
      }
      return {
        labels: (group.labels ?? {}) as Record<string, string>,
        series,
      };
    });
  }

  /** Deletes one group, named by all of its grouping labels. */
  async deleteGroup(labels: Record<string, string>): Promise<void> {
    await this.request('DELETE', `/metrics/${groupPath(labels)}`);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_PUSHGATEWAY_TIMEOUT_MS;
  }

  private async request(
    method: 'GET' | 'DELETE',
    path: string,
  ): Promise<Response> {
    const where = `Pushgateway at ${this.baseUrl}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') {
        throw new UpstreamTimeoutError(
          `${where} did not answer ${method} ${path} within ${this.timeoutMs} ms`,
        );
      }
      throw new ServiceUnavailableError(
        `${where} is unreachable: ${e.cause?.code ?? e.message}`,
      );
    }
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).trim();
      throw new UpstreamError(
        `${where} answered HTTP ${response.status} to ${method} ${path}${
          text ? `: ${text.slice(0, 300)}` : ''
        }`,
      );
    }
    return response;
  }
}
