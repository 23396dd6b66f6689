import {
  AcceptanceRateData,
  NamedSeries,
  Point,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../../upstream/PrometheusClient';
import { bucketStartsOf, MOVING_AVERAGE_SECONDS } from '../window';
import {
  bucketStarts,
  Buckets,
  labelOf,
  sumIntoBuckets,
  total,
} from './buckets';
import { definePanel, PanelContext, runSeries } from './panel';
import { SeriesQuery, suggestionsQuery } from './queries';

type Outcomes = { shown: Map<string, Buckets>; accepted: Map<string, Buckets> };

function outcomes(
  series: PrometheusSeries[],
  step: number,
  groupOf: (labels: Record<string, string>) => string,
): Outcomes {
  return {
    shown: sumIntoBuckets(series, step, groupOf),
    accepted: sumIntoBuckets(series, step, labels =>
      labels.accepted === 'true' ? groupOf(labels) : undefined,
    ),
  };
}

/** accepted / shown per bucket, leaving out buckets where nothing was shown. */
function ratePoints(
  shown: Buckets | undefined,
  accepted: Buckets | undefined,
  starts: number[],
): Point[] {
  return starts.flatMap(t => {
    const s = shown?.get(t) ?? 0;
    return s > 0 ? [{ t: t * 1000, v: (accepted?.get(t) ?? 0) / s }] : [];
  });
}

function rateSeries(o: Outcomes, starts: number[]): NamedSeries[] {
  return [...o.shown.keys()]
    .map(name => ({
      name,
      points: ratePoints(o.shown.get(name), o.accepted.get(name), starts),
      shown: total(o.shown.get(name), starts),
    }))
    .filter(s => s.shown > 0)
    .sort((a, b) => b.shown - a.shown || a.name.localeCompare(b.name))
    .map(({ name, points }) => ({ name, points }));
}

/**
 * The acceptance rate per step, overall, by language and by assistant, and its seven-day
 * moving average: for each step, accepted / shown over the seven days that end with it (the
 * suggestions query reaches a week back before the window for it).
 */
async function loadAcceptanceRate(
  queries: { suggestions: SeriesQuery },
  ctx: PanelContext,
): Promise<AcceptanceRateData> {
  const series = await runSeries(ctx, queries.suggestions);
  const { step } = ctx.params.window;
  const starts = bucketStartsOf(ctx.params.window, step);

  const overall = outcomes(series, step, () => 'all');
  const shown = overall.shown.get('all');
  const accepted = overall.accepted.get('all');
  const perWeek = MOVING_AVERAGE_SECONDS / step;
  const movingAverage7d = starts.flatMap(t => {
    const week = bucketStarts(t - (perWeek - 1) * step, t + step, step);
    const s = total(shown, week);
    return s > 0 ? [{ t: t * 1000, v: total(accepted, week) / s }] : [];
  });

  return {
    overall: ratePoints(shown, accepted, starts),
    movingAverage7d,
    byLanguage: rateSeries(outcomes(series, step, labelOf('language')), starts),
    byAssistant: rateSeries(
      outcomes(series, step, labelOf('assistant')),
      starts,
    ),
  };
}

/**
 * Acceptance rate: share of suggestions accepted per step, overall, by language, by assistant,
 * and over the last seven days.
 */
export const acceptanceRatePanel = definePanel({
  id: 'acceptanceRate',
  families: ['suggestions'],
  step: window => window.step,
  queries: (params, sources) => ({
    suggestions: suggestionsQuery(params, sources.suggestions),
  }),
  load: loadAcceptanceRate,
});
