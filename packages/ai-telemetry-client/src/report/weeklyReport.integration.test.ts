import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  freePort,
  requireTestStack,
  testStack,
} from '@fawkes/ai-telemetry-test-utils';
// The report runs against the real backend plugin, which only a test may import.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import aiTelemetryPlugin from '@fawkes/plugin-ai-telemetry-backend';
import {
  DashboardResponse,
  isPanelError,
  PanelResponseById,
} from '@fawkes/plugin-ai-telemetry-common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../cli/main';
import { CliIo, EXIT } from '../cli/usage';
import { lastCompleteIsoWeek, previousPeriod, ReportPeriod } from './week';
import { ReportFigures, WeeklyReport } from './weeklyReport';

jest.setTimeout(120_000);

// eslint-disable-next-line no-restricted-syntax
const REPO_ROOT = path.resolve(__dirname, '../../../..');

type ExternalAccess = {
  type: string;
  options: { token: string; subject: string };
  accessRestrictions?: Array<{ plugin: string }>;
};

/**
 * `backend.auth.externalAccess` of the repository's app-config.yaml, with each
 * `${VAR:-default}` replaced by its default: the development tokens as shipped.
 */
function shippedExternalAccess(): ExternalAccess[] {
  const config = parseYaml(
    readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
  );
  return (config.backend.auth.externalAccess as ExternalAccess[]).map(
    entry => ({
      ...entry,
      options: {
        ...entry.options,
        token: entry.options.token.replace(
          /^\$\{[A-Z0-9_]+:-(.+)\}$/,
          (_, fallback: string) => fallback,
        ),
      },
    }),
  );
}

/** The real backend plugin, with Backstage's real auth, on the test stack's Prometheus. */
async function startBackend(prometheusUrl: string): Promise<string> {
  const { server } = await startTestBackend({
    features: [
      aiTelemetryPlugin,
      catalogServiceMock.factory(),
      authServiceFactory,
      httpAuthServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          backend: {
            baseUrl: 'http://localhost:7007',
            auth: { externalAccess: shippedExternalAccess() },
          },
          aiTelemetry: {
            prometheus: { baseUrl: prometheusUrl },
            pushgateway: { baseUrl: testStack.pushgatewayUrl },
            pseudonymKey: testStack.demoPseudonymKey,
          },
        },
      }),
    ],
  });
  return `http://127.0.0.1:${server.port()}/api/ai-telemetry`;
}

async function dashboard(
  endpoint: string,
  token: string,
  period: ReportPeriod,
): Promise<DashboardResponse> {
  const query = new URLSearchParams({
    from: period.from.toISOString(),
    to: period.to.toISOString(),
  });
  const res = await fetch(`${endpoint}/v1/dashboard?${query}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok) {
    throw new Error(
      `GET /v1/dashboard answered ${res.status}: ${await res.text()}`,
    );
  }
  return res.json();
}

/** The report's figures, read from the dashboard API's panels by hand. */
function dashboardFigures(body: DashboardResponse): ReportFigures {
  const { overview, linesGenerated, timeSaved } = body.panels;
  for (const panel of [overview, linesGenerated, timeSaved]) {
    if (isPanelError(panel)) {
      throw new Error(`panel ${panel.id} failed: ${panel.error.message}`);
    }
  }
  const o = (overview as PanelResponseById['overview']).data;
  return {
    totalSuggestions: o.totalSuggestions,
    acceptedSuggestions: o.acceptedSuggestions,
    acceptanceRate: o.acceptanceRate,
    linesGenerated: (linesGenerated as PanelResponseById['linesGenerated']).data
      .totalLines,
    timeSavedHours: (timeSaved as PanelResponseById['timeSaved']).data
      .totalHours,
    activeUsers: o.activeUsers,
  };
}

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: line => out.push(line),
      err: line => err.push(line),
      env: {},
    },
  };
}

describe('the weekly report against the stack', () => {
  const reportToken = shippedExternalAccess().find(
    entry => entry.options.subject === 'weekly-report',
  )?.options.token;

  beforeAll(requireTestStack);

  it('the weekly report runs against the stack and its figures equal the dashboard API’s for the same week', async () => {
    expect(reportToken).toBe('fawkes-dev-report-token');
    const week = lastCompleteIsoWeek(new Date());
    const before = previousPeriod(week);
    // The last complete week and the one before lie within the last 21 days.
    expect(before.from.getTime()).toBeGreaterThan(
      Date.now() - testStack.demoDays * 86_400_000,
    );
    const endpoint = await startBackend(testStack.prometheusUrl);

    const json = capture();
    const code = await runCli(
      [
        'report',
        '--week',
        week.label,
        '--json',
        '--endpoint',
        endpoint,
        '--token',
        reportToken!,
      ],
      json.io,
    );

    expect({ code, err: json.err }).toEqual({ code: EXIT.ok, err: [] });
    const report: WeeklyReport = JSON.parse(json.out.join('\n'));
    const [current, previous] = await Promise.all([
      dashboard(endpoint, reportToken!, week),
      dashboard(endpoint, reportToken!, before),
    ]);
    expect(report.period).toEqual({
      label: week.label,
      from: week.from.toISOString(),
      to: week.to.toISOString(),
    });
    expect(report.figures).toEqual(dashboardFigures(current));
    expect(report.previous).toEqual(dashboardFigures(previous));
    expect(report.topLanguages).toEqual(
      (current.panels.overview as PanelResponseById['overview']).data
        .topLanguages,
    );
    expect(report.change.totalSuggestions.absolute).toBe(
      report.figures.totalSuggestions - report.previous.totalSuggestions,
    );
    // The demo history is there: a week of a few dozen developers.
    expect(report.figures.totalSuggestions).toBeGreaterThan(0);
    expect(report.figures.activeUsers).toBeGreaterThan(0);
    expect(report.figures.acceptanceRate).toBeGreaterThan(0);
    expect(report.figures.acceptanceRate).toBeLessThan(1);

    const markdown = capture();
    await runCli(['report', '--week', week.label, '--endpoint', endpoint], {
      ...markdown.io,
      env: { FAWKES_AI_TELEMETRY_REPORT_TOKEN: reportToken },
    });
    const shown = new Intl.NumberFormat('en-US', {
      maximumFractionDigits: 0,
    }).format(report.figures.totalSuggestions);
    expect(markdown.out.join('\n')).toContain(
      `| Suggestions shown | ${shown} |`,
    );
  });

  it('is refused with another token, and says so', async () => {
    const endpoint = await startBackend(testStack.prometheusUrl);
    const { io, out, err } = capture();

    const code = await runCli(
      ['report', '--endpoint', endpoint, '--token', 'not-the-report-token'],
      io,
    );

    expect(code).toBe(EXIT.refused);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(
      /refused the report token \(HTTP 401: .+\)\. Pass the token of the weekly-report entry/,
    );
  });

  it('passes on the backend’s 503 when Prometheus is down', async () => {
    // A port that was free a moment ago: Prometheus is "down".
    const port = await freePort();
    const endpoint = await startBackend(`http://127.0.0.1:${port}`);
    const { io, err } = capture();

    const code = await runCli(
      ['report', '--endpoint', endpoint, '--token', reportToken!],
      io,
    );

    expect(code).toBe(EXIT.failed);
    expect(err.join('\n')).toMatch(
      new RegExp(
        `could not compute the dashboard: Prometheus failed \\(HTTP 503: Prometheus at http://127\\.0\\.0\\.1:${port} is unreachable: ECONNREFUSED\\)`,
      ),
    );
  });
});
