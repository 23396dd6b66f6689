/**
 * Answers of the ai-telemetry backend for component tests, in the shapes of
 * `@fawkes/plugin-ai-telemetry-common`: small, but with every field a panel reads.
 */
import {
  AcceptanceRatePanel,
  AdoptionPanel,
  AlertsPanel,
  ErasureJob,
  ERASURE_STEPS,
  FeatureUsagePanel,
  LinesGeneratedPanel,
  MeResponse,
  MyDataResponse,
  OrganisationDashboard,
  OrganisationTooFewParticipants,
  OverviewPanel,
  PanelError,
  PanelId,
  QueryWindow,
  TeamComparisonPanel,
  TeamDashboard,
  TelemetryTokenResponse,
  TimeSavedPanel,
  UsagePanel,
  TooFewParticipants,
} from '@fawkes/plugin-ai-telemetry-common';
import { ResponseError } from '@backstage/errors';
import { AiTelemetryApi } from '../api';

const DAY = 86_400_000;
/** 2026-11-01T00:00:00Z */
export const START = Date.UTC(2026, 10, 1);

export const testWindow: QueryWindow = {
  start: START,
  end: START + 3 * DAY,
  asOf: START + 3 * DAY,
  step: 86400,
};

const base = {
  window: testWindow,
  step: 86400,
  filters: {},
  ignoredFilters: [],
};

function days(values: number[]) {
  return { start: START, step: DAY / 1000, values };
}

export const overviewPanel: OverviewPanel = {
  ...base,
  id: 'overview',
  queries: [
    {
      query:
        'sum by (language, assistant, accepted) (increase(ai_copilot_suggestions_total[86400s]))',
      type: 'range',
      source: 'raw',
      step: 86400,
    },
  ],
  data: {
    totalSuggestions: 12345,
    acceptedSuggestions: 4000,
    acceptanceRate: 0.324,
    activeUsers: 42,
    optedInUsers: 47,
    topLanguages: [
      {
        language: 'python',
        suggestions: 6000,
        accepted: 2000,
        acceptanceRate: 0.333,
        share: 0.486,
      },
      {
        language: 'go',
        suggestions: 2000,
        accepted: 500,
        acceptanceRate: 0.25,
        share: 0.162,
      },
    ],
    teamsUsingAi: 7,
  },
  previous: {
    window: { ...testWindow, start: START - 3 * DAY, end: START, asOf: START },
    tiles: { totalSuggestions: 10000, acceptanceRate: 0.3, activeUsers: 42 },
  },
};

export const acceptanceRatePanel: AcceptanceRatePanel = {
  ...base,
  id: 'acceptanceRate',
  queries: overviewPanel.queries,
  data: {
    barStep: 86400,
    bars: [
      { t: START, v: 0.3, shown: 400, partial: false, few: false },
      { t: START + DAY, v: 0.32, shown: 12, partial: false, few: true },
      { t: START + 2 * DAY, v: 0.35, shown: 150, partial: true, few: false },
    ],
    overall: days([0.3, 0.32, 0.35]),
    movingAverage7d: days([0.29, 0.3, 0.31]),
    byLanguage: [
      { name: 'python', ...days([0.31, 0.33, 0.36]) },
      { name: 'go', ...days([0.22, 0.25, 0.27]) },
    ],
    byAssistant: [{ name: 'copilot', ...days([0.3, 0.32, 0.35]) }],
  },
};

export const linesGeneratedPanel: LinesGeneratedPanel = {
  ...base,
  id: 'linesGenerated',
  queries: [
    {
      query: 'sum by (language) (increase(ai_copilot_lines_generated[86400s]))',
      type: 'range',
      source: 'raw',
      step: 86400,
    },
  ],
  data: {
    totalLines: 900,
    byLanguage: [
      { name: 'python', ...days([200, 250, 150]) },
      { name: 'go', ...days([100, 120, 80]) },
    ],
    total: days([300, 370, 230]),
    cumulative: days([300, 670, 900]),
  },
};

export const timeSavedPanel: TimeSavedPanel = {
  ...base,
  id: 'timeSaved',
  queries: [
    {
      query:
        'sum by (activity) (increase(ai_copilot_time_saved_seconds[259200s]))',
      type: 'instant',
      source: 'raw',
    },
  ],
  data: {
    totalHours: 30,
    activeUsers: 42,
    hoursPerActiveUser: 30 / 42,
    byActivity: [
      { activity: 'code_completion', hours: 20 },
      { activity: 'code_generation', hours: 8 },
      { activity: 'documentation', hours: 2 },
    ],
    roi: {
      formula:
        'value = hoursSaved × hourlyCost; seatCost = seatCostPerMonth × activeUsers × days ÷ daysPerMonth; cost = seatCost + usageCostUsd; net = value − cost; ratio = value ÷ cost',
      inputs: {
        hoursSaved: 30,
        hourlyCost: 85,
        seatCostPerMonth: 19,
        activeUsers: 42,
        days: 3,
        daysPerMonth: 30.4375,
        usageCostUsd: 121.35,
      },
      estimated: ['hoursSaved', 'hourlyCost', 'seatCostPerMonth'],
      valueOfTimeSaved: 2550,
      seatCost: 78.65,
      totalCost: 200,
      net: 2350,
      ratio: 12.75,
    },
  },
};

export const featureUsagePanel: FeatureUsagePanel = {
  ...base,
  id: 'featureUsage',
  queries: [
    {
      query: 'sum by (feature) (increase(ai_copilot_feature_usage[86400s]))',
      type: 'range',
      source: 'raw',
      step: 86400,
    },
  ],
  data: {
    totals: [
      { feature: 'chat', count: 18 },
      { feature: 'completion', count: 6 },
    ],
    heatmap: {
      timezone: 'UTC',
      hourOfDay: [
        { feature: 'chat', bucket: 9, count: 12 },
        { feature: 'chat', bucket: 14, count: 6 },
        { feature: 'completion', bucket: 10, count: 6 },
      ],
      dayOfWeek: [
        { feature: 'chat', bucket: 1, count: 18 },
        { feature: 'completion', bucket: 2, count: 6 },
      ],
    },
  },
};

export const usagePanel: UsagePanel = {
  ...base,
  id: 'usage',
  step: 86400,
  queries: [
    {
      query: 'sum by (model, type) (increase(ai_copilot_tokens_total[86400s]))',
      type: 'range',
      source: 'raw',
      step: 86400,
    },
  ],
  data: {
    withheld: false,
    reportingDevelopers: 12,
    totalTokens: 4_200_000,
    tokensByType: [
      { name: 'cache_read', ...days([900_000, 1_100_000, 1_000_000]) },
      { name: 'input', ...days([200_000, 250_000, 250_000]) },
      { name: 'output', ...days([150_000, 200_000, 150_000]) },
    ],
    tokensByAssistant: [
      { name: 'claude-code', ...days([900_000, 1_200_000, 1_300_000]) },
      { name: 'gemini-cli', ...days([350_000, 350_000, 100_000]) },
    ],
    tokensByModel: [
      { name: 'claude-sonnet-4-5', ...days([900_000, 1_200_000, 1_300_000]) },
      { name: 'gemini-2.5-pro', ...days([350_000, 350_000, 100_000]) },
    ],
    byAssistant: [
      {
        assistant: 'claude-code',
        totalTokens: 3_400_000,
        costUsd: 101.5,
        acceptedLines: 2_030,
      },
      {
        assistant: 'gemini-cli',
        totalTokens: 800_000,
        costUsd: 19.85,
        acceptedLines: 397,
      },
    ],
    costByAssistant: [
      { name: 'claude-code', ...days([30, 38, 33.5]) },
      { name: 'gemini-cli', ...days([8, 7, 4.85]) },
    ],
    costByModel: [
      { name: 'claude-sonnet-4-5', ...days([30, 38, 33.5]) },
      { name: 'gemini-2.5-pro', ...days([8, 7, 4.85]) },
    ],
    costPerAcceptedLine: {
      usd: 121.35 / 2_427,
      lines: 2_427,
      assistants: ['claude-code', 'gemini-cli'],
    },
    byModel: [
      {
        model: 'claude-sonnet-4-5',
        tokens: { cache_read: 2_500_000, input: 500_000, output: 400_000 },
        totalTokens: 3_400_000,
        costUsd: 101.5,
      },
      {
        model: 'gemini-2.5-pro',
        tokens: { cache_read: 500_000, input: 200_000, output: 100_000 },
        totalTokens: 800_000,
        costUsd: 19.85,
      },
    ],
    cost: days([38, 45, 38.35]),
    totalCostUsd: 121.35,
    sessions: 96,
    activeSeconds: { total: 58 * 3600, user: 41 * 3600, agent: 17 * 3600 },
    commits: 58,
    pullRequests: 14,
  },
};

export const adoptionPanel: AdoptionPanel = {
  ...base,
  id: 'adoption',
  queries: [
    {
      query:
        'sum by (user_hash) (increase(ai_copilot_suggestions_total[86400s]))',
      type: 'range',
      source: 'raw',
      step: 86400,
    },
  ],
  data: {
    funnel: { optedIn: 47, active: 42, regular: 30 },
    periods: [
      {
        start: START,
        end: START + DAY,
        days: 1,
        cohorts: { light: 12, moderate: 20, heavy: 8 },
      },
      {
        start: START + DAY,
        end: START + 2 * DAY,
        days: 1,
        cohorts: { light: null, moderate: 25, heavy: null },
      },
      {
        start: START + 2 * DAY,
        end: START + 3 * DAY,
        days: 1,
        cohorts: { light: 10, moderate: 22, heavy: 6 },
      },
    ],
    definitions: {
      windowDays: 3,
      regularDays: 1,
      moderateFrom: 50,
      heavyFrom: 200,
      period: 'day',
      minGroupSize: 5,
    },
  },
};

export const teamComparisonPanel: TeamComparisonPanel = {
  ...base,
  id: 'teamComparison',
  step: 3 * 86400,
  queries: [
    {
      query:
        'sum by (user_hash, accepted) (increase(ai_copilot_suggestions_total[259200s]))',
      type: 'instant',
      source: 'raw',
    },
  ],
  data: {
    minGroupSize: 5,
    totalTeams: 3,
    teams: [
      {
        team: { entityRef: 'group:default/checkout', title: 'Checkout' },
        activeDevelopers: 12,
        acceptanceRate: 0.31,
        linesAccepted: 2400,
        hoursSavedPerActiveDeveloper: 3.5,
      },
      {
        team: { entityRef: 'group:default/payments' },
        activeDevelopers: 7,
        acceptanceRate: 0.42,
        linesAccepted: 5100,
        hoursSavedPerActiveDeveloper: 6.25,
      },
      {
        team: { entityRef: 'group:default/search', title: 'Search' },
        activeDevelopers: 9,
        acceptanceRate: null,
        linesAccepted: 0,
        hoursSavedPerActiveDeveloper: null,
      },
    ],
  },
};

export const alertsPanel: AlertsPanel = {
  ...base,
  id: 'alerts',
  queries: [
    { query: 'GET /api/v1/rules', type: 'instant', source: 'rules-api' },
  ],
  data: {
    rules: [
      {
        name: 'LowCopilotAcceptanceRate',
        group: 'ai-telemetry',
        state: 'firing',
        health: 'ok',
        severity: 'warning',
        summary: 'Low AI suggestion acceptance rate',
        description: 'Copilot acceptance rate is 21% (below 30% threshold)',
        query:
          'sum(rate(ai_copilot_suggestions_total{accepted="true"}[1h])) / sum(rate(ai_copilot_suggestions_total[1h])) < 0.3',
        forSeconds: 7200,
        activeSince: START,
      },
      {
        name: 'AiTelemetryBackendDown',
        group: 'ai-telemetry-stack',
        state: 'inactive',
        health: 'ok',
        query: 'up{job="ai-telemetry-backend"} == 0',
        forSeconds: 300,
      },
    ],
  },
};

export function panelError(id: PanelId, message: string): PanelError {
  return {
    id,
    error: { name: 'ServiceUnavailableError', message, statusCode: 503 },
  };
}

export const dashboard: OrganisationDashboard = {
  window: testWindow,
  filters: {},
  panels: {
    overview: overviewPanel,
    acceptanceRate: acceptanceRatePanel,
    linesGenerated: linesGeneratedPanel,
    timeSaved: timeSavedPanel,
    featureUsage: featureUsagePanel,
    usage: usagePanel,
    adoption: adoptionPanel,
    teamComparison: teamComparisonPanel,
    alerts: alertsPanel,
  },
  tooFewParticipants: false,
  minGroupSize: 5,
};

export const teamDashboard: TeamDashboard = {
  ...dashboard,
  panels: {
    ...dashboard.panels,
    overview: {
      ...overviewPanel,
      data: { ...overviewPanel.data, teamsUsingAi: null, activeUsers: 6 },
    },
    teamComparison: {
      ...teamComparisonPanel,
      queries: [],
      data: { teams: null, totalTeams: null, minGroupSize: 5 },
    },
  },
  tooFewParticipants: false,
  team: { entityRef: 'group:default/checkout', title: 'Checkout' },
  minGroupSize: 5,
};

export const tooFewParticipants: TooFewParticipants = {
  tooFewParticipants: true,
  reason: 'threshold',
  team: { entityRef: 'group:default/security', title: 'Security' },
  minGroupSize: 5,
  window: testWindow,
  filters: {},
};

export const organisationTooFew: OrganisationTooFewParticipants = {
  tooFewParticipants: true,
  reason: 'threshold',
  minGroupSize: 5,
  window: testWindow,
  filters: { language: 'kotlin' },
};

export const meOptedOut: MeResponse = {
  userEntityRef: 'user:default/guest',
  optedIn: false,
  history: [],
};

export const meOptedIn: MeResponse = {
  userEntityRef: 'user:default/guest',
  optedIn: true,
  userHash: 'd1390bbb7f95',
  since: '2026-11-01T09:00:00.000Z',
  history: [{ enabled: true, at: '2026-11-01T09:00:00.000Z' }],
};

export function tokenResponse(token: string): TelemetryTokenResponse {
  return {
    userEntityRef: 'user:default/guest',
    optedIn: true,
    userHash: 'd1390bbb7f95',
    since: '2026-11-01T09:00:00.000Z',
    token,
    snippet: [
      'FAWKES_AI_TELEMETRY=enabled',
      'FAWKES_AI_TELEMETRY_ENDPOINT=http://localhost:7007/api/ai-telemetry',
      `FAWKES_AI_TELEMETRY_TOKEN=${token}`,
    ].join('\n'),
  };
}

const H = 3_600_000;

/** A series of the signed-in developer: samples at 10:00 and 11:00 on day 1, 11:00 on day 2. */
function mySeries(
  metric: string,
  labels: Record<string, string>,
  [first, second, third]: [number, number, number],
): MyDataResponse['series'][number] {
  return {
    metric,
    labels: { user_hash: 'd1390bbb7f95', ...labels },
    samples: [
      [START + 10 * H, first],
      [START + 11 * H, second],
      [START + DAY + 11 * H, third],
    ],
  };
}

export const myData: MyDataResponse = {
  ...meOptedIn,
  counters: [
    {
      metric: 'ai_copilot_suggestions_total',
      labels: { language: 'python', accepted: 'true', assistant: 'copilot' },
      value: 3,
      firstSeen: '2026-11-01T09:00:00.000Z',
      updatedAt: '2026-11-02T10:00:00.000Z',
    },
  ],
  series: [
    mySeries(
      'ai_copilot_suggestions_total',
      { language: 'python', accepted: 'true', assistant: 'copilot' },
      [0, 1, 3],
    ),
    mySeries(
      'ai_copilot_suggestions_total',
      { language: 'python', accepted: 'false', assistant: 'copilot' },
      [0, 3, 4],
    ),
    mySeries(
      'ai_copilot_lines_generated',
      { language: 'python', assistant: 'copilot' },
      [0, 12, 30],
    ),
    mySeries(
      'ai_copilot_time_saved_seconds',
      { activity: 'code_completion', assistant: 'copilot' },
      [0, 144, 360],
    ),
  ],
  step: 3600,
  from: '2026-08-03T00:00:00.000Z',
  to: '2026-11-03T00:00:00.000Z',
  erasureJobs: [],
  pushgatewayGroups: [],
};

function stepState(
  index: number,
  doneSteps: number,
  job: ErasureJob['state'],
): ErasureJob['steps'][number]['state'] {
  if (index < doneSteps) return 'done';
  return index === doneSteps && job === 'running' ? 'running' : 'pending';
}

export function erasureJob(
  state: ErasureJob['state'],
  doneSteps: number,
): ErasureJob {
  return {
    id: 'job-1',
    userEntityRef: 'user:default/guest',
    requestedBy: 'user:default/guest',
    state,
    createdAt: '2026-11-03T10:00:00.000Z',
    updatedAt: '2026-11-03T10:00:05.000Z',
    ...(state === 'done' && { finishedAt: '2026-11-03T10:01:00.000Z' }),
    steps: ERASURE_STEPS.map((name, i) => ({
      name,
      state: stepState(i, doneSteps, state),
      attempts: i <= doneSteps ? 1 : 0,
      ...(i < doneSteps &&
        name === 'delete_counters' && { detail: 'deleted 4 counters' }),
    })),
  };
}

/** An API whose every method fails unless the test gives it an answer. */
export function mockApi(
  overrides: Partial<Record<keyof AiTelemetryApi, jest.Mock>> = {},
): jest.Mocked<AiTelemetryApi> {
  const unexpected = (name: string) =>
    jest.fn(() => Promise.reject(new Error(`unexpected call of ${name}`)));
  const api = {
    getHealth: unexpected('getHealth'),
    getDashboard: unexpected('getDashboard'),
    getPanel: unexpected('getPanel'),
    getTeamDashboard: unexpected('getTeamDashboard'),
    getMe: unexpected('getMe'),
    setOptIn: unexpected('setOptIn'),
    rotateToken: unexpected('rotateToken'),
    getMyData: unexpected('getMyData'),
    downloadMyData: unexpected('downloadMyData'),
    getErasureJobs: unexpected('getErasureJobs'),
    requestErasure: unexpected('requestErasure'),
    runRawQuery: unexpected('runRawQuery'),
    requestErasureFor: unexpected('requestErasureFor'),
    getAdminErasureJobs: unexpected('getAdminErasureJobs'),
    getAuditLog: unexpected('getAuditLog'),
    ...overrides,
  };
  return api as unknown as jest.Mocked<AiTelemetryApi>;
}

/** The ResponseError the client throws for a non-ok answer with Backstage's JSON error body. */
export function responseError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  const body = JSON.stringify({
    error: { name, message },
    request: { method: 'GET', url: '/' },
    response: { statusCode: status },
  });
  const headers = new Map([['content-type', 'application/json']]);
  const response = {
    ok: false,
    status,
    statusText: name,
    url: 'http://localhost/api/ai-telemetry',
    headers: { get: (key: string) => headers.get(key.toLowerCase()) ?? null },
    text: async () => body,
  };
  return ResponseError.fromResponse(
    response as unknown as Parameters<typeof ResponseError.fromResponse>[0],
  );
}

// The GitHub Copilot import (`/v1/github/status`, `/v1/github/seats`, `/v1/me/github`).

type GithubImportStatusResponse =
  import('@fawkes/plugin-ai-telemetry-common').GithubImportStatusResponse;
type GithubImportError =
  import('@fawkes/plugin-ai-telemetry-common').GithubImportError;
type CopilotSeatsResponse =
  import('@fawkes/plugin-ai-telemetry-common').CopilotSeatsResponse;
type CopilotSeatsWithheldReason =
  import('@fawkes/plugin-ai-telemetry-common').CopilotSeatsWithheldReason;
type MyGithubImportResponse =
  import('@fawkes/plugin-ai-telemetry-common').MyGithubImportResponse;
type GithubNotImportedReason =
  import('@fawkes/plugin-ai-telemetry-common').GithubNotImportedReason;
type MyDataGithubImport =
  import('@fawkes/plugin-ai-telemetry-common').MyDataGithubImport;

type GithubImportOn = Extract<GithubImportStatusResponse, { enabled: true }>;

const githubScope = { kind: 'organization' as const, name: 'fawkes' };

/** The import at work: days imported through 2026-11-02, the latest GitHub has published. */
export const githubStatus: GithubImportOn = {
  enabled: true,
  scope: githubScope,
  sourceOfTruth: 'import',
  usageImported: true,
  backfillDays: 28,
  importedFrom: '2026-10-06',
  importedThrough: '2026-11-02',
  latestPublishedDay: '2026-11-02',
  importedDevelopers: 12,
  lastRun: {
    startedAt: '2026-11-03T06:00:00.000Z',
    finishedAt: '2026-11-03T06:00:04.000Z',
    outcome: 'succeeded',
    daysImported: 1,
    daysNotPublished: 1,
  },
  lastSuccessAt: '2026-11-03T06:00:04.000Z',
  failing: false,
};

/** No `aiTelemetry.github` in the configuration. */
export const githubStatusOff: GithubImportStatusResponse = {
  enabled: false,
  reason: 'not_configured',
  message:
    'The GitHub Copilot import is off in this portal (no aiTelemetry.github in its configuration).',
};

/** The import failing, as a developer who is not an admin is told: no `lastError`. */
export const githubStatusFailing: GithubImportOn = {
  ...githubStatus,
  lastRun: {
    startedAt: '2026-11-03T07:00:00.000Z',
    finishedAt: '2026-11-03T07:00:01.000Z',
    outcome: 'failed',
    daysImported: 0,
    daysNotPublished: 0,
  },
  failing: true,
};

/** GitHub's secondary rate limit with `Retry-After`, the last error as an admin sees it. */
export const githubRateLimited: GithubImportError = {
  reason: 'rate_limited',
  message:
    'GitHub answered 429 (secondary rate limit, Retry-After 900 s) to GET /orgs/fawkes/copilot/metrics/reports/users-1-day?day=2026-11-03',
  status: 429,
  at: '2026-11-03T07:00:01.000Z',
  day: '2026-11-03',
  retryAt: '2026-11-03T07:15:01.000Z',
  consecutiveFailures: 2,
};

/** The import failing, as a telemetry admin is told: with the last error. */
export function githubStatusFailingFor(
  lastError: GithubImportError,
): GithubImportStatusResponse {
  return {
    ...githubStatusFailing,
    ...(lastError.retryAt && { nextRunAt: lastError.retryAt }),
    lastError,
  };
}

export const copilotSeats: Extract<CopilotSeatsResponse, { seats: unknown }> = {
  scope: githubScope,
  fetchedAt: '2026-11-03T06:00:02.000Z',
  seats: {
    total: 40,
    activeLast7Days: 26,
    activeLast14Days: 29,
    activeLast28Days: 31,
    neverUsed: 4,
    pendingCancellation: 2,
    idle: 9,
    pendingInvitation: 1,
  },
  seatCostPerMonth: 19,
  idleCostPerMonth: 171,
  totalCostPerMonth: 760,
};

const seatsWithheldMessages: Record<CopilotSeatsWithheldReason, string> = {
  not_configured:
    'Copilot seats come from the GitHub import, which is off in this portal.',
  not_fetched: 'The import has not read the seats from GitHub yet.',
  threshold:
    'Fewer than 5 Copilot seats: their activity would single people out.',
};

export function copilotSeatsWithheld(
  withheld: CopilotSeatsWithheldReason,
): CopilotSeatsResponse {
  return {
    withheld,
    message: seatsWithheldMessages[withheld],
    ...(withheld !== 'not_configured' && { scope: githubScope }),
    ...(withheld === 'threshold' && {
      fetchedAt: '2026-11-03T06:00:02.000Z',
      minGroupSize: 5,
    }),
  };
}

/** The signed-in developer imported under the login `guest-gh`: two days, one without use. */
export const myGithubImported: MyGithubImportResponse = {
  imported: true,
  message:
    'Your Copilot usage is imported from GitHub under the login guest-gh.',
  login: 'guest-gh',
  scope: githubScope,
  days: [
    {
      day: '2026-11-02',
      importedAt: '2026-11-03T06:00:03.000Z',
      active: true,
    },
    {
      day: '2026-11-01',
      importedAt: '2026-11-02T06:00:03.000Z',
      active: false,
    },
  ],
};

const notImportedMessages: Record<GithubNotImportedReason, string> = {
  not_configured:
    'The GitHub Copilot import is off in this portal (no aiTelemetry.github in its configuration).',
  clients_are_source_of_truth:
    'This portal counts Copilot from your IDE clients, not from GitHub (aiTelemetry.github.sourceOfTruth is clients).',
  not_opted_in:
    'Your Copilot usage is imported from GitHub only while AI telemetry is on for you.',
  no_login:
    'Your catalog User has no github.com/user-login annotation, so the import cannot tell which GitHub lines are yours.',
  not_in_catalog:
    'You are not a User in the catalog, so the import cannot find your GitHub login.',
};

/** The developer not imported, for `reason`; with the days imported before, if any. */
export function myGithubNotImported(
  reason: GithubNotImportedReason,
  options: { login?: string; days?: MyGithubImportResponse['days'] } = {},
): MyGithubImportResponse {
  return {
    imported: false,
    reason,
    message: notImportedMessages[reason],
    ...(options.login && { login: options.login }),
    ...(reason !== 'not_configured' && { scope: githubScope }),
    days: options.days ?? [],
  };
}

/** What the import keeps about the developer of {@link myGithubImported}, as My data lists it. */
export const myDataGithubImport: MyDataGithubImport = {
  days: [
    {
      ...myGithubImported.days[0],
      changes: [
        {
          metric: 'ai_copilot_suggestions_total',
          labels: {
            language: 'python',
            accepted: 'true',
            assistant: 'copilot',
          },
          before: 10,
          after: 14,
        },
        {
          metric: 'ai_copilot_suggestions_total',
          labels: {
            language: 'python',
            accepted: 'false',
            assistant: 'copilot',
          },
          before: 20,
          after: 26,
        },
        {
          metric: 'ai_copilot_lines_generated',
          labels: { language: 'python', assistant: 'copilot' },
          before: 40,
          after: 58,
        },
      ],
    },
    { ...myGithubImported.days[1], changes: [] },
  ],
  counters: [
    {
      metric: 'ai_copilot_suggestions_total',
      labels: { language: 'python', accepted: 'true', assistant: 'copilot' },
      value: 14,
      throughDay: '2026-11-02',
    },
    {
      metric: 'ai_copilot_lines_generated',
      labels: { language: 'python', assistant: 'copilot' },
      value: 58,
      throughDay: '2026-11-02',
    },
  ],
};

/** {@link myData} with what the GitHub import keeps. */
export const myDataWithGithub: MyDataResponse = {
  ...myData,
  githubImport: myDataGithubImport,
};

/**
 * The GitHub routes of {@link mockApi}, answering as given, by default as a portal with the
 * import off.
 */
export function githubApi(
  answers: {
    status?: GithubImportStatusResponse;
    seats?: CopilotSeatsResponse;
    me?: MyGithubImportResponse;
  } = {},
) {
  return {
    getGithubStatus: jest
      .fn()
      .mockResolvedValue(answers.status ?? githubStatusOff),
    getCopilotSeats: jest
      .fn()
      .mockResolvedValue(
        answers.seats ?? copilotSeatsWithheld('not_configured'),
      ),
    getMyGithubImport: jest
      .fn()
      .mockResolvedValue(answers.me ?? myGithubNotImported('not_configured')),
  };
}
