/**
 * Portal users under autocannon: one connection per person, each signed in as themselves (their
 * own Backstage token), loading the pages the AI Telemetry plugin's frontend loads, with a mix
 * of ranges and filters:
 *  - the overview: GET /v1/dashboard, and the stack health card's GET /health;
 *  - one panel again (a panel's retry or a deep link): GET /v1/panels/:id;
 *  - their team's tab: GET /v1/teams/default/<team>/dashboard and the organisation's
 *    /v1/dashboard beside it, as useTeamDashboard does;
 *  - My data: GET /v1/me and GET /v1/me/data;
 * and, once per page, Backstage's own floor: GET /api/auth/v1/userinfo, the auth backend's
 * trivial authenticated route (it checks the token and reads one row), on the same backend.
 *
 * Ranges: 24h, 7d, 30d, 90d, or a custom window of whole days within the last 30 (one page in
 * ten); filters: none, a language or an assistant. Every person's choices come from a seeded
 * generator, so runs are comparable.
 */
import {
  DASHBOARD_RANGES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  PANEL_IDS,
} from '@fawkes/plugin-ai-telemetry-common';
import autocannon from 'autocannon';
import { SignedInPerson } from './productionStack';
import { errorMessage, Outcome, Recorder } from './stats';

export const ROUTES = {
  dashboard: 'GET /v1/dashboard',
  panel: 'GET /v1/panels/:id',
  team: 'GET /v1/teams/:ns/:name/dashboard',
  me: 'GET /v1/me',
  myData: 'GET /v1/me/data',
  health: 'GET /health (signed in)',
  floor: 'floor: GET /api/auth/v1/userinfo',
} as const;

export const PORTAL_ROUTES = [
  ROUTES.dashboard,
  ROUTES.panel,
  ROUTES.team,
  ROUTES.me,
  ROUTES.myData,
  ROUTES.health,
];

type Request = { route: string; path: string };

/** autocannon's time-out of one request (its default is 10 s). */
const TIMEOUT_SECONDS = 30;

/** mulberry32: a small seeded generator. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;

/** One person's pages, one request at a time. */
class PortalUser {
  private readonly random: () => number;
  private readonly queue: Request[] = [];
  lastBody = '';

  constructor(readonly person: SignedInPerson, seed: number) {
    this.random = generator(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private query(): string {
    const params = new URLSearchParams();
    if (this.random() < 0.1) {
      const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
      const days = 1 + Math.floor(this.random() * 14);
      const end = today - Math.floor(this.random() * (30 - days)) * DAY_MS;
      params.set('from', new Date(end - days * DAY_MS).toISOString());
      params.set('to', new Date(end).toISOString());
    } else {
      params.set('range', this.pick(DASHBOARD_RANGES));
    }
    const filter = this.random();
    if (filter < 0.25) params.set('language', this.pick(DEFAULT_LANGUAGES));
    else if (filter < 0.4)
      params.set('assistant', this.pick(DEFAULT_ASSISTANTS));
    return params.toString();
  }

  /** The requests of the next page this person opens. */
  private page(): Request[] {
    const api = '/api/ai-telemetry';
    const q = this.query();
    const floor = { route: ROUTES.floor, path: '/api/auth/v1/userinfo' };
    const dashboard = {
      route: ROUTES.dashboard,
      path: `${api}/v1/dashboard?${q}`,
    };
    const page = this.random();
    if (page < 0.4) {
      return [
        floor,
        dashboard,
        { route: ROUTES.health, path: `${api}/health` },
      ];
    }
    if (page < 0.6) {
      const id = this.pick(PANEL_IDS);
      return [
        floor,
        { route: ROUTES.panel, path: `${api}/v1/panels/${id}?${q}` },
      ];
    }
    if (page < 0.85) {
      const team = encodeURIComponent(this.person.team);
      return [
        floor,
        {
          route: ROUTES.team,
          path: `${api}/v1/teams/default/${team}/dashboard?${q}`,
        },
        dashboard,
      ];
    }
    return [
      floor,
      { route: ROUTES.me, path: `${api}/v1/me` },
      { route: ROUTES.myData, path: `${api}/v1/me/data?format=json` },
    ];
  }

  next(): Request {
    if (this.queue.length === 0) this.queue.push(...this.page());
    return this.queue.shift()!;
  }
}

export type PortalLoadOptions = {
  url: string;
  people: SignedInPerson[];
  seconds: number;
  /** Requests a second each person makes at most (0: as fast as answers come). */
  perUserRate: number;
  recorder: Recorder;
  seed?: number;
};

export type PortalLoad = {
  /** autocannon's own summary, once the run ends. */
  done: Promise<autocannon.Result>;
  /** Ends the run before its time. */
  stop(): void;
};

/** Runs the portal users for `seconds` (or until stopped). */
export function runPortalUsers(options: PortalLoadOptions): PortalLoad {
  const users = options.people.map(
    (p, i) => new PortalUser(p, (options.seed ?? 42) * 1000 + i),
  );
  let nextUser = 0;
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.url,
        connections: users.length,
        duration: options.seconds,
        timeout: TIMEOUT_SECONDS,
        ...(options.perUserRate > 0 && { connectionRate: options.perUserRate }),
        setupClient: (client: any) => {
          // `any`: autocannon's types do not declare the client's events or setRequests.
          const user = users[nextUser++ % users.length];
          // The routes of the requests built and not answered yet, oldest first. autocannon
          // builds the next request before it tells of a time-out (it reconnects and sends on
          // first), and after it tells of a connection error: either way the failed request is
          // the oldest.
          const routes: string[] = [];
          const finish = (outcome: Outcome, ms: number, message?: string) => {
            const route = routes.shift();
            if (route === undefined) return;
            options.recorder.record({
              at: Date.now(),
              route,
              outcome,
              ms,
              message,
            });
          };
          client.on('response', (status: number, _bytes: number, ms: number) =>
            finish(
              status,
              ms,
              status >= 400 ? errorMessage(user.lastBody) : undefined,
            ),
          );
          client.on('timeout', () => finish('timeout', TIMEOUT_SECONDS * 1000));
          client.on('connError', (error: Error) =>
            finish('connection', NaN, error.message),
          );
          client.setRequests([
            {
              method: 'GET',
              setupRequest: (req: autocannon.Request) => {
                const { path, route } = user.next();
                routes.push(route);
                return {
                  ...req,
                  path,
                  headers: {
                    ...req.headers,
                    authorization: `Bearer ${user.person.backstageToken}`,
                    accept: 'application/json',
                  },
                };
              },
              onResponse: (_status: number, body: string) => {
                user.lastBody = body;
              },
            },
          ]);
        },
      } as autocannon.Options,
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  return { done, stop: () => instance?.stop() };
}
