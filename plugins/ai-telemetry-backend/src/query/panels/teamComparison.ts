import {
  ANSWER_DECIMALS,
  TeamComparisonData,
  TEAM_COMPARISON_MAX_ROWS,
  TeamComparisonRow,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../../upstream/PrometheusClient';
import {
  appliedFilters,
  CounterFamily,
  matchesFilters,
  PanelParams,
} from '../families';
import { LabelMatcher } from '../promql';
import { rounded } from './buckets';
import { ComparableTeam, definePanel, PanelContext } from './panel';
import {
  InstantQuery,
  indexedPerUser,
  perUserIncrease,
  windowTotalQuery,
} from './queries';

/**
 * Each pseudonym's increase of a family over the window (up to `asOf`), under the filters it applies: one
 * series per pseudonym (and per label of `by`), for every team at once, from the per-developer
 * daily rules and the counters ({@link perUserIncrease}); the pseudonyms are only counted into
 * teams here and never leave the backend. Only those with data (`> 0`: the others add nothing).
 */
function perUserQuery(
  params: PanelParams,
  family: CounterFamily,
  by: string[] = [],
  only: LabelMatcher[] = [],
): InstantQuery {
  const organisation: PanelParams = {
    window: params.window,
    filters: params.filters,
    recordedDays: params.recordedDays,
  };
  const query = windowTotalQuery(organisation, {
    family,
    build: (r, _s, seconds) =>
      `${perUserIncrease(
        family,
        organisation,
        r,
        ['user_hash', ...by],
        seconds,
        only,
      )} > 0`,
  });
  const { start, asOf } = params.window;
  const indexed = indexedPerUser(
    family,
    organisation,
    ['user_hash', ...by],
    Math.floor(asOf) - start,
    'values',
    only,
  );
  return indexed ? { ...query, indexed } : query;
}

type PerUserQueries = {
  suggestions: InstantQuery;
  accepted: InstantQuery;
  linesGenerated: InstantQuery;
  timeSaved: InstantQuery;
};

/** No queries at all on a team dashboard, where the comparison does not apply. */
type Queries = PerUserQueries | Record<string, never>;

function queriesOf(params: PanelParams): Queries {
  if (params.team) return {};
  const { language } = params.filters;
  // Shown, and accepted, per developer; by language under a language filter, so that the time
  // saved (which has no language) is divided by the developers active in any language, as the
  // time saved panel does. Without a language filter the first is the active developers' query
  // (and without filters the threshold's participants query): one answer for all of them.
  const anyLanguage: PanelParams = {
    ...params,
    filters: { assistant: params.filters.assistant },
  };
  const by = language ? ['language'] : [];
  return {
    suggestions: perUserQuery(anyLanguage, 'suggestions', by),
    accepted: perUserQuery(anyLanguage, 'suggestions', by, [
      { label: 'accepted', op: '=', value: 'true' },
    ]),
    // Lines and time saved per developer, by the filter labels each applies (none without
    // filters: the per-developer totals the activity index keeps).
    linesGenerated: perUserQuery(
      params,
      'linesGenerated',
      appliedFilters('linesGenerated', params.filters),
    ),
    timeSaved: perUserQuery(
      params,
      'timeSaved',
      appliedFilters('timeSaved', params.filters),
    ),
  };
}

function valueOf(series: PrometheusSeries): number {
  const value = series.points[0]?.[1];
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

function add(totals: Map<string, number>, hash: string, value: number) {
  totals.set(hash, (totals.get(hash) ?? 0) + value);
}

/** Per-pseudonym figures of the window, to be summed over each team's members. */
type PerUser = {
  /** Suggestions shown under the filters, and of them accepted. */
  shown: Map<string, number>;
  accepted: Map<string, number>;
  /** Suggestions shown in any language (the developers time saved is divided by). */
  shownAnyLanguage: Map<string, number>;
  lines: Map<string, number>;
  seconds: Map<string, number>;
};

function perUser(
  [suggestions, accepted, lines, timeSaved]: PrometheusSeries[][],
  filters: PanelParams['filters'],
): PerUser {
  const { language } = filters;
  const figures: PerUser = {
    shown: new Map(),
    accepted: new Map(),
    shownAnyLanguage: new Map(),
    lines: new Map(),
    seconds: new Map(),
  };
  for (const s of suggestions) {
    const hash = s.labels.user_hash;
    if (!hash) continue;
    const v = valueOf(s);
    add(figures.shownAnyLanguage, hash, v);
    if (language !== undefined && s.labels.language !== language) continue;
    add(figures.shown, hash, v);
  }
  for (const s of accepted) {
    const hash = s.labels.user_hash;
    if (!hash) continue;
    if (language !== undefined && s.labels.language !== language) continue;
    add(figures.accepted, hash, valueOf(s));
  }
  for (const [family, series, totals] of [
    ['linesGenerated', lines, figures.lines],
    ['timeSaved', timeSaved, figures.seconds],
  ] as const) {
    const applied = appliedFilters(family, filters);
    for (const s of series) {
      const hash = s.labels.user_hash;
      if (!hash) continue;
      if (!matchesFilters(s.labels, filters, applied)) continue;
      add(totals, hash, valueOf(s));
    }
  }
  return figures;
}

/**
 * One team's row: its members' figures summed, as the team's own tab counts them, rounded as
 * the table shows them.
 */
function rowOf(team: ComparableTeam, figures: PerUser): TeamComparisonRow {
  let activeDevelopers = 0;
  let activeAnyLanguage = 0;
  let shown = 0;
  let accepted = 0;
  let lines = 0;
  let seconds = 0;
  for (const hash of new Set(team.userHashes)) {
    const s = figures.shown.get(hash) ?? 0;
    if (s > 0) activeDevelopers++;
    if ((figures.shownAnyLanguage.get(hash) ?? 0) > 0) activeAnyLanguage++;
    shown += s;
    accepted += figures.accepted.get(hash) ?? 0;
    lines += figures.lines.get(hash) ?? 0;
    seconds += figures.seconds.get(hash) ?? 0;
  }
  return {
    team: team.info,
    activeDevelopers,
    acceptanceRate:
      shown > 0 ? rounded(accepted / shown, ANSWER_DECIMALS.ratio) : null,
    linesAccepted: rounded(lines, ANSWER_DECIMALS.count),
    hoursSavedPerActiveDeveloper:
      activeAnyLanguage > 0
        ? rounded(seconds / 3600 / activeAnyLanguage, ANSWER_DECIMALS.hours)
        : null,
  };
}

function byName(row: TeamComparisonRow): string {
  return row.team.title ?? row.team.entityRef;
}

/** Every comparable team's row, most active developers first. */
/** The rows an answer carries: most active developers first, at most `max` of them. */
export function mostActive(
  rows: TeamComparisonRow[],
  max: number = TEAM_COMPARISON_MAX_ROWS,
): TeamComparisonRow[] {
  return rows
    .sort(
      (a, b) =>
        b.activeDevelopers - a.activeDevelopers ||
        byName(a).localeCompare(byName(b)),
    )
    .slice(0, max);
}

async function loadTeamComparison(
  queries: Queries,
  ctx: PanelContext,
): Promise<TeamComparisonData> {
  const { minGroupSize } = ctx;
  if (!('suggestions' in queries)) {
    return { teams: null, totalTeams: null, minGroupSize };
  }
  const teams = (await ctx.comparableTeams?.()) ?? [];
  if (teams.length === 0) return { teams: [], totalTeams: 0, minGroupSize };
  const results = await Promise.all([
    ctx.run(queries.suggestions),
    ctx.run(queries.accepted),
    ctx.run(queries.linesGenerated),
    ctx.run(queries.timeSaved),
  ]);
  const figures = perUser(results, ctx.params.filters);
  return {
    teams: mostActive(teams.map(team => rowOf(team, figures))),
    totalTeams: teams.length,
    minGroupSize,
  };
}

/**
 * Team comparison (organisation dashboard only): active developers, acceptance rate, lines
 * accepted and hours saved per active developer of each catalog Group, side by side.
 *
 * Which Groups: those whose own AI Telemetry tab would show figures for the same window and
 * filters, by the same rules (PrivacyThreshold.teams: at least `minGroupSize` opted-in
 * members with data in every family that has data, and no differencing against the groups below
 * it, the organisation or fewer filters), and whose tab the caller may open (permission
 * `ai-telemetry.team.read` on the Group, asked of the permission policy for the caller: their own
 * groups and those below them, every group for an admin, none for a service). Each row thus
 * holds figures the caller can already read on that Group's tab, counted the same way, so the
 * table opens no view that could not be opened before, and two rows differ exactly as two tabs
 * do. The QueryService chooses the Groups (`comparableTeams`); this module only counts.
 * (A row's lines and time saved are the whole window's increase, where the tab's charts add up
 * their steps: the two agree up to the edges of Prometheus's extrapolation.)
 *
 * The figures come from one instant query per figure over the whole organisation (shown,
 * accepted, lines, seconds: `sum by (user_hash) (increase(...[window])) > 0`, the whole days
 * from the per-developer daily rules: {@link perUserIncrease}), summed in memory over each
 * Group's opted-in members and the members of the groups below it, so that any number of teams
 * costs four queries, of which the dashboard's other panels and its threshold ask three too. On a team dashboard it runs nothing and answers `teams: null`.
 */
export const teamComparisonPanel = definePanel({
  id: 'teamComparison',
  families: ['suggestions', 'linesGenerated', 'timeSaved'],
  step: window => window.end - window.start,
  queries: queriesOf,
  load: loadTeamComparison,
});
