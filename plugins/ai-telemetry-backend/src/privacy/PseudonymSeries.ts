import {
  METRIC_NAMES,
  MyDataSeries,
  PSEUDONYM_PATTERN,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import { PrometheusClient } from '../upstream/PrometheusClient';

/** Prometheus refuses range queries of more points than this. */
export const MAX_RANGE_POINTS = 11_000;

/** Steps a range over a pseudonym's history is read at, smallest first. */
const STEPS = [
  60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/** A time window, in unix seconds. */
export type TimeWindow = { start: number; end: number };

/**
 * The smallest step of {@link STEPS} (seconds) at which a range of `rangeSeconds` stays within
 * {@link MAX_RANGE_POINTS}: 15 minutes for 90 days.
 */
export function stepFor(rangeSeconds: number): number {
  const step = STEPS.find(
    s => Math.floor(rangeSeconds / s) + 1 <= MAX_RANGE_POINTS,
  );
  if (step === undefined) {
    throw new Error(`a range of ${rangeSeconds} s is longer than this reads`);
  }
  return step;
}

/** The `days` before `now`, in whole seconds. */
export function windowOfDays(now: Date, days: number): TimeWindow {
  const end = Math.ceil(now.getTime() / 1000);
  return { start: end - days * 86_400, end };
}

/** `{name="value",...}`, for a pseudonym (hex only, so nothing to escape) and a metric name. */
function selector(userHash: string, metric?: string): string {
  if (!PSEUDONYM_PATTERN.test(userHash)) {
    throw new Error(`not a pseudonym: ${JSON.stringify(userHash)}`);
  }
  if (metric !== undefined && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) {
    throw new Error(`not a metric name: ${JSON.stringify(metric)}`);
  }
  return metric === undefined
    ? `{${USER_HASH_LABEL}="${userHash}"}`
    : `{__name__="${metric}",${USER_HASH_LABEL}="${userHash}"}`;
}

/** A series that still holds samples for a pseudonym. */
export type RemainingSeries = {
  metric: string;
  labels: Record<string, string>;
  /** Raw samples of the series in the window. */
  samples: number;
};

/**
 * A pseudonym's series in Prometheus, read with range queries over a window. Each query is
 * `<fn>(selector[step])` at that step, so every raw sample falls into exactly one point and
 * sparse data shows up even between points. Queries go one metric name at a time: these
 * functions drop the name, and two series differing only by name would collide.
 */
export class PseudonymSeries {
  constructor(
    private readonly prometheus: Pick<
      PrometheusClient,
      'rangeQuery' | 'labelValues'
    >,
  ) {}

  /**
   * The pseudonym's series of the metric contract: each series' last value in every step of
   * the window, with every label (`user_hash` included).
   */
  async contractSeries(
    userHash: string,
    window: TimeWindow,
  ): Promise<{ series: MyDataSeries[]; step: number }> {
    const step = stepFor(window.end - window.start);
    // All at once: on a busy Prometheus, one after another would wait in its queue once for
    // every metric (seen in bench:load: My data timed out at 30 s while each query took 1 s).
    const results = await Promise.all(
      METRIC_NAMES.map(metric =>
        this.prometheus.rangeQuery(
          `last_over_time(${selector(userHash, metric)}[${step}s])`,
          window.start,
          window.end,
          step,
        ),
      ),
    );
    const series: MyDataSeries[] = results.flatMap((result, i) =>
      result.map(s => ({
        metric: METRIC_NAMES[i],
        labels: withoutName(s.labels),
        samples: s.points.map(([t, v]): [number, number] => [t * 1000, v]),
      })),
    );
    series.sort((a, b) => seriesOrder(a).localeCompare(seriesOrder(b)));
    return { series, step };
  }

  /**
   * Every series of any metric (the Pushgateway's `push_time_seconds` among them) that holds a
   * sample with the pseudonym in the window, and how many. The candidates' names come from the
   * index, which can still name deleted series; the range queries decide.
   */
  async remaining(
    userHash: string,
    window: TimeWindow,
  ): Promise<RemainingSeries[]> {
    const step = stepFor(window.end - window.start);
    const names = await this.prometheus.labelValues(
      '__name__',
      [selector(userHash)],
      window.start,
      window.end,
    );
    const remaining: RemainingSeries[] = [];
    for (const metric of [...names].sort()) {
      const result = await this.prometheus.rangeQuery(
        `count_over_time(${selector(userHash, metric)}[${step}s])`,
        window.start,
        window.end,
        step,
      );
      for (const s of result) {
        const samples = s.points.reduce((sum, [, count]) => sum + count, 0);
        if (samples > 0) {
          remaining.push({ metric, labels: withoutName(s.labels), samples });
        }
      }
    }
    return remaining;
  }
}

function withoutName(labels: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...rest } = labels;
  return rest;
}

function seriesOrder(series: MyDataSeries): string {
  const labels = Object.keys(series.labels)
    .sort()
    .map(name => `${name}=${series.labels[name]}`)
    .join(',');
  return `${series.metric}{${labels}}`;
}
