import { runCli } from '../cli/main';
import { CliIo, EXIT } from '../cli/usage';
import {
  DashboardAnswer,
  DashboardRequest,
  stubDashboard,
  StubDashboardServer,
  StubFigures,
} from './__testUtils__/stubDashboardServer';
import { runReport } from './reportCommand';
import { WeeklyReport } from './weeklyReport';

const TOKEN = 'test-report-token';

const WEEK_47: StubFigures = {
  totalSuggestions: 1200,
  acceptedSuggestions: 360,
  activeUsers: 21,
  totalLines: 4321,
  totalHours: 12.25,
  topLanguages: [
    {
      language: 'python',
      suggestions: 700,
      accepted: 245,
      acceptanceRate: 0.35,
      share: 700 / 1200,
    },
    {
      language: 'go',
      suggestions: 500,
      accepted: 115,
      acceptanceRate: 0.23,
      share: 500 / 1200,
    },
  ],
};

const WEEK_46: StubFigures = {
  totalSuggestions: 1000,
  acceptedSuggestions: 250,
  activeUsers: 24,
  totalLines: 4321,
  totalHours: 14,
};

/** Answers like the backend: the figures of the week that `from` starts, with its window. */
function figuresByWeek(
  weeks: Record<string, StubFigures>,
): (request: DashboardRequest) => DashboardAnswer {
  return request => {
    const figures = weeks[request.from ?? ''];
    if (!figures) {
      return {
        status: 400,
        body: { error: { name: 'InputError', message: 'no such week' } },
      };
    }
    return {
      status: 200,
      body: stubDashboard(
        { start: Date.parse(request.from!), end: Date.parse(request.to!) },
        figures,
      ),
    };
  };
}

const WEEKS = {
  '2026-11-16T00:00:00.000Z': WEEK_47,
  '2026-11-09T00:00:00.000Z': WEEK_46,
};

describe('fawkes-ai-telemetry report', () => {
  let stub: StubDashboardServer | undefined;
  let out: string[];
  let err: string[];

  function io(env: NodeJS.ProcessEnv = {}): CliIo {
    return {
      out: line => out.push(line),
      err: line => err.push(line),
      env: {
        FAWKES_AI_TELEMETRY_ENDPOINT: stub?.url,
        FAWKES_AI_TELEMETRY_REPORT_TOKEN: TOKEN,
        ...env,
      },
    };
  }

  async function serve(
    answer: (request: DashboardRequest) => DashboardAnswer,
  ): Promise<StubDashboardServer> {
    stub = await new StubDashboardServer(answer).start();
    return stub;
  }

  beforeEach(() => {
    out = [];
    err = [];
  });

  afterEach(async () => {
    await stub?.stop();
    stub = undefined;
  });

  it('reports the last complete ISO week against the one before, as a Markdown table', async () => {
    const server = await serve(figuresByWeek(WEEKS));

    const code = await runReport(
      [],
      io(),
      () => new Date('2026-11-28T02:04:00Z'),
    );

    expect(code).toBe(EXIT.ok);
    expect(err).toEqual([]);
    expect(
      server.requests.map(r => [r.path, r.from, r.to, r.authorization]),
    ).toEqual(
      expect.arrayContaining([
        [
          '/api/ai-telemetry/v1/dashboard',
          '2026-11-16T00:00:00.000Z',
          '2026-11-23T00:00:00.000Z',
          `Bearer ${TOKEN}`,
        ],
        [
          '/api/ai-telemetry/v1/dashboard',
          '2026-11-09T00:00:00.000Z',
          '2026-11-16T00:00:00.000Z',
          `Bearer ${TOKEN}`,
        ],
      ]),
    );
    expect(server.requests).toHaveLength(2);
    expect(out.join('\n').split('\n')).toEqual([
      '# AI coding assistants: 2026-W47',
      '',
      '2026-11-16 to 2026-11-22 UTC, compared with 2026-W46 (2026-11-09 to 2026-11-15 UTC).',
      '',
      '| | 2026-W47 | 2026-W46 | change |',
      '| --- | ---: | ---: | ---: |',
      '| Suggestions shown | 1,200 | 1,000 | +200 (+20.0%) |',
      '| Suggestions accepted | 360 | 250 | +110 (+44.0%) |',
      '| Acceptance rate | 30.0% | 25.0% | +5.0 pp (+20.0%) |',
      '| Lines generated | 4,321 | 4,321 | 0 (0.0%) |',
      '| Time saved (hours) | 12.3 | 14.0 | -1.8 (-12.5%) |',
      '| Active users | 21 | 24 | -3 (-12.5%) |',
      '',
      '## Top languages',
      '',
      '| language | suggestions | share | acceptance rate |',
      '| --- | ---: | ---: | ---: |',
      '| python | 700 | 58.3% | 35.0% |',
      '| go | 500 | 41.7% | 23.0% |',
    ]);
  });

  it('prints the same figures as JSON with --json, unrounded', async () => {
    await serve(figuresByWeek(WEEKS));

    const code = await runCli(['report', '--week', '2026-W47', '--json'], io());

    expect(code).toBe(EXIT.ok);
    const report: WeeklyReport = JSON.parse(out.join('\n'));
    expect(report.period).toEqual({
      label: '2026-W47',
      from: '2026-11-16T00:00:00.000Z',
      to: '2026-11-23T00:00:00.000Z',
    });
    expect(report.previousPeriod.label).toBe('2026-W46');
    expect(report.figures).toEqual({
      totalSuggestions: 1200,
      acceptedSuggestions: 360,
      acceptanceRate: 0.3,
      linesGenerated: 4321,
      timeSavedHours: 12.25,
      activeUsers: 21,
    });
    expect(report.previous.acceptanceRate).toBe(0.25);
    expect(report.change.totalSuggestions).toEqual({
      absolute: 200,
      percent: 20,
    });
    expect(report.change.acceptanceRate.absolute).toBeCloseTo(0.05, 12);
    expect(report.change.acceptanceRate.percent).toBeCloseTo(20, 10);
    expect(report.change.timeSavedHours).toEqual({
      absolute: -1.75,
      percent: -12.5,
    });
    expect(report.topLanguages.map(l => l.language)).toEqual(['python', 'go']);
  });

  it('compares a --from/--to period with as long a period just before it', async () => {
    const server = await serve(request =>
      figuresByWeek({ [request.from!]: WEEK_46 })(request),
    );

    const code = await runCli(
      ['report', '--from', '2026-11-20', '--to', '2026-11-23', '--json'],
      io(),
    );

    expect(code).toBe(EXIT.ok);
    expect(server.requests.map(r => [r.from, r.to]).sort()).toEqual([
      ['2026-11-17T00:00:00.000Z', '2026-11-20T00:00:00.000Z'],
      ['2026-11-20T00:00:00.000Z', '2026-11-23T00:00:00.000Z'],
    ]);
    const report: WeeklyReport = JSON.parse(out.join('\n'));
    expect(report.change.activeUsers).toEqual({ absolute: 0, percent: 0 });
  });

  it('says "new" for a figure that was zero the week before, and shows no rate for an empty week', async () => {
    await serve(
      figuresByWeek({
        '2026-11-16T00:00:00.000Z': WEEK_47,
        '2026-11-09T00:00:00.000Z': {
          totalSuggestions: 0,
          acceptedSuggestions: 0,
          activeUsers: 0,
          totalLines: 0,
          totalHours: 0,
        },
      }),
    );

    const code = await runCli(['report', '--week', '2026-W47'], io());

    expect(code).toBe(EXIT.ok);
    expect(out.join('\n')).toContain(
      '| Suggestions shown | 1,200 | 0 | +1,200 (new) |',
    );
    expect(out.join('\n')).toContain('| Acceptance rate | 30.0% | – | – |');
  });

  it('names the token when the backend refuses it (401), with exit code 5', async () => {
    await serve(() => ({
      status: 401,
      body: {
        error: { name: 'AuthenticationError', message: 'Illegal token' },
      },
    }));

    const code = await runCli(
      ['report', '--week', '2026-W47', '--token', 'wrong'],
      io(),
    );

    expect(code).toBe(EXIT.refused);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `fawkes-ai-telemetry report: The backend at ${
        stub!.url
      } refused the report token (HTTP 401: Illegal token). Pass the token of the weekly-report entry of backend.auth.externalAccess with --token or FAWKES_AI_TELEMETRY_REPORT_TOKEN.`,
    ]);
  });

  it('passes on the server’s message when Prometheus is down (503)', async () => {
    await serve(() => ({
      status: 503,
      body: {
        error: {
          name: 'ServiceUnavailableError',
          message:
            'Prometheus at http://127.0.0.1:19090 is unreachable: ECONNREFUSED',
        },
      },
    }));

    const code = await runCli(['report', '--week', '2026-W47'], io());

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'fawkes-ai-telemetry report: The backend could not compute the dashboard: Prometheus failed (HTTP 503: Prometheus at http://127.0.0.1:19090 is unreachable: ECONNREFUSED)',
    ]);
  });

  it('fails naming the panel when a panel the report needs could not be computed', async () => {
    await serve(request => {
      const answer = figuresByWeek(WEEKS)(request);
      const body = answer.body as ReturnType<typeof stubDashboard>;
      body.panels.timeSaved = {
        id: 'timeSaved',
        error: {
          name: 'UpstreamTimeoutError',
          message: 'Prometheus at http://127.0.0.1:19090 timed out',
          statusCode: 504,
        },
      };
      return answer;
    });

    const code = await runCli(['report', '--week', '2026-W47'], io());

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'fawkes-ai-telemetry report: The backend could not compute the timeSaved panel: Prometheus failed (HTTP 504: Prometheus at http://127.0.0.1:19090 timed out)',
    ]);
  });

  it('says the figures are withheld when too few developers have data in the week', async () => {
    await serve(request => ({
      status: 200,
      body: {
        tooFewParticipants: true,
        reason: 'threshold',
        minGroupSize: 5,
        window: {
          start: Date.parse(request.from!),
          end: Date.parse(request.to!),
        },
      },
    }));

    const code = await runCli(['report', '--week', '2026-W47'], io());

    expect(code).toBe(EXIT.failed);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^fawkes-ai-telemetry report: The backend at http:\/\/127\.0\.0\.1:\d+\/api\/ai-telemetry withholds the organisation's figures for this period \(fewer than 5 developers have data\); there is nothing to report$/,
    );
  });

  it('says where it looked when the backend cannot be reached', async () => {
    const server = await serve(figuresByWeek(WEEKS));
    const url = server.url;
    await server.stop();
    stub = undefined;

    const code = await runCli(
      ['report', '--week', '2026-W47', '--endpoint', url],
      io(),
    );

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      `fawkes-ai-telemetry report: Cannot reach the backend at ${url}: ECONNREFUSED`,
    ]);
  });

  it('refuses to run without a token, or with a period it cannot read, as bad usage', async () => {
    const server = await serve(figuresByWeek(WEEKS));

    const noToken = await runCli(
      ['report'],
      io({ FAWKES_AI_TELEMETRY_REPORT_TOKEN: '' }),
    );
    const both = await runCli(
      ['report', '--week', '2026-W47', '--from', '2026-11-16'],
      io(),
    );
    const badWeek = await runCli(['report', '--week', '2025-W53'], io());

    expect([noToken, both, badWeek]).toEqual([
      EXIT.usage,
      EXIT.usage,
      EXIT.usage,
    ]);
    expect(err.filter(line => !line.startsWith('Run '))).toEqual([
      "fawkes-ai-telemetry: the report needs the reporting service's token: --token or FAWKES_AI_TELEMETRY_REPORT_TOKEN",
      'fawkes-ai-telemetry: give either --week or --from and --to, not both',
      'fawkes-ai-telemetry: --week 2025-W53: 2025 has weeks 01 to 52',
    ]);
    expect(server.requests).toEqual([]);
  });
});
