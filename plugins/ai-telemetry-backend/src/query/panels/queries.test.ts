import {
  DEFAULT_ASSISTANTS,
  DEFAULT_LANGUAGES,
  PanelId,
} from '@fawkes/plugin-ai-telemetry-common';
import { FamilySources, PanelParams } from '../families';
import { parsePanelRequest } from '../params';
import { DAY, HOUR, MAX_POINTS_PER_QUERY, pointCount } from '../window';
import { featureUsageHourlyQueries } from './featureUsage';
import { ignoredFilters, PANELS } from './index';
import {
  activeUsersQuery,
  participantsQuery,
  perUserIncrease,
  suggestionsQuery,
  windowIncreaseQuery,
} from './queries';

const options = {
  languages: DEFAULT_LANGUAGES,
  assistants: DEFAULT_ASSISTANTS,
  retentionDays: 90,
  now: Date.UTC(2026, 10, 28, 13) / 1000,
};
const rules: FamilySources = {
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
    ).complete!;
    expect(spec.source).toBe('recording-rule');
    expect(spec.query).toBe(
      'sum by (language, assistant, accepted) ((ai_telemetry:suggestions:increase1h{language="go"} or increase(ai_copilot_suggestions_total{language="go",source="github"}[3600s])))',
    );
    expect(spec.step).toBe(HOUR);
    expect(spec.start).toBe(
      params({ range: '7d' }).window.start + HOUR - 7 * DAY,
    );
  });

  it('reads the running step from the raw counters, up to now, and the steps before from the rules', () => {
    const now = Date.UTC(2026, 10, 28, 13, 20) / 1000;
    const p = {
      ...parsePanelRequest({ range: '7d' }, { ...options, now }),
    };
    expect(p.window.asOf).toBe(now);
    expect(p.window.end).toBe(Date.UTC(2026, 10, 29) / 1000);
    const series = suggestionsQuery(p, 'recording-rule');
    expect(series.complete).toMatchObject({
      source: 'recording-rule',
      end: Date.UTC(2026, 10, 28, 13) / 1000,
      step: HOUR,
    });
    expect(series.partialStart).toBe(Date.UTC(2026, 10, 28, 13) / 1000);
    expect(series.partial).toMatchObject({
      type: 'instant',
      source: 'raw',
      time: now,
      query:
        'sum by (language, assistant, accepted) (increase(ai_copilot_suggestions_total[1200s]))',
    });
    // Window totals run to now as well.
    expect(activeUsersQuery(p)).toMatchObject({
      time: now,
      query: `sum by (user_hash) (increase(ai_copilot_suggestions_total[${
        now - p.window.start
      }s])) > 0`,
    });
  });

  it("falls back to the raw counters when a step is shorter than the rules' hour", () => {
    const spec = suggestionsQuery(params({ range: '24h' }), 'recording-rule')
      .complete!;
    expect(spec.source).toBe('raw');
    expect(spec.query).toBe(
      'sum by (language, assistant, accepted) (increase(ai_copilot_suggestions_total[900s]))',
    );
  });

  it('always reads the raw counters for a team, and shows its pseudonyms as $team', () => {
    const p = params({ range: '30d', assistant: 'cody' }, true);
    for (const id of Object.keys(PANELS) as PanelId[]) {
      // Adoption reads every pseudonym's days (no team matcher, no filter values), to count the
      // team against the organisation and its subgroups in memory; its active users are the team's.
      const specs = PANELS[id]
        .plan(p, rules)
        .queries.filter(
          spec =>
            id !== 'adoption' || !spec.query.startsWith('sum by (user_hash, '),
        );
      for (const spec of specs) {
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
    // Six whole days and today up to 13:00.
    expect(activeUsersQuery(params({ range: '7d' })).query).toBe(
      'sum by (user_hash) (increase(ai_copilot_suggestions_total[565200s])) > 0',
    );
    expect(activeUsersQuery(params({ range: '7d' }, true)).display).toBe(
      'count(sum by (user_hash) (increase(ai_copilot_suggestions_total{user_hash=~"$team"}[565200s])) > 0)',
    );
  });

  it('keeps every range query under the point limit, splitting the hourly heatmap of 90 days in two', () => {
    const points = ['24h', '7d', '30d', '90d'].flatMap(range =>
      Object.values(PANELS).flatMap(panel =>
        panel
          .plan(params({ range }), rules)
          .queries.flatMap(spec =>
            spec.type === 'range'
              ? [pointCount(spec.start, spec.end, spec.step)]
              : [],
          ),
      ),
    );
    expect(points.length).toBeGreaterThan(20);
    expect(Math.max(...points)).toBeLessThanOrEqual(MAX_POINTS_PER_QUERY);
    const hourly = featureUsageHourlyQueries(params({ range: '90d' }), 'raw');
    expect(hourly.map(s => s.step)).toEqual([2 * HOUR, 2 * HOUR]);
    expect(hourly[0].query).toBe(
      'sum by (feature) (increase(ai_copilot_feature_usage[3600s]))',
    );
    expect(hourly[1].query).toBe(
      'sum by (feature) (increase(ai_copilot_feature_usage[3600s] offset 3600s))',
    );
  });

  it('lists the participants of a family by every filter and breakdown label it has, for any view', () => {
    const org = params({ range: '7d', language: 'rust', assistant: 'cody' });
    expect(participantsQuery(org, 'suggestions').query).toBe(
      'sum by (user_hash, language, assistant) (increase(ai_copilot_suggestions_total[565200s])) > 0',
    );
    // Time saved has no language label; its rows are its activities.
    expect(participantsQuery(org, 'timeSaved').query).toBe(
      'sum by (user_hash, assistant, activity) (increase(ai_copilot_time_saved_seconds[565200s])) > 0',
    );
    expect(participantsQuery(org, 'tokens').query).toBe(
      'sum by (user_hash, assistant, model, type) (increase(ai_copilot_tokens_total[565200s])) > 0',
    );
    // The same query for every filter and every team, so one answer serves them all.
    const rust = participantsQuery(
      params({ range: '7d', language: 'rust' }),
      'suggestions',
    ).query;
    expect(
      participantsQuery(params({ range: '7d', language: 'go' }), 'suggestions')
        .query,
    ).toBe(rust);
    expect(
      participantsQuery(params({ range: '7d' }), 'suggestions').query,
    ).toBe(rust);
    const ofTeam = participantsQuery(
      params({ range: '7d', language: 'rust' }, true),
      'featureUsage',
    );
    expect(ofTeam.display).toBe(
      'sum by (user_hash, assistant, feature) (increase(ai_copilot_feature_usage[565200s])) > 0',
    );
    expect(ofTeam.source).toBe('raw');
  });

  it('reads the whole days the per-developer daily rules hold from them, the rest of the window from the counters', () => {
    const p = params({ range: '7d', language: 'go' });
    const until = Date.UTC(2026, 10, 27) / 1000;
    const recorded: PanelParams = {
      ...p,
      recordedDays: { from: p.window.start, until },
    };
    // Nov 22 to Nov 27 from the rule (a day's sample lies in [its midnight, the next)), the
    // GitHub import's back-dated samples of those days beside it, Nov 27 to now (13:00 on Nov 28)
    // from the counters; the filter values left out, as before.
    expect(participantsQuery(recorded, 'suggestions').query).toBe(
      'sum by (user_hash, language, assistant) (' +
        `label_replace(sum_over_time(ai_telemetry:suggestions_shown_per_user_by_label:increase1d[431999999ms] @ ${
          until + DAY - 0.001
        }), "ai_telemetry_part", "recorded", "", "") or ` +
        `label_replace(increase(ai_copilot_suggestions_total{source="github"}[432000s] @ ${until}), "ai_telemetry_part", "imported", "", "") or ` +
        'label_replace(increase(ai_copilot_suggestions_total[133200s]), "ai_telemetry_part", "after", "", "")) > 0',
    );
    // Without filters, the rule without the filter labels, here without the outcome either
    // (fewer series); a team's matcher applies to the rule too; the usage families have no
    // imported samples.
    expect(
      activeUsersQuery({ ...recorded, team, filters: {} }).display,
    ).toContain(
      'sum_over_time(ai_telemetry:suggestions_shown_per_user:increase1d{user_hash=~"$team"}[431999999ms]',
    );
    expect(participantsQuery(recorded, 'tokens').query).not.toContain(
      'imported',
    );
    // Fewer than one whole recorded day in the window: the counters alone.
    expect(
      participantsQuery(
        { ...p, recordedDays: { from: p.window.start, until: p.window.start } },
        'suggestions',
      ).query,
    ).toBe(participantsQuery(p, 'suggestions').query);
  });

  it("totals the window up to now from the organisation's daily rule, the hourly rule after it and the counters for the running hour", () => {
    // now is 13:00 on Nov 28: a window total up to 13:00:30 (asOf read to 15 seconds).
    const p = parsePanelRequest(
      { range: '7d', assistant: 'copilot' },
      { ...options, now: options.now + 30 },
    );
    const until = Date.UTC(2026, 10, 27) / 1000;
    const recorded: PanelParams = {
      ...p,
      recordedDays: { from: p.window.start, until },
    };
    const m = '{assistant="copilot"}';
    const gh = '{assistant="copilot",source="github"}';
    const spec = windowIncreaseQuery(recorded, 'timeSaved', 'recording-rule', [
      'activity',
    ]);
    // asOf is not a whole hour, yet the rules stand in: only the start must be one.
    expect(spec.source).toBe('recording-rule');
    expect(spec.query).toBe(
      'sum by (activity) (' +
        // Nov 22 to Nov 27 from the daily rule,
        `label_replace(sum_over_time(ai_telemetry:time_saved_seconds:increase1d${m}[431999999ms] @ ${
          until + DAY - 0.001
        }), "ai_telemetry_part", "recorded", "", "") or ` +
        // Nov 27 00:00 to 13:00 from the hourly rule,
        `label_replace(sum_over_time(ai_telemetry:time_saved_seconds:increase1h${m}[133199s:1h] @ ${
          until + 37 * HOUR
        }), "ai_telemetry_part", "hours", "", "") or ` +
        // the GitHub import's samples up to 13:00 from the counters,
        `label_replace(increase(ai_copilot_time_saved_seconds${gh}[565200s] @ ${
          until + 37 * HOUR
        }), "ai_telemetry_part", "imported", "", "") or ` +
        // and the 30 seconds since from the counters.
        `label_replace(increase(ai_copilot_time_saved_seconds${m}[30s]), "ai_telemetry_part", "running", "", ""))`,
    );
    // Without recorded days, the hourly rule from the start and the running hour raw.
    expect(
      windowIncreaseQuery(p, 'linesGenerated', 'recording-rule', ['assistant'])
        .query,
    ).toContain(
      `sum_over_time(ai_telemetry:lines_generated:increase1h${m}[565199s:1h] @ ${
        until + 37 * HOUR
      })`,
    );
    // A team's reads the counters, as do windows the rules do not cover.
    const ofTeam = windowIncreaseQuery(
      { ...recorded, team },
      'timeSaved',
      'recording-rule',
      ['activity'],
    );
    expect(ofTeam.source).toBe('raw');
    expect(ofTeam.display).toBe(
      'sum by (activity) (increase(ai_copilot_time_saved_seconds{assistant="copilot",user_hash=~"$team"}[565230s]))',
    );
  });

  it("draws the lines' daily bars for the recorded days from the organisation's daily rule", () => {
    const p = params({ range: '30d' });
    const until = Date.UTC(2026, 10, 27) / 1000;
    const recorded: PanelParams = {
      ...p,
      recordedDays: { from: p.window.start, until },
    };
    const [first, ...rest] = PANELS.linesGenerated.plan(
      recorded,
      rules,
    ).queries;
    expect(first).toMatchObject({
      type: 'range',
      start: p.window.start + DAY,
      end: until,
      step: DAY,
      query:
        'sum by (language) (last_over_time(ai_telemetry:lines_generated:increase1d[86399999ms] offset -86399999ms) or ' +
        'increase(ai_copilot_lines_generated{source="github"}[86400s]))',
    });
    // The days after them as before, from the hourly rule (and the running day raw).
    expect(rest[0].query).toContain('ai_telemetry:lines_generated:increase1h');
  });

  it("reads the organisation's usage from its daily rules, a team's from the per-developer ones", () => {
    const p = params({ range: '7d', assistant: 'cody' });
    const until = Date.UTC(2026, 10, 27) / 1000;
    const recorded: PanelParams = {
      ...p,
      recordedDays: { from: p.window.start, until },
    };
    const tm = { label: 'user_hash', op: '=~' as const, value: '$team' };
    const total = (r: PanelParams, by: string[]) =>
      perUserIncrease(
        'activeSeconds',
        r,
        r.team ? { team: tm } : {},
        by,
        4 * DAY,
      );
    const organisation = total(recorded, ['type']);
    expect(organisation).toContain(
      'sum_over_time(ai_telemetry:active_seconds:increase1d{assistant="cody"}[172799999ms]',
    );
    expect(organisation).not.toContain('per_user');
    expect(total({ ...recorded, team }, ['type'])).toContain(
      'ai_telemetry:active_seconds_per_user:increase1d{assistant="cody",user_hash=~"$team"}',
    );
    // Per developer, the per-developer rule whatever the view.
    expect(total(recorded, ['user_hash'])).toContain(
      'ai_telemetry:active_seconds_per_user:increase1d',
    );
    const usage = PANELS.usage.plan(recorded, rules).queries;
    const tokens = usage.find(q => q.query.includes('tokens'));
    expect(tokens?.query).toBe(
      'sum by (assistant, model, type) (last_over_time(ai_telemetry:tokens:increase1d{assistant="cody"}[86399999ms] offset -86399999ms))',
    );
  });

  it('reads the part of a window before its first midnight from the counters, at that midnight', () => {
    const now = Date.UTC(2026, 10, 28, 13) / 1000;
    const p = parsePanelRequest(
      { from: String(now - 2 * DAY), to: String(now) },
      options,
    );
    expect(p.window.start).toBe(Date.UTC(2026, 10, 26, 13) / 1000);
    const midnight = Date.UTC(2026, 10, 27) / 1000;
    const query = perUserIncrease(
      'linesGenerated',
      {
        ...p,
        recordedDays: { from: midnight - DAY, until: midnight + DAY },
      },
      {},
      ['user_hash'],
      2 * DAY,
    );
    expect(query).toContain(
      `label_replace(increase(ai_copilot_lines_generated[39600s] @ ${midnight}), "ai_telemetry_part", "before", "", "")`,
    );
    expect(query).toContain(
      'ai_telemetry:lines_generated_per_user_unfiltered:increase1d[86399999ms]',
    );
    expect(query).toContain(
      'label_replace(increase(ai_copilot_lines_generated[46800s]), "ai_telemetry_part", "after", "", "")',
    );
  });

  it('reads the recorded days of a window that began before the rules, and the days before them from the counters', () => {
    const p = params({ range: '7d' });
    // The rules began recording on Nov 25: the window's first three days are before them.
    const from = Date.UTC(2026, 10, 25) / 1000;
    const until = Date.UTC(2026, 10, 28) / 1000;
    expect(p.window.start).toBe(from - 3 * DAY);
    const query = participantsQuery(
      { ...p, recordedDays: { from, until } },
      'linesGenerated',
    ).query;
    expect(query).toContain(
      `sum_over_time(ai_telemetry:lines_generated_per_user:increase1d[259199999ms] @ ${
        until + DAY - 0.001
      })`,
    );
    expect(query).toContain(
      `label_replace(increase(ai_copilot_lines_generated[259200s] @ ${from}), "ai_telemetry_part", "before", "", "")`,
    );
    // Where no counter has a sample before the recorded days, they are not read at all.
    const quiet = participantsQuery(
      { ...p, recordedDays: { from, until, quietFrom: p.window.start } },
      'linesGenerated',
    ).query;
    expect(quiet).not.toContain('"before"');
    // The same for a window total from the organisation's rules.
    const total = (recordedDays: PanelParams['recordedDays']) =>
      windowIncreaseQuery(
        { ...p, recordedDays },
        'linesGenerated',
        'recording-rule',
        ['assistant'],
      ).query;
    expect(total({ from, until })).toContain(
      `sum_over_time(ai_telemetry:lines_generated:increase1h[259199s:1h] @ ${from}), "ai_telemetry_part", "before"`,
    );
    expect(total({ from, until, quietFrom: p.window.start })).not.toContain(
      '"before"',
    );
    expect(quiet).toBe(
      query.replace(
        ` or label_replace(increase(ai_copilot_lines_generated[259200s] @ ${from}), "ai_telemetry_part", "before", "", "")`,
        '',
      ),
    );
  });

  it('says which filters a panel cannot apply', () => {
    const filters = { language: 'go', assistant: 'cody' };
    expect(ignoredFilters(PANELS.overview.families, filters)).toEqual([]);
    expect(ignoredFilters(PANELS.timeSaved.families, filters)).toEqual([
      'language',
    ]);
    expect(ignoredFilters(PANELS.usage.families, filters)).toEqual([
      'language',
    ]);
    expect(ignoredFilters(PANELS.alerts.families, filters)).toEqual([
      'language',
      'assistant',
    ]);
    expect(ignoredFilters(PANELS.featureUsage.families, {})).toEqual([]);
  });
});
