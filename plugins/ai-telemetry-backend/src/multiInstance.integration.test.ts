/**
 * Issue 13, "more than one instance, as production runs it", on real processes: two backend
 * processes of the plugin on one PostgreSQL, Prometheus (admin API on) and the Pushgateway.
 * Prometheus scrapes the backends as production does (deploy/prometheus/prometheus.yml): one
 * target, the address of the Kubernetes Service `backstage`, here a balancer that hands each
 * request to the next instance in turn (docs/operations.md#more-than-one-instance). Each backend
 * reaches Prometheus through a gate of its own, which can hold its `delete_series` calls.
 *
 * 1. Developers opt in and send events to either instance (a retried batch to the other one),
 *    and a cumulative OTLP stream exports to one and then the other: both instances serve the
 *    same metrics, and Prometheus, whose scrapes both answered, holds every total exactly
 *    once, under one `instance`, never lower than before; a dashboard's sum counts each once.
 * 2. The plugin's global tasks (started at once, without their initial delay, by Backstage's own
 *    scheduler) run once across the two instances: at start-up, and when triggered on both
 *    at the same moment, each run is logged by one instance only, and the batch ids it prunes
 *    are pruned by exactly one run.
 * 3. An erasure job runs on whichever instance claims it; that instance is killed (SIGKILL)
 *    while Prometheus's delete API holds its call, and the other instance takes the job over
 *    once the lease has run out, not before, and finishes it: the developer's series are gone
 *    from Prometheus and the Pushgateway, their rows from the database, and the audit log tells
 *    each step and the end once.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  BackendProcess,
  freePort,
  PostgresProcess,
  PrometheusProcess,
  PushgatewayProcess,
  sleep,
  waitFor,
} from '@fawkes/ai-telemetry-test-utils';
import {
  ERASURE_STEPS,
  ErasureJob,
  METRICS,
  OTLP_METRICS,
  pseudonymize,
} from '@fawkes/plugin-ai-telemetry-common';
import { promises as fs } from 'fs';
import {
  createServer,
  IncomingMessage,
  request,
  Server,
  ServerResponse,
} from 'http';
import knexFactory, { Knex } from 'knex';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { deployedScrapeConfig } from './privacy/__testUtils__/prometheusConfig';

jest.setTimeout(180_000);

const KEY = 'multi-instance-pseudonym-key-0123456789';
const LEASE_SECONDS = 5;
const ROUNDS = 4;
const [ADA, BOB, CY] = ['ada', 'bob', 'cy'].map(n => `user:default/${n}`);
const USERS = [ADA, BOB, CY];
const INSTANCES = ['a', 'b'] as const;
type InstanceName = (typeof INSTANCES)[number];

/**
 * An HTTP server in front of others: `route` names the port each request goes to, `'hold'`
 * to keep it unanswered (until {@link HttpStandIn.dropHeld}), or undefined to answer 503.
 */
class HttpStandIn {
  port = 0;
  private server?: Server;
  private readonly held = new Set<ServerResponse>();

  constructor(
    private readonly route: (req: IncomingMessage) => number | 'hold' | void,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>(resolve =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const target = this.route(req);
    if (target === 'hold') {
      this.held.add(res);
      return;
    }
    if (target === undefined) {
      res.writeHead(503).end('no instance');
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  /** Cuts the held requests' connections. */
  dropHeld() {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.dropHeld();
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
}

/** Fails with the first error of settled work, if any. */
function throwFirstError(results: PromiseSettledResult<unknown>[]) {
  const failed = results.find(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (failed) throw failed.reason;
}

/**
 * Waits for every start to settle, then fails with the first error. (`Promise.all` fails at
 * the first error and leaves the other starts under way: a process whose start then succeeded
 * would be one the teardown, run at once, never stops.)
 */
async function startAll(starts: Promise<unknown>[]) {
  throwFirstError(await Promise.allSettled(starts));
}

/** `metric|labels` with the labels sorted, job and instance left out. */
function seriesKey(labels: Record<string, string>): string {
  const rest = Object.keys(labels)
    .filter(name => !['__name__', 'job', 'instance'].includes(name))
    .sort()
    .map(name => `${name}=${labels[name]}`)
    .join(',');
  return `${labels.__name__}|${rest}`;
}

/** The samples of an exposition as `metric{labels}` → value, contract series only. */
function contractSamples(exposition: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    const match = /^(ai_copilot_\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = { __name__: match[1] };
    for (const [, name, value] of match[2].matchAll(/(\w+)="([^"]*)"/g)) {
      labels[name] = value;
    }
    samples.set(seriesKey(labels), Number(match[3]));
  }
  return samples;
}

const sorted = (m: Map<string, number>) =>
  [...m.entries()].map(([key, value]) => `${key} ${value}`).sort();

describe('two backend instances on one database, as production runs them', () => {
  let dir: string;
  let postgresDir: string;
  let postgres: PostgresProcess;
  let prometheus: PrometheusProcess;
  let pushgateway: PushgatewayProcess;
  let db: Knex;
  const backends = {} as Record<InstanceName, BackendProcess>;
  const alive = new Set<InstanceName>();
  const hashes = new Map<string, string>();
  const hashOf = (user: string) => hashes.get(user)!;
  const tokens = new Map<string, string>();
  const scrapeToken = mockCredentials.service.token({
    onBehalfOf: mockCredentials.service('prometheus-scrape'),
    targetPluginId: 'ai-telemetry',
  });

  /** The Service: each scrape goes to the next live instance. */
  const scrapesServed: Record<InstanceName, number> = { a: 0, b: 0 };
  let turn = 0;
  const service = new HttpStandIn(() => {
    const live = INSTANCES.filter(name => alive.has(name));
    if (live.length === 0) return undefined;
    const name = live[turn++ % live.length];
    scrapesServed[name] += 1;
    return backends[name].port;
  });

  /** Each instance's way to Prometheus; `delete_series` is held while `holdDeletes`. */
  let prometheusPort: number;
  let holdDeletes = false;
  const adminCalls: Array<{
    instance: InstanceName;
    action: string;
    at: number;
    held: boolean;
  }> = [];
  const gates = Object.fromEntries(
    INSTANCES.map(instance => [
      instance,
      new HttpStandIn(req => {
        const action = /^\/api\/v1\/admin\/tsdb\/(\w+)/.exec(req.url ?? '');
        if (action) {
          const held = holdDeletes && action[1] === 'delete_series';
          adminCalls.push({
            instance,
            action: action[1],
            at: Date.now(),
            held,
          });
          if (held) return 'hold';
        }
        return prometheusPort;
      }),
    ]),
  ) as Record<InstanceName, HttpStandIn>;

  const backendProcess = (instance: InstanceName) =>
    new BackendProcess({
      dir: join(dir, `backend-${instance}`),
      name: `backend-${instance}`,
      entry: join(__dirname, 'privacy', '__testUtils__', 'backendProcess.ts'),
      readyPath: '/api/ai-telemetry/health',
      config: {
        backend: {
          database: {
            client: 'pg',
            connection: {
              host: '127.0.0.1',
              port: postgres.port,
              user: 'postgres',
            },
          },
        },
        aiTelemetry: {
          prometheus: { baseUrl: gates[instance].url },
          pushgateway: { baseUrl: pushgateway.url },
          pseudonymKey: KEY,
          metrics: { newSeriesZeroSeconds: 2 },
          erasure: {
            workerIntervalSeconds: 1,
            scrapeGraceSeconds: 2,
            retryBaseSeconds: 1,
            retryMaxSeconds: 2,
            leaseSeconds: LEASE_SECONDS,
          },
        },
        fawkesTest: { startTasksAtOnce: true },
      },
    });

  const api = (
    instance: InstanceName,
    path: string,
    init: { method?: string; body?: unknown; token?: string } = {},
  ) =>
    fetch(`${backends[instance].url}/api/ai-telemetry${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${init.token ?? scrapeToken}`,
        ...(init.body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const asUser = (user: string) => mockCredentials.user.token(user);

  const scrape = async (instance: InstanceName) => {
    const res = await api(instance, '/v1/metrics');
    expect(res.status).toBe(200);
    return res.text();
  };

  /** Every line of both instances' logs that matches `pattern`, with the instance that wrote it. */
  async function logged(pattern: RegExp): Promise<string[]> {
    const found: string[] = [];
    for (const instance of INSTANCES) {
      const text = await fs.readFile(backends[instance].logFile, 'utf8');
      for (const line of text.split('\n')) {
        const match = pattern.exec(line);
        if (match) found.push(`${instance}: ${match[0]}`);
      }
    }
    return found;
  }

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-multi-'));
    // A folder of its own: a root test runs PostgreSQL as `postgres`, who cannot enter `dir`.
    postgresDir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-multi-pg-'));
    for (const user of USERS) {
      hashes.set(user, await pseudonymize(user, KEY));
    }
    prometheusPort = await freePort();
    await startAll([service.start(), ...INSTANCES.map(i => gates[i].start())]);
    await fs.writeFile(join(dir, 'scrape-token'), scrapeToken);
    const pushgatewayPort = await freePort();
    pushgateway = new PushgatewayProcess({
      dir: join(dir, 'pushgateway'),
      port: pushgatewayPort,
    });
    prometheus = new PrometheusProcess({
      dir: join(dir, 'prometheus'),
      port: prometheusPort,
      config: deployedScrapeConfig({
        scrapeIntervalSeconds: 1,
        pushgatewayPort,
        backendPort: service.port,
        scrapeTokenFile: join(dir, 'scrape-token'),
      }),
      retention: '90d',
      adminApi: true,
    });
    postgres = new PostgresProcess({ dir: postgresDir });
    await startAll([postgres.start(), prometheus.start(), pushgateway.start()]);

    // Both instances start at the same time on a database nobody has used yet. They are known
    // before they start, so that the teardown stops the one that started when the other fails.
    for (const instance of INSTANCES) {
      backends[instance] = backendProcess(instance);
    }
    await startAll(INSTANCES.map(i => backends[i].start()));
    INSTANCES.forEach(instance => alive.add(instance));
    db = knexFactory({
      client: 'pg',
      connection: {
        host: '127.0.0.1',
        port: postgres.port,
        user: 'postgres',
        database: 'backstage_plugin_ai-telemetry',
      },
    });
  });

  // Whatever beforeAll got to, each step whether or not the one before failed: stopping a
  // process that does not run does nothing.
  afterAll(async () => {
    const stopped = [
      ...(await Promise.allSettled([
        db?.destroy(),
        ...INSTANCES.map(i => backends[i]?.stop()),
      ])),
      ...(await Promise.allSettled([
        prometheus?.stop(),
        pushgateway?.stop(),
        postgres?.stop(),
      ])),
      ...(await Promise.allSettled([
        service.stop(),
        ...INSTANCES.map(i => gates[i].stop()),
      ])),
    ];
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(postgresDir, { recursive: true, force: true });
    throwFirstError(stopped);
  });

  /** What the contract series must hold, by seriesKey. */
  const expected = new Map<string, number>();
  const add = (labels: Record<string, string>, value: number) => {
    const key = seriesKey(labels);
    expected.set(key, (expected.get(key) ?? 0) + value);
  };
  let runStart: number;

  it('serves the same totals from either instance, and Prometheus holds each once', async () => {
    runStart = Math.floor(Date.now() / 1000) - 2;
    // Opt-ins, alternately on each instance; a legacy group for two of them.
    for (const [u, user] of USERS.entries()) {
      const res = await api(INSTANCES[u % 2], '/v1/me/opt-in', {
        method: 'PUT',
        body: { enabled: true },
        token: asUser(user),
      });
      expect(res.status).toBe(200);
      tokens.set(user, ((await res.json()) as { token: string }).token);
    }
    for (const user of [BOB, CY]) {
      await pushgateway.push(
        'ai_telemetry',
        hashOf(user),
        `${METRICS.suggestions}{language="python",accepted="true",assistant="copilot"} 3\n`,
      );
    }

    const send = (instance: InstanceName, user: string, round: number) =>
      fetch(`${backends[instance].url}/api/ai-telemetry/v1/events`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${tokens.get(user)}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          batchId: `${user.split('/')[1]}-${round}`,
          events: [
            {
              kind: 'suggestion',
              language: 'python',
              accepted: true,
              lines: round + 1,
              assistant: 'copilot',
            },
            {
              kind: 'suggestion',
              language: 'go',
              accepted: false,
              assistant: 'copilot',
            },
            { kind: 'feature', feature: 'chat', assistant: 'copilot' },
          ],
        }),
      });
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(
        USERS.map((user, u) => send(INSTANCES[(u + round) % 2], user, round)),
      );
      for (const res of answers) {
        expect(await res.json()).toEqual({ accepted: 3, duplicate: false });
      }
      for (const user of USERS) {
        const user_hash = hashOf(user);
        const copilot = { user_hash, assistant: 'copilot' };
        add(
          {
            __name__: METRICS.suggestions,
            ...copilot,
            language: 'python',
            accepted: 'true',
          },
          1,
        );
        add(
          {
            __name__: METRICS.suggestions,
            ...copilot,
            language: 'go',
            accepted: 'false',
          },
          1,
        );
        add(
          { __name__: METRICS.linesGenerated, ...copilot, language: 'python' },
          round + 1,
        );
        add(
          {
            __name__: METRICS.timeSaved,
            ...copilot,
            activity: 'code_completion',
          },
          (round + 1) * 12,
        );
        add({ __name__: METRICS.featureUsage, ...copilot, feature: 'chat' }, 1);
      }
    }
    // A batch whose answer was lost, sent again to the other instance, counts once.
    const retried = await send('b', ADA, 0);
    expect(await retried.json()).toEqual({ accepted: 3, duplicate: true });

    // Gemini CLI's cumulative token stream exports to one instance, then to the other, and
    // that export is retried on the first: the stream's state is shared, so 250 tokens count.
    const start = Math.floor(Date.now() / 1000) - 60;
    const otlp = (instance: InstanceName, end: number, tokenCount: number) =>
      fetch(`${backends[instance].url}/api/ai-telemetry/otlp/v1/metrics`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${tokens.get(ADA)}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          resourceMetrics: [
            {
              resource: {
                attributes: [
                  { key: 'service.name', value: { stringValue: 'gemini-cli' } },
                ],
              },
              scopeMetrics: [
                {
                  scope: { name: 'gemini-cli', version: '0.9.0' },
                  metrics: [
                    {
                      name: 'gemini_cli.token.usage',
                      unit: 'token',
                      sum: {
                        aggregationTemporality: 2,
                        isMonotonic: true,
                        dataPoints: [
                          {
                            attributes: [
                              {
                                key: 'model',
                                value: { stringValue: 'gemini-2.5-pro' },
                              },
                              { key: 'type', value: { stringValue: 'input' } },
                            ],
                            startTimeUnixNano: `${start}000000000`,
                            timeUnixNano: `${end}000000000`,
                            asInt: String(tokenCount),
                          },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
    for (const [instance, end, tokenCount] of [
      ['a', start + 10, 100],
      ['b', start + 20, 250],
      ['a', start + 20, 250],
    ] as const) {
      const res = await otlp(instance, end, tokenCount);
      expect({ instance, status: res.status, body: await res.json() }).toEqual({
        instance,
        status: 200,
        body: {},
      });
    }
    add(
      {
        __name__: OTLP_METRICS.tokens,
        user_hash: hashOf(ADA),
        assistant: 'gemini-cli',
        model: 'gemini-2.5-pro',
        type: 'input',
      },
      250,
    );

    // Past the hold of new series at 0, either instance serves exactly the expected totals,
    // and the very same exposition.
    await waitFor('instance a to serve every total', 30_000, async () =>
      sorted(contractSamples(await scrape('a'))).join('\n') ===
      sorted(expected).join('\n')
        ? true
        : undefined,
    ).catch(() => undefined);
    const [fromA, fromB] = await Promise.all([scrape('a'), scrape('b')]);
    expect(sorted(contractSamples(fromA))).toEqual(sorted(expected));
    expect(fromB.split('\n').sort()).toEqual(fromA.split('\n').sort());
    expect(fromA).toContain(
      `\nai_telemetry_events_ingested_total ${USERS.length * ROUNDS * 3}\n`,
    );

    // Prometheus, whose scrapes of the one target both instances answered, holds each total
    // once, exactly.
    const backendSeries =
      '{__name__=~"ai_copilot_.+",job="ai-telemetry-backend"}';
    let held = new Map<string, number>();
    await waitFor('Prometheus to hold every total', 30_000, async () => {
      held = new Map(
        (await prometheus.query(backendSeries)).map(s => [
          seriesKey(s.metric),
          Number(s.value![1]),
        ]),
      );
      return sorted(held).join('\n') === sorted(expected).join('\n')
        ? true
        : undefined;
    }).catch(() => undefined);
    expect(sorted(held)).toEqual(sorted(expected));
    const ingested = await prometheus.query(
      'ai_telemetry_events_ingested_total',
    );
    expect(ingested.map(s => Number(s.value![1]))).toEqual([
      USERS.length * ROUNDS * 3,
    ]);
    await waitFor('each instance to answer a few scrapes', 15_000, async () =>
      scrapesServed.a >= 3 && scrapesServed.b >= 3 ? true : undefined,
    );
    const targets = await prometheus.query(
      `count by (instance) (${backendSeries})`,
    );
    expect(targets.map(s => s.metric.instance)).toEqual([
      `127.0.0.1:${service.port}`,
    ]);

    // What a dashboard sums: every developer's suggestions once (the legacy group aside).
    const perUser = await prometheus.query(
      `sum by (user_hash) (${METRICS.suggestions}{job="ai-telemetry-backend"})`,
    );
    expect(
      Object.fromEntries(
        perUser.map(s => [s.metric.user_hash, Number(s.value![1])]),
      ),
    ).toEqual(Object.fromEntries(USERS.map(u => [hashOf(u), 2 * ROUNDS])));

    // The instances took turns, and no series ever went down: neither served an older total.
    const end = Math.ceil(Date.now() / 1000);
    const samples = await prometheus.query(
      `${backendSeries}[${end - runStart + 5}s]`,
    );
    expect(samples).toHaveLength(expected.size);
    const decreases = samples.flatMap(s =>
      s
        .values!.slice(1)
        .flatMap(([time, value], i) =>
          Number(value) < Number(s.values![i][1])
            ? [`${seriesKey(s.metric)} at ${time}`]
            : [],
        ),
    );
    expect(decreases).toEqual([]);
  });

  const PRUNED = /Forgot (\d+) batch ids older than 30 days/;
  const GLOBAL_TASK_LINES = {
    'ai-telemetry-prune-batch-ids': PRUNED,
    'ai-telemetry-prune-otlp-streams':
      /Forgot \d+ OTLP streams without a data point for 7 days/,
    'ai-telemetry-privacy-retention': /Privacy retention \(90 days\): forgot/,
  };

  it('runs each global task once across the two instances', async () => {
    // At start-up, both instances were ready to run each task at once: one did.
    for (const [task, pattern] of Object.entries(GLOBAL_TASK_LINES)) {
      const lines = await waitFor(`${task} to run`, 15_000, async () => {
        const found = await logged(pattern);
        return found.length > 0 ? found : undefined;
      });
      expect({ task, runs: lines.length }).toEqual({ task, runs: 1 });
    }
    expect((await logged(PRUNED)).map(l => l.replace(/^\w: /, ''))).toEqual([
      'Forgot 0 batch ids older than 30 days',
    ]);

    // Batch ids past their retention, then the task triggered on both instances at once.
    const batches: Array<{ user_hash: string; batch_id: string }> = await db(
      'processed_batches',
    ).select('user_hash', 'batch_id');
    expect(batches).toHaveLength(USERS.length * ROUNDS);
    const aged = [batches.slice(0, 2), batches.slice(2, 5)];
    for (const round of aged) {
      const before = (await logged(PRUNED)).length;
      for (const { user_hash, batch_id } of round) {
        await db('processed_batches')
          .where({ user_hash, batch_id })
          .update({ received_at: new Date(Date.now() - 40 * 86_400_000) });
      }
      const triggers = await Promise.all(
        INSTANCES.map(i =>
          api(
            i,
            '/.backstage/scheduler/v1/tasks/ai-telemetry-prune-batch-ids/trigger',
            { method: 'POST', token: asUser(ADA) },
          ),
        ),
      );
      // 409: the other instance's trigger already started the run.
      expect(triggers.map(res => [200, 409].includes(res.status))).toEqual([
        true,
        true,
      ]);
      await waitFor('the triggered run', 15_000, async () =>
        (await logged(PRUNED)).length > before ? true : undefined,
      );
    }
    const runs = await logged(PRUNED);
    expect(runs.map(l => l.replace(/^\w: /, '')).sort()).toEqual([
      'Forgot 0 batch ids older than 30 days',
      'Forgot 2 batch ids older than 30 days',
      'Forgot 3 batch ids older than 30 days',
    ]);
    expect(await db('processed_batches').count({ n: '*' })).toEqual([
      { n: String(USERS.length * ROUNDS - 5) },
    ]);
    process.stdout.write(`Global task runs: ${runs.join('; ')}\n`);
  });

  it('carries out an erasure once, the other instance finishing it when the first dies mid-job', async () => {
    const userHash = hashOf(CY);
    const othersBefore = new Map(
      (
        await prometheus.query(
          `{__name__=~"ai_copilot_.+",user_hash=~"${hashOf(ADA)}|${hashOf(
            BOB,
          )}"}`,
        )
      ).map(s => [JSON.stringify(s.metric), s.value![1]]),
    );
    expect(othersBefore.size).toBeGreaterThan(10);
    expect(
      (await prometheus.query(`{user_hash="${userHash}"}`)).length,
    ).toBeGreaterThan(5);

    holdDeletes = true;
    const requested = await api('a', '/v1/me/erasure', {
      method: 'POST',
      token: asUser(CY),
    });
    expect(requested.status).toBe(202);

    // Whichever instance claimed the job reaches step 5 and waits on Prometheus's delete API.
    const held = await waitFor('a held delete_series', 30_000, async () =>
      adminCalls.find(call => call.held),
    );
    const worker = held.instance;
    const other = INSTANCES.find(i => i !== worker)!;
    const [job] = await db('erasure_jobs').where({ user_entity_ref: CY });
    expect({
      state: job.state,
      stepIndex: job.step_index,
      leased: job.lease_owner !== null,
    }).toEqual({ state: 'running', stepIndex: 4, leased: true });
    const leaseExpires = new Date(job.lease_expires_at).getTime();

    await backends[worker].kill();
    alive.delete(worker);
    holdDeletes = false;
    gates[worker].dropHeld();
    const killedAt = Date.now();

    const done = await waitFor(
      `instance ${other} to finish the job`,
      60_000,
      async () => {
        const res = await api(other, '/v1/me/erasure', { token: asUser(CY) });
        const { jobs } = (await res.json()) as { jobs: ErasureJob[] };
        return jobs[0]?.state === 'done' ? jobs[0] : undefined;
      },
    );
    const finishedAfter = (Date.now() - killedAt) / 1000;

    // The other instance sent delete_series once, and only after the dead one's lease ran out.
    const deletes = adminCalls.filter(c => c.action === 'delete_series');
    expect(deletes.map(c => [c.instance, c.held])).toEqual([
      [worker, true],
      [other, false],
    ]);
    expect(deletes[1].at).toBeGreaterThanOrEqual(leaseExpires);
    // Soon after it: the other instance looks for due jobs every second.
    expect(deletes[1].at - leaseExpires).toBeLessThan(5000);
    expect(
      adminCalls
        .filter(c => c.action === 'clean_tombstones')
        .map(c => c.instance),
    ).toEqual([other]);
    expect(done.failedAttempts).toBe(0);
    expect(done.steps.map(s => [s.name, s.state, s.attempts])).toEqual(
      ERASURE_STEPS.map(name => [
        name,
        'done',
        name === 'delete_prometheus_series' ? 2 : 1,
      ]),
    );

    // The audit trail: requested once, each step once in order, done once.
    const audit: Array<{ action: string; detail: string }> = await db(
      'audit_log',
    )
      .where({ subject: CY })
      .whereIn('action', [
        'erasure_requested',
        'erasure_step',
        'erasure_attempt_failed',
        'erasure_done',
      ])
      .orderBy('id')
      .select('action', 'detail');
    expect(
      audit.map(e =>
        e.action === 'erasure_step'
          ? /step \d (\w+):/.exec(e.detail)![1]
          : e.action,
      ),
    ).toEqual(['erasure_requested', ...ERASURE_STEPS, 'erasure_done']);

    // Nothing of the developer is left: Prometheus (raw samples and a range), the
    // Pushgateway, the database, the metrics endpoint; and nothing comes back with scrapes.
    const leftIn = async () => {
      const now = Math.ceil(Date.now() / 1000);
      const raw = await prometheus.query(`{user_hash="${userHash}"}[1h]`, now);
      const ranged = await prometheus.rangeQuery(`{user_hash="${userHash}"}`, {
        start: runStart - 60,
        end: now,
        step: 1,
      });
      return [...raw, ...ranged].map(s => JSON.stringify(s.metric));
    };
    expect(await leftIn()).toEqual([]);
    expect(
      (await pushgateway.groups()).map(g => g.instance).filter(Boolean),
    ).toEqual([hashOf(BOB)]);
    for (const table of ['counters', 'processed_batches', 'otlp_streams']) {
      expect({
        table,
        rows: await db(table).where({ user_hash: userHash }).count({ n: '*' }),
      }).toEqual({ table, rows: [{ n: '0' }] });
    }
    expect(await scrape(other)).not.toContain(userHash);
    await sleep(3000);
    expect(await leftIn()).toEqual([]);

    // The other developers' series are as they were.
    const othersAfter = new Map(
      (
        await prometheus.query(
          `{__name__=~"ai_copilot_.+",user_hash=~"${hashOf(ADA)}|${hashOf(
            BOB,
          )}"}`,
        )
      ).map(s => [JSON.stringify(s.metric), s.value![1]]),
    );
    expect(othersAfter).toEqual(othersBefore);

    // And, now that a while has passed, each global task still ran once a start or trigger.
    for (const [task, pattern] of Object.entries(GLOBAL_TASK_LINES)) {
      expect({ task, runs: (await logged(pattern)).length }).toEqual({
        task,
        runs: pattern === PRUNED ? 3 : 1,
      });
    }
    process.stdout.write(
      `Erasure: claimed by ${worker}, killed; ${other} finished ${finishedAfter.toFixed(
        1,
      )} s after the kill (lease ${LEASE_SECONDS} s)\n`,
    );
  });
});
