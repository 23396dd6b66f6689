import { METRIC_NAMES } from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../upstream/PrometheusClient';
import { MAX_RANGE_POINTS, PseudonymSeries, stepFor } from './PseudonymSeries';

const HASH = 'c'.repeat(64);

describe('PseudonymSeries', () => {
  it('reads 90 days at 15 minutes, and any range under the 11,000-point limit', () => {
    expect(stepFor(90 * 86_400)).toBe(900);
    expect(stepFor(99 * 86_400)).toBe(900);
    expect(stepFor(3600)).toBe(60);
    for (const days of [1, 7, 30, 90, 100, 365, 3650]) {
      const range = days * 86_400;
      expect(Math.floor(range / stepFor(range)) + 1).toBeLessThanOrEqual(
        MAX_RANGE_POINTS,
      );
    }
  });

  it('reads the contract’s series one metric at a time, keeping every sample between points', async () => {
    const asked: string[] = [];
    const series = new PseudonymSeries({
      labelValues: async () => [],
      rangeQuery: async (query: string): Promise<PrometheusSeries[]> => {
        asked.push(query);
        return query.includes('ai_copilot_feature_usage')
          ? [
              {
                labels: { user_hash: HASH, feature: 'chat' },
                points: [[60, 2]],
              },
            ]
          : [];
      },
    });

    const result = await series.contractSeries(HASH, { start: 0, end: 3600 });

    expect(asked).toEqual(
      METRIC_NAMES.map(
        m => `last_over_time({__name__="${m}",user_hash="${HASH}"}[60s])`,
      ),
    );
    expect(result).toEqual({
      step: 60,
      series: [
        {
          metric: 'ai_copilot_feature_usage',
          labels: { user_hash: HASH, feature: 'chat' },
          samples: [[60_000, 2]],
        },
      ],
    });
  });

  it('finds what remains of a pseudonym under any metric name, counting raw samples', async () => {
    const series = new PseudonymSeries({
      labelValues: async () => [
        'push_time_seconds',
        'ai_copilot_lines_generated',
      ],
      rangeQuery: async (query: string): Promise<PrometheusSeries[]> =>
        query.includes('push_time_seconds')
          ? [
              {
                labels: { user_hash: HASH, job: 'ai_telemetry' },
                points: [
                  [0, 3],
                  [900, 4],
                ],
              },
            ]
          : [],
    });

    expect(await series.remaining(HASH, { start: 0, end: 86_400 })).toEqual([
      {
        metric: 'push_time_seconds',
        labels: { user_hash: HASH, job: 'ai_telemetry' },
        samples: 7,
      },
    ]);
    await expect(
      series.remaining('not-a-pseudonym"}', { start: 0, end: 60 }),
    ).rejects.toThrow('not a pseudonym');
  });
});
