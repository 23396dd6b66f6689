import { createHmac } from 'crypto';
import { CounterIncrement } from '../database/CounterStore';
import { OptInStore } from '../database/OptInStore';
import {
  OtlpStreamStore,
  StoredStreamState,
  StreamDecision,
  StreamState,
} from '../database/OtlpStreamStore';
import { notOptedInError } from '../optIn/OptInService';
import {
  DROP_REASONS,
  DropReason,
  MAX_POINT_VALUE,
  MappingSettings,
  Target,
  Targets,
} from './mapping';
import { OtlpDataPoint } from './otlpProtocol';
import { sourceMetricOf } from './sources';
import {
  StreamPoint,
  compareNanos,
  incrementMilli,
  streamStep,
} from './temporality';

/** A stream's state is rewritten at least this often while points arrive, so it is not pruned. */
const KEEP_ALIVE_MS = 60 * 60 * 1000;
/** Metric names quoted per reason in a partial success message. */
const EXAMPLES_PER_REASON = 3;

/** A data point the mapping accepted: what it counts towards, and which stream it is. */
type MappedPoint = {
  metric: string;
  streamId: string;
  point: StreamPoint;
  targets: Target[];
};

/** What became of an export. */
export type OtlpReceipt = {
  /** Data points counted, or recognised as already counted. */
  accepted: number;
  /** Data points refused, with why (for the response's partialSuccess). */
  rejected: number;
  errorMessage?: string;
};

/**
 * Maps a data point onto the contract, or says why it is refused. Only the attributes the
 * mapping names are read; no attribute value leaves this function but as a bounded label.
 */
export function mapDataPoint(
  point: OtlpDataPoint,
  settings: MappingSettings,
): { targets: Target[]; point: StreamPoint } | DropReason {
  const source = sourceMetricOf(point.metric, point.serviceName);
  if (typeof source === 'string') return source;
  const typeMatches =
    source.instrument === 'sum'
      ? point.kind === 'sum' && point.monotonic
      : point.kind === 'histogram';
  if (!typeMatches || point.temporality === 'unspecified') {
    return 'unsupported_type';
  }
  if (point.value === undefined || !Number.isFinite(point.value)) {
    return 'invalid_value';
  }
  if (point.value < 0) return 'negative_value';
  if (point.value > MAX_POINT_VALUE) return 'value_out_of_range';
  if (point.timeNanos <= 0n || point.startNanos > point.timeNanos) {
    return 'invalid_timestamps';
  }
  const targets = source.targets(
    point.attributes,
    new Targets(source.assistant, settings),
  );
  if (!targets || targets.length === 0) return 'not_counted';
  return {
    targets,
    point: {
      temporality: point.temporality,
      startNanos: point.startNanos,
      timeNanos: point.timeNanos,
      value: point.value,
    },
  };
}

/** Printable, bounded: for quoting a metric name back to the exporter. */
function quoted(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean || '(no name)';
}

/**
 * The OTLP receiver's core (docs/architecture.md#otlp-metrics): maps an export's data points
 * onto the contract and adds them to the token owner's counters exactly once per stream
 * interval, in one transaction with the streams' state.
 */
export class OtlpReceiver {
  constructor(
    private readonly options: {
      optIns: OptInStore;
      streams: OtlpStreamStore;
      /** The pseudonym key: stream identities are hashed under it, with the pseudonym. */
      pseudonymKey: string;
      settings: MappingSettings;
      /** Called after an export added to the counters (not for one that added nothing). */
      onCounted?: () => void;
      /**
       * The assistants another source counts for the user (the GitHub import, for Copilot):
       * their points are refused as `duplicate_source`.
       */
      excludedAssistants?: (
        userEntityRef: string,
      ) => Promise<readonly string[]>;
    },
  ) {}

  /** The id of a stream of a user: a keyed hash; the identity itself is never kept. */
  streamId(userHash: string, identity: string): string {
    return createHmac('sha256', this.options.pseudonymKey)
      .update(`otlp-stream\n${userHash}\n${identity}`, 'utf8')
      .digest('hex');
  }

  /** Throws the 403 of ingestion when the user is not opted in; nothing is stored then. */
  async requireOptedIn(userEntityRef: string): Promise<string> {
    const registration = await this.options.optIns.get(userEntityRef);
    if (!registration?.optedIn) {
      throw notOptedInError(userEntityRef, registration);
    }
    return registration.userHash;
  }

  /** Counts an export's data points for the user (the telemetry token's owner). */
  async receive(
    userEntityRef: string,
    dataPoints: readonly OtlpDataPoint[],
  ): Promise<OtlpReceipt> {
    const { streams, settings } = this.options;
    const userHash = await this.requireOptedIn(userEntityRef);

    const refused = new Map<DropReason, Set<string>>();
    const refusedCount: Partial<Record<DropReason, number>> = {};
    const refuse = (reason: DropReason, metric: string) => {
      refusedCount[reason] = (refusedCount[reason] ?? 0) + 1;
      const examples = refused.get(reason) ?? new Set<string>();
      if (examples.size < EXAMPLES_PER_REASON) examples.add(quoted(metric));
      refused.set(reason, examples);
    };

    const excluded =
      (await this.options.excludedAssistants?.(userEntityRef)) ?? [];
    const mapped: MappedPoint[] = [];
    for (const dataPoint of dataPoints) {
      const result = mapDataPoint(dataPoint, settings);
      if (typeof result === 'string') {
        refuse(result, dataPoint.metric);
        continue;
      }
      if (result.targets.some(t => excluded.includes(t.labels.assistant))) {
        refuse('duplicate_source', dataPoint.metric);
        continue;
      }
      mapped.push({
        metric: dataPoint.metric,
        streamId: this.streamId(userHash, dataPoint.identity),
        ...result,
      });
    }
    // Each stream's points in time order, so that a cumulative stream counts its increases.
    mapped.sort((a, b) => compareNanos(a.point.timeNanos, b.point.timeNanos));

    let counted = false;
    const outcome = await streams.applyExport({
      userHash,
      streamIds: mapped.map(m => m.streamId),
      decide: stored => {
        const { writes, increments } = decide(stored, mapped, refuse);
        counted = increments.length > 0;
        const dropped: Record<string, number> = {};
        for (const reason of DROP_REASONS) {
          if (refusedCount[reason]) dropped[reason] = refusedCount[reason]!;
        }
        return { writes, increments, dropped };
      },
    });
    if (outcome === 'not_opted_in') {
      // Opted out between the check above and the transaction.
      throw notOptedInError(
        userEntityRef,
        await this.options.optIns.get(userEntityRef),
      );
    }
    if (counted) this.options.onCounted?.();

    const rejected = Object.values(refusedCount).reduce(
      (sum, n) => sum + (n ?? 0),
      0,
    );
    if (rejected === 0) {
      return { accepted: dataPoints.length, rejected: 0 };
    }
    const parts = DROP_REASONS.filter(reason => refusedCount[reason]).map(
      reason =>
        `${refusedCount[reason]} ${reason} (${[...refused.get(reason)!].join(
          ', ',
        )})`,
    );
    return {
      accepted: dataPoints.length - rejected,
      rejected,
      errorMessage:
        `${rejected} of ${
          dataPoints.length
        } data points were not counted: ${parts.join('; ')}. ` +
        'The metrics and attributes counted are in docs/metric-contract.md of Fawkes AI Telemetry.',
    };
  }
}

/** Threads each stream's points through its state and collects what they add. */
function decide(
  stored: ReadonlyMap<string, StoredStreamState>,
  mapped: readonly MappedPoint[],
  refuse: (reason: DropReason, metric: string) => void,
): Omit<StreamDecision, 'dropped'> {
  const current = new Map<string, StreamState | undefined>();
  const writes = new Map<string, StreamState>();
  const increments: CounterIncrement[] = [];
  const now = Date.now();
  for (const item of mapped) {
    const state = current.has(item.streamId)
      ? current.get(item.streamId)
      : stored.get(item.streamId);
    const step = streamStep(state, item.point);
    if (step.kind === 'refused') {
      refuse(step.reason, item.metric);
      continue;
    }
    if (step.kind === 'unchanged') {
      const kept = stored.get(item.streamId);
      if (
        kept &&
        !writes.has(item.streamId) &&
        now - kept.updatedAt.getTime() > KEEP_ALIVE_MS
      ) {
        writes.set(item.streamId, kept);
      }
      continue;
    }
    current.set(item.streamId, step.state);
    writes.set(item.streamId, step.state);
    for (const target of item.targets) {
      const valueMilli = incrementMilli(step.before, step.after, target.factor);
      if (valueMilli !== 0) {
        increments.push({
          metric: target.metric,
          labels: target.labels,
          valueMilli,
        });
      }
    }
  }
  return { writes, increments };
}
