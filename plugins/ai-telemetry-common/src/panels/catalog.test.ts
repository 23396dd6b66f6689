import { DEFAULT_ASSISTANTS, DEFAULT_LANGUAGES } from '../contract';
import {
  activeUsersQuery,
  featureUsageHourlyQueries,
  ignoredFilters,
  MetricFamily,
  PANEL_CATALOG,
  PanelParams,
  participantsQuery,
  QuerySource,
  suggestionsQuery,
} from './catalog';
import { parsePanelRequest } from './params';
import { DAY, HOUR, MAX_POINTS_PER_QUERY, pointCount } from './window';

const options = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  retentionDays: 90,
  now: Date.UTC(2026, 10, 28, 13) / 1000,
};
const rules: Record<MetricFamily, QuerySource> = {
  suggestions: 'recording-rule',
  linesGenerated: 'recording-rule',
  timeSaved: 'recording-rule',
  featureUsage: 'recording-rule',
};
const team = { userHashes: ['c'.repeat(64), 'a'.repeat(64)] };

function params(query: Record<string, string>, withTeam = false): PanelParams {
  return {
    ...parsePanelRequest(query, options),
    ...(withTeam ? { team } : {}),
  };
}

describe('the panel catalog', () => {
  it('reads the recording rules for the organisation, with the filters as matchers', () => {
    const spec = suggestionsQuery(
      params({ range: '7d', language: 'go' }),
      'recording-rule',
    );
    expect(spec.source).toBe('recording-rule');
    expect(spec.query).toBe(
      'sum by (language, assistant, accepted) (sum_over_time(ai_telemetry:suggestions:increase1h{language="go"}[3599s:1h]))',
    );
    expect(spec.step).toBe(HOUR);
    expect(spec.start).toBe(
      params({ range: '7d' }).window.start + HOUR - 7 * DAY,
    );
  });

  it("falls back to the raw counters when a step is shorter than the rules' hour", () => {
    const spec = suggestionsQuery(params({ range: '24h' }), 'recording-rule');
    expect(spec.source).toBe('raw');
    expect(spec.query).toBe(
      'sum by (language, assistant, accepted) (increase(ai_copilot_suggestions_total[900s]))',
    );
  });

  it('always reads the raw counters for a team, and shows its pseudonyms as $team', () => {
    const p = params({ range: '30d', assistant: 'cody' }, true);
    for (const id of Object.keys(PANEL_CATALOG) as Array<
      keyof typeof PANEL_CATALOG
    >) {
      for (const spec of PANEL_CATALOG[id].queries(p, rules)) {
        expect(spec.source).toBe('raw');
        expect(spec.query).toContain(
          `user_hash=~"${'a'.repeat(64)}|${'c'.repeat(64)}"`,
        );
        expect(spec.display).toContain('user_hash=~"$team"');
        expect(spec.display).not.toMatch(/[0-9a-f]{64}/);
        expect(spec.query).toContain('assistant="cody"');
      }
    }
  });

  it("counts the organisation's active users per pseudonym, a team's only as a number", () => {
    expect(activeUsersQuery(params({ range: '7d' })).query).toBe(
      'sum by (user_hash) (increase(ai_copilot_suggestions_total[604800s])) > 0',
    );
    expect(activeUsersQuery(params({ range: '7d' }, true)).display).toBe(
      'count(sum by (user_hash) (increase(ai_copilot_suggestions_total{user_hash=~"$team"}[604800s])) > 0)',
    );
  });

  it('keeps every range query under the point limit, splitting the hourly heatmap of 90 days in two', () => {
    const points = ['24h', '7d', '30d', '90d'].flatMap(range =>
      Object.values(PANEL_CATALOG).flatMap(panel =>
        panel
          .queries(params({ range }), rules)
          .filter(spec => spec.type === 'range')
          .map(spec => pointCount(spec.start!, spec.end!, spec.step!)),
      ),
    );
    expect(points.length).toBeGreaterThan(20);
    expect(Math.max(...points)).toBeLessThanOrEqual(MAX_POINTS_PER_QUERY);
    const hourly = featureUsageHourlyQueries(params({ range: '90d' }), 'raw');
    expect(hourly.map(s => [s.step, s.hourOffset])).toEqual([
      [2 * HOUR, 0],
      [2 * HOUR, 1],
    ]);
    expect(hourly[1].query).toBe(
      'sum by (feature) (increase(ai_copilot_feature_usage[3600s] offset 3600s))',
    );
  });

  it('lists the participants of a family by the filter labels it applies, for the organisation and a team', () => {
    const org = params({ range: '7d', language: 'rust', assistant: 'cody' });
    expect(participantsQuery(org, 'suggestions').query).toBe(
      'sum by (user_hash, language, assistant) (increase(ai_copilot_suggestions_total[604800s])) > 0',
    );
    // Time saved has no language label: only the assistant is kept apart.
    expect(participantsQuery(org, 'timeSaved').query).toBe(
      'sum by (user_hash, assistant) (increase(ai_copilot_time_saved_seconds[604800s])) > 0',
    );
    // The same query for every value of a filter, so one answer serves them all.
    expect(
      participantsQuery(params({ range: '7d', language: 'go' }), 'suggestions')
        .query,
    ).toBe(
      participantsQuery(
        params({ range: '7d', language: 'rust' }),
        'suggestions',
      ).query,
    );
    const ofTeam = participantsQuery(
      params({ range: '7d', language: 'rust' }, true),
      'featureUsage',
    );
    expect(ofTeam.display).toBe(
      'sum by (user_hash) (increase(ai_copilot_feature_usage{user_hash=~"$team"}[604800s])) > 0',
    );
    expect(ofTeam.source).toBe('raw');
  });

  it('says which filters a panel cannot apply', () => {
    const filters = { language: 'go', assistant: 'cody' };
    expect(ignoredFilters(PANEL_CATALOG.overview, filters)).toEqual([]);
    expect(ignoredFilters(PANEL_CATALOG.timeSaved, filters)).toEqual([
      'language',
    ]);
    expect(ignoredFilters(PANEL_CATALOG.alerts, filters)).toEqual([
      'language',
      'assistant',
    ]);
    expect(ignoredFilters(PANEL_CATALOG.featureUsage, {})).toEqual([]);
  });
});
