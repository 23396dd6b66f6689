import {
  chooseStep,
  DAY,
  HOUR,
  MAX_POINTS_PER_QUERY,
  PanelParameterError,
  resolveWindow,
} from './window';

const now = Date.UTC(2026, 10, 28, 13, 37, 12) / 1000;
const clock = { now, retentionDays: 90 };

describe('chooseStep', () => {
  it('gives each named range a step that keeps charts far below 11,000 points', () => {
    expect(chooseStep(DAY)).toBe(900);
    expect(chooseStep(7 * DAY)).toBe(HOUR);
    expect(chooseStep(30 * DAY)).toBe(3 * HOUR);
    expect(chooseStep(90 * DAY)).toBe(12 * HOUR);
    expect(chooseStep(90 * DAY)).toBeGreaterThanOrEqual(2 * HOUR);
  });

  it('never gives a range more points than one query may return', () => {
    for (let range = HOUR; range <= 400 * DAY; range += 7919) {
      const step = chooseStep(range);
      expect(range / step).toBeLessThan(MAX_POINTS_PER_QUERY);
      expect(DAY % step).toBe(0);
    }
  });
});

describe('resolveWindow', () => {
  it('ends a range with the day (or hour) that holds now, its figures running up to now', () => {
    const week = resolveWindow({ range: '7d' }, clock);
    expect(week).toEqual({
      start: Date.UTC(2026, 10, 22) / 1000,
      end: Date.UTC(2026, 10, 29) / 1000,
      asOf: now,
      step: HOUR,
      barStep: DAY,
    });
    const day = resolveWindow({ range: '24h' }, clock);
    expect(day.end).toBe(Date.UTC(2026, 10, 28, 14) / 1000);
    expect(day.asOf).toBe(now);
    expect(day.end - day.start).toBe(DAY);
    expect(day.barStep).toBe(HOUR);
  });

  it('gives equal windows to requests made moments apart, so only the running bucket is asked again', () => {
    const a = resolveWindow({ range: '30d' }, clock);
    const b = resolveWindow({ range: '30d' }, { ...clock, now: now + 600 });
    expect({ ...a, asOf: 0 }).toEqual({ ...b, asOf: 0 });
    expect(b.asOf - a.asOf).toBe(600);
  });

  it('aligns a custom range outwards and cuts it at the end of today', () => {
    const w = resolveWindow(
      { from: Date.UTC(2026, 10, 1, 5) / 1000, to: now + 10 * DAY },
      clock,
    );
    expect(w.start).toBe(Date.UTC(2026, 10, 1) / 1000);
    expect(w.end).toBe(Date.UTC(2026, 10, 29) / 1000);
    expect(w.asOf).toBe(now);
  });

  it('runs a window wholly in the past to its end', () => {
    const w = resolveWindow(
      {
        from: Date.UTC(2026, 10, 1) / 1000,
        to: Date.UTC(2026, 10, 8) / 1000,
      },
      clock,
    );
    expect(w.asOf).toBe(w.end);
    expect(w.end).toBe(Date.UTC(2026, 10, 8) / 1000);
  });

  it('gives an hour-long window steps no finer than the moving average allows', () => {
    const w = resolveWindow({ from: now - 3 * HOUR, to: now }, clock);
    expect(w.step).toBe(900);
    expect((w.end - w.start + 7 * DAY) / w.step).toBeLessThan(
      MAX_POINTS_PER_QUERY,
    );
  });

  it('caps a range at the retention', () => {
    const w = resolveWindow({ range: '90d' }, { now, retentionDays: 30 });
    expect(w.end - w.start).toBeLessThanOrEqual(31 * DAY);
    expect(w.start).toBeGreaterThanOrEqual(now - 31 * DAY);
  });

  it('refuses a range entirely before the retention, naming the field', () => {
    expect(() =>
      resolveWindow({ from: now - 200 * DAY, to: now - 150 * DAY }, clock),
    ).toThrow(PanelParameterError);
    expect(() =>
      resolveWindow({ from: now - 200 * DAY, to: now - 150 * DAY }, clock),
    ).toThrow(/retention of 90 days/);
  });

  it('refuses a range shorter than an hour', () => {
    expect(() => resolveWindow({ from: now - 60, to: now }, clock)).toThrow(
      /at least 1 hour/,
    );
  });
});
