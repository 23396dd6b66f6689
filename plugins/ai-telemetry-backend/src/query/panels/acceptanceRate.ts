import {
  AcceptanceBar,
  AcceptanceRateData,
  ANSWER_DECIMALS,
  NamedSeries,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusSeries } from '../../upstream/PrometheusClient';
import { bucketStartsOf, MOVING_AVERAGE_SECONDS } from '../window';
import {
  bucketStarts,
  Buckets,
  labelOf,
  rounded,
  seriesOf,
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

/** accepted / shown, rounded as answers show ratios; null where nothing was shown. */
function ratio(accepted: number, shown: number): number | null {
  return shown > 0 ? rounded(accepted / shown, ANSWER_DECIMALS.ratio) : null;
}

/** accepted / shown per bucket, null for buckets where nothing was shown. */
function rateValues(
  shown: Buckets | undefined,
  accepted: Buckets | undefined,
  starts: number[],
): Array<number | null> {
  return starts.map(t => ratio(accepted?.get(t) ?? 0, shown?.get(t) ?? 0));
}

function rateSeries(
  o: Outcomes,
  starts: number[],
  start: number,
  step: number,
): NamedSeries[] {
  return [...o.shown.keys()]
    .map(name => ({
      name,
      values: rateValues(o.shown.get(name), o.accepted.get(name), starts),
      shown: total(o.shown.get(name), starts),
    }))
    .filter(s => s.shown > 0)
    .sort((a, b) => b.shown - a.shown || a.name.localeCompare(b.name))
    .map(({ name, values }) => ({ name, ...seriesOf(start, step, values) }));
}

/** A bar with fewer suggestions than this share of the median bar's is marked `few`. */
const FEW_SHARE_OF_MEDIAN = 0.1;
/** ... and one with fewer than this many, whatever the median. */
const FEW_SUGGESTIONS = 20;

/**
 * The acceptance per bar (a day, or an hour for ranges under three days): what the chart
 * draws by default, since per step the rate swings from 0 to 100 % at night on a handful of
 * suggestions. A bar still running at `asOf` is `partial`; one with few suggestions `few`.
 */
function acceptanceBars(
  series: PrometheusSeries[],
  ctx: PanelContext,
): AcceptanceBar[] {
  const { window } = ctx.params;
  const { step, barStep, asOf } = window;
  const starts = bucketStartsOf(window, barStep);
  const perStep = outcomes(series, step, () => 'all');
  const shownPerStep = perStep.shown.get('all');
  const acceptedPerStep = perStep.accepted.get('all');
  const bars = starts.map(t => {
    const steps = bucketStartsOf(
      { ...window, start: t, end: t + barStep },
      step,
    );
    const shown = total(shownPerStep, steps);
    const accepted = total(acceptedPerStep, steps);
    return { t, shown, accepted };
  });
  const sorted = bars.map(b => b.shown).sort((a, b) => a - b);
  const median = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)] : 0;
  const few = Math.max(FEW_SUGGESTIONS, median * FEW_SHARE_OF_MEDIAN);
  return bars.map(b => ({
    t: b.t * 1000,
    v: ratio(b.accepted, b.shown),
    shown: b.shown,
    partial: b.t + barStep > asOf,
    few: b.shown < few,
  }));
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
  const { step, start } = ctx.params.window;
  const starts = bucketStartsOf(ctx.params.window, step);

  const overall = outcomes(series, step, () => 'all');
  const shown = overall.shown.get('all');
  const accepted = overall.accepted.get('all');
  const perWeek = MOVING_AVERAGE_SECONDS / step;
  const movingAverage7d = starts.map(t => {
    const week = bucketStarts(t - (perWeek - 1) * step, t + step, step);
    return ratio(total(accepted, week), total(shown, week));
  });

  return {
    overall: seriesOf(start, step, rateValues(shown, accepted, starts)),
    barStep: ctx.params.window.barStep,
    bars: acceptanceBars(series, ctx),
    movingAverage7d: seriesOf(start, step, movingAverage7d),
    byLanguage: rateSeries(
      outcomes(series, step, labelOf('language')),
      starts,
      start,
      step,
    ),
    byAssistant: rateSeries(
      outcomes(series, step, labelOf('assistant')),
      starts,
      start,
      step,
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
