import { formatTick, timeTicks } from './format';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOV_1 = Date.UTC(2026, 10, 1);

describe('time axis ticks', () => {
  it('puts at most about eight midnights on a long range, labelled by date', () => {
    const ticks = timeTicks(NOV_1, NOV_1 + 30 * DAY);
    expect(ticks.length).toBeGreaterThanOrEqual(7);
    expect(ticks.length).toBeLessThanOrEqual(9);
    expect(ticks.every(t => t % DAY === 0)).toBe(true);
    expect(ticks[0]).toBeGreaterThanOrEqual(NOV_1);
    expect(ticks[ticks.length - 1]).toBeLessThanOrEqual(NOV_1 + 30 * DAY);
    const gaps = new Set(ticks.slice(1).map((t, i) => t - ticks[i]));
    expect([...gaps]).toEqual([4 * DAY]);
    expect(formatTick(NOV_1 + 4 * DAY, 30 * DAY)).toBe('11-05');
  });

  it('puts every midnight on a week', () => {
    expect(timeTicks(NOV_1, NOV_1 + 7 * DAY)).toEqual(
      Array.from({ length: 8 }, (_, i) => NOV_1 + i * DAY),
    );
  });

  it('puts hours three apart on a day, the date at midnight', () => {
    const ticks = timeTicks(NOV_1 + 13 * HOUR, NOV_1 + DAY + 13 * HOUR);
    expect(ticks.map(t => formatTick(t, DAY))).toEqual([
      '15:00',
      '18:00',
      '21:00',
      '11-02',
      '03:00',
      '06:00',
      '09:00',
      '12:00',
    ]);
  });
});
