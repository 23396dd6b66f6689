import {
  METRIC_HELP,
  METRIC_LABELS,
  METRIC_NAMES,
  MetricName,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  CounterStore,
  PseudonymRange,
  ScrapedCounter,
} from '../database/CounterStore';
import { OptInStore } from '../database/OptInStore';
import {
  escapeLabelValue,
  familyHeader,
  formatLabels,
  formatMilli,
  sampleLine,
} from './exposition';

/** The backend's own metrics, for the operators' alerts (deploy/prometheus/rules). */
export const SELF_METRICS = {
  eventsIngested: 'ai_telemetry_events_ingested_total',
  optedInUsers: 'ai_telemetry_opted_in_users',
  erasureFailures: 'ai_telemetry_erasure_failures_total',
  otlpPointsDropped: 'ai_telemetry_otlp_points_dropped_total',
} as const;

/** The shard counts a scrape may be split into: pseudonyms are split by their first hex digit. */
export const SHARD_COUNTS = [1, 2, 4, 8, 16] as const;

/** One part of the metrics endpoint, `index` of `count` (see {@link SHARD_COUNTS}). */
export type Shard = { index: number; count: (typeof SHARD_COUNTS)[number] };

const HEX_DIGITS = '0123456789abcdef';

/** The pseudonyms of a shard: an equal range of first hex digits. */
export function shardRange(shard: Shard): PseudonymRange | undefined {
  if (shard.count === 1) return undefined;
  const width = HEX_DIGITS.length / shard.count;
  const first = shard.index * width;
  return {
    from: HEX_DIGITS[first],
    ...(first + width < HEX_DIGITS.length && { to: HEX_DIGITS[first + width] }),
  };
}

/** Lines per chunk of the response body. */
const LINES_PER_CHUNK = 2000;

/** One scrape's worth of data, read at one moment. */
export type Scrape = {
  /** The response body in chunks, in the text exposition format. */
  chunks(): Generator<string>;
  /**
   * Records that the response was delivered, so that counters served at 0 for the first
   * time start their hold. Call it only after the whole body was sent.
   */
  delivered(): Promise<void>;
};

/**
 * The metrics endpoint's content (docs/architecture.md#the-metrics-endpoint): every opted-in
 * user's cumulative counters from the database, under the metric contract, and the backend's
 * own metrics.
 *
 * A label combination seen for the first time is served at 0 until `newSeriesZeroSeconds`
 * after the first delivered scrape that served it, then at its total, so that `increase()`
 * counts it from zero. The hold is kept in the database, so every backend instance serves the
 * same; it spans more than one scrape interval, so that one lost scrape cannot lose the 0.
 *
 * When one scrape grows too large, Prometheus can scrape the endpoint in shards
 * (docs/operations.md#scaling-out): each serves the users whose pseudonym falls in its range;
 * the backend's own metrics are served by shard 0 only, so that sums over the shards stay right.
 */
export class MetricsService {
  constructor(
    private readonly options: {
      counters: CounterStore;
      optIns: OptInStore;
      newSeriesZeroSeconds: number;
      /** Failed erasure attempts of every instance, from the database (see src/privacy). */
      erasureFailures?: () => Promise<number>;
      /** OTLP data points refused by every instance, by reason, from the database (src/otlp). */
      otlpDroppedPoints?: () => Promise<ReadonlyArray<[string, number]>>;
    },
  ) {}

  async scrape(options: { now?: Date; shard?: Shard } = {}): Promise<Scrape> {
    const {
      counters,
      optIns,
      newSeriesZeroSeconds,
      erasureFailures,
      otlpDroppedPoints,
    } = this.options;
    const now = options.now ?? new Date();
    const shard = options.shard ?? { index: 0, count: 1 };
    const withSelfMetrics = shard.index === 0;
    const [rows, totals, optedIn, failedErasures, droppedPoints] =
      await Promise.all([
        counters.readForScrape({
          newSince: new Date(now.getTime() - newSeriesZeroSeconds * 1000),
          userHashes: shardRange(shard),
        }),
        withSelfMetrics ? counters.ingestionTotals() : undefined,
        withSelfMetrics ? optIns.countOptedIn() : undefined,
        withSelfMetrics && erasureFailures ? erasureFailures() : undefined,
        withSelfMetrics && otlpDroppedPoints ? otlpDroppedPoints() : undefined,
      ]);
    const firstServed: number[] = [];
    for (const row of rows) {
      if (row.unservedId !== undefined) firstServed.push(row.unservedId);
    }

    return {
      *chunks() {
        const byMetric = new Map<string, ScrapedCounter[]>();
        for (const row of rows) {
          let list = byMetric.get(row.metric);
          if (!list) {
            list = [];
            byMetric.set(row.metric, list);
          }
          list.push(row);
        }
        let lines: string[] = [];
        for (const metric of METRIC_NAMES) {
          lines.push(familyHeader(metric, 'counter', METRIC_HELP[metric]));
          const labelsOf = labelRenderer(metric);
          for (const row of byMetric.get(metric) ?? []) {
            const value = formatMilli(row.valueMilli);
            lines.push(
              sampleLine(
                metric,
                `${USER_HASH_LABEL}="${escapeLabelValue(
                  row.userHash,
                )}"${labelsOf(row.labels)}`,
                value,
              ),
            );
            if (lines.length >= LINES_PER_CHUNK) {
              yield lines.join('');
              lines = [];
            }
          }
        }
        if (!totals || optedIn === undefined) {
          yield lines.join('');
          return;
        }
        lines.push(
          familyHeader(
            SELF_METRICS.eventsIngested,
            'counter',
            'Events counted by the ingestion endpoint of every backend instance (retried batches count once).',
          ),
          sampleLine(SELF_METRICS.eventsIngested, '', String(totals.events)),
          familyHeader(
            SELF_METRICS.optedInUsers,
            'gauge',
            'Developers opted in to AI telemetry now.',
          ),
          sampleLine(SELF_METRICS.optedInUsers, '', String(optedIn)),
        );
        if (failedErasures !== undefined) {
          lines.push(
            familyHeader(
              SELF_METRICS.erasureFailures,
              'counter',
              'Failed attempts of erasure jobs on every backend instance (each is retried).',
            ),
            sampleLine(
              SELF_METRICS.erasureFailures,
              '',
              String(failedErasures),
            ),
          );
        }
        if (droppedPoints !== undefined) {
          lines.push(
            familyHeader(
              SELF_METRICS.otlpPointsDropped,
              'counter',
              'OTLP data points refused and never stored, by reason, on every backend instance.',
            ),
            ...droppedPoints.map(([reason, points]) =>
              sampleLine(
                SELF_METRICS.otlpPointsDropped,
                formatLabels([['reason', reason]]),
                String(points),
              ),
            ),
          );
        }
        yield lines.join('');
      },
      async delivered() {
        if (firstServed.length > 0) {
          await counters.markZeroServed(firstServed, now);
        }
      },
    };
  }
}

/**
 * Renders a stored labels key (canonical JSON) as `,name="value"...` in the contract's label
 * order. Label sets repeat across users, so each distinct key is parsed once.
 */
function labelRenderer(metric: MetricName): (labelsKey: string) => string {
  const names = METRIC_LABELS[metric].filter(name => name !== USER_HASH_LABEL);
  const cache = new Map<string, string>();
  return labelsKey => {
    let text = cache.get(labelsKey);
    if (text === undefined) {
      const values = JSON.parse(labelsKey) as Record<string, string>;
      const formatted = formatLabels(
        names.map(name => [name, String(values[name] ?? '')]),
      );
      text = formatted ? `,${formatted}` : '';
      cache.set(labelsKey, text);
    }
    return text;
  };
}
