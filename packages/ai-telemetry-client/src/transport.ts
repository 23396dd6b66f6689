import { IngestEventsRequest, IngestEventsResponse } from './contract';

/** How the backend answered one `POST /v1/events`, as the client acts on it. */
export type SendOutcome =
  | { type: 'accepted'; response: IngestEventsResponse }
  /** 400: the batch is invalid and sending it again cannot help. */
  | { type: 'invalid'; status: number; message: string }
  /** 401: the token is missing, unknown, rotated or revoked. */
  | { type: 'unauthorized'; status: number; message: string }
  /** 403: the user has not opted in, or has opted out. */
  | { type: 'not-opted-in'; status: number; message: string }
  /** 413: the batch is too large and must be split. */
  | { type: 'too-large'; status: number; message: string }
  /** Unreachable, timed out, 429, 5xx or anything unexpected: try again later. */
  | {
      type: 'retry';
      status?: number;
      message: string;
      retryAfterMs?: number;
    };

/** The message of a Backstage error body (`{ error: { name, message } }`), or the text. */
function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text);
    if (typeof body?.error?.message === 'string') {
      return `${body.error.name ?? 'Error'}: ${body.error.message}`;
    }
  } catch {
    // Not JSON (a proxy's error page, say): fall through to the raw text.
  }
  const snippet = text.trim().slice(0, 200);
  return `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
}

/** Retry-After in seconds or as an HTTP date, in ms from now. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function networkMessage(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: unknown };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return 'the request timed out';
  }
  const cause = err?.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? err?.message ?? String(error);
}

/** Sends one batch; never throws. */
export async function sendBatch(options: {
  fetch: typeof fetch;
  endpoint: string;
  token: string;
  body: IngestEventsRequest;
  timeoutMs: number;
  now: number;
}): Promise<SendOutcome> {
  const url = `${options.endpoint}/v1/events`;
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${options.token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return {
      type: 'retry',
      message: `${url} could not be reached: ${networkMessage(error)}`,
    };
  }

  const { status } = response;
  if (status === 200 || status === 202) {
    try {
      const parsed = JSON.parse(text) as IngestEventsResponse;
      if (typeof parsed.accepted === 'number') {
        return {
          type: 'accepted',
          response: {
            accepted: parsed.accepted,
            duplicate: !!parsed.duplicate,
          },
        };
      }
    } catch {
      // Handled below: a 2xx that is not our answer means a wrong endpoint.
    }
    return {
      type: 'retry',
      status,
      message: `${url} answered HTTP ${status} without { accepted, duplicate }: is ${options.endpoint} the AI Telemetry plugin's URL?`,
    };
  }
  const message = errorMessage(status, text);
  switch (status) {
    case 400:
      return { type: 'invalid', status, message };
    case 401:
      return { type: 'unauthorized', status, message };
    case 403:
      return { type: 'not-opted-in', status, message };
    case 413:
      return { type: 'too-large', status, message };
    default:
      return {
        type: 'retry',
        status,
        message: `${url} answered ${message}`,
        retryAfterMs: retryAfterMs(
          response.headers.get('retry-after'),
          options.now,
        ),
      };
  }
}
