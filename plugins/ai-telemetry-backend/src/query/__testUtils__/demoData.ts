import { spawn } from 'child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'fs';
import { join, resolve } from 'path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { parse as parseYaml } from 'yaml';
import { PROMTOOL_BINARY } from './engines';

/** The repository root: two folders above this package's. */
export const REPO_ROOT = resolve(
  resolvePackagePath('@fawkes/plugin-ai-telemetry-backend'),
  '../..',
);

/** The recording rules the panels read. */
export const RECORDING_RULES_FILE = join(
  REPO_ROOT,
  'deploy/prometheus/rules/ai-telemetry-recording.yml',
);
/** The alert rules the alerts panel lists. */
export const ALERT_RULES_FILE = join(
  REPO_ROOT,
  'deploy/prometheus/rules/ai-telemetry-alerts.yml',
);

/** Runs a command to its end; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', chunk => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    child.on('error', reject);
    child.on('close', code => {
      if (code === 0) resolvePromise(stdout + stderr);
      else
        reject(
          new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr}`),
        );
    });
    child.stdin.end(options.input ?? '');
  });
}

/** What the demo generator wrote. */
export type DemoSet = {
  /** OpenMetrics files, one per block window. */
  metricsFiles: string[];
  /** Catalog YAML of the demo organisation. */
  orgFile: string;
  /** Last sample, unix seconds. */
  end: number;
  /** Seconds between samples. */
  step: number;
  days: number;
};

/**
 * Runs packages/telemetry-demo's generator (its CLI, through tsx) into `dir`: the catalog and
 * the counters of `users` users over `days` days, one file per 486-hour block window.
 */
export async function generateDemoSet(options: {
  dir: string;
  users: number;
  days: number;
  step: '15m' | '1h';
  key: string;
  end: number;
  seed?: number;
}): Promise<DemoSet> {
  mkdirSync(options.dir, { recursive: true });
  const orgFile = join(options.dir, 'org.yaml');
  const metrics = join(options.dir, 'metrics.om');
  await run(process.execPath, [
    require.resolve('tsx/cli'),
    join(REPO_ROOT, 'packages/telemetry-demo/src/cli.ts'),
    'generate',
    `--users=${options.users}`,
    `--days=${options.days}`,
    `--step=${options.step}`,
    `--seed=${options.seed ?? 42}`,
    `--key=${options.key}`,
    `--end=${options.end}`,
    `--org-out=${orgFile}`,
    `--metrics-out=${metrics}`,
    '--block-hours=486',
  ]);
  const metricsFiles = readdirSync(options.dir)
    .filter(name => /^metrics-\d+\.om$/.test(name))
    .map(name => join(options.dir, name));
  return {
    metricsFiles,
    orgFile,
    end: options.end,
    step: options.step === '1h' ? 3600 : 900,
    days: options.days,
  };
}

/** Turns OpenMetrics files into TSDB blocks in `dataDir` (promtool, 720 h blocks, two at a time). */
export async function backfillPrometheus(
  files: string[],
  dataDir: string,
): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      await run(PROMTOOL_BINARY, [
        'tsdb',
        'create-blocks-from',
        'openmetrics',
        '--quiet',
        '--max-block-duration=720h',
        file,
        dataDir,
      ]);
    }
  };
  await Promise.all([worker(), worker()]);
}

type RuleFile = {
  groups: Array<{ rules: Array<{ record?: string; expr: string }> }>;
};

/**
 * Backfills the recording rules as Prometheus would have recorded them: each rule's expression
 * evaluated every hour on the hour from `from` (rounded up to an hour) to `to` (a range query on the running
 * Prometheus at `url`), written as OpenMetrics and turned into blocks in `blocksDir`. (promtool's
 * own `create-blocks-from rules` writes a block per two hours and evaluates off the hour.)
 */
export async function backfillRecordingRules(options: {
  url: string;
  from: number;
  to: number;
  blocksDir: string;
  workDir: string;
}): Promise<void> {
  const rules = (
    parseYaml(readFileSync(RECORDING_RULES_FILE, 'utf8')) as RuleFile
  ).groups
    .flatMap(g => g.rules)
    .filter(r => r.record);
  const lines: string[] = [];
  const from = Math.ceil(options.from / 3600) * 3600;
  for (const rule of rules) {
    const params = new URLSearchParams({
      query: rule.expr,
      start: String(from),
      end: String(options.to),
      step: '3600',
    });
    const res = await fetch(`${options.url}/api/v1/query_range`, {
      method: 'POST',
      body: params,
    });
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data: {
        result: Array<{
          metric: Record<string, string>;
          values: Array<[number, string]>;
        }>;
      };
    };
    if (body.status !== 'success') {
      throw new Error(`rule ${rule.record}: ${body.error}`);
    }
    lines.push(`# TYPE ${rule.record} gauge`);
    for (const series of body.data.result) {
      const labels = Object.entries(series.metric)
        .filter(([name]) => name !== '__name__')
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(',');
      for (const [t, v] of series.values) {
        if (Number.isFinite(Number(v))) {
          lines.push(`${rule.record}{${labels}} ${v} ${t}`);
        }
      }
    }
  }
  lines.push('# EOF');
  const file = join(options.workDir, 'recording-rules.om');
  writeFileSync(file, `${lines.join('\n')}\n`);
  await backfillPrometheus([file], options.blocksDir);
}

/** Moves every block of `fromDir` into `toDir` (Prometheus must not be running on `toDir`). */
export function moveBlocks(fromDir: string, toDir: string): void {
  for (const name of readdirSync(fromDir)) {
    if (/^[0-9A-Z]{26}$/.test(name))
      renameSync(join(fromDir, name), join(toDir, name));
  }
}

/** Imports OpenMetrics files into VictoriaMetrics and makes them visible to queries. */
export async function importIntoVictoriaMetrics(
  url: string,
  files: string[],
): Promise<void> {
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
      .split('\n')
      .filter(line => line && !line.startsWith('#'))
      .map(line => {
        const cut = line.lastIndexOf(' ');
        return `${line.slice(0, cut)} ${Math.round(
          Number(line.slice(cut + 1)) * 1000,
        )}`;
      })
      .join('\n');
    const res = await fetch(`${url}/api/v1/import/prometheus`, {
      method: 'POST',
      body: `${text}\n`,
    });
    if (!res.ok) {
      throw new Error(
        `VictoriaMetrics refused the import: ${await res.text()}`,
      );
    }
  }
  await fetch(`${url}/internal/force_flush`);
}

/** One series of the generated history, as written. */
export type RawSeries = {
  name: string;
  labels: Record<string, string>;
  /** Sample time (unix seconds) → value. */
  samples: Map<number, number>;
  firstTime: number;
};

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+) (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads the samples of OpenMetrics files back, series by series. */
export function readOpenMetrics(files: string[]): RawSeries[] {
  const series = new Map<string, RawSeries>();
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = SAMPLE_LINE.exec(line);
      if (!match) continue;
      const [, name, labelText, value, time] = match;
      const key = `${name}{${labelText}}`;
      let s = series.get(key);
      if (!s) {
        const labels: Record<string, string> = {};
        for (const [, label, labelValue] of labelText.matchAll(LABEL_PAIR)) {
          labels[label] = labelValue;
        }
        s = { name, labels, samples: new Map(), firstTime: Infinity };
        series.set(key, s);
      }
      const t = Number(time);
      s.samples.set(t, Number(value));
      s.firstTime = Math.min(s.firstTime, t);
    }
  }
  return [...series.values()];
}

/** The demo organisation, from its catalog YAML. */
export type DemoOrgFile = {
  groups: Array<{
    name: string;
    title: string;
    parent?: string;
    children: string[];
  }>;
  users: Array<{ name: string; memberOf: string[] }>;
};

type CatalogDocument = {
  kind: string;
  metadata: { name: string; title?: string };
  spec: { parent?: string; children?: string[]; memberOf?: string[] };
};

export function readOrg(file: string): DemoOrgFile {
  const documents = readFileSync(file, 'utf8')
    .split(/^---$/m)
    .map(text => parseYaml(text) as CatalogDocument | null)
    .filter((d): d is CatalogDocument => Boolean(d?.kind));
  return {
    groups: documents
      .filter(d => d.kind === 'Group')
      .map(d => ({
        name: d.metadata.name,
        title: d.metadata.title ?? d.metadata.name,
        parent: d.spec.parent,
        children: d.spec.children ?? [],
      })),
    users: documents
      .filter(d => d.kind === 'User')
      .map(d => ({ name: d.metadata.name, memberOf: d.spec.memberOf ?? [] })),
  };
}

/**
 * The organisation as catalog entities with the relations the catalog's processors would add
 * (hasMember/memberOf, parentOf/childOf), for catalogServiceMock.
 */
export function catalogEntities(org: DemoOrgFile): Entity[] {
  const groupRef = (name: string) => `group:default/${name}`;
  const userRef = (name: string) => `user:default/${name}`;
  const groups: Entity[] = org.groups.map(g => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: g.name, namespace: 'default', title: g.title },
    spec: {
      type: g.children.length > 0 ? 'department' : 'team',
      children: g.children,
      profile: { displayName: g.title },
    },
    relations: [
      ...g.children.map(c => ({ type: 'parentOf', targetRef: groupRef(c) })),
      ...(g.parent ? [{ type: 'childOf', targetRef: groupRef(g.parent) }] : []),
      ...org.users
        .filter(u => u.memberOf.includes(g.name))
        .map(u => ({ type: 'hasMember', targetRef: userRef(u.name) })),
    ],
  }));
  const users: Entity[] = org.users.map(u => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: u.name, namespace: 'default' },
    spec: { memberOf: u.memberOf },
    relations: u.memberOf.map(g => ({
      type: 'memberOf',
      targetRef: groupRef(g),
    })),
  }));
  return [...groups, ...users];
}
