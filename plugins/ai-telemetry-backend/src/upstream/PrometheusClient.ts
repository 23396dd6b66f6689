import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';
import { probe } from './probe';

/** The Prometheus-compatible engine (Prometheus or VictoriaMetrics) that holds the history. */
export class PrometheusClient {
  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  health(): Promise<UpstreamHealth> {
    return probe(this.baseUrl, '/-/ready', this.headers);
  }
}
