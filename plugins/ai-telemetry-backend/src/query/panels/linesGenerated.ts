import { LinesGeneratedData } from '@fawkes/plugin-ai-telemetry-common';
import {
  bucketStarts,
  countPoints,
  countSeries,
  labelOf,
  sumIntoBuckets,
  total,
} from './buckets';
import { PanelParams, QuerySource } from '../families';
import { definePanel, PanelContext } from './panel';
import { increaseOver, rangeQuery, RangeQuery } from './queries';

/** Lines accepted per bar and language. */
function linesQuery(params: PanelParams, source: QuerySource): RangeQuery {
  const { start, end, barStep } = params.window;
  return rangeQuery(
    params,
    { start: start + barStep, end, step: barStep },
    {
      family: 'linesGenerated',
      source,
      alignedTimes: [start, barStep],
      build: (r, s) =>
        `sum by (language) (${increaseOver(
          'linesGenerated',
          params,
          r,
          s,
          barStep,
        )})`,
    },
  );
}

/** Lines per bar and language, per bar overall, and their running total. */
async function loadLinesGenerated(
  queries: { lines: RangeQuery },
  ctx: PanelContext,
): Promise<LinesGeneratedData> {
  const series = await ctx.run(queries.lines);
  const { start, end, barStep } = ctx.params.window;
  const starts = bucketStarts(start, end, barStep);
  const all = sumIntoBuckets(series, barStep, () => 'all').get('all');

  let running = 0;
  const totalPoints = countPoints(all, starts);
  return {
    totalLines: total(all, starts),
    byLanguage: countSeries(
      sumIntoBuckets(series, barStep, labelOf('language')),
      starts,
    ),
    total: totalPoints,
    cumulative: totalPoints.map(p => {
      running += p.v;
      return { t: p.t, v: running };
    }),
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
});
