import {
  PreviousWindow,
  QueryWindow,
} from '@fawkes/plugin-ai-telemetry-common';

const DAY_MS = 86_400_000;

const oneDecimal = new Intl.NumberFormat('en-GB', {
  maximumFractionDigits: 1,
});
const whole = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** "the previous 7 days", "the previous 24 hours". */
function previousPeriod(window: QueryWindow): string {
  const length = window.end - window.start;
  if (length % DAY_MS === 0 && length >= 3 * DAY_MS) {
    return `the previous ${length / DAY_MS} days`;
  }
  return `the previous ${whole.format(length / 3_600_000)} hours`;
}

/**
 * A tile's change against the previous window of the same length, in words: a count's relative
 * change ("▲ 12 % on the previous 7 days"), a ratio's in percentage points ("▼ 2.1 pts ..."); no
 * words when there is nothing to compare (no previous figures, withheld, or a ratio undefined).
 */
export function tileChange(
  panel: { previous?: PreviousWindow },
  name: string,
  current: number | null,
  kind: 'count' | 'ratio' = 'count',
): string | undefined {
  const previous = panel.previous;
  if (!previous || current === null) return undefined;
  const period = previousPeriod(previous.window);
  if ('withheld' in previous) {
    return previous.withheld === 'retention'
      ? undefined
      : `no change shown: too little data in ${period}`;
  }
  const before = previous.tiles[name];
  if (before === null || before === undefined) return undefined;
  if (kind === 'ratio') {
    const points = (current - before) * 100;
    if (Math.abs(points) < 0.05) return `same as ${period}`;
    return `${points > 0 ? '▲' : '▼'} ${oneDecimal.format(
      Math.abs(points),
    )} pts on ${period}`;
  }
  if (before === 0) {
    return current === 0 ? `same as ${period}` : `none in ${period}`;
  }
  const relative = ((current - before) / Math.abs(before)) * 100;
  if (Math.abs(relative) < 0.5) return `same as ${period}`;
  return `${relative > 0 ? '▲' : '▼'} ${whole.format(
    Math.abs(relative),
  )} % on ${period}`;
}
