import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
} from '@fawkes/plugin-ai-telemetry-common';
import { parsePanelRequest } from '../params';
import { HOUR } from '../window';
import { acceptanceRatePanel } from './acceptanceRate';
import { PanelContext } from './panel';
import { QuerySpec } from './queries';

describe('the acceptance rate panel', () => {
  it('gives one value per day, today so far marked partial and quiet days marked few', async () => {
    const now = Date.UTC(2026, 10, 28, 13, 20) / 1000;
    const params = parsePanelRequest(
      { range: '7d' },
      {
        languages: DEFAULT_LANGUAGES,
        assistants: DEFAULT_ASSISTANTS,
        retentionDays: 90,
        now,
      },
    );
    const quietDay = Date.UTC(2026, 10, 23) / 1000;
    // Every hour: 10 shown, 4 accepted; the quiet day: 1 shown an hour until 10:00, none after.
    const answer = (spec: QuerySpec) => {
      const times =
        spec.type === 'range'
          ? Array.from(
              { length: (spec.end - spec.start) / spec.step + 1 },
              (_, i) => spec.start + i * spec.step,
            )
          : [spec.time];
      const shown = (t: number) => {
        if (t > quietDay && t <= quietDay + 86400) {
          return t <= quietDay + 10 * HOUR ? 1 : 0;
        }
        return spec.type === 'range' ? 10 : 10 / 3; // the 20 minutes of today's running hour
      };
      return ['true', 'false'].map(accepted => ({
        labels: { language: 'go', assistant: 'copilot', accepted },
        points: times.map((t): [number, number] => [
          t,
          accepted === 'true' ? shown(t) * 0.4 : shown(t) * 0.6,
        ]),
      }));
    };
    const plan = acceptanceRatePanel.plan(params, {
      suggestions: 'raw',
      linesGenerated: 'raw',
      timeSaved: 'raw',
      featureUsage: 'raw',
    });
    const ctx = { params, run: async (spec: QuerySpec) => answer(spec) };
    const data = await plan.load(ctx as unknown as PanelContext);

    expect(data.barStep).toBe(86400);
    expect(data.bars).toHaveLength(7);
    const today = data.bars.at(-1)!;
    expect(today).toMatchObject({
      t: Date.UTC(2026, 10, 28) * 1,
      partial: true,
      few: false,
    });
    // 13 whole hours and a third of the 14th.
    expect(today.shown).toBeCloseTo(13 * 10 + 10 / 3, 6);
    expect(today.v).toBeCloseTo(0.4, 9);
    const quiet = data.bars.find(b => b.t === quietDay * 1000)!;
    expect(quiet).toMatchObject({ shown: 10, partial: false, few: true });
    expect(data.bars.filter(b => b.few)).toHaveLength(1);
    expect(data.bars.filter(b => b.partial)).toHaveLength(1);
  });
});
