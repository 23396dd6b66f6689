/* eslint-disable no-console */
/**
 * Load benchmark of the production build (issue 13), not a test. The portal as production runs
 * it (bench/production/productionStack.ts: `scripts/prod.sh build`'s build, NODE_ENV=production,
 * PostgreSQL, Prometheus scraping it, sign-in through Backstage's oauth2-proxy provider), with
 * the demo organisation (packages/telemetry-demo, 80 people by default, all opted in), under:
 *  - 50 portal users, each signed in as themselves, loading the dashboard, panels, their
 *    team's tab and My data with a mix of ranges and filters (bench/production/portalUsers.ts),
 *    each at most --user-rate requests a second (1 by default: a page every three seconds or
 *    so, far busier than a person reading a dashboard; autocannon counts whole requests a
 *    second, so 1 is its least; 0 is as fast as the answers come, at most the per-user limit
 *    of 600 a minute, aiTelemetry.limits.portal.requestsPerMinute, that no page load meets);
 *  - 20 IDE senders, other developers of the organisation, each with the real IDE client and
 *    their own telemetry token, recording an event every --event-interval-ms on average and
 *    sending batches every 5 s (bench/production/ideSenders.ts);
 * for --seconds (60) after a warm-up. It prints, per route: requests, throughput, p50, p99,
 * errors and statuses, beside Backstage's own floor (GET /api/auth/v1/userinfo, the auth
 * backend's trivial authenticated route, in the same run); the error rate; the backend's
 * resident memory (sampled every second); Prometheus's scrape of the backend; and, once the IDE
 * queues are sent, whether every sender's totals are exact on the metrics endpoint and in
 * Prometheus.
 *
 * usage: yarn workspace @fawkes/plugin-ai-telemetry-backend bench:load
 *          [--users 50] [--senders 20] [--seconds 60] [--warmup 15] [--user-rate 1]
 *          [--event-interval-ms 500] [--org 80] [--days 30] [--build] [--max-age-hours 6]
 * The first run builds (scripts/prod.sh build into .data/bench-production/workspace, a few
 * minutes; --build makes it again after a change) and makes the demo set (its history and
 * recording rules, a few minutes, again when older than --max-age-hours). Ports: BENCH_PORT 37007, BENCH_PROMETHEUS_PORT 39090,
 * BENCH_PUSHGATEWAY_PORT 39091, BENCH_POSTGRES_PORT 35432; data and logs in
 * .data/bench-production/run-load. Everything it starts is stopped at the end.
 */
import { cpus, loadavg } from 'os';
import { parseArgs } from 'util';
import { checkExactness } from './production/exactness';
import { EVENTS_ROUTE, IdeSender } from './production/ideSenders';
import {
  PORTAL_ROUTES,
  ROUTES,
  runPortalUsers,
} from './production/portalUsers';
import {
  cpuSeconds,
  demoSet,
  MemorySampler,
  prometheusActivity,
  productionWorkspace,
  signInAndOptIn,
  startProductionStack,
} from './production/productionStack';
import {
  isError,
  mb,
  percent,
  Recorder,
  routeRows,
  table,
} from './production/stats';
import { join } from 'path';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    senders: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '15' },
    'user-rate': { type: 'string', default: '1' },
    'event-interval-ms': { type: 'string', default: '500' },
    org: { type: 'string', default: '80' },
    days: { type: 'string', default: '30' },
    build: { type: 'boolean', default: false },
    'max-age-hours': { type: 'string', default: '6' },
  },
});
const USERS = Number(args.users);
const SENDERS = Number(args.senders);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const USER_RATE = Number(args['user-rate']);
const EVENT_INTERVAL = Number(args['event-interval-ms']);

const load = () =>
  loadavg()
    .map(l => l.toFixed(2))
    .join(' ');

async function main() {
  console.log(
    `bench:load: ${USERS} portal users and ${SENDERS} IDE senders for ${SECONDS} s against the ` +
      `production build; ${cpus().length} cores, load average ${load()}`,
  );
  const workspace = await productionWorkspace(args.build!);
  const demo = await demoSet({
    users: Number(args.org),
    days: Number(args.days),
    maxAgeHours: Number(args['max-age-hours']),
  });
  const names = demo.org.users.map(u => u.name).filter(n => n !== 'guest');
  if (names.length < USERS + SENDERS) {
    throw new Error(
      `the demo organisation has ${names.length} people besides the guest; --users + --senders ` +
        `needs ${USERS + SENDERS} (raise --org)`,
    );
  }
  const stack = await startProductionStack({
    name: 'load',
    workspace,
    demo,
    instances: 1,
  });
  const interrupted = () => stack.stop().then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    // Everyone opts in from the portal, as the demo's people did; the portal users are the
    // first, the IDE senders the next ones.
    const people = await signInAndOptIn(stack, names);
    const portalPeople = people.slice(0, USERS);
    const senderPeople = people.slice(USERS, USERS + SENDERS);
    console.log(
      `people: ${people.length} signed in through oauth2Proxy and opted in; ` +
        `portal users ${portalPeople[0].name} … ${
          portalPeople[USERS - 1].name
        }, ` +
        `IDE senders ${senderPeople[0]?.name} … ${
          senderPeople[SENDERS - 1]?.name
        }`,
    );

    if (WARMUP > 0) {
      console.log(`warm-up: ${WARMUP} s of the same load, not measured`);
      await runPortalUsers({
        url: stack.url,
        people: portalPeople,
        seconds: WARMUP,
        perUserRate: USER_RATE,
        recorder: new Recorder(),
        seed: 7,
      }).done;
    }

    const recorder = new Recorder();
    const senders = senderPeople.map(
      (person, i) =>
        new IdeSender(person, {
          api: stack.api,
          queueRoot: join(stack.runDir, 'ide-queues'),
          recorder,
          seed: 1000 + i,
        }),
    );
    const backend = stack.instances[0];
    const memory = new MemorySampler(() => backend.pid).start(1000);
    const loadBefore = load();
    const cpuBefore = cpuSeconds(backend.pid!) ?? NaN;
    const prometheusBefore = await prometheusActivity(stack.prometheus.url);
    console.log(`measuring: ${SECONDS} s; load average ${loadBefore}`);
    const started = Date.now();
    for (const sender of senders) sender.start(EVENT_INTERVAL);
    const result = await runPortalUsers({
      url: stack.url,
      people: portalPeople,
      seconds: SECONDS,
      perUserRate: USER_RATE,
      recorder,
      seed: 42,
    }).done;
    await Promise.all(senders.map(s => s.stopRecording()));
    const seconds = (Date.now() - started) / 1000;
    memory.stop();
    const loadAfter = load();
    const backendCpu = (cpuSeconds(backend.pid!) ?? NaN) - cpuBefore;
    const prometheusAfter = await prometheusActivity(stack.prometheus.url);

    const samples = recorder.between(started, Date.now() + 1);
    const routes = [...PORTAL_ROUTES, EVENTS_ROUTE, ROUTES.floor];
    const portal = samples.filter(s => s.route !== EVENTS_ROUTE);
    const rows = routeRows(samples, seconds, routes);
    const [allPortal] = routeRows(
      portal.map(s => ({
        ...s,
        route: 'all portal requests (with the floor)',
      })),
      seconds,
      ['all portal requests (with the floor)'],
    );
    console.log(
      `\nResults over ${seconds.toFixed(1)} s (per user at most ${
        USER_RATE || 'unlimited'
      } requests/s; autocannon counted ${result.requests.total} requests, ${
        result.errors
      } errors, ${result.timeouts} timeouts):\n`,
    );
    console.log(
      table(
        ['route', 'requests', 'throughput', 'p50', 'p99', 'errors', 'statuses'],
        [...rows, allPortal],
      ),
    );
    const errors = samples.filter(s => isError(s.outcome)).length;
    console.log(
      `\nerror rate: ${percent(errors, samples.length)} of ${
        samples.length
      } requests ` + `(target: under 1 % at ${USERS} users)`,
    );
    const messages = new Map<string, number>();
    for (const s of samples.filter(x => isError(x.outcome))) {
      const key = `${s.route} ${s.outcome}: ${s.message ?? ''}`;
      messages.set(key, (messages.get(key) ?? 0) + 1);
    }
    for (const [m, n] of messages) console.log(`  ${n}× ${m}`);
    const rss = memory.summary();
    if (rss) {
      console.log(
        `backend memory (RSS, ${memory.samples.length} samples): start ${mb(
          rss.start,
        )}, ` +
          `median ${mb(rss.median)}, max ${mb(rss.max)}, end ${mb(rss.end)}`,
      );
    }
    const scrape = await stack.prometheus.query(
      `max_over_time(scrape_duration_seconds{job="ai-telemetry-backend"}[${Math.ceil(
        seconds,
      )}s])`,
    );
    const up = await stack.prometheus.query(
      `min_over_time(up{job="ai-telemetry-backend"}[${Math.ceil(seconds)}s])`,
    );
    console.log(
      `Prometheus's scrapes of the backend (every 5 s): longest ${
        scrape[0]
          ? `${(Number(scrape[0].value?.[1]) * 1000).toFixed(0)} ms`
          : 'none'
      }, ${
        up[0] && Number(up[0].value?.[1]) === 1 ? 'none failed' : 'some failed'
      }`,
    );
    const p0 = prometheusBefore;
    const p1 = prometheusAfter;
    const engineQueries = Math.max(1, p1.engineQueries - p0.engineQueries);
    console.log(
      `CPU over the run: the backend ${((100 * backendCpu) / seconds).toFixed(
        0,
      )} % of a core, ` +
        `Prometheus ${(
          (100 * (p1.cpuSeconds - p0.cpuSeconds)) /
          seconds
        ).toFixed(0)} % of a core`,
    );
    console.log(
      `Prometheus answered ${p1.queries - p0.queries} queries (${(
        (p1.queries - p0.queries) /
        seconds
      ).toFixed(1)}/s); a query took on average ${(
        (1000 * (p1.evalSeconds - p0.evalSeconds)) /
        engineQueries
      ).toFixed(0)} ms to evaluate after waiting ${(
        (1000 * (p1.queueSeconds - p0.queueSeconds)) /
        engineQueries
      ).toFixed(0)} ms for one of its 20 query slots`,
    );
    console.log(
      `load average: ${loadBefore} before, ${loadAfter} after (${
        cpus().length
      } cores)`,
    );

    const exact = await checkExactness(stack, senders);
    await Promise.all(senders.map(s => s.close()));
    if (!exact) process.exitCode = 1;
  } finally {
    process.off('SIGINT', interrupted);
    await stack.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
