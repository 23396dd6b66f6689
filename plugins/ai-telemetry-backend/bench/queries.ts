/* eslint-disable no-console */
/**
 * Benchmark of the query path (issues 4 and 14), not a test. On the demo generator's
 * organisation at size (default 10,000 developers × 90 days, one sample an hour), backfilled
 * into a Prometheus of its own with the recording rules backfilled alongside, all within
 * Prometheus's default limits (--query.max-samples 50 M), it prints side by side the medians of
 * several runs of:
 *  1. the seed's dashboard: its README's PromQL for every panel, sent straight to Prometheus at
 *     once, as Grafana would (each query's own median too; the queries that fail are listed
 *     with Prometheus's error and left out of the dashboard's time);
 *  2. our GET /v1/dashboard over the same 90 days, cold (the backend's cache emptied before
 *     each run);
 *  3. our GET /v1/dashboard, warm (answered from the cache);
 *  4. our GET /v1/dashboard?range=90d, cold: the last 90 days up to now, as the portal asks;
 * and the ratio cold / seed (issue 14's target: at most 0.05).
 *
 * Our side is the real plugin in a Backstage test backend (bench/benchBackend.ts): its router,
 * auth, QueryService and cache, with every developer opted in through its API.
 *
 * usage: yarn workspace @fawkes/plugin-ai-telemetry-backend bench:queries
 *        [--users 10000] [--days 90] [--step 1h] [--runs 5] [--batch-users 1000]
 *        [--max-minutes 240] [--profile cold.cpuprofile] [--ours-only]
 * (--profile: a CPU profile of the backend's process over the timed cold runs, for Chromium's
 * DevTools, and its ten functions with the most time of their own printed.)
 * The TSDB is kept in .data/bench-queries/<users>x<days>d[-<step>]/ and reused by later runs
 * (delete it to generate again; an interrupted preparation resumes after its last finished
 * batch). Preparing 10,000 × 90 d at 1 h (451 M samples) took 56 minutes on a shared 2-core
 * machine (generation 26 min and promtool 49 min of work, overlapped; the recording rules 4 min
 * in 78 week-long range queries; compaction 2 min); it needs ~20 GB of free disk while it runs
 * (two batches of OpenMetrics text) and keeps 0.6 GB. A run on the prepared set then takes
 * about 13 minutes (10,000 opt-ins, the seed's failing queries take ~2 minutes to fail).
 * Prometheus and the backend listen on 127.0.0.1 / localhost on free ports and are stopped at
 * the end. The whole run stops after --max-minutes.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { Session } from 'inspector';
import { cpus, loadavg } from 'os';
import { join } from 'path';
import { parseArgs } from 'util';
import {
  ALERT_RULES_FILE,
  listBlocks,
  prepareDemoTsdb,
  readOrg,
  REPO_ROOT,
  setPrometheus,
} from './benchData';
import { optInAll, startBenchBackend } from './benchBackend';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    days: { type: 'string', default: '90' },
    step: { type: 'string', default: '1h' },
    runs: { type: 'string', default: '5' },
    'batch-users': { type: 'string', default: '1000' },
    'max-minutes': { type: 'string', default: '240' },
    /** Writes a CPU profile of this process (the backend) over the cold runs to this file. */
    profile: { type: 'string' },
    /** Times only our cold and warm dashboard (no seed queries, no ratio): for quick iterations. */
    'ours-only': { type: 'boolean', default: false },
  },
});
const USERS = Number(args.users);
const DAYS = Number(args.days);
const RUNS = Math.max(3, Number(args.runs));
const STEP_SECONDS: Record<string, number> = {
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
};
const STEP = STEP_SECONDS[args.step];
if (!STEP)
  throw new Error(
    `--step must be one of ${Object.keys(STEP_SECONDS).join(', ')}`,
  );
/** The pseudonym key of the set and of the backend (32+ characters, as outside development). */
const KEY = 'fawkes-benchmark-pseudonym-key-0123456789';
const DAY = 86400;

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(0);

/** Times `fn`, in milliseconds. */
async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

type SeedQuery = {
  name: string;
  path: 'query' | 'query_range';
  params: Record<string, string>;
};

/**
 * The seed's dashboard (/work/shared/seed/ai-telemetry-dashboard.md): its PromQL for each
 * panel, over the window (range queries every 2 hours, as a Grafana panel of that width would
 * ask). The README names a 7-day moving average but gives no query for it, so none is sent:
 * the seed's side is, if anything, light.
 */
function seedQueries(start: number, end: number): SeedQuery[] {
  const instant = (name: string, query: string): SeedQuery => ({
    name,
    path: 'query',
    params: { query, time: String(end) },
  });
  const range = (name: string, query: string, step: number): SeedQuery => ({
    name,
    path: 'query_range',
    params: {
      query,
      start: String(start + step),
      end: String(end),
      step: String(step),
    },
  });
  const w = `${end - start}s`;
  return [
    // Overview: total suggestions, acceptance rate, active users, top 5 languages.
    instant(
      'overview: total suggestions',
      `sum(increase(ai_copilot_suggestions_total[${w}]))`,
    ),
    instant(
      'overview: acceptance rate',
      `sum(increase(ai_copilot_suggestions_total{accepted="true"}[${w}])) / sum(increase(ai_copilot_suggestions_total[${w}]))`,
    ),
    instant(
      'overview: active users',
      `count(sum by (user_hash) (increase(ai_copilot_suggestions_total[${w}])) > 0)`,
    ),
    instant(
      'overview: top 5 languages',
      `topk(5, sum by (language) (increase(ai_copilot_suggestions_total[${w}])))`,
    ),
    // Acceptance rate chart: overall and by language (the seed's 1h rate), every 2 h.
    range(
      'acceptance rate chart',
      'sum(rate(ai_copilot_suggestions_total{accepted="true"}[1h])) / sum(rate(ai_copilot_suggestions_total[1h]))',
      7200,
    ),
    range(
      'acceptance rate by language',
      'sum by (language) (rate(ai_copilot_suggestions_total{accepted="true"}[1h])) / sum by (language) (rate(ai_copilot_suggestions_total[1h]))',
      7200,
    ),
    // Lines of code per day by language.
    range(
      'lines generated per day',
      'sum(increase(ai_copilot_lines_generated[1d])) by (language)',
      DAY,
    ),
    // Time saved.
    instant('time saved (hours)', 'sum(ai_copilot_time_saved_seconds) / 3600'),
    instant(
      'time saved by activity',
      `sum by (activity) (increase(ai_copilot_time_saved_seconds[${w}])) / 3600`,
    ),
    // Feature usage.
    range(
      'feature usage',
      'sum(rate(ai_copilot_feature_usage[1h])) by (feature)',
      7200,
    ),
  ];
}

/** Sends one seed query; resolves to its time, or to Prometheus's error. */
async function runSeedQuery(
  url: string,
  q: SeedQuery,
): Promise<{ ms: number; error?: string }> {
  const [time, error] = await timed(async () => {
    const res = await fetch(`${url}/api/v1/${q.path}`, {
      method: 'POST',
      body: new URLSearchParams(q.params),
    });
    const body = (await res.json()) as {
      status: string;
      error?: string;
      errorType?: string;
    };
    return body.status === 'success'
      ? undefined
      : `HTTP ${res.status} ${body.errorType}: ${body.error}`;
  });
  return { ms: time, error };
}

type LoggedQuery = {
  query: string;
  ms: number;
  peakSamples: number;
  error?: string;
};

function logSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** The entries of Prometheus's query log from byte `from` on. */
function readQueryLog(file: string, from: number): LoggedQuery[] {
  if (!existsSync(file)) return [];
  return readFileSync(file)
    .subarray(from)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const e = JSON.parse(line) as {
        params?: { query?: string };
        error?: unknown;
        stats?: {
          timings?: { execTotalTime?: number };
          samples?: { peakSamples?: number };
        };
      };
      return {
        query: e.params?.query ?? '?',
        ms: (e.stats?.timings?.execTotalTime ?? NaN) * 1000,
        peakSamples: e.stats?.samples?.peakSamples ?? 0,
        ...(e.error !== undefined && { error: String(e.error) }),
      };
    });
}

/** A CPU profile of this process (node:inspector), written as .cpuprofile when stopped. */
async function startProfile() {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      type Node = {
        id: number;
        callFrame: { functionName: string; url: string; lineNumber: number };
      };
      const nodes = new Map<number, Node>(
        (profile.nodes as Node[]).map(n => [n.id, n]),
      );
      const self = new Map<string, number>();
      const samples = profile.samples as number[];
      const deltas = profile.timeDeltas as number[];
      samples.forEach((id, i) => {
        const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
        const name = `${functionName || '(anonymous)'} ${url
          .split('/')
          .slice(-2)
          .join('/')}:${lineNumber + 1}`;
        self.set(name, (self.get(name) ?? 0) + (deltas[i] ?? 0) / 1000);
      });
      console.log(
        `\nCPU profile of the cold runs: ${file}; most time of their own:`,
      );
      [...self.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .forEach(([name, msTotal]) =>
          console.log(`  ${ms(msTotal / RUNS).padStart(9)} a run  ${name}`),
        );
    },
  };
}

type DashboardBody = {
  panels?: Record<
    string,
    {
      queries?: Array<{ source: string }>;
      error?: { name: string; message: string; statusCode: number };
    }
  >;
  tooFewParticipants?: boolean;
  error?: { name: string; message: string };
};

async function main() {
  const deadline = setTimeout(() => {
    console.error(`stopped after --max-minutes ${args['max-minutes']}`);
    process.exit(2);
  }, Number(args['max-minutes']) * 60_000);
  deadline.unref();
  const began = performance.now();
  console.log(
    `bench:queries: ${USERS} developers × ${DAYS} days, a sample every ${args.step}; ` +
      `${cpus().length} cores, load ${loadavg()
        .map(l => l.toFixed(2))
        .join(' ')}`,
  );

  const home = join(
    REPO_ROOT,
    '.data',
    'bench-queries',
    `${USERS}x${DAYS}d${STEP === 3600 ? '' : `-${args.step}`}`,
  );
  const set = await prepareDemoTsdb(
    {
      home,
      users: USERS,
      days: DAYS,
      step: STEP,
      end: Math.floor(Date.now() / 1000 / DAY) * DAY,
      key: KEY,
      batchUsers: Number(args['batch-users']),
    },
    message => console.log(message),
  );
  if (set.reused) {
    console.log(
      `data: reusing ${home} (prepared ${set.generatedAt}; delete it to prepare again)`,
    );
  } else {
    console.log(
      `data: prepared in ${secondsSince(began)} s (${Object.entries(set.timings)
        .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
        .join(', ')})`,
    );
  }
  console.log(`data: ${listBlocks(set.dataDir).length} TSDB blocks`);

  const org = readOrg(set.orgFile);
  // Prometheus's query log: each query's time, peak samples and error, for the report.
  const queryLog = join(set.home, 'query.log');
  rmSync(queryLog, { force: true });
  const engine = setPrometheus(set, {
    global: { evaluation_interval: '30s', query_log_file: queryLog },
    rule_files: [ALERT_RULES_FILE],
  });
  let backend: Awaited<ReturnType<typeof startBenchBackend>> | undefined;
  const stop = async () => {
    await backend?.stop();
    await engine.stop();
  };
  process.once('SIGINT', () => stop().then(() => process.exit(130)));
  try {
    await engine.start();
    backend = await startBenchBackend({
      prometheusUrl: engine.url,
      pseudonymKey: KEY,
      org,
      // The set may have been prepared days ago: let the backend show all of it.
      retentionDays: 3650,
    });
    let started = performance.now();
    // The activity index reads the per-developer daily rules' days once on start (and then only
    // the new days): wait for it, as a backend that has run for a while has it.
    const indexed = await backend.waitForLog(/^activity index: read/);
    console.log(
      `backend: ${indexed} (waited ${secondsSince(started)} s after start)`,
    );
    started = performance.now();
    await optInAll(
      backend,
      org.users.map(u => `user:default/${u.name}`),
    );
    console.log(
      `backend: ${
        org.users.length
      } developers opted in through PUT /v1/me/opt-in in ${secondsSince(
        started,
      )} s`,
    );

    const start = set.end - DAYS * DAY;
    const seed = seedQueries(start, set.end);
    const dashboardUrl = `${backend.api}/v1/dashboard?from=${start}&to=${set.end}`;
    const authorization = backend.authorization('user:default/guest');
    const getDashboard = async () => {
      const res = await fetch(dashboardUrl, { headers: { authorization } });
      const text = await res.text();
      let body: DashboardBody;
      try {
        body = JSON.parse(text);
      } catch {
        body = { error: { name: 'NotJson', message: text.slice(0, 300) } };
      }
      return { status: res.status, bytes: Buffer.byteLength(text), body };
    };
    /** The panels that failed in an answer, as "panel: name (status) message". */
    const failures = (answer: Awaited<ReturnType<typeof getDashboard>>) => {
      if (answer.status !== 200)
        return [
          `HTTP ${answer.status}: ${JSON.stringify(
            answer.body.error ?? answer.body,
          ).slice(0, 500)}`,
        ];
      return Object.entries(answer.body.panels ?? {})
        .filter(([, p]) => p.error)
        .map(
          ([id, p]) =>
            `panel ${id}: ${p.error!.name} (${p.error!.statusCode}) ${
              p.error!.message
            }`,
        );
    };

    console.log(
      `\n${USERS} developers × ${DAYS} days; ${RUNS} timed runs of each (after one untimed run)`,
    );

    // The seed: each query once, untimed, to warm Prometheus and to find those that fail.
    started = performance.now();
    const first = args['ours-only']
      ? seed.map(() => ({ ms: NaN, error: 'left out (--ours-only)' }))
      : await Promise.all(seed.map(q => runSeedQuery(engine.url, q)));
    const answering = seed.filter((_, i) => !first[i].error);
    const failing = seed
      .map((q, i) => ({ q, first: first[i] }))
      .filter(x => x.first.error);
    console.log(
      `seed warm-up run: ${secondsSince(started)} s; ${answering.length} of ${
        seed.length
      } queries answer`,
    );
    for (const { q, first: f } of failing) {
      console.log(
        `  FAILS: ${q.name} (${q.path}) after ${ms(f.ms)}: ${
          f.error
        }\n         ${q.params.query}`,
      );
    }

    const seedTotals: number[] = [];
    const perQuery = new Map<string, number[]>(
      answering.map(q => [q.name, []]),
    );
    for (let i = 0; i < RUNS; i++) {
      const [total, results] = await timed(() =>
        Promise.all(answering.map(q => runSeedQuery(engine.url, q))),
      );
      results.forEach((r, j) => {
        if (r.error)
          throw new Error(
            `seed query ${answering[j].name} failed on run ${i + 1}: ${
              r.error
            }`,
          );
        perQuery.get(answering[j].name)!.push(r.ms);
      });
      seedTotals.push(total);
    }

    const seedLog = readQueryLog(queryLog, 0);
    const oursFrom = logSize(queryLog);

    // Ours, cold: the cache emptied before each run; one untimed run first.
    backend.clearCache();
    const warmUp = await getDashboard();
    const warmUpFailures = failures(warmUp);
    const cold: number[] = [];
    const coldFailures: string[][] = [];
    let last = warmUp;
    const profiler = args.profile ? await startProfile() : undefined;
    for (let i = 0; i < RUNS; i++) {
      backend.clearCache();
      const [time, answer] = await timed(getDashboard);
      cold.push(time);
      coldFailures.push(failures(answer));
      last = answer;
    }
    if (profiler && args.profile) await profiler.stop(args.profile);
    const warm: number[] = [];
    const warmFailures: string[][] = [];
    for (let i = 0; i < RUNS; i++) {
      const [time, answer] = await timed(getDashboard);
      warm.push(time);
      warmFailures.push(failures(answer));
    }

    // The same cold, for the last 90 days up to now, as the portal asks by default: the set's
    // days and the days since it was prepared (no data), today's running day and hour included.
    const liveUrl = `${backend.api}/v1/dashboard?range=90d`;
    const live: number[] = [];
    const liveFailures: string[][] = [];
    for (let i = 0; i < RUNS; i++) {
      backend.clearCache();
      const [time, answer] = await timed(async () => {
        const res = await fetch(liveUrl, { headers: { authorization } });
        const text = await res.text();
        return {
          status: res.status,
          bytes: Buffer.byteLength(text),
          body: JSON.parse(text) as DashboardBody,
        };
      });
      live.push(time);
      liveFailures.push(failures(answer));
    }
    const sources = Object.values(last.body.panels ?? {}).flatMap(p =>
      (p.queries ?? []).map(q => q.source),
    );
    const seedMedian = median(seedTotals);
    const coldMedian = median(cold);
    const list = (xs: number[]) => `[${xs.map(ms).join(', ')}]`;

    console.log("\nthe seed's queries, straight to Prometheus (medians):");
    for (const q of answering) {
      console.log(
        `  ${ms(median(perQuery.get(q.name)!)).padStart(9)}  ${q.name} (${
          q.path
        })`,
      );
    }
    for (const { q } of failing) {
      console.log(`     failed  ${q.name} (${q.path})`);
    }
    console.log(`\n${'what'.padEnd(66)} ${'median'.padStart(9)}  runs`);
    console.log(
      `${`seed's dashboard (${answering.length} answering queries at once)`.padEnd(
        58,
      )} ${ms(seedMedian).padStart(9)}  ${list(seedTotals)}`,
    );
    console.log(
      `${`our GET /v1/dashboard, cold (${
        sources.filter(s => s === 'recording-rule').length
      } of ${sources.length} queries on recording rules)`.padEnd(66)} ${ms(
        coldMedian,
      ).padStart(9)}  ${list(cold)}`,
    );
    console.log(
      `${'our GET /v1/dashboard, warm'.padEnd(66)} ${ms(median(warm)).padStart(
        9,
      )}  ${list(warm)}`,
    );
    console.log(
      `${'our GET /v1/dashboard?range=90d (up to now), cold'.padEnd(66)} ${ms(
        median(live),
      ).padStart(9)}  ${list(live)}`,
    );
    console.log(
      `ratio cold / seed: ${(coldMedian / seedMedian).toFixed(
        3,
      )} (target ≤ 0.05: ${
        coldMedian / seedMedian <= 0.05 ? 'met' : 'NOT met'
      }); warm / seed ${(median(warm) / seedMedian).toFixed(4)}; answer ${(
        last.bytes / 1000
      ).toFixed(1)} KB`,
    );

    // Where the answer's bytes are: each panel's figures and its queries' PromQL.
    const sizes = Object.entries(last.body.panels ?? {})
      .map(([id, p]) => {
        const { queries, ...rest } = p as Record<string, unknown>;
        return {
          id,
          figures: Buffer.byteLength(JSON.stringify(rest)),
          queries: Buffer.byteLength(JSON.stringify(queries ?? [])),
        };
      })
      .sort((a, b) => b.figures + b.queries - a.figures - a.queries);
    console.log(
      `answer by panel (figures + PromQL shown): ${sizes
        .map(
          s =>
            `${s.id} ${(s.figures / 1000).toFixed(1)} + ${(
              s.queries / 1000
            ).toFixed(1)} KB`,
        )
        .join(', ')}`,
    );

    console.log(
      `\nthe seed's queries in Prometheus's query log (all runs): median execTotalTime, largest peakSamples (limit 50,000,000):`,
    );
    for (const q of seed) {
      const entries = seedLog.filter(e => e.query === q.params.query);
      const errors = [
        ...new Set(entries.flatMap(e => (e.error ? [e.error] : []))),
      ];
      console.log(
        `  ${ms(median(entries.map(e => e.ms)) || NaN).padStart(
          9,
        )}  peak ${String(
          Math.max(0, ...entries.map(e => e.peakSamples)),
        ).padStart(10)}  ${q.name}${
          errors.length ? `  ERROR: ${errors.join('; ')}` : ''
        }`,
      );
    }
    const oursLog = readQueryLog(queryLog, oursFrom);
    const byQuery = new Map<string, LoggedQuery[]>();
    for (const e of oursLog) {
      if (!byQuery.has(e.query)) byQuery.set(e.query, []);
      byQuery.get(e.query)!.push(e);
    }
    const rows = [...byQuery.entries()]
      .map(([query, entries]) => ({
        query,
        count: entries.length,
        median: median(entries.map(e => e.ms)),
        max: Math.max(...entries.map(e => e.ms)),
        peak: Math.max(0, ...entries.map(e => e.peakSamples)),
        errors: [...new Set(entries.flatMap(e => (e.error ? [e.error] : [])))],
      }))
      .sort((a, b) => b.median - a.median);
    console.log(
      `\nour dashboard's queries in Prometheus's query log (untimed, cold and warm runs: ${oursLog.length} queries, ${rows.length} distinct), slowest first and every one that failed:`,
    );
    console.log(
      `  ${'median'.padStart(9)} ${'max'.padStart(9)} ${'peakSamples'.padStart(
        11,
      )}  n  query`,
    );
    rows
      .filter((r, i) => i < 15 || r.errors.length > 0)
      .forEach(r =>
        console.log(
          `  ${ms(r.median).padStart(9)} ${ms(r.max).padStart(9)} ${String(
            r.peak,
          ).padStart(11)} ${String(r.count).padStart(2)}  ${
            r.query.length > 220 ? `${r.query.slice(0, 220)}…` : r.query
          }${
            r.errors.length
              ? `\n${' '.repeat(38)}ERROR: ${r.errors.join('; ')}`
              : ''
          }`,
        ),
      );

    const allFailures = [
      ...warmUpFailures.map(f => `untimed run: ${f}`),
      ...coldFailures.flatMap((fs, i) =>
        fs.map(f => `cold run ${i + 1}: ${f}`),
      ),
      ...liveFailures.flatMap((fs, i) =>
        fs.map(f => `cold run up to now ${i + 1}: ${f}`),
      ),
      ...warmFailures.flatMap((fs, i) =>
        fs.map(f => `warm run ${i + 1}: ${f}`),
      ),
    ];
    if (allFailures.length > 0) {
      console.log(`\nour dashboard's failures (${allFailures.length}):`);
      for (const f of allFailures) console.log(`  ${f}`);
      process.exitCode = 1;
    } else {
      console.log('our dashboard: every panel answered in every run');
    }
    console.log(`\nwhole run: ${secondsSince(began)} s`);
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(),
  error => {
    console.error(error);
    process.exit(1);
  },
);
