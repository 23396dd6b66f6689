import { DatabaseService } from '@backstage/backend-plugin-api';
import { ErasureState } from '@fawkes/plugin-ai-telemetry-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { getMigratedClient } from './migrateDatabase';
import { toDate, toNumber, toOptionalDate } from './columnValues';
import {
  ErasureJobRecord,
  ErasureJobUpdate,
  ErasureStore,
} from './ErasureStore';

type JobRow = {
  id: string;
  user_entity_ref: string;
  user_hash: string;
  active_user_ref: string | null;
  requested_by: string;
  reason: string | null;
  state: ErasureState;
  step_index: number;
  steps: string;
  failed_attempts: number | string;
  last_error: string | null;
  next_attempt_at: Date | number;
  lease_owner: string | null;
  lease_expires_at: Date | number | null;
  created_at: Date | number;
  updated_at: Date | number;
  finished_at: Date | number | null;
};

/** States of a job that is not finished. */
const OPEN_STATES: ErasureState[] = ['pending', 'running', 'retrying'];
const FAILURES = 'erasure_failures';

function toRecord(row: JobRow): ErasureJobRecord {
  return {
    id: row.id,
    userEntityRef: row.user_entity_ref,
    userHash: row.user_hash,
    requestedBy: row.requested_by,
    ...(row.reason !== null && { reason: row.reason }),
    state: row.state,
    stepIndex: toNumber(row.step_index),
    steps: JSON.parse(row.steps),
    failedAttempts: toNumber(row.failed_attempts),
    ...(row.last_error !== null && { lastError: row.last_error }),
    nextAttemptAt: toDate(row.next_attempt_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    finishedAt: toOptionalDate(row.finished_at),
  };
}

function refKey(userEntityRef: string): string {
  return userEntityRef.toLocaleLowerCase('en-US');
}

/** Erasure jobs in the plugin's database (Knex: SQLite or PostgreSQL). */
export class DatabaseErasureStore implements ErasureStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseErasureStore> {
    return new DatabaseErasureStore(await getMigratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async open(job: {
    userEntityRef: string;
    userHash: string;
    requestedBy: string;
    reason?: string;
    steps: ErasureJobRecord['steps'];
    now: Date;
  }): Promise<{ job: ErasureJobRecord; created: boolean }> {
    const ref = refKey(job.userEntityRef);
    // The unique active_user_ref lets one open job per user in, even when two requests race.
    const inserted = await this.db('erasure_jobs')
      .insert({
        id: randomUUID(),
        user_entity_ref: ref,
        user_hash: job.userHash,
        active_user_ref: ref,
        requested_by: refKey(job.requestedBy),
        reason: job.reason ?? null,
        state: 'pending',
        step_index: 0,
        steps: JSON.stringify(job.steps),
        failed_attempts: 0,
        next_attempt_at: job.now,
        created_at: job.now,
        updated_at: job.now,
      })
      .onConflict('active_user_ref')
      .ignore()
      .returning('id');
    const row = await this.db<JobRow>('erasure_jobs')
      .where({ active_user_ref: ref })
      .first();
    if (!row) {
      // The open job finished between the insert and the read: open a new one.
      return this.open(job);
    }
    return { job: toRecord(row), created: inserted.length > 0 };
  }

  async get(id: string): Promise<ErasureJobRecord | undefined> {
    const row = await this.db<JobRow>('erasure_jobs').where({ id }).first();
    return row ? toRecord(row) : undefined;
  }

  async listForUser(userEntityRef: string): Promise<ErasureJobRecord[]> {
    const rows = await this.db<JobRow>('erasure_jobs')
      .where({ user_entity_ref: refKey(userEntityRef) })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toRecord);
  }

  async listPseudonyms(): Promise<
    Array<{ userHash: string; finishedAt?: Date }>
  > {
    const rows = await this.db<JobRow>('erasure_jobs').select(
      'user_hash',
      'finished_at',
    );
    return rows.map(row => ({
      userHash: row.user_hash,
      finishedAt: toOptionalDate(row.finished_at),
    }));
  }

  async hasOpenJob(userEntityRef: string): Promise<boolean> {
    const row = await this.db('erasure_jobs')
      .where({ active_user_ref: refKey(userEntityRef) })
      .first('id');
    return row !== undefined;
  }

  async claimDue(options: {
    owner: string;
    now: Date;
    leaseUntil: Date;
  }): Promise<ErasureJobRecord | undefined> {
    const { owner, now, leaseUntil } = options;
    const due = (query: Knex.QueryBuilder) =>
      query
        .whereIn('state', OPEN_STATES)
        .where('next_attempt_at', '<=', now)
        .where(lease =>
          lease
            .whereNull('lease_expires_at')
            .orWhere('lease_expires_at', '<', now),
        );
    const candidates: Array<{ id: string }> = await due(this.db('erasure_jobs'))
      .orderBy('next_attempt_at', 'asc')
      .limit(10)
      .select('id');
    for (const { id } of candidates) {
      // The same conditions again: of several instances, only one update can match.
      const claimed = await due(this.db('erasure_jobs').where({ id })).update({
        lease_owner: owner,
        lease_expires_at: leaseUntil,
      });
      if (claimed === 1) {
        return this.get(id);
      }
    }
    return undefined;
  }

  async update(
    id: string,
    update: ErasureJobUpdate,
    options: {
      owner: string;
      leaseUntil: Date | null;
      failedAttempt?: boolean;
    },
  ): Promise<boolean> {
    const finished = !OPEN_STATES.includes(update.state);
    return this.db.transaction(async trx => {
      const written = await trx('erasure_jobs')
        .where({ id, lease_owner: options.owner })
        .update({
          state: update.state,
          step_index: update.stepIndex,
          steps: JSON.stringify(update.steps),
          failed_attempts: update.failedAttempts,
          last_error: update.lastError ?? null,
          next_attempt_at: update.nextAttemptAt,
          finished_at: update.finishedAt ?? null,
          updated_at: new Date(),
          lease_owner: options.leaseUntil ? options.owner : null,
          lease_expires_at: options.leaseUntil,
          ...(finished && { active_user_ref: null }),
        });
      if (written !== 1) {
        return false;
      }
      if (options.failedAttempt) {
        await trx('privacy_counters')
          .where({ name: FAILURES })
          .increment('value', 1);
      }
      return true;
    });
  }

  async failureTotal(): Promise<number> {
    const row = await this.db('privacy_counters')
      .where({ name: FAILURES })
      .first('value');
    return toNumber(row?.value ?? 0);
  }

  async pruneFinished(olderThan: Date): Promise<number> {
    return this.db('erasure_jobs')
      .whereNotIn('state', OPEN_STATES)
      .where('finished_at', '<', olderThan)
      .delete();
  }
}
