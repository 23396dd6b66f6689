/**
 * OTLP/HTTP metrics, decoded and answered with the OpenTelemetry project's own protobuf
 * definitions (opentelemetry-proto), as `@opentelemetry/otlp-transformer` ships them generated
 * for protobufjs: https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import generatedRoot from '@opentelemetry/otlp-transformer/build/src/generated/root';
import { findTooDeep, MAX_JSON_DEPTH } from '../http/jsonDepth';

/** The two encodings of OTLP/HTTP: binary protobuf, or the JSON mapping of protobuf. */
export type OtlpEncoding = 'protobuf' | 'json';

/** The content type that goes with each encoding. */
export const OTLP_CONTENT_TYPES: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** A protobufjs Long, as the generated code returns for 64-bit fields. */
type LongLike = { toString(): string };
type Int64 = LongLike | number | string | null | undefined;

/** The decoded message shapes this module reads (opentelemetry/proto/metrics/v1/metrics.proto). */
type AnyValue = {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
};
type KeyValue = { key?: string | null; value?: AnyValue | null };
type NumberDataPoint = {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  asDouble?: number | null;
  asInt?: Int64;
  value?: string;
};
type HistogramDataPoint = {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  count?: Int64;
  sum?: number | null;
};
type Metric = {
  name?: string | null;
  unit?: string | null;
  gauge?: { dataPoints?: unknown[] | null } | null;
  sum?: {
    dataPoints?: NumberDataPoint[] | null;
    aggregationTemporality?: number | null;
    isMonotonic?: boolean | null;
  } | null;
  histogram?: {
    dataPoints?: HistogramDataPoint[] | null;
    aggregationTemporality?: number | null;
  } | null;
  exponentialHistogram?: {
    dataPoints?: unknown[] | null;
    aggregationTemporality?: number | null;
  } | null;
  summary?: { dataPoints?: unknown[] | null } | null;
};
type ExportMetricsServiceRequest = {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] | null } | null;
    scopeMetrics?: Array<{
      scope?: { name?: string | null; version?: string | null } | null;
      metrics?: Metric[] | null;
    }> | null;
  }> | null;
};

type MessageClass<T> = {
  decode(reader: Uint8Array): T;
  fromObject(object: Record<string, unknown>): T;
  encode(message: T): { finish(): Uint8Array };
  toObject(
    message: T,
    options: Record<string, unknown>,
  ): Record<string, unknown>;
};

const metricsService = (generatedRoot as any).opentelemetry.proto.collector
  .metrics.v1 as {
  ExportMetricsServiceRequest: MessageClass<ExportMetricsServiceRequest>;
  ExportMetricsServiceResponse: MessageClass<Record<string, unknown>>;
};

/** AggregationTemporality of metrics.proto. */
const TEMPORALITY: Record<number, OtlpTemporality> = {
  1: 'delta',
  2: 'cumulative',
};

export type OtlpTemporality = 'delta' | 'cumulative' | 'unspecified';

/** The kinds of metric data of metrics.proto. */
export type OtlpMetricKind =
  | 'sum'
  | 'gauge'
  | 'histogram'
  | 'exponential_histogram'
  | 'summary'
  | 'none';

/** One data point of an export, flattened with what identifies its stream. */
export type OtlpDataPoint = {
  /** The metric name, e.g. `claude_code.token.usage`. */
  metric: string;
  kind: OtlpMetricKind;
  /** Sums only: whether the sum only grows (a counter). */
  monotonic: boolean;
  temporality: OtlpTemporality;
  /** The resource's `service.name`, which tells the source of metrics every source shares. */
  serviceName?: string;
  /**
   * The data point's attributes, values as strings (arrays and maps as JSON). Read only for
   * the keys the mapping names; never stored, logged or labelled as they are.
   */
  attributes: ReadonlyMap<string, string>;
  /**
   * Everything that identifies the stream (resource, scope, metric, kind, temporality,
   * attributes) as canonical JSON: only ever hashed, never stored.
   */
  identity: string;
  startNanos: bigint;
  timeNanos: bigint;
  /**
   * The value: a sum's value, a histogram's sum; `undefined` when the point has none (and for
   * kinds that have no single value).
   */
  value?: number;
};

/** A request body that is not a valid ExportMetricsServiceRequest in its encoding. */
export class OtlpDecodeError extends Error {
  name = 'OtlpDecodeError';
}

function toBigInt(value: Int64): bigint {
  if (value === null || value === undefined || value === '') return 0n;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new OtlpDecodeError('a timestamp is not a number');
    return BigInt(Math.trunc(value));
  }
  const text = value.toString();
  if (!/^-?\d+$/.test(text)) {
    // The value is not echoed: it could be anything the exporter put there.
    throw new OtlpDecodeError('a 64-bit integer field holds no integer');
  }
  return BigInt(text);
}

function toNumber(value: Int64): number {
  return Number(toBigInt(value));
}

/** An AnyValue as a plain JSON value, for canonical identities and string attributes. */
function plain(value: AnyValue | null | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined && value.stringValue !== null) {
    return value.stringValue;
  }
  if (value.boolValue !== undefined && value.boolValue !== null) {
    return value.boolValue;
  }
  if (value.intValue !== undefined && value.intValue !== null) {
    return toBigInt(value.intValue).toString();
  }
  if (value.doubleValue !== undefined && value.doubleValue !== null) {
    return value.doubleValue;
  }
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.kvlistValue) return plainAttributes(value.kvlistValue.values);
  if (value.bytesValue) return Buffer.from(value.bytesValue).toString('base64');
  return null;
}

function plainAttributes(
  attributes: KeyValue[] | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const attribute of attributes ?? []) {
    if (attribute?.key) out[attribute.key] = plain(attribute.value);
  }
  return out;
}

/** JSON with object keys sorted, so that equal identities are equal strings. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        key =>
          `${JSON.stringify(key)}:${canonical(
            (value as Record<string, unknown>)[key],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function stringAttributes(
  attributes: Record<string, unknown>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(attributes)) {
    out.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

/**
 * How deeply an export may nest, counted as JSON arrays and objects (also for protobuf): an
 * export nests about 13 levels, and each attribute value holding a list or a map 3 more.
 */
export const MAX_EXPORT_DEPTH = 2 * MAX_JSON_DEPTH;

function tooDeep(maxDepth: number, path?: string): OtlpDecodeError {
  return new OtlpDecodeError(
    `The export nests values more than ${maxDepth} levels deep${
      path ? ` (at ${path})` : ''
    }: send attribute values as strings, numbers or flat lists`,
  );
}

/**
 * Decodes an ExportMetricsServiceRequest of at most `maxDepth` levels of messages and lists
 * (checked without recursion before anything walks the export). Throws an
 * {@link OtlpDecodeError} that says what is wrong, without echoing the body.
 */
export function decodeExportRequest(
  body: Buffer,
  encoding: OtlpEncoding,
  maxDepth: number = MAX_EXPORT_DEPTH,
): ExportMetricsServiceRequest {
  const { ExportMetricsServiceRequest } = metricsService;
  if (encoding === 'protobuf') {
    let decoded: ExportMetricsServiceRequest;
    try {
      decoded = ExportMetricsServiceRequest.decode(body);
    } catch (error) {
      if (/call stack/i.test((error as Error)?.message ?? '')) {
        // protobufjs decodes nested messages by recursion: thousands deep overflow the stack.
        throw tooDeep(maxDepth);
      }
      throw new OtlpDecodeError(
        `The body is not a protobuf ExportMetricsServiceRequest: ${
          (error as Error).message
        }`,
      );
    }
    const path = findTooDeep(decoded, maxDepth);
    if (path !== undefined) throw tooDeep(maxDepth, path);
    return decoded;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // JSON.parse quotes the body in its message: not echoed, not logged.
    throw new OtlpDecodeError('The body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OtlpDecodeError(
      'The body is not a JSON ExportMetricsServiceRequest: expected an object',
    );
  }
  const path = findTooDeep(parsed, maxDepth);
  if (path !== undefined) throw tooDeep(maxDepth, path);
  try {
    return ExportMetricsServiceRequest.fromObject(
      parsed as Record<string, unknown>,
    );
  } catch (error) {
    throw new OtlpDecodeError(
      `The body is not a JSON ExportMetricsServiceRequest: ${
        (error as Error).message
      }`,
    );
  }
}

/** How many data points an export holds, of every kind. */
export function countDataPoints(request: ExportMetricsServiceRequest): number {
  let count = 0;
  for (const resource of request.resourceMetrics ?? []) {
    for (const scope of resource.scopeMetrics ?? []) {
      for (const metric of scope.metrics ?? []) {
        count +=
          (metric.sum?.dataPoints?.length ?? 0) +
          (metric.gauge?.dataPoints?.length ?? 0) +
          (metric.histogram?.dataPoints?.length ?? 0) +
          (metric.exponentialHistogram?.dataPoints?.length ?? 0) +
          (metric.summary?.dataPoints?.length ?? 0);
      }
    }
  }
  return count;
}

function pointValue(point: NumberDataPoint): number | undefined {
  if (point.value === 'asDouble' || typeof point.asDouble === 'number') {
    return point.asDouble ?? undefined;
  }
  if (point.value === 'asInt' || point.asInt !== undefined) {
    return point.asInt === null || point.asInt === undefined
      ? undefined
      : toNumber(point.asInt);
  }
  return undefined;
}

/** The kind and points of a metric that is neither a sum nor a histogram. */
function otherData(
  metric: Metric,
): [OtlpMetricKind, unknown[] | null | undefined] {
  if (metric.gauge) return ['gauge', metric.gauge.dataPoints];
  if (metric.exponentialHistogram) {
    return ['exponential_histogram', metric.exponentialHistogram.dataPoints];
  }
  if (metric.summary) return ['summary', metric.summary.dataPoints];
  return ['none', []];
}

/** Flattens an export into its data points, each with its stream identity. */
export function dataPointsOf(
  request: ExportMetricsServiceRequest,
): OtlpDataPoint[] {
  const out: OtlpDataPoint[] = [];
  for (const resourceMetrics of request.resourceMetrics ?? []) {
    const resource = plainAttributes(resourceMetrics.resource?.attributes);
    const serviceName =
      typeof resource['service.name'] === 'string'
        ? (resource['service.name'] as string)
        : undefined;
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      const scope = {
        name: scopeMetrics.scope?.name ?? '',
        version: scopeMetrics.scope?.version ?? '',
      };
      for (const metric of scopeMetrics.metrics ?? []) {
        const name = metric.name ?? '';
        const base = (
          kind: OtlpMetricKind,
          temporality: OtlpTemporality,
          monotonic: boolean,
          attributes: KeyValue[] | null | undefined,
          start: Int64,
          time: Int64,
          value: number | undefined,
        ): OtlpDataPoint => {
          const plainPoint = plainAttributes(attributes);
          return {
            metric: name,
            kind,
            monotonic,
            temporality,
            serviceName,
            attributes: stringAttributes(plainPoint),
            identity: canonical({
              resource,
              scope,
              metric: name,
              unit: metric.unit ?? '',
              kind,
              temporality,
              monotonic,
              attributes: plainPoint,
            }),
            startNanos: toBigInt(start),
            timeNanos: toBigInt(time),
            value,
          };
        };
        if (metric.sum) {
          const temporality =
            TEMPORALITY[metric.sum.aggregationTemporality ?? 0] ??
            'unspecified';
          for (const point of metric.sum.dataPoints ?? []) {
            out.push(
              base(
                'sum',
                temporality,
                Boolean(metric.sum.isMonotonic),
                point.attributes,
                point.startTimeUnixNano,
                point.timeUnixNano,
                pointValue(point),
              ),
            );
          }
        } else if (metric.histogram) {
          const temporality =
            TEMPORALITY[metric.histogram.aggregationTemporality ?? 0] ??
            'unspecified';
          for (const point of metric.histogram.dataPoints ?? []) {
            out.push(
              base(
                'histogram',
                temporality,
                true,
                point.attributes,
                point.startTimeUnixNano,
                point.timeUnixNano,
                typeof point.sum === 'number' ? point.sum : undefined,
              ),
            );
          }
        } else {
          const [kind, points] = otherData(metric);
          for (const point of points ?? []) {
            const p = (point ?? {}) as HistogramDataPoint;
            out.push(
              base(
                kind,
                'unspecified',
                false,
                p.attributes,
                p.startTimeUnixNano,
                p.timeUnixNano,
                undefined,
              ),
            );
          }
        }
      }
    }
  }
  return out;
}

/** An ExportMetricsServiceResponse, with `partialSuccess` when some points were refused. */
export function encodeExportResponse(
  encoding: OtlpEncoding,
  partialSuccess?: { rejectedDataPoints: number; errorMessage: string },
): Buffer | string {
  const { ExportMetricsServiceResponse } = metricsService;
  const message = ExportMetricsServiceResponse.fromObject(
    partialSuccess ? { partialSuccess } : {},
  );
  if (encoding === 'protobuf') {
    return Buffer.from(ExportMetricsServiceResponse.encode(message).finish());
  }
  // The JSON mapping of protobuf: 64-bit integers as decimal strings.
  return JSON.stringify(
    ExportMetricsServiceResponse.toObject(message, { longs: String }),
  );
}

/** Decodes a response (for tests and clients of this module). */
export function decodeExportResponse(
  body: Buffer | string,
  encoding: OtlpEncoding,
): { partialSuccess?: { rejectedDataPoints?: string; errorMessage?: string } } {
  const { ExportMetricsServiceResponse } = metricsService;
  const message =
    encoding === 'protobuf'
      ? ExportMetricsServiceResponse.decode(
          typeof body === 'string' ? Buffer.from(body) : body,
        )
      : ExportMetricsServiceResponse.fromObject(
          JSON.parse(body.toString()) as Record<string, unknown>,
        );
  return ExportMetricsServiceResponse.toObject(message, { longs: String });
}

/** Encodes a request from its JSON form: for tests that send protobuf. */
export function encodeExportRequest(object: Record<string, unknown>): Buffer {
  const { ExportMetricsServiceRequest } = metricsService;
  return Buffer.from(
    ExportMetricsServiceRequest.encode(
      ExportMetricsServiceRequest.fromObject(object),
    ).finish(),
  );
}
