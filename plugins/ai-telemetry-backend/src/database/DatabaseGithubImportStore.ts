import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { toBoolean, toDate, toNumber, toOptionalDate } from './columnValues';
import { lockOptedIn, mergeIncrements } from './DatabaseCounterStore';
import {
  DayImport,
  GithubImportStore,
  ImportedSeriesChange,
  ImportedTotal,
  LedgerEntry,
} from './GithubImportStore';
import { getMigratedClient } from './migrateDatabase';

/** Rows per statement: well below SQLite's limit on bound variables. */
const CHUNK = 400;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

type LedgerRow = {
  day: string;
  user_hash: string;
  active: boolean | number;
  samples: string;
  imported_at: Date | number | string;
  written_at: Date | number | string | null;
};

function toEntry(row: LedgerRow): LedgerEntry {
  const writtenAt = toOptionalDate(row.written_at);
  return {
    day: row.day,
    userHash: row.user_hash,
    active: toBoolean(row.active),
    changes: JSON.parse(row.samples) as ImportedSeriesChange[],
    importedAt: toDate(row.imported_at),
    ...(writtenAt && { writtenAt }),
  };
}

/** The GitHub import's ledger, totals and state in the plugin's database (SQLite or PostgreSQL). */
export class DatabaseGithubImportStore implements GithubImportStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseGithubImportStore> {
    return new DatabaseGithubImportStore(
      await getMigratedClient(options.database),
    );
  }

  private constructor(private readonly db: Knex) {}

  async latestDays(
    userHashes: readonly string[],
  ): Promise<Map<string, string>> {
    return latestDaysIn(this.db, userHashes);
  }

  async importDay(
    day: string,
    developers: readonly DayImport[],
  ): Promise<LedgerEntry[]> {
    const sorted = [...developers].sort((a, b) =>
      a.userHash < b.userHash ? -1 : 1,
    );
    return this.db.transaction(async trx => {
      const latest = await latestDaysIn(
        trx,
        sorted.map(d => d.userHash),
      );
      const now = new Date();
      const written: LedgerEntry[] = [];
      for (const developer of sorted) {
        const { userHash } = developer;
        const last = latest.get(userHash);
        if (last !== undefined && last >= day) continue;
        // Opted out (or erased) since the run began: nothing of theirs is kept.
        if (!(await lockOptedIn(trx, userHash, 'share'))) continue;

        const merged = mergeIncrements(
          developer.increments.filter(i => i.valueMilli !== 0),
        );
        const before = new Map<string, number>();
        for (const chunk of chunks(merged, CHUNK)) {
          const rows = await trx('github_counters')
            .where({ user_hash: userHash })
            .where(builder => {
              for (const m of chunk) {
                builder.orWhere({ metric: m.metric, labels: m.labels });
              }
            })
            .select('metric', 'labels', 'value_milli');
          for (const row of rows) {
            before.set(
              `${row.metric}\u0000${row.labels}`,
              toNumber(row.value_milli),
            );
          }
        }
        const changes: ImportedSeriesChange[] = merged.map(m => {
          const beforeMilli = before.get(`${m.metric}\u0000${m.labels}`) ?? 0;
          return {
            metric: m.metric,
            labels: JSON.parse(m.labels),
            beforeMilli,
            afterMilli: beforeMilli + m.valueMilli,
          };
        });
        for (const chunk of chunks(merged, CHUNK)) {
          await trx('github_counters')
            .insert(
              chunk.map(m => ({
                user_hash: userHash,
                metric: m.metric,
                labels: m.labels,
                value_milli: m.valueMilli,
                through_day: day,
              })),
            )
            .onConflict(['user_hash', 'metric', 'labels'])
            .merge({
              value_milli: trx.raw('?? + ??', [
                'github_counters.value_milli',
                'excluded.value_milli',
              ]),
              through_day: trx.raw('??', ['excluded.through_day']),
            });
        }
        await trx('github_import_ledger').insert({
          day,
          user_hash: userHash,
          active: developer.active,
          samples: JSON.stringify(changes),
          imported_at: now,
          written_at: null,
        });
        written.push({
          day,
          userHash,
          active: developer.active,
          changes,
          importedAt: now,
        });
      }
      return written;
    });
  }

  async unwritten(limit: number): Promise<LedgerEntry[]> {
    const rows: LedgerRow[] = await this.db('github_import_ledger')
      .whereNull('written_at')
      .orderBy([
        { column: 'day', order: 'asc' },
        { column: 'user_hash', order: 'asc' },
      ])
      .limit(limit)
      .select();
    return rows.map(toEntry);
  }

  async markWritten(
    rows: ReadonlyArray<Pick<LedgerEntry, 'day' | 'userHash'>>,
    at: Date,
  ): Promise<void> {
    for (const chunk of chunks(rows, CHUNK)) {
      await this.db('github_import_ledger')
        .whereNull('written_at')
        .where(builder => {
          for (const row of chunk) {
            builder.orWhere({ day: row.day, user_hash: row.userHash });
          }
        })
        .update({ written_at: at });
    }
  }

  async ledgerOf(userHash: string): Promise<LedgerEntry[]> {
    const rows: LedgerRow[] = await this.db('github_import_ledger')
      .where({ user_hash: userHash })
      .orderBy('day', 'desc')
      .select();
    return rows.map(toEntry);
  }

  async totalsOf(userHash: string): Promise<ImportedTotal[]> {
    const rows = await this.db('github_counters')
      .where({ user_hash: userHash })
      .orderBy(['metric', 'labels'])
      .select();
    return rows.map(row => ({
      metric: row.metric,
      labels: JSON.parse(row.labels),
      valueMilli: toNumber(row.value_milli),
      throughDay: row.through_day,
    }));
  }

  async deleteUser(
    userHash: string,
  ): Promise<{ days: number; totals: number }> {
    return this.db.transaction(async trx => {
      await trx('github_coverage').where({ user_hash: userHash }).delete();
      return {
        days: await trx('github_import_ledger')
          .where({ user_hash: userHash })
          .delete(),
        totals: await trx('github_counters')
          .where({ user_hash: userHash })
          .delete(),
      };
    });
  }

  async cover(
    userHashes: readonly string[],
    options: { backfillFrom: string; clientsUntil: string },
  ): Promise<Map<string, string>> {
    const wanted = [...new Set(userHashes)].sort();
    return this.db.transaction(async trx => {
      const since = new Map<string, string>();
      for (const chunk of chunks(wanted, CHUNK)) {
        const rows = await trx('github_coverage')
          .whereIn('user_hash', chunk)
          .select('user_hash', 'since_day');
        for (const row of rows) since.set(row.user_hash, row.since_day);
      }
      const fresh = wanted.filter(hash => !since.has(hash));
      const counted = new Set<string>();
      for (const chunk of chunks(fresh, CHUNK)) {
        const rows = await trx('counters')
          .whereIn('user_hash', chunk)
          .where('labels', 'like', '%"assistant":"copilot"%')
          .distinct('user_hash');
        for (const row of rows) counted.add(row.user_hash);
      }
      const now = new Date();
      for (const chunk of chunks(fresh, CHUNK)) {
        const rows = chunk.map(hash => ({
          user_hash: hash,
          since_day: counted.has(hash)
            ? options.clientsUntil
            : options.backfillFrom,
          created_at: now,
        }));
        await trx('github_coverage').insert(rows);
        for (const row of rows) since.set(row.user_hash, row.since_day);
      }
      const gone = (await trx('github_coverage').select('user_hash'))
        .map(row => row.user_hash as string)
        .filter(hash => !since.has(hash));
      for (const chunk of chunks(gone, CHUNK)) {
        await trx('github_coverage').whereIn('user_hash', chunk).delete();
      }
      return since;
    });
  }

  async coverage(since?: string): Promise<{
    from?: string;
    through?: string;
    developers: number;
  }> {
    const query = this.db('github_import_ledger');
    if (since !== undefined) query.where('day', '>=', since);
    const [row] = await query
      .min({ from: 'day' })
      .max({ through: 'day' })
      .countDistinct({ developers: 'user_hash' });
    return {
      ...(row?.from && { from: row.from as string }),
      ...(row?.through && { through: row.through as string }),
      developers: toNumber((row?.developers as number | string) ?? 0),
    };
  }

  async readState<T>(name: string): Promise<T | undefined> {
    const row = await this.db('github_import_state')
      .where({ name })
      .first('value');
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async writeState(name: string, value: unknown): Promise<void> {
    await this.db('github_import_state')
      .insert({ name, value: JSON.stringify(value), updated_at: new Date() })
      .onConflict('name')
      .merge(['value', 'updated_at']);
  }
}

async function latestDaysIn(
  db: Knex,
  userHashes: readonly string[],
): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  for (const chunk of chunks([...new Set(userHashes)], CHUNK)) {
    const rows: Array<{ user_hash: string; day: string }> = await db(
      'github_import_ledger',
    )
      .whereIn('user_hash', chunk)
      .groupBy('user_hash')
      .select('user_hash', db.raw('max(day) as day'));
    for (const row of rows) latest.set(row.user_hash, row.day);
  }
  return latest;
}
