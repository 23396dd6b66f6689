/* eslint-disable no-console */
/**
 * The benchmarks' data: the demo generator's organisation and its telemetry history, as a
 * Prometheus TSDB with the recording rules backfilled and every block compacted, kept in a folder
 * and reused while it exists.
 *
 * Why not the generator's CLI and one promtool run: at 10,000 developers × 90 days the
 * OpenMetrics text is about 85 GB (21 series of ~190-byte lines per developer), more than the
 * disk holds. The developers are generated in batches instead (the generator's library, loaded
 * from packages/telemetry-demo: each developer's history depends only on the seed and their
 * name, so a batch is what the whole run would write for them), each batch turned into blocks by
 * promtool while the next one is generated, its text deleted after. The recording rules are
 * then evaluated in chunks of a week (Prometheus's default --query.max-samples of 50 M stops one
 * 90-day evaluation at that size), and a Prometheus is left to compact the overlapping blocks
 * (batches, rule outputs) before the folder is marked ready, so that no compaction runs while a
 * benchmark measures.
 */
import {
  backfillPrometheus,
  backfillRecordingRules,
  PrometheusProcess,
} from '@fawkes/ai-telemetry-test-utils';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'fs';
import { join, resolve } from 'path';
import { parse as parseYaml } from 'yaml';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '../../..');
export const RECORDING_RULES_FILE = join(
  REPO_ROOT,
  'deploy/prometheus/rules/ai-telemetry-recording.yml',
);
/** The per-developer daily rules. */
export const PER_USER_RULES_FILE = join(
  REPO_ROOT,
  'deploy/prometheus/rules/ai-telemetry-per-user.yml',
);
/** Every file of recording rules, backfilled into the set. */
export const RECORDING_RULE_FILES = [RECORDING_RULES_FILE, PER_USER_RULES_FILE];
export const ALERT_RULES_FILE = join(
  REPO_ROOT,
  'deploy/prometheus/rules/ai-telemetry-alerts.yml',
);

const DAY = 86400;
/** The block length promtool makes with --max-block-duration=720h. */
const BLOCK_HOURS = 486;

export type DemoTsdbOptions = {
  /** The folder of the set (kept and reused). */
  home: string;
  users: number;
  days: number;
  /** Seconds between samples. */
  step: number;
  /** Last sample, unix seconds. */
  end: number;
  /** The pseudonym key of user_hash (the backend must use the same). */
  key: string;
  /** Developers generated (and their text kept on disk) at a time. */
  batchUsers: number;
  seed?: number;
};

export type DemoTsdb = {
  home: string;
  /** The TSDB folder, for a PrometheusProcess with `dir: home`. */
  dataDir: string;
  orgFile: string;
  end: number;
  /** What the preparation took, in seconds, when it ran now (empty when reused). */
  timings: Record<string, number>;
  reused: boolean;
  generatedAt: string;
};

type Progress = {
  end: number;
  batchesDone: number;
  rulesDone: boolean;
  timings: Record<string, number>;
};

/** A Prometheus on the set's TSDB, with its default limits (and the alert rules, if given). */
export function setPrometheus(
  set: Pick<DemoTsdb, 'home' | 'dataDir'>,
  config?: Record<string, unknown>,
): PrometheusProcess {
  return new PrometheusProcess({ dir: set.home, dataDir: set.dataDir, config });
}

/** The generator's library (packages/telemetry-demo/src), loaded at run time. */
type Generator = {
  buildOrg(options: { users: number; seed: number }): {
    users: unknown[];
    groups: unknown[];
  };
  orgToCatalogYaml(org: unknown, header: string): string;
  makePeriod(
    days: number,
    step: number,
    end: number,
  ): { start: number; step: number; samples: number };
  blockWindows(
    period: unknown,
    hours: number,
  ): Array<{ from: number; to: number }>;
  writeDemoMetrics(
    org: unknown,
    options: { seed: number; key: string; period: unknown },
    targets: Array<{
      sink: { write(text: string): void };
      from: number;
      to: number;
    }>,
  ): Promise<{ series: number; samples: number }>;
};

async function loadGenerator(): Promise<Generator> {
  const src = join(REPO_ROOT, 'packages/telemetry-demo/src');
  const [org, generate] = await Promise.all([
    import(join(src, 'org.ts')),
    import(join(src, 'generate.ts')),
  ]);
  return { ...org, ...generate } as Generator;
}

/** OpenMetrics text to a file through a buffer of about 1 MiB. */
class FileSink {
  private readonly fd: number;
  private buffered: string[] = [];
  private length = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(text: string): void {
    this.buffered.push(text);
    this.length += text.length;
    if (this.length >= 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.length === 0) return;
    writeSync(this.fd, this.buffered.join(''));
    this.buffered = [];
    this.length = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * The set's TSDB: reused when `home` holds a finished one; otherwise generated, backfilled and
 * compacted there (resuming after the last finished batch when an earlier run stopped).
 */
export async function prepareDemoTsdb(
  options: DemoTsdbOptions,
  log: (message: string) => void = console.log,
): Promise<DemoTsdb> {
  const { home, users, days, step, key, batchUsers } = options;
  const seed = options.seed ?? 42;
  const dataDir = join(home, 'prometheus');
  const orgFile = join(home, 'org.yaml');
  const readyFile = join(home, 'ready.json');
  const progressFile = join(home, 'progress.json');
  if (existsSync(readyFile)) {
    const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    await backfillNewRules({ home, dataDir, readyFile, days }, ready, log);
    return {
      home,
      dataDir,
      orgFile,
      end: ready.end,
      timings: {},
      reused: true,
      generatedAt: ready.generatedAt,
    };
  }
  let progress: Progress | undefined = existsSync(progressFile)
    ? JSON.parse(readFileSync(progressFile, 'utf8'))
    : undefined;
  if (!progress) {
    rmSync(home, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    progress = {
      end: options.end,
      batchesDone: 0,
      rulesDone: false,
      timings: {},
    };
  } else {
    log(
      `data: resuming ${home} after ${progress.batchesDone} batches${
        progress.rulesDone ? ' and the recording rules' : ''
      }`,
    );
  }
  const state = progress;
  const save = () => writeFileSync(progressFile, JSON.stringify(state));
  const addTime = (name: string, s: number) => {
    state.timings[name] = (state.timings[name] ?? 0) + s;
    save();
  };
  const work = join(home, 'work');
  mkdirSync(work, { recursive: true });

  const generator = await loadGenerator();
  const org = generator.buildOrg({ users, seed });
  writeFileSync(
    orgFile,
    generator.orgToCatalogYaml(
      org,
      `# The benchmark organisation: ${users} users, seed ${seed}\n`,
    ),
  );
  const period = generator.makePeriod(days, step, state.end);
  const windows = generator.blockWindows(period, BLOCK_HOURS);
  const batches = Math.ceil(org.users.length / batchUsers);

  // Batch b is generated while promtool turns batch b - 1 into blocks.
  let converting: Promise<void> | undefined;
  for (let b = state.batchesDone; b < batches; b++) {
    let started = performance.now();
    const batchOrg = {
      ...org,
      users: org.users.slice(b * batchUsers, (b + 1) * batchUsers),
    };
    const targets = windows.map((w, i) => ({
      ...w,
      path: join(work, `batch-${b + 1}-${i + 1}.om`),
    }));
    const sinks = targets.map(t => ({ ...t, sink: new FileSink(t.path) }));
    let summary;
    try {
      summary = await generator.writeDemoMetrics(
        batchOrg,
        { seed, key, period },
        sinks,
      );
    } finally {
      for (const { sink } of sinks) sink.close();
    }
    const generated = seconds(started);
    addTime('generate', generated);
    log(
      `data: batch ${b + 1}/${batches}: generated ${
        batchOrg.users.length
      } users, ${summary.series} series, ${(summary.samples / 1e6).toFixed(
        1,
      )} M samples in ${generated.toFixed(0)} s`,
    );
    await converting;
    started = performance.now();
    converting = backfillPrometheus(
      dataDir,
      targets.map(t => t.path),
    ).then(() => {
      for (const t of targets) rmSync(t.path, { force: true });
      addTime('promtool', seconds(started));
      state.batchesDone = b + 1;
      save();
      log(
        `data: batch ${b + 1}/${batches}: promtool blocks in ${seconds(
          started,
        ).toFixed(0)} s (alongside the next batch's generation)`,
      );
    });
  }
  await converting;

  if (!state.rulesDone) {
    const started = performance.now();
    let evaluated = 0;
    await backfillRecordingRules(dataDir, {
      file: RECORDING_RULE_FILES,
      from: state.end - days * DAY,
      to: state.end,
      workDir: join(work, 'rules'),
      onProgress: message => {
        if (/too many samples/.test(message)) log(`data: ${message}`);
        else evaluated++;
      },
    });
    state.rulesDone = true;
    addTime('recordingRules', seconds(started));
    log(
      `data: recording rules backfilled (${evaluated} range queries, chunks of a week) in ${seconds(
        started,
      ).toFixed(0)} s`,
    );
  }

  const started = performance.now();
  await compact({ home, dataDir }, join(work, 'compaction'), log);
  addTime('compaction', seconds(started));

  rmSync(work, { recursive: true, force: true });
  const generatedAt = new Date().toISOString();
  writeFileSync(
    readyFile,
    JSON.stringify({
      generatedAt,
      end: state.end,
      users,
      days,
      step,
      timings: state.timings,
    }),
  );
  rmSync(progressFile, { force: true });
  return {
    home,
    dataDir,
    orgFile,
    end: state.end,
    timings: state.timings,
    reused: false,
    generatedAt,
  };
}

/**
 * Backfills into a prepared set the recording rules written since it was prepared (those whose
 * output it does not hold), then compacts it again: a new rule costs minutes, not a new set.
 */
async function backfillNewRules(
  set: { home: string; dataDir: string; readyFile: string; days: number },
  ready: { end: number; timings?: Record<string, number> },
  log: (message: string) => void,
): Promise<void> {
  const work = join(set.home, 'work');
  const started = performance.now();
  let evaluated = 0;
  const added = await backfillRecordingRules(set.dataDir, {
    file: RECORDING_RULE_FILES,
    from: ready.end - set.days * DAY,
    to: ready.end,
    workDir: join(work, 'rules'),
    onlyMissing: true,
    onProgress: message => {
      if (/too many samples/.test(message)) log(`data: ${message}`);
      else evaluated++;
    },
  });
  if (added.length === 0) {
    rmSync(work, { recursive: true, force: true });
    return;
  }
  log(
    `data: backfilled ${added.join(
      ', ',
    )} into the prepared set (${evaluated} range queries) in ${seconds(
      started,
    ).toFixed(0)} s`,
  );
  await compact(set, join(work, 'compaction'), log);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(
    set.readyFile,
    JSON.stringify({
      ...ready,
      timings: {
        ...ready.timings,
        [`backfill of ${added.length} new rules`]: seconds(started),
      },
    }),
  );
}

type BlockMeta = { ulid: string; minTime: number; maxTime: number };

/** The TSDB blocks of a folder, by start. */
export function listBlocks(dataDir: string): BlockMeta[] {
  return readdirSync(dataDir)
    .filter(name => /^[0-9A-Z]{26}$/.test(name))
    .flatMap(name => {
      try {
        const meta = JSON.parse(
          readFileSync(join(dataDir, name, 'meta.json'), 'utf8'),
        );
        return [{ ulid: name, minTime: meta.minTime, maxTime: meta.maxTime }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.minTime - b.minTime);
}

/** Whether two blocks of the folder cover the same time. */
export function hasOverlappingBlocks(dataDir: string): boolean {
  const blocks = listBlocks(dataDir);
  return blocks.some((b, i) => i > 0 && b.minTime < blocks[i - 1].maxTime);
}

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find(l => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/**
 * Starts a Prometheus on the TSDB and waits until its compactor has gone through it once:
 * Prometheus compacts from a loop that runs every minute and counts each run in
 * prometheus_tsdb_compactions_triggered_total before it compacts until nothing is left to, so
 * the second count means the first run is over.
 */
async function compact(
  set: Pick<DemoTsdb, 'home' | 'dataDir'>,
  dir: string,
  log: (message: string) => void,
): Promise<void> {
  const before = listBlocks(set.dataDir).length;
  const prometheus = await new PrometheusProcess({
    dir,
    dataDir: set.dataDir,
  }).start();
  const started = performance.now();
  try {
    for (;;) {
      const triggered = await metricValue(
        prometheus.url,
        'prometheus_tsdb_compactions_triggered_total',
      );
      if (triggered >= 2) break;
      if (seconds(started) > 3600)
        throw new Error('the TSDB was not compacted within an hour');
      await new Promise(r => setTimeout(r, 5000));
    }
    const failed = await metricValue(
      prometheus.url,
      'prometheus_tsdb_compactions_failed_total',
    );
    if (failed > 0) throw new Error(`${failed} compactions of the TSDB failed`);
  } finally {
    await prometheus.stop();
  }
  const after = listBlocks(set.dataDir);
  log(
    `data: compacted ${before} blocks into ${after.length} in ${seconds(
      started,
    ).toFixed(0)} s${
      hasOverlappingBlocks(set.dataDir) ? ' (some still overlap!)' : ''
    }`,
  );
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
export function catalogEntities(org: DemoOrgFile) {
  const groupRef = (name: string) => `group:default/${name}`;
  const userRef = (name: string) => `user:default/${name}`;
  const membersOf = new Map<string, string[]>();
  for (const u of org.users) {
    for (const g of u.memberOf) {
      membersOf.set(g, [...(membersOf.get(g) ?? []), u.name]);
    }
  }
  const groups = org.groups.map(g => ({
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
      ...(membersOf.get(g.name) ?? []).map(u => ({
        type: 'hasMember',
        targetRef: userRef(u),
      })),
    ],
  }));
  const users = org.users.map(u => ({
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
