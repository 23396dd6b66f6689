/**
 * Issue 5's "done when", on real processes: Prometheus (30 days of history backfilled with
 * promtool, then scraping the backend and the Pushgateway every second with the relabelling of
 * deploy/prometheus), the Pushgateway, and the backend as a child process with its own SQLite
 * database. Users with totals in the database, a legacy Pushgateway group and history are erased
 * one after the other: normally, with Prometheus down for a while, and with the backend killed
 * (SIGKILL) in the middle of the job and a new process finishing it. Each time, a query over the
 * retention finds nothing with the pseudonym, nothing comes back after three scrape intervals nor
 * after a Pushgateway restart, and every other user's series are exactly as they were.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  backfillPrometheus,
  BackendProcess,
  freePort,
  PrometheusProcess,
  PushgatewayProcess,
  sleep,
  waitFor,
} from '@fawkes/ai-telemetry-test-utils';
import {
  ErasureJob,
  METRICS,
  MY_DATA_CSV_COLUMNS,
  pseudonymize,
} from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { deployedScrapeConfig } from './__testUtils__/prometheusConfig';

jest.setTimeout(300_000);

const KEY = 'integration-pseudonym-key-0123456789';
const SCRAPE_SECONDS = 1;
const GRACE_SECONDS = 3;
const LEASE_SECONDS = 4;
const ADMIN = 'user:default/privacy.officer';
const [ADA, BOB, CY, DEE, EVE] = ['ada', 'bob', 'cy', 'dee', 'eve'].map(
  n => `user:default/${n}`,
);
/** Erased one by one; DEE and EVE keep everything. */
const ERASED = [ADA, BOB, CY];
const WITH_LEGACY_GROUP = [ADA, BOB, CY, DEE];
const HISTORY_DAYS = 30;

/** 30 days of hourly cumulative counters for each user, as OpenMetrics (docs/metric-contract.md). */
function history(hashes: string[], end: number): string {
  const step = 3600;
  const first = Math.floor(end / step) * step - HISTORY_DAYS * 86_400;
  const base = { job: 'ai-telemetry-backend', instance: 'backstage:7007' };
  const families: Array<{
    metric: string;
    family: string;
    type: string;
    series: Array<Record<string, string>>;
  }> = [
    {
      metric: METRICS.suggestions,
      family: 'ai_copilot_suggestions',
      type: 'counter',
      series: ['python', 'go'].flatMap(language =>
        ['true', 'false'].map(accepted => ({
          language,
          accepted,
          assistant: 'copilot',
        })),
      ),
    },
    {
      metric: METRICS.linesGenerated,
      family: METRICS.linesGenerated,
      type: 'unknown',
      series: [{ language: 'python', assistant: 'copilot' }],
    },
    {
      metric: METRICS.timeSaved,
      family: METRICS.timeSaved,
      type: 'unknown',
      series: [{ activity: 'code_completion', assistant: 'copilot' }],
    },
    {
      metric: METRICS.featureUsage,
      family: METRICS.featureUsage,
      type: 'unknown',
      series: [{ feature: 'chat', assistant: 'copilot' }],
    },
  ];
  const lines: string[] = [];
  for (const { metric, family, type, series } of families) {
    lines.push(`# TYPE ${family} ${type}`);
    hashes.forEach((userHash, u) => {
      series.forEach((labels, s) => {
        const text = Object.entries({ ...base, user_hash: userHash, ...labels })
          .map(([n, v]) => `${n}="${v}"`)
          .join(',');
        let value = 0;
        for (let t = first; t <= first + HISTORY_DAYS * 86_400; t += step) {
          value += (u + s + t / step) % 4;
          lines.push(`${metric}{${text}} ${value} ${t}`);
        }
      });
    });
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

describe('erasure on real Prometheus, Pushgateway and backend processes', () => {
  let dir: string;
  let prometheus: PrometheusProcess;
  let pushgateway: PushgatewayProcess;
  let backend: BackendProcess;
  let backendPort: number;
  const hashes = new Map<string, string>();
  const hashOf = (user: string) => hashes.get(user)!;
  const scrapeToken = mockCredentials.service.token({
    onBehalfOf: mockCredentials.service('prometheus-scrape'),
    targetPluginId: 'ai-telemetry',
  });
  const backendSettings = () => ({
    prometheus: { baseUrl: prometheus.url },
    pushgateway: { baseUrl: pushgateway.url },
    pseudonymKey: KEY,
    metrics: { newSeriesZeroSeconds: 2 },
    erasure: {
      workerIntervalSeconds: 1,
      scrapeGraceSeconds: GRACE_SECONDS,
      retryBaseSeconds: 1,
      retryMaxSeconds: 2,
      leaseSeconds: LEASE_SECONDS,
    },
  });

  /**
   * The backend in a child process, on a fixed port and a SQLite database in the test's folder,
   * so that a new process after a kill finds the same database at the same address.
   */
  const startBackend = (name: string) =>
    new BackendProcess({
      dir: join(dir, 'backend'),
      port: backendPort,
      name,
      entry: join(__dirname, '__testUtils__', 'backendProcess.ts'),
      readyPath: '/api/ai-telemetry/health',
      config: { aiTelemetry: backendSettings() },
    }).start();

  const api = (
    path: string,
    user: string,
    init: { method?: string; body?: unknown } = {},
  ) =>
    fetch(`${backend.url}/api/ai-telemetry${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${mockCredentials.user.token(user)}`,
        ...(init.body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  const scrapeBackend = async () =>
    (
      await fetch(`${backend.url}/api/ai-telemetry/v1/metrics`, {
        headers: { Authorization: `Bearer ${scrapeToken}` },
      })
    ).text();

  /** Every raw sample of the kept users up to `time`, by series: what erasure must not touch. */
  async function othersAt(time: number): Promise<Map<string, string>> {
    const others = [DEE, EVE].map(hashOf).join('|');
    const result = await prometheus.query(
      `{user_hash=~"${others}"}[${HISTORY_DAYS + 5}d]`,
      time,
    );
    return new Map(
      result.map(series => [
        JSON.stringify(series.metric),
        `${series.values!.length} samples, last ${
          series.values![series.values!.length - 1][1]
        }`,
      ]),
    );
  }

  /** Whether Prometheus holds anything with the pseudonym over the retention (and a margin). */
  async function leftIn(userHash: string): Promise<string[]> {
    const now = Math.ceil(Date.now() / 1000);
    const days = 100;
    const found: string[] = [];
    const raw = await prometheus.query(
      `{user_hash="${userHash}"}[${days}d]`,
      now,
    );
    found.push(...raw.map(s => `raw ${JSON.stringify(s.metric)}`));
    // Range queries at the default lookback (5 min) as step, so that no sample falls between
    // points, in windows that stay under the 11,000-point limit.
    for (let start = now - days * 86_400; start < now; start += 30 * 86_400) {
      const end = Math.min(now, start + 30 * 86_400);
      const ranged = await prometheus.rangeQuery(`{user_hash="${userHash}"}`, {
        start,
        end,
        step: 300,
      });
      found.push(...ranged.map(s => `range ${JSON.stringify(s.metric)}`));
    }
    return found;
  }

  async function jobOf(user: string): Promise<ErasureJob> {
    const res = await api('/v1/me/erasure', user);
    const body = (await res.json()) as { jobs: ErasureJob[] };
    return body.jobs[0];
  }

  const untilDone = (user: string) =>
    waitFor(`the erasure of ${user} to be done`, 120_000, async () => {
      const job = await jobOf(user);
      if (job?.state === 'done') return job;
      throw new Error(
        `the job is ${job?.state}; last error: ${job?.lastError}`,
      );
    });

  /** The verification every scenario ends with. */
  async function expectErased(
    user: string,
    othersBefore: Map<string, string>,
    t0: number,
  ) {
    const userHash = hashOf(user);
    expect(await leftIn(userHash)).toEqual([]);
    expect(await scrapeBackend()).not.toContain(userHash);

    await sleep(3 * SCRAPE_SECONDS * 1000 + 500);
    expect(await leftIn(userHash)).toEqual([]);

    await pushgateway.stop();
    await pushgateway.start();
    expect(
      (await pushgateway.groups()).filter(g => g.instance === userHash),
    ).toEqual([]);
    await sleep(3 * SCRAPE_SECONDS * 1000 + 500);
    expect(await leftIn(userHash)).toEqual([]);

    expect(await othersAt(t0)).toEqual(othersBefore);
  }

  let othersBefore: Map<string, string>;
  let t0: number;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-erasure-'));
    for (const user of [ADA, BOB, CY, DEE, EVE]) {
      hashes.set(user, await pseudonymize(user, KEY));
    }
    const pushgatewayPort = await freePort();
    backendPort = await freePort();
    await fs.writeFile(join(dir, 'scrape-token'), scrapeToken);
    pushgateway = new PushgatewayProcess({
      dir: join(dir, 'pushgateway'),
      port: pushgatewayPort,
    });
    prometheus = new PrometheusProcess({
      dir: join(dir, 'prometheus'),
      config: deployedScrapeConfig({
        scrapeIntervalSeconds: SCRAPE_SECONDS,
        pushgatewayPort,
        backendPort,
        scrapeTokenFile: join(dir, 'scrape-token'),
      }),
      retention: '90d',
      adminApi: true,
    });
    await fs.writeFile(
      join(dir, 'history.om'),
      history([...hashes.values()], Date.now() / 1000 - 7200),
    );
    await backfillPrometheus(prometheus.dataDir, [join(dir, 'history.om')]);

    await Promise.all([prometheus.start(), pushgateway.start()]);
    backend = await startBackend('backend-1');

    for (const user of hashes.keys()) {
      const res = await api('/v1/me/opt-in', user, {
        method: 'PUT',
        body: { enabled: true },
      });
      if (res.status !== 200) {
        throw new Error(`opt-in of ${user}: ${res.status} ${await res.text()}`);
      }
      const { token } = (await res.json()) as { token: string };
      const sent = await fetch(`${backend.url}/api/ai-telemetry/v1/events`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          batchId: 'first',
          events: [
            {
              kind: 'suggestion',
              language: 'python',
              accepted: true,
              lines: 5,
            },
            { kind: 'feature', feature: 'chat' },
          ],
        }),
      });
      if (sent.status !== 202) {
        throw new Error(
          `events of ${user}: ${sent.status} ${await sent.text()}`,
        );
      }
    }
    for (const user of WITH_LEGACY_GROUP) {
      await pushgateway.push(
        'ai_telemetry',
        hashOf(user),
        `${METRICS.suggestions}{language="python",accepted="true",assistant="copilot"} 3\n`,
      );
    }

    // Prometheus holds every user's history, live counters and (relabelled) legacy group.
    await waitFor('Prometheus to scrape every user', 60_000, async () => {
      for (const user of hashes.keys()) {
        const h = hashOf(user);
        const live = await prometheus.query(
          `${METRICS.featureUsage}{user_hash="${h}",instance="127.0.0.1:${backendPort}"}`,
        );
        const legacy = await prometheus.query(
          `{user_hash="${h}",job="ai_telemetry"}`,
        );
        const wanted = WITH_LEGACY_GROUP.includes(user) ? 3 : 0;
        if (live.length !== 1 || legacy.length !== wanted) return undefined;
      }
      return true;
    });
    // A moment safely behind every scrape in flight.
    await sleep(2000);
    t0 = Math.floor(Date.now() / 1000) - 1;
    othersBefore = await othersAt(t0);
  });

  afterAll(async () => {
    await backend?.stop();
    await prometheus?.stop();
    await pushgateway?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('holds, before any erasure, what each scenario must remove and what it must keep', async () => {
    // The kept users: 7 series of history and 4 live counters each, and DEE's legacy group
    // with the Pushgateway's push_time_seconds and push_failure_time_seconds.
    expect(othersBefore.size).toBe(2 * 7 + 2 * 4 + 3);
    for (const user of ERASED) {
      expect((await leftIn(hashOf(user))).length).toBeGreaterThan(10);
    }
    const served = await scrapeBackend();
    expect(served).toContain(`user_hash="${hashOf(ADA)}"`);
    expect(served).toContain('ai_telemetry_erasure_failures_total 0\n');

    // ADA's export covers the history and the live series, one CSV row per sample.
    const csv = await (await api('/v1/me/data?format=csv', ADA)).text();
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe(MY_DATA_CSV_COLUMNS.join(','));
    const prometheusRows = rows.filter(r => r.startsWith('prometheus,'));
    expect(prometheusRows.length).toBeGreaterThan(7 * (HISTORY_DAYS * 24 + 1));
    expect(prometheusRows.every(r => r.split(',')[2] === hashOf(ADA))).toBe(
      true,
    );
    expect(rows.filter(r => r.startsWith('database,'))).toHaveLength(4);
  });

  it('erases a user who asks: the database, the legacy group and 30 days of history', async () => {
    const res = await api('/v1/me/erasure', ADA, { method: 'POST' });
    expect(res.status).toBe(202);

    const job = await untilDone(ADA);

    expect(job.steps.map(s => [s.name, s.state, s.attempts])).toEqual(
      job.steps.map(s => [s.name, 'done', 1]),
    );
    expect(job.steps[2].detail).toBe(
      `deleted 1 Pushgateway group(s): {job="ai_telemetry",instance="${hashOf(
        ADA,
      )}"}`,
    );
    await expectErased(ADA, othersBefore, t0);
  });

  it('waits while Prometheus is down, retrying, and finishes once it is back', async () => {
    await prometheus.stop();
    const res = await api('/v1/admin/erasure', ADMIN, {
      method: 'POST',
      body: { userEntityRef: BOB, reason: 'request by mail' },
    });
    expect(res.status).toBe(202);

    const retrying = await waitFor('the job to retry', 60_000, async () => {
      const job = await jobOf(BOB);
      return job.state === 'retrying' && job.failedAttempts! >= 2
        ? job
        : undefined;
    });
    expect(retrying.lastError).toBe(
      `delete_prometheus_series: Prometheus at ${prometheus.url} is unreachable: ECONNREFUSED`,
    );
    expect(retrying.nextAttemptAt).toBeDefined();
    expect(retrying.steps.slice(0, 4).map(s => s.state)).toEqual(
      Array(4).fill('done'),
    );
    expect(await scrapeBackend()).toMatch(
      /\nai_telemetry_erasure_failures_total [2-9]\d*\n/,
    );

    await prometheus.start();
    const job = await untilDone(BOB);

    expect(job.requestedBy).toBe(ADMIN);
    expect(job.failedAttempts).toBeGreaterThanOrEqual(2);
    expect(job.steps[4].attempts).toBe(job.failedAttempts! + 1);
    await expectErased(BOB, othersBefore, t0);
  });

  it('lets a new backend process finish a job whose process was killed in the middle', async () => {
    const res = await api('/v1/me/erasure', CY, { method: 'POST' });
    expect(res.status).toBe(202);
    await waitFor('the job to reach the wait for scrapes', 30_000, async () => {
      const job = await jobOf(CY);
      return job.steps[3].state === 'running' ? true : undefined;
    });

    await backend.kill();
    // The dead process's hold on the job and on the worker task lapses after the lease.
    await sleep((LEASE_SECONDS + 1) * 1000);
    backend = await startBackend('backend-2');
    const job = await untilDone(CY);

    expect(job.steps.map(s => s.attempts)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    await expectErased(CY, othersBefore, t0);
  });
});
