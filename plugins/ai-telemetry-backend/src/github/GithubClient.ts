import { Readable } from 'stream';
import { createInterface } from 'readline';
import { ReadableStream as WebReadableStream } from 'stream/web';
import {
  GithubImportErrorReason,
  GithubImportScope,
} from '@fawkes/plugin-ai-telemetry-common';
import { GithubImportFailure } from './GithubImportFailure';

/** The REST API version the import asks for (GitHub's `X-GitHub-Api-Version`). */
export const GITHUB_API_VERSION = '2022-11-28';

/** How long one request to GitHub, or one report download, may take. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Seats per page of the seat API (its maximum). */
const SEATS_PER_PAGE = 100;
/** Attempts of one request while GitHub asks to wait briefly or fails with 5xx. */
const ATTEMPTS = 3;

/** What `users-1-day` answers: the day's report files, or that the day is not published yet. */
export type DayReport =
  | { published: true; day: string; downloadLinks: string[] }
  | { published: false; day: string };

/** One seat as the seat API lists it: only the fields the counts need (never the assignee). */
export type SeatActivity = {
  lastActivityAt: Date | null;
  pendingCancellation: boolean;
};

/** The organisation's `seat_breakdown` (`GET /orgs/{org}/copilot/billing`). */
export type SeatBreakdown = {
  total: number;
  pendingInvitation: number;
  pendingCancellation: number;
};

export type GithubClientOptions = {
  scope: GithubImportScope;
  /** The API's base URL (`integrations.github[].apiBaseUrl`), without a trailing slash. */
  apiBaseUrl: string;
  /** The `Authorization` (and any other) headers of the integration's credentials, per request. */
  credentials: () => Promise<Record<string, string>>;
  /**
   * The longest wait GitHub may ask for (`Retry-After`, rate-limit reset) that a request sits
   * out and then tries again; a longer one ends the run with `rate_limited`. Default 60 s.
   */
  maxWaitMs?: number;
  /** For tests: how the client waits. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
};

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A quote of GitHub's own message, for admins: its `message` field, or the start of the body. */
function githubMessage(text: string): string {
  try {
    const body = JSON.parse(text);
    if (body && typeof body.message === 'string') return body.message;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 200);
}

/**
 * GitHub's REST API for the import: the Copilot usage metrics reports (`users-1-day` of an
 * organisation or enterprise, whose NDJSON files sit behind signed download links) and the
 * Copilot seat API. Failures become {@link GithubImportFailure}s with the reason admins see;
 * rate limits are honoured as GitHub's documentation asks (`Retry-After`, else
 * `x-ratelimit-reset` when `x-ratelimit-remaining` is 0, else a minute).
 */
export class GithubClient {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly maxWaitMs: number;

  constructor(private readonly options: GithubClientOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  private get scopePath(): string {
    const { kind, name } = this.options.scope;
    return kind === 'organization'
      ? `/orgs/${encodeURIComponent(name)}`
      : `/enterprises/${encodeURIComponent(name)}`;
  }

  /**
   * `GET …/copilot/metrics/reports/users-1-day?day=`: the download links of the day's per-user
   * report, or `published: false` when GitHub has not processed the day yet (204).
   */
  async usersDayReport(day: string): Promise<DayReport> {
    const path = `${this.scopePath}/copilot/metrics/reports/users-1-day?day=${day}`;
    const response = await this.request(path);
    if (response.status === 204) return { published: false, day };
    const body = await this.json(response, path);
    const links = body.download_links;
    if (!Array.isArray(links) || links.some(link => typeof link !== 'string')) {
      throw new GithubImportFailure(
        'invalid_report',
        `GET ${path} answered without the documented download_links`,
        { status: response.status },
      );
    }
    if (typeof body.report_day === 'string' && body.report_day !== day) {
      throw new GithubImportFailure(
        'invalid_report',
        `GET ${path} answered the report of ${body.report_day}`,
        { status: response.status },
      );
    }
    return { published: true, day, downloadLinks: links as string[] };
  }

  /**
   * Reads one report file line by line (NDJSON), passing each parsed line to `onLine`. The link
   * is signed: no credentials are sent with it. An expired link (403, 404 or 410) throws
   * `link_expired`; the caller asks for fresh links.
   */
  async readReport(
    link: string,
    onLine: (line: unknown) => void,
  ): Promise<void> {
    let response: Response;
    const where = new URL(link);
    const shown = `${where.origin}${where.pathname}`;
    try {
      response = await fetch(link, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw this.unreachable(error as Error, `GET ${shown}`);
    }
    if ([401, 403, 404, 410].includes(response.status)) {
      await response.body?.cancel();
      throw new GithubImportFailure(
        'link_expired',
        `The report download link answered ${response.status} (expired)`,
        { status: response.status },
      );
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new GithubImportFailure(
        response.status >= 500 ? 'github_unavailable' : 'invalid_report',
        `The report download answered ${response.status}`,
        { status: response.status },
      );
    }
    const lines = createInterface({
      input: Readable.fromWeb(response.body as WebReadableStream),
      crlfDelay: Infinity,
    });
    let number = 0;
    for await (const text of lines) {
      number += 1;
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // The line itself is never quoted: it may belong to anyone.
        throw new GithubImportFailure(
          'invalid_report',
          `Line ${number} of a report file is not JSON`,
        );
      }
      onLine(parsed);
    }
  }

  /**
   * Every seat's activity, page by page (`GET …/copilot/billing/seats`), reduced at once to
   * what the counts need: the assignee is never read.
   */
  async seatActivity(): Promise<{ total: number; seats: SeatActivity[] }> {
    const seats: SeatActivity[] = [];
    let total = 0;
    let next:
      | string
      | undefined = `${this.scopePath}/copilot/billing/seats?per_page=${SEATS_PER_PAGE}&page=1`;
    for (let page = 1; next; page++) {
      const path: string = next;
      const response = await this.request(path);
      const body = await this.json(response, path);
      if (!Array.isArray(body.seats) || !body.seats.every(isRecord)) {
        throw new GithubImportFailure(
          'invalid_report',
          `GET ${path} answered without the documented seats`,
          { status: response.status },
        );
      }
      if (typeof body.total_seats === 'number') total = body.total_seats;
      for (const seat of body.seats as Json[]) {
        const last =
          typeof seat.last_activity_at === 'string'
            ? new Date(seat.last_activity_at)
            : null;
        seats.push({
          lastActivityAt: last && !isNaN(last.getTime()) ? last : null,
          pendingCancellation:
            typeof seat.pending_cancellation_date === 'string' &&
            seat.pending_cancellation_date !== '',
        });
      }
      next = this.nextPage(response, path, body.seats.length, page);
    }
    return { total: Math.max(total, seats.length), seats };
  }

  /** `GET /orgs/{org}/copilot/billing`: the seat breakdown (organisations only). */
  async seatBreakdown(): Promise<SeatBreakdown | undefined> {
    if (this.options.scope.kind !== 'organization') return undefined;
    const path = `${this.scopePath}/copilot/billing`;
    const body = await this.json(await this.request(path), path);
    const breakdown = body.seat_breakdown;
    if (!isRecord(breakdown)) return undefined;
    const count = (value: unknown) =>
      typeof value === 'number' && Number.isFinite(value) ? value : 0;
    return {
      total: count(breakdown.total),
      pendingInvitation: count(breakdown.pending_invitation),
      pendingCancellation: count(breakdown.pending_cancellation),
    };
  }

  /** The next page: the `Link` header's `rel="next"`, else the next number while pages are full. */
  private nextPage(
    response: Response,
    path: string,
    items: number,
    page: number,
  ): string | undefined {
    const link = response.headers.get('link');
    if (link) {
      const next = link
        .split(',')
        .map(part => part.match(/<([^>]+)>\s*;\s*rel="next"/))
        .find(Boolean);
      if (!next) return undefined;
      const url = new URL(next[1], this.options.apiBaseUrl);
      const base = new URL(this.options.apiBaseUrl);
      const basePath = base.pathname.replace(/\/+$/, '');
      return `${url.pathname.slice(basePath.length)}${url.search}`;
    }
    if (items < SEATS_PER_PAGE) return undefined;
    return path.replace(/page=\d+$/, `page=${page + 1}`);
  }

  /** The answer's JSON object; anything else is an `invalid_report`. */
  private async json(response: Response, path: string): Promise<Json> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!isRecord(body)) {
      throw new GithubImportFailure(
        'invalid_report',
        `GET ${path} answered ${response.status} with a body that is not a JSON object`,
        { status: response.status },
      );
    }
    return body;
  }

  /**
   * One API request with the integration's credentials, retried when GitHub answers 5xx or asks
   * to wait no longer than `maxWaitMs`; any other failure is thrown, classified.
   */
  private async request(path: string): Promise<Response> {
    const url = `${this.options.apiBaseUrl}${path}`;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: {
            Accept: 'application/vnd.github+json',
            'X-GitHub-Api-Version': GITHUB_API_VERSION,
            ...(await this.options.credentials()),
          },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        const failure = this.unreachable(error as Error, `GET ${path}`);
        if (attempt < ATTEMPTS) {
          await this.sleep(1000 * attempt);
          continue;
        }
        throw failure;
      }
      if (response.ok) return response;

      const text = await response.text();
      const quoted = githubMessage(text);
      const asked = this.rateLimitWait(response, quoted);
      if (asked !== undefined) {
        const retryAt = new Date(this.now() + asked);
        if (asked <= this.maxWaitMs && attempt < ATTEMPTS) {
          await this.sleep(asked);
          continue;
        }
        throw new GithubImportFailure(
          'rate_limited',
          `GitHub answered ${response.status} (${
            quoted || 'rate limited'
          }) to GET ${path}; it allows the next request at ${retryAt.toISOString()}`,
          { status: response.status, retryAt },
        );
      }
      if (response.status >= 500 && attempt < ATTEMPTS) {
        await this.sleep(1000 * attempt);
        continue;
      }
      const { reason, hint } = this.classify(response.status);
      throw new GithubImportFailure(
        reason,
        `GitHub answered ${response.status}${
          quoted ? ` ${quoted}` : ''
        } to GET ${path}${hint}`,
        { status: response.status },
      );
    }
  }

  /** The reason of a failed answer, and what to check, for admins. */
  private classify(status: number): {
    reason: GithubImportErrorReason;
    hint: string;
  } {
    switch (status) {
      case 401:
        return {
          reason: 'credentials',
          hint: ' (check the token or GitHub App of integrations.github)',
        };
      case 403:
        return {
          reason: 'forbidden',
          hint: ' (the token needs the Copilot metrics and billing permissions, and the "Copilot usage metrics" policy must be enabled)',
        };
      case 404:
        return {
          reason: 'not_found',
          hint: ` (no such ${this.options.scope.kind}, or Copilot metrics are not enabled for it)`,
        };
      default:
        return {
          reason: status >= 500 ? 'github_unavailable' : 'invalid_report',
          hint: '',
        };
    }
  }

  /**
   * How long GitHub asks to wait, in milliseconds, when the answer is a rate limit (429, or 403
   * with `Retry-After`, an exhausted `x-ratelimit-remaining`, or a secondary-limit message);
   * undefined for any other answer.
   */
  private rateLimitWait(
    response: Response,
    message: string,
  ): number | undefined {
    if (response.status !== 429 && response.status !== 403) return undefined;
    const retryAfter = response.headers.get('retry-after');
    if (retryAfter !== null) {
      const seconds = Number(retryAfter);
      if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
      const date = Date.parse(retryAfter);
      if (!isNaN(date)) return Math.max(0, date - this.now());
    }
    if (response.headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      if (Number.isFinite(reset) && reset > 0) {
        return Math.max(0, reset * 1000 - this.now());
      }
    }
    if (response.status === 429 || /rate limit/i.test(message)) {
      return 60_000;
    }
    return undefined;
  }

  private unreachable(error: Error, what: string): GithubImportFailure {
    const e = error as Error & { cause?: { code?: string } };
    return new GithubImportFailure(
      'github_unavailable',
      e.name === 'TimeoutError'
        ? `GitHub did not answer ${what} within ${REQUEST_TIMEOUT_MS / 1000} s`
        : `GitHub is unreachable for ${what} (${e.cause?.code ?? e.message})`,
      { cause: error },
    );
  }
}
