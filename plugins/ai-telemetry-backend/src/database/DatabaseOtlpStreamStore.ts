import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { toDate, toNumber } from './columnValues';
import {
  addToCounters,
  lockOptedIn,
  mergeIncrements,
} from './DatabaseCounterStore';
import { getMigratedClient } from './migrateDatabase';
import {
  OtlpStreamStore,
  StoredStreamState,
  StreamDecision,
  StreamState,
} from './OtlpStreamStore';

/** Rows per statement: well below SQLite's limit on bound variables. */
const CHUNK = 400;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

function parseIntervals(value: string | null): Array<[string, string]> {
  if (!value) return [];
  const parsed = JSON.parse(value);
  return Array.isArray(parsed) ? parsed : [];
}

/** The OTLP stream states in the plugin's database (Knex: SQLite or PostgreSQL). */
export class DatabaseOtlpStreamStore implements OtlpStreamStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseOtlpStreamStore> {
    return new DatabaseOtlpStreamStore(
      await getMigratedClient(options.database),
    );
  }

  private constructor(private readonly db: Knex) {}

  async applyExport(options: {
    userHash: string;
    streamIds: string[];
    decide: (states: ReadonlyMap<string, StoredStreamState>) => StreamDecision;
  }): Promise<'applied' | 'not_opted_in'> {
    const { userHash } = options;
    const streamIds = [...new Set(options.streamIds)].sort();
    return this.db.transaction(async trx => {
      // An update lock on the registration runs one user's exports one at a time (on SQLite
      // writers are serialised anyway): a retry that races its original sees what it wrote.
      if (!(await lockOptedIn(trx, userHash, 'update'))) {
        return 'not_opted_in';
      }
      const states = new Map<string, StoredStreamState>();
      for (const chunk of chunks(streamIds, CHUNK)) {
        const rows = await trx('otlp_streams')
          .where({ user_hash: userHash })
          .whereIn('stream_id', chunk)
          .select();
        for (const row of rows) {
          states.set(row.stream_id, {
            temporality: row.temporality,
            runStart: row.run_start,
            lastEnd: row.last_end,
            total: toNumber(row.total),
            intervals: parseIntervals(row.intervals),
            updatedAt: toDate(row.updated_at),
          });
        }
      }

      const decision = options.decide(states);
      const now = new Date();
      const writes = [...decision.writes.entries()].sort(([a], [b]) =>
        a < b ? -1 : 1,
      );
      for (const chunk of chunks(writes, CHUNK)) {
        await trx('otlp_streams')
          .insert(
            chunk.map(([streamId, state]) =>
              toRow(userHash, streamId, state, now),
            ),
          )
          .onConflict(['user_hash', 'stream_id'])
          .merge([
            'temporality',
            'run_start',
            'last_end',
            'total',
            'intervals',
            'updated_at',
          ]);
      }
      await addToCounters(
        trx,
        userHash,
        mergeIncrements(decision.increments.filter(i => i.valueMilli !== 0)),
        now,
      );
      for (const [reason, points] of Object.entries(decision.dropped).sort()) {
        if (points <= 0) continue;
        await trx('otlp_dropped_points')
          .insert({ reason, points })
          .onConflict('reason')
          .merge({
            points: trx.raw('?? + ??', [
              'otlp_dropped_points.points',
              'excluded.points',
            ]),
          });
      }
      return 'applied';
    });
  }

  async droppedPoints(): Promise<Record<string, number>> {
    const rows = await this.db('otlp_dropped_points').select(
      'reason',
      'points',
    );
    return Object.fromEntries(
      rows.map(row => [row.reason as string, toNumber(row.points)]),
    );
  }

  async pruneStreams(olderThan: Date): Promise<number> {
    return this.db('otlp_streams').where('updated_at', '<', olderThan).delete();
  }
}

function toRow(
  userHash: string,
  streamId: string,
  state: StreamState,
  now: Date,
) {
  return {
    user_hash: userHash,
    stream_id: streamId,
    temporality: state.temporality,
    run_start: state.runStart,
    last_end: state.lastEnd,
    total: state.total,
    intervals:
      state.temporality === 'delta' ? JSON.stringify(state.intervals) : null,
    updated_at: now,
  };
}
