import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';

/** How long a readiness probe may take before the upstream counts as down. */
export const PROBE_TIMEOUT_MS = 2000;

/** Asks `baseUrl + path` whether it is ready, within {@link PROBE_TIMEOUT_MS}. */
export async function probe(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<UpstreamHealth> {
  const started = Date.now();
  const result = (up: boolean, error?: string): UpstreamHealth => ({
    up,
    url: baseUrl,
    latencyMs: Date.now() - started,
    ...(error ? { error } : {}),
  });
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      headers,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (!response.ok) {
      return result(false, `${path} answered HTTP ${response.status}`);
    }
    return result(true);
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') {
      return result(false, `no answer within ${PROBE_TIMEOUT_MS} ms`);
    }
    return result(false, e.cause?.code ?? e.cause?.message ?? e.message);
  }
}
