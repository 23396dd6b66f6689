import { ServiceUnavailableError } from '@backstage/errors';
import { UpstreamError, UpstreamTimeoutError } from './errors';

/** One series to write: its labels (`__name__` included) and its samples. */
export type RemoteWriteSeries = {
  labels: Record<string, string>;
  /** [unix milliseconds, value], in time order. */
  samples: Array<[number, number]>;
};

/** How long one write may take. */
const WRITE_TIMEOUT_MS = 30_000;

/**
 * Writes samples into Prometheus through its remote-write receiver
 * (`--web.enable-remote-write-receiver`, `POST /api/v1/write`; VictoriaMetrics takes the same
 * at `/api/v1/write`): the protocol's version 1, a snappy-compressed protobuf `WriteRequest`.
 * Samples older than the newest one of their series need Prometheus's out-of-order window
 * (`storage.tsdb.out_of_order_time_window`). Writing the very same sample again changes nothing.
 */
export class RemoteWriteClient {
  constructor(
    /** The receiver's URL, e.g. `http://127.0.0.1:9090/api/v1/write`. */
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /**
   * Writes the series in one request: Prometheus appends all of them or none. Unreachable is a
   * 503, a refusal (e.g. "out of bounds" for a sample older than the out-of-order window, or the
   * receiver not enabled) a 502 quoting Prometheus, no answer in time a 504.
   */
  async write(series: readonly RemoteWriteSeries[]): Promise<void> {
    if (series.length === 0) return;
    const body = snappyLiteral(encodeWriteRequest(series));
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          ...this.headers,
          'Content-Type': 'application/x-protobuf',
          'Content-Encoding': 'snappy',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
        },
        body,
        signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') {
        throw new UpstreamTimeoutError(
          `Prometheus at ${this.url} did not take the write within ${
            WRITE_TIMEOUT_MS / 1000
          } s`,
        );
      }
      throw new ServiceUnavailableError(
        `Prometheus at ${this.url} is unreachable (${
          e.cause?.code ?? e.message
        })`,
      );
    }
    if (!response.ok) {
      const text = (await response.text()).trim().slice(0, 500);
      throw new UpstreamError(
        `Prometheus at ${this.url} refused the write with HTTP ${
          response.status
        }${text ? `: ${text}` : ''}${
          response.status === 404
            ? ' (is --web.enable-remote-write-receiver set?)'
            : ''
        }`,
      );
    }
  }
}

/** Protobuf writer of the few types a WriteRequest needs. */
class ProtoWriter {
  private readonly chunks: Buffer[] = [];

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.chunks.push(Buffer.from(bytes));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, value: Buffer): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.chunks.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, Buffer.from(value, 'utf8'));
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleLE(value);
    this.chunks.push(buffer);
  }

  int64(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(BigInt(value));
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** `prometheus.WriteRequest` (remote write 1.0): labels sorted by name, as the protocol asks. */
export function encodeWriteRequest(
  series: readonly RemoteWriteSeries[],
): Buffer {
  const request = new ProtoWriter();
  for (const one of series) {
    const timeSeries = new ProtoWriter();
    for (const name of Object.keys(one.labels).sort()) {
      const label = new ProtoWriter();
      label.string(1, name);
      label.string(2, one.labels[name]);
      timeSeries.bytes(1, label.finish());
    }
    for (const [timestamp, value] of one.samples) {
      const sample = new ProtoWriter();
      sample.double(1, value);
      sample.int64(2, timestamp);
      timeSeries.bytes(2, sample.finish());
    }
    request.bytes(1, timeSeries.finish());
  }
  return request.finish();
}

/**
 * The snappy block format with literals only: valid snappy that any decoder reads, without
 * compressing (the bodies are small, and this needs no native module).
 */
export function snappyLiteral(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let length = data.length;
  const preamble: number[] = [];
  do {
    let byte = length & 0x7f;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    preamble.push(byte);
  } while (length > 0);
  parts.push(Buffer.from(preamble));
  const MAX_LITERAL = 65536;
  for (let offset = 0; offset < data.length; offset += MAX_LITERAL) {
    const chunk = data.subarray(offset, offset + MAX_LITERAL);
    const n = chunk.length - 1;
    if (n < 60) {
      parts.push(Buffer.from([n << 2]));
    } else if (n < 256) {
      parts.push(Buffer.from([60 << 2, n]));
    } else {
      parts.push(Buffer.from([61 << 2, n & 0xff, n >> 8]));
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
