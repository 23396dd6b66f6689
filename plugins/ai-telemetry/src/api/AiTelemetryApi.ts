import { createApiRef } from '@backstage/core-plugin-api';
import { HealthResponse } from '@fawkes/plugin-ai-telemetry-common';

/** What the AI Telemetry pages ask of the ai-telemetry backend. */
export interface AiTelemetryApi {
  /** The state of the telemetry stack (Prometheus and the Pushgateway). */
  getHealth(): Promise<HealthResponse>;
}

/** @public */
export const aiTelemetryApiRef = createApiRef<AiTelemetryApi>({
  id: 'plugin.ai-telemetry.api',
});
