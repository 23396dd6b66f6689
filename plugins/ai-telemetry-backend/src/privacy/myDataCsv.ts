import {
  MY_DATA_CSV_COLUMNS,
  MyDataResponse,
} from '@fawkes/plugin-ai-telemetry-common';

type Column = (typeof MY_DATA_CSV_COLUMNS)[number];

/** Labels that have a column of their own; any other goes to `other_labels`. */
const LABEL_COLUMNS = [
  'user_hash',
  'language',
  'accepted',
  'assistant',
  'activity',
  'feature',
  'job',
  'instance',
] as const satisfies readonly Column[];

/**
 * A cell of RFC 4180 CSV. Text that a spreadsheet would take for a formula (=, +, -, @ first)
 * is prefixed with an apostrophe; legacy pushes can carry any label value.
 */
function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A sample value as Prometheus writes it: NaN, +Inf, -Inf, or the number. */
function valueCell(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelCells(labels: Record<string, string>): string[] {
  const others = Object.keys(labels)
    .filter(name => !(LABEL_COLUMNS as readonly string[]).includes(name))
    .sort()
    .map(name => `${name}=${labels[name]}`)
    .join(';');
  return [
    ...LABEL_COLUMNS.map(name => textCell(labels[name] ?? '')),
    textCell(others),
  ];
}

/**
 * The CSV download of "my data": a header row of {@link MY_DATA_CSV_COLUMNS}, then one row per
 * sample of every Prometheus series and one per running total in the database. Lines end in
 * CRLF, as RFC 4180 has it.
 */
export function myDataCsv(data: MyDataResponse): string {
  const rows: string[] = [MY_DATA_CSV_COLUMNS.join(',')];
  for (const series of data.series) {
    const labels = labelCells(series.labels);
    for (const [time, value] of series.samples) {
      rows.push(
        [
          'prometheus',
          textCell(series.metric),
          ...labels,
          new Date(time).toISOString(),
          valueCell(value),
        ].join(','),
      );
    }
  }
  for (const counter of data.counters) {
    rows.push(
      [
        'database',
        textCell(counter.metric),
        ...labelCells(counter.labels),
        counter.updatedAt,
        valueCell(counter.value),
      ].join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
