import {
  ANSWER_DECIMALS,
  FEATURES,
  FeatureUsageData,
  HeatmapCell,
} from '@fawkes/plugin-ai-telemetry-common';
import { POOLED_ROW } from '../breakdownRows';
import { PanelParams, QuerySource } from '../families';
import { bucketStartsOf, HOUR, MAX_POINTS_PER_QUERY } from '../window';
import { labelOf, rounded, sumIntoBuckets, total } from './buckets';
import { definePanel, PanelContext, runSeries } from './panel';
import {
  increaseOver,
  rangeQuery,
  RangeQuery,
  seriesQuery,
  SeriesQuery,
} from './queries';

/** 1970-01-01, day 0, was a Thursday (weekday 4 with 0 = Sunday). */
const EPOCH_WEEKDAY = 4;

/** Feature invocations per step, by feature. */
export function featureUsageQuery(
  params: PanelParams,
  source: QuerySource,
): SeriesQuery {
  const { start, step } = params.window;
  return seriesQuery(params, start, step, {
    family: 'featureUsage',
    source,
    build: (r, s, seconds) =>
      `sum by (feature) (${increaseOver(
        'featureUsage',
        params,
        r,
        s,
        seconds,
      )})`,
  });
}

/**
 * Feature invocations per hour, by feature, for the heatmaps. A long window has more hours than
 * one query may return points, so it is read by n interleaved queries (n divides 24), each
 * every n hours, the k-th (index k) reading the hour that ends k hours before its evaluation
 * time.
 */
export function featureUsageHourlyQueries(
  params: PanelParams,
  source: QuerySource,
): RangeQuery[] {
  const { start, end } = params.window;
  const hours = (end - start) / HOUR;
  const parts =
    [1, 2, 3, 4, 6, 8, 12, 24].find(n => hours / n < MAX_POINTS_PER_QUERY) ??
    24;
  const step = parts * HOUR;
  return Array.from({ length: parts }, (_, k) =>
    rangeQuery(
      params,
      { start: start + step, end, step },
      {
        family: 'featureUsage',
        source,
        alignedTimes: [start, step],
        build: (r, s) =>
          `sum by (feature) (${increaseOver(
            'featureUsage',
            params,
            r,
            s,
            HOUR,
            k * HOUR,
          )})`,
      },
    ),
  );
}

type Queries = { perStep: SeriesQuery; hourly: RangeQuery[] };

/**
 * Feature invocations in the window (from the per-step query), and per hour of day and weekday
 * (UTC) over the window. The k-th hourly query reads the hour that ends k hours before its
 * evaluation time.
 */
async function loadFeatureUsage(
  queries: Queries,
  ctx: PanelContext,
): Promise<FeatureUsageData> {
  const [perStep, ...hourly] = await Promise.all([
    runSeries(ctx, queries.perStep),
    ...queries.hourly.map(spec => ctx.run(spec)),
  ]);
  const { start, asOf, step } = ctx.params.window;
  const starts = bucketStartsOf(ctx.params.window, step);
  const totals = [...sumIntoBuckets(perStep, step, labelOf('feature'))].map(
    ([feature, buckets]) => ({ feature, count: total(buckets, starts) }),
  );

  // Every known feature is listed, unused ones at 0, unless some are pooled under `other`
  // (too few developers used them): a feature without a row of its own may then be among them.
  const pooling = totals.some(t => t.feature === POOLED_ROW);
  const features = [
    ...new Set([...(pooling ? [] : FEATURES), ...totals.map(t => t.feature)]),
  ];
  const hourOfDay = new Map<string, number>();
  const dayOfWeek = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, v: number) =>
    map.set(key, (map.get(key) ?? 0) + v);
  hourly.forEach((result, k) => {
    const behind = (k + 1) * HOUR;
    for (const s of result) {
      const feature = labelOf('feature')(s.labels);
      for (const [t, v] of s.points) {
        if (!Number.isFinite(v)) continue;
        const hourStart = Math.round(t) - behind;
        if (hourStart < start || hourStart >= asOf) continue;
        add(hourOfDay, `${feature}/${(hourStart / HOUR) % 24}`, v);
        const weekday = (Math.floor(hourStart / 86400) + EPOCH_WEEKDAY) % 7;
        add(dayOfWeek, `${feature}/${weekday}`, v);
      }
    }
  });
  const cells = (map: Map<string, number>, buckets: number): HeatmapCell[] =>
    features.flatMap(feature =>
      Array.from({ length: buckets }, (_, bucket) => ({
        feature,
        bucket,
        count: rounded(
          map.get(`${feature}/${bucket}`) ?? 0,
          ANSWER_DECIMALS.count,
        ),
      })),
    );

  return {
    totals: totals.sort(
      (a, b) => b.count - a.count || a.feature.localeCompare(b.feature),
    ),
    heatmap: {
      timezone: 'UTC',
      hourOfDay: cells(hourOfDay, 24),
      dayOfWeek: cells(dayOfWeek, 7),
    },
  };
}

/** Feature usage: assistant features used per step, and by hour of day and weekday (UTC). */
export const featureUsagePanel = definePanel({
  id: 'featureUsage',
  families: ['featureUsage'],
  step: window => window.step,
  queries: (params, sources): Queries => ({
    perStep: featureUsageQuery(params, sources.featureUsage),
    hourly: featureUsageHourlyQueries(params, sources.featureUsage),
  }),
  load: loadFeatureUsage,
});
