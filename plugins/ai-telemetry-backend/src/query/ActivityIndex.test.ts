import { mockServices } from '@backstage/backend-test-utils';
import {
  ActivityIndex,
  DailyAmounts,
  dashboardRules,
  IndexedDailyRead,
  IndexedRead,
  IndexedRule,
} from './ActivityIndex';
import { METRIC_FAMILIES, USAGE_FAMILIES } from './families';
import { LabelMatcher } from './promql';
import { DAY, HOUR } from './window';
import { PrometheusSeries } from '../upstream/PrometheusClient';

/** Today's midnight; the index runs at 05:00 UTC unless a test moves the clock. */
const TODAY = Date.UTC(2026, 10, 30) / 1000;
const NOW = TODAY + 5 * HOUR;

/** The midnight that starts the day `n` days before today (0 is today). */
function day(n: number): number {
  return TODAY - n * DAY;
}

const BY_LABEL = 'ai_telemetry:suggestions_shown_per_user_by_label:increase1d';
const SHOWN = 'ai_telemetry:suggestions_shown_per_user:increase1d';
const OUTCOME = 'ai_telemetry:suggestions_per_user_unfiltered:increase1d';

const ACCEPTED: LabelMatcher = { label: 'accepted', op: '=', value: 'true' };

const PRESENCE_RULE: IndexedRule = {
  rule: BY_LABEL,
  matchers: [],
  values: false,
};
const SHOWN_RULE: IndexedRule = { rule: SHOWN, matchers: [], values: true };
const OUTCOME_RULE: IndexedRule = {
  rule: OUTCOME,
  matchers: [ACCEPTED],
  values: true,
};

const MARKER_QUERY =
  'count_over_time(ai_telemetry:per_user_daily_v3:evaluated[86399999ms] offset -86399999ms)';
const EVALUATING_QUERY =
  'count_over_time(ai_telemetry:per_user_daily_v3:evaluated[15m])';

/** One series of a rule: its labels and, per day (counted back from today), its value. */
type Row = { labels: Record<string, string>; values: Record<number, number> };

type Asked = { query: string; start: number; end: number; step: number };

/**
 * A Prometheus holding the marker for the `recorded` days (counted back from today) and, for
 * each rule, the rows of `table`, answering range queries as Prometheus would with a daily step:
 * a point at t holds the day that starts at t − DAY, and a series has a point only for a day the
 * rules were recorded for. The marker's samples themselves were written at `evaluatedAt` (unix
 * seconds), which the instant query for the last 15 minutes counts. Every query asked is kept.
 */
function fakePrometheus(table: Record<string, Row[]>, recorded: number[]) {
  const state = {
    table,
    recorded: new Set(recorded.map(day)),
    /** When the rules' group last ran (none lately, unless a test says so). */
    evaluatedAt: [] as number[],
    /** Rule queries wait for this before answering (the marker's do not). */
    gate: Promise.resolve(),
  };
  const asked: Asked[] = [];
  const askedInstant: Array<{ query: string; time: number }> = [];

  async function instant(
    query: string,
    time: number,
  ): Promise<PrometheusSeries[]> {
    askedInstant.push({ query, time });
    if (query !== EVALUATING_QUERY) {
      throw new Error(`unexpected instant query: ${query}`);
    }
    // A range selector takes the samples in (time − 15 min, time].
    const count = state.evaluatedAt.filter(
      t => t > time - 15 * 60 && t <= time,
    ).length;
    return count > 0 ? [{ labels: {}, points: [[time, count]] }] : [];
  }

  function pointsOf(
    start: number,
    end: number,
    step: number,
    valueOn: (midnight: number) => number | undefined,
  ): Array<[number, number]> {
    const points: Array<[number, number]> = [];
    for (let t = start; t <= end; t += step) {
      const value = state.recorded.has(t - DAY) ? valueOn(t - DAY) : undefined;
      if (value !== undefined) points.push([t, value]);
    }
    return points;
  }

  async function range(
    query: string,
    start: number,
    end: number,
    step: number,
  ): Promise<PrometheusSeries[]> {
    asked.push({ query, start, end, step });
    if (query === MARKER_QUERY) {
      const points = pointsOf(start, end, step, () => 1);
      return points.length > 0 ? [{ labels: {}, points }] : [];
    }
    const parsed =
      /^last_over_time\(([a-z_:0-9]+)(?:\{(.*)\})?\[86399999ms\] offset -86399999ms\)$/.exec(
        query,
      );
    if (!parsed) throw new Error(`unexpected query: ${query}`);
    const matchers = (parsed[2] ?? '')
      .split(',')
      .filter(part => part !== '')
      .map(part => {
        const matcher = /^([a-z_]+)="(.*)"$/.exec(part);
        if (!matcher) throw new Error(`unexpected matcher: ${part}`);
        return [matcher[1], matcher[2]] as const;
      });
    await state.gate;
    return (state.table[parsed[1]] ?? [])
      .filter(row =>
        matchers.every(([label, value]) => (row.labels[label] ?? '') === value),
      )
      .map(row => {
        const byMidnight = new Map(
          Object.entries(row.values).map(([n, v]) => [day(Number(n)), v]),
        );
        return {
          labels: { ...row.labels },
          points: pointsOf(start, end, step, midnight =>
            byMidnight.get(midnight),
          ),
        };
      })
      .filter(series => series.points.length > 0);
  }

  return {
    instant,
    range,
    state,
    asked,
    askedInstant,
    /** The rule queries asked (the marker's left out). */
    ruleQueries: () => asked.filter(a => a.query !== MARKER_QUERY),
  };
}

/** An index over `rules`, holding `days` days, with a clock the test moves. */
function indexOf(options: {
  rules: IndexedRule[];
  table: Record<string, Row[]>;
  /** Days counted back from today the marker is recorded for: by default 2 to 10. */
  recorded?: number[];
  days?: number;
}) {
  const prometheus = fakePrometheus(
    options.table,
    options.recorded ?? [2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const clock = { now: NOW };
  const logger = mockServices.logger.mock();
  const index = new ActivityIndex({
    instant: prometheus.instant,
    range: prometheus.range,
    rules: options.rules,
    days: options.days ?? 10,
    logger,
    now: () => clock.now,
  });
  return { index, prometheus, clock, logger };
}

/** A read of days 4 to 2 before today (until is exclusive), grouped by user_hash. */
function readOf(
  rule: string,
  overrides: Partial<IndexedRead> = {},
): IndexedRead {
  return {
    rule,
    matchers: [],
    by: ['user_hash'],
    from: day(4),
    until: day(1),
    needs: 'presence',
    ...overrides,
  };
}

function dailyReadOf(
  rule: string,
  overrides: Partial<IndexedDailyRead> = {},
): IndexedDailyRead {
  return { rule, matchers: [], from: day(4), until: day(1), ...overrides };
}

/** The amounts as points at the end of each day with data, as Prometheus would give them. */
function seriesOf(
  answer: DailyAmounts | undefined,
): PrometheusSeries[] | undefined {
  return answer?.series.map(({ labels, amounts }) => ({
    labels: { ...labels },
    points: [...amounts].flatMap(
      (value, i): Array<[number, number]> =>
        value > 0 ? [[answer.from + (i + 1) * DAY, value]] : [],
    ),
  }));
}

/** Series in a fixed order (by their labels), so that answers compare whatever their order. */
function sorted(series: PrometheusSeries[] | undefined) {
  return series
    ? [...series].sort((a, b) =>
        JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
      )
    : series;
}

/** Who used which language with which assistant, on the days counted back from today. */
const PRESENCE_TABLE: Record<string, Row[]> = {
  [BY_LABEL]: [
    {
      labels: { user_hash: 'alice', language: 'python', assistant: 'copilot' },
      values: { 2: 1, 3: 5 },
    },
    {
      labels: { user_hash: 'alice', language: 'go', assistant: 'copilot' },
      values: { 4: 2 },
    },
    {
      labels: { user_hash: 'bob', language: 'python', assistant: 'cursor' },
      values: { 3: 1 },
    },
    // Only before the window, only on its end day (exclusive), only with a recorded zero.
    {
      labels: { user_hash: 'carol', language: 'go', assistant: 'copilot' },
      values: { 5: 3 },
    },
    {
      labels: { user_hash: 'dave', language: 'python', assistant: 'copilot' },
      values: { 2: 4 },
    },
    {
      labels: { user_hash: 'erin', language: 'python', assistant: 'copilot' },
      values: { 3: 0, 4: 0 },
    },
  ],
};

/** Suggestions shown per developer; bob's days are all zero, frank appears in the second week. */
const SHOWN_TABLE: Record<string, Row[]> = {
  [SHOWN]: [
    { labels: { user_hash: 'alice' }, values: { 2: 3, 3: 0, 4: 4 } },
    { labels: { user_hash: 'bob' }, values: { 3: 0, 4: 0 } },
    { labels: { user_hash: 'carol' }, values: { 4: 2.5, 6: 10 } },
    { labels: { user_hash: 'frank' }, values: { 2: 1 } },
  ],
};

/** Suggestions per developer and outcome. */
const OUTCOME_TABLE: Record<string, Row[]> = {
  [OUTCOME]: [
    {
      labels: { user_hash: 'alice', accepted: 'true' },
      values: { 2: 2, 3: 1 },
    },
    { labels: { user_hash: 'alice', accepted: 'false' }, values: { 2: 5 } },
    { labels: { user_hash: 'bob', accepted: 'true' }, values: { 4: 4 } },
    { labels: { user_hash: 'bob', accepted: 'false' }, values: { 3: 1 } },
  ],
};

describe('ActivityIndex', () => {
  describe('presence', () => {
    it('answers who had data on the days of the window, one series per group with value 1', async () => {
      const { index } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
      });
      await index.refresh();

      // Days 4 and 3 before today: carol's day is before them, dave's is the end (exclusive),
      // and erin's zeros are no data.
      const window = { from: day(4), until: day(2) };
      expect(
        sorted(
          index.answer(
            readOf(BY_LABEL, {
              ...window,
              by: ['user_hash', 'language', 'assistant'],
            }),
            NOW,
          ),
        ),
      ).toEqual([
        {
          labels: { user_hash: 'alice', language: 'go', assistant: 'copilot' },
          points: [[NOW, 1]],
        },
        {
          labels: {
            user_hash: 'alice',
            language: 'python',
            assistant: 'copilot',
          },
          points: [[NOW, 1]],
        },
        {
          labels: { user_hash: 'bob', language: 'python', assistant: 'cursor' },
          points: [[NOW, 1]],
        },
      ]);
    });

    it('merges the series of a group, and narrows them by "=" matchers', async () => {
      const { index } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
      });
      await index.refresh();
      const window = { from: day(4), until: day(2) };

      // Alice's two languages are one developer.
      expect(
        sorted(index.answer(readOf(BY_LABEL, { ...window }), NOW)),
      ).toEqual([
        { labels: { user_hash: 'alice' }, points: [[NOW, 1]] },
        { labels: { user_hash: 'bob' }, points: [[NOW, 1]] },
      ]);
      // Without grouping labels, everyone is one series: presence, not a count.
      expect(
        index.answer(readOf(BY_LABEL, { ...window, by: [] }), NOW),
      ).toEqual([{ labels: {}, points: [[NOW, 1]] }]);
      expect(
        sorted(
          index.answer(
            readOf(BY_LABEL, {
              ...window,
              by: ['user_hash', 'assistant'],
              matchers: [{ label: 'language', op: '=', value: 'python' }],
            }),
            NOW,
          ),
        ),
      ).toEqual([
        {
          labels: { user_hash: 'alice', assistant: 'copilot' },
          points: [[NOW, 1]],
        },
        {
          labels: { user_hash: 'bob', assistant: 'cursor' },
          points: [[NOW, 1]],
        },
      ]);
      expect(
        index.answer(
          readOf(BY_LABEL, {
            ...window,
            matchers: [{ label: 'language', op: '=', value: 'go' }],
          }),
          NOW,
        ),
      ).toEqual([{ labels: { user_hash: 'alice' }, points: [[NOW, 1]] }]);
    });

    it('counts every day of a wider window, and none outside it', async () => {
      const { index } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
      });
      await index.refresh();

      // Days 5 to 2 before today take in carol and dave too.
      expect(
        sorted(index.answer(readOf(BY_LABEL, { from: day(5) }), NOW))?.map(
          s => s.labels.user_hash,
        ),
      ).toEqual(['alice', 'bob', 'carol', 'dave']);
      // Day 5 alone: carol only.
      expect(
        index.answer(readOf(BY_LABEL, { from: day(5), until: day(4) }), NOW),
      ).toEqual([{ labels: { user_hash: 'carol' }, points: [[NOW, 1]] }]);
      // Days 10 to 6: nobody had data, and the answer says so (it is not left to Prometheus).
      expect(
        index.answer(readOf(BY_LABEL, { from: day(10), until: day(5) }), NOW),
      ).toEqual([]);
    });

    it('keeps who had data for more developers than one word of bits holds', async () => {
      // Seventy developers; those whose number is not a multiple of 3 were active on day 3.
      const developers = Array.from({ length: 70 }, (_, i) => `dev${i}`);
      const { index } = indexOf({
        rules: [PRESENCE_RULE],
        table: {
          [BY_LABEL]: developers.map(
            (user_hash, i): Row => ({
              labels: { user_hash, language: 'go', assistant: 'copilot' },
              values: { [i % 3 === 0 ? 4 : 3]: 1 },
            }),
          ),
        },
      });
      await index.refresh();

      const active = index
        .answer(readOf(BY_LABEL, { from: day(3), until: day(2) }), NOW)
        ?.map(s => s.labels.user_hash)
        .sort();
      expect(active).toEqual(developers.filter((_, i) => i % 3 !== 0).sort());
      expect(
        index
          .answer(readOf(BY_LABEL, { from: day(4), until: day(2) }), NOW)
          ?.map(s => s.labels.user_hash)
          .sort(),
      ).toEqual([...developers].sort());
    });
  });

  describe('values', () => {
    it('sums each series over the days and each group over its series, leaving out what sums to nothing', async () => {
      const { index } = indexOf({ rules: [SHOWN_RULE], table: SHOWN_TABLE });
      await index.refresh();

      // Days 4 to 2: alice 4 + 0 + 3, carol 2.5 (her day 6 is outside), frank 1, bob only zeros.
      expect(
        sorted(index.answer(readOf(SHOWN, { needs: 'values' }), NOW)),
      ).toEqual([
        { labels: { user_hash: 'alice' }, points: [[NOW, 7]] },
        { labels: { user_hash: 'carol' }, points: [[NOW, 2.5]] },
        { labels: { user_hash: 'frank' }, points: [[NOW, 1]] },
      ]);
      expect(
        index.answer(readOf(SHOWN, { needs: 'values', by: [] }), NOW),
      ).toEqual([{ labels: {}, points: [[NOW, 10.5]] }]);
      // Presence of a values rule: who had any.
      expect(sorted(index.answer(readOf(SHOWN), NOW))).toEqual([
        { labels: { user_hash: 'alice' }, points: [[NOW, 1]] },
        { labels: { user_hash: 'carol' }, points: [[NOW, 1]] },
        { labels: { user_hash: 'frank' }, points: [[NOW, 1]] },
      ]);
      // Day 3 alone: alice's zero adds nothing and leaves her out.
      expect(
        index.answer(
          readOf(SHOWN, { needs: 'values', from: day(3), until: day(2) }),
          NOW,
        ),
      ).toEqual([]);
    });

    it('reads a rule with fixed matchers with them, and answers only reads that ask for them', async () => {
      const { index, prometheus } = indexOf({
        rules: [OUTCOME_RULE],
        table: OUTCOME_TABLE,
      });
      await index.refresh();

      // Only the accepted series were asked for, so only they are held.
      const queries = prometheus.ruleQueries();
      expect(queries.length).toBeGreaterThan(0);
      for (const { query } of queries) {
        expect(query).toBe(
          'last_over_time(ai_telemetry:suggestions_per_user_unfiltered:increase1d{accepted="true"}[86399999ms] offset -86399999ms)',
        );
      }
      expect(index.describe()).toContain('2 series');

      const accepted = readOf(OUTCOME, {
        needs: 'values',
        matchers: [ACCEPTED],
      });
      expect(sorted(index.answer(accepted, NOW))).toEqual([
        { labels: { user_hash: 'alice' }, points: [[NOW, 3]] },
        { labels: { user_hash: 'bob' }, points: [[NOW, 4]] },
      ]);
      expect(index.answer({ ...accepted, by: [] }, NOW)).toEqual([
        { labels: {}, points: [[NOW, 7]] },
      ]);
      expect(
        index.answer(
          {
            ...accepted,
            matchers: [ACCEPTED, { label: 'user_hash', op: '=', value: 'bob' }],
          },
          NOW,
        ),
      ).toEqual([{ labels: { user_hash: 'bob' }, points: [[NOW, 4]] }]);
      // Every outcome, or the rejected ones: the index does not hold them.
      expect(index.answer({ ...accepted, matchers: [] }, NOW)).toBeUndefined();
      expect(
        index.answer(
          {
            ...accepted,
            matchers: [{ label: 'accepted', op: '=', value: 'false' }],
          },
          NOW,
        ),
      ).toBeUndefined();
    });
  });

  describe('what it leaves to Prometheus', () => {
    it('answers nothing unless it holds every day, keeps the rule and its values, and matchers are "="', async () => {
      const { index } = indexOf({
        rules: [PRESENCE_RULE, SHOWN_RULE],
        table: { ...PRESENCE_TABLE, ...SHOWN_TABLE },
        // Day 6 was not recorded.
        recorded: [2, 3, 4, 5, 7, 8, 9, 10],
      });

      // Nothing before the first refresh.
      expect(index.answer(readOf(BY_LABEL), NOW)).toBeUndefined();
      await index.refresh();
      expect(index.answer(readOf(BY_LABEL), NOW)).toBeDefined();

      // A day not recorded: yesterday, day 6, or one before the days held.
      expect(
        index.answer(readOf(BY_LABEL, { until: day(0) }), NOW),
      ).toBeUndefined();
      expect(
        index.answer(readOf(BY_LABEL, { from: day(7), until: day(4) }), NOW),
      ).toBeUndefined();
      expect(
        index.answer(readOf(BY_LABEL, { from: day(11), until: day(9) }), NOW),
      ).toBeUndefined();
      // A window without a day.
      expect(
        index.answer(readOf(BY_LABEL, { from: day(3), until: day(3) }), NOW),
      ).toBeUndefined();
      // A rule it does not keep.
      expect(
        index.answer(readOf('ai_telemetry:tokens_per_user:increase1d'), NOW),
      ).toBeUndefined();
      // Values of a rule it keeps only presence of.
      expect(
        index.answer(readOf(BY_LABEL, { needs: 'values' }), NOW),
      ).toBeUndefined();
      // A regular expression.
      expect(
        index.answer(
          readOf(SHOWN, {
            needs: 'values',
            matchers: [{ label: 'user_hash', op: '=~', value: 'alice|bob' }],
          }),
          NOW,
        ),
      ).toBeUndefined();
    });
  });

  describe('answerDaily', () => {
    it('gives each series a point at the end of every day it had data', async () => {
      const { index } = indexOf({ rules: [SHOWN_RULE], table: SHOWN_TABLE });
      await index.refresh();

      // Frank's series was first read after the other days were kept: it has no data on them.
      expect(sorted(seriesOf(index.answerDaily(dailyReadOf(SHOWN))))).toEqual([
        {
          labels: { user_hash: 'alice' },
          points: [
            [day(4) + DAY, 4],
            [day(2) + DAY, 3],
          ],
        },
        { labels: { user_hash: 'carol' }, points: [[day(4) + DAY, 2.5]] },
        { labels: { user_hash: 'frank' }, points: [[day(2) + DAY, 1]] },
      ]);
      expect(
        seriesOf(
          index.answerDaily(
            dailyReadOf(SHOWN, {
              matchers: [{ label: 'user_hash', op: '=', value: 'carol' }],
              from: day(8),
            }),
          ),
        ),
      ).toEqual([
        {
          labels: { user_hash: 'carol' },
          points: [
            [day(6) + DAY, 10],
            [day(4) + DAY, 2.5],
          ],
        },
      ]);
    });

    it('keeps the fixed matchers and labels of a rule read with them', async () => {
      const { index } = indexOf({
        rules: [OUTCOME_RULE],
        table: OUTCOME_TABLE,
      });
      await index.refresh();

      expect(
        sorted(
          seriesOf(
            index.answerDaily(dailyReadOf(OUTCOME, { matchers: [ACCEPTED] })),
          ),
        ),
      ).toEqual([
        {
          labels: { user_hash: 'alice', accepted: 'true' },
          points: [
            [day(3) + DAY, 1],
            [day(2) + DAY, 2],
          ],
        },
        {
          labels: { user_hash: 'bob', accepted: 'true' },
          points: [[day(4) + DAY, 4]],
        },
      ]);
      expect(seriesOf(index.answerDaily(dailyReadOf(OUTCOME)))).toBeUndefined();
    });

    it('answers nothing for a rule it keeps only presence of, or a day it does not hold', async () => {
      const { index } = indexOf({
        rules: [PRESENCE_RULE, SHOWN_RULE],
        table: { ...PRESENCE_TABLE, ...SHOWN_TABLE },
      });
      await index.refresh();

      expect(seriesOf(index.answerDaily(dailyReadOf(SHOWN)))).toBeDefined();
      expect(
        seriesOf(index.answerDaily(dailyReadOf(BY_LABEL))),
      ).toBeUndefined();
      expect(
        seriesOf(index.answerDaily(dailyReadOf(SHOWN, { until: day(0) }))),
      ).toBeUndefined();
    });
  });

  describe('forget', () => {
    /** Alice and bob active on days 1 to 8 in both rules; day 6 and 1 recorded only later. */
    function erasureSetup() {
      const values = { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1 };
      return indexOf({
        rules: [PRESENCE_RULE, SHOWN_RULE],
        table: {
          [BY_LABEL]: ['alice', 'bob'].map(user_hash => ({
            labels: { user_hash, language: 'go', assistant: 'copilot' },
            values,
          })),
          [SHOWN]: ['alice', 'bob'].map(user_hash => ({
            labels: { user_hash },
            values,
          })),
        },
        recorded: [2, 3, 4, 5, 7, 8, 9, 10],
      });
    }

    const users = (series: PrometheusSeries[] | undefined) =>
      series?.map(s => s.labels.user_hash).sort();

    it('forgets a pseudonym in answers it has already added up', async () => {
      const { index } = erasureSetup();
      await index.refresh();
      const span = { from: day(5), until: day(3) };
      const shown = () =>
        index.answer(readOf(SHOWN, { ...span, needs: 'values' }), NOW);
      expect(users(index.answer(readOf(BY_LABEL, span), NOW))).toEqual([
        'alice',
        'bob',
      ]);
      expect(users(shown())).toEqual(['alice', 'bob']);

      index.forget('alice', day(4) + 3 * HOUR);

      expect(users(index.answer(readOf(BY_LABEL, span), NOW))).toEqual(['bob']);
      expect(shown()).toEqual([
        { labels: { user_hash: 'bob' }, points: [[NOW, 2]] },
      ]);
    });

    it('drops a pseudonym from the days up to the one holding the erasure, and keeps the later ones', async () => {
      const { index } = erasureSetup();
      await index.refresh();

      index.forget('alice', day(4) + 3 * HOUR);

      // Days 5 and 4: bob only, in both rules.
      const before = { from: day(5), until: day(3) };
      expect(users(index.answer(readOf(BY_LABEL, before), NOW))).toEqual([
        'bob',
      ]);
      expect(
        index.answer(readOf(SHOWN, { ...before, needs: 'values' }), NOW),
      ).toEqual([{ labels: { user_hash: 'bob' }, points: [[NOW, 2]] }]);
      expect(
        users(seriesOf(index.answerDaily(dailyReadOf(SHOWN, { ...before })))),
      ).toEqual(['bob']);
      // Days 3 and 2 hold what alice did after her erasure.
      const after = { from: day(3), until: day(1) };
      expect(users(index.answer(readOf(BY_LABEL, after), NOW))).toEqual([
        'alice',
        'bob',
      ]);
      expect(
        sorted(index.answer(readOf(SHOWN, { ...after, needs: 'values' }), NOW)),
      ).toEqual([
        { labels: { user_hash: 'alice' }, points: [[NOW, 2]] },
        { labels: { user_hash: 'bob' }, points: [[NOW, 2]] },
      ]);
      // A window over both: alice is counted for her later days only.
      expect(
        sorted(
          index.answer(
            readOf(SHOWN, { from: day(5), until: day(1), needs: 'values' }),
            NOW,
          ),
        ),
      ).toEqual([
        { labels: { user_hash: 'alice' }, points: [[NOW, 2]] },
        { labels: { user_hash: 'bob' }, points: [[NOW, 4]] },
      ]);
    });

    it('does not bring an erased pseudonym back with days read later up to its erasure, but does after it', async () => {
      const { index, prometheus } = erasureSetup();
      await index.refresh();
      index.forget('alice', day(4) + 3 * HOUR);
      // An earlier erasure of the same pseudonym changes nothing.
      index.forget('alice', day(9));

      // Day 6 is recorded late, and Prometheus still answers with alice's series for it.
      prometheus.state.recorded.add(day(6));
      prometheus.asked.length = 0;
      await index.refresh();
      expect(prometheus.ruleQueries().map(a => [a.start, a.end])).toEqual([
        [day(5), day(5)],
        [day(5), day(5)],
      ]);
      const day6 = { from: day(6), until: day(5) };
      expect(users(index.answer(readOf(BY_LABEL, day6), NOW))).toEqual(['bob']);
      expect(
        users(index.answer(readOf(SHOWN, { ...day6, needs: 'values' }), NOW)),
      ).toEqual(['bob']);

      // Yesterday is recorded: alice's activity then is kept.
      prometheus.state.recorded.add(day(1));
      await index.refresh();
      const yesterday = { from: day(1), until: day(0) };
      expect(users(index.answer(readOf(BY_LABEL, yesterday), NOW))).toEqual([
        'alice',
        'bob',
      ]);
    });

    it('leaves out a pseudonym erased while its days were being read', async () => {
      const { index, prometheus } = erasureSetup();
      let release = () => {};
      prometheus.state.gate = new Promise<void>(resolve => {
        release = resolve;
      });

      const refreshed = index.refresh();
      await new Promise(resolve => setImmediate(resolve));
      // The first rule query is under way (it is the only one asked yet).
      expect(prometheus.ruleQueries()).toHaveLength(1);
      index.forget('alice', day(2));
      release();
      await refreshed;

      // Days 5 to 2 (day 6 is not recorded).
      expect(
        users(index.answer(readOf(BY_LABEL, { from: day(5) }), NOW)),
      ).toEqual(['bob']);
      expect(
        users(
          index.answer(readOf(SHOWN, { from: day(5), needs: 'values' }), NOW),
        ),
      ).toEqual(['bob']);
    });
  });

  describe('refresh', () => {
    it('asks the marker for the days it may hold, then reads only the days it does not hold yet', async () => {
      const { index, prometheus, logger } = indexOf({
        rules: [PRESENCE_RULE, SHOWN_RULE],
        table: { ...PRESENCE_TABLE, ...SHOWN_TABLE },
      });
      await index.refresh();

      // The marker, for the days ending at each midnight from 9 days ago to today.
      expect(prometheus.asked[0]).toEqual({
        query: MARKER_QUERY,
        start: day(9),
        end: day(0),
        step: DAY,
      });
      // Each rule for days 10 to 2, a week at a time.
      expect(
        prometheus.ruleQueries().map(a => [a.query, a.start, a.end, a.step]),
      ).toEqual([
        [
          'last_over_time(ai_telemetry:suggestions_shown_per_user_by_label:increase1d[86399999ms] offset -86399999ms)',
          day(9),
          day(3),
          DAY,
        ],
        [
          'last_over_time(ai_telemetry:suggestions_shown_per_user_by_label:increase1d[86399999ms] offset -86399999ms)',
          day(2),
          day(1),
          DAY,
        ],
        [
          'last_over_time(ai_telemetry:suggestions_shown_per_user:increase1d[86399999ms] offset -86399999ms)',
          day(9),
          day(3),
          DAY,
        ],
        [
          'last_over_time(ai_telemetry:suggestions_shown_per_user:increase1d[86399999ms] offset -86399999ms)',
          day(2),
          day(1),
          DAY,
        ],
      ]);
      expect(logger.info).toHaveBeenCalledTimes(1);

      // Nothing new: only the marker is asked, and nothing is logged.
      prometheus.asked.length = 0;
      await index.refresh();
      expect(prometheus.asked.map(a => a.query)).toEqual([MARKER_QUERY]);
      expect(logger.info).toHaveBeenCalledTimes(1);
    });

    it('reads in runs of at most seven consecutive days', async () => {
      const { index, prometheus } = indexOf({
        rules: [SHOWN_RULE],
        table: SHOWN_TABLE,
        days: 20,
        // Days 20 to 2, but for day 12.
        recorded: Array.from({ length: 19 }, (_, i) => i + 2).filter(
          n => n !== 12,
        ),
      });
      await index.refresh();

      expect(prometheus.ruleQueries().map(a => [a.start, a.end])).toEqual([
        // Days 20 to 14.
        [day(19), day(13)],
        // Day 13.
        [day(12), day(12)],
        // Days 11 to 5.
        [day(10), day(4)],
        // Days 4 to 2.
        [day(3), day(1)],
      ]);
    });

    it('drops the days that fall out of its reach and reads only the new ones', async () => {
      const { index, prometheus, clock } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
        recorded: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      });
      await index.refresh();
      // Days 11 and 12 are older than the ten days it holds.
      expect(
        index.answer(readOf(BY_LABEL, { from: day(10), until: day(9) }), NOW),
      ).toEqual([]);
      expect(
        index.answer(readOf(BY_LABEL, { from: day(11), until: day(10) }), NOW),
      ).toBeUndefined();

      // Two days on, the two days before the new yesterday are recorded (and settled).
      clock.now += 2 * DAY;
      prometheus.state.recorded.add(day(0));
      prometheus.state.recorded.add(day(1));
      prometheus.asked.length = 0;
      await index.refresh();

      expect(prometheus.asked[0]).toMatchObject({
        query: MARKER_QUERY,
        start: day(7),
        end: day(-2),
      });
      // Only the two new days were read.
      expect(prometheus.ruleQueries().map(a => [a.start, a.end])).toEqual([
        [day(0), day(-1)],
      ]);
      // Days 10 and 9 (12 and 11 back from the new today) are gone; day 8 on are kept.
      expect(
        index.answer(readOf(BY_LABEL, { from: day(10), until: day(8) }), NOW),
      ).toBeUndefined();
      expect(
        index.answer(readOf(BY_LABEL, { from: day(9), until: day(8) }), NOW),
      ).toBeUndefined();
      expect(
        index.answer(readOf(BY_LABEL, { from: day(8), until: day(-1) }), NOW),
      ).toBeDefined();
    });

    it('waits for the rules to finish before reading the newest marked day', async () => {
      const { index, prometheus, clock } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
        recorded: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      });
      // The group ran for yesterday at 04:52, eight minutes ago.
      prometheus.state.evaluatedAt.push(TODAY + 4 * HOUR + 52 * 60);
      await index.refresh();

      // It asked whether the group ran in the last 15 minutes, as of now.
      expect(prometheus.askedInstant).toEqual([
        { query: EVALUATING_QUERY, time: NOW },
      ]);
      // The older days are read, yesterday is not.
      expect(prometheus.ruleQueries().map(a => [a.start, a.end])).toEqual([
        [day(9), day(3)],
        [day(2), day(1)],
      ]);
      const yesterday = readOf(BY_LABEL, { from: day(1), until: day(0) });
      expect(index.answer(yesterday, NOW)).toBeUndefined();

      // Still within 15 minutes of the run: nothing is read.
      prometheus.asked.length = 0;
      clock.now = TODAY + 5 * HOUR + 6 * 60;
      await index.refresh();
      expect(prometheus.ruleQueries()).toEqual([]);

      // Once the run is older, yesterday is read, alone.
      clock.now = TODAY + 5 * HOUR + 8 * 60;
      await index.refresh();
      expect(prometheus.ruleQueries().map(a => [a.start, a.end])).toEqual([
        [day(0), day(0)],
      ]);
      expect(index.answer(yesterday, NOW)).toEqual([]);
    });

    it('reads every marked day at once when the rules did not run in the last 15 minutes', async () => {
      const { index, prometheus } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
        recorded: [1, 2, 3],
      });
      // The group ran at 04:30, half an hour ago.
      prometheus.state.evaluatedAt.push(TODAY + 4 * HOUR + 30 * 60);
      await index.refresh();

      expect(prometheus.ruleQueries().map(a => [a.start, a.end])).toEqual([
        [day(2), day(0)],
      ]);
      expect(
        index.answer(readOf(BY_LABEL, { from: day(3), until: day(0) }), NOW),
      ).toBeDefined();
    });

    it('shares one run between calls made while it is under way', async () => {
      const { index, prometheus } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
      });
      await Promise.all([index.refresh(), index.refresh()]);

      expect(
        prometheus.asked.filter(a => a.query === MARKER_QUERY),
      ).toHaveLength(1);
      expect(prometheus.ruleQueries()).toHaveLength(2);
    });

    it('changes its version whenever what it holds changes, and only then', async () => {
      const { index, prometheus, clock } = indexOf({
        rules: [PRESENCE_RULE],
        table: PRESENCE_TABLE,
      });
      const initial = index.version;

      await index.refresh();
      const loaded = index.version;
      expect(loaded).not.toBe(initial);

      // Nothing new to read.
      await index.refresh();
      expect(index.version).toBe(loaded);

      // A pseudonym forgotten; forgetting it again up to an earlier day changes nothing.
      index.forget('alice', day(3));
      const forgotten = index.version;
      expect(forgotten).not.toBe(loaded);
      index.forget('alice', day(5));
      expect(index.version).toBe(forgotten);

      // A day falls out of reach, nothing new is recorded.
      clock.now += DAY;
      prometheus.state.recorded.clear();
      await index.refresh();
      expect(index.version).not.toBe(forgotten);
    });
  });
});

describe('dashboardRules', () => {
  const families = [...METRIC_FAMILIES, ...USAGE_FAMILIES];

  it('keeps the four totals with values and every family participants rule as presence', () => {
    expect(dashboardRules(families)).toEqual([
      {
        rule: 'ai_telemetry:suggestions_shown_per_user:increase1d',
        matchers: [],
        values: true,
      },
      {
        rule: 'ai_telemetry:suggestions_per_user_unfiltered:increase1d',
        matchers: [{ label: 'accepted', op: '=', value: 'true' }],
        values: true,
      },
      {
        rule: 'ai_telemetry:lines_generated_per_user_unfiltered:increase1d',
        matchers: [],
        values: true,
      },
      {
        rule: 'ai_telemetry:time_saved_seconds_per_user_unfiltered:increase1d',
        matchers: [],
        values: true,
      },
      ...[
        'ai_telemetry:suggestions_shown_per_user_by_label:increase1d',
        'ai_telemetry:lines_generated_per_user:increase1d',
        'ai_telemetry:time_saved_seconds_per_user:increase1d',
        'ai_telemetry:feature_usage_per_user:increase1d',
        'ai_telemetry:tokens_per_user:increase1d',
        'ai_telemetry:cost_usd_per_user:increase1d',
        'ai_telemetry:sessions_per_user:increase1d',
        'ai_telemetry:active_seconds_per_user:increase1d',
        'ai_telemetry:commits_per_user:increase1d',
        'ai_telemetry:pull_requests_per_user:increase1d',
      ].map(rule => ({ rule, matchers: [], values: false })),
    ]);
  });

  it('names each rule once, however often a family is given', () => {
    const rules = dashboardRules([...families, ...families]);
    expect(rules).toEqual(dashboardRules(families));
    expect(new Set(rules.map(r => r.rule)).size).toBe(rules.length);
  });
});
