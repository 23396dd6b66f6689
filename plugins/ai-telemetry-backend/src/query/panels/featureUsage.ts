import {
  FEATURES,
  FeatureUsageData,
  HeatmapCell,
  HOUR,
} from '@fawkes/plugin-ai-telemetry-common';
import { bucketStarts, countSeries, labelOf, sumIntoBuckets } from './buckets';
import { PanelContext, specFor } from './context';

/** 1970-01-01, day 0, was a Thursday (weekday 4 with 0 = Sunday). */
const EPOCH_WEEKDAY = 4;

/**
 * Feature invocations per step, and per hour of day and weekday (UTC) over the window. The
 * hourly queries each read the hour that ends `hourOffset` hours before their evaluation time.
 */
export async function loadFeatureUsage(
  ctx: PanelContext,
): Promise<FeatureUsageData> {
  const hourlySpecs = ctx.specs.filter(s => s.key === 'featureUsageHourly');
  const [perStep, ...hourly] = await Promise.all([
    ctx.run(specFor(ctx, 'featureUsage')),
    ...hourlySpecs.map(spec => ctx.run(spec)),
  ]);
  const { start, end, step } = ctx.params.window;
  const starts = bucketStarts(start, end, step);
  const byFeature = countSeries(
    sumIntoBuckets(perStep, step, labelOf('feature')),
    starts,
  );

  const features = [...new Set([...FEATURES, ...byFeature.map(s => s.name)])];
  const hourOfDay = new Map<string, number>();
  const dayOfWeek = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, v: number) =>
    map.set(key, (map.get(key) ?? 0) + v);
  hourlySpecs.forEach((spec, i) => {
    const behind = ((spec.hourOffset ?? 0) + 1) * HOUR;
    for (const s of hourly[i]) {
      const feature = labelOf('feature')(s.labels);
      for (const [t, v] of s.points) {
        if (!Number.isFinite(v)) continue;
        const hourStart = Math.round(t) - behind;
        if (hourStart < start || hourStart >= end) continue;
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
        count: map.get(`${feature}/${bucket}`) ?? 0,
      })),
    );

  return {
    byFeature,
    totals: byFeature
      .map(s => ({
        feature: s.name,
        count: s.points.reduce((sum, p) => sum + p.v, 0),
      }))
      .sort((a, b) => b.count - a.count || a.feature.localeCompare(b.feature)),
    heatmap: {
      timezone: 'UTC',
      hourOfDay: cells(hourOfDay, 24),
      dayOfWeek: cells(dayOfWeek, 7),
    },
  };
}
