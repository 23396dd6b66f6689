import request from 'supertest';
import { serviceAuthorization } from '../../__testUtils__/testBackend';

/** Where the receiver listens in a test backend. */
export const OTLP_PATH = '/api/ai-telemetry/otlp/v1/metrics';

/** OTLP's AggregationTemporality values. */
export const DELTA = 1;
export const CUMULATIVE = 2;

/** Nanoseconds since the epoch, as OTLP/JSON writes 64-bit integers. */
export function nanos(seconds: number): string {
  return (BigInt(seconds) * 1_000_000_000n).toString();
}

/** OTLP/JSON attributes from a plain object. */
export function attributes(values: Record<string, string | number | boolean>) {
  const anyValue = (value: string | number | boolean) => {
    if (typeof value === 'string') return { stringValue: value };
    if (typeof value === 'boolean') return { boolValue: value };
    if (Number.isInteger(value)) return { intValue: String(value) };
    return { doubleValue: value };
  };
  return Object.entries(values).map(([key, value]) => ({
    key,
    value: anyValue(value),
  }));
}

/** One data point of a sum, in OTLP/JSON. */
export type SumPoint = {
  attributes?: Record<string, string | number | boolean>;
  start: number;
  end: number;
  value: number | string;
};

/** A monotonic sum metric in OTLP/JSON. */
export function sum(
  name: string,
  points: SumPoint[],
  options: { temporality?: number; monotonic?: boolean; unit?: string } = {},
) {
  return {
    name,
    unit: options.unit ?? '',
    sum: {
      aggregationTemporality: options.temporality ?? DELTA,
      isMonotonic: options.monotonic ?? true,
      dataPoints: points.map(point => ({
        attributes: attributes(point.attributes ?? {}),
        startTimeUnixNano: nanos(point.start),
        timeUnixNano: nanos(point.end),
        ...(typeof point.value === 'number' && Number.isSafeInteger(point.value)
          ? { asInt: String(point.value) }
          : { asDouble: point.value }),
      })),
    },
  };
}

/** An ExportMetricsServiceRequest in OTLP/JSON. */
export function exportRequest(
  metrics: object[],
  resource: Record<string, string> = { 'service.name': 'claude-code' },
  scope = 'com.anthropic.claude_code',
) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: attributes(resource) },
        scopeMetrics: [{ scope: { name: scope, version: '2.1.0' }, metrics }],
      },
    ],
  };
}

/** A supertest parser that keeps a binary body as a Buffer. */
export function binary(
  res: request.Response,
  callback: (error: Error | null, body: Buffer) => void,
) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/**
 * The contract's series on the metrics endpoint, as `name{labels} value` lines without the
 * pseudonym: scraped twice, so that new series are past their first 0 (run the backend with
 * `aiTelemetry.metrics.newSeriesZeroSeconds: 0`).
 */
export async function servedSeries(
  api: ReturnType<typeof request>,
): Promise<string[]> {
  const scrape = () =>
    api
      .get('/api/ai-telemetry/v1/metrics')
      .set('Authorization', serviceAuthorization('prometheus-scrape'));
  await scrape();
  const res = await scrape();
  return res.text
    .split('\n')
    .filter(line => line.startsWith('ai_copilot_'))
    .map(line => line.replace(/user_hash="[0-9a-f]{64}",?/, ''))
    .sort();
}
