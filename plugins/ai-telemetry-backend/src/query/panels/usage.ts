import {
  ANSWER_DECIMALS,
  AssistantUsage,
  CostPerAcceptedLine,
  ModelUsage,
  UsageData,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../../upstream/PrometheusClient';
import { POOLED_ROW } from '../breakdownRows';
import {
  PanelParams,
  QuerySource,
  USAGE_FAMILIES,
  UsageFamily,
} from '../families';
import {
  countSeries,
  countValues,
  labelOf,
  seriesOf,
  sumIntoBuckets,
  total,
} from './buckets';
import { bucketStartsOf } from '../window';
import { definePanel, PanelContext, runSeries, scalarOf } from './panel';
import {
  increaseOver,
  InstantQuery,
  dailyTotal,
  perUserIncrease,
  seriesQuery,
  SeriesQuery,
  windowIncreaseQuery,
  windowTotalQuery,
} from './queries';

/**
 * Tokens per bar, by assistant, model and type. The usage families have no hourly organisation
 * rules: the whole days the daily rules hold are read from them ({@link dailyTotal}), the rest
 * from the counters.
 */
function tokensQuery(params: PanelParams): SeriesQuery {
  const { start, barStep } = params.window;
  return seriesQuery(params, start, barStep, {
    family: 'tokens',
    daily: r => dailyTotal('tokens', params, r, ['assistant', 'model', 'type']),
    build: (r, _s, seconds) =>
      `sum by (assistant, model, type) (${increaseOver(
        'tokens',
        params,
        r,
        'raw',
        seconds,
      )})`,
  });
}

/** Usage cost in US dollars per bar, by assistant and model. */
function costQuery(params: PanelParams): SeriesQuery {
  const { start, barStep } = params.window;
  return seriesQuery(params, start, barStep, {
    family: 'costUsd',
    daily: r => dailyTotal('costUsd', params, r, ['assistant', 'model']),
    build: (r, _s, seconds) =>
      `sum by (assistant, model) (${increaseOver(
        'costUsd',
        params,
        r,
        'raw',
        seconds,
      )})`,
  });
}

/**
 * Lines accepted in the window per assistant, for the cost per accepted line. Not narrowed by
 * language: the usage figures it is divided into have none.
 */
function acceptedLinesQuery(
  params: PanelParams,
  source: QuerySource,
): InstantQuery {
  const unfiltered: PanelParams = {
    ...params,
    filters: params.filters.assistant
      ? { assistant: params.filters.assistant }
      : {},
  };
  return windowIncreaseQuery(unfiltered, 'linesGenerated', source, [
    'assistant',
  ]);
}

/** A usage family's total over the window (active time by `type`: user, agent). */
function usageTotalQuery(
  params: PanelParams,
  family: UsageFamily,
): InstantQuery {
  const by = family === 'activeSeconds' ? ['type'] : [];
  return windowTotalQuery(params, {
    family,
    build: (r, _s, seconds) => perUserIncrease(family, params, r, by, seconds),
  });
}

type Queries = {
  tokens: SeriesQuery;
  cost: SeriesQuery;
  acceptedLines: InstantQuery;
  sessions: InstantQuery;
  activeSeconds: InstantQuery;
  commits: InstantQuery;
  pullRequests: InstantQuery;
};

/** A finite value, or 0. */
function finite(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/** Sums every point of range results into one figure per group. */
function totalsBy(
  series: PrometheusSeries[],
  groupOf: (labels: Record<string, string>) => string,
): Map<string, number> {
  const totals = new Map<string, number>();
  for (const s of series) {
    const group = groupOf(s.labels);
    const sum = s.points.reduce((acc, [, v]) => acc + finite(v), 0);
    totals.set(group, (totals.get(group) ?? 0) + sum);
  }
  return totals;
}

/**
 * The cost per accepted line over the assistants that count both: an assistant's cost without
 * its lines (Codex reports no lines) would be divided by the others' lines.
 */
function costPerAcceptedLineOf(
  byAssistant: AssistantUsage[],
): CostPerAcceptedLine | null {
  const priced = byAssistant.filter(
    a => a.costUsd !== null && a.acceptedLines > 0,
  );
  if (priced.length === 0) return null;
  const lines = priced.reduce((sum, a) => sum + a.acceptedLines, 0);
  const usd = priced.reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
  return {
    usd: usd / lines,
    lines,
    assistants: priced.map(a => a.assistant),
  };
}

/**
 * Tokens by type and model, cost, sessions, active time, commits and pull requests, from the
 * assistants that report them over OpenTelemetry; or why they are withheld (no one in view
 * reports them, or too few do: {@link PanelContext.usageVisibility}).
 */
async function loadUsage(
  queries: Queries,
  ctx: PanelContext,
): Promise<UsageData> {
  const visibility = await ctx.usageVisibility();
  if (visibility.withheld) {
    return {
      withheld: true,
      reason: visibility.reason,
      minGroupSize: ctx.minGroupSize,
    };
  }
  const [tokens, cost, lines, sessions, active, commits, pullRequests] =
    await Promise.all([
      runSeries(ctx, queries.tokens),
      runSeries(ctx, queries.cost),
      ctx.run(queries.acceptedLines),
      ctx.run(queries.sessions),
      ctx.run(queries.activeSeconds),
      ctx.run(queries.commits),
      ctx.run(queries.pullRequests),
    ]);
  const { barStep, start } = ctx.params.window;
  const starts = bucketStartsOf(ctx.params.window, barStep);

  const tokensByModelType = totalsBy(
    tokens,
    l => `${l.model ?? ''}\u0000${l.type ?? ''}`,
  );
  const costByModel = totalsBy(cost, labelOf('model'));
  const models = new Map<string, ModelUsage>();
  for (const [key, value] of tokensByModelType) {
    const [model, type] = key.split('\u0000');
    const name = model || labelOf('model')({});
    const entry = models.get(name) ?? {
      model: name,
      tokens: {},
      totalTokens: 0,
      costUsd: null,
    };
    entry.tokens[type] = (entry.tokens[type] ?? 0) + value;
    entry.totalTokens += value;
    models.set(name, entry);
  }
  for (const [model, usd] of costByModel) {
    const entry = models.get(model) ?? {
      model,
      tokens: {},
      totalTokens: 0,
      costUsd: null,
    };
    entry.costUsd = (entry.costUsd ?? 0) + usd;
    models.set(model, entry);
  }

  const tokensOfAssistant = totalsBy(tokens, labelOf('assistant'));
  const costOfAssistant = totalsBy(cost, labelOf('assistant'));
  const linesOfAssistant = new Map(
    lines.map(s => [labelOf('assistant')(s.labels), finite(s.points[0]?.[1])]),
  );
  const byAssistant: AssistantUsage[] = [...tokensOfAssistant.keys()]
    .concat([...costOfAssistant.keys()].filter(a => !tokensOfAssistant.has(a)))
    .map(assistant => ({
      assistant,
      totalTokens: tokensOfAssistant.get(assistant) ?? 0,
      costUsd: costOfAssistant.get(assistant) ?? null,
      acceptedLines: linesOfAssistant.get(assistant) ?? 0,
    }))
    .sort(
      (a, b) =>
        b.totalTokens - a.totalTokens ||
        (b.costUsd ?? 0) - (a.costUsd ?? 0) ||
        a.assistant.localeCompare(b.assistant),
    );
  const costBuckets = sumIntoBuckets(cost, barStep, () => 'all').get('all');
  const hasCost = cost.length > 0;
  const activeByType = (type: string) =>
    finite(active.find(s => s.labels.type === type)?.points[0]?.[1]);
  // The split by type is pooled when too few developers have agents working (or too few work
  // without): then only the total is shown.
  const split = !active.some(s => s.labels.type === POOLED_ROW);
  const activeTotal = active.reduce(
    (sum, s) => sum + finite(s.points[0]?.[1]),
    0,
  );
  const byModel = [...models.values()].sort(
    (a, b) =>
      b.totalTokens - a.totalTokens ||
      (b.costUsd ?? 0) - (a.costUsd ?? 0) ||
      a.model.localeCompare(b.model),
  );
  return {
    withheld: false,
    reportingDevelopers: visibility.reporting,
    totalTokens: byModel.reduce((sum, m) => sum + m.totalTokens, 0),
    tokensByType: countSeries(
      sumIntoBuckets(tokens, barStep, labelOf('type')),
      starts,
      start,
      barStep,
    ),
    tokensByAssistant: countSeries(
      sumIntoBuckets(tokens, barStep, labelOf('assistant')),
      starts,
      start,
      barStep,
    ),
    tokensByModel: countSeries(
      sumIntoBuckets(tokens, barStep, labelOf('model')),
      starts,
      start,
      barStep,
    ),
    byModel,
    byAssistant,
    costByAssistant: countSeries(
      sumIntoBuckets(cost, barStep, labelOf('assistant')),
      starts,
      start,
      barStep,
      ANSWER_DECIMALS.usd,
    ),
    costByModel: countSeries(
      sumIntoBuckets(cost, barStep, labelOf('model')),
      starts,
      start,
      barStep,
      ANSWER_DECIMALS.usd,
    ),
    costPerAcceptedLine: costPerAcceptedLineOf(byAssistant),
    cost: hasCost
      ? seriesOf(
          start,
          barStep,
          countValues(costBuckets, starts, ANSWER_DECIMALS.usd),
        )
      : null,
    totalCostUsd: hasCost ? total(costBuckets, starts) : null,
    sessions: scalarOf(sessions),
    activeSeconds: {
      total: activeTotal,
      user: split ? activeByType('user') : null,
      agent: split ? activeByType('agent') : null,
    },
    commits: scalarOf(commits),
    pullRequests: scalarOf(pullRequests),
  };
}

/**
 * Tokens and cost: model tokens by type and model, usage cost, sessions, active time, commits
 * and pull requests, from the assistants that report them over OpenTelemetry.
 */
export const usagePanel = definePanel({
  id: 'usage',
  // Lines are read for the cost per accepted line only; the usage figures' privacy check is
  // over the usage families ({@link PanelContext.usageVisibility}).
  families: [...USAGE_FAMILIES, 'linesGenerated'],
  step: window => window.barStep,
  queries: (params, sources): Queries => ({
    tokens: tokensQuery(params),
    cost: costQuery(params),
    acceptedLines: acceptedLinesQuery(params, sources.linesGenerated),
    sessions: usageTotalQuery(params, 'sessions'),
    activeSeconds: usageTotalQuery(params, 'activeSeconds'),
    commits: usageTotalQuery(params, 'commits'),
    pullRequests: usageTotalQuery(params, 'pullRequests'),
  }),
  load: loadUsage,
  tiles: (data): Record<string, number | null> =>
    data.withheld
      ? {}
      : {
          totalTokens: data.totalTokens,
          totalCostUsd: data.totalCostUsd,
          costPerAcceptedLine: data.costPerAcceptedLine?.usd ?? null,
          sessions: data.sessions,
          activeSecondsUser: data.activeSeconds.user,
          activeSeconds: data.activeSeconds.total,
          commits: data.commits,
          pullRequests: data.pullRequests,
        },
});
