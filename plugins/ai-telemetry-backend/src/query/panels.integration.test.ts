import { TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { sleep } from '@fawkes/ai-telemetry-test-utils';
import {
  AlertsData,
  ANSWER_DECIMALS,
  DashboardResponse,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  isPanelError,
  OrganisationDashboardResponse,
  PANEL_IDS,
  NamedSeries,
  PanelError,
  PanelId,
  PanelResponse,
  PanelResponseById,
  Point,
  pointsOf,
  pseudonymize,
  Series,
  TeamDashboardResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'fs';
import {
  optIn,
  startAiTelemetryTestBackend,
  TEST_AI_TELEMETRY_CONFIG,
  userAuthorization,
} from '../__testUtils__/testBackend';
import {
  ALERT_RULES_FILE,
  catalogEntities,
  DemoOrgFile,
  DemoSet,
  generateDemoSet,
  readOpenMetrics,
  QueryEngine,
  readOrg,
  startEngineWithDemoSet,
} from './__testUtils__/demoData';
import {
  expectedAcceptance,
  expectedFeatureUsage,
  expectedLines,
  expectedOrganisationVerdict,
  expectedOverview,
  expectedTimeSaved,
  expectedUsage,
  ExpectedSeries,
  fewApart,
  Filters,
  participation,
  RawHistory,
  reachesThreshold,
  rowParticipants,
  BREAKDOWNS,
  Scope,
  Window,
} from './__testUtils__/expected';

jest.setTimeout(60_000);

const KEY = TEST_AI_TELEMETRY_CONFIG.pseudonymKey;
const ESTIMATES = { hourlyCost: 85, seatCostPerMonth: 19 };
const GUEST = 'user:default/guest';
type Api = ReturnType<typeof request>;

/**
 * Equal up to floating-point summation order, and where the answer rounds the figure (what it
 * draws: ANSWER_DECIMALS), up to that rounding.
 */
function expectClose(
  actual: number | null,
  expected: number | null,
  what: string,
  decimals?: number,
) {
  if (expected === null || actual === null) {
    expect({ what, actual }).toEqual({ what, actual: expected });
    return;
  }
  const tolerance =
    1e-9 * Math.max(1, Math.abs(expected)) +
    (decimals === undefined ? 0 : 0.5 * 10 ** -decimals);
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what}: got ${actual}, expected ${expected}`);
  }
}

function expectPoints(
  actual: Series | Point[],
  expected: Array<{ t: number; v: number }>,
  what: string,
  decimals?: number,
) {
  const points = Array.isArray(actual) ? actual : pointsOf(actual);
  expect({ what, t: points.map(p => p.t) }).toEqual({
    what,
    t: expected.map(p => p.t),
  });
  points.forEach((p, i) =>
    expectClose(
      p.v,
      expected[i].v,
      `${what} at ${new Date(p.t).toISOString()}`,
      decimals,
    ),
  );
}

/** Compares named series, leaving out those that are zero throughout on either side. */
function expectSeries(
  actual: NamedSeries[],
  expected: ExpectedSeries,
  what: string,
  decimals?: number,
) {
  const nonZero = (points: Array<{ v: number }>) => points.some(p => p.v !== 0);
  const actualNames = actual
    .filter(s => nonZero(pointsOf(s)))
    .map(s => s.name)
    .sort();
  const expectedNames = [...expected]
    .filter(([, p]) => nonZero(p))
    .map(([n]) => n)
    .sort();
  expect({ what, names: actualNames }).toEqual({ what, names: expectedNames });
  for (const name of actualNames) {
    const points = pointsOf(actual.find(s => s.name === name)!);
    const want = expected.get(name)!;
    // Count series are zero-filled; ratio series leave out steps with nothing shown.
    const wanted =
      points.length === want.length ? want : want.filter(p => p.v !== 0);
    expectPoints(points, wanted, `${what} ${name}`, decimals);
  }
}

function windowOf(body: {
  window: { start: number; end: number; step: number };
}): Window {
  return {
    start: body.window.start / 1000,
    end: body.window.end / 1000,
    step: body.window.step,
  };
}

function panel<K extends PanelId>(
  panels: DashboardResponse['panels'],
  id: K,
): PanelResponseById[K] {
  const p = panels[id] as PanelResponse | PanelError;
  if (isPanelError(p))
    throw new Error(`panel ${id} failed: ${p.error.message}`);
  return p as PanelResponseById[K];
}

describe('the panels on generated data', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const answers: unknown[] = [];
  let dir: string;
  let demo: DemoSet;
  let history: RawHistory;
  let org: DemoOrgFile;
  let dataEnd: number;
  const hashOf = new Map<string, string>();
  const refOf = new Map<string, string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fawkes-queries-'));
    // Windows end at the last full hour (or midnight): when one is about to pass, let it pass
    // first, so that no window of this run ends after the last generated sample.
    const toNextHour = 3600 - ((Date.now() / 1000) % 3600);
    if (toNextHour < 120) await sleep((toNextHour + 1) * 1000);
    const end = Math.floor(Date.now() / 1000 / 900) * 900;
    dataEnd = end;
    demo = await generateDemoSet({
      dir: join(dir, 'demo'),
      // The fewest the generator makes: 6 teams, the product area's two leads, the guest.
      users: 30,
      days: 10,
      step: '15m',
      key: KEY,
      end,
    });
    history = new RawHistory(readOpenMetrics(demo.metricsFiles));
    org = readOrg(demo.orgFile);
    for (const user of org.users) {
      const ref = `user:default/${user.name}`;
      const hash = await pseudonymize(ref, KEY);
      hashOf.set(ref, hash);
      refOf.set(hash, ref);
    }
  }, 300_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The same named range, ending where the generated data ends (the last midnight, or the last
   * full hour, before its last sample): a window wholly in the past runs to its end, so its
   * every figure can be compared with the samples exactly. Windows that reach the present,
   * whose running bucket Prometheus extrapolates up to now, are checked on their own below.
   */
  function inThePast(path: string): string {
    return path.replace(/range=(7d|24h)/, (_, range: string) => {
      const align = range === '7d' ? 86400 : 3600;
      const to = Math.floor(dataEnd / align) * align;
      const from = to - (range === '7d' ? 7 * 86400 : 86400);
      return `from=${from}&to=${to}`;
    });
  }

  async function get<T>(
    api: Api,
    path: string,
    user = GUEST,
    options: { live?: boolean } = {},
  ): Promise<T> {
    const url = options.live ? path : inThePast(path);
    const res = await api
      .get(`/api/ai-telemetry${url}`)
      .set('Authorization', userAuthorization(user));
    if (res.status !== 200)
      throw new Error(`${path} answered ${res.status}: ${res.text}`);
    answers.push(res.body);
    return res.body;
  }

  function membersOf(group: string): string[] {
    const g = org.groups.find(x => x.name === group)!;
    return [
      ...org.users
        .filter(u => u.memberOf.includes(group))
        .map(u => `user:default/${u.name}`),
      ...g.children.flatMap(membersOf),
    ];
  }

  /**
   * The values each breakdown label of a dashboard pools as `other`: those with data in the raw
   * samples that no row of the answer names. Checks on the raw samples that every row of its own
   * pools at least minGroupSize developers of every metric it has data of, that the pooled row
   * does too (or none), and that no value of fewer has a row of its own.
   */
  function pooledRows(
    body: DashboardResponse,
    w: Window,
    scope: Scope,
  ): Record<string, Set<string>> {
    const min = 5;
    const { panels } = body;
    const usage = panel(panels, 'usage').data;
    const names = (rows: Array<{ name: string }>) => rows.map(r => r.name);
    const shown: Record<string, string[]> = {
      language: [
        ...names(panel(panels, 'acceptanceRate').data.byLanguage),
        ...names(panel(panels, 'linesGenerated').data.byLanguage),
      ],
      assistant: [
        ...names(panel(panels, 'acceptanceRate').data.byAssistant),
        ...(usage.withheld ? [] : usage.byAssistant.map(r => r.assistant)),
      ],
      activity: panel(panels, 'timeSaved').data.byActivity.map(r => r.activity),
      feature: panel(panels, 'featureUsage')
        .data.totals.filter(r => r.count > 0)
        .map(r => r.feature),
      model: usage.withheld ? [] : usage.byModel.map(r => r.model),
    };
    const pooled: Record<string, Set<string>> = {};
    const raw = history;
    for (const [label, metrics] of Object.entries(BREAKDOWNS)) {
      if (scope[label as keyof Filters] !== undefined) continue;
      // Without usage figures, no row of models at all.
      if (label === 'model' && usage.withheld) continue;
      const own = new Set(shown[label].filter(n => n !== 'other'));
      // Without usage figures, the usage metrics' rows are not shown at all.
      const inAnswer = usage.withheld
        ? metrics.filter(m => !/tokens|cost/.test(m))
        : metrics;
      const byMetric = inAnswer.map(m =>
        rowParticipants(raw, w, m, label, scope),
      );
      const withData = new Set(byMetric.flatMap(rows => [...rows.keys()]));
      pooled[label] = new Set([...withData].filter(v => !own.has(v)));
      for (const rows of byMetric) {
        for (const value of own) {
          const n = rows.get(value)?.size ?? 0;
          expect({ label, value, few: fewApart(n, min) }).toEqual({
            label,
            value,
            few: false,
          });
        }
        const inPool = new Set(
          [...pooled[label]].flatMap(v => [...(rows.get(v) ?? [])]),
        );
        expect({ label, pooled: fewApart(inPool.size, min) }).toEqual({
          label,
          pooled: false,
        });
      }
    }
    // Active time by type: user and agent apart, or together.
    if (!usage.withheld) {
      const types = rowParticipants(
        raw,
        w,
        'ai_copilot_active_seconds_total',
        'type',
        scope,
      );
      const split = usage.activeSeconds.user !== null;
      pooled.type = new Set(split ? [] : types.keys());
      if (split) {
        for (const [type, users] of types) {
          expect({ type, few: fewApart(users.size, min) }).toEqual({
            type,
            few: false,
          });
        }
      }
    }
    return pooled;
  }

  /** Compares every figure of a dashboard with the raw samples. */
  function checkDashboard(
    body: DashboardResponse,
    unpooled: Scope,
    context: { optedIn: number; teamsUsingAi: boolean },
  ) {
    const w = windowOf(body);
    const scope: Scope = {
      ...unpooled,
      pooled: pooledRows(body, w, unpooled),
    };
    const overview = panel(body.panels, 'overview').data;
    const o = expectedOverview(history, w, scope);
    expectClose(
      overview.totalSuggestions,
      o.totalSuggestions,
      'total suggestions',
    );
    expectClose(
      overview.acceptedSuggestions,
      o.acceptedSuggestions,
      'accepted suggestions',
    );
    expectClose(overview.acceptanceRate, o.acceptanceRate, 'acceptance rate');
    expect(overview.activeUsers).toBe(o.active.size);
    // The adoption funnel's active developers are the overview's, on the raw samples too.
    expect(panel(body.panels, 'adoption').data.funnel.active).toBe(
      o.active.size,
    );
    expect(overview.optedInUsers).toBe(context.optedIn);
    expect(overview.topLanguages.map(l => l.language)).toEqual(
      o.topLanguages.map(l => l.language),
    );
    overview.topLanguages.forEach((l, i) => {
      expectClose(
        l.suggestions,
        o.topLanguages[i].suggestions,
        `${l.language} suggestions`,
      );
      expectClose(
        l.accepted,
        o.topLanguages[i].accepted,
        `${l.language} accepted`,
      );
    });
    if (context.teamsUsingAi) {
      const groups = new Set(
        [...o.active]
          .map(hash => refOf.get(hash))
          .flatMap(
            ref =>
              org.users.find(u => `user:default/${u.name}` === ref)?.memberOf ??
              [],
          ),
      );
      expect(overview.teamsUsingAi).toBe(groups.size);
    } else {
      expect(overview.teamsUsingAi).toBeNull();
    }

    const acceptance = panel(body.panels, 'acceptanceRate').data;
    const a = expectedAcceptance(history, w, scope);
    const { ratio, count } = ANSWER_DECIMALS;
    expectPoints(acceptance.overall, a.overall, 'acceptance', ratio);
    expectPoints(
      acceptance.movingAverage7d,
      a.movingAverage7d,
      'moving average',
      ratio,
    );
    expectSeries(
      acceptance.byLanguage,
      a.byLanguage,
      'acceptance by language',
      ratio,
    );
    expectSeries(
      acceptance.byAssistant,
      a.byAssistant,
      'acceptance by assistant',
      ratio,
    );

    const linesPanel = panel(body.panels, 'linesGenerated');
    const l = expectedLines(history, w, linesPanel.step, scope);
    expectClose(linesPanel.data.totalLines, l.totalLines, 'lines');
    expectSeries(
      linesPanel.data.byLanguage,
      l.byLanguage,
      'lines by language',
      count,
    );
    expectPoints(linesPanel.data.total, l.total, 'lines per bar', count);
    expectPoints(
      linesPanel.data.cumulative,
      l.cumulative,
      'cumulative lines',
      count,
    );

    const time = panel(body.panels, 'timeSaved').data;
    const t = expectedTimeSaved(history, w, scope, ESTIMATES);
    expectClose(time.totalHours, t.totalHours, 'hours saved');
    expect(time.activeUsers).toBe(t.activeUsers);
    expectClose(
      time.hoursPerActiveUser,
      t.hoursPerActiveUser,
      'hours per developer',
    );
    expect(new Set(time.byActivity.map(x => x.activity))).toEqual(
      new Set([...t.byActivity].filter(([, v]) => v > 0).map(([k]) => k)),
    );
    time.byActivity.forEach(x =>
      expectClose(x.hours, t.byActivity.get(x.activity) ?? 0, x.activity),
    );
    expectClose(time.roi.valueOfTimeSaved, t.roi.valueOfTimeSaved, 'ROI value');
    expectClose(time.roi.seatCost, t.roi.seatCost, 'ROI seat cost');
    const usage = panel(body.panels, 'usage').data;
    if (usage.withheld) {
      expect(time.roi.inputs.usageCostUsd).toBeNull();
      expectClose(time.roi.net, t.roi.net, 'ROI net');
    } else {
      expectClose(
        time.roi.inputs.usageCostUsd,
        t.usageCostUsd,
        'ROI usage cost',
      );
      expectClose(time.roi.net, t.roi.net - t.usageCostUsd, 'ROI net');
      const u = expectedUsage(history, w, scope);
      expect(usage.reportingDevelopers).toBe(u.reportingDevelopers);
      expectClose(usage.totalTokens, u.totalTokens, 'tokens');
      expectClose(usage.totalCostUsd, u.totalCostUsd, 'usage cost');
      expectClose(usage.sessions, u.sessions, 'sessions');
      expectClose(
        usage.activeSeconds.total,
        u.activeSeconds.total,
        'active seconds',
      );
      expectClose(
        usage.activeSeconds.user,
        u.activeSeconds.user,
        'active seconds (user)',
      );
      expectClose(
        usage.activeSeconds.agent,
        u.activeSeconds.agent,
        'active seconds (agent)',
      );
      expectClose(usage.commits, u.commits, 'commits');
      expectClose(usage.pullRequests, u.pullRequests, 'pull requests');
      expect(new Set(usage.byAssistant.map(x => x.assistant))).toEqual(
        new Set(u.byAssistant.keys()),
      );
      for (const x of usage.byAssistant) {
        const e = u.byAssistant.get(x.assistant)!;
        expectClose(x.totalTokens, e.totalTokens, `${x.assistant} tokens`);
        expectClose(x.costUsd, e.costUsd, `${x.assistant} cost`);
        expectClose(x.acceptedLines, e.acceptedLines, `${x.assistant} lines`);
      }
      expectClose(
        usage.costPerAcceptedLine?.usd ?? null,
        u.costPerAcceptedLine?.usd ?? null,
        'cost per accepted line',
      );
      expectClose(
        usage.costPerAcceptedLine?.lines ?? null,
        u.costPerAcceptedLine?.lines ?? null,
        'lines of the cost per accepted line',
      );
      expect(new Set(usage.costPerAcceptedLine?.assistants)).toEqual(
        new Set(u.costPerAcceptedLine?.assistants),
      );
    }
    expect(time.roi.inputs).toMatchObject({
      ...ESTIMATES,
      activeUsers: t.activeUsers,
    });

    const features = panel(body.panels, 'featureUsage').data;
    const f = expectedFeatureUsage(history, w, scope);
    for (const x of features.totals)
      expectClose(x.count, f.totals.get(x.feature) ?? 0, `${x.feature} total`);
    for (const cell of features.heatmap.hourOfDay) {
      expectClose(
        cell.count,
        f.hourOfDay.get(`${cell.feature}/${cell.bucket}`) ?? 0,
        `${cell.feature} at ${cell.bucket}h`,
        count,
      );
    }
    for (const cell of features.heatmap.dayOfWeek) {
      expectClose(
        cell.count,
        f.dayOfWeek.get(`${cell.feature}/${cell.bucket}`) ?? 0,
        `${cell.feature} on day ${cell.bucket}`,
        count,
      );
    }
    expect(
      features.heatmap.hourOfDay.reduce((s, c) => s + c.count, 0),
    ).toBeGreaterThan(0);
  }

  describe.each(['prometheus', 'victoria-metrics'] as const)('on %s', kind => {
    let engine: QueryEngine;
    let api: Api;
    /** Prometheus's query log: every query it was sent. */
    const queryLog = () => join(dir, `${kind}-queries.log`);
    const loggedQueries = (): string[] =>
      readFileSync(queryLog(), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          line =>
            (JSON.parse(line) as { params: { query: string } }).params.query,
        );

    beforeAll(async () => {
      const testRules = join(dir, 'test-alerts.yml');
      writeFileSync(
        testRules,
        [
          'groups:',
          '  - name: ai-telemetry-test',
          '    interval: 1s',
          '    rules:',
          '      - alert: AiTelemetryTestAlwaysFiring',
          '        expr: vector(1)',
          '        labels: { severity: info, component: ai-telemetry }',
          '        annotations: { summary: Always firing, description: "Fires in tests with {{ $value }}" }',
          '  - name: someone-else',
          '    interval: 1s',
          '    rules:',
          '      - alert: SomeoneElsesAlert',
          '        expr: vector(1)',
          '        labels: { component: billing }',
          '',
        ].join('\n'),
      );
      engine = await startEngineWithDemoSet(kind, demo, dir, {
        global: { evaluation_interval: '1s', query_log_file: queryLog() },
        rule_files: [ALERT_RULES_FILE, testRules],
      });
      ({ api } = await startAiTelemetryTestBackend(databases, {
        aiTelemetry: { prometheus: { baseUrl: engine.url } },
        features: [
          catalogServiceMock.factory({ entities: catalogEntities(org) }),
        ],
      }));
      for (const ref of hashOf.keys()) await optIn(api, ref);
    }, 180_000);

    afterAll(async () => {
      await engine?.stop();
    });

    it('gives no language, assistant, activity or feature of fewer than 5 developers a row of its own', async () => {
      // The attack: read a rarely used language's or assistant's row to see the figures of
      // the one or two developers who use it.
      const body = await get<DashboardResponse>(api, '/v1/dashboard?range=7d');
      const w = windowOf(body);
      const pooled = pooledRows(body, w, {});
      const rare = Object.entries(BREAKDOWNS).flatMap(([label, metrics]) =>
        metrics.flatMap(metric =>
          [...rowParticipants(history, w, metric, label, {})]
            .filter(([, users]) => fewApart(users.size, 5))
            .map(([value]) => ({ label, value })),
        ),
      );
      // The generated organisation has such values, and each is pooled as `other`.
      expect(rare.length).toBeGreaterThan(0);
      for (const { label, value } of rare) {
        expect({ label, value, pooled: pooled[label]?.has(value) }).toEqual({
          label,
          value,
          pooled: true,
        });
      }
      const names = panel(body.panels, 'linesGenerated').data.byLanguage.map(
        s => s.name,
      );
      expect(names).toContain('other');
    });

    it('answers the organisation dashboard over 7 days with the figures of the raw samples', async () => {
      const body = await get<DashboardResponse>(api, '/v1/dashboard?range=7d');
      expect(body.window.step).toBe(3600);
      checkDashboard(body, {}, { optedIn: hashOf.size, teamsUsingAi: true });
      // Prometheus has the recording rules over the whole history; VictoriaMetrics evaluates none.
      const sources = panel(body.panels, 'acceptanceRate').queries.map(
        q => q.source,
      );
      expect(sources).toEqual([
        kind === 'prometheus' ? 'recording-rule' : 'raw',
      ]);
      expect(panel(body.panels, 'overview').queries[1].source).toBe('raw');
      // Active developers: the whole days from the per-developer daily rules where Prometheus
      // has them, everything from the counters on VictoriaMetrics.
      const active = panel(body.panels, 'overview').queries[1].query;
      expect(
        active.includes('ai_telemetry:suggestions_shown_per_user:increase1d'),
      ).toBe(kind === 'prometheus');
    });

    it('answers 24 hours at 15-minute steps from the raw counters', async () => {
      const body = await get<DashboardResponse>(api, '/v1/dashboard?range=24h');
      expect(body.window.step).toBe(900);
      expect(panel(body.panels, 'linesGenerated').step).toBe(3600);
      checkDashboard(body, {}, { optedIn: hashOf.size, teamsUsingAi: true });
      expect(panel(body.panels, 'acceptanceRate').queries[0].source).toBe(
        'raw',
      );
    });

    it("draws today's running hour up to now, the hours before it exactly", async () => {
      const body = await get<DashboardResponse>(
        api,
        '/v1/dashboard?range=24h',
        GUEST,
        { live: true },
      );
      const { start, end, asOf } = body.window;
      expect(asOf).toBeGreaterThan(end - 3600 * 1000);
      expect(asOf).toBeLessThanOrEqual(Date.now());
      const lines = panel(body.panels, 'linesGenerated');
      const bars = pointsOf(lines.data.total);
      const running = Math.floor(asOf / 3600_000) * 3600_000;
      expect(bars.at(-1)!.t).toBe(running);
      const exact = expectedLines(
        history,
        { start: start / 1000, end: running / 1000, step: 900 },
        3600,
        {},
      );
      expectPoints(
        bars.slice(0, -1),
        exact.total,
        'the hours that have ended',
        ANSWER_DECIMALS.count,
      );
      // The running hour: the samples' increase since it began, which Prometheus extrapolates
      // up to now (by at most one sample interval's worth, here 15 minutes of 45 or more).
      const sofar = history.sum(
        history.select('ai_copilot_lines_generated', {}),
        running / 1000,
        dataEnd,
      );
      const last = bars.at(-1)!.v;
      expect(last).toBeGreaterThanOrEqual(sofar * 0.99);
      expect(last).toBeLessThanOrEqual(sofar * 2 + 1e-9);
    });

    // Prometheus only: VictoriaMetrics evaluates no rules (no day is recorded, the index holds
    // nothing) and keeps no query log.
    const onPrometheus = kind === 'prometheus' ? it : it.skip;
    onPrometheus(
      'counts developers over recorded days from the activity index, not from every developer’s series',
      async () => {
        // Windows no other test asks for, so that nothing of them is cached: the last 20 whole
        // days and more. The index reads the recorded days on start; give it the time it needs.
        const to = Math.floor(Date.now() / 1000 / 86400) * 86400;
        let body: DashboardResponse | undefined;
        let asked: string[] = [];
        const perDeveloperRules = () =>
          asked.filter(q => /_per_user[a-z_]*:increase1d/.test(q));
        for (let days = 20; days < 30; days++) {
          const from = new Date((to - days * 86400) * 1000).toISOString();
          const before = loggedQueries().length;
          body = await get<DashboardResponse>(
            api,
            `/v1/dashboard?from=${from}&to=${to}&assistant=copilot`,
          );
          asked = loggedQueries().slice(before);
          if (perDeveloperRules().length === 0) break;
          await sleep(500);
        }
        // Not vacuous: the organisation's own queries of this window were sent.
        // eslint-disable-next-line jest/no-standalone-expect
        expect(
          asked.some(q => q.includes('ai_telemetry:suggestions:increase1h')),
        ).toBe(true);
        // Every day of the window is recorded: no per-developer rule is read from Prometheus.
        // eslint-disable-next-line jest/no-standalone-expect
        expect(perDeveloperRules()).toEqual([]);
        checkDashboard(
          body!,
          { assistant: 'copilot' },
          { optedIn: hashOf.size, teamsUsingAi: true },
        );
      },
    );

    it('applies the language and assistant filters on a custom range', async () => {
      const to = Math.floor(Date.now() / 1000 / 86400) * 86400;
      const from = new Date((to - 4 * 86400) * 1000).toISOString();
      // A language and an assistant that the privacy threshold lets through (Python with
      // Copilot, unless too few people use Python with another assistant in these days).
      const filters = [
        { language: 'python', assistant: 'copilot' },
        ...DEFAULT_LANGUAGES.flatMap(language =>
          DEFAULT_ASSISTANTS.map(assistant => ({ language, assistant })),
        ),
      ].find(
        f =>
          expectedOrganisationVerdict(
            history,
            { start: to - 4 * 86400, end: to, step: 0 },
            f,
            5,
          ) === 'figures',
      )!;
      const body = await get<DashboardResponse>(
        api,
        `/v1/dashboard?from=${from}&to=${to}&${new URLSearchParams(filters)}`,
      );
      expect(body.window.end - body.window.start).toBe(4 * 86400 * 1000);
      checkDashboard(body, filters, {
        optedIn: hashOf.size,
        teamsUsingAi: true,
      });
      expect(panel(body.panels, 'timeSaved').ignoredFilters).toEqual([
        'language',
      ]);
    });

    it('reads a window that began before the rules and the data: the recorded days from the rules, the days before not at all', async () => {
      // Three days before the set (and the rules backfilled over it) began, up to today.
      const to = Math.floor(Date.now() / 1000 / 86400) * 86400;
      const first = demo.end - demo.days * 86400;
      const from = new Date((first - 3 * 86400) * 1000).toISOString();
      const body = await get<DashboardResponse>(
        api,
        `/v1/dashboard?from=${from}&to=${to}`,
      );
      checkDashboard(body, {}, { optedIn: hashOf.size, teamsUsingAi: true });
      // On Prometheus, the days the rules hold from them, and the three before not at all (no
      // counter has a sample there); VictoriaMetrics evaluates no rules.
      const active = panel(body.panels, 'overview').queries[1].query;
      expect([
        active.includes('ai_telemetry:suggestions_shown_per_user:increase1d'),
        active.includes('"before"'),
      ]).toEqual(kind === 'prometheus' ? [true, false] : [false, false]);
    });

    it('answers one panel alone with the same figures', async () => {
      const single = await get<PanelResponseById['linesGenerated']>(
        api,
        '/v1/panels/linesGenerated?range=7d',
      );
      const whole = await get<DashboardResponse>(api, '/v1/dashboard?range=7d');
      expect(single).toEqual(panel(whole.panels, 'linesGenerated'));
    });

    it('lists the ai-telemetry alert rules with their state (none on VictoriaMetrics, which evaluates no rules)', async () => {
      let alerts: AlertsData | undefined;
      for (let i = 0; i < 50; i++) {
        alerts = (
          await get<PanelResponseById['alerts']>(api, '/v1/panels/alerts')
        ).data;
        if (
          kind !== 'prometheus' ||
          alerts.rules.some(r => r.state === 'firing')
        ) {
          break;
        }
        await sleep(200);
      }

      // Expected: the rules of the files Prometheus loaded that are ai-telemetry's, each in the
      // state Prometheus's alerts API reports (apart from the rules API the panel reads).
      type RuleYaml = {
        groups: Array<{
          name: string;
          rules: Array<{ alert?: string; labels?: Record<string, string> }>;
        }>;
      };
      const names = (
        parseYaml(readFileSync(ALERT_RULES_FILE, 'utf8')) as RuleYaml
      ).groups
        .flatMap(g =>
          g.rules.filter(
            r =>
              r.alert &&
              (g.name.startsWith('ai-telemetry') ||
                r.labels?.component === 'ai-telemetry'),
          ),
        )
        .map(r => r.alert!)
        .concat('AiTelemetryTestAlwaysFiring');
      const res = await fetch(`${engine.url}/api/v1/alerts`);
      const active =
        (
          (await res.json()) as {
            data?: {
              alerts?: Array<{ state: string; labels: Record<string, string> }>;
            };
          }
        ).data?.alerts ?? [];
      const stateOf = (name: string) =>
        ['firing', 'pending'].find(state =>
          active.some(a => a.labels.alertname === name && a.state === state),
        ) ?? 'inactive';
      const expected =
        kind === 'prometheus'
          ? names.map(name => ({ name, state: stateOf(name) }))
          : [];
      const byName = (a: { name: string }, b: { name: string }) =>
        a.name.localeCompare(b.name);

      expect(
        alerts!.rules.map(r => ({ name: r.name, state: r.state })).sort(byName),
      ).toEqual(expected.sort(byName));
      const testAlert = {
        state: 'firing',
        severity: 'info',
        summary: 'Always firing',
        description: 'Fires in tests with 1',
        health: 'ok',
      };
      expect(
        alerts!.rules
          .filter(r => r.name === 'AiTelemetryTestAlwaysFiring')
          .map(({ state, severity, summary, description, health }) => ({
            state,
            severity,
            summary,
            description,
            health,
          })),
      ).toEqual(kind === 'prometheus' ? [testAlert] : []);
    });

    it("answers a department's dashboard over its child teams' members, from the raw counters", async () => {
      const department = org.groups.find(g => g.children.length > 0)!;
      const members = new Set(
        membersOf(department.name).map(ref => hashOf.get(ref)!),
      );
      const body = await get<TeamDashboardResponse>(
        api,
        `/v1/teams/default/${department.name}/dashboard?range=7d`,
      );
      if (body.tooFewParticipants)
        throw new Error('the department should show figures');
      expect(body.team).toEqual({
        entityRef: `group:default/${department.name}`,
        title: department.title,
      });
      checkDashboard(
        body,
        { userHashes: members },
        { optedIn: members.size, teamsUsingAi: false },
      );
      for (const q of panel(body.panels, 'acceptanceRate').queries) {
        expect(q.source).toBe('raw');
        expect(q.query).toContain('user_hash=~"$team"');
      }
    });

    it('answers 404 for a group the catalog does not have', async () => {
      const res = await api
        .get('/api/ai-telemetry/v1/teams/default/no-such-team/dashboard')
        .set('Authorization', userAuthorization(GUEST));
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('group:default/no-such-team');
    });

    describe('the privacy threshold of every organisation answer', () => {
      const MIN = 5;
      const pairs = DEFAULT_LANGUAGES.flatMap(language =>
        DEFAULT_ASSISTANTS.map(assistant => ({ language, assistant })),
      );
      const candidates: Record<string, Filters[]> = {
        language: DEFAULT_LANGUAGES.map(language => ({ language })),
        assistant: DEFAULT_ASSISTANTS.map(assistant => ({ assistant })),
        both: pairs,
      };

      async function windowFor(range: string): Promise<Window> {
        return windowOf(
          await get<OrganisationDashboardResponse>(
            api,
            `/v1/dashboard?range=${range}`,
          ),
        );
      }

      /** An organisation answer without figures, as it is sent. */
      function noFigures(
        reason: 'threshold' | 'differencing',
        filters: Filters,
      ) {
        return {
          tooFewParticipants: true,
          reason,
          minGroupSize: MIN,
          window: expect.objectContaining({ step: expect.any(Number) }),
          filters,
        };
      }

      it.each([
        ['language', '24h'],
        ['assistant', '7d'],
        ['both', '7d'],
      ])(
        'answers no figures, on the dashboard and each panel, for a %s filter that leaves fewer than 5 developers (%s)',
        async (filterKind, range) => {
          const w = await windowFor(range);
          const filters = candidates[filterKind].find(
            f =>
              expectedOrganisationVerdict(history, w, f, MIN) === 'threshold',
          );
          if (!filters)
            throw new Error(`no ${filterKind} filter under 5 in ${range}`);
          const query = new URLSearchParams({ range, ...filters }).toString();
          expect(await get(api, `/v1/dashboard?${query}`)).toEqual(
            noFigures('threshold', filters),
          );
          for (const id of PANEL_IDS.filter(p => p !== 'alerts')) {
            expect(await get(api, `/v1/panels/${id}?${query}`)).toEqual(
              noFigures('threshold', filters),
            );
          }
        },
      );

      it('answers differencing when the developers with activity outside a filter are fewer than 5', async () => {
        // The organisation, or a team without sub-teams that stands far enough apart from the
        // organisation: only the filter's complement can be the reason.
        const w = await windowFor('7d');
        const scopes = [
          { path: '/v1/dashboard', userHashes: undefined },
          ...org.groups
            .filter(g => g.children.length === 0)
            .map(g => ({
              path: `/v1/teams/default/${g.name}/dashboard`,
              userHashes: new Set(membersOf(g.name).map(r => hashOf.get(r)!)),
            })),
        ];
        const found = scopes
          .flatMap(scope =>
            [...candidates.language, ...candidates.assistant].map(filters => ({
              ...scope,
              filters,
            })),
          )
          .find(({ userHashes, filters }) => {
            const p = participation(history, w, filters, userHashes);
            const organisation = participation(history, w, filters);
            return (
              reachesThreshold(p, MIN) &&
              p.some(m => m.outside.some(set => fewApart(set.size, MIN))) &&
              (!userHashes ||
                p.every(
                  (m, i) =>
                    !fewApart(
                      [...organisation[i].under].filter(u => !m.under.has(u))
                        .length,
                      MIN,
                    ),
                ))
            );
          });
        if (!found)
          throw new Error('no filter with 1 to 4 developers outside it');
        const query = new URLSearchParams({ range: '7d', ...found.filters });
        const body = await get<Record<string, unknown>>(
          api,
          `${found.path}?${query}`,
        );
        expect(body).toMatchObject({
          tooFewParticipants: true,
          reason: 'differencing',
          filters: found.filters,
        });
        expect(body).not.toHaveProperty('panels');
        // Without the filter, the same scope shows figures.
        const unfiltered = await get<{ tooFewParticipants: boolean }>(
          api,
          `${found.path}?range=7d`,
        );
        expect(unfiltered.tooFewParticipants).toBe(false);
      });

      it('answers differencing for the product area, whose team shows figures and whose two leads would be the difference', async () => {
        const w = await windowFor('7d');
        const area = org.groups.find(g => g.name === 'marketplace')!;
        const [child] = area.children;
        const leads = org.users
          .filter(u => u.memberOf.includes(area.name))
          .map(u => hashOf.get(`user:default/${u.name}`)!);
        expect(leads).toHaveLength(2);
        const childHashes = new Set(membersOf(child).map(r => hashOf.get(r)!));
        // Preconditions, from the raw samples: the team reaches the threshold, a lead has data.
        expect(
          reachesThreshold(participation(history, w, {}, childHashes), MIN),
        ).toBe(true);
        expect(
          participation(history, w, {}, new Set(leads)).some(
            m => m.under.size > 0,
          ),
        ).toBe(true);

        const team = await get<TeamDashboardResponse>(
          api,
          `/v1/teams/default/${child}/dashboard?range=7d`,
        );
        if (team.tooFewParticipants)
          throw new Error(`${child} should show figures: ${team.reason}`);
        expect(panel(team.panels, 'overview').data.activeUsers).toBe(
          expectedOverview(history, w, { userHashes: childHashes }).active.size,
        );
        const body = await get<TeamDashboardResponse>(
          api,
          `/v1/teams/default/${area.name}/dashboard?range=7d`,
        );
        expect(body).toEqual({
          tooFewParticipants: true,
          reason: 'differencing',
          minGroupSize: MIN,
          team: { entityRef: `group:default/${area.name}`, title: area.title },
          window: team.window,
          filters: {},
        });
      });
    });

    describe('the privacy threshold of 5', () => {
      let teamApi: Api;
      let team: string;
      let chosen: string[];

      /** Members with data of every family in the last 7 days. */
      function withData(refs: string[], w: Window): string[] {
        return refs.filter(ref =>
          [
            'ai_copilot_suggestions_total',
            'ai_copilot_lines_generated',
            'ai_copilot_time_saved_seconds',
            'ai_copilot_feature_usage',
          ].every(
            metric =>
              history.activeUsers(
                history.select(metric, {
                  userHashes: new Set([hashOf.get(ref)!]),
                }),
                w.start,
                w.end,
              ).size === 1,
          ),
        );
      }

      beforeAll(async () => {
        ({ api: teamApi } = await startAiTelemetryTestBackend(databases, {
          aiTelemetry: { prometheus: { baseUrl: engine.url } },
          features: [
            catalogServiceMock.factory({ entities: catalogEntities(org) }),
          ],
        }));
        const probe = await get<DashboardResponse>(
          api,
          '/v1/dashboard?range=7d',
        );
        const w = windowOf(probe);
        const candidate = org.groups
          .filter(g => g.children.length === 0)
          .map(g => ({ name: g.name, active: withData(membersOf(g.name), w) }))
          .find(g => g.active.length >= 6)!;
        team = candidate.name;
        chosen = candidate.active.slice(0, 5);
        for (const ref of chosen) await optIn(teamApi, ref);
      }, 120_000);

      it('shows the figures of a team with exactly 5 participants', async () => {
        const body = await get<TeamDashboardResponse>(
          teamApi,
          `/v1/teams/default/${team}/dashboard?range=7d`,
        );
        if (body.tooFewParticipants)
          throw new Error('5 participants should show figures');
        expect(body.minGroupSize).toBe(5);
        checkDashboard(
          body,
          { userHashes: new Set(chosen.map(r => hashOf.get(r)!)) },
          { optedIn: 5, teamsUsingAi: false },
        );
      });

      it('shows no figures for a filter that leaves fewer than 5', async () => {
        const w = windowOf(
          await get<DashboardResponse>(api, '/v1/dashboard?range=7d'),
        );
        const language = [
          'cpp',
          'rust',
          'ruby',
          'kotlin',
          'other',
          'csharp',
        ].find(
          lang =>
            history.activeUsers(
              history.select('ai_copilot_suggestions_total', {
                language: lang,
                userHashes: new Set(chosen.map(r => hashOf.get(r)!)),
              }),
              w.start,
              w.end,
            ).size < 5,
        )!;
        const body = await get<TeamDashboardResponse>(
          teamApi,
          `/v1/teams/default/${team}/dashboard?range=7d&language=${language}`,
        );
        expect(body.tooFewParticipants).toBe(true);
      });

      it('shows no figures once one of them opts out, and says why', async () => {
        const res = await teamApi
          .put('/api/ai-telemetry/v1/me/opt-in')
          .set('Authorization', userAuthorization(chosen[4]))
          .send({ enabled: false });
        expect(res.status).toBe(200);
        const body = await get<TeamDashboardResponse>(
          teamApi,
          `/v1/teams/default/${team}/dashboard?range=7d`,
        );
        expect(Object.keys(body).sort()).toEqual([
          'filters',
          'minGroupSize',
          'reason',
          'team',
          'tooFewParticipants',
          'window',
        ]);
        expect(body).toMatchObject({
          tooFewParticipants: true,
          reason: 'threshold',
          minGroupSize: 5,
          team: { entityRef: `group:default/${team}` },
        });
      });
    });
  });

  it('never answers with a pseudonym', () => {
    expect(answers.length).toBeGreaterThan(10);
    const hashes = [...hashOf.values()];
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      expect(text).not.toMatch(/[0-9a-f]{64}/);
      for (const hash of hashes) expect(text).not.toContain(hash.slice(0, 16));
    }
  });
});
