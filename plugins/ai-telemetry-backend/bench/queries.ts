/* eslint-disable no-console */
/**
 * Benchmark of the query path (issue 4), not a test. On the demo generator's organisation at
 * size (default 2,000 users × 90 days, one sample an hour), backfilled into a Prometheus of its
 * own with the recording rules backfilled alongside, it prints the medians of several runs of:
 *  1. the whole organisation dashboard as the seed's raw PromQL, sent straight to Prometheus
 *     (every panel's query at once, as Grafana would);
 *  2. our GET /v1/dashboard over the same 90 days, cold (query cache emptied before each run);
 *  3. our GET /v1/dashboard, warm (answered from the cache).
 *
 * usage: yarn workspace @fawkes/plugin-ai-telemetry-backend bench:queries
 *        [--users 2000] [--days 90] [--runs 5] [--max-minutes 60]
 * The generated TSDB is kept in .data/bench-queries/<users>x<days>d/ and reused by later runs
 * (delete it to generate again); Prometheus and the backend listen on 127.0.0.1, on free ports,
 * and are stopped at the end. The whole run stops after --max-minutes.
 */
import {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  backfillPrometheus,
  PrometheusProcess,
  startHttpServer,
  TestHttpServer,
} from '@fawkes/ai-telemetry-test-utils';
import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  isPanelError,
  PANEL_IDS,
  pseudonymize,
} from '@fawkes/plugin-ai-telemetry-common';
import express from 'express';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parseArgs } from 'util';
import { memoryAuditLog } from '../src/__testUtils__/memoryAuditLog';
import { createQueryRouter } from '../src/query/createQueryRouter';
import {
  ALERT_RULES_FILE,
  catalogEntities,
  generateDemoSet,
  readOrg,
  RECORDING_RULES_FILE,
  REPO_ROOT,
} from '../src/query/__testUtils__/demoData';
import { QueryCache } from '../src/query/QueryCache';
import { QueryService } from '../src/query/QueryService';
import { TeamResolver } from '../src/query/TeamResolver';
import { PrometheusClient } from '../src/upstream/PrometheusClient';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '2000' },
    days: { type: 'string', default: '90' },
    runs: { type: 'string', default: '5' },
    'max-minutes': { type: 'string', default: '60' },
  },
});
const USERS = Number(args.users);
const DAYS = Number(args.days);
const RUNS = Number(args.runs);
const KEY = 'fawkes-benchmark-pseudonym-key';
const DAY = 86400;

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

const logger: LoggerService = {
  error: message => console.error(message),
  warn: message => console.error(message),
  info: () => {},
  debug: () => {},
  child: () => logger,
};

/** Times `fn`, in milliseconds. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The benchmark's Prometheus on the set's TSDB, evaluating the alert rules as deployed. */
function benchPrometheus(home: string): PrometheusProcess {
  return new PrometheusProcess({
    dir: home,
    dataDir: join(home, 'prometheus'),
    config: {
      global: { evaluation_interval: '30s' },
      rule_files: [ALERT_RULES_FILE],
    },
  });
}

/**
 * The TSDB of the benchmark set: generated, backfilled, and the recording rules backfilled over
 * it, once; reused while the folder exists.
 */
async function prepareData(): Promise<{
  home: string;
  orgFile: string;
  end: number;
}> {
  const home = join(REPO_ROOT, '.data', 'bench-queries', `${USERS}x${DAYS}d`);
  const marker = join(home, 'ready.json');
  const orgFile = join(home, 'org.yaml');
  if (existsSync(marker)) {
    const ready = JSON.parse(readFileSync(marker, 'utf8'));
    console.log(`data: reusing ${home} (generated ${ready.generatedAt})`);
    return { home, orgFile, end: ready.end };
  }
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const end = Math.floor(Date.now() / 1000 / DAY) * DAY;
  const work = join(home, 'work');

  let started = performance.now();
  const demo = await generateDemoSet({
    dir: work,
    users: USERS,
    days: DAYS,
    step: '1h',
    key: KEY,
    end,
  });
  console.log(
    `data: generated ${USERS} users × ${DAYS} days in ${(
      (performance.now() - started) /
      1000
    ).toFixed(0)} s`,
  );
  started = performance.now();
  await backfillPrometheus(benchPrometheus(home).dataDir, demo.metricsFiles, {
    file: RECORDING_RULES_FILE,
    from: end - DAYS * DAY,
    to: end,
    workDir: work,
  });
  console.log(
    `data: promtool backfill and recording rules in ${(
      (performance.now() - started) /
      1000
    ).toFixed(0)} s`,
  );

  writeFileSync(orgFile, readFileSync(demo.orgFile));
  rmSync(work, { recursive: true, force: true });
  writeFileSync(
    marker,
    JSON.stringify({ generatedAt: new Date().toISOString(), end }),
  );
  return { home, orgFile, end };
}

/**
 * The seed's dashboard: its README's PromQL for each panel, over the window (range queries
 * every 2 hours, as a Grafana panel of that width would ask). The README names a 7-day moving
 * average but gives no query for it, so none is sent: the seed's side is, if anything, light.
 */
function seedQueries(
  start: number,
  end: number,
): Array<{ path: string; params: Record<string, string> }> {
  const instant = (query: string) => ({
    path: 'query',
    params: { query, time: String(end) },
  });
  const range = (query: string, step: number) => ({
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
    instant(`sum(increase(ai_copilot_suggestions_total[${w}]))`),
    instant(
      `sum(increase(ai_copilot_suggestions_total{accepted="true"}[${w}])) / sum(increase(ai_copilot_suggestions_total[${w}]))`,
    ),
    instant(
      `count(sum by (user_hash) (increase(ai_copilot_suggestions_total[${w}])) > 0)`,
    ),
    instant(
      `topk(5, sum by (language) (increase(ai_copilot_suggestions_total[${w}])))`,
    ),
    // Acceptance rate chart: overall and by language (the seed's 1h rate), every 2 h.
    range(
      'sum(rate(ai_copilot_suggestions_total{accepted="true"}[1h])) / sum(rate(ai_copilot_suggestions_total[1h]))',
      7200,
    ),
    range(
      'sum by (language) (rate(ai_copilot_suggestions_total{accepted="true"}[1h])) / sum by (language) (rate(ai_copilot_suggestions_total[1h]))',
      7200,
    ),
    // Lines of code per day by language.
    range('sum(increase(ai_copilot_lines_generated[1d])) by (language)', DAY),
    // Time saved.
    instant('sum(ai_copilot_time_saved_seconds) / 3600'),
    instant(
      `sum by (activity) (increase(ai_copilot_time_saved_seconds[${w}])) / 3600`,
    ),
    // Feature usage.
    range('sum(rate(ai_copilot_feature_usage[1h])) by (feature)', 7200),
  ];
}

async function runSeedDashboard(
  url: string,
  start: number,
  end: number,
): Promise<number> {
  return timed(() =>
    Promise.all(
      seedQueries(start, end).map(async q => {
        const res = await fetch(`${url}/api/v1/${q.path}`, {
          method: 'POST',
          body: new URLSearchParams(q.params),
        });
        const body = (await res.json()) as { status: string; error?: string };
        if (body.status !== 'success')
          throw new Error(`seed query failed: ${body.error}`);
      }),
    ),
  );
}

async function main() {
  const deadline = setTimeout(() => {
    console.error(`stopped after --max-minutes ${args['max-minutes']}`);
    process.exit(2);
  }, Number(args['max-minutes']) * 60_000);
  deadline.unref();

  const data = await prepareData();
  const org = readOrg(data.orgFile);
  const optedIn = await Promise.all(
    org.users.map(async u => {
      const userEntityRef = `user:default/${u.name}`;
      return {
        userEntityRef,
        userHash: await pseudonymize(userEntityRef, KEY),
      };
    }),
  );
  const optIns = { listOptedIn: async () => optedIn };

  const engine = benchPrometheus(data.home);
  let server: TestHttpServer | undefined;
  const stop = async () => {
    await server?.close();
    await engine.stop();
  };
  process.once('SIGINT', () => stop().then(() => process.exit(130)));
  try {
    await engine.start();
    const cache = new QueryCache(
      CacheManager.fromConfig(new ConfigReader({})).forPlugin('ai-telemetry'),
    );
    const queries = new QueryService({
      prometheus: new PrometheusClient(engine.url, {}, { timeoutMs: 300_000 }),
      cache,
      optIns,
      teams: new TeamResolver(
        catalogServiceMock({ entities: catalogEntities(org) }),
        optIns,
        logger,
      ),
      settings: {
        languages: [...DEFAULT_LANGUAGES],
        assistants: [...DEFAULT_ASSISTANTS],
        privacy: { minGroupSize: 5, retentionDays: 3650 },
        estimates: { secondsPerLine: 12, hourlyCost: 85, seatCostPerMonth: 19 },
      },
      logger,
    });
    const credentials = {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: 'user:default/guest' },
    } as BackstageCredentials;
    const httpAuth = {
      credentials: async () => credentials,
    } as unknown as HttpAuthService;
    const permissions = {
      authorize: async (requests: unknown[]) =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    } as unknown as PermissionsService;
    const app = express();
    app.use(
      '/api/ai-telemetry',
      createQueryRouter({
        httpAuth,
        permissions,
        queries,
        audit: memoryAuditLog().audit,
      }),
    );
    server = await startHttpServer(app);
    const backend = server.url;

    const start = data.end - DAYS * DAY;
    const dashboard = `${backend}/api/ai-telemetry/v1/dashboard?from=${start}&to=${data.end}`;
    const getDashboard = async () => {
      const res = await fetch(dashboard);
      const body = await res.json();
      if (res.status !== 200)
        throw new Error(
          `dashboard answered ${res.status}: ${JSON.stringify(body)}`,
        );
      for (const id of PANEL_IDS) {
        if (isPanelError(body.panels[id]))
          throw new Error(`panel ${id}: ${body.panels[id].error.message}`);
      }
      return body;
    };

    console.log(
      `\n${USERS} users × ${DAYS} days, ${RUNS} runs each (one untimed warm-up of Prometheus first)`,
    );
    await runSeedDashboard(engine.url, start, data.end);

    const seed: number[] = [];
    for (let i = 0; i < RUNS; i++)
      seed.push(await runSeedDashboard(engine.url, start, data.end));
    console.log(
      `seed's raw PromQL, straight to Prometheus (${
        seedQueries(start, data.end).length
      } queries): median ${ms(median(seed))}  [${seed.map(ms).join(', ')}]`,
    );

    const cold: number[] = [];
    let body:
      | { panels: Record<string, { queries?: Array<{ source: string }> }> }
      | undefined;
    for (let i = 0; i < RUNS; i++) {
      await queries.dropCachedResults();
      const started = performance.now();
      body = await getDashboard();
      cold.push(performance.now() - started);
    }
    const sources = Object.values(body!.panels).flatMap(p =>
      (p.queries ?? []).map(q => q.source),
    );
    console.log(
      `our /v1/dashboard, cold: median ${ms(median(cold))}  [${cold
        .map(ms)
        .join(', ')}]  (${
        sources.filter(s => s === 'recording-rule').length
      } of ${sources.length} queries from recording rules)`,
    );

    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) warm.push(await timed(getDashboard));
    console.log(
      `our /v1/dashboard, warm: median ${ms(median(warm))}  [${warm
        .map(ms)
        .join(', ')}]`,
    );
  } finally {
    await stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
