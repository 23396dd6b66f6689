/* eslint-disable no-console */
/**
 * Benchmark of the OTLP receiver (issue 10), not a test: prints, in one run and side by side,
 *  - OTLP data points/s and requests/s of POST /otlp/v1/metrics, fed protobuf exports as the
 *    OpenTelemetry SDK sends them for Claude Code: its metrics recorded with
 *    @opentelemetry/sdk-metrics (delta temporality), one export (one collection, one 60 s
 *    interval) per request, serialised by the serializer the OTLP protobuf exporter itself loads;
 *  - events/s and batches/s of POST /v1/events, in batches of 100 events as bench/ingestion.ts
 *    sends them;
 *  - at 1 and 8 concurrent senders, over several opted-in users each, the median of several
 *    rounds, the ratio (data points/s ÷ events/s) and the latency of one request (p50, p99);
 *  - at the end, a check that the counters hold what was sent: HTTP statuses, partialSuccess
 *    and dropped-point counts, and every contract counter against what the mapping makes of the
 *    data points (and events) sent.
 * Each export carries the next 60 s interval of its user's clock, so no export is taken for a
 * retry of another.
 *
 * usage: yarn workspace @fawkes/plugin-ai-telemetry-backend bench:otlp
 *        [--requests 400] [--batches 200] [--rounds 5] [--concurrency 1,8] [--users 32]
 *        [--databases sqlite,postgres] [--gzip]
 * Everything listens on 127.0.0.1, on ports the system picks, with data in a temporary folder;
 * PostgreSQL is the server BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING points at, else
 * one the benchmark starts itself.
 */
import {
  DatabaseService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  createRandom,
  developerProfile,
  PostgresProcess,
  Random,
  randomEvent,
  startHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  DEFAULT_MODEL_PATTERNS,
  DEFAULT_SECONDS_PER_LINE,
  TelemetryEvent,
} from '@fawkes/plugin-ai-telemetry-common';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  MetricData,
  MetricReader,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { randomBytes } from 'crypto';
import express from 'express';
import { existsSync, promises as fs, readFileSync } from 'fs';
import knexFactory, { Knex } from 'knex';
import { createRequire } from 'module';
import { cpus, loadavg, tmpdir } from 'os';
import { dirname, join } from 'path';
import { parseArgs } from 'util';
import { gunzipSync, gzipSync } from 'zlib';
import { DatabaseCounterStore } from '../src/database/DatabaseCounterStore';
import { DatabaseOptInStore } from '../src/database/DatabaseOptInStore';
import { DatabaseOtlpStreamStore } from '../src/database/DatabaseOtlpStreamStore';
import { toCounterIncrements } from '../src/ingestion/counterIncrements';
import { createEventsRouter } from '../src/ingestion/createEventsRouter';
import { IngestionService } from '../src/ingestion/IngestionService';
import { createOtlpRouter } from '../src/otlp/createOtlpRouter';
import { MappingSettings } from '../src/otlp/mapping';
import {
  countDataPoints,
  dataPointsOf,
  decodeExportRequest,
  decodeExportResponse,
} from '../src/otlp/otlpProtocol';
import { mapDataPoint, OtlpReceiver } from '../src/otlp/OtlpReceiver';
import {
  ClaudeCodeCounters,
  INSTRUMENTS,
  METER,
  RESOURCE,
} from '../src/otlp/__testUtils__/claudeCodeRecording';
import { OTLP_PATH } from '../src/otlp/__testUtils__/otlpRequests';
import { optInServiceWithoutErasure } from '../src/__testUtils__/optInServiceWithoutErasure';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '400' },
    batches: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '1,8' },
    users: { type: 'string', default: '32' },
    databases: { type: 'string', default: 'sqlite,postgres' },
    gzip: { type: 'boolean', default: false },
  },
});
/** OTLP exports per round and concurrency level. */
const REQUESTS = Number(args.requests);
/** Event batches per round and concurrency level. */
const BATCHES = Number(args.batches);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = args.concurrency!.split(',').map(Number);
/** Opted-in users of each kind (the OTLP and the events users are different people). */
const USERS = Number(args.users);
const DATABASES = args.databases!.split(',');
const GZIP = args.gzip!;
/** As bench/ingestion.ts sends them (the IDE client flushes at 200 queued events, or each minute). */
const BATCH_SIZE = 100;
/** Unmeasured requests of each kind per user before the first round: connections, JIT, streams. */
const WARM_UP_PER_USER = 2;
/** Claude Code's export interval (OTEL_METRIC_EXPORT_INTERVAL, 60 s by default). */
const EXPORT_INTERVAL_SECONDS = 60;
const POSTGRES_ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
const API = '/api/ai-telemetry';

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};

const gunzip = (body: Buffer): Buffer => gunzipSync(body);

const MAPPING: MappingSettings = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  models: DEFAULT_MODEL_PATTERNS,
  pricing: [],
  secondsPerLine: DEFAULT_SECONDS_PER_LINE,
};

// --- OTLP exports, as the SDK makes them ---------------------------------------------------

/**
 * The serializer the OTLP/HTTP protobuf exporter sends with: the @opentelemetry/otlp-transformer
 * that @opentelemetry/exporter-metrics-otlp-proto itself resolves (its own copy when it has one).
 */
const exporterRequire = createRequire(
  require.resolve('@opentelemetry/exporter-metrics-otlp-proto'),
);
const SERIALIZER = (
  exporterRequire('@opentelemetry/otlp-transformer') as {
    ProtobufMetricsSerializer: {
      serializeRequest(request: ResourceMetrics): Uint8Array | undefined;
    };
  }
).ProtobufMetricsSerializer;
/** The version of package `name` as `resolve` finds it (its package.json need not be exported). */
function versionOf(resolve: NodeJS.Require, name: string): string {
  let folder = dirname(resolve.resolve(name));
  while (!existsSync(join(folder, 'package.json')) || !folder.endsWith(name)) {
    folder = dirname(folder);
  }
  return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version;
}
const SERIALIZER_VERSION = versionOf(
  exporterRequire,
  '@opentelemetry/otlp-transformer',
);
const EXPORTER_VERSION = versionOf(
  require,
  '@opentelemetry/exporter-metrics-otlp-proto',
);
const SDK_VERSION = versionOf(require, '@opentelemetry/sdk-metrics');

/** A reader the benchmark collects by hand: delta temporality, as Claude Code exports. */
class ManualDeltaReader extends MetricReader {
  constructor() {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.DELTA,
    });
  }
  protected async onShutdown() {}
  protected async onForceFlush() {}
}

const CLAUDE_MODELS = {
  'claude-sonnet-4-5-20250929': 55,
  'claude-opus-4-1-20250805': 20,
  'claude-sonnet-4-20250514': 15,
  'claude-opus-4-20250514': 10,
};
const SMALL_MODEL = 'claude-haiku-4-5-20251001';
const EDIT_LANGUAGES = {
  TypeScript: 28,
  Python: 24,
  JavaScript: 10,
  Go: 8,
  Java: 8,
  Rust: 5,
  Markdown: 7,
  JSON: 4,
  YAML: 4,
  Shell: 2,
};
const EDIT_TOOLS = { Edit: 60, MultiEdit: 20, Write: 15, NotebookEdit: 5 };
const TERMINALS = ['vscode', 'cursor', 'iTerm.app', 'tmux', 'pycharm'];

function weighted<T extends string>(
  random: Random,
  weights: Record<T, number>,
): T {
  return random.weighted(Object.keys(weights) as T[], value => weights[value]);
}

function uuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () =>
    random.int(0, 15).toString(16),
  ).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
    13,
    16,
  )}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** Rounded as the cost Claude Code reports (USD, to 1/10,000 cent). */
const usd = (x: number) => Math.max(0.000001, Math.round(x * 1e6) / 1e6);

/**
 * One developer's Claude Code: a MeterProvider with Claude Code's resource, meter and counters,
 * read by hand, one collection per export; each export covers the next 60 s of its own clock.
 */
class ClaudeCodeUser {
  private readonly reader = new ManualDeltaReader();
  private readonly counters: ClaudeCodeCounters;
  private readonly standard: Record<string, string>;
  private session?: { id: string; model: string; minutes: number };
  private clockSeconds: number;

  constructor(
    private readonly random: Random,
    index: number,
    startSeconds: number,
  ) {
    const email = `developer-${index}@example.com`;
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ ...RESOURCE, 'enduser.id': email }),
      readers: [this.reader],
    });
    const meter = provider.getMeter(METER.name, METER.version);
    this.counters = Object.fromEntries(
      Object.entries(INSTRUMENTS).map(([key, instrument]) => [
        key,
        meter.createCounter(instrument.name, {
          unit: 'unit' in instrument ? instrument.unit : undefined,
        }),
      ]),
    ) as ClaudeCodeCounters;
    this.standard = {
      'user.account_uuid': uuid(random),
      'user.id': randomHex(random, 16),
      'organization.id': '0b9d5c4e-7a8f-4e3d-b2c1-5f6e7d8c9b0a',
      'user.email': email,
      'terminal.type': random.pick(TERMINALS),
    };
    this.clockSeconds = startSeconds;
  }

  /** What Claude Code records in one minute of work: several models, token types, tools, languages. */
  private recordMinute() {
    const { random, counters: m } = this;
    if (!this.session || random.chance(1 / 30)) {
      const first = !this.session;
      this.session = {
        id: uuid(random),
        model: weighted(random, CLAUDE_MODELS),
        minutes: 0,
      };
      m.session.add(1, {
        ...this.attrs(),
        start_type: first
          ? 'fresh'
          : random.pick(['fresh', 'resume', 'continue']),
      });
    }
    this.session.minutes += 1;
    const session = this.session;
    const query = (model: string, querySource: string, scale: number) => {
      const tokens = (min: number, max: number) =>
        Math.max(1, Math.round(random.int(min, max) * scale));
      const attrs = { ...this.attrs(), model, query_source: querySource };
      const input = tokens(50, 8000);
      const output = tokens(20, 3000);
      m.tokens.add(input, { ...attrs, type: 'input' });
      m.tokens.add(output, { ...attrs, type: 'output' });
      let cached = 0;
      if (random.chance(0.85)) {
        cached = tokens(1000, 150_000);
        m.tokens.add(cached, { ...attrs, type: 'cacheRead' });
      }
      if (random.chance(0.4)) {
        m.tokens.add(tokens(500, 20_000), {
          ...attrs,
          type: 'cacheCreation',
        });
      }
      m.cost.add(usd((input * 3 + output * 15 + cached * 0.3) / 1e6), attrs);
    };
    query(session.model, 'main', 1);
    if (random.chance(0.5)) query(SMALL_MODEL, 'main', 0.1);
    if (random.chance(0.25)) query(session.model, 'subagent', 0.5);

    let accepted = 0;
    for (let i = random.poisson(1.5); i > 0; i--) {
      const accept = random.chance(0.85);
      accepted += accept ? 1 : 0;
      m.editDecisions.add(1, {
        ...this.attrs(),
        tool_name: weighted(random, EDIT_TOOLS),
        decision: accept ? 'accept' : 'reject',
        source: accept
          ? random.pick(['config', 'user_temporary', 'user_permanent'])
          : 'user_reject',
        language: weighted(random, EDIT_LANGUAGES),
      });
    }
    if (accepted > 0) {
      m.lines.add(random.int(1, 60) * accepted, {
        ...this.attrs(),
        type: 'added',
        model: session.model,
      });
      if (random.chance(0.6)) {
        m.lines.add(random.int(1, 25), {
          ...this.attrs(),
          type: 'removed',
          model: session.model,
        });
      }
    }
    if (random.chance(0.85)) {
      m.activeTime.add(random.int(5, 600) / 10, {
        ...this.attrs(),
        type: 'user',
      });
    }
    m.activeTime.add(random.int(10, 600) / 10, {
      ...this.attrs(),
      type: 'cli',
    });
    if (random.chance(0.04)) m.commits.add(1, this.attrs());
    if (random.chance(0.01)) m.pullRequests.add(1, this.attrs());
  }

  private attrs() {
    return { ...this.standard, 'session.id': this.session!.id };
  }

  /** The next export: one minute recorded, collected, given its interval, serialised. */
  async nextExport(): Promise<{ body: Buffer; points: number }> {
    this.recordMinute();
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0];
    const start: [number, number] = [this.clockSeconds, 0];
    this.clockSeconds += EXPORT_INTERVAL_SECONDS;
    const end: [number, number] = [this.clockSeconds, 0];
    // The SDK's clock has millisecond resolution and the benchmark collects far faster than
    // once a minute: it would give exports the same interval, which the receiver rightly
    // takes for retries. Each export gets its own minute instead, as a real exporter's would.
    const timed: ResourceMetrics = {
      ...resourceMetrics,
      scopeMetrics: resourceMetrics.scopeMetrics.map(scope => ({
        ...scope,
        metrics: scope.metrics.map(
          metric =>
            ({
              ...metric,
              dataPoints: metric.dataPoints.map(point => ({
                ...point,
                startTime: start,
                endTime: end,
              })),
            } as MetricData),
        ),
      })),
    };
    const serialized = SERIALIZER.serializeRequest(timed);
    if (!serialized) throw new Error('the serializer returned nothing');
    const points = timed.scopeMetrics
      .flatMap(scope => scope.metrics)
      .reduce((sum, metric) => sum + metric.dataPoints.length, 0);
    return { body: Buffer.from(serialized), points };
  }
}

function randomHex(random: Random, length: number): string {
  return Array.from({ length }, () => random.int(0, 15).toString(16)).join('');
}

// --- Requests ------------------------------------------------------------------------------

type Kind = 'otlp' | 'events';
/** One request as it goes over the wire, for the user at `user`. */
type Prepared = { user: number; body: Buffer; items: number };

/** What one phase (one round of one kind at one concurrency) sent. */
type PhaseResult = {
  seconds: number;
  requests: number;
  items: number;
  latenciesMs: number[];
};

/** Everything sent of one kind, for the check at the end. */
type Sent = {
  requests: number;
  items: number;
  statuses: Map<number, number>;
  rejected: number;
  responsesWithPartialSuccess: number;
  duplicates: number;
  accepted: number;
};

const emptySent = (): Sent => ({
  requests: 0,
  items: 0,
  statuses: new Map(),
  rejected: 0,
  responsesWithPartialSuccess: 0,
  duplicates: 0,
  accepted: 0,
});

/** The bodies of both kinds, made before anything is measured, reused for every database. */
async function prepareWorkload() {
  const random = createRandom('otlp-benchmark');
  // Each user's clock starts a week ago, a little apart, and advances a minute per export.
  const weekAgo = Math.floor(Date.now() / 1000) - 7 * 86_400;
  const claudeUsers = Array.from(
    { length: USERS },
    (_, u) =>
      new ClaudeCodeUser(createRandom('otlp-benchmark', u), u, weekAgo + u),
  );
  const profiles = Array.from({ length: USERS }, () =>
    developerProfile(random),
  );
  let batchIds = 0;
  const allEvents: TelemetryEvent[][] = Array.from({ length: USERS }, () => []);

  const otlp = async (count: number): Promise<Prepared[]> => {
    const out: Prepared[] = [];
    for (let i = 0; i < count; i++) {
      const user = i % USERS;
      const { body, points } = await claudeUsers[user].nextExport();
      out.push({ user, body: GZIP ? gzipSync(body) : body, items: points });
    }
    return out;
  };
  const events = (count: number): Prepared[] =>
    Array.from({ length: count }, (_, i) => {
      const user = i % USERS;
      const batch = Array.from({ length: BATCH_SIZE }, () =>
        randomEvent(random, profiles[user]),
      );
      allEvents[user].push(...batch);
      return {
        user,
        body: Buffer.from(
          JSON.stringify({
            batchId: `bench-otlp-${batchIds++}`,
            events: batch,
          }),
        ),
        items: BATCH_SIZE,
      };
    });

  const warmUp = {
    otlp: await otlp(WARM_UP_PER_USER * USERS),
    events: events(WARM_UP_PER_USER * USERS),
  };
  const phases: Array<{
    concurrency: number;
    round: number;
    otlp: Prepared[];
    events: Prepared[];
  }> = [];
  for (const concurrency of CONCURRENCY) {
    for (let round = 0; round < ROUNDS; round++) {
      phases.push({
        concurrency,
        round,
        otlp: await otlp(REQUESTS),
        events: events(BATCHES),
      });
    }
  }
  return { warmUp, phases, allEvents };
}

// --- The backend ---------------------------------------------------------------------------

type Target = { name: string; knex: Knex; cleanUp: () => Promise<void> };

async function sqliteTarget(dir: string): Promise<Target> {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: {
      filename: join(
        dir,
        `ai-telemetry-${randomBytes(4).toString('hex')}.sqlite`,
      ),
    },
    useNullAsDefault: true,
  });
  return { name: 'SQLite file', knex, cleanUp: () => knex.destroy() };
}

/** A new, empty database on the PostgreSQL server at `connectionString`. */
async function postgresTarget(connectionString: string): Promise<Target> {
  const admin = knexFactory({
    client: 'pg',
    connection: `${connectionString}/postgres`,
  });
  const database = `ai_telemetry_bench_${randomBytes(4).toString('hex')}`;
  await admin.raw('CREATE DATABASE ??', [database]);
  const knex = knexFactory({
    client: 'pg',
    connection: `${connectionString}/${database}`,
  });
  const { rows } = await knex.raw('SHOW fsync');
  return {
    name: `PostgreSQL 15 (fsync=${rows[0].fsync})`,
    knex,
    cleanUp: async () => {
      await knex.destroy();
      await admin.raw('DROP DATABASE ??', [database]);
      await admin.destroy();
    },
  };
}

/**
 * The plugin's events and OTLP routes under /api/ai-telemetry, as its router mounts them
 * (src/router.ts), without Backstage auth: callers bring telemetry tokens.
 */
async function serve(knex: Knex) {
  const database = {
    getClient: async () => knex,
  } as unknown as DatabaseService;
  const optIns = await DatabaseOptInStore.create({ database });
  const counters = await DatabaseCounterStore.create({ database });
  const streams = await DatabaseOtlpStreamStore.create({ database });
  const noBackstageAuth = {
    credentials: async () => {
      throw new Error('the benchmark sends telemetry tokens only');
    },
  } as unknown as HttpAuthService;
  const ingestion = new IngestionService({
    optIns,
    counters,
    settings: MAPPING,
  });
  const receiver = new OtlpReceiver({
    optIns,
    streams,
    pseudonymKey: 'benchmark-pseudonym-key-0123456789',
    settings: MAPPING,
  });
  const app = express();
  app.use(API, createEventsRouter({ httpAuth: noBackstageAuth, ingestion }));
  app.use(
    API,
    createOtlpRouter({ httpAuth: noBackstageAuth, ingestion, receiver }),
  );
  app.use(((error, _req, res, _next) => {
    res.status(error.statusCode ?? 500).json({ error: String(error) });
  }) as express.ErrorRequestHandler);
  return {
    server: await startHttpServer(app),
    optInService: optInServiceWithoutErasure(optIns),
    streams,
  };
}

/** Sends `requests` with `concurrency` senders; checks and tallies every answer into `sent`. */
async function drive(options: {
  url: string;
  kind: Kind;
  requests: Prepared[];
  tokens: string[];
  concurrency: number;
  sent: Sent;
}): Promise<PhaseResult> {
  const { url, kind, requests, tokens, concurrency, sent } = options;
  const path = kind === 'otlp' ? OTLP_PATH : `${API}/v1/events`;
  const headers = (user: number): Record<string, string> => ({
    Authorization: `Bearer ${tokens[user]}`,
    'Content-Type':
      kind === 'otlp' ? 'application/x-protobuf' : 'application/json',
    ...(kind === 'otlp' && GZIP ? { 'Content-Encoding': 'gzip' } : {}),
  });
  const latenciesMs: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const { user, body } = requests[next++];
        const sentAt = process.hrtime.bigint();
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: headers(user),
          body,
        });
        const answer = Buffer.from(await res.arrayBuffer());
        latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        sent.statuses.set(res.status, (sent.statuses.get(res.status) ?? 0) + 1);
        const expected = kind === 'otlp' ? 200 : 202;
        if (res.status !== expected) {
          throw new Error(
            `${kind}: HTTP ${res.status} ${answer.toString('utf8')}`,
          );
        }
        if (kind === 'otlp') {
          const { partialSuccess } = decodeExportResponse(answer, 'protobuf');
          const rejected = Number(partialSuccess?.rejectedDataPoints ?? 0);
          sent.rejected += rejected;
          sent.responsesWithPartialSuccess += rejected > 0 ? 1 : 0;
        } else {
          const result = JSON.parse(answer.toString('utf8')) as {
            accepted: number;
            duplicate: boolean;
          };
          sent.accepted += result.accepted;
          sent.duplicates += result.duplicate ? 1 : 0;
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const items = requests.reduce((sum, r) => sum + r.items, 0);
  sent.requests += requests.length;
  sent.items += items;
  return { seconds, requests: requests.length, items, latenciesMs };
}

// --- The check -----------------------------------------------------------------------------

/** Sums of counters per metric, in thousandths, of the given users. */
async function countersOf(knex: Knex, userHashes: string[]) {
  const rows: Array<{ metric: string; milli: number | string }> = await knex(
    'counters',
  )
    .whereIn('user_hash', userHashes)
    .groupBy('metric')
    .select('metric')
    .sum({ milli: 'value_milli' });
  return new Map(rows.map(row => [row.metric, Number(row.milli)]));
}

/**
 * What the OTLP exports sent should have added, by the receiver's own mapping: each stream's
 * delta points summed, and its total counted once (as incrementMilli adds it up); the refused
 * points by reason.
 */
function expectedFromOtlp(sent: Prepared[]) {
  const streams = new Map<
    string,
    { total: number; targets: { metric: string; factor: number }[] }
  >();
  const refused = new Map<string, number>();
  for (const { user, body } of sent) {
    const request = decodeExportRequest(GZIP ? gunzip(body) : body, 'protobuf');
    for (const point of dataPointsOf(request)) {
      const mapped = mapDataPoint(point, MAPPING);
      if (typeof mapped === 'string') {
        refused.set(mapped, (refused.get(mapped) ?? 0) + 1);
        continue;
      }
      const key = `${user}\n${point.identity}`;
      const stream = streams.get(key) ?? { total: 0, targets: mapped.targets };
      stream.total += mapped.point.value;
      streams.set(key, stream);
    }
  }
  const counters = new Map<string, number>();
  for (const { total, targets } of streams.values()) {
    for (const { metric, factor } of targets) {
      counters.set(
        metric,
        (counters.get(metric) ?? 0) + Math.round(total * factor * 1000),
      );
    }
  }
  return { counters, refused, streams: streams.size };
}

function expectedFromEvents(events: TelemetryEvent[][]) {
  const counters = new Map<string, number>();
  for (const userEvents of events) {
    for (const { metric, valueMilli } of toCounterIncrements(
      userEvents,
      MAPPING,
    )) {
      counters.set(metric, (counters.get(metric) ?? 0) + valueMilli);
    }
  }
  return counters;
}

/** "all equal (n metrics)" or the metrics that differ. */
function compareCounters(
  expected: Map<string, number>,
  counted: Map<string, number>,
) {
  const metrics = [...new Set([...expected.keys(), ...counted.keys()])].sort();
  const differing = metrics.filter(
    metric => (expected.get(metric) ?? 0) !== (counted.get(metric) ?? 0),
  );
  if (differing.length === 0) {
    return `all ${metrics.length} counters equal to what was sent (${metrics
      .map(metric => `${metric} ${fmt((counted.get(metric) ?? 0) / 1000, 3)}`)
      .join(', ')})`;
  }
  return `DIFFERENCES: ${differing
    .map(
      metric =>
        `${metric} expected ${fmt(
          (expected.get(metric) ?? 0) / 1000,
          3,
        )}, counted ${fmt((counted.get(metric) ?? 0) / 1000, 3)}`,
    )
    .join('; ')}`;
}

const statusText = (statuses: Map<number, number>) =>
  [...statuses.entries()]
    .map(([status, n]) => `${fmt(n)} × HTTP ${status}`)
    .join(', ');

// --- The run -------------------------------------------------------------------------------

type Workload = Awaited<ReturnType<typeof prepareWorkload>>;

async function benchTarget(target: Target, workload: Workload) {
  const { server, optInService, streams } = await serve(target.knex);
  try {
    const optIn = async (prefix: string) => {
      const tokens: string[] = [];
      const hashes: string[] = [];
      for (let u = 0; u < USERS; u++) {
        const response = await optInService.optIn(
          `user:default/${prefix}-${u}`,
        );
        tokens.push(response.token);
        hashes.push(response.userHash);
      }
      return { tokens, hashes };
    };
    const otlpUsers = await optIn('claude-code-developer');
    const eventUsers = await optIn('ide-developer');
    const tokens: Record<Kind, string[]> = {
      otlp: otlpUsers.tokens,
      events: eventUsers.tokens,
    };
    const sent: Record<Kind, Sent> = { otlp: emptySent(), events: emptySent() };
    const sentOtlp: Prepared[] = [];
    const run = (kind: Kind, requests: Prepared[], concurrency: number) => {
      if (kind === 'otlp') sentOtlp.push(...requests);
      return drive({
        url: server.url,
        kind,
        requests,
        tokens: tokens[kind],
        concurrency,
        sent: sent[kind],
      });
    };

    await run('otlp', workload.warmUp.otlp, 1);
    await run('events', workload.warmUp.events, 1);

    for (const concurrency of CONCURRENCY) {
      const results: Record<Kind, PhaseResult[]> = { otlp: [], events: [] };
      for (const phase of workload.phases.filter(
        p => p.concurrency === concurrency,
      )) {
        // Alternately first, so that neither kind always runs on a fresher database.
        const order: Kind[] =
          phase.round % 2 === 0 ? ['otlp', 'events'] : ['events', 'otlp'];
        for (const kind of order) {
          results[kind].push(await run(kind, phase[kind], concurrency));
        }
      }
      const line = (kind: Kind) => {
        const rs = results[kind];
        const itemRates = rs.map(r => r.items / r.seconds);
        const requestRates = rs.map(r => r.requests / r.seconds);
        const latencies = rs.flatMap(r => r.latenciesMs);
        const [itemName, requestName] =
          kind === 'otlp'
            ? ['data points/s', 'requests/s']
            : ['events/s', 'batches/s'];
        return {
          rate: median(itemRates),
          text: `${fmt(median(itemRates))} ${itemName} (${fmt(
            median(requestRates),
          )} ${requestName}; rounds ${itemRates
            .map(x => fmt(x))
            .join(' / ')}), latency p50 ${fmt(
            percentile(latencies, 0.5),
            1,
          )} ms, p99 ${fmt(percentile(latencies, 0.99), 1)} ms`,
        };
      };
      const otlp = line('otlp');
      const events = line('events');
      console.log(
        `   ${concurrency} sender${
          concurrency === 1 ? '' : 's'
        }, median of ${ROUNDS} rounds:`,
      );
      console.log(`     OTLP  : ${otlp.text}`);
      console.log(`     events: ${events.text}`);
      console.log(
        `     data points/s ÷ events/s = ${fmt(otlp.rate / events.rate, 2)}`,
      );
    }

    // The check: nothing refused that should have counted, and the counters hold what was sent.
    const expectedOtlp = expectedFromOtlp(sentOtlp);
    const dropped = await streams.droppedPoints();
    const refusedText = (
      counts: Map<string, number> | Record<string, number>,
    ) => {
      const entries =
        counts instanceof Map ? [...counts.entries()] : Object.entries(counts);
      return entries.length === 0
        ? 'none'
        : entries.map(([reason, n]) => `${reason} ${fmt(n)}`).join(', ');
    };
    const expectedRefused = [...expectedOtlp.refused.values()].reduce(
      (a, b) => a + b,
      0,
    );
    console.log(`   Check (everything sent, warm-up included):`);
    console.log(
      `     OTLP: ${fmt(sent.otlp.requests)} exports, ${fmt(
        sent.otlp.items,
      )} data points (${fmt(
        expectedOtlp.streams,
      )} streams); answers ${statusText(
        sent.otlp.statuses,
      )}; partialSuccess: ${fmt(
        sent.otlp.rejected,
      )} data points rejected in ${fmt(
        sent.otlp.responsesWithPartialSuccess,
      )} responses (${
        sent.otlp.rejected === expectedRefused ? 'as' : 'NOT as'
      } the mapping refuses: ${refusedText(
        expectedOtlp.refused,
      )}); dropped-points table: ${refusedText(dropped)}`,
    );
    console.log(
      `     OTLP counters: ${compareCounters(
        expectedOtlp.counters,
        await countersOf(target.knex, otlpUsers.hashes),
      )}`,
    );
    console.log(
      `     events: ${fmt(sent.events.requests)} batches, ${fmt(
        sent.events.items,
      )} events; answers ${statusText(sent.events.statuses)}; ${fmt(
        sent.events.accepted,
      )} events accepted, ${fmt(sent.events.duplicates)} duplicate batches`,
    );
    console.log(
      `     events counters: ${compareCounters(
        expectedFromEvents(workload.allEvents),
        await countersOf(target.knex, eventUsers.hashes),
      )}`,
    );
  } finally {
    await server.close();
  }
}

async function main() {
  const dir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-bench-otlp-'));
  const load = () =>
    loadavg()
      .map(l => l.toFixed(1))
      .join(' ');
  console.log(
    `AI Telemetry OTLP benchmark (Node ${process.version}, ${
      cpus().length
    } CPUs, load average ${load()}, data in ${dir})\n`,
  );
  const preparing = process.hrtime.bigint();
  const workload = await prepareWorkload();
  const otlpRequests = [
    ...workload.warmUp.otlp,
    ...workload.phases.flatMap(p => p.otlp),
  ];
  const points = otlpRequests.map(r => r.items);
  // The receiver's own count of each body's data points, to be sure the bodies say what they should.
  const decodedPoints = otlpRequests.reduce(
    (sum, r) =>
      sum +
      countDataPoints(
        decodeExportRequest(GZIP ? gunzip(r.body) : r.body, 'protobuf'),
      ),
    0,
  );
  const total = points.reduce((a, b) => a + b, 0);
  if (decodedPoints !== total) {
    throw new Error(
      `the bodies hold ${decodedPoints} data points, not ${total}`,
    );
  }
  const bytes = otlpRequests.map(r => r.body.length);
  const eventBytes = workload.phases
    .flatMap(p => p.events)
    .map(r => r.body.length);
  console.log(
    `OTLP: Claude Code's metrics recorded with @opentelemetry/sdk-metrics ${SDK_VERSION} (delta), ${USERS} users, one export per request (one collection, one ${EXPORT_INTERVAL_SECONDS} s interval), serialised by the ProtobufMetricsSerializer of @opentelemetry/otlp-transformer ${SERIALIZER_VERSION} (as @opentelemetry/exporter-metrics-otlp-proto ${EXPORTER_VERSION} sends), http/protobuf${
      GZIP ? ', gzip' : ', uncompressed (the SDK default)'
    }`,
  );
  console.log(
    `      ${fmt(
      REQUESTS,
    )} exports per round; data points per export: mean ${fmt(
      total / points.length,
      1,
    )}, median ${median(points)}, min ${Math.min(...points)}, max ${Math.max(
      ...points,
    )}; body mean ${fmt(
      bytes.reduce((a, b) => a + b, 0) / bytes.length / 1024,
      1,
    )} KB`,
  );
  console.log(
    `Events: POST /v1/events, ${fmt(
      BATCHES,
    )} batches of ${BATCH_SIZE} events per round, ${USERS} other users; body mean ${fmt(
      eventBytes.reduce((a, b) => a + b, 0) / eventBytes.length / 1024,
      1,
    )} KB`,
  );
  console.log(
    `Each database: ${WARM_UP_PER_USER} unmeasured requests of each kind per user, then per concurrency level ${ROUNDS} rounds, OTLP and events alternately first; latency over every request of the level. (Workload made in ${fmt(
      Number(process.hrtime.bigint() - preparing) / 1e9,
      1,
    )} s, before any measurement; senders and backend share this Node process, as in bench/ingestion.ts.)\n`,
  );

  const ownPostgres =
    DATABASES.includes('postgres') && !process.env[POSTGRES_ENV]
      ? new PostgresProcess({
          dir: await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-bench-postgres-')),
        })
      : undefined;
  try {
    for (const database of DATABASES) {
      let target: Target;
      if (database === 'sqlite') {
        target = await sqliteTarget(dir);
      } else if (database === 'postgres') {
        const connectionString =
          process.env[POSTGRES_ENV] ??
          (await ownPostgres!.start()).connectionString;
        target = await postgresTarget(connectionString);
        target.name += ownPostgres
          ? ` (the benchmark's own: ${POSTGRES_ENV} is not set)`
          : ` (${POSTGRES_ENV})`;
      } else {
        throw new Error(`--databases: unknown database ${database}`);
      }
      console.log(`${target.name}`);
      try {
        await benchTarget(target, workload);
      } finally {
        await target.cleanUp();
      }
      console.log('');
    }
    console.log(`Load average at the end: ${load()}`);
  } finally {
    await ownPostgres?.stop();
    await fs.rm(dir, { recursive: true, force: true });
    if (ownPostgres) {
      await fs.rm(ownPostgres.dir, { recursive: true, force: true });
    }
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
