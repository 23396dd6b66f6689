import { DailyRuleCoverage } from './RecordedDays';
import { DAY } from './window';

const midnight = Date.UTC(2026, 10, 20) / 1000;
const window = {
  start: midnight,
  end: midnight + 8 * DAY,
  asOf: midnight + 7 * DAY + 13 * 3600,
  step: 3600,
  barStep: DAY,
};

/** A coverage whose marker has a sample for the days ending at these midnights. */
function coverageOf(days: number[]) {
  const asked: Array<[string, number, number, number]> = [];
  const coverage = new DailyRuleCoverage(async (query, start, end, step) => {
    asked.push([query, start, end, step]);
    return days.length === 0
      ? []
      : [{ labels: {}, points: days.map(d => [midnight + d * DAY, 1]) }];
  });
  return { coverage, asked };
}

describe('the days the per-developer daily rules hold', () => {
  it('are the whole days from the first midnight up to the last recorded one', async () => {
    const { coverage, asked } = coverageOf([1, 2, 3, 4, 5, 6]);
    await expect(coverage.of(window)).resolves.toEqual({
      from: midnight,
      until: midnight + 6 * DAY,
    });
    // Asked once, for the days ending at each midnight up to the last before asOf.
    expect(asked).toEqual([
      [
        'count_over_time(ai_telemetry:per_user_daily_v3:evaluated[86399999ms] offset -86399999ms)',
        midnight + DAY,
        midnight + 7 * DAY,
        DAY,
      ],
    ]);
  });

  it('stop at the first day the group did not run for, so that the rest is read from the counters', async () => {
    const { coverage } = coverageOf([1, 2, 4, 5, 6, 7]);
    await expect(coverage.of(window)).resolves.toEqual({
      from: midnight,
      until: midnight + 2 * DAY,
    });
  });

  it('are none where the rules are not evaluated (VictoriaMetrics)', async () => {
    await expect(coverageOf([]).coverage.of(window)).resolves.toBeUndefined();
  });

  it('begin with the first day recorded, where the rules began after the window did', async () => {
    // Days 1 and 2 of the window before the rules: read from the counters by the readers.
    await expect(coverageOf([3, 4, 5]).coverage.of(window)).resolves.toEqual({
      from: midnight + 2 * DAY,
      until: midnight + 5 * DAY,
    });
    await expect(coverageOf([3, 5, 6]).coverage.of(window)).resolves.toEqual({
      from: midnight + 2 * DAY,
      until: midnight + 3 * DAY,
    });
  });

  it('say where no counter has a sample before them, so that the days before need no reading', async () => {
    const asked: Array<[number, number]> = [];
    const coverage = (countersBefore: boolean) =>
      new DailyRuleCoverage(
        async () => [
          { labels: {}, points: [3, 4, 5].map(d => [midnight + d * DAY, 1]) },
        ],
        async (start, end) => {
          asked.push([start, end]);
          return countersBefore;
        },
      );
    await expect(coverage(false).of(window)).resolves.toEqual({
      from: midnight + 2 * DAY,
      until: midnight + 5 * DAY,
      quietFrom: midnight,
    });
    await expect(coverage(true).of(window)).resolves.toEqual({
      from: midnight + 2 * DAY,
      until: midnight + 5 * DAY,
    });
    expect(asked).toEqual([
      [midnight, midnight + 2 * DAY],
      [midnight, midnight + 2 * DAY],
    ]);
  });

  it('are not looked up for a window without a whole day', async () => {
    const { coverage, asked } = coverageOf([1]);
    await expect(
      coverage.of({
        ...window,
        start: midnight + 10 * 3600,
        asOf: midnight + DAY + 9 * 3600,
      }),
    ).resolves.toBeUndefined();
    expect(asked).toEqual([]);
  });
});
