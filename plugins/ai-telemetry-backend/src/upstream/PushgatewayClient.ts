import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';
import { probe } from './probe';

/** The Pushgateway that keeps the seed's legacy manual pushes. */
export class PushgatewayClient {
  constructor(private readonly baseUrl: string) {}

  health(): Promise<UpstreamHealth> {
    return probe(this.baseUrl, '/-/ready');
  }
}
