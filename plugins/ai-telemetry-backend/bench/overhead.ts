/* eslint-disable no-console */
/**
 * Benchmark of the backend's own overhead (issue 14), not a test. Against the real plugin in a
 * Backstage test backend (bench/benchBackend.ts: its router, OpenAPI validation, auth, the
 * QueryService, the cache, the database) on a realistic set (default 300 developers × 90 days,
 * a sample every 15 minutes, generated and backfilled as bench:queries does), it prints:
 *  1. the warm GET /v1/dashboard (answered from the cache) beside Backstage's own floor in the
 *     same process: GET /api/bench-floor/ping, a route of a one-route plugin of the benchmark
 *     that authenticates the user token and answers `{ ok, user }`; medians and their ratio for
 *     each named range (target: at most 3×);
 *  2. a raw query's overhead: POST /v1/query (a cache miss each time: every run asks a window
 *     one step earlier than the last) minus the same PromQL over the same window sent straight
 *     to Prometheus's /api/v1/query_range, runs interleaved; medians (target: at most 2 ms);
 *  3. the JSON size of every dashboard answer: each named range (24h, 7d, 30d, 90d) with no
 *     filter, each language and each assistant, the largest per range and per filter, and the
 *     largest of all (target: at most 100 KB, with 1 KB = 1,000 bytes, uncompressed; gzip sizes
 *     beside them, as the backend sends them to a client that takes gzip).
 *
 * usage: yarn workspace @fawkes/plugin-ai-telemetry-backend bench:overhead
 *        [--users 300] [--days 90] [--step 15m] [--runs 100] [--max-age-hours 3]
 * The set is kept in .data/bench-overhead/<users>x<days>d-<step>/ and made again when its last
 * sample is more than --max-age-hours old (the named ranges end now). Prometheus and the
 * backend listen on 127.0.0.1 / localhost on free ports and are stopped at the end.
 */
import {
  DASHBOARD_RANGES,
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { existsSync, readFileSync, rmSync, statSync } from 'fs';
import { cpus, loadavg } from 'os';
import { join } from 'path';
import { parseArgs } from 'util';
import { gzipSync } from 'zlib';
import {
  ALERT_RULES_FILE,
  prepareDemoTsdb,
  readOrg,
  REPO_ROOT,
  setPrometheus,
} from './benchData';
import { optInAll, startBenchBackend } from './benchBackend';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '300' },
    days: { type: 'string', default: '90' },
    step: { type: 'string', default: '15m' },
    runs: { type: 'string', default: '100' },
    'max-age-hours': { type: 'string', default: '3' },
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
const KEY = 'fawkes-benchmark-pseudonym-key-0123456789';
const HOUR = 3600;
/** The warm runs of a range stop after this, before the 5-minute cache entries expire. */
const WARM_LOOP_LIMIT_MS = 4 * 60_000;

/** How many queries Prometheus has answered so far (instant and range). */
async function prometheusQueries(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter(l =>
      /^prometheus_http_requests_total\{.*handler="\/api\/v1\/query(_range)?"/.test(
        l,
      ),
    )
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor(q * xs.length))
  ];
const msText = (x: number) => `${x.toFixed(2)} ms`;
const secondsSince = (t: number) => ((performance.now() - t) / 1000).toFixed(0);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

async function main() {
  const began = performance.now();
  console.log(
    `bench:overhead: ${USERS} developers × ${DAYS} days, a sample every ${args.step}; ` +
      `${cpus().length} cores, load ${loadavg()
        .map(l => l.toFixed(2))
        .join(' ')}`,
  );
  const home = join(
    REPO_ROOT,
    '.data',
    'bench-overhead',
    `${USERS}x${DAYS}d-${args.step}`,
  );
  const now = Date.now() / 1000;
  const readyFile = join(home, 'ready.json');
  if (existsSync(readyFile)) {
    const { end } = JSON.parse(readFileSync(readyFile, 'utf8'));
    const ageHours = (now - end) / HOUR;
    if (ageHours > Number(args['max-age-hours'])) {
      console.log(
        `data: ${home} ends ${ageHours.toFixed(1)} h ago; making it again`,
      );
      rmSync(home, { recursive: true, force: true });
    }
  }
  const set = await prepareDemoTsdb(
    {
      home,
      users: USERS,
      days: DAYS,
      step: STEP,
      end: Math.floor(now / HOUR) * HOUR,
      key: KEY,
      batchUsers: 1000,
    },
    message => console.log(message),
  );
  console.log(
    set.reused
      ? `data: reusing ${home} (prepared ${set.generatedAt}, last sample ${(
          (now - set.end) /
          HOUR
        ).toFixed(1)} h ago)`
      : `data: prepared in ${secondsSince(began)} s (${Object.entries(
          set.timings,
        )
          .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
          .join(', ')})`,
  );

  const org = readOrg(set.orgFile);
  // Prometheus's query log tells what the raw query's overhead is made of (one line a query).
  const queryLog = join(home, 'query.log');
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
    });
    await optInAll(
      backend,
      org.users.map(u => `user:default/${u.name}`),
    );
    // One user per part, so that no part meets the portal's limit of requests a minute per
    // user (aiTelemetry.limits.portal.requestsPerMinute) that an earlier part used up.
    const authorization = backend.authorization('user:default/guest');
    const rawAuthorization = backend.authorization('user:default/bench-raw');
    const sizeAuthorization = backend.authorization('user:default/bench-sizes');
    const get = async (url: string, as = authorization) => {
      const res = await fetch(url, { headers: { authorization: as } });
      const text = await res.text();
      if (res.status !== 200)
        throw new Error(`${url} answered ${res.status}: ${text.slice(0, 500)}`);
      return text;
    };
    const dashboard = (query: string) =>
      `${backend!.api}/v1/dashboard${query ? `?${query}` : ''}`;

    // 1. Warm dashboard beside the floor, runs interleaved.
    console.log(
      `\n1. warm GET /v1/dashboard beside Backstage's floor (GET /api/bench-floor/ping: ` +
        `authenticates the user token, answers a small JSON body), up to ${RUNS} runs each (at most 4 minutes a range), interleaved:`,
    );
    for (let i = 0; i < 20; i++) await get(backend.floorUrl); // JIT warm-up
    const floorAll: number[] = [];
    const warmRows: string[] = [];
    let worstRatio = 0;
    for (const range of DASHBOARD_RANGES) {
      const url = dashboard(`range=${range}`);
      for (let i = 0; i < 5; i++) await get(url); // fills the cache, warms the JIT
      const floor: number[] = [];
      const warm: number[] = [];
      const asked = await prometheusQueries(engine.url);
      const loopStarted = performance.now();
      for (let i = 0; i < RUNS; i++) {
        floor.push((await timed(() => get(backend!.floorUrl)))[0]);
        warm.push((await timed(() => get(url)))[0]);
        // Cached results live 5 minutes: stop before they expire.
        if (performance.now() - loopStarted > WARM_LOOP_LIMIT_MS) break;
      }
      const misses = (await prometheusQueries(engine.url)) - asked;
      floorAll.push(...floor);
      const ratio = median(warm) / median(floor);
      worstRatio = Math.max(worstRatio, ratio);
      warmRows.push(
        `   range=${range.padEnd(4)} warm dashboard median ${msText(
          median(warm),
        ).padStart(10)} ` +
          `(p90 ${msText(quantile(warm, 0.9))}), floor median ${msText(
            median(floor),
          ).padStart(9)} ` +
          `(p90 ${msText(quantile(floor, 0.9))}): ratio ${ratio.toFixed(1)}× ` +
          `[${warm.length} runs; ${misses} queries reached Prometheus meanwhile]`,
      );
    }
    warmRows.forEach(r => console.log(r));
    console.log(
      `   largest ratio ${worstRatio.toFixed(1)}× (target ≤ 3×: ${
        worstRatio <= 3 ? 'met' : 'NOT met'
      })`,
    );

    // 2. Raw query overhead: ours (a cache miss each time) minus straight to Prometheus.
    const rawQuery = 'sum(increase(ai_copilot_suggestions_total[1d]))';
    const rawStep = 86400;
    const rawSpan = 7 * 86400;
    const lastHour = Math.floor(now / HOUR) * HOUR;
    console.log(
      `\n2. raw query: POST /v1/query { query: ${JSON.stringify(
        rawQuery,
      )}, 7 d, step 1d } ` +
        `vs the same to Prometheus /api/v1/query_range; every run a window one hour earlier ` +
        `(a cache miss), ${RUNS} runs, interleaved:`,
    );
    const direct = async (start: number, end: number) => {
      const res = await fetch(`${engine.url}/api/v1/query_range`, {
        method: 'POST',
        body: new URLSearchParams({
          query: rawQuery,
          start: String(start),
          end: String(end),
          step: String(rawStep),
        }),
      });
      const body = (await res.json()) as { status: string; error?: string };
      if (body.status !== 'success')
        throw new Error(`Prometheus refused the raw query: ${body.error}`);
    };
    const ours = async (start: number, end: number) => {
      const res = await fetch(`${backend!.api}/v1/query`, {
        method: 'POST',
        headers: {
          authorization: rawAuthorization,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ query: rawQuery, start, end, step: rawStep }),
      });
      const text = await res.text();
      if (res.status !== 200)
        throw new Error(
          `POST /v1/query answered ${res.status}: ${text.slice(0, 500)}`,
        );
      JSON.parse(text);
    };
    // Warm-up on windows the measured runs do not ask.
    for (let i = 0; i < 10; i++) {
      const end = lastHour - (RUNS + 10 + i) * HOUR;
      await direct(end - rawSpan, end);
      await ours(end - rawSpan, end);
    }
    const logOffset = existsSync(queryLog) ? statSync(queryLog).size : 0;
    const rawDirect: number[] = [];
    const rawOurs: number[] = [];
    const paired: number[] = [];
    /** Which of each window's two evaluations in the query log is ours: the order they ran in. */
    const oursFirst: boolean[] = [];
    for (let i = 0; i < RUNS; i++) {
      const end = lastHour - i * HOUR;
      const start = end - rawSpan;
      // Alternate which goes first, so that neither always finds Prometheus's caches warmer.
      let d: number;
      let o: number;
      if (i % 2 === 0) {
        [d] = await timed(() => direct(start, end));
        [o] = await timed(() => ours(start, end));
      } else {
        [o] = await timed(() => ours(start, end));
        [d] = await timed(() => direct(start, end));
      }
      rawDirect.push(d);
      rawOurs.push(o);
      paired.push(o - d);
      oursFirst.push(i % 2 === 1);
    }
    const overhead = median(rawOurs) - median(rawDirect);
    console.log(
      `   straight to Prometheus median ${msText(
        median(rawDirect),
      )} (p90 ${msText(
        quantile(rawDirect, 0.9),
      )}); POST /v1/query median ${msText(median(rawOurs))} (p90 ${msText(
        quantile(rawOurs, 0.9),
      )})`,
    );
    console.log(
      `   overhead: difference of medians ${msText(
        overhead,
      )}, median of paired differences ${msText(
        median(paired),
      )} (target ≤ 2 ms: ${overhead <= 2 ? 'met' : 'NOT met'})`,
    );

    // What Prometheus spent on the runs' queries, by query (its query log).
    const byQuery = new Map<string, number[]>();
    /** The raw query's evaluations by window end, in the order they finished. */
    const rawEvaluations = new Map<number, number[]>();
    const logText = readFileSync(queryLog).subarray(logOffset).toString('utf8');
    for (const line of logText.split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as {
        params?: { query?: string; end?: string };
        stats?: { timings?: { execTotalTime?: number } };
      };
      const q = entry.params?.query ?? '?';
      const ms = (entry.stats?.timings?.execTotalTime ?? NaN) * 1000;
      if (!byQuery.has(q)) byQuery.set(q, []);
      byQuery.get(q)!.push(ms);
      if (q === rawQuery && entry.params?.end) {
        const end = Date.parse(entry.params.end) / 1000;
        rawEvaluations.set(end, [...(rawEvaluations.get(end) ?? []), ms]);
      }
    }
    // Prometheus's own evaluation time varies from one run to the next by more than the target:
    // each request's time without its evaluation leaves what the hops and the backend add.
    const netOurs: number[] = [];
    const netDirect: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const evaluations = rawEvaluations.get(lastHour - i * HOUR);
      if (evaluations?.length !== 2) continue;
      const [first, second] = evaluations;
      const [o, d] = oursFirst[i] ? [first, second] : [second, first];
      netOurs.push(rawOurs[i] - o);
      netDirect.push(rawDirect[i] - d);
    }
    if (netOurs.length > 0) {
      const net = median(netOurs) - median(netDirect);
      console.log(
        `   without Prometheus's own evaluation time (its query log, ${
          netOurs.length
        } runs): straight to Prometheus median ${msText(
          median(netDirect),
        )}, POST /v1/query median ${msText(median(netOurs))}; overhead ${msText(
          net,
        )}, paired ${msText(
          median(netOurs.map((o, i) => o - netDirect[i])),
        )} (target ≤ 2 ms: ${net <= 2 ? 'met' : 'NOT met'})`,
      );
    }
    console.log(
      `   Prometheus's own time on the queries of those runs (its query log, execTotalTime):`,
    );
    for (const [q, times] of byQuery) {
      console.log(
        `     ${String(times.length).padStart(4)}×  median ${msText(
          median(times),
        ).padStart(9)}  ${q === rawQuery ? '(the raw query itself) ' : ''}${
          q.length > 160 ? `${q.slice(0, 160)}…` : q
        }`,
      );
    }

    // 3. JSON size of every dashboard answer.
    const filters = [
      { name: 'no filter', query: '' },
      ...DEFAULT_LANGUAGES.map(l => ({
        name: `language=${l}`,
        query: `language=${l}`,
      })),
      ...DEFAULT_ASSISTANTS.map(a => ({
        name: `assistant=${a}`,
        query: `assistant=${a}`,
      })),
    ];
    console.log(
      `\n3. JSON size of GET /v1/dashboard, KB (1 KB = 1,000 bytes, uncompressed / gzip), ` +
        `${filters.length} filters × ${DASHBOARD_RANGES.length} ranges; * = tooFewParticipants answer:`,
    );
    console.log(
      `   ${'filter'.padEnd(24)}${DASHBOARD_RANGES.map(r =>
        r.padStart(16),
      ).join('')}${'largest'.padStart(10)}`,
    );
    const kb = (bytes: number) => (bytes / 1000).toFixed(1);
    let largest = { bytes: 0, what: '' };
    const largestOfRange = DASHBOARD_RANGES.map(() => ({ bytes: 0, what: '' }));
    let answers = 0;
    for (const f of filters) {
      const cells: string[] = [];
      let largestOfFilter = 0;
      for (const [i, range] of DASHBOARD_RANGES.entries()) {
        const query = [`range=${range}`, f.query].filter(Boolean).join('&');
        const text = await get(dashboard(query), sizeAuthorization);
        answers++;
        const bytes = Buffer.byteLength(text);
        const gz = gzipSync(text).length;
        const few = (JSON.parse(text) as { tooFewParticipants?: boolean })
          .tooFewParticipants;
        if (bytes > largest.bytes) largest = { bytes, what: `?${query}` };
        if (bytes > largestOfRange[i].bytes) {
          largestOfRange[i] = { bytes, what: f.name };
        }
        largestOfFilter = Math.max(largestOfFilter, bytes);
        cells.push(
          `${kb(bytes)} / ${(gz / 1000).toFixed(1)}${few ? '*' : ' '}`.padStart(
            16,
          ),
        );
      }
      console.log(
        `   ${f.name.padEnd(24)}${cells.join('')}${kb(largestOfFilter).padStart(
          10,
        )}`,
      );
    }
    console.log(
      `   ${'largest'.padEnd(24)}${largestOfRange
        .map(l => kb(l.bytes).padStart(15))
        .join(' ')}`,
    );
    largestOfRange.forEach((l, i) =>
      console.log(
        `   largest for range=${DASHBOARD_RANGES[i]}: ${kb(l.bytes)} KB (${
          l.what
        })`,
      ),
    );
    console.log(
      `   largest of ${answers} answers: ${kb(largest.bytes)} KB (${
        largest.bytes
      } bytes) for ${largest.what} (target ≤ 100 KB: ${
        largest.bytes <= 100_000 ? 'met' : 'NOT met'
      })`,
    );
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
