import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { getMigratedClient } from './migrateDatabase';
import {
  OptInHistoryRecord,
  OptInRecord,
  OptInSource,
  OptInStore,
  TelemetryTokenRecord,
  TokenRevocationReason,
} from './OptInStore';
import {
  isPostgres,
  toBoolean,
  toDate,
  toNumber,
  toOptionalDate,
} from './columnValues';

type OptInRow = {
  user_entity_ref: string;
  user_hash: string;
  opted_in: boolean | number;
  since: Date | number | null;
  created_at: Date | number;
  updated_at: Date | number;
};

type TokenRow = {
  token_hash: string;
  user_entity_ref: string;
  issued_by: OptInSource;
  created_at: Date | number;
  revoked_at: Date | number | null;
  revoked_reason: TokenRevocationReason | null;
};

function toRecord(row: OptInRow): OptInRecord {
  return {
    userEntityRef: row.user_entity_ref,
    userHash: row.user_hash,
    optedIn: toBoolean(row.opted_in),
    since: toOptionalDate(row.since),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function toTokenRecord(row: TokenRow): TelemetryTokenRecord {
  return {
    userEntityRef: row.user_entity_ref,
    issuedBy: row.issued_by,
    createdAt: toDate(row.created_at),
    revokedAt: toOptionalDate(row.revoked_at),
    revokedReason: row.revoked_reason ?? undefined,
  };
}

/** Entity refs compare case-insensitively in Backstage; the registry keeps them in lower case. */
function refKey(userEntityRef: string): string {
  return userEntityRef.toLocaleLowerCase('en-US');
}

/** The opt-in registry in the plugin's database (Knex: SQLite or PostgreSQL). */
export class DatabaseOptInStore implements OptInStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseOptInStore> {
    return new DatabaseOptInStore(await getMigratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async get(userEntityRef: string): Promise<OptInRecord | undefined> {
    const row = await this.db<OptInRow>('opt_ins')
      .where({ user_entity_ref: refKey(userEntityRef) })
      .first();
    return row ? toRecord(row) : undefined;
  }

  async history(userEntityRef: string): Promise<OptInHistoryRecord[]> {
    const rows = await this.db('opt_in_history')
      .where({ user_entity_ref: refKey(userEntityRef) })
      .orderBy('id', 'asc')
      .select('enabled', 'source', 'at');
    return rows.map(row => ({
      enabled: toBoolean(row.enabled),
      source: row.source,
      at: toDate(row.at),
    }));
  }

  async optIn(options: {
    userEntityRef: string;
    userHash: string;
    tokenHash: string;
    source: OptInSource;
  }): Promise<OptInRecord> {
    const ref = refKey(options.userEntityRef);
    return this.db.transaction(async trx => {
      const now = new Date();
      // Insert-or-keep, so that two first opt-ins of the same user at once cannot collide.
      const inserted = await trx('opt_ins')
        .insert({
          user_entity_ref: ref,
          user_hash: options.userHash,
          opted_in: true,
          since: now,
          created_at: now,
          updated_at: now,
        })
        .onConflict('user_entity_ref')
        .ignore()
        .returning('user_entity_ref');
      let changed = inserted.length > 0;
      if (!changed) {
        const existing = await this.lockRegistration(trx, ref);
        if (!toBoolean(existing!.opted_in)) {
          await trx('opt_ins')
            .where({ user_entity_ref: ref })
            .update({ opted_in: true, since: now, updated_at: now });
          changed = true;
        }
      }
      if (changed) {
        await trx('opt_in_history').insert({
          user_entity_ref: ref,
          enabled: true,
          source: options.source,
          at: now,
        });
      }
      await this.replaceTokens(
        trx,
        ref,
        options.tokenHash,
        options.source,
        now,
      );
      const row = await trx<OptInRow>('opt_ins')
        .where({ user_entity_ref: ref })
        .first();
      return toRecord(row!);
    });
  }

  async optOut(options: {
    userEntityRef: string;
    source: OptInSource;
  }): Promise<OptInRecord | undefined> {
    const ref = refKey(options.userEntityRef);
    return this.db.transaction(async trx => {
      const now = new Date();
      const existing = await this.lockRegistration(trx, ref);
      if (!existing) {
        return undefined;
      }
      if (toBoolean(existing.opted_in)) {
        await trx('opt_ins')
          .where({ user_entity_ref: ref })
          .update({ opted_in: false, since: null, updated_at: now });
        await trx('opt_in_history').insert({
          user_entity_ref: ref,
          enabled: false,
          source: options.source,
          at: now,
        });
      }
      await trx('telemetry_tokens')
        .where({ user_entity_ref: ref })
        .whereNull('revoked_at')
        .update({ revoked_at: now, revoked_reason: 'opted_out' });
      const row = await trx<OptInRow>('opt_ins')
        .where({ user_entity_ref: ref })
        .first();
      return toRecord(row!);
    });
  }

  async rotateToken(options: {
    userEntityRef: string;
    tokenHash: string;
    source: OptInSource;
  }): Promise<boolean> {
    const ref = refKey(options.userEntityRef);
    return this.db.transaction(async trx => {
      const existing = await this.lockRegistration(trx, ref);
      if (!existing || !toBoolean(existing.opted_in)) {
        return false;
      }
      await this.replaceTokens(
        trx,
        ref,
        options.tokenHash,
        options.source,
        new Date(),
      );
      return true;
    });
  }

  async findToken(
    tokenHash: string,
  ): Promise<TelemetryTokenRecord | undefined> {
    const row = await this.db<TokenRow>('telemetry_tokens')
      .where({ token_hash: tokenHash })
      .first();
    return row ? toTokenRecord(row) : undefined;
  }

  async activeToken(
    userEntityRef: string,
  ): Promise<TelemetryTokenRecord | undefined> {
    const row = await this.db<TokenRow>('telemetry_tokens')
      .where({ user_entity_ref: refKey(userEntityRef) })
      .whereNull('revoked_at')
      .first();
    return row ? toTokenRecord(row) : undefined;
  }

  async listOptedIn(): Promise<
    Array<{ userEntityRef: string; userHash: string }>
  > {
    const rows = await this.db<OptInRow>('opt_ins')
      .where({ opted_in: true })
      .orderBy('user_entity_ref')
      .select('user_entity_ref', 'user_hash');
    return rows.map(row => ({
      userEntityRef: row.user_entity_ref,
      userHash: row.user_hash,
    }));
  }

  async countOptedIn(): Promise<number> {
    const [row] = await this.db('opt_ins')
      .where({ opted_in: true })
      .count({ count: '*' });
    return toNumber(row?.count ?? 0);
  }

  async registryVersion(): Promise<number> {
    const [row] = await this.db('opt_in_history').max({ latest: 'id' });
    return toNumber(row?.latest ?? 0);
  }

  /**
   * Reads the user's registration inside a transaction, locking the row on PostgreSQL so that
   * concurrent changes of the same user apply one after the other (SQLite serialises writers).
   */
  private async lockRegistration(
    trx: Knex.Transaction,
    ref: string,
  ): Promise<OptInRow | undefined> {
    const query = trx<OptInRow>('opt_ins').where({ user_entity_ref: ref });
    if (isPostgres(trx)) {
      query.forUpdate();
    }
    return query.first();
  }

  private async replaceTokens(
    trx: Knex.Transaction,
    ref: string,
    tokenHash: string,
    source: OptInSource,
    now: Date,
  ): Promise<void> {
    await trx('telemetry_tokens')
      .where({ user_entity_ref: ref })
      .whereNull('revoked_at')
      .update({ revoked_at: now, revoked_reason: 'rotated' });
    await trx('telemetry_tokens').insert({
      token_hash: tokenHash,
      user_entity_ref: ref,
      issued_by: source,
      created_at: now,
    });
  }
}
