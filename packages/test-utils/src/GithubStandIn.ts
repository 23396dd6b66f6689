import { createHmac, randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer, TestHttpServer } from './httpServer';

/**
 * One line of a Copilot usage metrics `users-1-day` report, as GitHub documents it
 * (docs.github.com, "Data available in Copilot usage metrics" and its example schema): the
 * stand-in serves whatever lines a test gives it.
 */
export type GithubReportLine = Record<string, unknown>;

/** One Copilot seat, as `GET /orgs/{org}/copilot/billing/seats` lists it. */
export type GithubStandInSeat = {
  login: string;
  /** ISO time of the holder's last Copilot activity; null when never used. */
  lastActivityAt: string | null;
  /** YYYY-MM-DD when the seat ends with the billing cycle; null otherwise. */
  pendingCancellationDate?: string | null;
};

/** How the stand-in answers one request instead of as GitHub normally would. */
export type GithubStandInAnswer = {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
};

/** One request the stand-in received. */
export type GithubStandInRequest = {
  method: string;
  /** Path and query, as sent. */
  path: string;
  authorization?: string;
  /** When it arrived (ms). */
  at: number;
  /** The status it was answered with. */
  status?: number;
};

export type GithubStandInOptions = {
  /** The organisation whose reports and seats it serves. Give this or `enterprise`. */
  organization?: string;
  enterprise?: string;
  /** The only token it accepts (`Authorization: Bearer <token>` or `token <token>`). */
  token: string;
  /** Report files a day's lines are spread over (default 2). */
  filesPerDay?: number;
  /** How long a download link stays valid, in ms (default 10 minutes). */
  linkLifetimeMs?: number;
  /** The port (default: one the system picks). */
  port?: number;
};

const NOT_FOUND = {
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest',
  status: '404',
};

/**
 * A stand-in for GitHub's REST API on a local port, as much of it as the Copilot import reads:
 * `GET /orgs/{org}/copilot/metrics/reports/users-1-day?day=` (and the enterprise's) answering
 * `{ download_links, report_day }`, 204 for a day not published yet; the NDJSON report files
 * behind signed, expiring download links; `GET /orgs/{org}/copilot/billing/seats` a page at a
 * time with `Link` headers, and `GET /orgs/{org}/copilot/billing`. Bad credentials are 401, an
 * unknown organisation 404; a test can script other answers (429 with `Retry-After`, say).
 */
export class GithubStandIn {
  readonly requests: GithubStandInRequest[] = [];
  private readonly days = new Map<string, GithubReportLine[]>();
  private readonly files = new Map<string, string>();
  private seats: GithubStandInSeat[] = [];
  private pendingInvitations = 0;
  private readonly scripted: Array<{
    match: RegExp;
    answer: GithubStandInAnswer;
    times: number;
  }> = [];
  private expireNext = 0;
  private readonly secret = randomBytes(16).toString('hex');
  private http?: TestHttpServer;
  /** The API's base URL, e.g. `http://127.0.0.1:41234` (the integration's `apiBaseUrl`). */
  url = '';

  constructor(private readonly options: GithubStandInOptions) {
    if (!options.organization === !options.enterprise) {
      throw new Error('GithubStandIn needs an organization or an enterprise');
    }
  }

  /** Publishes a day's report: from now on `users-1-day?day=` answers links to these lines. */
  publish(day: string, lines: readonly GithubReportLine[]): this {
    this.days.set(day, [...lines]);
    return this;
  }

  /** Takes a day back (answered 204 again). */
  unpublish(day: string): this {
    this.days.delete(day);
    return this;
  }

  /** The seats the seat API lists, and the invitations not accepted yet. */
  setSeats(seats: readonly GithubStandInSeat[], pendingInvitations = 0): this {
    this.seats = [...seats];
    this.pendingInvitations = pendingInvitations;
    return this;
  }

  /** Answers the next `times` requests whose path matches this way. */
  answerNext(match: RegExp, answer: GithubStandInAnswer, times = 1): this {
    this.scripted.push({ match, answer, times });
    return this;
  }

  /** The next `count` download links it issues are expired already. */
  expireNextLinks(count: number): this {
    this.expireNext += count;
    return this;
  }

  /** Requests whose path matches. */
  requestsTo(match: RegExp): GithubStandInRequest[] {
    return this.requests.filter(r => match.test(r.path));
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      try {
        this.handle(req, res);
      } catch (error) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      }
    };
    this.http = await startHttpServer(handler, this.options.port);
    this.url = this.http.url;
    return this;
  }

  async close(): Promise<void> {
    await this.http?.close();
  }

  private get scopePath(): string {
    return this.options.organization
      ? `/orgs/${this.options.organization.toLowerCase()}`
      : `/enterprises/${this.options.enterprise!.toLowerCase()}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const path = `${url.pathname}${url.search}`;
    const request: GithubStandInRequest = {
      method: req.method ?? 'GET',
      path,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    this.requests.push(request);
    res.on('finish', () => {
      request.status = res.statusCode;
    });
    const json = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
    ) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };

    const scripted = this.scripted.find(s => s.match.test(path));
    if (scripted) {
      scripted.times -= 1;
      if (scripted.times <= 0) {
        this.scripted.splice(this.scripted.indexOf(scripted), 1);
      }
      json(
        scripted.answer.status,
        scripted.answer.body,
        scripted.answer.headers,
      );
      return;
    }

    if (url.pathname.startsWith('/download/')) {
      this.download(url, res);
      return;
    }

    const authorization = req.headers.authorization ?? '';
    const token = authorization.replace(/^(Bearer|token)\s+/i, '');
    if (token !== this.options.token) {
      json(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
      return;
    }
    const pathname = url.pathname.toLowerCase();
    if (!pathname.startsWith(`${this.scopePath}/`)) {
      json(404, NOT_FOUND);
      return;
    }
    const rest = pathname.slice(this.scopePath.length);
    if (rest === '/copilot/metrics/reports/users-1-day') {
      const day = url.searchParams.get('day') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
        json(422, { message: 'Invalid day', status: '422' });
        return;
      }
      const lines = this.days.get(day);
      if (!lines) {
        res.writeHead(204);
        res.end();
        return;
      }
      json(200, { download_links: this.links(day, lines), report_day: day });
      return;
    }
    if (rest === '/copilot/billing/seats') {
      this.seatPage(url, res);
      return;
    }
    if (rest === '/copilot/billing' && this.options.organization) {
      json(200, {
        seat_breakdown: {
          total: this.seats.length,
          added_this_cycle: 0,
          pending_invitation: this.pendingInvitations,
          pending_cancellation: this.seats.filter(
            s => s.pendingCancellationDate,
          ).length,
          active_this_cycle: this.seats.filter(s => s.lastActivityAt).length,
          inactive_this_cycle: this.seats.filter(s => !s.lastActivityAt).length,
        },
        seat_management_setting: 'assign_selected',
        ide_chat: 'enabled',
        platform_chat: 'enabled',
        cli: 'enabled',
        public_code_suggestions: 'block',
        plan_type: 'business',
      });
      return;
    }
    json(404, NOT_FOUND);
  }

  /** Splits a day's lines over its files, and signs a link to each. */
  private links(day: string, lines: readonly GithubReportLine[]): string[] {
    const files = Math.max(1, this.options.filesPerDay ?? 2);
    const links: string[] = [];
    for (let file = 0; file < files; file++) {
      const part = lines.filter((_, index) => index % files === file);
      const id = `${day}-${file}-${randomBytes(4).toString('hex')}`;
      this.files.set(
        id,
        part.map(line => `${JSON.stringify(line)}\n`).join(''),
      );
      const expired = this.expireNext > 0;
      if (expired) this.expireNext -= 1;
      const expires = expired
        ? Date.now() - 1000
        : Date.now() + (this.options.linkLifetimeMs ?? 10 * 60_000);
      links.push(
        `${this.url}/download/${id}.ndjson?expires=${expires}&sig=${this.sign(
          id,
          expires,
        )}`,
      );
    }
    return links;
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.secret)
      .update(`${id}\n${expires}`)
      .digest('hex');
  }

  private download(url: URL, res: ServerResponse): void {
    const id = url.pathname.slice('/download/'.length).replace(/\.ndjson$/, '');
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('sig') ?? '';
    const body = this.files.get(id);
    if (body === undefined || signature !== this.sign(id, expires)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('The specified blob does not exist.');
      return;
    }
    if (!(expires > Date.now())) {
      res.writeHead(403, { 'Content-Type': 'text/plain' });
      res.end('Signature expired: the download link is no longer valid.');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    res.end(body);
  }

  private seatPage(url: URL, res: ServerResponse): void {
    const perPage = Math.min(
      100,
      Math.max(1, Number(url.searchParams.get('per_page') ?? 50) || 50),
    );
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const pages = Math.max(1, Math.ceil(this.seats.length / perPage));
    const slice = this.seats.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) =>
      `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>`;
    const links: string[] = [];
    if (page < pages) links.push(`${link(page + 1)}; rel="next"`);
    links.push(`${link(pages)}; rel="last"`);
    if (page > 1) {
      links.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
    }
    res.writeHead(200, {
      'Content-Type': 'application/json',
      Link: links.join(', '),
    });
    res.end(
      JSON.stringify({
        total_seats: this.seats.length,
        seats: slice.map((seat, index) => ({
          created_at: '2026-01-05T09:00:00Z',
          updated_at: '2026-01-05T09:00:00Z',
          pending_cancellation_date: seat.pendingCancellationDate ?? null,
          last_activity_at: seat.lastActivityAt,
          last_activity_editor: seat.lastActivityAt
            ? 'vscode/1.104.0/copilot-chat/0.31.0'
            : null,
          last_authenticated_at: seat.lastActivityAt,
          plan_type: 'business',
          assignee: {
            login: seat.login,
            id: (page - 1) * perPage + index + 1,
            type: 'User',
          },
        })),
      }),
    );
  }
}

/** Starts a {@link GithubStandIn}. */
export function startGithubStandIn(
  options: GithubStandInOptions,
): Promise<GithubStandIn> {
  return new GithubStandIn(options).start();
}
