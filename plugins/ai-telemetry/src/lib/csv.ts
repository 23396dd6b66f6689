/** A cell of a CSV file. */
export type CsvCell = string | number | boolean | null | undefined;

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV: a header row, then one line per row, CRLF line ends. */
export function toCsv(
  header: readonly string[],
  rows: readonly CsvCell[][],
): string {
  return [header, ...rows].map(row => row.map(cell).join(',')).join('\r\n');
}
