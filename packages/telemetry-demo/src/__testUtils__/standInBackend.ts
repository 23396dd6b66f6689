import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A stand-in for the backend's two ingestion routes on a local port, for the trickle's tests:
 * `POST /api/ai-telemetry/v1/events` (IDE events, JSON) and `POST
 * /api/ai-telemetry/otlp/v1/metrics` (OTLP/HTTP protobuf), decoding just enough of the
 * protobuf to tell what was exported.
 */

/** A data point of an exported metric. */
export type ReceivedPoint = {
  attributes: Record<string, string>;
  /** A sum's value, or a histogram's sum. */
  value: number;
};

/** An exported metric. */
export type ReceivedMetric = {
  name: string;
  kind: 'sum' | 'histogram' | 'other';
  /** 1 delta, 2 cumulative (AggregationTemporality of the OTLP protocol). */
  temporality?: number;
  monotonic?: boolean;
  points: ReceivedPoint[];
};

/** One OTLP export request. */
export type OtlpRequest = {
  authorization?: string;
  contentType?: string;
  resources: Array<{
    attributes: Record<string, string>;
    metrics: ReceivedMetric[];
  }>;
};

export type EventsRequest = {
  authorization?: string;
  events: number;
};

type Field = { field: number; wire: number; bytes?: Buffer; int?: bigint };

/** The fields of a protobuf message, in order. */
function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) {
      out.push({ field, wire, int: varint() });
    } else if (wire === 1) {
      out.push({ field, wire, bytes: buffer.subarray(at, at + 8) });
      at += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      out.push({ field, wire, bytes: buffer.subarray(at, at + length) });
      at += length;
    } else if (wire === 5) {
      out.push({ field, wire, bytes: buffer.subarray(at, at + 4) });
      at += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

const messages = (buffer: Buffer, field: number) =>
  fields(buffer)
    .filter(f => f.field === field && f.wire === 2)
    .map(f => f.bytes!);

/** KeyValue { key = 1; AnyValue value = 2 { string_value = 1; int_value = 3; ... } } */
function attributesOf(list: Buffer[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const kv of list) {
    const [key] = messages(kv, 1);
    const [value] = messages(kv, 2);
    const parts = value ? fields(value) : [];
    const string = parts.find(p => p.field === 1 && p.wire === 2);
    const int = parts.find(p => p.field === 3 && p.wire === 0);
    attributes[key.toString('utf8')] = string
      ? string.bytes!.toString('utf8')
      : String(int?.int ?? '');
  }
  return attributes;
}

/** NumberDataPoint: attributes 7, as_double 4, as_int 6; HistogramDataPoint: attributes 9, sum 5. */
function pointOf(buffer: Buffer, histogram: boolean): ReceivedPoint {
  const parts = fields(buffer);
  const attributes = attributesOf(messages(buffer, histogram ? 9 : 7));
  const valueField = parts.find(p =>
    histogram ? p.field === 5 : p.field === 4 || p.field === 6,
  );
  let value = NaN;
  if (valueField?.bytes && (histogram || valueField.field === 4)) {
    value = valueField.bytes.readDoubleLE(0);
  } else if (valueField?.bytes) {
    value = Number(valueField.bytes.readBigInt64LE(0));
  }
  return { attributes, value };
}

/** Metric { name = 1; sum = 7 { points 1, temporality 2, monotonic 3 }; histogram = 9 { points 1, temporality 2 } } */
function metricOf(buffer: Buffer): ReceivedMetric {
  const parts = fields(buffer);
  const name = parts.find(p => p.field === 1)!.bytes!.toString('utf8');
  const sum = parts.find(p => p.field === 7)?.bytes;
  const histogram = parts.find(p => p.field === 9)?.bytes;
  const data = sum ?? histogram;
  if (!data) return { name, kind: 'other', points: [] };
  const inner = fields(data);
  return {
    name,
    kind: sum ? 'sum' : 'histogram',
    temporality: Number(inner.find(p => p.field === 2)?.int ?? 0),
    monotonic: sum ? inner.find(p => p.field === 3)?.int === 1n : undefined,
    points: messages(data, 1).map(p => pointOf(p, !sum)),
  };
}

/** ExportMetricsServiceRequest { ResourceMetrics 1 { Resource 1 { attributes 1 }; ScopeMetrics 2 { metrics 2 } } } */
export function decodeExportMetricsRequest(
  body: Buffer,
): OtlpRequest['resources'] {
  return messages(body, 1).map(resourceMetrics => {
    const [resource] = messages(resourceMetrics, 1);
    return {
      attributes: resource ? attributesOf(messages(resource, 1)) : {},
      metrics: messages(resourceMetrics, 2).flatMap(scope =>
        messages(scope, 2).map(metricOf),
      ),
    };
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve(
        req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body,
      );
    });
    req.on('error', reject);
  });
}

export class StandInBackend {
  readonly otlp: OtlpRequest[] = [];
  readonly events: EventsRequest[] = [];
  /** Requests to any other path. */
  readonly unexpected: string[] = [];
  private server?: Server;
  private listeners: Array<() => void> = [];
  /** The plugin's base URL on the stand-in. */
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      if (
        req.method === 'POST' &&
        req.url === '/api/ai-telemetry/otlp/v1/metrics'
      ) {
        this.otlp.push({
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          resources: decodeExportMetricsRequest(body),
        });
        // An empty ExportMetricsServiceResponse: everything accepted.
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        res.end();
      } else if (
        req.method === 'POST' &&
        req.url === '/api/ai-telemetry/v1/events'
      ) {
        const parsed = JSON.parse(body.toString('utf8'));
        this.events.push({
          authorization: req.headers.authorization,
          events: parsed.events.length,
        });
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ accepted: parsed.events.length, duplicate: false }),
        );
      } else {
        this.unexpected.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
      }
      this.listeners.forEach(listener => listener());
    });
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/ai-telemetry`;
    return this;
  }

  /** Resolves once `done()` holds after a request (or at once); rejects after `timeoutMs`. */
  until(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter(l => l !== check);
        resolve();
      };
      timer = setTimeout(() => {
        this.listeners = this.listeners.filter(l => l !== check);
        reject(new Error(`not done within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.push(check);
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise(resolve => this.server!.close(resolve));
  }
}
