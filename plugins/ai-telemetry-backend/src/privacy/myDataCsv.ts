import {
  CsvCell,
  MY_DATA_CSV_COLUMNS,
  MyDataResponse,
  toCsv,
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

function labelCells(labels: Record<string, string>): CsvCell[] {
  const others = Object.keys(labels)
    .filter(name => !(LABEL_COLUMNS as readonly string[]).includes(name))
    .sort()
    .map(name => `${name}=${labels[name]}`)
    .join(';');
  return [...LABEL_COLUMNS.map(name => labels[name]), others];
}

/**
 * The CSV download of "my data": a header row of {@link MY_DATA_CSV_COLUMNS}, then one row per
 * sample of every Prometheus series, one per running total in the database, and one per running
 * total of the GitHub import (`source` = `github_import`). Legacy pushes
 * can carry any label value: the shared writer keeps a spreadsheet from running one as a formula.
 */
export function myDataCsv(data: MyDataResponse): string {
  const rows: CsvCell[][] = [];
  for (const series of data.series) {
    const labels = labelCells(series.labels);
    for (const [time, value] of series.samples) {
      rows.push([
        'prometheus',
        series.metric,
        ...labels,
        new Date(time).toISOString(),
        value,
      ]);
    }
  }
  for (const counter of data.counters) {
    rows.push([
      'database',
      counter.metric,
      ...labelCells(counter.labels),
      counter.updatedAt,
      counter.value,
    ]);
  }
  // The GitHub import's running totals, as of the end of the last day that added to each.
  for (const counter of data.githubImport?.counters ?? []) {
    const end = Date.parse(`${counter.throughDay}T00:00:00Z`) + 86_400_000;
    rows.push([
      'github_import',
      counter.metric,
      ...labelCells({
        ...(data.userHash && { user_hash: data.userHash }),
        ...counter.labels,
      }),
      new Date(end).toISOString(),
      counter.value,
    ]);
  }
  return toCsv(MY_DATA_CSV_COLUMNS, rows);
}
