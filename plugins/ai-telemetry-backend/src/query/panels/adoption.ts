import {
  ADOPTION_COHORTS,
  AdoptionCohort,
  AdoptionData,
  AdoptionPeriod,
  FilterName,
  PanelFilters,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  AdoptionSettings,
  DEFAULT_ADOPTION_SETTINGS,
} from '../../config/AiTelemetryConfig';
import { PrometheusSeries } from '../../upstream/PrometheusClient';
import { DailyAmounts, IndexedDailyRead } from '../ActivityIndex';
import { FAMILY_FILTERS, PanelParams } from '../families';
import { DAY, WindowSpec } from '../window';
import { activeUserCount, definePanel, PanelContext, runSeries } from './panel';
import {
  activeUsersQuery,
  increaseOver,
  instantQuery,
  InstantQuery,
  indexedPerUserDaily,
  perUserDailySeries,
  RangeQuery,
  rangeQuery,
  recordedSpan,
  Rendering,
  SeriesQuery,
} from './queries';

/** Windows of this many days or more are shown per week, shorter ones per day. */
const WEEKLY_FROM_DAYS = 14;
const DAYS_PER_WEEK = 7;

/**
 * The days of a window: whole days for windows of three days or more (which are aligned to
 * days); a shorter window is split into `round(length / 1 d)` equal periods (at least one),
 * which count as its days, so that the days always cover the window exactly.
 */
export function windowDays(window: WindowSpec): {
  days: number;
  dayLength: number;
} {
  const length = window.end - window.start;
  const days = Math.max(1, Math.round(length / DAY));
  return { days, dayLength: length / days };
}

/** Days a developer must be active on, of `days`, to be regular. */
export function regularDaysOf(
  days: number,
  settings: AdoptionSettings,
): number {
  if (settings.regularDays !== undefined) {
    return Math.min(settings.regularDays, days);
  }
  return Math.max(1, Math.ceil(days * settings.regularShare - 1e-9));
}

/** A period of the window, as day indexes: `count` days from `first`. */
type Period = { first: number; count: number };

/** Weeks counted back from the window's end (the oldest may be shorter), or single days. */
export function periodsOf(days: number): Period[] {
  if (days < WEEKLY_FROM_DAYS) {
    return Array.from({ length: days }, (_, first) => ({ first, count: 1 }));
  }
  const weeks: Period[] = [];
  for (let last = days; last > 0; last -= DAYS_PER_WEEK) {
    const first = Math.max(0, last - DAYS_PER_WEEK);
    weeks.unshift({ first, count: last - first });
  }
  return weeks;
}

/**
 * Suggestions shown per pseudonym and day (or equal period) of the window, across the whole
 * organisation (no team matcher: a team's counts are compared with the organisation's and its
 * subgroups', all counted in memory), by each filter label the request sets; the filters'
 * values are left out of the query, so that one answer also serves the views with fewer filters.
 * Per pseudonym: the organisation's recording rules cannot tell people apart. The days that have
 * ended come from range queries with a daily step: over the per-developer daily rules for the
 * days they hold from the window's start, over the counters for the days after; the day that
 * holds `asOf` from an instant query over its elapsed part (the days count from the window's
 * start, which for a window under three days need not be a midnight).
 */
function dailyQuery(params: PanelParams): SeriesQuery {
  const { start, end, asOf } = params.window;
  const { dayLength } = windowDays(params.window);
  const by = ['user_hash', ...setFilters(params.filters)];
  const organisation: PanelParams = {
    window: params.window,
    filters: {},
    recordedDays: params.recordedDays,
  };
  const reading = (seconds: number) => ({
    family: 'suggestions' as const,
    build: (r: Rendering) =>
      `sum by (${by.join(', ')}) (${increaseOver(
        'suggestions',
        organisation,
        r,
        'raw',
        seconds,
      )})`,
  });
  const partialStart = Math.min(
    start + Math.floor((asOf - start) / dayLength) * dayLength,
    end,
  );
  const elapsed = Math.floor(asOf) - partialStart;
  // Whole UTC days from the start that the daily rules hold: read from them, one point a day.
  const span =
    dayLength === DAY
      ? recordedSpan(organisation, start, partialStart)
      : undefined;
  const recordedUntil = span?.from === start ? span.until : start;
  return {
    kind: 'series',
    step: dayLength,
    recorded:
      recordedUntil > start
        ? withIndexedDaily(
            rangeQuery(
              organisation,
              { start: start + DAY, end: recordedUntil, step: DAY },
              {
                family: 'suggestions',
                build: r =>
                  perUserDailySeries('suggestions', organisation, r, by),
              },
            ),
            indexedPerUserDaily(
              'suggestions',
              organisation,
              by,
              start,
              recordedUntil,
            ),
          )
        : undefined,
    complete:
      partialStart > recordedUntil
        ? rangeQuery(
            organisation,
            {
              start: recordedUntil + dayLength,
              end: partialStart,
              step: dayLength,
            },
            reading(dayLength),
          )
        : undefined,
    partial:
      elapsed > 0 && partialStart < end
        ? instantQuery(organisation, Math.floor(asOf), reading(elapsed))
        : undefined,
    partialStart,
  };
}

/** The range query, with the read the activity index may answer in its place. */
function withIndexedDaily(
  query: RangeQuery,
  indexedDaily: IndexedDailyRead | undefined,
): RangeQuery {
  return indexedDaily ? { ...query, indexedDaily } : query;
}

/** The filters the request sets that the suggestions apply. */
function setFilters(filters: PanelFilters): FilterName[] {
  return FAMILY_FILTERS.suggestions.filter(name => filters[name] !== undefined);
}

/** Suggestions shown per day of the window, by pseudonym. */
type Daily = Map<string, Float64Array>;

/**
 * The per-day suggestions of every pseudonym, once for each subset of the set filters (by bit
 * mask over `names`; the last, all bits set, is the request's own view).
 */
function dailyBySubset(
  series: PrometheusSeries[],
  amounts: DailyAmounts | undefined,
  params: PanelParams,
  names: FilterName[],
): Daily[] {
  const { start } = params.window;
  const { days, dayLength } = windowDays(params.window);
  const subsets: Daily[] = Array.from(
    { length: 1 << names.length },
    () => new Map(),
  );
  const masks = subsets.map((_, mask) =>
    names.filter((__, i) => mask & (1 << i)),
  );
  /** The pseudonym's days in each subset whose filters `labels` match. */
  const daysOf = (labels: Readonly<Record<string, string>>) => {
    const hash = labels.user_hash;
    if (!hash) return [];
    const found: Float64Array[] = [];
    subsets.forEach((daily, mask) => {
      if (!masks[mask].every(name => labels[name] === params.filters[name])) {
        return;
      }
      let values = daily.get(hash);
      if (!values) {
        values = new Float64Array(days);
        daily.set(hash, values);
      }
      found.push(values);
    });
    return found;
  };
  if (amounts) {
    // The index's days are whole days from `from`: day i of them is day `first + i` here.
    const first = Math.round((amounts.from - start) / dayLength);
    for (const s of amounts.series) {
      for (const values of daysOf(s.labels)) {
        for (let i = 0; i < s.amounts.length; i++) {
          const day = first + i;
          if (day >= 0 && day < days && s.amounts[i] > 0) {
            values[day] += s.amounts[i];
          }
        }
      }
    }
  }
  for (const { labels, points } of series) {
    for (const values of daysOf(labels)) {
      for (const [t, v] of points) {
        // A point at t is the increase of the day that ends at t.
        const day = Math.round((t - start) / dayLength) - 1;
        if (day >= 0 && day < days && Number.isFinite(v) && v > 0) {
          values[day] += v;
        }
      }
    }
  }
  return subsets;
}

type Cells = Record<AdoptionCohort, number>;

/** What one view counts: its regular developers and its cohorts per period. */
type ViewCounts = { regular: number; periods: Cells[] };

type Definitions = {
  periods: Period[];
  regularDays: number;
  moderateFrom: number;
  heavyFrom: number;
};

function cohortOf(perActiveDay: number, d: Definitions): AdoptionCohort {
  if (perActiveDay >= d.heavyFrom) return 'heavy';
  if (perActiveDay >= d.moderateFrom) return 'moderate';
  return 'light';
}

/** Counts a view (the organisation when `members` is absent) from the per-day suggestions. */
function countView(
  daily: Daily,
  members: ReadonlySet<string> | undefined,
  d: Definitions,
): ViewCounts {
  const counts: ViewCounts = {
    regular: 0,
    periods: d.periods.map(() => ({ light: 0, moderate: 0, heavy: 0 })),
  };
  for (const [hash, values] of daily) {
    if (members && !members.has(hash)) continue;
    let activeDays = 0;
    for (const v of values) if (v > 0) activeDays++;
    if (activeDays >= d.regularDays) counts.regular++;
    d.periods.forEach((period, i) => {
      let shown = 0;
      let active = 0;
      for (let day = period.first; day < period.first + period.count; day++) {
        if (values[day] > 0) {
          shown += values[day];
          active++;
        }
      }
      if (active > 0) counts.periods[i][cohortOf(shown / active, d)]++;
    });
  }
  return counts;
}

/**
 * The cohorts of one period to withhold: each count of 1 to k − 1; each that differs from the
 * same count of a nested view by 1 to k − 1; and then, smallest first, more of them until the
 * withheld cells can no longer be worked out from the period's total: never a single one, and
 * never a sum (of this view's, or of its difference from a nested view's) of 1 to k − 1.
 */
export function withheldCohorts(
  own: Cells,
  nested: Cells[],
  k: number,
): Set<AdoptionCohort> {
  const few = (n: number) => n !== 0 && Math.abs(n) < k;
  const withheld = new Set<AdoptionCohort>(
    ADOPTION_COHORTS.filter(
      c => few(own[c]) || nested.some(other => few(other[c] - own[c])),
    ),
  );
  const sum = (cells: (c: AdoptionCohort) => number) =>
    [...withheld].reduce((total, c) => total + cells(c), 0);
  const exposed = () =>
    withheld.size === 1 ||
    few(sum(c => own[c])) ||
    nested.some(other => few(sum(c => other[c] - own[c])));
  while (withheld.size > 0 && withheld.size < ADOPTION_COHORTS.length) {
    if (!exposed()) break;
    const next = ADOPTION_COHORTS.filter(c => !withheld.has(c)).sort(
      (a, b) => own[a] - own[b],
    )[0];
    withheld.add(next);
  }
  return withheld;
}

type Queries = { daily: SeriesQuery; active: InstantQuery };

/**
 * The daily query's results: the recorded days as the activity index's amounts where it holds
 * them all, the rest (or everything) from Prometheus.
 */
async function dailySeries(
  ctx: PanelContext,
  daily: SeriesQuery,
): Promise<{ series: PrometheusSeries[]; amounts?: DailyAmounts }> {
  const amounts =
    daily.recorded && ctx.dailyAmounts
      ? await ctx.dailyAmounts(daily.recorded)
      : undefined;
  const series = await runSeries(
    ctx,
    amounts ? { ...daily, recorded: undefined } : daily,
  );
  return { series, amounts };
}

/**
 * The funnel and the cohorts, counted in memory from the per-day suggestions of every pseudonym;
 * only counts leave, and no count of 1 to k − 1 people (k = `minGroupSize`), shown or derivable.
 */
async function loadAdoption(
  queries: Queries,
  ctx: PanelContext,
): Promise<AdoptionData> {
  const settings = ctx.adoption ?? DEFAULT_ADOPTION_SETTINGS;
  const [{ series, amounts }, active, optedIn, nestedViews] = await Promise.all(
    [
      dailySeries(ctx, queries.daily),
      ctx.run(queries.active),
      ctx.optedInUsers(),
      ctx.nestedViews?.() ?? Promise.resolve([]),
    ],
  );
  const { params, minGroupSize: k } = ctx;
  const { days, dayLength } = windowDays(params.window);
  const d: Definitions = {
    periods: periodsOf(days),
    regularDays: regularDaysOf(days, settings),
    moderateFrom: settings.moderateFrom,
    heavyFrom: settings.heavyFrom,
  };
  const names = setFilters(params.filters);
  const subsets = dailyBySubset(series, amounts, params, names);
  const own = subsets[subsets.length - 1];
  const members = params.team ? new Set(params.team.userHashes) : undefined;

  const view = countView(own, members, d);
  const nested = nestedViews.map(other => countView(own, other, d));
  // The same scope with fewer filters: its regular developers include this view's.
  const wider = subsets
    .slice(0, -1)
    .map(daily => countView(daily, members, d).regular);
  const activeUsers = activeUserCount(ctx, active);
  const few = (n: number) => n !== 0 && Math.abs(n) < k;
  const regularWithheld =
    few(view.regular) ||
    few(activeUsers - view.regular) ||
    nested.some(other => few(other.regular - view.regular)) ||
    wider.some(regular => few(regular - view.regular));

  const { start } = params.window;
  const periods = d.periods.map((period, i): AdoptionPeriod => {
    const cells = view.periods[i];
    const withheld = withheldCohorts(
      cells,
      nested.map(other => other.periods[i]),
      k,
    );
    return {
      start: (start + period.first * dayLength) * 1000,
      end: (start + (period.first + period.count) * dayLength) * 1000,
      days: period.count,
      cohorts: Object.fromEntries(
        ADOPTION_COHORTS.map(c => [c, withheld.has(c) ? null : cells[c]]),
      ) as AdoptionPeriod['cohorts'],
    };
  });

  return {
    funnel: {
      optedIn,
      active: activeUsers,
      regular: regularWithheld ? null : view.regular,
    },
    periods,
    definitions: {
      windowDays: days,
      regularDays: d.regularDays,
      moderateFrom: d.moderateFrom,
      heavyFrom: d.heavyFrom,
      period: days >= WEEKLY_FROM_DAYS ? 'week' : 'day',
      minGroupSize: k,
    },
  };
}

/**
 * Adoption: how many developers go from opting in to using an assistant to using it regularly,
 * and how heavily the active ones use it, per week (windows of 14 days or more) or per day.
 *
 * Definitions (`aiTelemetry.adoption`, src/config/AiTelemetryConfig.ts):
 * - a developer is active on a day when shown at least one suggestion that day (the days are
 *   the window's whole UTC days; a window under three days is split into equal periods of about
 *   a day); the funnel's "active" is the overview's active users, from the same query;
 * - regular: active on at least `regularDays` of the window's days, by default a quarter of
 *   them rounded up (2 of 7, 8 of 30, 23 of 90; 1 for a day);
 * - cohorts, per period, among the developers active in it: suggestions shown per day they were
 *   active in the period; light under `moderateFrom` (50), moderate under `heavyFrom` (200),
 *   heavy from there. A developer is in one cohort per period; weeks are counted back from the
 *   window's end, so the last is whole and the oldest may be shorter.
 *
 * Privacy. The panel reads the suggestions family, so it is answered only where the dashboard's
 * threshold lets the suggestions through (docs/privacy-model.md#the-privacy-threshold). The
 * pseudonyms are counted here and never leave; the answer holds counts of developers, and with
 * k = `minGroupSize` no count of 1 to k − 1 developers can be read from it or worked out:
 * - every cell (a cohort of a period) of 1 to k − 1 is withheld (null);
 * - a period's total (its active developers) can be known: it is what the overview shows for a
 *   custom range of exactly that period, when the threshold lets that range through. So a single
 *   withheld cell is never left alone in its period (it would be the total minus the others),
 *   and the withheld cells of a period must add up to 0 or at least k; otherwise the smallest
 *   cell shown is withheld too, until that holds or the whole period is withheld;
 * - nested views: a team's cell counts a subset of the organisation's same cell, and of the cell
 *   of a group that contains it, since a developer's cohort does not depend on the view. So a
 *   team's cell that differs by 1 to k − 1 from the organisation's, or from that of a group
 *   below it whose own tab shows figures, is withheld, and the sums above are checked for those
 *   differences too. Each such pair is checked on the team's side (a team against the
 *   organisation, a group against those below it), treating the other cell as shown, so at
 *   most one of the two is ever published;
 * - regular developers are withheld when they are 1 to k − 1, when the active developers who are
 *   not regular are, or when they differ by 1 to k − 1 from the regular developers of a nested
 *   view or of the same view with fewer filters (a regular Python developer is a regular
 *   developer). Opted-in and active are the overview's figures, which the threshold's own
 *   differencing covers.
 *
 * Differencing between periods. The periods of one answer are disjoint in time, so the
 * developers of one period's cell are not a subset of another's: subtracting two periods gives
 * a net change (so many more heavy developers this week), never the size of a group of people.
 * Across answers, a day or a week is counted the same way in every window that holds it (days
 * are whole UTC days, and a developer's cohort in a period depends on that period alone), so
 * another window repeats a cell, it does not refine it. The one containment between periods is
 * a period inside a longer one (a day inside a week, the shorter oldest week inside a whole one);
 * their cells classify by different averages and so are not nested, and their totals are the
 * overview's active developers of two windows, which the dashboard already shows for any
 * window; this panel adds no finer view of them.
 * Cohorts under a filter are not nested in those without it (a developer's rate in Python is not
 * their rate overall), so they are not compared across filters: subtracting them gives no
 * group's size.
 */
export const adoptionPanel = definePanel({
  id: 'adoption',
  families: ['suggestions'],
  step: window =>
    windowDays(window).days >= WEEKLY_FROM_DAYS
      ? DAYS_PER_WEEK * DAY
      : windowDays(window).dayLength,
  queries: (params): Queries => ({
    daily: dailyQuery(params),
    active: activeUsersQuery(params),
  }),
  load: loadAdoption,
});
