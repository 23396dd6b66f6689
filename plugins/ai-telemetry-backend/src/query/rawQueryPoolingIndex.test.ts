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

describe('hourlyPoolingOf, asked again', () => {
  it('answers a unit of a checked query asked again as before, and works it out again for another query', () => {
    const checked = checkRawQuery(`sum(increase(${S}[1d]))`);
    const [unit] = checked.units;
    const first = hourlyPoolingOf(unit, checked.promql);
    expect(first).toMatchObject({ labels: [], window: DAY });
    expect(hourlyPoolingOf(unit, checked.promql)).toBe(first);
    // The same unit within a larger query is not the whole query.
    expect(hourlyPoolingOf(unit, `${checked.promql} / 2`)).toBeUndefined();
    expect(hourlyPoolingOf(unit, checked.promql)).toEqual(first);
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

  describe('reuses the counts it put together while the query cache answers the same results', () => {
    const now = Date.UTC(2026, 10, 20, 13, 30) / 1000;
    const today = Date.UTC(2026, 10, 20) / 1000;
    const pooling = poolingOf(`sum(increase(${S}[1d]))`)!;

    /** A query cache of the days' results; `replace` stands for an expiry or an erasure. */
    function cachedDays() {
      const results = new Map<number, PrometheusSeries[]>();
      const result = (end: number, n: number): PrometheusSeries[] => [
        { labels: {}, points: [[end, n]] },
      ];
      let asked = 0;
      const index = new PoolingIndex({
        range: async (_query, _start, end) => {
          asked++;
          if (!results.has(end)) results.set(end, result(end, 7));
          return results.get(end)!;
        },
        retentionDays: 90,
        now: () => now,
      });
      return {
        index,
        asked: () => asked,
        replace: (end: number, n: number) => results.set(end, result(end, n)),
      };
    }

    it('hands out the same counts for the same results, still asking the cache for each day', async () => {
      const { index, asked } = cachedDays();
      const first = await index.counts(pooling, today, now);
      expect(asked()).toBe(2);
      const again = await index.counts(pooling, today, now);
      expect(again).toBe(first);
      expect(asked()).toBe(4);
    });

    it('puts them together again once a day has a new result (expired, or dropped by an erasure)', async () => {
      const { index, replace } = cachedDays();
      const first = await index.counts(pooling, today, now);
      expect(first.get('[]')?.get(today + DAY)).toBe(7);

      replace(today + DAY, 3);
      const after = await index.counts(pooling, today, now);
      expect(after).not.toBe(first);
      expect(after.get('[]')).toEqual(
        new Map([
          [today, 7],
          [today + DAY, 3],
        ]),
      );
    });

    it('keeps the counts of other windows and queries apart', async () => {
      const { index } = cachedDays();
      const twoDays = await index.counts(pooling, today, now);
      const oneDay = await index.counts(pooling, today + HOUR, now);
      expect(oneDay).not.toBe(twoDays);
      expect([...oneDay.get('[]')!.keys()]).toEqual([today + DAY]);
      const byLanguage = poolingOf(`sum by (language) (increase(${S}[1d]))`)!;
      const other = await index.counts(byLanguage, today, now);
      expect(other).not.toBe(twoDays);
      expect(await index.counts(pooling, today, now)).toBe(twoDays);
    });
  });
});
