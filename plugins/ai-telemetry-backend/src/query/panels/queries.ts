import {
  GITHUB_SOURCE_LABEL,
  GITHUB_SOURCE_VALUE,
  PanelFilters,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  BREAKDOWN_LABELS,
  CounterFamily,
  dailyRule,
  FAMILY_FILTERS,
  FAMILY_METRICS,
  hasRecordingRule,
  MetricFamily,
  ORGANISATION_DAILY_RULES,
  PanelParams,
  perUserDailyRule,
  QuerySource,
  RECORDING_RULES,
} from '../families';
import {
  LabelMatcher,
  seconds,
  selector,
  TEAM_PLACEHOLDER,
  userHashMatcher,
} from '../promql';
import { IndexedDailyRead, IndexedRead } from '../ActivityIndex';
import {
  DAY,
  HOUR,
  MAX_POINTS_PER_QUERY,
  MOVING_AVERAGE_SECONDS,
  pointCount,
} from '../window';

/** What every query carries: what it reads, and its PromQL as sent and as shown. */
type QueryBase = {
  family: CounterFamily;
  source: QuerySource;
  /** The PromQL to send. */
  query: string;
  /** The PromQL as answers show it: a team's pseudonyms replaced by `$team`. */
  display: string;
};

/** A range query: evaluated from `start` to `end` (unix seconds) every `step` seconds. */
export type RangeQuery = QueryBase & {
  type: 'range';
  start: number;
  end: number;
  step: number;
  /** The same as a day-by-day read the activity index may answer ({@link perUserDailySeries}). */
  indexedDaily?: IndexedDailyRead;
};

/**
 * A per-developer read over whole recorded days that the activity index may answer, with
 * `rest`: the PromQL of the rest of the window for every read of the family alike, grouped by
 * every label such a read keeps or matches on ({@link readLabels}) and without filters, so that
 * one answer (one walk of the family's counters) serves them all, each narrowed to its matchers
 * and grouped by its labels in memory.
 */
export type IndexedInstant = IndexedRead & { rest?: string };

/** Every label a per-developer read of the family keeps apart or matches on. */
function readLabels(family: CounterFamily): string[] {
  return [
    ...new Set([
      'user_hash',
      ...FAMILY_FILTERS[family],
      ...BREAKDOWN_LABELS[family],
      ...(family === 'suggestions' ? ['accepted'] : []),
    ]),
  ];
}

/**
 * An instant query, evaluated at `time` (unix seconds); `indexed`: the same as a read the
 * activity index may answer (plus `rest` from Prometheus), for a query that is
 * `perUserIncrease(...) > 0` over the organisation.
 */
export type InstantQuery = QueryBase & {
  type: 'instant';
  time: number;
  indexed?: IndexedInstant;
};

/** One PromQL query, ready to send. */
export type QuerySpec = RangeQuery | InstantQuery;

/**
 * A series of per-step values over the window: the complete steps from a range query (absent
 * when none has ended yet), and the step that holds `asOf` from an instant query over the part
 * of it that has passed (absent when the window lies in the past). {@link runSeries} joins them.
 */
export type SeriesQuery = {
  kind: 'series';
  step: number;
  /**
   * The first complete steps, where a query reads them from the per-developer daily rules
   * (absent elsewhere); `complete` then holds the steps after them.
   */
  recorded?: RangeQuery;
  complete?: RangeQuery;
  partial?: InstantQuery;
  /** Start of the step the partial query reads. */
  partialStart: number;
};

/** The two renderings of every query: as sent, and as shown. */
export type Rendering = { team?: LabelMatcher };

function renderings(params: PanelParams): {
  sent: Rendering;
  shown: Rendering;
} {
  if (!params.team) return { sent: {}, shown: {} };
  return {
    sent: { team: userHashMatcher(params.team.userHashes) },
    shown: {
      team: { label: 'user_hash', op: '=~', value: TEAM_PLACEHOLDER },
    },
  };
}

function filterMatchers(
  family: CounterFamily,
  filters: PanelFilters,
): LabelMatcher[] {
  return FAMILY_FILTERS[family]
    .filter(name => filters[name] !== undefined)
    .map(name => ({ label: name, op: '=', value: filters[name]! }));
}

/**
 * The family's increase over the `windowSeconds` before each evaluation time, per series:
 * `increase(counter[w])` on the raw counters, or the sum of the recording rule's hourly
 * increases in that window (`sum_over_time(rule[w-1s:1h])`: the subquery's points fall on whole
 * hours, and one second less than w keeps the hour at the window's start out, so that adjacent
 * windows never count an hour twice, on Prometheus and VictoriaMetrics alike; for one hour, the
 * rule's value at the hour's end, which is the same) `or` the raw
 * increase of the series the GitHub import wrote (`source="github"`), whose back-dated samples no
 * rule evaluation ever saw (docs/architecture.md#the-github-copilot-import); the two never share
 * a label set (the raw ones keep `user_hash`), and the panels' `sum by` adds them.
 */
export function increaseOver(
  family: CounterFamily,
  params: PanelParams,
  rendering: Rendering,
  source: QuerySource,
  windowSeconds: number,
  offsetSeconds = 0,
): string {
  const offset = offsetSeconds > 0 ? ` offset ${seconds(offsetSeconds)}` : '';
  const matchers = filterMatchers(family, params.filters);
  if (source === 'recording-rule' && hasRecordingRule(family)) {
    const rule = selector(RECORDING_RULES[family], matchers);
    // Imported GitHub days are back-dated samples the rules never saw: read them raw beside.
    const imported = selector(FAMILY_METRICS[family], [
      ...matchers,
      { label: GITHUB_SOURCE_LABEL, op: '=', value: GITHUB_SOURCE_VALUE },
    ]);
    // An hour's increase is the rule's own value at the hour's end: no subquery needed (which
    // costs Prometheus several times more over a long window of hourly steps).
    const summed =
      windowSeconds === HOUR
        ? `${rule}${offset}`
        : `sum_over_time(${rule}[${seconds(windowSeconds - 1)}:1h]${offset})`;
    return `(${summed} or increase(${imported}[${seconds(
      windowSeconds,
    )}]${offset}))`;
  }
  const all = rendering.team ? [...matchers, rendering.team] : matchers;
  return `increase(${selector(FAMILY_METRICS[family], all)}[${seconds(
    windowSeconds,
  )}]${offset})`;
}

/**
 * A seed family's increase from `from` to `to` (whole hours, unix seconds) from the hourly rule,
 * evaluated at `to` with `@` (for one hour, the rule's own value then).
 */
function hourlyIncrease(
  family: MetricFamily,
  matchers: LabelMatcher[],
  from: number,
  to: number,
): string {
  const rule = selector(RECORDING_RULES[family], matchers);
  return to - from === HOUR
    ? `${rule} @ ${to}`
    : `sum_over_time(${rule}[${seconds(to - from - 1)}:1h] @ ${to})`;
}

/**
 * A seed family's increase over the `windowSeconds` up to `asOf`, summed `by` labels of its
 * organisation rules, for an instant total of the organisation: the whole days the daily rules
 * hold from the organisation's daily rule, the whole hours before and after them from the hourly
 * rule, what the GitHub import wrote back-dated up to the last whole hour from the counters
 * (no rule holds it), and the running hour from the counters; so that a total up to now reads 90
 * samples a series for 90 days, not 2,160 hourly values or every developer's counters. A
 * team's, a family without a daily organisation rule, or a window the hourly rules do not cover
 * ({@link usableSource}), as {@link increaseOver}.
 */
export function windowIncrease(
  family: MetricFamily,
  params: PanelParams,
  rendering: Rendering,
  source: QuerySource,
  by: readonly string[],
  windowSeconds: number,
): string {
  const grouped = (expr: string) => `sum by (${by.join(', ')}) (${expr})`;
  const daily = ORGANISATION_DAILY_RULES[family];
  const time = Math.floor(params.window.asOf);
  if (source !== 'recording-rule' || rendering.team || !daily) {
    // The hourly rule alone must end on a whole hour.
    const usable = time % HOUR === 0 ? source : 'raw';
    return grouped(
      increaseOver(family, params, rendering, usable, windowSeconds),
    );
  }
  const matchers = filterMatchers(family, params.filters);
  const start = time - windowSeconds;
  const lastHour = Math.max(start, Math.floor(time / HOUR) * HOUR);
  const span = recordedSpan(params, start, time);
  const parts: string[] = [];
  if (span) {
    parts.push(
      part(
        'recorded',
        `sum_over_time(${selector(daily.rule, matchers)}[${
          (span.until - span.from) * 1000 - 1
        }ms] @ ${(span.until + DAY - 0.001).toFixed(3)})`,
      ),
    );
    if (start < span.from && !quietBefore(params, start)) {
      parts.push(
        part('before', hourlyIncrease(family, matchers, start, span.from)),
      );
    }
  }
  const hoursFrom = span?.until ?? start;
  if (lastHour > hoursFrom) {
    parts.push(
      part('hours', hourlyIncrease(family, matchers, hoursFrom, lastHour)),
    );
  }
  if (lastHour > start) {
    parts.push(
      part(
        'imported',
        `increase(${selector(FAMILY_METRICS[family], [
          ...matchers,
          { label: GITHUB_SOURCE_LABEL, op: '=', value: GITHUB_SOURCE_VALUE },
        ])}[${seconds(lastHour - start)}] @ ${lastHour})`,
      ),
    );
  }
  if (time > lastHour) {
    parts.push(
      part(
        'running',
        `increase(${selector(FAMILY_METRICS[family], matchers)}[${seconds(
          time - lastHour,
        )}])`,
      ),
    );
  }
  return grouped(parts.join(' or '));
}

/** Tags one part of a sum, so that `or` keeps every part's series (outer `sum by` drops it). */
function part(name: string, expr: string): string {
  return `label_replace(${expr}, "ai_telemetry_part", "${name}", "", "")`;
}

/**
 * Whether no counter has a sample from `start` up to the first recorded day
 * ({@link RecordedDays.quietFrom}): the days before the recorded ones are then not read at all.
 */
function quietBefore(params: PanelParams, start: number): boolean {
  return (params.recordedDays?.quietFrom ?? Infinity) <= start;
}

/** The whole days of (start, end] that the daily rules hold, if there are any. */
export function recordedSpan(
  params: PanelParams,
  start: number,
  end: number,
): { from: number; until: number } | undefined {
  const recorded = params.recordedDays;
  if (!recorded) return undefined;
  // A span may begin after `start` (days before the rules began): readers add those days
  // from the counters, or read everything from them when they need it to begin at `start`.
  const from = Math.max(Math.ceil(start / DAY) * DAY, recorded.from);
  const until = Math.min(recorded.until, Math.floor(end / DAY) * DAY);
  if (until - from < DAY) return undefined;
  return { from, until };
}

/**
 * `sum by (by) (increase(counter[w]))` over (time − w, time] (time: the window's `asOf`), per
 * series of `by` (user_hash among them, or a total), under the request's filters and `only`
 * these matchers besides. Where the daily rules hold whole days of it
 * ({@link PanelParams.recordedDays}), those days are summed from the rule ({@link dailyRule}:
 * the organisation's where it keeps every label needed, as for a usage total, else the
 * per-developer one; `sum_over_time(rule[…] @ …)`: a day's sample lies in [its midnight, the next)),
 * beside the raw increase of what the GitHub import wrote back-dated over the same days, and only
 * the part before the first recorded day and after the last is read from the counters (each part
 * evaluated at its own end with `@`): a few days of per-user samples instead of the whole window.
 * Days are whole UTC days on both sides, so the parts add up to the window's increase.
 */
export function perUserIncrease(
  family: CounterFamily,
  params: PanelParams,
  rendering: Rendering,
  by: readonly string[],
  windowSeconds: number,
  only: readonly LabelMatcher[] = [],
): string {
  const parts = perUserParts(
    family,
    params,
    rendering,
    by,
    windowSeconds,
    only,
  );
  return parts.recorded
    ? parts.grouped([parts.recorded.expr, ...parts.rest].join(' or '))
    : parts.grouped(parts.rest[0]);
}

/**
 * The parts {@link perUserIncrease} adds up: the recorded days' (from a daily rule, with what
 * it reads) and the rest (the GitHub import's, and the counters' before and after them, or the
 * counters' over the whole window when no day is recorded).
 */
function perUserParts(
  family: CounterFamily,
  params: PanelParams,
  rendering: Rendering,
  by: readonly string[],
  windowSeconds: number,
  only: readonly LabelMatcher[],
): {
  grouped: (expr: string) => string;
  recorded?: {
    expr: string;
    rule: string;
    matchers: LabelMatcher[];
    from: number;
    until: number;
  };
  rest: string[];
} {
  const time = Math.floor(params.window.asOf);
  const start = time - windowSeconds;
  const grouped = (expr: string) =>
    by.length > 0 ? `sum by (${by.join(', ')}) (${expr})` : `sum (${expr})`;
  const matchers = [
    ...filterMatchers(family, params.filters),
    ...only,
    ...(rendering.team ? [rendering.team] : []),
  ];
  const span = recordedSpan(params, start, time);
  if (!span) {
    return {
      grouped,
      rest: [
        `increase(${selector(FAMILY_METRICS[family], matchers)}[${seconds(
          windowSeconds,
        )}])`,
      ],
    };
  }
  const counter = (extra: LabelMatcher[] = []) =>
    selector(FAMILY_METRICS[family], [...matchers, ...extra]);
  const recordedMs = (span.until - span.from) * 1000 - 1;
  const rule = dailyRule(family, [...by, ...matchers.map(m => m.label)]);
  const rest: string[] = [];
  if (hasRecordingRule(family)) {
    rest.push(
      part(
        'imported',
        `increase(${counter([
          { label: GITHUB_SOURCE_LABEL, op: '=', value: GITHUB_SOURCE_VALUE },
        ])}[${seconds(span.until - span.from)}] @ ${span.until})`,
      ),
    );
  }
  if (start < span.from && !quietBefore(params, start)) {
    rest.push(
      part(
        'before',
        `increase(${counter()}[${seconds(span.from - start)}] @ ${span.from})`,
      ),
    );
  }
  if (span.until < time) {
    rest.push(
      part('after', `increase(${counter()}[${seconds(time - span.until)}])`),
    );
  }
  return {
    grouped,
    recorded: {
      expr: part(
        'recorded',
        `sum_over_time(${selector(rule, matchers)}[${recordedMs}ms] @ ${(
          span.until +
          DAY -
          0.001
        ).toFixed(3)})`,
      ),
      rule,
      matchers,
      from: span.from,
      until: span.until,
    },
    rest,
  };
}

/**
 * For `perUserIncrease(...) > 0` over the whole organisation (no team): the read of its
 * recorded days that the backend's activity index may answer ({@link IndexedRead}), and the
 * PromQL of the rest, `> 0` too (none when the recorded days are the whole window). None when
 * no day of the window is recorded.
 */
export function indexedPerUser(
  family: CounterFamily,
  params: PanelParams,
  by: readonly string[],
  windowSeconds: number,
  needs: IndexedRead['needs'],
  only: readonly LabelMatcher[] = [],
): IndexedInstant | undefined {
  if (params.team) return undefined;
  const { recorded } = perUserParts(
    family,
    params,
    {},
    by,
    windowSeconds,
    only,
  );
  if (!recorded) return undefined;
  const labels = readLabels(family);
  // The family's rest is narrowed and grouped in memory: only by its labels, with '=' matchers.
  const narrowable =
    by.every(label => labels.includes(label)) &&
    recorded.matchers.every(m => m.op === '=' && labels.includes(m.label));
  if (!narrowable) return undefined;
  const ofFamily = perUserParts(
    family,
    { ...params, filters: {} },
    {},
    labels,
    windowSeconds,
    [],
  );
  return {
    rule: recorded.rule,
    matchers: recorded.matchers,
    by,
    from: recorded.from,
    until: recorded.until,
    needs,
    ...(ofFamily.rest.length > 0 && {
      rest: ofFamily.grouped(ofFamily.rest.join(' or ')),
    }),
  };
}

/** A day's sample lies in [its midnight, the next): read forward from the midnight. */
const DAY_AHEAD_MS = DAY * 1000 - 1;

/**
 * The family's per-developer daily rule, per day: evaluated at a midnight, the day that ended
 * there (a day's sample lies in [its midnight, the next), read forward with a negative offset),
 * under the request's filters and a team's matcher; the rule without the filter labels where
 * `labels` need none of them. Not aggregated: one series per pseudonym and label set of the
 * rule, for a loader that adds them up per pseudonym itself (adoption: in a range query over
 * 10,000 developers, `sum by (user_hash)` costs Prometheus more than the selection). For range
 * queries with a daily step over the days {@link recordedSpan} finds.
 */
export function perUserDailySeries(
  family: CounterFamily,
  params: PanelParams,
  rendering: Rendering,
  labels: readonly string[],
): string {
  const matchers = [
    ...filterMatchers(family, params.filters),
    ...(rendering.team ? [rendering.team] : []),
  ];
  return `last_over_time(${selector(
    perUserDailyRule(family, [...labels, ...matchers.map(m => m.label)]),
    matchers,
  )}[${DAY_AHEAD_MS}ms] offset -${DAY_AHEAD_MS}ms)`;
}

/**
 * {@link perUserDailySeries} over the organisation for the days from `from` to `until`
 * (midnights), as a read the activity index may answer; none for a team.
 */
export function indexedPerUserDaily(
  family: CounterFamily,
  params: PanelParams,
  labels: readonly string[],
  from: number,
  until: number,
): IndexedDailyRead | undefined {
  if (params.team) return undefined;
  const matchers = filterMatchers(family, params.filters);
  return {
    rule: perUserDailyRule(family, [...labels, ...matchers.map(m => m.label)]),
    matchers,
    from,
    until,
  };
}

/**
 * The family's increase per day, summed `by` these labels, for a range query with a daily step
 * over the days {@link recordedSpan} finds, under the request's filters and a team's matcher:
 * from the organisation's daily rule where the family has one that keeps every label the query
 * needs (some hundred series instead of one per developer), else from the per-developer one
 * ({@link dailyRule}). Both are evaluated together and marked by the same marker, so they hold
 * the same days. For a family with hourly rules, what the GitHub import wrote back-dated (which no
 * rule holds) is added from the counters, day by day.
 */
export function dailyTotal(
  family: CounterFamily,
  params: PanelParams,
  rendering: Rendering,
  by: readonly string[],
): string {
  const matchers = [
    ...filterMatchers(family, params.filters),
    ...(rendering.team ? [rendering.team] : []),
  ];
  const recorded = `last_over_time(${selector(
    dailyRule(family, [...by, ...matchers.map(m => m.label)]),
    matchers,
  )}[${DAY_AHEAD_MS}ms] offset -${DAY_AHEAD_MS}ms)`;
  if (!hasRecordingRule(family))
    return `sum by (${by.join(', ')}) (${recorded})`;
  // The daily rules leave out what the GitHub import wrote back-dated: read it raw, day by day.
  const imported = `increase(${selector(FAMILY_METRICS[family], [
    ...matchers,
    { label: GITHUB_SOURCE_LABEL, op: '=', value: GITHUB_SOURCE_VALUE },
  ])}[${seconds(DAY)}])`;
  return `sum by (${by.join(', ')}) (${recorded} or ${imported})`;
}

/**
 * The source a query can really use: recording rules only for the organisation, only for a
 * family that has one, and only when every window it reads starts and ends on a whole hour.
 */
function usableSource(
  family: CounterFamily,
  requested: QuerySource,
  params: PanelParams,
  alignedTimes: number[],
): QuerySource {
  if (requested !== 'recording-rule' || params.team) return 'raw';
  if (!hasRecordingRule(family)) return 'raw';
  return alignedTimes.every(t => t % HOUR === 0) ? 'recording-rule' : 'raw';
}

/** Builds a query's PromQL from a rendering and the source it reads. */
export type Build = (rendering: Rendering, source: QuerySource) => string;

/** What a query reads and how its PromQL is built. */
type Reading = {
  family: CounterFamily;
  /** The source asked for; raw when omitted (and wherever a rule cannot stand in). */
  source?: QuerySource;
  /** Times (window edges, steps) that must fall on whole hours for a rule to stand in. */
  alignedTimes?: number[];
  build: Build;
};

function rendered(params: PanelParams, reading: Reading): QueryBase {
  const source = usableSource(
    reading.family,
    reading.source ?? 'raw',
    params,
    reading.alignedTimes ?? [],
  );
  const { sent, shown } = renderings(params);
  return {
    family: reading.family,
    source,
    query: reading.build(sent, source),
    display: reading.build(shown, source),
  };
}

/**
 * A range query from `start` to `end` every `step` seconds; a RangeError when it would return
 * more points than one query may.
 */
export function rangeQuery(
  params: PanelParams,
  times: { start: number; end: number; step: number },
  reading: Reading,
): RangeQuery {
  const points = pointCount(times.start, times.end, times.step);
  if (points > MAX_POINTS_PER_QUERY) {
    throw new RangeError(
      `a ${reading.family} query would return ${points} points, more than ${MAX_POINTS_PER_QUERY}`,
    );
  }
  return { type: 'range', ...times, ...rendered(params, reading) };
}

/** An instant query at `time`. */
export function instantQuery(
  params: PanelParams,
  time: number,
  reading: Reading,
): InstantQuery {
  return { type: 'instant', time, ...rendered(params, reading) };
}

/**
 * A family's values per step from `from` (the start of the first step) to the end of the window:
 * `build(rendering, source, seconds)` gives the PromQL of one step's `seconds`-long increase.
 * The steps that have ended come from one range query (from the recording rules where `source`
 * allows); the step running at `asOf` from an instant query over its elapsed part, always from
 * the raw counters (the rules only hold whole hours), so that what happened a minute ago is on
 * the dashboard. With `daily` and a daily step, the first whole days that the per-developer
 * daily rules hold come from them (`daily(rendering)`, one point a day), the rest as above.
 */
export function seriesQuery(
  params: PanelParams,
  from: number,
  step: number,
  reading: Omit<Reading, 'build' | 'alignedTimes'> & {
    build: (
      rendering: Rendering,
      source: QuerySource,
      seconds: number,
    ) => string;
    daily?: (rendering: Rendering) => string;
  },
): SeriesQuery {
  const { end, asOf } = params.window;
  const partialStart = Math.min(Math.floor(asOf / step) * step, end);
  const span =
    reading.daily && step === DAY
      ? recordedSpan(params, from, partialStart)
      : undefined;
  const recordedUntil = span?.from === from ? span.until : from;
  const daily = reading.daily;
  const recorded =
    daily && recordedUntil > from
      ? rangeQuery(
          params,
          { start: from + DAY, end: recordedUntil, step: DAY },
          { family: reading.family, build: r => daily(r) },
        )
      : undefined;
  const firstEvaluation = recordedUntil + step;
  const complete =
    partialStart >= firstEvaluation
      ? rangeQuery(
          params,
          { start: firstEvaluation, end: partialStart, step },
          {
            family: reading.family,
            source: reading.source,
            alignedTimes: [from, step],
            build: (r, s) => reading.build(r, s, step),
          },
        )
      : undefined;
  const elapsed = Math.floor(asOf) - partialStart;
  const partial =
    elapsed > 0 && partialStart < end
      ? instantQuery(params, Math.floor(asOf), {
          family: reading.family,
          build: r => reading.build(r, 'raw', elapsed),
        })
      : undefined;
  return { kind: 'series', step, recorded, complete, partial, partialStart };
}

/**
 * Suggestions shown per step, by language, assistant and outcome, from a week before the window
 * (for the moving average) to `asOf`. The overview's totals and the acceptance panel's every
 * series are sums of these points, so both panels share this one query.
 */
export function suggestionsQuery(
  params: PanelParams,
  source: QuerySource,
): SeriesQuery {
  const { start, step } = params.window;
  return seriesQuery(params, start - MOVING_AVERAGE_SECONDS, step, {
    family: 'suggestions',
    source,
    build: (r, s, length) =>
      `sum by (language, assistant, accepted) (${increaseOver(
        'suggestions',
        params,
        r,
        s,
        length,
      )})`,
  });
}

/**
 * {@link windowIncrease} over the whole window up to `asOf`, summed `by`, as an instant query:
 * only the window's start must fall on a whole hour for the rules to stand in (the running hour
 * is read from the counters).
 */
export function windowIncreaseQuery(
  params: PanelParams,
  family: MetricFamily,
  source: QuerySource,
  by: readonly string[],
): InstantQuery {
  const { start, asOf } = params.window;
  const time = Math.floor(asOf);
  return instantQuery(params, time, {
    family,
    source,
    alignedTimes: [start],
    build: (r, s) => windowIncrease(family, params, r, s, by, time - start),
  });
}

/** A family's increase over the whole window, up to `asOf`, as an instant query. */
export function windowTotalQuery(
  params: PanelParams,
  reading: Omit<Reading, 'build' | 'alignedTimes'> & {
    build: (
      rendering: Rendering,
      source: QuerySource,
      seconds: number,
    ) => string;
  },
): InstantQuery {
  const { start, asOf } = params.window;
  const time = Math.floor(asOf);
  return instantQuery(params, time, {
    family: reading.family,
    source: reading.source,
    alignedTimes: [start, time],
    build: (r, s) => reading.build(r, s, time - start),
  });
}

/**
 * The pseudonyms with suggestions in the window (for the organisation, so that the backend can
 * count them and the teams they belong to; the answer carries only counts), or just their
 * number (for a team). From the per-developer daily rules and the counters
 * ({@link perUserIncrease}): distinct users cannot be summed from the organisation's hourly counts.
 */
export function activeUsersQuery(params: PanelParams): InstantQuery {
  const { start, asOf } = params.window;
  const query = windowTotalQuery(params, {
    family: 'suggestions',
    build: (r, _s, length) => {
      const perUser = `${perUserIncrease(
        'suggestions',
        params,
        r,
        ['user_hash'],
        length,
      )} > 0`;
      return params.team ? `count(${perUser})` : perUser;
    },
  });
  const indexed = indexedPerUser(
    'suggestions',
    params,
    ['user_hash'],
    Math.floor(asOf) - start,
    'presence',
  );
  return indexed ? { ...query, indexed } : query;
}

/**
 * Who has data of one family in the window, for the privacy threshold of views and of the rows
 * of their breakdowns: one series per pseudonym and value of each filter label and breakdown
 * label of the family (`sum by (user_hash, language, assistant) (...) > 0`), over the whole
 * organisation and without the request's filters, so that one answer tells who has data under
 * any filters, in any team and in any row, and serves every such view. The backend only counts
 * these pseudonyms; no answer carries them. From the per-developer daily rules and the counters
 * ({@link perUserIncrease}).
 */
export function participantsQuery(
  params: PanelParams,
  family: CounterFamily,
): InstantQuery {
  const by = [
    ...new Set([
      'user_hash',
      ...FAMILY_FILTERS[family],
      ...BREAKDOWN_LABELS[family],
    ]),
  ];
  const everything: PanelParams = {
    window: params.window,
    filters: {},
    recordedDays: params.recordedDays,
  };
  const query = windowTotalQuery(everything, {
    family,
    build: (r, _s, length) =>
      `${perUserIncrease(family, everything, r, by, length)} > 0`,
  });
  const { start, asOf } = params.window;
  const indexed = indexedPerUser(
    family,
    everything,
    by,
    Math.floor(asOf) - start,
    'presence',
  );
  return indexed ? { ...query, indexed } : query;
}
