import {
  customPeriod,
  isoWeekOf,
  isoWeekPeriod,
  lastCompleteIsoWeek,
  previousPeriod,
} from './week';

const iso = (d: Date) => d.toISOString();

describe('ISO weeks', () => {
  it('belong to the year of their Thursday', () => {
    expect(isoWeekOf(new Date('2021-01-03T12:00:00Z'))).toEqual({
      year: 2020,
      week: 53,
    });
    expect(isoWeekOf(new Date('2024-12-30T00:00:00Z'))).toEqual({
      year: 2025,
      week: 1,
    });
    expect(isoWeekOf(new Date('2026-11-22T23:59:59Z'))).toEqual({
      year: 2026,
      week: 47,
    });
  });

  it('run from Monday 00:00 UTC to the next Monday', () => {
    const week = isoWeekPeriod('2026-W47');
    expect([week.label, iso(week.from), iso(week.to)]).toEqual([
      '2026-W47',
      '2026-11-16T00:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
    ]);
    const first = isoWeekPeriod('2026-W01');
    expect(iso(first.from)).toBe('2025-12-29T00:00:00.000Z');
    expect(iso(isoWeekPeriod('2026-W53').from)).toBe(
      '2026-12-28T00:00:00.000Z',
    );
  });

  it('refuse a week the year does not have, or a malformed one, naming the flag', () => {
    expect(() => isoWeekPeriod('2025-W53')).toThrow(
      '--week 2025-W53: 2025 has weeks 01 to 52',
    );
    expect(() => isoWeekPeriod('2026-47')).toThrow(
      '--week must be an ISO week such as 2026-W47, got "2026-47"',
    );
  });

  it('default to the last week that has ended, also right at Monday midnight', () => {
    expect(lastCompleteIsoWeek(new Date('2026-11-28T02:04:00Z')).label).toBe(
      '2026-W47',
    );
    expect(lastCompleteIsoWeek(new Date('2026-11-23T00:00:00Z')).label).toBe(
      '2026-W47',
    );
    expect(
      lastCompleteIsoWeek(new Date('2026-11-22T23:59:59.999Z')).label,
    ).toBe('2026-W46');
  });

  it('compare with the week before', () => {
    const before = previousPeriod(isoWeekPeriod('2026-W01'));
    expect([before.label, iso(before.from), iso(before.to)]).toEqual([
      '2025-W52',
      '2025-12-22T00:00:00.000Z',
      '2025-12-29T00:00:00.000Z',
    ]);
  });
});

describe('custom periods', () => {
  it('take dates as UTC midnight and compare with as long a period before', () => {
    const period = customPeriod('2026-11-18', '2026-11-28T00:00:00Z');
    const before = previousPeriod(period);
    expect([iso(before.from), iso(before.to)]).toEqual([
      '2026-11-08T00:00:00.000Z',
      '2026-11-18T00:00:00.000Z',
    ]);
    expect(period.label).toBe(
      '2026-11-18T00:00:00.000Z – 2026-11-28T00:00:00.000Z',
    );
  });

  it('are labelled as a week when they are one', () => {
    expect(customPeriod('2026-11-16', '2026-11-23').label).toBe('2026-W47');
  });

  it('refuse local times, nonsense and reversed ends', () => {
    expect(() => customPeriod('2026-11-16T00:00', '2026-11-23')).toThrow(
      /--from must be an ISO 8601 date .* got "2026-11-16T00:00"/,
    );
    expect(() => customPeriod('2026-11-16', 'next week')).toThrow(
      /--to must be an ISO 8601 date/,
    );
    expect(() => customPeriod('2026-11-23', '2026-11-16')).toThrow(
      '--to (2026-11-16) must be later than --from (2026-11-23)',
    );
  });
});
