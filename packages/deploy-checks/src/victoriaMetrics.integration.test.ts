import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
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

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise(resolve => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

type Process = { child: ChildProcess; log: () => string };

function start(binary: string, args: string[]): Process {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-3000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', error => {
    output += `\n${binary} could not be started: ${error.message}`;
  });
  return { child, log: () => output };
}

async function stop(process?: Process): Promise<void> {
  const child = process?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Polls `check` until it returns a value, failing with `what` and the logs after `ms`. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  logs: () => string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(
    `${what} did not happen within ${ms} ms (${String(last ?? '')})\n${logs()}`,
  );
}

type Series = { metric: Record<string, string>; values?: unknown[] };

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok)
    throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

describe('VictoriaMetrics as the engine (deploy/victoria-metrics)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fawkes-vm-'));
  let target: Server | undefined;
  let victoria: Process | undefined;
  let prometheus: Process | undefined;
  /** The users whose counters the stand-in metrics endpoint serves. */
  const served = new Set([USER_A, USER_B]);

  afterAll(async () => {
    await stop(prometheus);
    await stop(victoria);
    target?.closeAllConnections();
    await new Promise(resolve => (target ? target.close(resolve) : resolve(0)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives Prometheus’s remote write, serves the rules, and deletes an erased user’s series', async () => {
    // A stand-in for the backend's metrics endpoint, in the metric contract.
    target = createHttpServer((_req, res) => {
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
    await new Promise<void>(resolve => target!.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as { port: number }).port;

    const [vmPort, promPort] = [await freePort(), await freePort()];
    const vmUrl = `http://127.0.0.1:${vmPort}`;
    const promUrl = `http://127.0.0.1:${promPort}`;
    const logs = () =>
      `--- VictoriaMetrics:\n${victoria?.log()}\n--- Prometheus:\n${prometheus?.log()}`;

    const shipped = victoriaMetricsFlags();
    for (const flag of ['-retentionPeriod', ...TEST_OVERRIDES]) {
      expect({ flag, set: shipped.has(flag) }).toEqual({ flag, set: true });
    }
    const args = [...shipped]
      .filter(([flag]) => !TEST_OVERRIDES.includes(flag))
      .map(([flag, value]) => `${flag}=${value}`)
      .concat([
        `-httpListenAddr=127.0.0.1:${vmPort}`,
        `-storageDataPath=${join(dir, 'victoria-metrics')}`,
        `-vmalert.proxyURL=${promUrl}`,
        '-search.latencyOffset=0s',
      ]);
    victoria = start('/usr/bin/victoria-metrics', args);

    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(
      configFile,
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [deployPath('prometheus', 'rules', '*.yml')],
        scrape_configs: [
          {
            job_name: 'ai-telemetry-backend',
            static_configs: [{ targets: [`127.0.0.1:${targetPort}`] }],
          },
        ],
        remote_write: readRemoteWrite().map(w => ({
          ...w,
          url: w.url.replace(/^http:\/\/[^/]+/, vmUrl),
        })),
      }),
    );
    prometheus = start('/usr/bin/prometheus', [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);

    const query = async (base: string, q: string): Promise<Series[]> => {
      if (base === vmUrl) await fetch(`${vmUrl}/internal/force_flush`);
      return (
        await getJson(
          `${base}/api/v1/query?${new URLSearchParams({ query: q })}`,
        )
      ).data.result;
    };
    const lastTenMinutes = async (
      base: string,
      q: string,
    ): Promise<Series[]> => {
      if (base === vmUrl) await fetch(`${vmUrl}/internal/force_flush`);
      const now = Math.floor(Date.now() / 1000);
      const params = new URLSearchParams({
        query: q,
        start: String(now - 600),
        end: String(now + 5),
        step: '1',
      });
      return (await getJson(`${base}/api/v1/query_range?${params}`)).data
        .result;
    };
    const users = (series: Series[]) =>
      series.map(s => s.metric.user_hash).sort();

    // Both users' counters, scraped by Prometheus, arrive in VictoriaMetrics, and so do the
    // recording rules' outputs that the dashboard reads.
    const arrived = await eventually(
      'both users’ series in VictoriaMetrics',
      async () => {
        const result = await query(vmUrl, SUGGESTIONS);
        return result.length === 2 ? result : undefined;
      },
      logs,
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
        const result = await query(
          vmUrl,
          'ai_telemetry:suggestions:increase1h',
        );
        return result.length > 0 ? result : undefined;
      },
      logs,
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
        const result = await query(
          vmUrl,
          `${SUGGESTIONS}{user_hash="${USER_A}"}`,
        );
        return result.length === 0 ? true : undefined;
      },
      logs,
    );
    expect(users(await lastTenMinutes(vmUrl, SUGGESTIONS))).toEqual([
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
    expect(users(await lastTenMinutes(vmUrl, SUGGESTIONS))).toEqual([USER_B]);
    const series = await getJson(
      `${vmUrl}/api/v1/series?${new URLSearchParams({
        'match[]': `{user_hash="${USER_A}"}`,
        start: String(Math.floor(Date.now() / 1000) - 600),
      })}`,
    );
    expect(series.data).toEqual([]);

    // The caveat of remote write: Prometheus's own storage still holds A until its (short)
    // local retention drops it; deleting in VictoriaMetrics does not reach it.
    expect(users(await lastTenMinutes(promUrl, SUGGESTIONS))).toEqual([
      USER_A,
      USER_B,
    ]);
  });
});
