import { promises as fs, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PrometheusProcess } from './PrometheusProcess';
import { rangeQuery } from './promQuery';
import { runCommand } from './runCommand';

export const PROMTOOL_BINARY = '/usr/bin/promtool';

/** What {@link backfillPrometheus} writes besides the samples. */
export type RecordingRulesBackfill = {
  /** A Prometheus rules file; its recording rules are evaluated over the backfilled samples. */
  file: string;
  /** The first (rounded up to an hour) and last evaluation, unix seconds. */
  from: number;
  to: number;
  /** A folder for the work: the evaluations and their blocks, a Prometheus's log. */
  workDir: string;
};

/**
 * Turns OpenMetrics files into TSDB blocks in `dataDir` (promtool, 720 h blocks, two files at a
 * time), before a Prometheus starts on it. With `recordingRules`, the rules are then backfilled
 * as Prometheus would have recorded them: each rule's expression evaluated every hour on the
 * hour over the samples (a range query on a Prometheus started on `dataDir` for the purpose),
 * written as OpenMetrics and turned into blocks beside them. (promtool's own
 * `create-blocks-from rules` writes a block per two hours and evaluates off the hour.)
 */
export async function backfillPrometheus(
  dataDir: string,
  files: string[],
  recordingRules?: RecordingRulesBackfill,
): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true });
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      await runCommand(PROMTOOL_BINARY, [
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
  if (recordingRules) await backfillRecordingRules(dataDir, recordingRules);
}

type RuleFile = {
  groups: Array<{ rules: Array<{ record?: string; expr: string }> }>;
};

async function backfillRecordingRules(
  dataDir: string,
  options: RecordingRulesBackfill,
): Promise<void> {
  const rules = (
    parseYaml(await fs.readFile(options.file, 'utf8')) as RuleFile
  ).groups
    .flatMap(g => g.rules)
    .filter(r => r.record);
  const prometheus = await new PrometheusProcess({
    dir: join(options.workDir, 'recording-rules-prometheus'),
    dataDir,
  }).start();
  const lines: string[] = [];
  try {
    const start = Math.ceil(options.from / 3600) * 3600;
    for (const rule of rules) {
      lines.push(`# TYPE ${rule.record} gauge`);
      const result = await rangeQuery(prometheus.url, rule.expr, {
        start,
        end: options.to,
        step: 3600,
      });
      for (const series of result) {
        const labels = Object.entries(series.metric)
          .filter(([name]) => name !== '__name__')
          .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
          .join(',');
        for (const [t, v] of series.values ?? []) {
          if (Number.isFinite(Number(v))) {
            lines.push(`${rule.record}{${labels}} ${v} ${t}`);
          }
        }
      }
    }
  } finally {
    await prometheus.stop();
  }
  lines.push('# EOF');
  const file = join(options.workDir, 'recording-rules.om');
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  const blocks = await fs.mkdtemp(join(options.workDir, 'rule-blocks-'));
  await backfillPrometheus(blocks, [file]);
  moveBlocks(blocks, dataDir);
}

/** Moves every TSDB block of `fromDir` into `toDir` (Prometheus must not be running on `toDir`). */
function moveBlocks(fromDir: string, toDir: string): void {
  for (const name of readdirSync(fromDir)) {
    if (/^[0-9A-Z]{26}$/.test(name))
      renameSync(join(fromDir, name), join(toDir, name));
  }
}
