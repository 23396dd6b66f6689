import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  backfillPrometheus,
  PrometheusOptions,
  PrometheusProcess,
  runCommand,
  startVictoriaMetrics,
  VictoriaMetricsProcess,
} from '@fawkes/ai-telemetry-test-utils';
import { mkdirSync, readdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { parse as parseYaml } from 'yaml';

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
/** The per-developer daily rules the panels that count people read. */
export const PER_USER_RULES_FILE = join(
  REPO_ROOT,
  'deploy/prometheus/rules/ai-telemetry-per-user.yml',
);
/** The alert rules the alerts panel lists. */
export const ALERT_RULES_FILE = join(
  REPO_ROOT,
  'deploy/prometheus/rules/ai-telemetry-alerts.yml',
);

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
  await runCommand(
    process.execPath,
    [
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
      // No GitHub import runs in these tests: every user's Copilot history is generated.
      '--no-github-logins',
    ],
    { cwd: REPO_ROOT },
  );
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

/** The query engines the panels run on. */
export type QueryEngine = PrometheusProcess | VictoriaMetricsProcess;

/**
 * An engine of `kind` holding the demo set, started in `<dir>/<kind>`: Prometheus with the
 * recording rules backfilled over the whole set (and `config`, e.g. rule files), or
 * VictoriaMetrics, which evaluates no rules.
 */
export async function startEngineWithDemoSet(
  kind: QueryEngine['kind'],
  demo: DemoSet,
  dir: string,
  config?: PrometheusOptions['config'],
): Promise<QueryEngine> {
  if (kind === 'victoria-metrics') {
    const victoria = await startVictoriaMetrics({ dir: join(dir, kind) });
    await victoria.importOpenMetrics(demo.metricsFiles);
    return victoria;
  }
  const prometheus = new PrometheusProcess({ dir: join(dir, kind), config });
  await backfillPrometheus(prometheus.dataDir, demo.metricsFiles, {
    file: [RECORDING_RULES_FILE, PER_USER_RULES_FILE],
    from: demo.end - demo.days * 86400,
    to: demo.end,
    workDir: dir,
  });
  return prometheus.start();
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
