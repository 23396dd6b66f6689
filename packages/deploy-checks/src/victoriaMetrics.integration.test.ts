import {
  freePort,
  PrometheusProcess,
  QueriedSeries,
  startHttpServer,
  TestHttpServer,
  VictoriaMetricsProcess,
  waitFor,
} from '@fawkes/ai-telemetry-test-utils';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployPath } from './paths';
import { readRemoteWrite, victoriaMetricsFlags } from './victoriaMetrics';

// Prometheus with the remote write of deploy/victoria-metrics, VictoriaMetrics with the flags of
// its manifest: both started for real, on free ports, each in a folder of its own.
jest.setTimeout(90_000);

const USER_A = 'a'.repeat(64);
const USER_B = 'b'.repeat(64);
const SUGGESTIONS = 'ai_copilot_suggestions_total';

/**
 * The flags the test changes, and why: its own port and folder, its own Prometheus for the rules
 * API, and no latency offset, so that a sample is readable at once rather than after 30 s.
 */
const TEST_OVERRIDES = [
  '-httpListenAddr',
  '-storageDataPath',
  '-vmalert.proxyURL',
  '-search.latencyOffset',
];

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok)
    throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

describe('VictoriaMetrics as the engine (deploy/victoria-metrics)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fawkes-vm-'));
  let target: TestHttpServer | undefined;
  let victoria: VictoriaMetricsProcess | undefined;
  let prometheus: PrometheusProcess | undefined;
  /** The users whose counters the stand-in metrics endpoint serves. */
  const served = new Set([USER_A, USER_B]);

  afterAll(async () => {
    await prometheus?.stop();
    await victoria?.stop();
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives Prometheus’s remote write, serves the rules, and deletes an erased user’s series', async () => {
    // A stand-in for the backend's metrics endpoint, in the metric contract.
    target = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(
        [`# TYPE ${SUGGESTIONS} counter`]
          .concat(
            [...served].map(
              user =>
                `${SUGGESTIONS}{user_hash="${user}",language="python",accepted="true",assistant="copilot"} 5`,
            ),
          )
          .join('\n')
          .concat('\n'),
      );
    });

    const shipped = victoriaMetricsFlags();
    for (const flag of ['-retentionPeriod', ...TEST_OVERRIDES]) {
      expect({ flag, set: shipped.has(flag) }).toEqual({ flag, set: true });
    }
    // Each needs the other's address before either starts.
    const [vmPort, promPort] = [await freePort(), await freePort()];
    const vmUrl = `http://127.0.0.1:${vmPort}`;
    const promUrl = `http://127.0.0.1:${promPort}`;
    victoria = new VictoriaMetricsProcess({
      dir: join(dir, 'victoria-metrics'),
      port: vmPort,
      flags: {
        ...Object.fromEntries(
          [...shipped].filter(([flag]) => !TEST_OVERRIDES.includes(flag)),
        ),
        '-vmalert.proxyURL': promUrl,
        '-search.latencyOffset': '0s',
      },
    });
    prometheus = new PrometheusProcess({
      dir: join(dir, 'prometheus'),
      port: promPort,
      config: {
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [deployPath('prometheus', 'rules', '*.yml')],
        scrape_configs: [
          {
            job_name: 'ai-telemetry-backend',
            static_configs: [{ targets: [`127.0.0.1:${target.port}`] }],
          },
        ],
        remote_write: readRemoteWrite().map(w => ({
          ...w,
          url: w.url.replace(/^http:\/\/[^/]+/, vmUrl),
        })),
      },
    });
    await Promise.all([victoria.start(), prometheus.start()]);
    const [vm, prom] = [victoria, prometheus];

    const logs = async () =>
      `--- VictoriaMetrics:\n${await vm.logTail()}\n--- Prometheus:\n${await prom.logTail()}`;
    /** Polls `check` until it returns a value, failing with `what` and the logs after 30 s. */
    const eventually = <T>(what: string, check: () => Promise<T | undefined>) =>
      waitFor(what, 30_000, check, { details: logs });
    const lastTenMinutes = (
      engine: PrometheusProcess | VictoriaMetricsProcess,
      query: string,
    ) => {
      const now = Math.floor(Date.now() / 1000);
      return engine.rangeQuery(query, {
        start: now - 600,
        end: now + 5,
        step: 1,
      });
    };
    const users = (series: QueriedSeries[]) =>
      series.map(s => s.metric.user_hash).sort();

    // Both users' counters, scraped by Prometheus, arrive in VictoriaMetrics, and so do the
    // recording rules' outputs that the dashboard reads.
    const arrived = await eventually(
      'both users’ series in VictoriaMetrics',
      async () => {
        const result = await vm.query(SUGGESTIONS);
        return result.length === 2 ? result : undefined;
      },
    );
    expect(users(arrived)).toEqual([USER_A, USER_B]);
    expect(arrived[0].metric).toMatchObject({
      job: 'ai-telemetry-backend',
      language: 'python',
      accepted: 'true',
      assistant: 'copilot',
    });
    const recorded = await eventually(
      'a recording rule’s output in VictoriaMetrics',
      async () => {
        const result = await vm.query('ai_telemetry:suggestions:increase1h');
        return result.length > 0 ? result : undefined;
      },
    );
    expect(recorded[0].metric).not.toHaveProperty('user_hash');

    // The dashboard's alerts panel reads the rules API: VictoriaMetrics passes it on.
    const rules = await getJson(`${vmUrl}/api/v1/rules`);
    const alertNames = rules.data.groups.flatMap((g: any) =>
      g.rules.map((r: any) => r.name),
    );
    expect(alertNames).toContain('LowCopilotAcceptanceRate');

    // Erasure, as the backend's job does it: the endpoint stops serving user A (step 2); once
    // Prometheus has sent A's staleness marker, nothing more of A is on its way; then delete.
    served.delete(USER_A);
    await eventually(
      'user A’s series going stale in VictoriaMetrics',
      async () => {
        const result = await vm.query(`${SUGGESTIONS}{user_hash="${USER_A}"}`);
        return result.length === 0 ? true : undefined;
      },
    );
    expect(users(await lastTenMinutes(vm, SUGGESTIONS))).toEqual([
      USER_A,
      USER_B,
    ]);

    const deleted = await fetch(`${vmUrl}/api/v1/admin/tsdb/delete_series`, {
      method: 'POST',
      body: new URLSearchParams({ 'match[]': `{user_hash="${USER_A}"}` }),
    });
    expect(deleted.status).toBe(204);
    // Prometheus's second step has no counterpart: VictoriaMetrics deletes at once, and says
    // so in words the backend's client recognises.
    const tombstones = await fetch(
      `${vmUrl}/api/v1/admin/tsdb/clean_tombstones`,
      { method: 'POST' },
    );
    expect(tombstones.status).toBe(400);
    expect(await tombstones.text()).toContain('unsupported path requested');

    // Verify as the erasure job does, over a range: A is gone, B is kept; the index forgets
    // A too.
    expect(users(await lastTenMinutes(vm, SUGGESTIONS))).toEqual([USER_B]);
    const series = await getJson(
      `${vmUrl}/api/v1/series?${new URLSearchParams({
        'match[]': `{user_hash="${USER_A}"}`,
        start: String(Math.floor(Date.now() / 1000) - 600),
      })}`,
    );
    expect(series.data).toEqual([]);

    // The caveat of remote write: Prometheus's own storage still holds A until its (short)
    // local retention drops it; deleting in VictoriaMetrics does not reach it.
    expect(users(await lastTenMinutes(prom, SUGGESTIONS))).toEqual([
      USER_A,
      USER_B,
    ]);
  });
});
