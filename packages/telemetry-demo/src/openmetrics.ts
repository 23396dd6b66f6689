import { closeSync, openSync, writeSync } from 'fs';
import { METRIC_HELP } from '@fawkes/plugin-ai-telemetry-common';
import {
  CONTRACT_METRICS,
  MetricKey,
  Period,
  UserSeries,
  ValueScale,
} from './activity';

/** Where OpenMetrics text goes, a chunk at a time. */
export interface TextSink {
  write(text: string): void;
}

/** Collects the text in memory (tests, small sets). */
export class StringSink implements TextSink {
  private readonly chunks: string[] = [];
  write(text: string): void {
    this.chunks.push(text);
  }
  toString(): string {
    return this.chunks.join('');
  }
}

/** Writes to a file through a buffer of about 1 MiB, so that memory stays flat however large the set. */
export class FileSink implements TextSink {
  private readonly fd: number;
  private buffered: string[] = [];
  private bufferedLength = 0;
  private static readonly FLUSH_AT = 1 << 20;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.buffered.push(text);
    this.bufferedLength += text.length;
    if (this.bufferedLength >= FileSink.FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.bufferedLength === 0) return;
    writeSync(this.fd, this.buffered.join(''));
    this.buffered = [];
    this.bufferedLength = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * The MetricFamily name and type each contract metric is declared with. OpenMetrics names a
 * counter's family without its `_total` suffix and requires that suffix on its samples, so only
 * the names that end in `_total` (ai_copilot_suggestions_total and the OTLP-fed ones) can be
 * declared counters. The three seed names without `_total` are declared `unknown`, which keeps
 * the sample names exactly the contract's (Prometheus keeps no type in its TSDB, and queries
 * treat them as the counters they are).
 */
export function metricFamily(metric: MetricKey): {
  family: string;
  type: string;
} {
  const name = CONTRACT_METRICS[metric];
  return name.endsWith('_total')
    ? { family: name.slice(0, -'_total'.length), type: 'counter' }
    : { family: name, type: 'unknown' };
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/"/g, '\\"');
}

/** The `# HELP` and `# TYPE` lines that open a metric family. */
export function familyHeader(metric: MetricKey): string {
  const { family, type } = metricFamily(metric);
  return `# HELP ${family} ${escapeHelp(
    METRIC_HELP[CONTRACT_METRICS[metric]],
  )}\n# TYPE ${family} ${type}\n`;
}

/**
 * A whole-number value divided by its scale, in decimal: time saved keeps its one decimal
 * (`12.0`), cost drops trailing zeros (`0.1234`, `5`).
 */
export function formatScaled(value: number, scale: ValueScale): string {
  if (scale === 1) return String(value);
  const whole = Math.floor(value / scale);
  const fraction = String(value - whole * scale).padStart(
    scale === 10 ? 1 : 6,
    '0',
  );
  if (scale === 10) return `${whole}.${fraction}`;
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed}` : String(whole);
}

/** The line that ends an OpenMetrics exposition. */
export const EOF_LINE = '# EOF\n';

/**
 * Writes the samples of one series that fall in [from, to), in time order, timestamps in
 * seconds. Writes nothing when none does.
 */
export function writeSeries(
  sink: TextSink,
  series: UserSeries,
  period: Period,
  extraLabels: Record<string, string>,
  from: number = -Infinity,
  to: number = Infinity,
): void {
  const t0 = period.start + series.firstSample * period.step;
  const first = Math.max(0, Math.ceil((from - t0) / period.step));
  const end = Math.min(
    series.values.length,
    Math.ceil((to - t0) / period.step),
  );
  if (first >= end) return;

  const labels = { ...series.labels, ...extraLabels };
  const prefix = `${CONTRACT_METRICS[series.metric]}{${Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',')}} `;
  const lines: string[] = new Array(end - first);
  for (let i = first; i < end; i++) {
    const value = formatScaled(series.values[i], series.scale);
    lines[i - first] = `${prefix}${value} ${t0 + i * period.step}\n`;
  }
  sink.write(lines.join(''));
}
