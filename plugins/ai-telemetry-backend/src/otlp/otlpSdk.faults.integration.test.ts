/**
 * Issue 10's "done when", on real processes: the official OpenTelemetry JS SDK (one
 * MeterProvider and OTLP exporter per assistant, __testUtils__/exportAssistants.ts) records
 * Claude Code (delta, protobuf with gzip), Gemini CLI (cumulative, JSON), Codex (delta
 * histograms, protobuf) and Copilot Chat (cumulative, a GenAI histogram, JSON) for two opted-in
 * developers, with their documented metric names and attributes
 * (__testUtils__/assistantsRecording.ts), and exports to the backend, a child process of its
 * own on PostgreSQL, through a TCP proxy; Prometheus scrapes the backend every second with the
 * deployed scrape job and rules. Over four rounds:
 *
 * 1. answers are lost: the proxy forwards an export and cuts the connection when the backend
 *    answers, so the backend has stored it and the exporter sends it again (each transport and
 *    temporality in turn);
 * 2. the backend is stopped (SIGTERM) and started again on the same database; meanwhile the
 *    cumulative assistants' exports fail and their totals arrive with the next export;
 * 3. Prometheus is stopped, the backend killed (SIGKILL) after the round's exports, and both
 *    started again;
 * 4. all assistants export at once, and the SDKs shut down with a last export each.
 *
 * After each round, and at the end, every user's value of every contract series in Prometheus
 * equals the sum of what was recorded, exactly, as the contract counts it (nothing lost,
 * nothing doubled), no series ever went down, and no point was refused as out of order.
 * Then nothing that identifies anyone (e-mail addresses, session, account, organisation and
 * installation ids, file paths), all of which were recorded as attributes, is in any table of
 * any database of the PostgreSQL cluster, the backend's logs, PostgreSQL's log, the metrics
 * endpoint or any label of Prometheus.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  BackendProcess,
  freePort,
  PostgresProcess,
  PrometheusProcess,
  TcpProxy,
  waitFor,
} from '@fawkes/ai-telemetry-test-utils';
import { pseudonymize } from '@fawkes/plugin-ai-telemetry-common';
import { ChildProcess, fork } from 'child_process';
import { promises as fs, readFileSync } from 'fs';
import knexFactory from 'knex';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import YAML from 'yaml';
import {
  ASSISTANTS,
  contractIncrements,
  IDENTIFYING_VALUES,
  MAPPING_CONFIG,
  PEOPLE,
  PersonName,
  recordingsOf,
  resourceOf,
  ROUNDS,
  SDK_SESSIONS,
  SdkReply,
  SdkRequest,
} from './__testUtils__/assistantsRecording';

jest.setTimeout(240_000);

const KEY = 'otlp-faults-pseudonym-key-0123456789';
const REPO = resolve(__dirname, '../../../..');
const PLUGIN = resolve(__dirname, '../..');
const OTLP_POST = '"POST /api/ai-telemetry/otlp/v1/metrics HTTP/1.1" 200';
const CONTRACT_LABELS = new Set([
  '__name__',
  'job',
  'instance',
  'user_hash',
  'language',
  'accepted',
  'assistant',
  'activity',
  'feature',
  'model',
  'type',
]);

/** `metric|labels` with the labels sorted (job and instance left out). */
function seriesKey(metric: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .filter(name => !['__name__', 'job', 'instance'].includes(name))
    .sort()
    .map(name => `${name}=${labels[name]}`)
    .join(',');
  return `${metric}|${sorted}`;
}

/** The SDK process: commands out, replies back, over its IPC channel. */
class SdkProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: SdkReply) => void>();
  private output = '';
  private exited?: string;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', chunk => {
      this.output += chunk;
    });
    child.stderr?.on('data', chunk => {
      this.output += chunk;
    });
    child.on('message', (reply: SdkReply) => {
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    child.on('exit', code => {
      this.exited = `the SDK process exited (${code}):\n${this.output}`;
      for (const resolveReply of this.pending.values()) {
        resolveReply({ id: -1, error: this.exited });
      }
      this.pending.clear();
    });
  }

  static async start(
    baseUrl: string,
    tokens: Record<PersonName, string>,
  ): Promise<SdkProcess> {
    const child = fork(
      join(__dirname, '__testUtils__', 'exportAssistants.ts'),
      [],
      {
        execArgv: ['--import', 'tsx'],
        cwd: PLUGIN,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          OTLP_TEST_BASE_URL: baseUrl,
          OTLP_TEST_TOKENS: JSON.stringify(tokens),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    const sdk = new SdkProcess(child);
    const ready = await sdk.reply(0, 60_000);
    if (ready.error) throw new Error(ready.error);
    return sdk;
  }

  private reply(id: number, timeoutMs: number): Promise<SdkReply> {
    return new Promise((resolveReply, reject) => {
      if (this.exited) {
        reject(new Error(this.exited));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(`the SDK process did not answer ${id}:\n${this.output}`),
        );
      }, timeoutMs);
      this.pending.set(id, r => {
        clearTimeout(timer);
        resolveReply(r);
      });
    });
  }

  async send(command: SdkRequest): Promise<SdkReply> {
    const id = this.nextId++;
    const answer = this.reply(id, 90_000);
    this.child.send({ ...command, id });
    const reply = await answer;
    if (reply.error) throw new Error(reply.error);
    return reply;
  }

  kill() {
    this.child.kill('SIGKILL');
  }
}

/** The forms a value may take in a text: as it is, JSON-escaped, URL-encoded; lower case. */
function formsOf(value: string): string[] {
  return [
    ...new Set([
      value,
      JSON.stringify(value).slice(1, -1),
      encodeURIComponent(value),
    ]),
  ].map(form => form.toLowerCase());
}

/** The identifying values found in a text (case-insensitive). */
function identifyingIn(text: string): string[] {
  const lower = text.toLowerCase();
  return IDENTIFYING_VALUES.filter(value =>
    formsOf(value).some(form => lower.includes(form)),
  );
}

describe('OTLP from the OpenTelemetry SDK through lost answers, restarts and Prometheus outages', () => {
  let dir: string;
  let postgresDir: string;
  let postgres: PostgresProcess;
  let prometheus: PrometheusProcess;
  let backend: BackendProcess | undefined;
  let backendPort: number;
  let proxy: TcpProxy;
  let sdk: SdkProcess | undefined;
  const hashes = {} as Record<PersonName, string>;
  const scrapeToken = mockCredentials.service.token({
    onBehalfOf: mockCredentials.service('prometheus-scrape'),
    targetPluginId: 'ai-telemetry',
  });

  /** The backend on its fixed port and the PostgreSQL cluster, as a new process each time. */
  const startBackend = (name: string) =>
    new BackendProcess({
      dir: join(dir, 'backend'),
      port: backendPort,
      name,
      entry: join(
        __dirname,
        '..',
        'privacy',
        '__testUtils__',
        'backendProcess.ts',
      ),
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
          prometheus: { baseUrl: prometheus.url },
          pushgateway: { baseUrl: 'http://127.0.0.1:1' },
          pseudonymKey: KEY,
          metrics: { newSeriesZeroSeconds: 1 },
          ...MAPPING_CONFIG,
        },
      },
    }).start();

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-otlp-faults-'));
    // A folder of its own: a root test runs PostgreSQL as `postgres`, who cannot enter `dir`.
    postgresDir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-otlp-pg-'));
    backendPort = await freePort();
    proxy = await new TcpProxy().start();
    proxy.target = backendPort;

    await fs.writeFile(join(dir, 'scrape-token'), scrapeToken);
    const deployed = YAML.parse(
      readFileSync(join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8'),
    );
    const job = deployed.scrape_configs.find(
      (c: { job_name: string }) => c.job_name === 'ai-telemetry-backend',
    );
    prometheus = new PrometheusProcess({
      dir: join(dir, 'prometheus'),
      port: await freePort(),
      config: {
        global: {
          scrape_interval: '1s',
          scrape_timeout: '1s',
          evaluation_interval: '1s',
        },
        rule_files: [join(REPO, 'deploy/prometheus/rules/*.yml')],
        scrape_configs: [
          {
            ...job,
            authorization: {
              type: 'Bearer',
              credentials_file: join(dir, 'scrape-token'),
            },
            static_configs: [{ targets: [`127.0.0.1:${backendPort}`] }],
          },
        ],
      },
    });
    postgres = new PostgresProcess({ dir: postgresDir });
    await Promise.all([postgres.start(), prometheus.start()]);
    backend = await startBackend('backend-1');

    const tokens = {} as Record<PersonName, string>;
    for (const name of Object.keys(PEOPLE) as PersonName[]) {
      const res = await fetch(`${backend.url}/api/ai-telemetry/v1/me/opt-in`, {
        method: 'PUT',
        headers: {
          Authorization: `Bearer ${mockCredentials.user.token(
            PEOPLE[name].user,
          )}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ enabled: true }),
      });
      if (res.status !== 200) {
        throw new Error(`opt-in of ${name}: ${res.status} ${await res.text()}`);
      }
      const body = (await res.json()) as { token: string; userHash: string };
      tokens[name] = body.token;
      // The pseudonym worked out here, not taken from the backend's word.
      hashes[name] = await pseudonymize(PEOPLE[name].user, KEY);
      if (body.userHash !== hashes[name]) {
        throw new Error(
          `opt-in of ${name} answered pseudonym ${body.userHash}`,
        );
      }
    }
    sdk = await SdkProcess.start(`http://127.0.0.1:${proxy.port}`, tokens);
  });

  afterAll(async () => {
    sdk?.kill();
    await backend?.stop();
    await prometheus?.stop();
    await postgres?.stop();
    await proxy?.stop();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(postgresDir, { recursive: true, force: true });
  });

  /** Every contract series' expected value, in thousandths, by seriesKey. */
  const expected = new Map<string, number>();
  const exportsMade = { succeeded: 0, failed: 0, answersLost: 0 };

  async function record(round: number) {
    await sdk!.send({ kind: 'record', round });
    for (const session of SDK_SESSIONS) {
      for (const recording of recordingsOf(session, round)) {
        for (const increment of contractIncrements(
          session.assistant,
          recording,
        )) {
          if (increment.milli === 0) continue;
          const key = seriesKey(increment.metric, {
            user_hash: hashes[session.person],
            ...increment.labels,
          });
          expected.set(key, (expected.get(key) ?? 0) + increment.milli);
        }
      }
    }
  }

  /**
   * The sessions export at the same time. With `loseAnswer` (one session), the proxy opens a
   * fresh connection for it, forwards the export and cuts the connection when the backend
   * answers: the exporter must have retried, successfully. With `failing`, every export must
   * fail (the proxy refuses connections).
   */
  async function flush(
    sessions: string[],
    options: { loseAnswer?: boolean; failing?: boolean } = {},
  ) {
    if (options.loseAnswer) {
      expect(sessions).toHaveLength(1);
      proxy.dropConnections();
      proxy.loseNextAnswer = true;
    }
    const reply = await sdk!.send({ kind: 'flush', sessions });
    if (options.loseAnswer) {
      expect({ answerLost: !proxy.loseNextAnswer }).toEqual({
        answerLost: true,
      });
      exportsMade.answersLost += 1;
    }
    for (const key of sessions) {
      const outcomes = reply.exports![key];
      expect({ key, exports: outcomes.length > 0 }).toEqual({
        key,
        exports: true,
      });
      for (const outcome of outcomes) {
        expect({ key, ok: outcome.ok, error: outcome.error }).toEqual(
          options.failing
            ? { key, ok: false, error: expect.any(String) }
            : { key, ok: true, error: undefined },
        );
        exportsMade[outcome.ok ? 'succeeded' : 'failed'] += 1;
      }
    }
  }

  const cumulative = SDK_SESSIONS.filter(
    s => ASSISTANTS[s.assistant].temporality === 'cumulative',
  ).map(s => s.key);
  const allBut = (...keys: string[]) =>
    SDK_SESSIONS.map(s => s.key).filter(key => !keys.includes(key));

  /** The contract's series in Prometheus now, by seriesKey, in thousandths. */
  async function inPrometheus(): Promise<Map<string, number>> {
    const result = await prometheus.query('{__name__=~"ai_copilot_.+"}');
    return new Map(
      result.map(series => [
        seriesKey(series.metric.__name__, series.metric),
        Math.round(Number(series.value![1]) * 1000),
      ]),
    );
  }

  const lines = (m: Map<string, number>) =>
    [...m.entries()].map(([key, milli]) => `${key} ${milli}`).sort();

  /** Waits until Prometheus holds exactly the expected totals; fails showing the difference. */
  async function expectPrometheusToHoldExpected(when: string) {
    let last = new Map<string, number>();
    await waitFor(
      `Prometheus to hold the expected totals ${when}`,
      60_000,
      async () => {
        last = await inPrometheus();
        return lines(last).join('\n') === lines(expected).join('\n')
          ? true
          : undefined;
      },
    ).catch(() => undefined);
    expect({ when, series: lines(last) }).toEqual({
      when,
      series: lines(expected),
    });
  }

  it('counts every recorded value exactly once in Prometheus, through lost answers, restarts and outages', async () => {
    const runStart = Math.floor(Date.now() / 1000) - 5;
    expect(ROUNDS).toBe(4);

    // 1. Everything up; an answer to Claude Code's gzipped protobuf delta export is lost.
    await record(0);
    await flush(['ada/claude-code'], { loseAnswer: true });
    await flush(['ada/gemini-cli'], { loseAnswer: true });
    await flush(allBut('ada/claude-code', 'ada/gemini-cli'));
    await expectPrometheusToHoldExpected('after round 1');

    // 2. The backend stops cleanly and starts again on the same database. Meanwhile the
    // cumulative assistants export and fail: their totals must arrive with their next export.
    await record(1);
    await backend!.stop();
    backend = undefined;
    proxy.target = undefined;
    const restarting = startBackend('backend-2');
    await flush(cumulative, { failing: true });
    backend = await restarting;
    proxy.target = backendPort;
    await flush(['bob/gemini-cli'], { loseAnswer: true });
    await flush(['ada/codex'], { loseAnswer: true });
    await flush(allBut('bob/gemini-cli', 'ada/codex'));
    await expectPrometheusToHoldExpected(
      'after round 2 (backend restarted with SIGTERM)',
    );

    // 3. Prometheus is down for the whole round; the backend is killed after its exports.
    await prometheus.stop();
    await record(2);
    await flush(['bob/copilot-chat'], { loseAnswer: true });
    await flush(['bob/claude-code'], { loseAnswer: true });
    await flush(allBut('bob/copilot-chat', 'bob/claude-code'));
    // The access log line of an answer is written just after it is sent; killing the backend
    // at once could lose the line (not the count), so the log is caught up first.
    await waitFor(
      'the backend to log every answered export',
      10_000,
      async () =>
        (await loggedPosts()) >= exportsMade.succeeded + exportsMade.answersLost
          ? true
          : undefined,
    );
    await backend!.kill();
    backend = undefined;
    [backend] = await Promise.all([
      startBackend('backend-3'),
      prometheus.start(),
    ]);
    await expectPrometheusToHoldExpected(
      'after round 3 (Prometheus stopped, backend killed with SIGKILL)',
    );

    // 4. A lost answer, then every other assistant at once, then the SDKs' last exports at
    // shutdown (cumulative ones send the same totals again, delta ones nothing new).
    await record(3);
    await flush(['ada/codex'], { loseAnswer: true });
    await flush(allBut('ada/codex'));
    const shutdown = await sdk!.send({ kind: 'shutdown' });
    sdk = undefined;
    for (const [key, outcomes] of Object.entries(shutdown.exports!)) {
      for (const outcome of outcomes) {
        expect({ key, ...outcome }).toEqual({ key, ok: true });
        exportsMade.succeeded += 1;
      }
    }
    await expectPrometheusToHoldExpected('at the end');

    // Both developers, every contract metric the four assistants feed.
    const final = await inPrometheus();
    for (const name of Object.keys(PEOPLE) as PersonName[]) {
      const metrics = new Set(
        [...final.keys()]
          .filter(key => key.includes(`user_hash=${hashes[name]}`))
          .map(key => key.split('|')[0]),
      );
      expect({ name, metrics: [...metrics].sort() }).toEqual({
        name,
        metrics: [
          'ai_copilot_active_seconds_total',
          'ai_copilot_commits_total',
          'ai_copilot_cost_usd_total',
          'ai_copilot_lines_generated',
          'ai_copilot_pull_requests_total',
          'ai_copilot_sessions_total',
          'ai_copilot_suggestions_total',
          'ai_copilot_time_saved_seconds',
          'ai_copilot_tokens_total',
        ],
      });
    }
    const assistants = new Set(
      [...final.keys()].map(key => /assistant=([^,]+)/.exec(key)![1]),
    );
    expect([...assistants].sort()).toEqual([
      'claude-code',
      'codex',
      'copilot',
      'gemini-cli',
    ]);

    // No series ever went down over the run (a restart serving less would be a reset), and
    // one target served them all.
    const end = Math.ceil(Date.now() / 1000);
    const samples = await prometheus.query(
      `{__name__=~"ai_copilot_.+"}[${end - runStart + 5}s]`,
    );
    expect(samples).toHaveLength(expected.size);
    const decreases = samples.flatMap(s =>
      s
        .values!.slice(1)
        .flatMap(([time, value], i) =>
          Number(value) < Number(s.values![i][1])
            ? [`${seriesKey(s.metric.__name__, s.metric)} at ${time}`]
            : [],
        ),
    );
    expect(decreases).toEqual([]);
    const instances = await prometheus.query(
      'count by (instance) ({__name__=~"ai_copilot_.+"})',
    );
    expect(instances.map(s => s.metric.instance)).toEqual([
      `127.0.0.1:${backendPort}`,
    ]);

    // Nothing was refused but what the contract does not count (lines removed, other tools,
    // Codex's total tokens, Gemini's tool tokens): no retry was taken for an overlap.
    const dropped = await prometheus.query(
      'ai_telemetry_otlp_points_dropped_total',
    );
    const byReason = Object.fromEntries(
      dropped.map(s => [s.metric.reason, Number(s.value![1])]),
    );
    expect(byReason.not_counted).toBeGreaterThan(0);
    expect({ ...byReason, not_counted: 0 }).toEqual(
      Object.fromEntries(Object.keys(byReason).map(reason => [reason, 0])),
    );

    // Every lost answer was an export the backend answered, sent again by the exporter.
    const posts = await loggedPosts();
    expect(exportsMade.failed).toBe(cumulative.length);
    expect(exportsMade.answersLost).toBe(7);
    expect(posts).toBeGreaterThanOrEqual(
      exportsMade.succeeded + exportsMade.answersLost,
    );
    process.stdout.write(
      `OTLP faults: ${expected.size} series; exports ${JSON.stringify(
        exportsMade,
      )}; ${posts} POSTs answered by the backends\n`,
    );
  });

  /** How many OTLP exports the backend processes so far logged as answered 200. */
  async function loggedPosts(): Promise<number> {
    const folder = join(dir, 'backend');
    const files = (await fs.readdir(folder)).filter(f => f.endsWith('.log'));
    const texts = await Promise.all(
      files.map(f => fs.readFile(join(folder, f), 'utf8')),
    );
    return texts
      .join('\n')
      .split('\n')
      .filter(l => l.includes(OTLP_POST)).length;
  }

  /** The text of every backend process's log. */
  async function backendLogs(): Promise<string> {
    const folder = join(dir, 'backend');
    const files = (await fs.readdir(folder)).filter(f => f.endsWith('.log'));
    expect(files.sort()).toEqual([
      'backend-1.log',
      'backend-2.log',
      'backend-3.log',
    ]);
    const texts = await Promise.all(
      files.map(f => fs.readFile(join(folder, f), 'utf8')),
    );
    return texts.join('\n');
  }

  /** Every row of every table of every database in the cluster, by `database.schema.table`. */
  async function dumpCluster(): Promise<Record<string, unknown[]>> {
    const connect = (database: string) =>
      knexFactory({
        client: 'pg',
        connection: {
          host: '127.0.0.1',
          port: postgres.port,
          user: 'postgres',
          database,
        },
      });
    const admin = connect('postgres');
    const dump: Record<string, unknown[]> = {};
    try {
      const databases: string[] = (
        await admin.raw(
          'SELECT datname FROM pg_database WHERE NOT datistemplate',
        )
      ).rows.map((row: { datname: string }) => row.datname);
      for (const database of databases) {
        const db = connect(database);
        try {
          const tables: Array<{ table_schema: string; table_name: string }> = (
            await db.raw(
              `SELECT table_schema, table_name FROM information_schema.tables
               WHERE table_type = 'BASE TABLE'
                 AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
            )
          ).rows;
          for (const { table_schema, table_name } of tables) {
            dump[`${database}.${table_schema}.${table_name}`] = await db
              .withSchema(table_schema)
              .select()
              .from(table_name);
          }
        } finally {
          await db.destroy();
        }
      }
    } finally {
      await admin.destroy();
    }
    return dump;
  }

  /** Every cell of a dump, as text. */
  const cellsOf = (rows: unknown[]) =>
    rows
      .flatMap(row => Object.values(row as Record<string, unknown>))
      .map(cell =>
        cell instanceof Date ? cell.toISOString() : String(cell ?? ''),
      )
      .join('\n');

  it('keeps what identifies the developers out of the database, the logs, the metrics endpoint and Prometheus', async () => {
    // They were all recorded, as resource or point attributes.
    const sent = SDK_SESSIONS.flatMap(session => [
      JSON.stringify(resourceOf(session)),
      ...Array.from({ length: ROUNDS }, (_, round) =>
        JSON.stringify(recordingsOf(session, round)),
      ),
    ]).join('\n');
    expect(
      IDENTIFYING_VALUES.filter(value => !identifyingIn(sent).includes(value)),
    ).toEqual([]);

    // The database: every row of every table of every database of the cluster.
    const dump = await dumpCluster();
    const pluginTables = Object.keys(dump).filter(name =>
      name.startsWith('backstage_plugin_ai-telemetry.public.'),
    );
    expect(pluginTables).toEqual(
      expect.arrayContaining([
        'backstage_plugin_ai-telemetry.public.otlp_streams',
        'backstage_plugin_ai-telemetry.public.counters',
      ]),
    );
    expect(
      dump['backstage_plugin_ai-telemetry.public.otlp_streams'].length,
    ).toBeGreaterThan(50);
    const found: Record<string, string[]> = {};
    for (const [table, rows] of Object.entries(dump)) {
      const hits = identifyingIn(cellsOf(rows));
      if (hits.length > 0) found[`table ${table}`] = hits;
    }

    // The backends' logs (every process of the run), and PostgreSQL's own.
    const logs = await backendLogs();
    expect(logs).toContain(OTLP_POST);
    const logHits = identifyingIn(logs);
    if (logHits.length > 0) found['backend logs'] = logHits;
    const postgresLog = await fs.readFile(postgres.logFile, 'utf8');
    const postgresHits = identifyingIn(postgresLog);
    if (postgresHits.length > 0) found['PostgreSQL log'] = postgresHits;

    // The metrics endpoint.
    const exposition = await (
      await fetch(`${backend!.url}/api/ai-telemetry/v1/metrics`, {
        headers: { Authorization: `Bearer ${scrapeToken}` },
      })
    ).text();
    expect(exposition).toContain(`user_hash="${hashes.ada}"`);
    const expositionHits = identifyingIn(exposition);
    if (expositionHits.length > 0) found['/v1/metrics'] = expositionHits;

    // Prometheus: every value of every label, and every series.
    const api = async (path: string) => {
      const res = await fetch(`${prometheus.url}/api/v1/${path}`);
      const body = (await res.json()) as { status: string; data: unknown };
      expect({ path, status: body.status }).toEqual({
        path,
        status: 'success',
      });
      return body.data;
    };
    const labelNames = (await api('labels')) as string[];
    const labelValues: Record<string, string[]> = {};
    for (const name of labelNames) {
      labelValues[name] = (await api(
        `label/${encodeURIComponent(name)}/values`,
      )) as string[];
    }
    expect(labelValues.user_hash).toEqual(
      expect.arrayContaining([hashes.ada, hashes.bob]),
    );
    expect(labelValues.__name__).toEqual(
      expect.arrayContaining([
        'ai_copilot_tokens_total',
        'ai_copilot_cost_usd_total',
      ]),
    );
    const labelHits = identifyingIn(
      Object.values(labelValues).flat().join('\n'),
    );
    if (labelHits.length > 0) found['Prometheus label values'] = labelHits;
    const series = (await api(
      `series?${new URLSearchParams({ 'match[]': '{__name__=~".+"}' })}`,
    )) as Array<Record<string, string>>;
    expect(series.length).toBeGreaterThan(50);
    const seriesHits = identifyingIn(
      series.flatMap(labels => Object.values(labels)).join('\n'),
    );
    if (seriesHits.length > 0) found['Prometheus series'] = seriesHits;

    expect(found).toEqual({});

    // And no attribute became a label: the contract's series carry the contract's labels only.
    const extraLabels = new Set(
      series
        .filter(labels => labels.__name__.startsWith('ai_copilot_'))
        .flatMap(labels => Object.keys(labels))
        .filter(name => !CONTRACT_LABELS.has(name)),
    );
    expect([...extraLabels]).toEqual([]);
  });
});
