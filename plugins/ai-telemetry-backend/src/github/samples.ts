import {
  GITHUB_SOURCE_LABEL,
  GITHUB_SOURCE_VALUE,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import { LedgerEntry } from '../database/GithubImportStore';
import { STEPS } from '../query/window';
import { RemoteWriteSeries } from '../upstream/RemoteWriteClient';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Where in its day an imported day's increase happens: from 23:00 to 23:05 UTC. Any 5-minute
 * interval of the day would show the day's figure on the day; this one is chosen so that
 * Prometheus's own recording rules never count it: a rule evaluated at t reads (t − 1 h, t], and
 * only evaluations between 23:05 and 24:00 of the day would see both sides of the step — all of
 * them before the day is over, so before GitHub publishes it and the import writes it.
 */
export const STEP_START_MS = 23 * 60 * MINUTE_MS;
export const STEP_END_MS = STEP_START_MS + 5 * MINUTE_MS;

/** Midnight UTC of a `YYYY-MM-DD` day, in milliseconds. */
export function dayStartMs(day: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (isNaN(ms)) throw new Error(`"${day}" is not a day (YYYY-MM-DD)`);
  return ms;
}

/** The `YYYY-MM-DD` of a time, in UTC. */
export function dayOfMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The offsets into the day (ms) at which an imported series gets a sample, before and after its
 * step: for each step a dashboard uses (5 minutes to a day; each divides the day), the start and
 * the end of the bucket that holds the step. `increase()` over any such bucket then has samples
 * exactly at both of its ends, so Prometheus extrapolates nothing and the bucket's figure is the
 * report's, exactly; buckets without the step hold at most equal values and add 0.
 */
export function sampleOffsets(steps: readonly number[] = STEPS): {
  before: number[];
  after: number[];
} {
  const before = new Set<number>();
  const after = new Set<number>();
  for (const stepSeconds of steps) {
    const step = stepSeconds * 1000;
    const start = Math.floor(STEP_START_MS / step) * step;
    const end = start + step;
    if (end < STEP_END_MS || DAY_MS % step !== 0) {
      throw new Error(
        `a step of ${stepSeconds} s does not hold the import's step`,
      );
    }
    before.add(start);
    after.add(end);
  }
  const sorted = (values: Set<number>) => [...values].sort((a, b) => a - b);
  return { before: sorted(before), after: sorted(after) };
}

const OFFSETS = sampleOffsets();

/**
 * The series one ledger row writes: each series the day changed, with the total before the day
 * at the offsets before its step and the total after it from the step's end to the day's end.
 * The series carry the contract's labels, the pseudonym, and `source="github"`, which no scraped
 * series has. The same row always gives the same samples, so writing it twice changes nothing.
 */
export function seriesOf(entry: LedgerEntry): RemoteWriteSeries[] {
  const midnight = dayStartMs(entry.day);
  return entry.changes.map(change => ({
    labels: {
      __name__: change.metric,
      ...change.labels,
      [USER_HASH_LABEL]: entry.userHash,
      [GITHUB_SOURCE_LABEL]: GITHUB_SOURCE_VALUE,
    },
    samples: [
      ...OFFSETS.before.map((offset): [number, number] => [
        midnight + offset,
        change.beforeMilli / 1000,
      ]),
      ...OFFSETS.after.map((offset): [number, number] => [
        midnight + offset,
        change.afterMilli / 1000,
      ]),
    ],
  }));
}
