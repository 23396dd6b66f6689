import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  METRICS,
} from '@fawkes/plugin-ai-telemetry-common';
import { toCounterIncrements } from './counterIncrements';

const settings = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  secondsPerLine: 12,
};

describe('toCounterIncrements', () => {
  it('counts count suggestions alike: lines and time saved are per suggestion', () => {
    expect(
      toCounterIncrements(
        [
          {
            kind: 'suggestion',
            language: 'TypeScript',
            accepted: true,
            lines: 4,
            waitMs: 1500,
            activity: 'code_generation',
            assistant: 'claude-code',
            count: 3,
          },
        ],
        settings,
      ),
    ).toEqual([
      {
        metric: METRICS.suggestions,
        labels: {
          language: 'typescript',
          accepted: 'true',
          assistant: 'claude-code',
        },
        valueMilli: 3000,
      },
      {
        metric: METRICS.linesGenerated,
        labels: { language: 'typescript', assistant: 'claude-code' },
        valueMilli: 12_000,
      },
      {
        // 3 × (4 × 12 s − 1.5 s)
        metric: METRICS.timeSaved,
        labels: { activity: 'code_generation', assistant: 'claude-code' },
        valueMilli: 139_500,
      },
    ]);
  });

  it('adds no lines or time for a rejected suggestion, nor time when the wait exceeds the typing', () => {
    const increments = toCounterIncrements(
      [
        { kind: 'suggestion', language: 'go', accepted: false, lines: 8 },
        {
          kind: 'suggestion',
          language: 'go',
          accepted: true,
          lines: 1,
          waitMs: 60_000,
        },
      ],
      settings,
    );
    expect(increments.map(i => [i.metric, i.valueMilli])).toEqual([
      [METRICS.suggestions, 1000],
      [METRICS.suggestions, 1000],
      [METRICS.linesGenerated, 1000],
    ]);
  });

  it('uses the configured seconds per line, and code_completion and other as defaults', () => {
    const [, , time] = toCounterIncrements(
      [{ kind: 'suggestion', language: 'go', accepted: true, lines: 2 }],
      { ...settings, secondsPerLine: 10 },
    );
    expect(time).toEqual({
      metric: METRICS.timeSaved,
      labels: { activity: 'code_completion', assistant: 'other' },
      valueMilli: 20_000,
    });
  });

  it('counts features and reported time saved to the millisecond', () => {
    expect(
      toCounterIncrements(
        [
          { kind: 'feature', feature: 'explain', assistant: 'cody' },
          { kind: 'time_saved', activity: 'documentation', seconds: 0.0004 },
          { kind: 'time_saved', activity: 'documentation', seconds: 1.2346 },
        ],
        settings,
      ),
    ).toEqual([
      {
        metric: METRICS.featureUsage,
        labels: { feature: 'explain', assistant: 'cody' },
        valueMilli: 1000,
      },
      {
        metric: METRICS.timeSaved,
        labels: { activity: 'documentation', assistant: 'other' },
        valueMilli: 1235,
      },
    ]);
  });
});
