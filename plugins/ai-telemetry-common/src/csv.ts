/** A cell of a CSV file. */
export type CsvCell = string | number | boolean | null | undefined;

/** What a spreadsheet takes for the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * One cell of RFC 4180 CSV. Text that a spreadsheet would run as a formula (=, +, -, @, a tab or
 * a carriage return first) is prefixed with an apostrophe: label values, names and PromQL can
 * come from anyone who sends telemetry. Numbers are written as Prometheus writes sample values
 * (`NaN`, `+Inf`, `-Inf`), never prefixed; empty for null and undefined.
 */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return numberText(value);
  const text = String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV: a header row, then one line per row, each line ending in CRLF. */
export function toCsv(
  header: readonly string[],
  rows: Iterable<readonly CsvCell[]>,
): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
