import {
  ANSWER_DECIMALS,
  LinesGeneratedData,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  countSeries,
  countValues,
  labelOf,
  rounded,
  seriesOf,
  sumIntoBuckets,
  total,
} from './buckets';
import { PanelParams, QuerySource } from '../families';
import { bucketStartsOf } from '../window';
import { definePanel, PanelContext, runSeries } from './panel';
import { dailyTotal, increaseOver, seriesQuery, SeriesQuery } from './queries';

/** Lines accepted per bar and language. */
function linesQuery(params: PanelParams, source: QuerySource): SeriesQuery {
  const { start, barStep } = params.window;
  return seriesQuery(params, start, barStep, {
    family: 'linesGenerated',
    source,
    build: (r, s, seconds) =>
      `sum by (language) (${increaseOver(
        'linesGenerated',
        params,
        r,
        s,
        seconds,
      )})`,
    // A bar a day: the whole days the daily rules hold from them (a sample a day a series).
    daily: r => dailyTotal('linesGenerated', params, r, ['language']),
  });
}

/** Lines per bar and language, per bar overall, and their running total. */
async function loadLinesGenerated(
  queries: { lines: SeriesQuery },
  ctx: PanelContext,
): Promise<LinesGeneratedData> {
  const series = await runSeries(ctx, queries.lines);
  const { barStep, start } = ctx.params.window;
  const starts = bucketStartsOf(ctx.params.window, barStep);
  const all = sumIntoBuckets(series, barStep, () => 'all').get('all');

  let running = 0;
  return {
    totalLines: total(all, starts),
    byLanguage: countSeries(
      sumIntoBuckets(series, barStep, labelOf('language')),
      starts,
      start,
      barStep,
    ),
    total: seriesOf(start, barStep, countValues(all, starts)),
    cumulative: seriesOf(
      start,
      barStep,
      starts.map(t => {
        running += all?.get(t) ?? 0;
        return rounded(running, ANSWER_DECIMALS.count);
      }),
    ),
  };
}

/** Lines generated: lines accepted per day by language, and their running total. */
export const linesGeneratedPanel = definePanel({
  id: 'linesGenerated',
  families: ['linesGenerated'],
  step: window => window.barStep,
  queries: (params, sources) => ({
    lines: linesQuery(params, sources.linesGenerated),
  }),
  load: loadLinesGenerated,
  tiles: data => ({ totalLines: data.totalLines }),
});
