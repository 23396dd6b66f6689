import { CounterIncrement } from './CounterStore';

/** One imported series of a developer, as one report day changed it. */
export type ImportedSeriesChange = {
  metric: string;
  /** Its label values besides `user_hash` (and the `source` label the import adds). */
  labels: Record<string, string>;
  /** The series' running total before the day, and after it, in thousandths. */
  beforeMilli: number;
  afterMilli: number;
};

/** A day imported for a developer: one row of the ledger. */
export type LedgerEntry = {
  /** The report's UTC day, `YYYY-MM-DD`. */
  day: string;
  userHash: string;
  /** Whether the report had a line for the developer. */
  active: boolean;
  /** The series the day added to (none for a day without use). */
  changes: ImportedSeriesChange[];
  importedAt: Date;
  /** When Prometheus took the day's samples; absent until then. */
  writtenAt?: Date;
};

/** A developer's share of one report day, to be counted. */
export type DayImport = {
  userHash: string;
  active: boolean;
  /** What the day adds (label values besides `user_hash`); zeros are left out. */
  increments: CounterIncrement[];
};

/** An imported running total of a developer. */
export type ImportedTotal = {
  metric: string;
  labels: Record<string, string>;
  valueMilli: number;
  throughDay: string;
};

/**
 * The GitHub Copilot import's records (docs/architecture.md#the-github-copilot-import): the
 * ledger of days imported per pseudonym, the imported running totals, and the import's state.
 */
export interface GithubImportStore {
  /** The latest day imported for each of the pseudonyms that has one. */
  latestDays(userHashes: readonly string[]): Promise<Map<string, string>>;

  /**
   * Counts one report day for the given developers, in one transaction: for each whose
   * registration is opted in (checked under a lock, as ingestion does) and whose latest imported
   * day is before `day` (so that every series only ever grows in time), records the ledger row
   * and adds the increments to their imported totals, keeping each changed series' totals before
   * and after. A developer already imported for the day, or for a later one, is skipped: running
   * the same day twice counts nothing twice. Returns the rows written.
   */
  importDay(
    day: string,
    developers: readonly DayImport[],
  ): Promise<LedgerEntry[]>;

  /** Ledger rows whose samples Prometheus has not taken yet, oldest day first. */
  unwritten(limit: number): Promise<LedgerEntry[]>;

  /** Records that Prometheus took these rows' samples. */
  markWritten(
    rows: ReadonlyArray<Pick<LedgerEntry, 'day' | 'userHash'>>,
    at: Date,
  ): Promise<void>;

  /** The days imported for a pseudonym, newest first. */
  ledgerOf(userHash: string): Promise<LedgerEntry[]>;

  /** A pseudonym's imported running totals. */
  totalsOf(userHash: string): Promise<ImportedTotal[]>;

  /** Erasure: deletes a pseudonym's ledger rows, imported totals and coverage; returns how many. */
  deleteUser(userHash: string): Promise<{ days: number; totals: number }>;

  /**
   * The first and the latest day in the ledger (from `since` on, when given), and how many
   * pseudonyms it holds.
   */
  coverage(since?: string): Promise<{
    from?: string;
    through?: string;
    developers: number;
  }>;

  /**
   * Records which developers the import covers now, and returns the first day to import for
   * each. A developer covered for the first time starts `backfillFrom`, unless their clients have
   * already counted Copilot (a counter with `assistant="copilot"`): then `clientsUntil`, so that
   * no day is counted by both. Developers no longer covered are forgotten.
   */
  cover(
    userHashes: readonly string[],
    options: { backfillFrom: string; clientsUntil: string },
  ): Promise<Map<string, string>>;

  /** A value of the import's state (JSON), or undefined. */
  readState<T>(name: string): Promise<T | undefined>;

  /** Writes a value of the import's state. */
  writeState(name: string, value: unknown): Promise<void>;
}
