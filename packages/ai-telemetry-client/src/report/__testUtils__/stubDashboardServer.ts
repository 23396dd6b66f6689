import {
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import {
  DashboardResponse,
  LanguageShare,
  PanelError,
  PANEL_IDS,
  PanelId,
} from '@fawkes/plugin-ai-telemetry-common';

/** One request the stub received. */
export type DashboardRequest = {
  path: string;
  from: string | null;
  to: string | null;
  authorization?: string;
};

/** How the stub answers: a status and a JSON body. */
export type DashboardAnswer = { status: number; body: unknown };

/** The headline figures of a stub dashboard. */
export type StubFigures = {
  totalSuggestions: number;
  acceptedSuggestions: number;
  activeUsers: number;
  totalLines: number;
  totalHours: number;
  topLanguages?: LanguageShare[];
};

function panelError(id: PanelId): PanelError {
  return {
    id,
    error: {
      name: 'Error',
      message: 'not part of this stub',
      statusCode: 500,
    },
  };
}

/**
 * A dashboard answer with the given figures in the panels a report reads (overview, lines,
 * time saved); the other panels are failures, which a report must not mind.
 */
export function stubDashboard(
  window: { start: number; end: number },
  figures: StubFigures,
): DashboardResponse {
  const base = {
    window: { ...window, asOf: window.end, step: 3600 },
    step: 3600,
    filters: {},
    ignoredFilters: [],
    queries: [],
  };
  const panels = Object.fromEntries(
    PANEL_IDS.map(id => [id, panelError(id)]),
  ) as unknown as DashboardResponse['panels'];
  const { totalSuggestions, acceptedSuggestions, activeUsers } = figures;
  panels.overview = {
    ...base,
    id: 'overview',
    data: {
      totalSuggestions,
      acceptedSuggestions,
      acceptanceRate:
        totalSuggestions === 0 ? null : acceptedSuggestions / totalSuggestions,
      activeUsers,
      optedInUsers: activeUsers + 2,
      topLanguages: figures.topLanguages ?? [],
      teamsUsingAi: 3,
    },
  };
  panels.linesGenerated = {
    ...base,
    id: 'linesGenerated',
    step: 86400,
    data: {
      totalLines: figures.totalLines,
      byLanguage: [],
      total: { start: 0, step: 86400, values: [] },
      cumulative: { start: 0, step: 86400, values: [] },
    },
  };
  panels.timeSaved = {
    ...base,
    id: 'timeSaved',
    data: {
      totalHours: figures.totalHours,
      activeUsers,
      hoursPerActiveUser: activeUsers ? figures.totalHours / activeUsers : null,
      byActivity: [],
      roi: {
        formula: 'stub',
        inputs: {
          hoursSaved: figures.totalHours,
          hourlyCost: 85,
          seatCostPerMonth: 19,
          activeUsers,
          days: 7,
          daysPerMonth: 30.4375,
          usageCostUsd: null,
        },
        estimated: ['hoursSaved', 'hourlyCost', 'seatCostPerMonth'],
        valueOfTimeSaved: 0,
        seatCost: 0,
        totalCost: 0,
        net: 0,
        ratio: null,
      },
    },
  };
  return { window: base.window, filters: {}, panels };
}

/** A stand-in for the backend's `GET /v1/dashboard` on a local port. */
export class StubDashboardServer {
  readonly requests: DashboardRequest[] = [];
  private http?: TestHttpServer;
  url = '';

  constructor(
    private readonly answer: (request: DashboardRequest) => DashboardAnswer,
  ) {}

  async start(): Promise<this> {
    this.http = await startHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const request: DashboardRequest = {
        path: url.pathname,
        from: url.searchParams.get('from'),
        to: url.searchParams.get('to'),
        authorization: req.headers.authorization,
      };
      this.requests.push(request);
      const { status, body } = this.answer(request);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    this.url = `${this.http.url}/api/ai-telemetry`;
    return this;
  }

  /** Stops it, cutting the keep-alive connection a report that failed half-way leaves open. */
  async stop(): Promise<void> {
    await this.http?.close();
  }
}
