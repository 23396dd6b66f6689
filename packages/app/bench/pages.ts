/* eslint-disable no-console, no-restricted-imports -- a benchmark run in Node, not part of the app's browser bundle */
/**
 * Page-speed benchmark of the production build, not a test. In headless Chromium (Debian's,
 * /usr/bin/chromium) it opens, as the signed-in guest:
 *  - the AI Telemetry page (/ai-telemetry, the organisation's dashboard),
 *  - a team page: the cloud-infrastructure Group's AI Telemetry tab,
 *  - My data (/ai-telemetry/my-data),
 * each as a first visit (a fresh browser context: empty cache, only the remembered guest
 * sign-in) and as a repeat visit (the same context, reloaded), --runs times (5), and prints the
 * median, fastest and slowest time from the start of the navigation until the page has drawn;
 * beside it, when the app sent its first API request (its scripts loaded and running), the
 * slowest API request and how long it took (and how much of that the server took: request sent
 * to first byte back), and the requests and bytes transferred by then.
 *
 * "Drawn", from the DOM, checked at every change of it: the page's content is there (a panel,
 * `[data-testid^="panel-"]`; on My data the pseudonym; on the team tab the "too few participants"
 * notice will do, and the table then says 0 panels), nothing is loading (no
 * `[aria-busy="true"]`, no indeterminate `[role="progressbar"]`: the panels' and Backstage's
 * loading bars), and every chart has drawn (each `.recharts-wrapper`'s SVG holds its axes'
 * ticks or a path: a line, an area, bars; recharts draws them in one go); and it still holds
 * one second later. The charts draw without animation.
 *
 * usage: yarn bench:pages [--runs 5] [--url http://localhost:7070] [--build]
 * With --url it measures the portal that answers there (a production build: scripts/prod.sh).
 * Without it, it uses scripts/prod.sh's portal (PROD_PORT, 7070; PROD_DATA_DIR): when that one
 * does not answer, it runs `scripts/prod.sh build` (when there is no build yet, or with --build)
 * and `scripts/prod.sh start`, and `scripts/prod.sh stop` at the end. The backend keeps query
 * answers 5 minutes: the first run's first visits reach Prometheus, later ones its cache.
 */
import { Browser, BrowserContext, chromium, Page } from '@playwright/test';
import { spawn } from 'child_process';
import { existsSync } from 'fs';
import { cpus, loadavg } from 'os';
import { join, resolve } from 'path';
import { parseArgs } from 'util';

const REPO_ROOT = resolve(__dirname, '../../..');

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    url: { type: 'string' },
    build: { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(args.runs));
const PORTAL =
  args.url ?? `http://localhost:${process.env.PROD_PORT ?? '7070'}`;
const PROD_DATA_DIR =
  process.env.PROD_DATA_DIR ?? join(REPO_ROOT, '.data/production');
const DRAW_TIMEOUT_MS = 120_000;
const STABLE_MS = 1000;

type PageUnderTest = {
  name: string;
  path: string;
  /** What shows that the page's own content is there (beside its panels). */
  content: string;
};

const PAGES: PageUnderTest[] = [
  {
    name: 'AI Telemetry',
    path: '/ai-telemetry',
    content: '[data-testid^="panel-"]',
  },
  {
    name: 'Team tab (cloud-infrastructure)',
    path: '/catalog/default/group/cloud-infrastructure/ai-telemetry',
    // A team under the privacy threshold shows a notice instead of panels.
    content: '[data-testid^="panel-"], [data-testid="too-few-participants"]',
  },
  {
    name: 'My data',
    path: '/ai-telemetry/my-data',
    content: '[data-testid="pseudonym"]',
  },
];

/** What the page reports once it has drawn; times in ms from the start of the navigation. */
type Drawn = {
  drawnAt: number;
  /** Panels on the page. */
  panels: number;
  /** When the app sent its first API request. */
  firstApiAt: number;
  /**
   * The API request that took longest, without its query string: from when the app sent it,
   * and from when it went out on a connection until its first byte came back (the server).
   */
  slowestApi: { path: string; ms: number; serverMs: number };
  /** Requests, and bytes transferred, until it drew (navigation and resources). */
  requests: number;
  bytes: number;
};

type Sample = Drawn & { signIn: boolean };

/**
 * Runs in the page before its own scripts: watches the DOM and records when the page has drawn
 * (see the header). Plain JavaScript in a string: it is not compiled for Node.
 */
function drawingWatcher(content: string): string {
  return `(() => {
  performance.setResourceTimingBufferSize(5000);
  const content = ${JSON.stringify(content)};
  const LOADING = '[aria-busy="true"], [role="progressbar"]:not([aria-valuenow])';
  const state = { drawnAt: undefined };
  window.__pageBench = state;
  // A chart has drawn when its SVG holds its axes' ticks or a path (a line, an area, bars):
  // recharts draws them in one go; an empty range leaves only the axes.
  const chartsDrawn = root =>
    Array.from(root.querySelectorAll('.recharts-wrapper')).every(chart => {
      const svg = chart.querySelector(':scope > svg.recharts-surface');
      return Boolean(svg) && (
        Boolean(svg.querySelector('.recharts-cartesian-axis-tick')) ||
        Array.from(svg.querySelectorAll('path[d]')).some(path => path.getAttribute('d').trim() !== '')
      );
    });
  const drawnWithin = root => !root.querySelector(LOADING) && chartsDrawn(root);
  let scheduled = false;
  const check = () => {
    scheduled = false;
    const now = performance.now();
    const drawn = Boolean(document.querySelector(content)) && drawnWithin(document);
    if (!drawn) state.drawnAt = undefined;
    else if (state.drawnAt === undefined) state.drawnAt = now;
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(check);
    }
  };
  new MutationObserver(schedule).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
  });
  // Catches a state that holds without a further change of the DOM.
  setInterval(schedule, ${STABLE_MS / 4});
  schedule();
})();`;
}

/** Waits until the page has drawn and held still; enters as the guest if asked to sign in. */
async function waitForDrawn(page: Page): Promise<Sample> {
  const deadline = Date.now() + DRAW_TIMEOUT_MS;
  let signIn = false;
  for (;;) {
    const done = await page
      .evaluate(stableMs => {
        const s = (
          window as unknown as {
            __pageBench?: { drawnAt?: number };
          }
        ).__pageBench;
        return (
          s?.drawnAt !== undefined && performance.now() - s.drawnAt >= stableMs
        );
      }, STABLE_MS)
      .catch(() => false);
    if (done) break;
    // The remembered guest sign-in sometimes shows the sign-in page once more (as in the
    // end-to-end tests); such a sample counts the click too, and says so.
    const enter = page.getByText('Enter as a Guest User.');
    if (await enter.isVisible().catch(() => false)) {
      signIn = true;
      await page.getByRole('button', { name: 'Enter' }).click();
    }
    if (Date.now() > deadline) {
      const busy = await page
        .evaluate(() =>
          Array.from(
            document.querySelectorAll(
              '[aria-busy="true"], [role="progressbar"]:not([aria-valuenow])',
            ),
          ).map(e => e.getAttribute('aria-label') ?? e.outerHTML.slice(0, 80)),
        )
        .catch(() => []);
      throw new Error(
        `${page.url()} did not draw within ${
          DRAW_TIMEOUT_MS / 1000
        } s; still loading: ${busy.join(', ') || 'nothing (no content?)'}`,
      );
    }
    await page.waitForTimeout(100);
  }
  const drawn: Drawn = await page.evaluate(() => {
    const { drawnAt } = (
      window as unknown as { __pageBench: { drawnAt: number } }
    ).__pageBench;
    const entries = [
      ...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource'),
    ] as PerformanceResourceTiming[];
    const before = entries.filter(e => e.responseEnd <= drawnAt);
    const api = before
      .map(e => ({ e, path: new URL(e.name).pathname }))
      .filter(({ path }) => path.startsWith('/api/'));
    const slowest = api.reduce(
      (a, b) => (b.e.duration > a.e.duration ? b : a),
      api[0],
    );
    return {
      drawnAt,
      panels: document.querySelectorAll('[data-testid^="panel-"]').length,
      firstApiAt: Math.min(...api.map(({ e }) => e.startTime)),
      slowestApi: {
        path: slowest?.path ?? '-',
        ms: slowest?.e.duration ?? 0,
        serverMs: slowest
          ? slowest.e.responseStart - slowest.e.requestStart
          : 0,
      },
      requests: before.length,
      bytes: before.reduce((sum, e) => sum + (e.transferSize ?? 0), 0),
    };
  });
  return { ...drawn, signIn };
}

async function freshContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    // The guest sign-in remembered from an earlier visit, and nothing else.
    storageState: {
      cookies: [],
      origins: [
        {
          origin: new URL(PORTAL).origin,
          localStorage: [
            { name: '@backstage/core:SignInPage:provider', value: 'guest' },
          ],
        },
      ],
    },
  });
  return context;
}

async function measurePage(
  browser: Browser,
  target: PageUnderTest,
): Promise<{ first: Sample; repeat: Sample }> {
  const context = await freshContext(browser);
  try {
    await context.addInitScript(drawingWatcher(target.content));
    const page = await context.newPage();
    await page.goto(`${PORTAL}${target.path}`, { waitUntil: 'commit' });
    const first = await waitForDrawn(page);
    await page.reload({ waitUntil: 'commit' });
    const repeat = await waitForDrawn(page);
    return { first, repeat };
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The request that was slowest most often, with its median time. */
function slowestApi(samples: Sample[]): string {
  const byPath = new Map<string, Sample['slowestApi'][]>();
  for (const { slowestApi: slowest } of samples) {
    byPath.set(slowest.path, [...(byPath.get(slowest.path) ?? []), slowest]);
  }
  const [path, calls] = [...byPath.entries()].sort(
    (a, b) => b[1].length - a[1].length,
  )[0];
  const ms = Math.round(median(calls.map(c => c.ms)));
  const serverMs = Math.round(median(calls.map(c => c.serverMs)));
  return `${ms} (server ${serverMs}) ${path}`;
}

function run(command: string, commandArgs: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: { ...process.env, PROD_DATA_DIR },
    });
    child.on('error', reject);
    child.on('exit', code =>
      code === 0
        ? resolvePromise()
        : reject(
            new Error(`${command} ${commandArgs.join(' ')}: exit ${code}`),
          ),
    );
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

async function main() {
  let started = false;
  if (!(await answers(`${PORTAL}/api/ai-telemetry/health`))) {
    if (args.url) throw new Error(`${PORTAL} does not answer`);
    const built = existsSync(
      join(PROD_DATA_DIR, 'workspace/packages/backend/dist/index.cjs.js'),
    );
    if (args.build || !built) await run('scripts/prod.sh', ['build']);
    await run('scripts/prod.sh', ['start']);
    started = true;
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    console.log(
      `bench:pages: ${PORTAL}, ${RUNS} runs per page; ${
        cpus().length
      } CPUs, load ${loadavg()
        .map(l => l.toFixed(1))
        .join(' ')}`,
    );
    const rows: string[][] = [];
    for (const target of PAGES) {
      const firsts: Sample[] = [];
      const repeats: Sample[] = [];
      for (let i = 0; i < RUNS; i++) {
        const { first, repeat } = await measurePage(browser, target);
        firsts.push(first);
        repeats.push(repeat);
        console.log(
          `  ${target.name}, run ${i + 1}: first ${Math.round(
            first.drawnAt,
          )} ms, repeat ${Math.round(repeat.drawnAt)} ms${
            first.signIn || repeat.signIn ? ' (signed in again)' : ''
          }`,
        );
      }
      for (const [visit, samples] of [
        ['first', firsts],
        ['repeat', repeats],
      ] as const) {
        const times = samples.map(s => s.drawnAt);
        rows.push([
          target.name,
          visit,
          String(Math.round(median(times))),
          String(Math.round(Math.min(...times))),
          String(Math.round(Math.max(...times))),
          String(Math.round(median(samples.map(s => s.firstApiAt)))),
          slowestApi(samples),
          String(Math.round(median(samples.map(s => s.requests)))),
          String(Math.round(median(samples.map(s => s.bytes)) / 1024)),
          String(samples[0].panels),
        ]);
      }
    }
    const header = [
      'page',
      'visit',
      'drawn: median ms',
      'min',
      'max',
      '1st API call',
      'slowest API call: ms (server ms), path',
      'requests',
      'KB',
      'panels',
    ];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map(r => r[i].length)),
    );
    const line = (cells: string[]) =>
      cells
        .map((c, i) =>
          i >= 2 && i !== 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]),
        )
        .join('  ')
        .trimEnd();
    console.log(
      `\nTime until every panel has drawn, in ms from the start of the navigation: median, min and max of ${RUNS} runs; the other columns are medians, up to that moment`,
    );
    console.log(line(header));
    console.log(line(widths.map(w => '-'.repeat(w))));
    for (const row of rows) console.log(line(row));
  } finally {
    await browser.close();
    if (started) await run('scripts/prod.sh', ['stop']);
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
