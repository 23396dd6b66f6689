import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { getMigratedClient } from './migrateDatabase';
import { toDate, toNumber } from './columnValues';
import { PersonalDataStore, StoredCounter } from './PersonalDataStore';

/**
 * A pseudonym's rows in the tables of ingestion (`counters`, `processed_batches`) and the
 * registry's history (`opt_in_history`), in the plugin's database.
 */
export class DatabasePersonalDataStore implements PersonalDataStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabasePersonalDataStore> {
    return new DatabasePersonalDataStore(
      await getMigratedClient(options.database),
    );
  }

  private constructor(private readonly db: Knex) {}

  async countersOf(userHash: string): Promise<StoredCounter[]> {
    const rows = await this.db('counters')
      .where({ user_hash: userHash })
      .orderBy(['metric', 'labels'])
      .select('metric', 'labels', 'value_milli', 'first_seen', 'updated_at');
    return rows.map(row => ({
      metric: row.metric,
      labels: JSON.parse(row.labels),
      valueMilli: toNumber(row.value_milli),
      firstSeen: toDate(row.first_seen),
      updatedAt: toDate(row.updated_at),
    }));
  }

  async deleteCountersOf(
    userHash: string,
  ): Promise<{ counters: number; batchIds: number }> {
    return this.db.transaction(async trx => {
      // The state of the user's OTLP streams goes with their counters (keyed hashes only).
      await trx('otlp_streams').where({ user_hash: userHash }).delete();
      return {
        counters: await trx('counters').where({ user_hash: userHash }).delete(),
        batchIds: await trx('processed_batches')
          .where({ user_hash: userHash })
          .delete(),
      };
    });
  }

  async pruneOptInHistory(olderThan: Date): Promise<number> {
    return this.db('opt_in_history').where('at', '<', olderThan).delete();
  }
}
