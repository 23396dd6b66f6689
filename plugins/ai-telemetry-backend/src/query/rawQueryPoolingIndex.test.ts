import { PrometheusSeries } from '../upstream/PrometheusClient';
import { checkRawQuery } from './rawQueryGuard';
import {
  ENDED_DAY_TTL_MS,
  hourlyCountQuery,
  HourlyPooling,
  hourlyPoolingOf,
  PoolingIndex,
  provesPooled,
  RUNNING_DAY_TTL_MS,
} from './rawQueryPoolingIndex';
import { DAY, HOUR } from './window';

const S = 'ai_copilot_suggestions_total';

function poolingOf(query: string): HourlyPooling | undefined {
  const checked = checkRawQuery(query);
  return hourlyPoolingOf(checked.units[0], checked.promql);
}

describe('hourlyPoolingOf', () => {
  it('takes the growth of one counter over an hour or more, aggregated as the whole query', () => {
    expect(
      poolingOf(`sum by (language) (increase(${S}{accepted="true"}[1d]))`),
    ).toMatchObject({ labels: ['language'], window: DAY });
    expect(poolingOf(`avg(rate(${S}[2h]) * 60)`)).toMatchObject({
      labels: [],
      window: 2 * HOUR,
    });
    expect(
      hourlyCountQuery(
        poolingOf(`sum by (language) (increase(${S}{accepted="true"}[1d]))`)!,
      ),
    ).toBe(
      `count by (language) (count by (language, user_hash) (increase(${S}{accepted="true", user_hash!=""}[1h]) != 0))`,
    );
  });

  it('leaves every other unit to its companion query', () => {
    for (const query of [
      // Less than an hour: no whole hour fits in its window.
      `sum(increase(${S}[30m]))`,
      // Not the whole query: its groups are not the answer's.
      `sum(increase(${S}[1d])) / 2`,
      `sum(increase(${S}{accepted="true"}[1d])) / sum(increase(${S}[1d]))`,
      // In a subquery, evaluated at other times.
      `max_over_time(sum(increase(${S}[1h]))[1d:1h])`,
      // Read at another time.
      `sum(increase(${S}[1d] offset 1d))`,
      // Not a counter's growth.
      `sum(changes(${S}[1d]))`,
      // A recording rule.
      'ai_telemetry:suggestions:increase1h',
    ]) {
      const checked = checkRawQuery(query);
      expect({
        query,
        pooling: checked.units.map(u => hourlyPoolingOf(u, checked.promql)),
      }).toEqual({ query, pooling: checked.units.map(() => undefined) });
    }
  });
});

describe('provesPooled', () => {
  const T = Date.UTC(2026, 10, 20) / 1000;
  const pooling = poolingOf(`sum by (language) (increase(${S}[1d]))`)!;
  const counts = new Map([
    [
      '["go"]',
      new Map([
        [T - 5 * HOUR, 6],
        [T + 20 * HOUR, 2],
      ]),
    ],
  ]);
  const answer = (t: number, language = 'go'): PrometheusSeries[] => [
    { labels: { language }, points: [[t, 100]] },
  ];

  it('proves a group pooled where an hour within the window has enough growing counters', () => {
    expect(provesPooled(pooling, counts, answer(T), 5)).toBe(true);
    // The hour from T - 6 h to T - 5 h is the first of the day that ends at T + 18 h.
    expect(provesPooled(pooling, counts, answer(T + 18 * HOUR), 5)).toBe(true);
    expect(provesPooled(pooling, counts, answer(T + 18 * HOUR + 1), 5)).toBe(
      false,
    );
  });

  it('proves nothing for an hour outside the window, a group without counts, or too few', () => {
    expect(provesPooled(pooling, counts, answer(T - 6 * HOUR), 5)).toBe(false);
    expect(provesPooled(pooling, counts, answer(T, 'rust'), 5)).toBe(false);
    expect(provesPooled(pooling, counts, answer(T), 7)).toBe(false);
    expect(provesPooled(pooling, counts, [], 5)).toBe(true);
  });
});

describe('PoolingIndex', () => {
  it('reads the hourly counts one day at a time, within retention and up to now', async () => {
    const now = Date.UTC(2026, 10, 20, 13, 30) / 1000;
    const today = Date.UTC(2026, 10, 20) / 1000;
    const asked: Array<[number, number, number, number]> = [];
    const index = new PoolingIndex({
      range: async (_query, start, end, step, ttlMs) => {
        asked.push([start, end, step, ttlMs]);
        return [{ labels: {}, points: [[end, 7]] }];
      },
      retentionDays: 3,
      now: () => now,
    });
    const pooling = poolingOf(`sum(increase(${S}[1d]))`)!;

    const counts = await index.counts(pooling, today - 5 * DAY, now);

    // Three days of retention: the oldest day it could drop while the counts are reused is
    // left out, and nothing after now is asked.
    expect(asked.sort((a, b) => a[0] - b[0])).toEqual([
      [today - DAY + HOUR, today, HOUR, ENDED_DAY_TTL_MS],
      [today + HOUR, today + DAY, HOUR, RUNNING_DAY_TTL_MS],
    ]);
    expect(counts.get('[]')).toEqual(
      new Map([
        [today, 7],
        [today + DAY, 7],
      ]),
    );
  });
});
