/**
 * What the load and fault benchmarks record of every request: its route, status, latency and,
 * for an error, its message; and the tables they print.
 */

/** A request's outcome: an HTTP status, or a failure without an answer. */
export type Outcome = number | 'timeout' | 'connection';

export type Sample = {
  at: number;
  route: string;
  outcome: Outcome;
  ms: number;
  /** The error's message, for statuses of 400 and more. */
  message?: string;
};

export class Recorder {
  readonly samples: Sample[] = [];

  record(sample: Sample): void {
    this.samples.push(sample);
  }

  between(from: number, to: number): Sample[] {
    return this.samples.filter(s => s.at >= from && s.at < to);
  }
}

/** Backstage's error body `{ error: { name, message } }`, or the text's start. */
export function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { name?: string; message?: string };
    };
    if (parsed?.error?.message) {
      return `${parsed.error.name ?? 'Error'}: ${parsed.error.message}`;
    }
  } catch {
    // Not JSON.
  }
  return body.slice(0, 200).replace(/\s+/g, ' ');
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const isError = (o: Outcome) => typeof o !== 'number' || o >= 400;

/** A table with right-aligned columns but the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ');
  return [
    line(header),
    widths.map(w => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

export const ms = (x: number) => (Number.isNaN(x) ? '-' : `${x.toFixed(1)} ms`);
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const percent = (part: number, whole: number) =>
  whole === 0 ? '-' : `${((100 * part) / whole).toFixed(2)} %`;

/** Statuses as `200×1234 503×5 connection×2`, most frequent first. */
export function statusSummary(samples: Sample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) {
    counts.set(String(s.outcome), (counts.get(String(s.outcome)) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
}

/** One row per route: requests, throughput, p50, p99, errors, statuses. */
export function routeRows(
  samples: Sample[],
  seconds: number,
  routes: string[],
): string[][] {
  return routes.map(route => {
    const mine = samples.filter(s => s.route === route);
    // Every answer and time-out counts (a time-out as its 30 s); a connection that failed
    // before any answer has no latency.
    const sorted = mine
      .map(s => s.ms)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const errors = mine.filter(s => isError(s.outcome)).length;
    return [
      route,
      String(mine.length),
      `${(mine.length / seconds).toFixed(1)}/s`,
      ms(quantile(sorted, 0.5)),
      ms(quantile(sorted, 0.99)),
      `${errors} (${percent(errors, mine.length)})`,
      statusSummary(mine),
    ];
  });
}
