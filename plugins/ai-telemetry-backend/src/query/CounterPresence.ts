import { FAMILY_METRICS, METRIC_FAMILIES } from './families';
import { WindowSpec } from './window';

/** The values of a label over the series with samples from `start` to `end` (unix seconds). */
export type LabelValuesRun = (
  label: string,
  matchers: string[],
  start: number,
  end: number,
) => Promise<string[]>;

/**
 * Whether the seed's counters (the families the dashboard's privacy threshold counts) hold any
 * sample in a window before the time it is read at, asked of the index (the names of the
 * counters with series there), which costs little whether there are any or not. Where there are
 * none, no one has data in the window: an increase needs two samples in it, and the daily rules
 * are computed from those same samples; so the threshold would withhold the window, and need
 * not read every developer's series to say so (a window before the first data, such as the
 * previous window of the first 90 days, overlaps the first samples only at its end). The index
 * answers per block, so it may name a counter whose samples lie just outside the window, never
 * miss one inside it.
 */
export class CounterPresence {
  constructor(private readonly labelValues: LabelValuesRun) {}

  /** False only when no counter has a sample from the window's start to before `asOf`. */
  any(window: WindowSpec): Promise<boolean> {
    // A sample at asOf itself is the only one a series can have then: no increase.
    return this.between(window.start, Math.floor(window.asOf));
  }

  /** False only when no counter has a sample from `start` to before `end`. */
  async between(start: number, end: number): Promise<boolean> {
    const names = await this.labelValues(
      '__name__',
      METRIC_FAMILIES.map(family => FAMILY_METRICS[family]),
      start,
      end - 0.001,
    );
    return names.length > 0;
  }
}
