/**
 * Real processes for the erasure integration test: Prometheus (with history backfilled by
 * promtool), the Pushgateway, and the backend itself as a child process that can be killed.
 * Each listens on 127.0.0.1 on a port picked at random, with its data in the test's folder.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import { promises as fs } from 'fs';
import { join, resolve } from 'path';
import { promisify } from 'util';
import YAML from 'yaml';

import { freePort, sleep, waitFor } from '../../__testUtils__/waiting';

export { freePort, sleep, waitFor };

/** A long-running child process whose output goes to `<dir>/<name>.log`. */
class Daemon {
  private child?: ChildProcess;

  constructor(
    private readonly name: string,
    private readonly dir: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly options: {
      env?: NodeJS.ProcessEnv;
      cwd?: string;
      ready: () => Promise<boolean>;
      readyTimeoutMs: number;
    },
  ) {}

  async start(): Promise<void> {
    const log = await fs.open(join(this.dir, `${this.name}.log`), 'a');
    const child = spawn(this.command, this.args, {
      stdio: ['ignore', log.fd, log.fd],
      env: this.options.env ?? process.env,
      cwd: this.options.cwd,
    });
    this.child = child;
    await log.close();
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', code =>
        reject(
          new Error(
            `${this.name} exited with ${code}; see ${this.dir}/${this.name}.log`,
          ),
        ),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([
      exited,
      waitFor(
        `${this.name} to be ready`,
        this.options.readyTimeoutMs,
        async () =>
          (await this.options.ready().catch(() => false)) ? true : undefined,
      ),
    ]);
  }

  /** Stops the process: SIGTERM lets it shut down cleanly, SIGKILL does not. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise(r => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

const ok = (url: string) => async () => (await fetch(url)).ok;

/** Prometheus with the admin API on and a 90-day retention, as deployed. */
export class PrometheusProcess {
  private readonly daemon: Daemon;

  constructor(readonly port: number, dir: string) {
    this.daemon = new Daemon(
      'prometheus',
      dir,
      '/usr/bin/prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        '--storage.tsdb.retention.time=90d',
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-admin-api',
      ],
      { ready: ok(`${this.url}/-/ready`), readyTimeoutMs: 60_000 },
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start = () => this.daemon.start();
  stop = () => this.daemon.stop();

  private async api<T>(path: string, params: Record<string, string>) {
    const res = await fetch(`${this.url}/api/v1/${path}`, {
      method: 'POST',
      body: new URLSearchParams(params),
    });
    const body = (await res.json()) as {
      status: string;
      data: T;
      error?: string;
    };
    if (body.status !== 'success') {
      throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    }
    return body.data;
  }

  /** An instant query's result: a vector, or a matrix for a range selector. */
  async query(
    query: string,
    time?: number,
  ): Promise<
    Array<{
      metric: Record<string, string>;
      value?: [number, string];
      values?: Array<[number, string]>;
    }>
  > {
    const data = await this.api<{ result: never[] }>('query', {
      query,
      ...(time !== undefined && { time: String(time) }),
    });
    return data.result;
  }

  async rangeQuery(
    query: string,
    start: number,
    end: number,
    step: number,
  ): Promise<
    Array<{ metric: Record<string, string>; values: Array<[number, string]> }>
  > {
    const data = await this.api<{ result: never[] }>('query_range', {
      query,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    return data.result;
  }
}

/** The Pushgateway, always with its own persistence file. */
export class PushgatewayProcess {
  private readonly daemon: Daemon;

  constructor(readonly port: number, dir: string) {
    this.daemon = new Daemon(
      'pushgateway',
      dir,
      '/usr/bin/prometheus-pushgateway',
      [
        `--web.listen-address=127.0.0.1:${port}`,
        `--persistence.file=${join(dir, 'pushgateway.data')}`,
      ],
      { ready: ok(`${this.url}/-/ready`), readyTimeoutMs: 30_000 },
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start = () => this.daemon.start();
  stop = () => this.daemon.stop();

  /** The seed's legacy push: `PUT /metrics/job/<job>/instance/<hash>`. */
  async pushLegacy(job: string, instance: string, body: string) {
    const res = await fetch(
      `${this.url}/metrics/job/${job}/instance/${instance}`,
      {
        method: 'PUT',
        body,
      },
    );
    if (!res.ok) throw new Error(`push answered ${res.status}`);
  }

  /** The grouping labels of every group it holds. */
  async groups(): Promise<Array<Record<string, string>>> {
    const res = await fetch(`${this.url}/api/v1/metrics`);
    const body = (await res.json()) as {
      data: Array<{ labels: Record<string, string> }>;
    };
    return body.data.map(g => g.labels);
  }
}

/**
 * The backend with only this plugin, in a child process of its own (backendProcess.ts under
 * tsx), on a fixed port and a SQLite database in `dir`, so that a new process after a kill
 * finds the same database at the same address.
 */
export class BackendProcess {
  private readonly daemon: Daemon;

  constructor(
    readonly port: number,
    dir: string,
    aiTelemetry: Record<string, unknown>,
    name = 'backend',
  ) {
    const packageDir = resolve(__dirname, '../../..');
    const config = {
      backend: {
        baseUrl: this.url,
        listen: { port, host: '127.0.0.1' },
        database: {
          client: 'better-sqlite3',
          connection: { directory: join(dir, 'database') },
        },
      },
      aiTelemetry,
    };
    this.daemon = new Daemon(
      name,
      dir,
      process.execPath,
      ['--import', 'tsx', 'src/privacy/__testUtils__/backendProcess.ts'],
      {
        cwd: packageDir,
        // Not "test": the scheduler's janitor, which frees the tasks of a dead process, runs
        // only outside tests.
        env: {
          ...process.env,
          NODE_ENV: 'development',
          FAWKES_TEST_BACKEND_CONFIG: JSON.stringify(config),
        },
        ready: ok(`${this.url}/api/ai-telemetry/health`),
        readyTimeoutMs: 120_000,
      },
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start = () => this.daemon.start();
  stop = () => this.daemon.stop();
  kill = () => this.daemon.stop('SIGKILL');
}

/**
 * Prometheus's configuration: the pushgateway and ai-telemetry-backend scrape jobs of
 * deploy/prometheus/prometheus.yml as they are (honor_labels and the legacy relabelling
 * included), with this test's targets, scrape token and intervals, and no rules.
 */
export async function writePrometheusConfig(options: {
  dir: string;
  scrapeIntervalSeconds: number;
  pushgatewayPort: number;
  backendPort: number;
  scrapeTokenFile: string;
}): Promise<void> {
  const deployed = YAML.parse(
    await fs.readFile(
      resolve(__dirname, '../../../../../deploy/prometheus/prometheus.yml'),
      'utf8',
    ),
  );
  const job = (name: string) => {
    const found = deployed.scrape_configs.find(
      (c: { job_name: string }) => c.job_name === name,
    );
    if (!found)
      throw new Error(`deploy/prometheus/prometheus.yml has no job ${name}`);
    return found;
  };
  const interval = `${options.scrapeIntervalSeconds}s`;
  const config = {
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: interval,
    },
    scrape_configs: [
      {
        ...job('pushgateway'),
        static_configs: [{ targets: [`127.0.0.1:${options.pushgatewayPort}`] }],
      },
      {
        ...job('ai-telemetry-backend'),
        authorization: {
          type: 'Bearer',
          credentials_file: options.scrapeTokenFile,
        },
        static_configs: [{ targets: [`127.0.0.1:${options.backendPort}`] }],
      },
    ],
  };
  await fs.writeFile(
    join(options.dir, 'prometheus.yml'),
    YAML.stringify(config),
  );
}

/** Writes `openMetrics` into TSDB blocks in `<dir>/tsdb`, before Prometheus starts. */
export async function backfill(
  dir: string,
  openMetrics: string,
): Promise<void> {
  const input = join(dir, 'history.om');
  await fs.writeFile(input, openMetrics);
  await promisify(execFile)('/usr/bin/promtool', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--max-block-duration=720h',
    input,
    join(dir, 'tsdb'),
  ]);
}
