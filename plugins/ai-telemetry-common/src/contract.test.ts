import {
  DEFAULT_LANGUAGES,
  METRIC_LABELS,
  METRIC_NAMES,
  normaliseLabel,
  timeSavedSeconds,
} from './contract';

describe('metric contract', () => {
  it('keeps the seed metric names, each with a user_hash label', () => {
    expect(METRIC_NAMES).toEqual([
      'ai_copilot_suggestions_total',
      'ai_copilot_lines_generated',
      'ai_copilot_time_saved_seconds',
      'ai_copilot_feature_usage',
      'ai_copilot_tokens_total',
      'ai_copilot_cost_usd_total',
      'ai_copilot_sessions_total',
      'ai_copilot_active_seconds_total',
      'ai_copilot_commits_total',
      'ai_copilot_pull_requests_total',
    ]);
    for (const name of METRIC_NAMES) {
      expect(METRIC_LABELS[name]).toContain('user_hash');
      expect(METRIC_LABELS[name]).not.toContain('date');
    }
  });

  it('counts unknown languages as other', () => {
    expect(normaliseLabel('Python', DEFAULT_LANGUAGES)).toBe('python');
    expect(normaliseLabel('cobol', DEFAULT_LANGUAGES)).toBe('other');
    expect(normaliseLabel('"} or up{x="', DEFAULT_LANGUAGES)).toBe('other');
    expect(normaliseLabel(undefined, DEFAULT_LANGUAGES)).toBe('other');
  });

  it('estimates time saved as lines × seconds per line minus the wait, never below 0', () => {
    expect(timeSavedSeconds(10, 5)).toBe(115);
    expect(timeSavedSeconds(10, 5, 10)).toBe(95);
    expect(timeSavedSeconds(1, 60)).toBe(0);
  });
});
