import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { parsePanelRequest } from '../params';
import { featureUsageHourlyQueries, featureUsagePanel } from './featureUsage';
import { PanelContext } from './panel';
import { QuerySpec } from './queries';

describe('the feature usage panel', () => {
  it('puts each interleaved hourly query of a long window into the hour it read', async () => {
    const params = parsePanelRequest(
      { range: '90d' },
      {
        languages: DEFAULT_LANGUAGES,
        assistants: DEFAULT_ASSISTANTS,
        retentionDays: 90,
        now: Date.UTC(2026, 10, 28, 13) / 1000,
      },
    );
    const raw = {
      suggestions: 'raw',
      linesGenerated: 'raw',
      timeSaved: 'raw',
      featureUsage: 'raw',
    } as const;
    const plan = featureUsagePanel.plan(params, raw);
    const hourly = featureUsageHourlyQueries(params, 'raw');
    expect(hourly).toHaveLength(2);
    const offsetOf = (spec: QuerySpec) =>
      hourly.findIndex(h => h.query === spec.query);

    // The query that reads the hour right before each evaluation answers 1 per hour, the one
    // that reads the hour before that answers 10: every even hour of the day (UTC) saw 10.
    const answer = (spec: QuerySpec) => {
      const k = offsetOf(spec);
      if (k < 0 || spec.type !== 'range') return [];
      const points: Array<[number, number]> = [];
      for (let t = spec.start; t <= spec.end; t += spec.step) {
        points.push([t, k === 0 ? 1 : 10]);
      }
      return [{ labels: { feature: 'chat' }, points }];
    };
    const ctx: PanelContext = {
      params,
      run: async spec => answer(spec),
      optedInUsers: async () => 0,
      teamsUsingAi: async () => 0,
      alertRules: async () => [],
      usageVisibility: async () => ({ withheld: true, reason: 'noData' }),
      estimates: { hourlyCost: 1, seatCostPerMonth: 1 },
      minGroupSize: 5,
    };

    const { heatmap } = await plan.load(ctx);

    // The window is the 89 days before today and today up to 13:00: the hours before 13:00
    // come 90 times, the later ones 89.
    const expected = Array.from(
      { length: 24 },
      (_, hour) => (hour % 2 === 0 ? 10 : 1) * (hour < 13 ? 90 : 89),
    );
    const chat = heatmap.hourOfDay.filter(c => c.feature === 'chat');
    expect(chat.map(c => c.count)).toEqual(expected);
    expect(
      heatmap.dayOfWeek
        .filter(c => c.feature === 'chat')
        .reduce((s, c) => s + c.count, 0),
    ).toBe(expected.reduce((a, b) => a + b, 0));
    expect(
      heatmap.hourOfDay
        .filter(c => c.feature === 'test')
        .every(c => c.count === 0),
    ).toBe(true);
  });
});
