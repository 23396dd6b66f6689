import { pointsOf } from './queries';

describe('pointsOf', () => {
  it('gives each value its interval start in ms and leaves out the undefined ones', () => {
    const start = Date.UTC(2026, 10, 1);
    expect(
      pointsOf({ start, step: 3600, values: [0.25, null, 0, 0.5] }),
    ).toEqual([
      { t: start, v: 0.25 },
      { t: start + 2 * 3_600_000, v: 0 },
      { t: start + 3 * 3_600_000, v: 0.5 },
    ]);
    expect(pointsOf({ start, step: 86400, values: [] })).toEqual([]);
  });
});
