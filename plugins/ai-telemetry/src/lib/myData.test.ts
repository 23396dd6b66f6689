import { increases, labelText, personalDaily } from './myData';
import { myData, START } from '../testing/fixtures';

describe('increases', () => {
  it('counts increases between samples, a drop as a reset from zero', () => {
    expect(
      increases([
        [1, 5],
        [2, 7],
        [3, 7],
        [4, 2],
      ]),
    ).toEqual([
      { t: 2, v: 2 },
      { t: 4, v: 2 },
    ]);
  });
});

describe('personalDaily', () => {
  it('computes the daily acceptance rate, lines and hours from cumulative series', () => {
    const daily = personalDaily(myData.series);
    // Day 1: 1 accepted of 4 shown; day 2: 2 accepted of 3 shown.
    expect(daily.acceptanceRate).toEqual([
      { t: START, v: 0.25 },
      { t: START + 86_400_000, v: 2 / 3 },
    ]);
    expect(daily.lines.map(p => p.v)).toEqual([12, 18]);
    expect(daily.hoursSaved.map(p => p.v)).toEqual([0.04, 0.06]);
    expect(daily.totals).toMatchObject({
      suggestions: 7,
      accepted: 3,
      lines: 30,
      hoursSaved: 0.1,
      tokens: 0,
      sessions: 0,
    });
  });

  it('adds up the usage an assistant reported over OpenTelemetry', () => {
    const day = 86_400_000;
    const series = (
      metric: string,
      labels: Record<string, string>,
      values: number[],
    ) => ({
      metric,
      labels: { user_hash: 'abc', assistant: 'claude-code', ...labels },
      samples: values.map((v, i): [number, number] => [
        START + (i + 1) * day,
        v,
      ]),
    });
    const daily = personalDaily([
      series(
        'ai_copilot_tokens_total',
        { model: 'm', type: 'input' },
        [0, 1000, 1500],
      ),
      series(
        'ai_copilot_tokens_total',
        { model: 'm', type: 'output' },
        [0, 200, 700],
      ),
      series('ai_copilot_cost_usd_total', { model: 'm' }, [0, 0.25, 0.75]),
      series('ai_copilot_sessions_total', {}, [1, 3, 4]),
      series('ai_copilot_active_seconds_total', { type: 'user' }, [0, 60, 90]),
      series('ai_copilot_active_seconds_total', { type: 'agent' }, [0, 30, 30]),
      series('ai_copilot_commits_total', {}, [0, 2, 2]),
      series('ai_copilot_pull_requests_total', {}, [0, 0, 1]),
    ]);
    expect(daily.tokens).toEqual([
      { t: START + day, v: 1200 },
      { t: START + 2 * day, v: 1000 },
    ]);
    expect(daily.costUsd.map(p => p.v)).toEqual([0.25, 0.5]);
    expect(daily.totals).toMatchObject({
      tokens: 2200,
      costUsd: 0.75,
      sessions: 3,
      activeSeconds: { user: 90, agent: 30 },
      commits: 2,
      pullRequests: 1,
    });
  });
});

describe('labelText', () => {
  it('lists labels with user_hash last', () => {
    expect(
      labelText({ user_hash: 'abc', language: 'go', accepted: 'true' }),
    ).toBe('accepted="true", language="go", user_hash="abc"');
  });
});
