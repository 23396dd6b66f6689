import { ErasureState, ErasureStep } from '@fawkes/plugin-ai-telemetry-common';

/** An erasure job as stored. Entity refs are in lower case. */
export type ErasureJobRecord = {
  id: string;
  userEntityRef: string;
  /** The pseudonym whose data the steps delete. */
  userHash: string;
  requestedBy: string;
  reason?: string;
  state: ErasureState;
  /** The step to run next, an index into ERASURE_STEPS (their count once done). */
  stepIndex: number;
  steps: ErasureStep[];
  failedAttempts: number;
  lastError?: string;
  /** When the job is due next: at once when created, later while retrying or waiting. */
  nextAttemptAt: Date;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
};

/** What a worker run changed in a job it holds. */
export type ErasureJobUpdate = Pick<
  ErasureJobRecord,
  | 'state'
  | 'stepIndex'
  | 'steps'
  | 'failedAttempts'
  | 'lastError'
  | 'nextAttemptAt'
  | 'finishedAt'
>;

/**
 * Erasure jobs, which any backend instance may drive: a worker run claims a due job with a
 * lease (a row update that only one instance can win), writes each step only while it still
 * holds that lease, and releases it when the job must wait. A job whose instance died is
 * claimed again once its lease has expired.
 */
export interface ErasureStore {
  /**
   * Opens a job for the user, or returns the one that is open already (a user has at most one
   * unfinished job): `created` says which.
   */
  open(job: {
    userEntityRef: string;
    userHash: string;
    requestedBy: string;
    reason?: string;
    steps: ErasureStep[];
    now: Date;
  }): Promise<{ job: ErasureJobRecord; created: boolean }>;

  get(id: string): Promise<ErasureJobRecord | undefined>;

  /** The user's jobs, newest first. */
  listForUser(userEntityRef: string): Promise<ErasureJobRecord[]>;

  /**
   * Every job's pseudonym and when it finished (none while it runs): the pseudonyms whose data
   * is gone or going, for what this backend keeps in memory (the activity index).
   */
  listPseudonyms(): Promise<Array<{ userHash: string; finishedAt?: Date }>>;

  /** Whether the user has a job that is not done. */
  hasOpenJob(userEntityRef: string): Promise<boolean>;

  /**
   * Claims the job that has been due longest and that no live lease holds, for `owner` until
   * `leaseUntil`. Undefined when no job is due.
   */
  claimDue(options: {
    owner: string;
    now: Date;
    leaseUntil: Date;
  }): Promise<ErasureJobRecord | undefined>;

  /**
   * Writes a job's progress, only if `owner` still holds it: false (nothing written) when
   * another run has claimed it since. `leaseUntil` renews the lease, `null` releases it.
   * `failedAttempt` adds one to the erasure failure counter, in the same transaction.
   */
  update(
    id: string,
    update: ErasureJobUpdate,
    options: {
      owner: string;
      leaseUntil: Date | null;
      failedAttempt?: boolean;
    },
  ): Promise<boolean>;

  /** Failed attempts of every job ever, for `ai_telemetry_erasure_failures_total`. */
  failureTotal(): Promise<number>;

  /** Forgets jobs that finished before `olderThan`; returns how many. */
  pruneFinished(olderThan: Date): Promise<number>;
}
