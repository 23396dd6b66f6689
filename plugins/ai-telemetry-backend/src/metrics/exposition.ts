/**
 * The Prometheus text exposition format, version 0.0.4:
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export const EXPOSITION_CONTENT_TYPE =
  'text/plain; version=0.0.4; charset=utf-8';

const LABEL_VALUE_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
};

/** A label value with backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, c => LABEL_VALUE_ESCAPES[c]);
}

/** A HELP text with backslash and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, c => (c === '\\' ? '\\\\' : '\\n'));
}

/** `name="value",...` in the given order. */
export function formatLabels(labels: ReadonlyArray<[string, string]>): string {
  return labels
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');
}

/** A value stored in thousandths, as a sample value: 12 for 12000, 10.125 for 10125. */
export function formatMilli(valueMilli: number): string {
  return String(valueMilli / 1000);
}

/** The `# HELP` and `# TYPE` lines that open a metric family. */
export function familyHeader(
  name: string,
  type: 'counter' | 'gauge',
  help: string,
): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** One sample line, from labels already formatted (see {@link formatLabels}). */
export function sampleLine(
  name: string,
  formattedLabels: string,
  value: string,
): string {
  return formattedLabels
    ? `${name}{${formattedLabels}} ${value}\n`
    : `${name} ${value}\n`;
}
