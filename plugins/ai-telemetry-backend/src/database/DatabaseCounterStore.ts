import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import {
  BatchResult,
  CounterIncrement,
  CounterStore,
  PseudonymRange,
  ScrapedCounter,
  counterLabelsKey,
} from './CounterStore';
import { getMigratedClient } from './migrateDatabase';
import { isPostgres, toBoolean, toNumber } from './columnValues';

/** Rows per statement: well below SQLite's limit on bound variables. */
const CHUNK = 500;
/** Rows of `ingestion_stats` (see the migration). */
const STATS_SHARDS = 16;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

type MergedIncrement = { metric: string; labels: string; valueMilli: number };

/**
 * Merges increments of the same counter (one statement may not touch a row twice), in a fixed
 * order, so that concurrent batches of one user lock rows in the same order.
 */
export function mergeIncrements(
  increments: CounterIncrement[],
): MergedIncrement[] {
  const merged = new Map<string, MergedIncrement>();
  for (const increment of increments) {
    const labels = counterLabelsKey(increment.metric, increment.labels);
    const key = `${increment.metric}\u0000${labels}`;
    const entry = merged.get(key);
    if (entry) {
      entry.valueMilli += increment.valueMilli;
    } else {
      merged.set(key, {
        metric: increment.metric,
        labels,
        valueMilli: increment.valueMilli,
      });
    }
  }
  return [...merged.keys()].sort().map(key => merged.get(key)!);
}

/**
 * Whether the user is opted in, checked inside the transaction. On PostgreSQL the registration
 * row stays locked until commit (`share` for batches, which may run side by side; `update` to
 * run one at a time per user), so an opt-out waits for a write in flight and stops every later
 * one.
 */
export async function lockOptedIn(
  trx: Knex.Transaction,
  userHash: string,
  mode: 'share' | 'update',
): Promise<boolean> {
  const registration = trx('opt_ins')
    .where({ user_hash: userHash })
    .select('opted_in');
  if (isPostgres(trx)) {
    if (mode === 'share') registration.forShare();
    else registration.forUpdate();
  }
  const row = await registration.first();
  return Boolean(row && toBoolean(row.opted_in));
}

/** Adds merged increments (see {@link mergeIncrements}) to the user's running totals. */
export async function addToCounters(
  trx: Knex.Transaction,
  userHash: string,
  counters: MergedIncrement[],
  now: Date,
): Promise<void> {
  for (const chunk of chunks(counters, CHUNK)) {
    await trx('counters')
      .insert(
        chunk.map(counter => ({
          user_hash: userHash,
          metric: counter.metric,
          labels: counter.labels,
          value_milli: counter.valueMilli,
          first_seen: now,
          updated_at: now,
        })),
      )
      .onConflict(['metric', 'user_hash', 'labels'])
      .merge({
        value_milli: trx.raw('?? + ??', [
          'counters.value_milli',
          'excluded.value_milli',
        ]),
        updated_at: trx.raw('??', ['excluded.updated_at']),
      });
  }
}

/** The durable counters in the plugin's database (Knex: SQLite or PostgreSQL). */
export class DatabaseCounterStore implements CounterStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseCounterStore> {
    return new DatabaseCounterStore(await getMigratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async applyBatch(options: {
    userHash: string;
    batchId: string;
    eventCount: number;
    increments: CounterIncrement[];
  }): Promise<BatchResult> {
    const { userHash, batchId, eventCount } = options;
    const counters = mergeIncrements(options.increments);

    return this.db.transaction(async trx => {
      if (!(await lockOptedIn(trx, userHash, 'share'))) {
        return { status: 'not_opted_in' };
      }

      const now = new Date();
      const recorded = await trx('processed_batches')
        .insert({
          user_hash: userHash,
          batch_id: batchId,
          event_count: eventCount,
          received_at: now,
        })
        .onConflict(['user_hash', 'batch_id'])
        .ignore()
        .returning('batch_id');
      if (recorded.length === 0) {
        const first = await trx('processed_batches')
          .where({ user_hash: userHash, batch_id: batchId })
          .first('event_count');
        return { status: 'duplicate', accepted: toNumber(first.event_count) };
      }

      await addToCounters(trx, userHash, counters, now);
      await trx('ingestion_stats')
        .where({ shard: Math.floor(Math.random() * STATS_SHARDS) })
        .increment({ events: eventCount, batches: 1 });
      return { status: 'applied', accepted: eventCount };
    });
  }

  async readForScrape(options: {
    newSince: Date;
    userHashes?: PseudonymRange;
  }): Promise<ScrapedCounter[]> {
    const { userHashes } = options;
    // The 0 of new counters is decided here rather than in JavaScript, so that no timestamp is
    // read: turning 150,000 of them into Dates costs more than the rest of a scrape.
    const query = this.db('counters as c')
      .join('opt_ins as o', 'o.user_hash', 'c.user_hash')
      .where('o.opted_in', true);
    if (userHashes) {
      query.where('c.user_hash', '>=', userHashes.from);
      if (userHashes.to !== undefined) {
        query.where('c.user_hash', '<', userHashes.to);
      }
    }
    const rows = await query.select(
      'c.user_hash',
      'c.metric',
      'c.labels',
      this.db.raw(
        'CASE WHEN c.zero_served_at IS NULL OR c.zero_served_at > ? THEN 0 ELSE c.value_milli END AS value_milli',
        [options.newSince],
      ),
      this.db.raw(
        'CASE WHEN c.zero_served_at IS NULL THEN c.id END AS unserved_id',
      ),
    );
    return rows.map(row => ({
      userHash: row.user_hash,
      metric: row.metric,
      labels: row.labels,
      valueMilli: toNumber(row.value_milli),
      ...(row.unserved_id !== null && {
        unservedId: toNumber(row.unserved_id),
      }),
    }));
  }

  async markZeroServed(unservedIds: number[], at: Date): Promise<void> {
    for (const chunk of chunks(unservedIds, CHUNK)) {
      await this.db('counters')
        .whereIn('id', chunk)
        .whereNull('zero_served_at')
        .update({ zero_served_at: at });
    }
  }

  async ingestionTotals(): Promise<{ events: number; batches: number }> {
    const [row] = await this.db('ingestion_stats').sum({
      events: 'events',
      batches: 'batches',
    });
    return {
      events: toNumber(row?.events ?? 0),
      batches: toNumber(row?.batches ?? 0),
    };
  }

  async pruneBatchIds(olderThan: Date): Promise<number> {
    return this.db('processed_batches')
      .where('received_at', '<', olderThan)
      .delete();
  }
}
