/** One running total of a user, as the database holds it. */
export type StoredCounter = {
  metric: string;
  /** The label values besides `user_hash`. */
  labels: Record<string, string>;
  /** In thousandths, as stored. */
  valueMilli: number;
  firstSeen: Date;
  updatedAt: Date;
};

/**
 * What the database holds about one pseudonym besides the registry: its running totals and the
 * ids of the batches they came from (docs/privacy-model.md#erasure, step 2), and the retention of the
 * registry's history.
 */
export interface PersonalDataStore {
  /** The user's running totals, by metric and labels. */
  countersOf(userHash: string): Promise<StoredCounter[]>;

  /**
   * Deletes the user's running totals, remembered batch ids and OTLP stream states; returns how
   * many counters and batch ids.
   */
  deleteCountersOf(
    userHash: string,
  ): Promise<{ counters: number; batchIds: number }>;

  /** Forgets opt-in history entries older than `olderThan`; returns how many. */
  pruneOptInHistory(olderThan: Date): Promise<number>;
}
