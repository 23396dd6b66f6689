import { LinesGeneratedData } from '@fawkes/plugin-ai-telemetry-common';
import {
  bucketStarts,
  countPoints,
  countSeries,
  labelOf,
  sumIntoBuckets,
  total,
} from './buckets';
import { PanelContext, specFor } from './context';

/** Lines per bar and language, per bar overall, and their running total. */
export async function loadLinesGenerated(
  ctx: PanelContext,
): Promise<LinesGeneratedData> {
  const series = await ctx.run(specFor(ctx, 'lines'));
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
