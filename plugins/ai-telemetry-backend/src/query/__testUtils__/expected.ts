import { RawSeries } from './demoData';

/**
 * The panels' figures computed independently, straight from the generated samples: a counter's
 * increase over (from, to] is its value at `to` minus its value at `from` (0 before the series
 * began, since every generated series starts at 0), summed in plain TypeScript. No PromQL, no
 * code of the query module.
 */

const HOUR = 3600;
const DAY = 86400;

export type Scope = {
  language?: string;
  assistant?: string;
  /** A team: only these pseudonyms. */
  userHashes?: Set<string>;
  /**
   * By breakdown label, the values an answer pools as one row, `other` (values too few
   * developers share): the expected figures add them up the same way.
   */
  pooled?: Partial<Record<string, ReadonlySet<string>>>;
};

/** The row of a breakdown a value is counted in: itself, or `other` where it is pooled. */
export function rowOf(scope: Scope, label: string, value: string): string {
  return scope.pooled?.[label]?.has(value) ? 'other' : value;
}

/** The metrics whose figures are broken down by each label, as rows or series. */
export const BREAKDOWNS: Record<string, string[]> = {
  language: ['ai_copilot_suggestions_total', 'ai_copilot_lines_generated'],
  assistant: [
    'ai_copilot_suggestions_total',
    'ai_copilot_lines_generated',
    'ai_copilot_tokens_total',
    'ai_copilot_cost_usd_total',
  ],
  activity: ['ai_copilot_time_saved_seconds'],
  feature: ['ai_copilot_feature_usage'],
  model: ['ai_copilot_tokens_total', 'ai_copilot_cost_usd_total'],
};

export type ExpectedSeries = Map<string, Array<{ t: number; v: number }>>;

export class RawHistory {
  constructor(private readonly series: RawSeries[]) {}

  private static valueAt(s: RawSeries, t: number): number {
    if (t < s.firstTime) return 0;
    const v = s.samples.get(t);
    if (v === undefined) {
      throw new Error(
        `no sample at ${t} for ${s.name} ${JSON.stringify(s.labels)}`,
      );
    }
    return v;
  }

  static increase(s: RawSeries, from: number, to: number): number {
    return RawHistory.valueAt(s, to) - RawHistory.valueAt(s, from);
  }

  select(metric: string, scope: Scope): RawSeries[] {
    return this.series.filter(
      s =>
        s.name === metric &&
        (scope.language === undefined ||
          s.labels.language === scope.language) &&
        (scope.assistant === undefined ||
          s.labels.assistant === scope.assistant) &&
        (scope.userHashes === undefined ||
          scope.userHashes.has(s.labels.user_hash)),
    );
  }

  /** Σ increase over (from, to] per group. */
  sumBy(
    series: RawSeries[],
    groupOf: (labels: Record<string, string>) => string,
    from: number,
    to: number,
  ): Map<string, number> {
    const sums = new Map<string, number>();
    for (const s of series) {
      const g = groupOf(s.labels);
      sums.set(g, (sums.get(g) ?? 0) + RawHistory.increase(s, from, to));
    }
    return sums;
  }

  sum(series: RawSeries[], from: number, to: number): number {
    return series.reduce((acc, s) => acc + RawHistory.increase(s, from, to), 0);
  }

  /** Pseudonyms whose series increased in (from, to]. */
  activeUsers(series: RawSeries[], from: number, to: number): Set<string> {
    const perUser = this.sumBy(series, l => l.user_hash, from, to);
    return new Set([...perUser].filter(([, v]) => v > 0).map(([u]) => u));
  }

  /** Per bucket [b, b + step) and group: Σ increase over (b, b + step]. */
  buckets(
    series: RawSeries[],
    groupOf: (labels: Record<string, string>) => string,
    start: number,
    end: number,
    step: number,
  ): ExpectedSeries {
    const out: ExpectedSeries = new Map();
    for (let b = start; b < end; b += step) {
      for (const [g, v] of this.sumBy(series, groupOf, b, b + step)) {
        if (!out.has(g)) out.set(g, []);
        out.get(g)!.push({ t: b * 1000, v });
      }
    }
    return out;
  }
}

export type Window = { start: number; end: number; step: number };

export function expectedOverview(h: RawHistory, w: Window, scope: Scope) {
  const sugg = h.select('ai_copilot_suggestions_total', scope);
  const row = (l: Record<string, string>) =>
    rowOf(scope, 'language', l.language);
  const shown = h.sumBy(sugg, row, w.start, w.end);
  const accepted = h.sumBy(
    sugg.filter(s => s.labels.accepted === 'true'),
    row,
    w.start,
    w.end,
  );
  const total = [...shown.values()].reduce((a, b) => a + b, 0);
  const acc = [...accepted.values()].reduce((a, b) => a + b, 0);
  return {
    totalSuggestions: total,
    acceptedSuggestions: acc,
    acceptanceRate: total > 0 ? acc / total : null,
    active: h.activeUsers(sugg, w.start, w.end),
    topLanguages: [...shown]
      .filter(([, v]) => v > 0)
      // Ties by name, as the panel orders them.
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([language, suggestions]) => ({
        language,
        suggestions,
        accepted: accepted.get(language) ?? 0,
      })),
  };
}

export function expectedAcceptance(h: RawHistory, w: Window, scope: Scope) {
  const sugg = h.select('ai_copilot_suggestions_total', scope);
  const acc = sugg.filter(s => s.labels.accepted === 'true');
  const ratios = (group: (l: Record<string, string>) => string) => {
    const out = new Map<string, Array<{ t: number; v: number }>>();
    for (let b = w.start; b < w.end; b += w.step) {
      const shown = h.sumBy(sugg, group, b, b + w.step);
      const ok = h.sumBy(acc, group, b, b + w.step);
      for (const [g, s] of shown) {
        if (s <= 0) continue;
        if (!out.has(g)) out.set(g, []);
        out.get(g)!.push({ t: b * 1000, v: (ok.get(g) ?? 0) / s });
      }
    }
    return out;
  };
  const movingAverage7d: Array<{ t: number; v: number }> = [];
  for (let b = w.start; b < w.end; b += w.step) {
    const shown = h.sum(sugg, b + w.step - 7 * DAY, b + w.step);
    if (shown > 0) {
      movingAverage7d.push({
        t: b * 1000,
        v: h.sum(acc, b + w.step - 7 * DAY, b + w.step) / shown,
      });
    }
  }
  return {
    overall: ratios(() => 'all').get('all') ?? [],
    movingAverage7d,
    byLanguage: ratios(l => rowOf(scope, 'language', l.language)),
    byAssistant: ratios(l => rowOf(scope, 'assistant', l.assistant)),
  };
}

export function expectedLines(
  h: RawHistory,
  w: Window,
  barStep: number,
  scope: Scope,
) {
  const lines = h.select('ai_copilot_lines_generated', scope);
  const byLanguage = h.buckets(
    lines,
    l => rowOf(scope, 'language', l.language),
    w.start,
    w.end,
    barStep,
  );
  const total =
    h.buckets(lines, () => 'all', w.start, w.end, barStep).get('all') ?? [];
  let running = 0;
  return {
    totalLines: h.sum(lines, w.start, w.end),
    byLanguage,
    total,
    cumulative: total.map(p => {
      running += p.v;
      return { t: p.t, v: running };
    }),
  };
}

export function expectedTimeSaved(
  h: RawHistory,
  w: Window,
  scope: Scope,
  estimates: { hourlyCost: number; seatCostPerMonth: number },
) {
  const noLanguage = { ...scope, language: undefined };
  const time = h.select('ai_copilot_time_saved_seconds', noLanguage);
  const byActivity = h.sumBy(
    time,
    l => rowOf(scope, 'activity', l.activity),
    w.start,
    w.end,
  );
  const totalHours = [...byActivity.values()].reduce((a, b) => a + b, 0) / HOUR;
  const activeUsers = h.activeUsers(
    h.select('ai_copilot_suggestions_total', noLanguage),
    w.start,
    w.end,
  ).size;
  const days = (w.end - w.start) / DAY;
  const value = totalHours * estimates.hourlyCost;
  const seatCost =
    (estimates.seatCostPerMonth * activeUsers * days) / (365.25 / 12);
  return {
    totalHours,
    activeUsers,
    hoursPerActiveUser: activeUsers > 0 ? totalHours / activeUsers : null,
    byActivity: new Map([...byActivity].map(([a, s]) => [a, s / HOUR])),
    roi: { valueOfTimeSaved: value, seatCost, net: value - seatCost },
    usageCostUsd: h.sum(
      h.select('ai_copilot_cost_usd_total', noLanguage),
      w.start,
      w.end,
    ),
  };
}

/** The usage panel's figures (the usage families carry no language). */
export function expectedUsage(h: RawHistory, w: Window, scope: Scope) {
  const noLanguage = { ...scope, language: undefined };
  const total = (metric: string, only?: Record<string, string>) =>
    h.sum(
      h
        .select(metric, noLanguage)
        .filter(s =>
          Object.entries(only ?? {}).every(([k, v]) => s.labels[k] === v),
        ),
      w.start,
      w.end,
    );
  const reporting = new Set<string>();
  for (const metric of [
    'ai_copilot_tokens_total',
    'ai_copilot_cost_usd_total',
    'ai_copilot_sessions_total',
    'ai_copilot_active_seconds_total',
    'ai_copilot_commits_total',
    'ai_copilot_pull_requests_total',
  ]) {
    for (const u of h.activeUsers(
      h.select(metric, noLanguage),
      w.start,
      w.end,
    )) {
      reporting.add(u);
    }
  }
  // Per assistant: tokens, cost (only where some was counted) and accepted lines of any language.
  const assistants = new Set(
    ['ai_copilot_tokens_total', 'ai_copilot_cost_usd_total'].flatMap(metric =>
      h
        .select(metric, noLanguage)
        .filter(s => h.sum([s], w.start, w.end) > 0)
        .map(s => rowOf(scope, 'assistant', s.labels.assistant)),
    ),
  );
  const ofRow =
    (assistant: string) => (s: { labels: Record<string, string> }) =>
      rowOf(scope, 'assistant', s.labels.assistant) === assistant;
  const byAssistant = new Map(
    [...assistants].map(assistant => {
      const costSeries = h
        .select('ai_copilot_cost_usd_total', noLanguage)
        .filter(ofRow(assistant));
      const totalOf = (metric: string) =>
        h.sum(
          h.select(metric, noLanguage).filter(ofRow(assistant)),
          w.start,
          w.end,
        );
      return [
        assistant,
        {
          totalTokens: totalOf('ai_copilot_tokens_total'),
          costUsd:
            costSeries.length > 0 ? h.sum(costSeries, w.start, w.end) : null,
          acceptedLines: totalOf('ai_copilot_lines_generated'),
        },
      ] as const;
    }),
  );
  const priced = [...byAssistant].filter(
    ([, a]) => a.costUsd !== null && a.acceptedLines > 0,
  );
  const pricedLines = priced.reduce((sum, [, a]) => sum + a.acceptedLines, 0);
  return {
    reportingDevelopers: reporting.size,
    byAssistant,
    costPerAcceptedLine:
      pricedLines > 0
        ? {
            usd:
              priced.reduce((sum, [, a]) => sum + (a.costUsd ?? 0), 0) /
              pricedLines,
            lines: pricedLines,
            assistants: priced.map(([assistant]) => assistant),
          }
        : null,
    totalTokens: total('ai_copilot_tokens_total'),
    totalCostUsd: total('ai_copilot_cost_usd_total'),
    sessions: total('ai_copilot_sessions_total'),
    activeSeconds: {
      total: total('ai_copilot_active_seconds_total'),
      ...(scope.pooled?.type?.size
        ? { user: null, agent: null }
        : {
            user: total('ai_copilot_active_seconds_total', { type: 'user' }),
            agent: total('ai_copilot_active_seconds_total', { type: 'agent' }),
          }),
    },
    commits: total('ai_copilot_commits_total'),
    pullRequests: total('ai_copilot_pull_requests_total'),
  };
}

export function expectedFeatureUsage(h: RawHistory, w: Window, scope: Scope) {
  const features = h.select('ai_copilot_feature_usage', {
    ...scope,
    language: undefined,
  });
  const feature = (l: Record<string, string>) =>
    rowOf(scope, 'feature', l.feature);
  const hourOfDay = new Map<string, number>();
  const dayOfWeek = new Map<string, number>();
  for (let hour = w.start; hour < w.end; hour += HOUR) {
    for (const [f, v] of h.sumBy(features, feature, hour, hour + HOUR)) {
      const hk = `${f}/${new Date(hour * 1000).getUTCHours()}`;
      const dk = `${f}/${new Date(hour * 1000).getUTCDay()}`;
      hourOfDay.set(hk, (hourOfDay.get(hk) ?? 0) + v);
      dayOfWeek.set(dk, (dayOfWeek.get(dk) ?? 0) + v);
    }
  }
  return {
    totals: h.sumBy(features, feature, w.start, w.end),
    hourOfDay,
    dayOfWeek,
  };
}

/** The filters a dashboard can be narrowed by. */
export type Filters = { language?: string; assistant?: string };

/** The labels each metric's series can be filtered by (time saved and features have no language). */
const FILTERABLE: Record<string, Array<keyof Filters>> = {
  ai_copilot_suggestions_total: ['language', 'assistant'],
  ai_copilot_lines_generated: ['language', 'assistant'],
  ai_copilot_time_saved_seconds: ['assistant'],
  ai_copilot_feature_usage: ['assistant'],
};

/** Who has data of one metric in the window, for the privacy threshold. */
export type MetricParticipation = {
  metric: string;
  /** Pseudonyms with data under the filters the metric applies. */
  under: Set<string>;
  /**
   * For each view with some of those filters left out (none left included): pseudonyms with
   * data in it that is outside the filters.
   */
  outside: Set<string>[];
};

/** Per metric, who has data under the filters and outside them, among `userHashes` (or all). */
export function participation(
  h: RawHistory,
  w: Window,
  filters: Filters,
  userHashes?: Set<string>,
): MetricParticipation[] {
  return Object.entries(FILTERABLE).map(([metric, labels]) => {
    const applied = labels.filter(l => filters[l] !== undefined);
    const pick = (names: Array<keyof Filters>): Scope => ({
      userHashes,
      ...Object.fromEntries(names.map(n => [n, filters[n]])),
    });
    const under = h.activeUsers(
      h.select(metric, pick(applied)),
      w.start,
      w.end,
    );
    // Views with fewer filters: every subset of the applied ones but all of them.
    const wider =
      applied.length === 2 ? [[], ['language'], ['assistant']] : [[]];
    const outside = (applied.length > 0 ? wider : []).map(names => {
      const inView = h
        .select(metric, pick(names as Array<keyof Filters>))
        .filter(s => applied.some(l => s.labels[l] !== filters[l]));
      return h.activeUsers(inView, w.start, w.end);
    });
    return { metric, under, outside };
  });
}

/** Whether every metric with data has at least `n` participants under the filters (and some has data). */
export function reachesThreshold(p: MetricParticipation[], n: number): boolean {
  const counts = p.map(m => m.under.size).filter(c => c > 0);
  return counts.length > 0 && Math.min(...counts) >= n;
}

/** Whether `count` people apart is too few: 1 to n − 1. */
export function fewApart(count: number, n: number): boolean {
  return count > 0 && count < n;
}

/** The organisation's verdict under these filters, from the raw samples. */
export function expectedOrganisationVerdict(
  h: RawHistory,
  w: Window,
  filters: Filters,
  n: number,
): 'figures' | 'threshold' | 'differencing' {
  const p = participation(h, w, filters);
  if (!reachesThreshold(p, n)) return 'threshold';
  return p.some(m => m.outside.some(set => fewApart(set.size, n)))
    ? 'differencing'
    : 'figures';
}

/**
 * Who has data of a metric in the window per value of a breakdown label, in the scope (its
 * team, and the filters the metric has; time saved, features and usage have no language).
 */
export function rowParticipants(
  h: RawHistory,
  w: Window,
  metric: string,
  label: string,
  scope: Scope,
): Map<string, Set<string>> {
  const filters = FILTERABLE[metric] ?? ['assistant'];
  const series = h.select(metric, {
    userHashes: scope.userHashes,
    language: filters.includes('language') ? scope.language : undefined,
    assistant: scope.assistant,
  });
  const rows = new Map<string, Set<string>>();
  for (const s of series) {
    if (RawHistory.increase(s, w.start, w.end) <= 0) continue;
    const value = s.labels[label] ?? '';
    if (!rows.has(value)) rows.set(value, new Set());
    rows.get(value)!.add(s.labels.user_hash);
  }
  return rows;
}
