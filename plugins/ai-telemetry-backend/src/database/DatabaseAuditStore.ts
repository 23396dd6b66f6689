import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { getMigratedClient } from './migrateDatabase';
import { toDate } from './columnValues';
import { AuditRecord, AuditStore } from './AuditStore';

type AuditRow = {
  id: number | string;
  at: Date | number;
  action: AuditRecord['action'];
  actor: string;
  subject: string;
  detail: string | null;
};

function refKey(ref: string): string {
  return ref.toLocaleLowerCase('en-US');
}

/** The audit log in the plugin's database (Knex: SQLite or PostgreSQL). */
export class DatabaseAuditStore implements AuditStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseAuditStore> {
    return new DatabaseAuditStore(await getMigratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async add(entry: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.db('audit_log').insert({
      at: entry.at,
      action: entry.action,
      actor: refKey(entry.actor),
      subject: refKey(entry.subject),
      detail: entry.detail ?? null,
    });
  }

  async list(options: {
    limit: number;
    before?: string;
    subject?: string;
  }): Promise<AuditRecord[]> {
    const query = this.db<AuditRow>('audit_log')
      .orderBy('id', 'desc')
      .limit(options.limit);
    if (options.before !== undefined) {
      query.where('id', '<', Number(options.before));
    }
    if (options.subject !== undefined) {
      query.where({ subject: refKey(options.subject) });
    }
    const rows = await query;
    return rows.map(row => ({
      id: String(row.id),
      at: toDate(row.at),
      action: row.action,
      actor: row.actor,
      subject: row.subject,
      ...(row.detail !== null && { detail: row.detail }),
    }));
  }

  async pruneOlderThan(olderThan: Date): Promise<number> {
    return this.db('audit_log').where('at', '<', olderThan).delete();
  }
}
