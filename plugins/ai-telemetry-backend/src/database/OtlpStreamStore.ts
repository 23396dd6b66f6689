import { CounterIncrement } from './CounterStore';

/** How an OTLP stream reports its values (AggregationTemporality). */
export type StreamTemporality = 'delta' | 'cumulative';

/**
 * What is kept about one OTLP metric stream of a user: when its current run began, the newest
 * point counted, and its total so far. No attribute value: the stream is known only by a keyed
 * hash of its identity.
 */
export type StreamState = {
  temporality: StreamTemporality;
  /** start_time_unix_nano of the current run, in decimal. */
  runStart: string;
  /** time_unix_nano of the newest point counted, in decimal. */
  lastEnd: string;
  /** The run's total so far: the sum of its delta points, or its last cumulative value. */
  total: number;
  /** Delta streams: the recent [start, end] intervals counted, oldest first. */
  intervals: Array<[string, string]>;
};

/** A stream's state as stored, with when it was last written. */
export type StoredStreamState = StreamState & { updatedAt: Date };

/** What one export changes, decided from the stored state of its streams. */
export type StreamDecision = {
  /** The streams to write (new, changed, or kept alive), by stream id. */
  writes: Map<string, StreamState>;
  /** What to add to the user's running totals. */
  increments: CounterIncrement[];
  /** Data points refused, by reason: counted for the backend's own metrics. */
  dropped: Record<string, number>;
};

/**
 * The state of users' OTLP metric streams (docs/architecture.md#otlp-metrics), written in one
 * transaction with the counters it adds to, as batch ids are for events.
 */
export interface OtlpStreamStore {
  /**
   * In one transaction: checks that the user is opted in (nothing happens otherwise), reads
   * the stored state of the given streams, lets `decide` work out what the export adds, and
   * writes the new states, the counter increments and the dropped points. Exports of one user
   * are applied one at a time, so that a retry racing its original counts once.
   */
  applyExport(options: {
    userHash: string;
    streamIds: string[];
    decide: (states: ReadonlyMap<string, StoredStreamState>) => StreamDecision;
  }): Promise<'applied' | 'not_opted_in'>;

  /** Data points refused since the database was created, by every backend instance, by reason. */
  droppedPoints(): Promise<Record<string, number>>;

  /** Forgets streams without a point since `olderThan`; returns how many. */
  pruneStreams(olderThan: Date): Promise<number>;
}
