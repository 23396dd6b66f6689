/**
 * Issue 11's "done when", on real parts: the GitHub stand-in as an HTTP server (documented report
 * shapes, NDJSON behind signed download links, pages of seats, a day not published yet, a 429
 * with Retry-After, an expired link, a 401), Prometheus with its remote-write receiver and an
 * out-of-order window, the Pushgateway, and the backend with the real catalog as a child process
 * with its own SQLite database, killed once in the middle.
 *
 * For the opted-in developers with a GitHub login, every figure in Prometheus for each day equals
 * the sum of that day's NDJSON lines, written out here independently of the mapping
 * (docs/metric-contract.md), through the panels' own queries at every step; for everyone else
 * nothing exists anywhere (database, log, Prometheus). Prometheus also holds another developer's
 * scraped history with its recording rules backfilled, so the panels' rule path reads real rule
 * outputs beside the imported series. Re-runs, a Prometheus outage and a kill count nothing
 * twice, and erasure leaves nothing of the import (once Prometheus has compacted the back-dated
 * samples, which the test brings forward).
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  backfillPrometheus,
  BackendProcess,
  copilotReportLine,
  copilotSeats,
  createRandom,
  freePort,
  GithubReportLine,
  GithubStandIn,
  PrometheusProcess,
  PushgatewayProcess,
  startGithubStandIn,
  waitFor,
} from '@fawkes/ai-telemetry-test-utils';
import {
  CopilotSeatsResponse,
  ErasureJob,
  GithubImportStatusResponse,
  MyGithubImportResponse,
  pseudonymize,
} from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'fs';
import knexFactory, { Knex } from 'knex';
import { tmpdir } from 'os';
import { join } from 'path';
import { MetricFamily, PanelParams } from '../query/families';
import { increaseOver } from '../query/panels/queries';
import { RemoteWriteClient } from '../upstream/RemoteWriteClient';

jest.setTimeout(240_000);

const KEY = 'github-import-integration-key-0123456789';
const TOKEN = 'ghp_integration_stand_in';
const HOST = 'github.stand-in.test';
const DAY = 86_400;
const USERS = {
  ada: { ref: 'user:default/ada', login: 'ada-gh' },
  bob: { ref: 'user:default/bob', login: 'bob-gh' },
  /** Has a login but never opted in. */
  cy: { ref: 'user:default/cy', login: 'cy-gh' },
  /** Opted in, but no login in the catalog. */
  dee: { ref: 'user:default/dee', login: undefined },
};
const IMPORTED = ['ada', 'bob'] as const;
/** Logins in the reports that belong to nobody opted in with a login. */
const OTHERS = ['cy-gh', 'dee-gh', 'stranger-1', 'stranger-2'];

const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
const dayName = (back: number) =>
  new Date((today - back * DAY) * 1000).toISOString().slice(0, 10);
/** Published from the start; then one with a 429 and an expired link; then one around a kill. */
const FIRST_DAYS = [5, 4, 3].map(dayName);
const LATE_DAY = dayName(2);
const KILL_DAY = dayName(1);

/**
 * Scraped history of another developer beside the import: one suggestion every five minutes
 * (288 a day) from six days ago to yesterday's start, with the recording rules backfilled over it
 * as Prometheus records them, so that the panels' rule path reads real rule outputs too.
 */
const SCRAPED_PER_DAY = 288;
const SCRAPED_FROM = today - 6 * DAY;
const SCRAPED_TO = today - DAY;
const scrapedOn = (day: string) => {
  const start = Date.parse(`${day}T00:00:00Z`) / 1000;
  return start >= SCRAPED_FROM && start + DAY <= SCRAPED_TO;
};
const RULES_FILE = join(
  __dirname,
  '../../../../deploy/prometheus/rules/ai-telemetry-recording.yml',
);

/** The contract's languages (the default list), written out: anything else is `other`. */
const LANGUAGES = [
  'python',
  'typescript',
  'javascript',
  'java',
  'go',
  'rust',
  'csharp',
  'cpp',
  'ruby',
  'kotlin',
];

type Figures = Map<string, number>;
const key = (metric: string, labels: Record<string, string>) =>
  `${metric}${JSON.stringify(
    Object.fromEntries(Object.entries(labels).sort()),
  )}`;

/**
 * What a login's lines of a day add, per series, as docs/metric-contract.md
 * ("From GitHub Copilot reports to counters") says, written out without the backend's code.
 */
function expectedFigures(lines: GithubReportLine[], login: string): Figures {
  const figures: Figures = new Map();
  const add = (metric: string, labels: Record<string, string>, n: number) => {
    if (n > 0) {
      const k = key(metric, { ...labels, assistant: 'copilot' });
      figures.set(k, (figures.get(k) ?? 0) + n);
    }
  };
  for (const line of lines) {
    if (String(line.user_login).toLowerCase() !== login) continue;
    for (const row of line.totals_by_language_feature as any[]) {
      const raw = String(row.language).toLowerCase();
      const named = raw === 'c++' ? 'cpp' : raw;
      let language = 'other';
      if (named === 'unknown') language = 'unknown';
      else if (LANGUAGES.includes(named)) language = named;
      if (row.feature !== 'agent_edit') {
        const accepted = row.code_acceptance_activity_count;
        const rejected = row.code_generation_activity_count - accepted;
        add(
          'ai_copilot_suggestions_total',
          { language, accepted: 'true' },
          accepted,
        );
        add(
          'ai_copilot_suggestions_total',
          { language, accepted: 'false' },
          Math.max(0, rejected),
        );
      }
      add('ai_copilot_lines_generated', { language }, row.loc_added_sum);
      add(
        'ai_copilot_time_saved_seconds',
        {
          activity:
            row.feature === 'code_completion'
              ? 'code_completion'
              : 'code_generation',
        },
        row.loc_added_sum * 12,
      );
    }
    for (const row of line.totals_by_feature as any[]) {
      if (row.feature === 'code_completion') {
        add(
          'ai_copilot_feature_usage',
          { feature: 'completion' },
          row.code_generation_activity_count,
        );
      } else if (row.feature.startsWith('chat_')) {
        add(
          'ai_copilot_feature_usage',
          { feature: 'chat' },
          row.user_initiated_interaction_count,
        );
      }
    }
    const cli = line.totals_by_cli as any;
    if (cli) {
      add('ai_copilot_sessions_total', {}, cli.session_count);
      add(
        'ai_copilot_tokens_total',
        { model: 'other', type: 'input' },
        cli.token_usage.prompt_tokens_sum,
      );
      add(
        'ai_copilot_tokens_total',
        { model: 'other', type: 'output' },
        cli.token_usage.output_tokens_sum,
      );
    }
  }
  return figures;
}

const FAMILY_OF: Record<string, MetricFamily> = {
  ai_copilot_suggestions_total: 'suggestions',
  ai_copilot_lines_generated: 'linesGenerated',
  ai_copilot_time_saved_seconds: 'timeSaved',
  ai_copilot_feature_usage: 'featureUsage',
};

describe('the GitHub Copilot import on real processes', () => {
  let dir: string;
  let prometheus: PrometheusProcess;
  let pushgateway: PushgatewayProcess;
  let standIn: GithubStandIn;
  let backend: BackendProcess;
  let backendPort: number;
  const reports = new Map<string, GithubReportLine[]>();
  const hashes = new Map<string, string>();
  const random = createRandom('github-import-integration');

  const linesOf = (day: string) => {
    const lines: GithubReportLine[] = [];
    let userId = 1;
    for (const login of ['Ada-GH', 'bob-gh', ...OTHERS, 'ada-gh']) {
      lines.push(copilotReportLine(random, { login, userId: userId++, day }));
    }
    reports.set(day, lines);
    return lines;
  };

  const startBackend = (name: string) =>
    new BackendProcess({
      dir: join(dir, 'backend'),
      port: backendPort,
      name,
      entry: join(__dirname, '__testUtils__', 'backendProcess.ts'),
      readyPath: '/api/ai-telemetry/health',
      config: {
        catalog: {
          rules: [{ allow: ['User', 'Group'] }],
          locations: [{ type: 'file', target: join(dir, 'org.yaml') }],
        },
        integrations: {
          github: [{ host: HOST, apiBaseUrl: standIn.url, token: TOKEN }],
        },
        aiTelemetry: {
          prometheus: { baseUrl: prometheus.url },
          pushgateway: { baseUrl: pushgateway.url },
          pseudonymKey: KEY,
          erasure: {
            workerIntervalSeconds: 1,
            scrapeGraceSeconds: 1,
            retryBaseSeconds: 1,
            retryMaxSeconds: 2,
            leaseSeconds: 10,
          },
          github: {
            organization: 'fawkes',
            host: HOST,
            backfillDays: 5,
            schedule: {
              frequency: { seconds: 2 },
              timeout: { seconds: 60 },
              initialDelay: { seconds: 1 },
            },
          },
        },
      },
    }).start();

  const api = async <T>(
    path: string,
    user: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<T> => {
    const res = await fetch(`${backend.url}/api/ai-telemetry${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${mockCredentials.user.token(user)}`,
        ...(init.body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const status = () =>
    api<GithubImportStatusResponse & { enabled: true }>(
      '/v1/github/status',
      USERS.ada.ref,
    );
  const untilImportedThrough = (day: string) =>
    waitFor(`the import to reach ${day}`, 60_000, async () => {
      const s = await status();
      if (
        s.importedThrough === day &&
        !s.failing &&
        s.lastRun?.outcome === 'succeeded'
      ) {
        return s;
      }
      throw new Error(JSON.stringify(s));
    });

  /** The backend's database, opened beside it. */
  async function withDatabase<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
    const db = knexFactory({
      client: 'better-sqlite3',
      connection: {
        filename: join(dir, 'backend', 'database', 'ai-telemetry.sqlite'),
      },
      useNullAsDefault: true,
    });
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  }

  /** Each imported series' increase over the day, at the day's end, by series. */
  async function dayFigures(userHash: string, day: string): Promise<Figures> {
    const end = Date.parse(`${day}T00:00:00Z`) / 1000 + DAY;
    const figures: Figures = new Map();
    for (const metric of [
      'ai_copilot_suggestions_total',
      'ai_copilot_lines_generated',
      'ai_copilot_time_saved_seconds',
      'ai_copilot_feature_usage',
      'ai_copilot_sessions_total',
      'ai_copilot_tokens_total',
    ]) {
      const result = await prometheus.query(
        `increase(${metric}{user_hash="${userHash}",source="github"}[1d])`,
        end,
      );
      for (const series of result) {
        const { user_hash: _h, source: _s, ...labels } = series.metric;
        const value = Number(series.value![1]);
        if (value !== 0) figures.set(key(metric, labels), value);
      }
    }
    return figures;
  }

  /**
   * The organisation's figure of each family for the day, as the panels compute it: from the raw
   * counters and from the recording rules' form, per day and summed over every step they use.
   */
  async function checkPanelsFor(day: string) {
    const start = Date.parse(`${day}T00:00:00Z`) / 1000;
    const params = { filters: {} } as unknown as PanelParams;
    const expected = new Map<MetricFamily, number>();
    for (const name of IMPORTED) {
      for (const [k, v] of expectedFigures(
        reports.get(day)!,
        USERS[name].login,
      )) {
        const family = FAMILY_OF[k.slice(0, k.indexOf('{'))];
        if (family) expected.set(family, (expected.get(family) ?? 0) + v);
      }
    }
    const scraped = scrapedOn(day) ? SCRAPED_PER_DAY : 0;
    expected.set('suggestions', (expected.get('suggestions') ?? 0) + scraped);
    for (const family of Object.values(FAMILY_OF)) {
      for (const source of ['raw', 'recording-rule'] as const) {
        const daily = await prometheus.query(
          `sum(${increaseOver(family, params, {}, source, DAY)})`,
          start + DAY,
        );
        expect({
          family,
          source,
          day: Number(daily[0]?.value?.[1] ?? 0),
        }).toEqual({
          family,
          source,
          day: expected.get(family) ?? 0,
        });
      }
      for (const step of [300, 900, 3600, 3 * 3600, 12 * 3600]) {
        const sources =
          step >= 3600
            ? (['raw', 'recording-rule'] as const)
            : (['raw'] as const);
        for (const source of sources) {
          const ranged = await prometheus.rangeQuery(
            `sum(${increaseOver(family, params, {}, source, step)})`,
            { start: start + step, end: start + DAY, step },
          );
          const values = (ranged[0]?.values ?? []).map(([, v]) => Number(v));
          // The imported day lands in one bucket; scraped suggestions spread over all.
          const spread = family === 'suggestions' && scraped > 0;
          expect({
            family,
            step,
            source,
            sum: values.reduce((a, b) => a + b, 0),
            nonZero: spread ? 'any' : values.filter(v => v !== 0).length,
          }).toEqual({
            family,
            step,
            source,
            sum: expected.get(family) ?? 0,
            nonZero: spread ? 'any' : Number(Boolean(expected.get(family))),
          });
        }
      }
    }
  }

  async function checkImportedDays(days: string[]) {
    for (const day of days) {
      for (const name of IMPORTED) {
        expect(await dayFigures(hashes.get(name)!, day)).toEqual(
          expectedFigures(reports.get(day)!, USERS[name].login),
        );
      }
      await checkPanelsFor(day);
    }
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-github-'));
    for (const [name, user] of Object.entries(USERS)) {
      hashes.set(name, await pseudonymize(user.ref, KEY));
    }
    await fs.writeFile(
      join(dir, 'org.yaml'),
      Object.entries(USERS)
        .map(([name, user]) =>
          [
            'apiVersion: backstage.io/v1alpha1',
            'kind: User',
            'metadata:',
            `  name: ${name}`,
            ...(user.login
              ? ['  annotations:', `    github.com/user-login: ${user.login}`]
              : []),
            'spec: { memberOf: [] }',
          ].join('\n'),
        )
        .join('\n---\n'),
    );
    standIn = await startGithubStandIn({
      organization: 'fawkes',
      token: TOKEN,
      filesPerDay: 2,
    });
    for (const day of FIRST_DAYS) standIn.publish(day, linesOf(day));
    standIn.setSeats(
      copilotSeats(
        random,
        Array.from({ length: 12 }, (_, i) => `seat-${i}`),
        Date.now(),
      ),
      2,
    );
    const history: string[] = ['# TYPE ai_copilot_suggestions counter'];
    const scrapedLabels = `job="ai-telemetry-backend",instance="backstage:7007",user_hash="${'e'.repeat(
      64,
    )}",language="go",accepted="true",assistant="cody"`;
    for (let t = SCRAPED_FROM, n = 0; t <= SCRAPED_TO; t += 300, n++) {
      history.push(`ai_copilot_suggestions_total{${scrapedLabels}} ${n} ${t}`);
    }
    await fs.writeFile(
      join(dir, 'scraped.om'),
      `${history.join('\n')}\n# EOF\n`,
    );
    await backfillPrometheus(
      join(dir, 'prometheus', 'data'),
      [join(dir, 'scraped.om')],
      {
        file: RULES_FILE,
        from: SCRAPED_FROM,
        to: SCRAPED_TO,
        workDir: join(dir, 'rules'),
      },
    );
    pushgateway = await new PushgatewayProcess({
      dir: join(dir, 'pushgateway'),
    }).start();
    prometheus = await new PrometheusProcess({
      dir: join(dir, 'prometheus'),
      adminApi: true,
      remoteWriteReceiver: true,
      config: {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [RULES_FILE],
        // A scrape, so that Prometheus's newest samples are now, as in production: the
        // out-of-order window reaches back from them.
        scrape_configs: [
          {
            job_name: 'pushgateway',
            honor_labels: true,
            static_configs: [{ targets: [new URL(pushgateway.url).host] }],
          },
        ],
        storage: { tsdb: { out_of_order_time_window: '32d' } },
      },
    }).start();
    backendPort = await freePort();
    backend = await startBackend('backend-1');
    await waitFor('the catalog to read the users', 30_000, async () => {
      const me = await api<MyGithubImportResponse>(
        '/v1/me/github',
        USERS.ada.ref,
      );
      if (me.login === 'ada-gh') return true;
      throw new Error(JSON.stringify(me));
    });
    for (const name of ['ada', 'bob', 'dee'] as const) {
      await api('/v1/me/opt-in', USERS[name].ref, {
        method: 'PUT',
        body: { enabled: true },
      });
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await Promise.all([
      prometheus?.stop(),
      pushgateway?.stop(),
      standIn?.close(),
    ]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('imports the published days exactly for opted-in developers with a login, and nothing of anyone else', async () => {
    const s = await untilImportedThrough(FIRST_DAYS[2]);
    expect(s).toMatchObject({
      enabled: true,
      scope: { kind: 'organization', name: 'fawkes' },
      usageImported: true,
      importedFrom: FIRST_DAYS[0],
      importedDevelopers: 2,
    });
    expect(s.lastRun?.daysNotPublished).toBeGreaterThan(0);
    await checkImportedDays(FIRST_DAYS);

    // Nothing of cy, dee, or a login nobody has: not in Prometheus, the database or the log.
    const inPrometheus = await prometheus.query(
      'group by (user_hash) (count_over_time({source="github"}[40d]))',
      Date.now() / 1000,
    );
    expect(new Set(inPrometheus.map(r => r.metric.user_hash))).toEqual(
      new Set(IMPORTED.map(n => hashes.get(n))),
    );
    const tables = await withDatabase(async db => {
      const dump: Record<string, unknown[]> = {};
      for (const table of [
        'github_import_ledger',
        'github_counters',
        'github_import_state',
        'audit_log',
        'counters',
      ]) {
        dump[table] = await db(table).select();
      }
      return dump;
    });
    expect(
      new Set(tables.github_import_ledger.map((r: any) => r.user_hash)),
    ).toEqual(new Set(IMPORTED.map(n => hashes.get(n))));
    const everything = `${JSON.stringify(tables)}\n${await fs.readFile(
      join(dir, 'backend', 'backend-1.log'),
      'utf8',
    )}`;
    for (const login of [...OTHERS, 'ada-gh', 'Ada-GH', 'bob-gh']) {
      expect(everything).not.toContain(login);
    }
    for (const name of ['cy', 'dee']) {
      expect(everything).not.toContain(hashes.get(name)!);
    }

    const me = (name: keyof typeof USERS) =>
      api<MyGithubImportResponse>('/v1/me/github', USERS[name].ref);
    expect(await me('ada')).toMatchObject({
      imported: true,
      login: 'ada-gh',
      days: [...FIRST_DAYS].reverse().map(day => ({ day, active: true })),
    });
    expect(await me('cy')).toMatchObject({
      imported: false,
      reason: 'not_opted_in',
      days: [],
    });
    expect(await me('dee')).toMatchObject({
      imported: false,
      reason: 'no_login',
      days: [],
    });

    const seats = await api<CopilotSeatsResponse>(
      '/v1/github/seats',
      USERS.bob.ref,
    );
    expect(seats).toMatchObject({
      seats: { total: 12, pendingInvitation: 2 },
      seatCostPerMonth: 19,
    });
    expect(JSON.stringify(seats)).not.toContain('seat-');
  });

  it('imports a day once published, through a 429 with Retry-After and an expired link', async () => {
    standIn.answerNext(/users-1-day\?day=/, {
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { message: 'API rate limit exceeded' },
    });
    standIn.expireNextLinks(1);
    const asked = standIn.requests.length;
    standIn.publish(LATE_DAY, linesOf(LATE_DAY));
    await untilImportedThrough(LATE_DAY);

    const late = standIn.requests.slice(asked);
    const shown = late
      .map(r => `${r.status} ${r.path.slice(0, 70)}`)
      .join('\n');
    // The 429 was waited out as GitHub asked before the next request of the API...
    const limited = late.findIndex(r => r.status === 429);
    const next = late.findIndex(
      (r, i) => i > limited && /users-1-day/.test(r.path),
    );
    expect({ limited: limited >= 0 && next > limited, shown }).toEqual({
      limited: true,
      shown,
    });
    expect(late[next].at - late[limited].at).toBeGreaterThanOrEqual(1000);
    // ...and the expired link was replaced by fresh links of the same day.
    const expired = late.findIndex(
      r => r.path.startsWith('/download/') && r.status === 403,
    );
    const day = late[expired]?.path.slice('/download/'.length, 20);
    expect({
      refreshed: late.some(
        (r, i) => i > expired && r.path.includes(`users-1-day?day=${day}`),
      ),
      shown,
    }).toEqual({ refreshed: true, shown });
    await checkImportedDays([LATE_DAY]);
  });

  it('shows admins a 401 with its reason, and goes on once GitHub takes the token again', async () => {
    standIn.answerNext(/copilot\/billing\/seats/, {
      status: 401,
      body: { message: 'Bad credentials' },
    });
    const failing = await waitFor('the 401 to show', 30_000, async () => {
      const s = await status();
      if (s.failing) return s;
      throw new Error('not failing yet');
    });
    expect(failing.lastError).toMatchObject({
      reason: 'credentials',
      status: 401,
      consecutiveFailures: 1,
    });
    await waitFor('the import to recover', 30_000, async () => {
      const s = await status();
      if (!s.failing && !s.lastError) return s;
      throw new Error('still failing');
    });
  });

  it('counts nothing twice when Prometheus is down and the backend is killed before it writes', async () => {
    await prometheus.stop();
    standIn.publish(KILL_DAY, linesOf(KILL_DAY));
    await waitFor('a run to fail on Prometheus', 30_000, async () => {
      const s = await status();
      if (s.lastError?.reason === 'prometheus' && s.lastRun?.finishedAt)
        return s;
      throw new Error(JSON.stringify(s.lastError));
    });
    await backend.kill();
    const unwritten = await withDatabase(db =>
      db('github_import_ledger').whereNull('written_at').select('day'),
    );
    expect(unwritten.map(r => r.day)).toEqual([KILL_DAY, KILL_DAY]);

    await prometheus.start();
    backend = await startBackend('backend-2');
    await waitFor('the kept day to be written', 60_000, async () => {
      const left = await withDatabase(db =>
        db('github_import_ledger').whereNull('written_at').count({ n: '*' }),
      );
      if (Number(left[0].n) === 0) return true;
      throw new Error(`${left[0].n} rows unwritten`);
    });
    await checkImportedDays([...FIRST_DAYS, LATE_DAY, KILL_DAY]);
    expect(
      await withDatabase(db => db('github_import_ledger').count({ n: '*' })),
    ).toEqual([{ n: 2 * 5 }]);
  });

  it('leaves nothing of the import after the erasure of an imported developer', async () => {
    await api('/v1/me/erasure', USERS.ada.ref, { method: 'POST' });
    const jobOf = async () =>
      (await api<{ jobs: ErasureJob[] }>('/v1/me/erasure', USERS.ada.ref))
        .jobs[0];
    // Prometheus deletes the import's back-dated (out-of-order) samples only once its next head
    // compaction has written them into a block: the job waits for that, without a failed
    // attempt. The test brings the compaction forward (it runs about every two hours) with an
    // in-order sample four hours ahead, which makes the head compactable at once.
    const waiting = await waitFor('the erasure to wait', 60_000, async () => {
      const job = await jobOf();
      if (
        job?.state === 'done' ||
        /head compaction/.test(job?.lastError ?? '')
      ) {
        return job;
      }
      throw new Error(JSON.stringify(job));
    });
    expect(waiting.state).toBe('retrying');
    expect(waiting.failedAttempts ?? 0).toBe(0);
    await new RemoteWriteClient(`${prometheus.url}/api/v1/write`).write([
      {
        labels: { __name__: 'fawkes_test_clock' },
        samples: [[Date.now() + 4 * 3_600_000, 1]],
      },
    ]);
    const done = await waitFor('the erasure to be done', 60_000, async () => {
      const job = await jobOf();
      if (job?.state === 'done') return job;
      throw new Error(JSON.stringify(job?.steps.find(st => st.lastError)));
    });
    expect(done.failedAttempts ?? 0).toBe(0);
    const ada = hashes.get('ada')!;
    const left = await prometheus.query(
      `count_over_time({user_hash="${ada}"}[40d])`,
      Date.now() / 1000,
    );
    expect(left).toEqual([]);
    const rows = await withDatabase(async db => ({
      ledger: await db('github_import_ledger')
        .where({ user_hash: ada })
        .count({ n: '*' }),
      totals: await db('github_counters')
        .where({ user_hash: ada })
        .count({ n: '*' }),
    }));
    expect(rows).toEqual({ ledger: [{ n: 0 }], totals: [{ n: 0 }] });
    expect(
      await api<MyGithubImportResponse>('/v1/me/github', USERS.ada.ref),
    ).toMatchObject({ imported: false, reason: 'not_opted_in', days: [] });
    // bob's import is as it was.
    for (const day of [...FIRST_DAYS, LATE_DAY, KILL_DAY]) {
      expect(await dayFigures(hashes.get('bob')!, day)).toEqual(
        expectedFigures(reports.get(day)!, 'bob-gh'),
      );
    }
  });
});
