/* eslint-disable no-console */
/**
 * The portal as production runs it, for the load and fault benchmarks: the production build of
 * scripts/prod.sh (`yarn build:backend`, unpacked with production dependencies only) started
 * with NODE_ENV=production, app-config.yaml + app-config.production.yaml + this folder's
 * app-config.bench.yaml, on PostgreSQL, scraped by Prometheus as deploy/prometheus configures
 * it (scripts/render-prometheus-config.sh), with the Pushgateway beside it. One backend
 * instance, or several behind a balancer (./balancer.ts) on one database.
 *
 * Every process is the benchmark's own, on 127.0.0.1, with its data under one run folder:
 *  - the demo organisation and its history (packages/telemetry-demo and promtool, with the
 *    recording rules backfilled: bench/benchData.ts) are made once per size into
 *    `<home>/demo-<users>u-<days>d-5m` and copied into each run, so that every run starts from
 *    the same Prometheus data and an empty database;
 *  - people sign in through Backstage's oauth2-proxy provider, the benchmark playing the proxy.
 */
import {
  HttpServerProcess,
  Launch,
  PostgresProcess,
  PrometheusProcess,
  PushgatewayProcess,
  runCommand,
  sleep,
  waitFor,
} from '@fawkes/ai-telemetry-test-utils';
import { randomBytes } from 'crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { join } from 'path';
import { DemoOrgFile, prepareDemoTsdb, readOrg, REPO_ROOT } from '../benchData';
import { Balancer } from './balancer';

/** The pseudonym key of the benchmark's demo history and backend (not the development key). */
export const BENCH_KEY = 'fawkes-benchmark-pseudonym-key-0123456789';
/** Where the build, the demo sets and the runs live. */
export const BENCH_HOME = join(REPO_ROOT, '.data', 'bench-production');
const OVERLAY = join(__dirname, 'app-config.bench.yaml');
const SCRAPE_INTERVAL = '5s';

/** A port from the environment, or the default. */
export function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${value} is not a port`);
  }
  return port;
}

export type StackPorts = {
  /** What clients use: the only instance, or the balancer. */
  public: number;
  /** One per backend instance (the first is `public` when there is one instance). */
  instances: number[];
  prometheus: number;
  pushgateway: number;
  postgres: number;
};

/** The default ports (3xxxx), each overridable: BENCH_PORT, BENCH_PROMETHEUS_PORT, … */
export function benchPorts(instances: number): StackPorts {
  const publicPort = envPort('BENCH_PORT', 37007);
  const first = envPort(
    'BENCH_INSTANCE_PORT',
    instances === 1 ? publicPort : 37017,
  );
  return {
    public: publicPort,
    instances: Array.from({ length: instances }, (_, i) => first + i),
    prometheus: envPort('BENCH_PROMETHEUS_PORT', 39090),
    pushgateway: envPort('BENCH_PUSHGATEWAY_PORT', 39091),
    postgres: envPort('BENCH_POSTGRES_PORT', 35432),
  };
}

/** The production build's workspace, built by scripts/prod.sh into BENCH_HOME when missing. */
export async function productionWorkspace(rebuild: boolean): Promise<string> {
  const workspace = join(BENCH_HOME, 'workspace');
  const entry = join(workspace, 'packages/backend/dist/index.cjs.js');
  // The unpacked files carry no build time (tar keeps the bundle's zero times): a stamp of ours.
  const stamp = join(BENCH_HOME, 'workspace.built');
  if (
    rebuild ||
    !existsSync(entry) ||
    !existsSync(join(workspace, 'node_modules'))
  ) {
    console.log(
      `build: PROD_DATA_DIR=${BENCH_HOME} scripts/prod.sh build (several minutes)`,
    );
    mkdirSync(BENCH_HOME, { recursive: true });
    await runCommand(join(REPO_ROOT, 'scripts/prod.sh'), ['build'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PROD_DATA_DIR: BENCH_HOME },
    });
    writeFileSync(stamp, new Date().toISOString());
  }
  const built = existsSync(stamp)
    ? readFileSync(stamp, 'utf8').trim()
    : 'at an unknown time';
  console.log(`build: ${workspace} (built ${built}; --build makes it again)`);
  return workspace;
}

export type DemoSet = {
  dir: string;
  /** The TSDB with the demo history and its recording rules (copied into each run). */
  tsdb: string;
  orgFile: string;
  org: DemoOrgFile;
  generatedAt: string;
};

/**
 * The demo organisation of `users` people and `days` of their history (a sample every 5
 * minutes, as scripts/demo-data.sh writes it) keyed with BENCH_KEY, with the recording rules
 * backfilled over it: a portal that has run for those days, whose organisation panels read the
 * rules (bench/benchData.ts's prepareDemoTsdb, which bench:queries uses too). Made again when
 * older than `maxAgeHours`, since the named ranges end now.
 */
export async function demoSet(options: {
  users: number;
  days: number;
  maxAgeHours: number;
}): Promise<DemoSet> {
  const home = join(BENCH_HOME, `demo-${options.users}u-${options.days}d-5m`);
  const readyFile = join(home, 'ready.json');
  if (existsSync(readyFile)) {
    const { end } = JSON.parse(readFileSync(readyFile, 'utf8'));
    const ageHours = (Date.now() / 1000 - end) / 3600;
    if (ageHours > options.maxAgeHours) {
      console.log(
        `data: ${home} ends ${ageHours.toFixed(1)} h ago; making it again`,
      );
      rmSync(home, { recursive: true, force: true });
    }
  }
  const started = Date.now();
  const set = await prepareDemoTsdb(
    {
      home,
      users: options.users,
      days: options.days,
      step: 300,
      end: Math.floor(Date.now() / 3_600_000) * 3600,
      key: BENCH_KEY,
      batchUsers: 1000,
    },
    message => console.log(message),
  );
  console.log(
    set.reused
      ? `data: ${home} (made ${set.generatedAt})`
      : `data: made in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return {
    dir: home,
    tsdb: set.dataDir,
    orgFile: set.orgFile,
    org: readOrg(set.orgFile),
    generatedAt: set.generatedAt,
  };
}

/** The process id of the live process whose environment holds `marker` (KEY=VALUE). */
function pidWithEnvironment(marker: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\0').includes(marker)) return Number(entry);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return undefined;
}

/** Resident memory of a process in bytes, from /proc; undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used (user and system), from /proc; undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // After the command name (in parentheses, which may hold spaces): utime and stime are the
    // 12th and 13th fields, in clock ticks (100 a second on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** What Prometheus has done so far, from its own /metrics: CPU, queries, time spent on them. */
export type PrometheusActivity = {
  cpuSeconds: number;
  /** Queries answered on /api/v1/query and /api/v1/query_range. */
  queries: number;
  /** Seconds its engine spent evaluating queries, and waiting for a free slot to. */
  evalSeconds: number;
  queueSeconds: number;
  engineQueries: number;
};

export async function prometheusActivity(
  url: string,
): Promise<PrometheusActivity> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const activity: PrometheusActivity = {
    cpuSeconds: 0,
    queries: 0,
    evalSeconds: 0,
    queueSeconds: 0,
    engineQueries: 0,
  };
  for (const line of text.split('\n')) {
    const value = Number(line.split(' ').pop());
    if (line.startsWith('process_cpu_seconds_total ')) {
      activity.cpuSeconds = value;
    } else if (
      /^prometheus_http_requests_total\{.*handler="\/api\/v1\/query(_range)?"/.test(
        line,
      )
    ) {
      activity.queries += value;
    } else if (
      line.startsWith(
        'prometheus_engine_query_duration_seconds_sum{slice="inner_eval"}',
      )
    ) {
      activity.evalSeconds = value;
    } else if (
      line.startsWith(
        'prometheus_engine_query_duration_seconds_sum{slice="queue_time"}',
      )
    ) {
      activity.queueSeconds = value;
    } else if (
      line.startsWith(
        'prometheus_engine_query_duration_seconds_count{slice="queue_time"}',
      )
    ) {
      activity.engineQueries = value;
    }
  }
  return activity;
}

export type BackendInstanceOptions = {
  dir: string;
  port: number;
  name: string;
  workspace: string;
  /** Environment of the config files: ports, database, upstreams, secrets. */
  env: Record<string, string>;
};

/** One backend instance of the production build: `node packages/backend`, NODE_ENV=production. */
export class BackendInstance extends HttpServerProcess {
  // Backstage's own readiness: 200 once every plugin has started (the plugin's health answers
  // earlier, while other plugins still start).
  protected readonly readyPath = '/.backstage/health/v1/readiness';
  private readonly marker: string;
  private cachedPid?: number;

  constructor(private readonly options: BackendInstanceOptions) {
    super(
      options.name,
      { dir: options.dir, port: options.port },
      {
        readyTimeoutMs: 300_000,
      },
    );
    this.marker = `FAWKES_BENCH_INSTANCE=${options.name}-${options.port}`;
  }

  protected launch(port: number): Launch {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.options.env,
      NODE_ENV: 'production',
      BENCH_INSTANCE_PORT: String(port),
    };
    // What tsx or yarn may have set for the benchmark's own process is not the backend's.
    delete env.NODE_OPTIONS;
    const [key, value] = this.marker.split('=');
    env[key] = value;
    const configs = [
      join(REPO_ROOT, 'app-config.yaml'),
      join(REPO_ROOT, 'app-config.production.yaml'),
      OVERLAY,
    ];
    return {
      command: process.execPath,
      args: [
        'packages/backend',
        ...configs.flatMap(file => ['--config', file]),
      ],
      cwd: this.options.workspace,
      env,
    };
  }

  /** The running process's id (found by its environment), for memory samples. */
  get pid(): number | undefined {
    if (
      this.cachedPid !== undefined &&
      rssBytes(this.cachedPid) !== undefined
    ) {
      return this.cachedPid;
    }
    this.cachedPid = this.running ? pidWithEnvironment(this.marker) : undefined;
    return this.cachedPid;
  }

  async start(): Promise<this> {
    this.cachedPid = undefined;
    return super.start();
  }
}

export type ProductionStack = {
  url: string;
  api: string;
  ports: StackPorts;
  org: DemoOrgFile;
  scrapeToken: string;
  prometheus: PrometheusProcess;
  pushgateway: PushgatewayProcess;
  postgres: PostgresProcess;
  instances: BackendInstance[];
  balancer?: Balancer;
  runDir: string;
  stop(): Promise<void>;
};

/**
 * Starts PostgreSQL, the Pushgateway, Prometheus (on a copy of the demo set's history) and the
 * backend instances, waits until the catalog has the organisation (a sign-in works), and answers
 * the stack. `stop()` stops everything it started.
 */
export async function startProductionStack(options: {
  name: string;
  workspace: string;
  demo: DemoSet;
  instances: number;
}): Promise<ProductionStack> {
  const ports = benchPorts(options.instances);
  const runDir = join(BENCH_HOME, `run-${options.name}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const secret = () => randomBytes(32).toString('hex');
  const scrapeToken = secret();
  const tokenFile = join(runDir, 'scrape-token');
  writeFileSync(tokenFile, scrapeToken, { mode: 0o600 });

  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop().catch(() => {});
  };
  try {
    const postgres = new PostgresProcess({
      dir: join(runDir, 'postgres'),
      port: ports.postgres,
    });
    await postgres.start();
    started.push(postgres);

    const pushgateway = new PushgatewayProcess({
      dir: join(runDir, 'pushgateway'),
      port: ports.pushgateway,
    });
    await pushgateway.start();
    started.push(pushgateway);

    let balancer: Balancer | undefined;
    if (options.instances > 1) {
      balancer = await new Balancer(ports.instances).listen(ports.public);
      started.push(balancer);
    }

    // deploy/prometheus/prometheus.yml as scripts/stack.sh renders it, scraping `public`.
    const configFile = join(runDir, 'prometheus.yml');
    await runCommand(
      join(REPO_ROOT, 'scripts/render-prometheus-config.sh'),
      [configFile, tokenFile],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          FAWKES_DATA_DIR: runDir,
          PROMETHEUS_PORT: String(ports.prometheus),
          PUSHGATEWAY_PORT: String(ports.pushgateway),
          BACKEND_PORT: String(ports.public),
          SCRAPE_INTERVAL,
        },
      },
    );
    const tsdb = join(runDir, 'prometheus', 'data');
    cpSync(options.demo.tsdb, tsdb, { recursive: true });
    const prometheus = new PrometheusProcess({
      dir: join(runDir, 'prometheus'),
      port: ports.prometheus,
      dataDir: tsdb,
      config: readFileSync(configFile, 'utf8'),
      retention: '90d',
      adminApi: true,
    });
    await prometheus.start();
    started.push(prometheus);

    const env = {
      BENCH_PORT: String(ports.public),
      BENCH_ORG_FILE: options.demo.orgFile,
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(ports.postgres),
      POSTGRES_USER: 'postgres',
      AI_TELEMETRY_PROMETHEUS_URL: prometheus.url,
      AI_TELEMETRY_PUSHGATEWAY_URL: pushgateway.url,
      AI_TELEMETRY_PSEUDONYM_KEY: BENCH_KEY,
      AI_TELEMETRY_SCRAPE_TOKEN: scrapeToken,
      AI_TELEMETRY_REPORT_TOKEN: secret(),
    };
    const instances = ports.instances.map(
      (port, i) =>
        new BackendInstance({
          dir: join(runDir, 'backend'),
          name: `backend-${i + 1}`,
          port,
          workspace: options.workspace,
          env,
        }),
    );
    // One at a time: the first runs the migrations, and two start-ups at once on two shared
    // cores only take longer.
    for (const instance of instances) {
      const t = Date.now();
      await instance.start();
      started.push(instance);
      console.log(
        `stack: ${instance.name} (NODE_ENV=production) answers on ${
          instance.url
        } after ${((Date.now() - t) / 1000).toFixed(0)} s`,
      );
    }
    // 127.0.0.1: the backend listens there only (localhost may resolve to ::1 first).
    const url = `http://127.0.0.1:${ports.public}`;
    const someone = options.demo.org.users.find(u => u.name !== 'guest')!;
    await waitFor('the catalog to hold the organisation', 180_000, async () =>
      (await signIn(url, someone.name).catch(() => undefined))
        ? true
        : undefined,
    );
    return {
      url,
      api: `${url}/api/ai-telemetry`,
      ports,
      org: options.demo.org,
      scrapeToken,
      prometheus,
      pushgateway,
      postgres,
      instances,
      balancer,
      runDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A person's Backstage token, as the app gets it behind oauth2-proxy: the proxy has signed
 * them in and forwards their user name; the backend resolves it to their catalog User.
 */
export async function signIn(url: string, userName: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/oauth2Proxy/refresh`, {
    headers: { 'x-forwarded-user': userName },
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(
      `sign-in of ${userName} answered ${res.status}: ${text.slice(0, 300)}`,
    );
  }
  const token = JSON.parse(text)?.backstageIdentity?.token;
  if (typeof token !== 'string') {
    throw new Error(
      `sign-in of ${userName} gave no Backstage token: ${text.slice(0, 300)}`,
    );
  }
  return token;
}

export type SignedInPerson = {
  name: string;
  ref: string;
  /** Their first group (their team). */
  team: string;
  backstageToken: string;
  /** From their opt-in. */
  telemetryToken: string;
  userHash: string;
};

/**
 * Signs everyone in and opts them in from the portal (PUT /v1/me/opt-in), `concurrency` at a
 * time, as each would from the settings tab.
 */
export async function signInAndOptIn(
  stack: ProductionStack,
  names: string[],
  concurrency = 4,
): Promise<SignedInPerson[]> {
  const byName = new Map(stack.org.users.map(u => [u.name, u]));
  const queue = [...names];
  const people: SignedInPerson[] = [];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      // The catalog takes in the organisation a while after the first user resolves.
      let lastError: unknown;
      const backstageToken = await waitFor(
        `${name} to be in the catalog`,
        180_000,
        () =>
          signIn(stack.url, name).catch(error => {
            lastError = error;
            return undefined;
          }),
      ).catch(error => {
        throw lastError ?? error;
      });
      const res = await fetch(`${stack.api}/v1/me/opt-in`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${backstageToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ enabled: true }),
      });
      const text = await res.text();
      if (res.status !== 200) {
        throw new Error(
          `opt-in of ${name} answered ${res.status}: ${text.slice(0, 300)}`,
        );
      }
      const body = JSON.parse(text) as { token: string; userHash: string };
      people.push({
        name,
        ref: `user:default/${name}`,
        team: byName.get(name)?.memberOf[0] ?? '',
        backstageToken,
        telemetryToken: body.token,
        userHash: body.userHash,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const order = new Map(names.map((n, i) => [n, i]));
  return people.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
}

/** Samples a process's resident memory every `intervalMs` while it runs. */
export class MemorySampler {
  readonly samples: Array<{ at: number; bytes: number }> = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: () => number | undefined) {}

  start(intervalMs = 1000): this {
    const sample = () => {
      const pid = this.pid();
      const bytes = pid === undefined ? undefined : rssBytes(pid);
      if (bytes !== undefined) this.samples.push({ at: Date.now(), bytes });
    };
    sample();
    this.timer = setInterval(sample, intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  summary():
    | { start: number; median: number; max: number; end: number }
    | undefined {
    if (this.samples.length === 0) return undefined;
    const bytes = this.samples.map(s => s.bytes);
    const sorted = [...bytes].sort((a, b) => a - b);
    return {
      start: bytes[0],
      median: sorted[Math.floor(sorted.length / 2)],
      max: sorted[sorted.length - 1],
      end: bytes[bytes.length - 1],
    };
  }
}

/** Waits until every backend instance answers its health route again. */
export async function waitHealthy(instance: BackendInstance): Promise<void> {
  await waitFor(`${instance.name} to answer`, 300_000, async () =>
    (
      await fetch(`${instance.url}/api/ai-telemetry/health`).catch(
        () => undefined,
      )
    )?.ok
      ? true
      : undefined,
  );
}

export { sleep };
