/* eslint-disable no-console */
/**
 * Benchmark of the ingestion path (issue 3), not a test: prints, in one run,
 *  1. ingestion throughput (events/s) of POST /v1/events over HTTP, in batches of 100 events,
 *     into durable counters: a SQLite file, and PostgreSQL: the server that
 *     BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING points at (scripts/postgres.sh
 *     start), else one the benchmark starts itself;
 *  2. the time (median of several) and size of one scrape of GET /v1/metrics at 1,000 and
 *     10,000 opted-in users with 15 series each;
 *  3. the baseline: the seed's one-push-per-event path into a real Pushgateway (one group per
 *     user, 15 series each), in pushes/s at several group counts, and what 100 pushes of `1`
 *     to one group read back as.
 *
 * usage: yarn workspace @fawkes/plugin-ai-telemetry-backend bench
 *        [--batches N] [--scrape-users 1000,10000] [--pushgateway-groups 250,1000,2000]
 * Everything listens on 127.0.0.1, on ports the system picks, with data in a temporary folder.
 */
import {
  DatabaseService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  createRandom,
  developerProfile,
  PostgresProcess,
  randomEvent,
  startHttpServer,
  startPushgateway,
} from '@fawkes/ai-telemetry-test-utils';
import {
  ACTIVITIES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  METRICS,
} from '@fawkes/plugin-ai-telemetry-common';
import { randomBytes } from 'crypto';
import express from 'express';
import { promises as fs } from 'fs';
import http from 'http';
import knexFactory, { Knex } from 'knex';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import { parseArgs } from 'util';
import { gunzipSync } from 'zlib';
import { counterLabelsKey } from '../src/database/CounterStore';
import { DatabaseCounterStore } from '../src/database/DatabaseCounterStore';
import { DatabaseOptInStore } from '../src/database/DatabaseOptInStore';
import { createEventsRouter } from '../src/ingestion/createEventsRouter';
import { IngestionService } from '../src/ingestion/IngestionService';
import { createMetricsRouter } from '../src/metrics/createMetricsRouter';
import { MetricsService } from '../src/metrics/MetricsService';
import { optInServiceWithoutErasure } from '../src/__testUtils__/optInServiceWithoutErasure';

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '300' },
    'scrape-users': { type: 'string', default: '1000,10000' },
    'pushgateway-groups': { type: 'string', default: '250,1000,2000' },
  },
});
const BATCHES = Number(args.batches);
const SCRAPE_USERS = args['scrape-users']!.split(',').map(Number);
const PUSHGATEWAY_GROUPS = args['pushgateway-groups']!.split(',').map(Number);
const BATCH_SIZE = 100;
const SENDERS = 4;
const INGEST_USERS = 50;
const SCRAPES = 5;
const SHARDS = 4;
const PUSHES_PER_LEVEL = 100;
const POSTGRES_ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const kb = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${fmt(bytes / 1024 / 1024, 1)} MB`
    : `${fmt(bytes / 1024)} KB`;
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The benchmark's draws: the same on every run. */
const random = createRandom('ingestion-benchmark');

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

async function stores(knex: Knex) {
  const database = {
    getClient: async () => knex,
  } as unknown as DatabaseService;
  return {
    optIns: await DatabaseOptInStore.create({ database }),
    counters: await DatabaseCounterStore.create({ database }),
  };
}

/** The plugin's events and metrics routes, as the backend mounts them, without Backstage auth. */
async function serve(knex: Knex) {
  const { optIns, counters } = await stores(knex);
  const scrapePrincipal = {
    credentials: async () => ({
      principal: { type: 'service', subject: 'prometheus-scrape' },
    }),
  } as unknown as HttpAuthService;
  const app = express();
  app.use(
    createEventsRouter({
      httpAuth: scrapePrincipal,
      ingestion: new IngestionService({
        optIns,
        counters,
        settings: {
          languages: DEFAULT_LANGUAGES,
          assistants: DEFAULT_ASSISTANTS,
          secondsPerLine: 12,
        },
      }),
    }),
  );
  app.use(
    createMetricsRouter({
      httpAuth: scrapePrincipal,
      metrics: new MetricsService({
        counters,
        optIns,
        newSeriesZeroSeconds: 0,
      }),
      scrapeSubject: 'prometheus-scrape',
    }),
  );
  app.use(((error, _req, res, _next) => {
    res.status(error.statusCode ?? 500).json({ error: String(error) });
  }) as express.ErrorRequestHandler);
  return {
    server: await startHttpServer(app),
    optInService: optInServiceWithoutErasure(optIns),
  };
}

async function benchIngestion(target: Target): Promise<string> {
  const { server, optInService } = await serve(target.knex);
  try {
    const tokens: string[] = [];
    for (let i = 0; i < INGEST_USERS; i++) {
      tokens.push((await optInService.optIn(`user:default/bench-${i}`)).token);
    }
    const profiles = tokens.map(() => developerProfile(random));
    const bodies = Array.from({ length: BATCHES }, (_, i) =>
      JSON.stringify({
        batchId: `bench-${i}`,
        events: Array.from({ length: BATCH_SIZE }, () =>
          randomEvent(random, profiles[i % profiles.length]),
        ),
      }),
    );
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < bodies.length) {
          const i = next++;
          const res = await fetch(`${server.url}/v1/events`, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${tokens[i % tokens.length]}`,
              'Content-Type': 'application/json',
            },
            body: bodies[i],
          });
          if (res.status !== 202) {
            throw new Error(
              `batch ${i}: HTTP ${res.status} ${await res.text()}`,
            );
          }
          await res.arrayBuffer();
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const events = BATCHES * BATCH_SIZE;
    return `${fmt(events)} events in ${fmt(seconds, 2)} s → ${fmt(
      events / seconds,
    )} events/s (${fmt(BATCHES / seconds)} batches/s)`;
  } finally {
    await server.close();
  }
}

/** The 15 series of one user: 6 suggestion, 3 lines, 3 time-saved and 3 feature counters. */
function fifteenSeries(): Array<{ metric: string; labels: string }> {
  const series: Array<{ metric: string; labels: string }> = [];
  const add = (
    metric: (typeof METRICS)[keyof typeof METRICS],
    labels: Record<string, string>,
  ) => series.push({ metric, labels: counterLabelsKey(metric, labels) });
  for (const language of ['python', 'typescript', 'go']) {
    for (const accepted of ['true', 'false']) {
      add(METRICS.suggestions, { language, accepted, assistant: 'copilot' });
    }
    add(METRICS.linesGenerated, { language, assistant: 'copilot' });
  }
  for (const activity of ACTIVITIES) {
    add(METRICS.timeSaved, { activity, assistant: 'copilot' });
  }
  for (const feature of ['completion', 'chat', 'explain']) {
    add(METRICS.featureUsage, { feature, assistant: 'copilot' });
  }
  return series;
}

/** Adds opted-in users with 15 counters each, straight into the tables, until there are `users`. */
async function populate(knex: Knex, from: number, users: number) {
  const series = fifteenSeries();
  const old = new Date(Date.now() - 86_400_000);
  for (let start = from; start < users; start += 500) {
    const end = Math.min(users, start + 500);
    const optIns = [];
    const counters = [];
    for (let u = start; u < end; u++) {
      const userHash = randomBytes(32).toString('hex');
      optIns.push({
        user_entity_ref: `user:default/scrape-${u}`,
        user_hash: userHash,
        opted_in: true,
        since: old,
        created_at: old,
        updated_at: old,
      });
      for (const { metric, labels } of series) {
        counters.push({
          user_hash: userHash,
          metric,
          labels,
          value_milli: random.int(0, 4_999_999),
          first_seen: old,
          updated_at: old,
          zero_served_at: old,
        });
      }
    }
    await knex.batchInsert('opt_ins', optIns, 500);
    await knex.batchInsert('counters', counters, 500);
  }
}

/** GET as Prometheus does (Accept-Encoding: gzip): the body as it came over the wire. */
function getGzipped(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'Accept-Encoding': 'gzip' } }, res => {
        const parts: Buffer[] = [];
        res.on('data', part => parts.push(part));
        res.on('end', () =>
          res.statusCode === 200 && res.headers['content-encoding'] === 'gzip'
            ? resolve(Buffer.concat(parts))
            : reject(
                new Error(
                  `scrape answered ${res.statusCode} (${res.headers['content-encoding']})`,
                ),
              ),
        );
      })
      .on('error', reject);
  });
}

async function benchScrape(target: Target): Promise<string[]> {
  const { server } = await serve(target.knex);
  const lines: string[] = [];
  try {
    let populated = 0;
    for (const users of SCRAPE_USERS) {
      await populate(target.knex, populated, users);
      populated = users;
      const times: number[] = [];
      let wire = Buffer.alloc(0);
      for (let i = 0; i < SCRAPES; i++) {
        const started = process.hrtime.bigint();
        wire = await getGzipped(`${server.url}/v1/metrics`);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const body = gunzipSync(wire).toString('utf8');
      const samples = body
        .split('\n')
        .filter(l => l.startsWith('ai_copilot_')).length;
      lines.push(
        `${fmt(users)} users × 15 series: ${fmt(samples)} samples, ${kb(
          wire.length,
        )} gzipped on the wire (${kb(
          Buffer.byteLength(body),
        )} of text), median ${fmt(median(times))} ms of ${SCRAPES} (min ${fmt(
          Math.min(...times),
        )}, max ${fmt(Math.max(...times))})`,
      );
    }
    // The largest level again, split into shards as Prometheus would scrape them: one target
    // per shard, all at once.
    const times: number[] = [];
    let sizes: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      const started = process.hrtime.bigint();
      const parts = await Promise.all(
        Array.from({ length: SHARDS }, (_, shard) =>
          getGzipped(
            `${server.url}/v1/metrics?shard=${shard}&shards=${SHARDS}`,
          ),
        ),
      );
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      sizes = parts.map(part => part.length);
    }
    lines.push(
      `${fmt(populated)} users in ${SHARDS} shards scraped at once: ${sizes
        .map(kb)
        .join(' + ')} gzipped, all done in median ${fmt(
        median(times),
      )} ms of ${SCRAPES}`,
    );
  } finally {
    await server.close();
  }
  return lines;
}

function groupBody(): string {
  const value = () => random.int(0, 99);
  return `${fifteenSeries()
    .map(({ metric, labels }) => {
      const parsed = JSON.parse(labels) as Record<string, string>;
      const text = Object.entries(parsed)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      return `${metric}{${text}} ${value()}`;
    })
    .join('\n')}\n`;
}

const ONE_EVENT =
  'ai_copilot_suggestions_total{language="python",accepted="true",assistant="copilot"} 1\n';

async function benchPushgateway(dir: string): Promise<string[]> {
  // The seed's push: one event as `... 1` to the user's group (curl --data-binary is a POST).
  const pushgateway = await startPushgateway({ dir: join(dir, 'pushgateway') });
  const lines: string[] = [];
  try {
    const hashes: string[] = [];
    for (const groups of PUSHGATEWAY_GROUPS) {
      while (hashes.length < groups) {
        const hash = randomBytes(32).toString('hex');
        hashes.push(hash);
        await pushgateway.push('ai_telemetry', hash, groupBody(), 'POST');
      }
      const started = process.hrtime.bigint();
      for (let i = 0; i < PUSHES_PER_LEVEL; i++) {
        await pushgateway.push(
          'ai_telemetry',
          random.pick(hashes),
          ONE_EVENT,
          'POST',
        );
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      lines.push(
        `${fmt(groups)} groups: ${fmt(
          PUSHES_PER_LEVEL / seconds,
          1,
        )} pushes/s (${PUSHES_PER_LEVEL} pushes in ${fmt(seconds, 2)} s)`,
      );
    }

    const hash = randomBytes(32).toString('hex');
    for (let i = 0; i < 100; i++) {
      await pushgateway.push('ai_telemetry', hash, ONE_EVENT, 'POST');
    }
    const exposition = await (await fetch(`${pushgateway.url}/metrics`)).text();
    const line = exposition
      .split('\n')
      .find(
        l => l.startsWith('ai_copilot_suggestions_total{') && l.includes(hash),
      );
    lines.push(
      `100 pushes of "ai_copilot_suggestions_total{language=python,...} 1" to one group read back as: ${
        line?.split(' ').pop() ?? 'nothing'
      }`,
    );
  } finally {
    await pushgateway.stop();
  }
  return lines;
}

async function main() {
  const dir = await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-bench-'));
  const load = () =>
    loadavg()
      .map(l => l.toFixed(1))
      .join(' ');
  console.log(
    `AI Telemetry ingestion benchmark (Node ${process.version}, ${
      cpus().length
    } CPUs, load average ${load()}, data in ${dir})\n`,
  );
  // A root benchmark runs PostgreSQL as the postgres user, who cannot enter `dir`.
  const ownPostgres = process.env[POSTGRES_ENV]
    ? undefined
    : new PostgresProcess({
        dir: await fs.mkdtemp(join(tmpdir(), 'ai-telemetry-bench-postgres-')),
      });
  try {
    const connectionString =
      process.env[POSTGRES_ENV] ??
      (await ownPostgres!.start()).connectionString;
    console.log(
      `PostgreSQL: ${
        ownPostgres
          ? `the benchmark's own (${POSTGRES_ENV} is not set)`
          : `${connectionString} (${POSTGRES_ENV})`
      }\n`,
    );
    // Every part starts from an empty database of each kind.
    const targets = async (): Promise<Target[]> => [
      await sqliteTarget(dir),
      await postgresTarget(connectionString),
    ];

    console.log(
      `1. Ingestion: POST /v1/events over HTTP, ${fmt(
        BATCHES,
      )} batches of ${BATCH_SIZE} events, ${SENDERS} concurrent senders, ${INGEST_USERS} users, each batch one transaction`,
    );
    for (const target of await targets()) {
      console.log(`   ${target.name}: ${await benchIngestion(target)}`);
      await target.cleanUp();
    }

    console.log(
      `\n2. One scrape of GET /v1/metrics (text format 0.0.4), median of ${SCRAPES}`,
    );
    for (const target of await targets()) {
      for (const line of await benchScrape(target)) {
        console.log(`   ${target.name}, ${line}`);
      }
      await target.cleanUp();
    }

    console.log(
      '\n3. Baseline: the seed’s path, one Pushgateway push per event, one group per user (15 series each)',
    );
    for (const line of await benchPushgateway(dir)) {
      console.log(`   ${line}`);
    }
    console.log(`\nLoad average at the end: ${load()}`);
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
