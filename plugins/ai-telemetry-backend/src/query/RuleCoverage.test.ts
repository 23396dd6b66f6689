import { PanelParams } from './families';
import { RuleCoverage } from './RuleCoverage';
import { DAY, HOUR, resolveWindow } from './window';
import { PrometheusSeries } from '../upstream/PrometheusClient';

/**
 * A Prometheus whose rules began at `ruleBegan` (a whole hour) and whose counters began
 * `countersBegan`: each instant query is answered from those two times, as Prometheus would.
 */
function fakePrometheus(ruleBegan: number, countersBegan: number) {
  const asked: string[] = [];
  const series = (value: number): PrometheusSeries[] => [
    { labels: {}, points: [[0, value]] },
  ];
  const run = async (query: string, time: number) => {
    asked.push(query);
    if (query.startsWith('min_over_time(timestamp(')) {
      const span = Number(/\[(\d+)s:1h\]/.exec(query)![1]);
      const first = Math.max(
        ruleBegan,
        Math.floor((time - span) / HOUR) * HOUR + HOUR,
      );
      return first <= time ? series(first) : [];
    }
    if (query.startsWith('count(count_over_time(')) {
      // The counters, once begun, have samples in every span before `time`.
      return countersBegan <= time ? series(1) : [];
    }
    if (query.startsWith('count(ai_telemetry:')) {
      return time >= ruleBegan ? series(1) : [];
    }
    throw new Error(`unexpected query ${query}`);
  };
  return { asked, run };
}

function params(now: number, range: '7d' | '90d'): PanelParams {
  return {
    window: resolveWindow({ range }, { now, retentionDays: 400 }),
    filters: {},
  } as PanelParams;
}

describe('RuleCoverage', () => {
  const now = Date.UTC(2026, 10, 30, 14, 30) / 1000;
  const midnight = Math.floor(now / DAY) * DAY;

  it('reads the rules when they began with the counters inside the window, and looks for their first hour only once', async () => {
    // Data (counters and rules alike) began 60 days ago: inside the 90-day window.
    const began = midnight - 60 * DAY;
    const prometheus = fakePrometheus(began, began);
    const coverage = new RuleCoverage(prometheus.run);

    const first = await coverage.sources(params(now, '90d'), ['suggestions']);
    expect(first.suggestions).toBe('recording-rule');
    const subqueries = () =>
      prometheus.asked.filter(q => q.startsWith('min_over_time(')).length;
    expect(subqueries()).toBe(1);

    // An hour later the window starts later, still before the rules began: the first hour is known.
    const again = await coverage.sources(params(now + HOUR, '90d'), [
      'suggestions',
    ]);
    expect(again.suggestions).toBe('recording-rule');
    expect(subqueries()).toBe(1);
  });

  it('still reads the counters when they began before the rules did', async () => {
    const rulesBegan = midnight - 30 * DAY;
    const prometheus = fakePrometheus(rulesBegan, midnight - 60 * DAY);
    const coverage = new RuleCoverage(prometheus.run);

    for (const at of [now, now + HOUR]) {
      const sources = await coverage.sources(params(at, '90d'), [
        'suggestions',
      ]);
      expect(sources.suggestions).toBe('raw');
    }
    // The known first hour saves the subquery, not the counters' check before it.
    expect(
      prometheus.asked.filter(q => q.startsWith('min_over_time(')).length,
    ).toBe(1);
    expect(
      prometheus.asked.filter(q => q.startsWith('count(count_over_time('))
        .length,
    ).toBe(2);
  });

  it('asks again for a window that starts before what it looked at', async () => {
    const began = midnight - 3 * DAY;
    const prometheus = fakePrometheus(began, began);
    const coverage = new RuleCoverage(prometheus.run);

    expect(
      (await coverage.sources(params(now, '7d'), ['suggestions'])).suggestions,
    ).toBe('recording-rule');
    expect(
      (await coverage.sources(params(now, '90d'), ['suggestions'])).suggestions,
    ).toBe('recording-rule');
    expect(
      prometheus.asked.filter(q => q.startsWith('min_over_time(')).length,
    ).toBe(2);
  });
});
