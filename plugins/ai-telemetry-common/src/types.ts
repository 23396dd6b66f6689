/** The state of one upstream as `GET /api/ai-telemetry/health` reports it. */
export type UpstreamHealth = {
  /** Whether the upstream answered its readiness check. */
  up: boolean;
  /** The base URL that was checked. */
  url: string;
  /** Why the check failed, when it did. */
  error?: string;
  /** How long the check took, in milliseconds. */
  latencyMs: number;
};

/**
 * `GET /api/ai-telemetry/health`: `degraded` when either upstream is down. Each upstream's
 * details (its URL, latency, error) are told only to a signed-in user or a service.
 */
export type HealthResponse = {
  status: 'ok' | 'degraded';
  prometheus?: UpstreamHealth;
  pushgateway?: UpstreamHealth;
};
