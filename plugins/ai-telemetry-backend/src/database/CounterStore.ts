import {
  METRIC_LABELS,
  MetricName,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';

/** An amount to add to one counter of a user. */
export type CounterIncrement = {
  metric: MetricName;
  /** The label values besides `user_hash`, e.g. `{ feature: 'chat', assistant: 'copilot' }`. */
  labels: Record<string, string>;
  /** In thousandths, so that sums of fractional seconds stay exact. */
  valueMilli: number;
};

/** What became of a batch. */
export type BatchResult =
  | { status: 'applied'; accepted: number }
  /** The batch id was counted before; `accepted` is what that first delivery counted. */
  | { status: 'duplicate'; accepted: number }
  /** The user is not opted in (any more): nothing was stored. */
  | { status: 'not_opted_in' };

/** Pseudonyms from `from` (inclusive) up to `to` (exclusive; no end when absent). */
export type PseudonymRange = { from: string; to?: string };

/** One counter as a scrape serves it. */
export type ScrapedCounter = {
  userHash: string;
  metric: string;
  /** The label values besides `user_hash` as canonical JSON (see {@link counterLabelsKey}). */
  labels: string;
  /** The running total in thousandths, or 0 while the counter is new (see `readForScrape`). */
  valueMilli: number;
  /** Set when no scrape has served the counter yet: pass it to `markZeroServed` once delivered. */
  unservedId?: number;
};

/**
 * The durable counters: every opted-in user's running totals (the source of truth that
 * Prometheus scrapes), and the batch ids already counted.
 */
export interface CounterStore {
  /**
   * Records the batch id and adds the increments, in one transaction: either the whole batch
   * counts once, or nothing does. Checks inside the transaction that the user is opted in.
   */
  applyBatch(options: {
    userHash: string;
    batchId: string;
    eventCount: number;
    increments: CounterIncrement[];
  }): Promise<BatchResult>;

  /**
   * Every counter of the users who are opted in now (those whose pseudonym is in `userHashes`,
   * when given), in no particular order, in one query. A counter is new, and read as 0, until
   * `newSince`: when no scrape has served it yet, or the first scrape that did was after
   * `newSince`.
   */
  readForScrape(options: {
    newSince: Date;
    userHashes?: PseudonymRange;
  }): Promise<ScrapedCounter[]>;

  /** Records that a scrape served these counters (at 0) for the first time; others keep theirs. */
  markZeroServed(unservedIds: number[], at: Date): Promise<void>;

  /** Events and batches counted since the database was created, by every backend instance. */
  ingestionTotals(): Promise<{ events: number; batches: number }>;

  /** Forgets batch ids received before `olderThan`; returns how many. */
  pruneBatchIds(olderThan: Date): Promise<number>;
}

/**
 * The storage key of a counter's labels: the values of the metric's labels (besides
 * `user_hash`) as JSON, in the contract's label order, so that equal label sets are equal
 * strings. Throws when a label of the metric is missing or one it does not have is given.
 */
export function counterLabelsKey(
  metric: MetricName,
  labels: Record<string, string>,
): string {
  const names = METRIC_LABELS[metric].filter(name => name !== USER_HASH_LABEL);
  const extra = Object.keys(labels).filter(name => !names.includes(name));
  if (extra.length > 0) {
    throw new Error(`${metric} has no label ${extra.join(', ')}`);
  }
  const ordered: Record<string, string> = {};
  for (const name of names) {
    const value = labels[name];
    if (typeof value !== 'string') {
      throw new Error(`${metric} needs a value for its label ${name}`);
    }
    ordered[name] = value;
  }
  return JSON.stringify(ordered);
}
