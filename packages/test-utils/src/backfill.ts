import {
  createWriteStream,
  promises as fs,
  readdirSync,
  renameSync,
} from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PrometheusProcess } from './PrometheusProcess';
import { rangeQuery } from './promQuery';
import { runCommand } from './runCommand';

export const PROMTOOL_BINARY = '/usr/bin/promtool';

/** What {@link backfillPrometheus} writes besides the samples. */
export type RecordingRulesBackfill = {
  /** Prometheus rules files; their recording rules are evaluated over the backfilled samples. */
  file: string | readonly string[];
  /** The first (rounded up to each group's interval) and last evaluation, unix seconds. */
  from: number;
  to: number;
  /** A folder for the work: the evaluations and their blocks, a Prometheus's log. */
  workDir: string;
  /**
   * Hours of evaluations asked of Prometheus in one range query (default
   * {@link DEFAULT_RULE_CHUNK_HOURS}). A rule over many series evaluated over a long history as
   * one query holds every step's intermediate series at once and stops at Prometheus's
   * `--query.max-samples` (50 M by default, "query processing would load too many samples
   * into memory"); the history is evaluated in chunks of this length instead, and a chunk that
   * still stops there is halved and asked again, down to one hour.
   */
  chunkHours?: number;
  /** Told of each chunk evaluated and of each halving, e.g. to print progress. */
  onProgress?: (message: string) => void;
  /**
   * Only the rules whose output the TSDB does not hold yet (by name, anywhere in it): adds rules
   * written since the samples were backfilled without recording the others twice.
   */
  onlyMissing?: boolean;
};

/** A week of hourly evaluations per query: 168 steps, under the default limit for ~250,000 series. */
export const DEFAULT_RULE_CHUNK_HOURS = 168;

const HOUR = 3600;

/**
 * Turns OpenMetrics files into TSDB blocks in `dataDir` (promtool, 720 h blocks, two files at a
 * time), before a Prometheus starts on it. With `recordingRules`, the rules are then backfilled
 * as Prometheus would have recorded them: each rule's expression evaluated at every multiple of
 * its group's interval (every hour on the hour by default) over the samples (range queries, a
 * week at a time, on a Prometheus started on `dataDir`
 * for the purpose: {@link backfillRecordingRules}), written as OpenMetrics and turned into
 * blocks beside them. (promtool's own
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
  groups: Array<{
    interval?: string;
    rules: Array<{ record?: string; expr: string }>;
  }>;
};

const DURATION_SECONDS: Record<string, number> = {
  s: 1,
  m: 60,
  h: HOUR,
  d: 24 * HOUR,
};

/** A rule group's evaluation interval (`30s`, `1h`, `1d`), in seconds; an hour when absent. */
function intervalSeconds(interval: string | undefined): number {
  if (interval === undefined) return HOUR;
  const match = /^(\d+)([smhd])$/.exec(interval);
  if (!match) throw new Error(`unsupported rule group interval ${interval}`);
  return Number(match[1]) * DURATION_SECONDS[match[2]];
}

/**
 * Backfills the recording rules of `options.file` (one file or several) over the samples in
 * `dataDir` (which no Prometheus may be running on): each rule's expression evaluated at every
 * multiple of its group's interval (an hour when the group names none: on the hour; a day for a
 * daily group: at midnight UTC) from `from` (rounded up to the interval) to `to`, in chunks of
 * `chunkHours`, by a Prometheus started on `dataDir` for the purpose with its default limits; the
 * results written as OpenMetrics and turned into blocks beside the samples. Resolves to the
 * names of the rules it recorded. {@link backfillPrometheus} calls it when given rules.
 */
export async function backfillRecordingRules(
  dataDir: string,
  options: RecordingRulesBackfill,
): Promise<string[]> {
  const files =
    typeof options.file === 'string' ? [options.file] : options.file;
  const rules: Array<{ record: string; expr: string; interval: number }> = [];
  for (const file of files) {
    const parsed = parseYaml(await fs.readFile(file, 'utf8')) as RuleFile;
    for (const group of parsed.groups) {
      const interval = intervalSeconds(group.interval);
      for (const rule of group.rules) {
        if (rule.record)
          rules.push({ record: rule.record, expr: rule.expr, interval });
      }
    }
  }
  await fs.mkdir(options.workDir, { recursive: true });
  const file = join(options.workDir, 'recording-rules.om');
  const out = createWriteStream(file);
  const write = (text: string) =>
    new Promise<void>((resolve, reject) =>
      out.write(text, error => (error ? reject(error) : resolve())),
    );
  const prometheus = await new PrometheusProcess({
    dir: join(options.workDir, 'recording-rules-prometheus'),
    dataDir,
  }).start();
  try {
    if (options.onlyMissing) {
      const held = new Set(await metricNames(prometheus.url));
      rules.splice(
        0,
        rules.length,
        ...rules.filter(rule => !held.has(rule.record)),
      );
    }
    let chunkHours = Math.max(
      1,
      Math.floor(options.chunkHours ?? DEFAULT_RULE_CHUNK_HOURS),
    );
    for (const rule of rules) {
      const step = rule.interval;
      const start = Math.ceil(options.from / step) * step;
      // Each series' samples together and in time order, whatever the chunks: [t, v, t, v, ...].
      const bySeries = new Map<string, number[]>();
      for (let from = start; from <= options.to; ) {
        const steps = Math.max(1, Math.floor((chunkHours * HOUR) / step));
        const to = Math.min(from + (steps - 1) * step, options.to);
        let result;
        try {
          result = await rangeQuery(prometheus.url, rule.expr, {
            start: from,
            end: to,
            step,
          });
        } catch (error) {
          if (chunkHours > 1 && /too many samples/.test(String(error))) {
            chunkHours = Math.max(1, Math.floor(chunkHours / 2));
            options.onProgress?.(
              `${rule.record}: too many samples for one query; chunks of ${chunkHours} h from now on`,
            );
            continue;
          }
          throw error;
        }
        for (const series of result) {
          const labels = Object.entries(series.metric)
            .filter(([name]) => name !== '__name__')
            .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
            .join(',');
          let values = bySeries.get(labels);
          if (!values) bySeries.set(labels, (values = []));
          for (const [t, v] of series.values ?? []) {
            const value = Number(v);
            if (Number.isFinite(value)) values.push(Number(t), value);
          }
        }
        options.onProgress?.(
          `${rule.record}: evaluated ${new Date(
            from * 1000,
          ).toISOString()} .. ${new Date(to * 1000).toISOString()}`,
        );
        from = to + step;
      }
      await write(`# TYPE ${rule.record} gauge\n`);
      let lines: string[] = [];
      for (const [labels, values] of bySeries) {
        for (let i = 0; i < values.length; i += 2) {
          lines.push(`${rule.record}{${labels}} ${values[i + 1]} ${values[i]}`);
        }
        if (lines.length >= 10_000) {
          await write(`${lines.join('\n')}\n`);
          lines = [];
        }
      }
      if (lines.length > 0) await write(`${lines.join('\n')}\n`);
    }
  } finally {
    await prometheus.stop();
  }
  await write('# EOF\n');
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  if (rules.length > 0) {
    const blocks = await fs.mkdtemp(join(options.workDir, 'rule-blocks-'));
    await backfillPrometheus(blocks, [file]);
    moveBlocks(blocks, dataDir);
  }
  return rules.map(rule => rule.record);
}

/** Every metric name a Prometheus holds, over its whole TSDB. */
async function metricNames(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/label/__name__/values`);
  const body = (await res.json()) as { status: string; data?: string[] };
  if (body.status !== 'success' || !body.data) {
    throw new Error(
      `Prometheus did not list its metric names: HTTP ${res.status}`,
    );
  }
  return body.data;
}

/** Moves every TSDB block of `fromDir` into `toDir` (Prometheus must not be running on `toDir`). */
function moveBlocks(fromDir: string, toDir: string): void {
  for (const name of readdirSync(fromDir)) {
    if (/^[0-9A-Z]{26}$/.test(name))
      renameSync(join(fromDir, name), join(toDir, name));
  }
}
