import { mockCredentials } from '@backstage/backend-test-utils';
import {
  isPanelError,
  isTooFewParticipants,
  TEAM_COMPARISON_MAX_ROWS,
  TeamComparisonPanel,
} from '@fawkes/plugin-ai-telemetry-common';
import { eventsPrometheus, TestEvent } from '../__testUtils__/eventsPrometheus';
import {
  group,
  hash,
  testQueryService,
  users,
} from '../__testUtils__/testDoubles';
import { TeamReadCheck } from '../teamAccess';
import { mostActive } from './teamComparison';

const credentials = mockCredentials.user();
const NOON = Date.UTC(2026, 10, 25, 12) / 1000;

/**
 * Each of `who` was shown 40 suggestions (`accepted` of them accepted) and accepted `lines`
 * lines saving `seconds`, at noon three days ago.
 */
function did(
  who: number[],
  counts: { accepted: number; lines: number; seconds: number },
  language = 'python',
): TestEvent[] {
  return who.map(user => ({
    user,
    t: NOON,
    language,
    accepted: counts.accepted,
    rejected: 40 - counts.accepted,
    lines: counts.lines,
    seconds: counts.seconds,
  }));
}

const names = (n: number[]) => n.map(u => `u${u}`);

// dept: alpha (1-6) and beta (7-12); gamma has 3 members; most holds all but two of the 20.
const entities = [
  group('dept', [], ['alpha', 'beta']),
  group('alpha', names(users(1, 6))),
  group('beta', names(users(7, 12))),
  group('gamma', names(users(13, 15))),
  group('most', names(users(1, 18))),
];
const optedIn = users(1, 20).map(u => ({
  userEntityRef: `user:default/u${u}`,
  userHash: hash(u),
}));
const events = [
  ...did(users(1, 6), { accepted: 10, lines: 20, seconds: 360 }),
  ...did(users(7, 12), { accepted: 20, lines: 50, seconds: 720 }),
  ...did(users(13, 20), { accepted: 5, lines: 5, seconds: 36 }),
];

function figures<T extends object>(
  answer: T,
): Exclude<T, { tooFewParticipants: true }> {
  if (isTooFewParticipants(answer)) {
    throw new Error(`no figures: ${answer.reason}`);
  }
  return answer as Exclude<T, { tooFewParticipants: true }>;
}

async function comparison(
  canReadTeams: TeamReadCheck | undefined,
  query: Record<string, string> = { range: '7d' },
) {
  const prometheus = eventsPrometheus(events);
  const service = testQueryService({
    prometheus: prometheus.client,
    optedIn,
    entities,
  });
  const body = figures(
    await service.dashboard(
      service.parseRequest(query),
      credentials,
      canReadTeams,
    ),
  );
  const panel = body.panels.teamComparison;
  if (isPanelError(panel)) throw new Error(panel.error.message);
  return { panel: panel as TeamComparisonPanel, prometheus, service };
}

const everyTeam: TeamReadCheck = async refs => refs.map(() => true);

describe('the team comparison', () => {
  it('shows every team whose own tab shows figures, with its figures, most active first', async () => {
    const { panel, prometheus } = await comparison(everyTeam);
    expect(panel.data).toEqual({
      minGroupSize: 5,
      totalTeams: 3,
      teams: [
        {
          team: { entityRef: 'group:default/dept', title: 'dept' },
          activeDevelopers: 12,
          acceptanceRate: (6 * 10 + 6 * 20) / (12 * 40),
          linesAccepted: 6 * 20 + 6 * 50,
          hoursSavedPerActiveDeveloper: expect.closeTo(0.15, 9),
        },
        {
          team: { entityRef: 'group:default/alpha', title: 'alpha' },
          activeDevelopers: 6,
          acceptanceRate: 0.25,
          linesAccepted: 120,
          hoursSavedPerActiveDeveloper: expect.closeTo(0.1, 9),
        },
        {
          team: { entityRef: 'group:default/beta', title: 'beta' },
          activeDevelopers: 6,
          acceptanceRate: 0.5,
          linesAccepted: 300,
          hoursSavedPerActiveDeveloper: expect.closeTo(0.2, 9),
        },
      ],
    });
    // gamma has 3 members; "most" is 2 apart from the organisation (differencing).
    // One query per figure for every team, without pseudonyms, and no pseudonym in the answer;
    // shown is the active developers' query (asked once for both); without filters, each a
    // per-developer total.
    expect(panel.queries.map(q => q.query)).toEqual([
      'sum by (user_hash) (increase(ai_copilot_suggestions_total[566400s])) > 0',
      'sum by (user_hash) (increase(ai_copilot_suggestions_total{accepted="true"}[566400s])) > 0',
      'sum by (user_hash) (increase(ai_copilot_lines_generated[566400s])) > 0',
      'sum by (user_hash) (increase(ai_copilot_time_saved_seconds[566400s])) > 0',
    ]);
    const perUser = prometheus.asked.filter(
      q => q.startsWith('instant sum by (user_hash') && q.includes('[566400s]'),
    );
    expect(perUser.every(q => !q.includes('user_hash='))).toBe(true);
    const asOf = panel.window.asOf / 1000;
    for (const query of panel.queries.map(q => q.query)) {
      expect(
        perUser.filter(q => q === `instant ${query} ${asOf}`),
      ).toHaveLength(1);
    }
    expect(JSON.stringify(panel.data)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('narrows lines and time saved to the filters, reading them by the filter labels', async () => {
    const { panel } = await comparison(everyTeam, {
      range: '7d',
      language: 'python',
    });
    // Every event was in Python: the same rows as without the filter.
    expect(
      (panel.data.teams ?? []).map(t => [t.team.title, t.linesAccepted]),
    ).toEqual([
      ['dept', 420],
      ['alpha', 120],
      ['beta', 300],
    ]);
  });

  it('answers the most active teams only, when there are more than an answer carries', () => {
    const row = (name: string, activeDevelopers: number) => ({
      team: { entityRef: `group:default/${name}`, title: name },
      activeDevelopers,
      acceptanceRate: 0.3,
      linesAccepted: 10,
      hoursSavedPerActiveDeveloper: 1,
    });
    const rows = Array.from({ length: TEAM_COMPARISON_MAX_ROWS + 50 }, (_, i) =>
      row(`team-${String(i).padStart(3, '0')}`, 5 + (i % 40)),
    );
    const kept = mostActive(rows);
    expect(kept).toHaveLength(TEAM_COMPARISON_MAX_ROWS);
    const smallestKept = kept.at(-1)!.activeDevelopers;
    // Every team left out has at most as many active developers as the last one kept.
    const keptNames = new Set(kept.map(r => r.team.entityRef));
    expect(
      rows
        .filter(r => !keptNames.has(r.team.entityRef))
        .every(r => r.activeDevelopers <= smallestKept),
    ).toBe(true);
    expect(mostActive([row('b', 5), row('a', 5), row('c', 9)], 2)).toEqual([
      row('c', 9),
      row('a', 5),
    ]);
  });

  it('shows only the teams the caller may read, asking once for all of them', async () => {
    const asked: string[][] = [];
    const { panel } = await comparison(async refs => {
      asked.push(refs);
      return refs.map(ref => ref !== 'group:default/dept');
    });
    expect(panel.data.teams?.map(t => t.team.entityRef)).toEqual([
      'group:default/alpha',
      'group:default/beta',
    ]);
    // Only the teams that would show figures are asked about.
    expect(asked).toEqual([
      ['group:default/dept', 'group:default/alpha', 'group:default/beta'],
    ]);
  });

  it('shows no team, and asks no per-developer query, without a permission check (a service)', async () => {
    const { panel, prometheus } = await comparison(undefined);
    expect(panel.data).toEqual({ teams: [], totalTeams: 0, minGroupSize: 5 });
    expect(
      prometheus.asked.filter(q => q.includes('sum by (user_hash, accepted)')),
    ).toEqual([]);
  });

  it('counts a language filter into the columns that have a language, as the team tab does', async () => {
    const go = [
      ...events,
      ...did(users(1, 6), { accepted: 40, lines: 0, seconds: 0 }, 'go'),
    ];
    const service = testQueryService({
      prometheus: eventsPrometheus(go).client,
      optedIn,
      entities,
    });
    const body = figures(
      await service.dashboard(
        service.parseRequest({ range: '7d', language: 'python' }),
        credentials,
        everyTeam,
      ),
    );
    const panel = body.panels.teamComparison as TeamComparisonPanel;
    const alpha = panel.data.teams?.find(
      t => t.team.entityRef === 'group:default/alpha',
    );
    // Python only: a quarter accepted, as before the Go suggestions.
    expect(alpha).toMatchObject({ activeDevelopers: 6, acceptanceRate: 0.25 });
    expect(panel.ignoredFilters).toEqual(['language']);
  });

  it('answers no rows on a team dashboard, and runs nothing for them', async () => {
    const service = testQueryService({
      prometheus: eventsPrometheus(events).client,
      optedIn,
      entities,
    });
    const team = figures(
      await service.teamDashboard(
        { namespace: 'default', name: 'dept' },
        service.parseRequest({ range: '7d' }),
        credentials,
      ),
    );
    const panel = team.panels.teamComparison as TeamComparisonPanel;
    expect(panel.data).toEqual({
      teams: null,
      totalTeams: null,
      minGroupSize: 5,
    });
    expect(panel.queries).toEqual([]);
  });
});
