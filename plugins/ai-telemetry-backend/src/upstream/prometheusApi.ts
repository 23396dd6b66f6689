import http from 'http';
import https from 'https';
import { gunzip, gunzipSync } from 'zlib';

/**
 * How a call to the HTTP API failed, with the fields prometheus-query gives its failures, so
 * that one mapping turns both into HTTP answers.
 */
export class ApiFailure extends Error {
  constructor(
    readonly errorType:
      | 'timeout_error'
      | 'network_error'
      | 'http_error'
      | 'client_error',
    message: string,
    details: {
      /** The network error's code, e.g. `ECONNREFUSED`. */
      code?: string;
      httpStatus?: number;
      /** Prometheus's own error answer (`http_error`). */
      prometheus?: { errorType?: string; error?: string };
      /** The body of an answer that is not the HTTP API's JSON (`client_error`). */
      data?: unknown;
    } = {},
  ) {
    super(message);
    Object.assign(this, details);
  }

  /** The message, as prometheus-query names it. */
  get error(): string {
    return this.message;
  }
}

/** Gzipped answers up to this size are inflated at once; larger ones in the thread pool. */
const INFLATE_AT_ONCE_BYTES = 64 * 1024;

function inflate(body: Buffer): Promise<Buffer> {
  if (body.length <= INFLATE_AT_ONCE_BYTES) {
    try {
      return Promise.resolve(gunzipSync(body));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) =>
    gunzip(body, (error, inflated) =>
      error ? reject(error) : resolve(inflated),
    ),
  );
}

/** The answer's `data` when Prometheus says `success`, else the failure it describes. */
function apiData(
  status: number,
  statusText: string | undefined,
  text: string,
): unknown {
  let answer: { status?: string; data?: unknown; error?: string } | undefined;
  try {
    answer = JSON.parse(text);
  } catch {
    // Not JSON: not the HTTP API (a proxy's page, Prometheus's plain 503 while it starts).
  }
  if (
    answer === null ||
    typeof answer !== 'object' ||
    answer.status === undefined ||
    answer.status === null
  ) {
    throw new ApiFailure('client_error', 'unexpected client error', {
      data: answer ?? text,
    });
  }
  if (status < 200 || status >= 300 || answer.status !== 'success') {
    throw new ApiFailure(
      'http_error',
      answer.error ?? statusText ?? `HTTP ${status}`,
      { httpStatus: status, prometheus: answer },
    );
  }
  return answer.data;
}

/**
 * POSTs a form to an endpoint of the Prometheus HTTP API (`query`, `query_range`) and answers
 * the `data` of its answer, or rejects with an {@link ApiFailure}: no answer within `timeoutMs`,
 * unreachable, an error answer, or something else than the API answering.
 *
 * Node's own HTTP client on its keep-alive agent: per query about a millisecond less than
 * prometheus-query's axios, whose streamed inflation and request set-up showed in the raw
 * query's overhead (issue 14). Answers are asked for uncompressed: Prometheus sits next to the
 * backend (the same host or cluster), where compressing on its side and inflating on ours costs
 * more than the bytes it saves, for a 200-byte answer (zlib's set-up on both sides) as for a
 * 10 MB one (its CPU). A gzip answer is still inflated.
 */
export function postToApi(options: {
  baseUrl: string;
  endpoint: 'query' | 'query_range';
  form: URLSearchParams;
  headers: Record<string, string>;
  timeoutMs: number;
}): Promise<unknown> {
  const url = new URL(
    `${options.baseUrl.replace(/\/$/, '')}/api/v1/${options.endpoint}`,
  );
  const body = options.form.toString();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        resolve(outcome());
      } catch (failure) {
        reject(failure);
      }
    };
    const failed = (error: Error & { code?: string }) =>
      settle(() => {
        throw deadline.signal.aborted
          ? new ApiFailure(
              'timeout_error',
              `no answer within ${options.timeoutMs} ms`,
            )
          : new ApiFailure('network_error', error.message, {
              code: error.code,
            });
      });
    const send = (attempt: number) => {
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          signal: deadline.signal,
          headers: {
            ...options.headers,
            Accept: 'application/json',
            'Accept-Encoding': 'identity',
            'Content-Type': 'application/x-www-form-urlencoded',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        response => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', failed);
          response.on('end', () => {
            const raw = Buffer.concat(chunks);
            const decoded =
              response.headers['content-encoding'] === 'gzip'
                ? inflate(raw)
                : Promise.resolve(raw);
            decoded.then(
              text =>
                settle(() =>
                  apiData(
                    response.statusCode ?? 0,
                    response.statusMessage,
                    text.toString('utf8'),
                  ),
                ),
              failed,
            );
          });
        },
      );
      request.on('error', (error: Error & { code?: string }) => {
        // A kept-alive connection Prometheus closed just as it was reused: the query never
        // reached it, and reading is safe to repeat, once, on a new connection.
        if (
          attempt === 0 &&
          request.reusedSocket &&
          error.code === 'ECONNRESET' &&
          !deadline.signal.aborted
        ) {
          send(1);
          return;
        }
        failed(error);
      });
      request.end(body);
    };
    send(0);
  });
}
