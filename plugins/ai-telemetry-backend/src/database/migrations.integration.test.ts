import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fs from 'fs';
import { Knex } from 'knex';
import { getMigratedClient } from './migrateDatabase';
import {
  createStoreTestDatabases,
  initStoreDatabase,
  STORE_DATABASE_IDS,
} from '../__testUtils__/storeTestDatabases';

jest.setTimeout(60_000);

/** The folder the plugin migrates from (src/database/migrateDatabase.ts). */
const MIGRATIONS_DIRECTORY = resolvePackagePath(
  '@fawkes/plugin-ai-telemetry-backend',
  'migrations',
);

/**
 * The tables each migration creates. A new migration must be added here, so that its up and
 * down are tested too.
 */
const TABLES_BY_MIGRATION: Record<string, readonly string[]> = {
  '20261128100000_init.js': [
    'opt_ins',
    'opt_in_history',
    'telemetry_tokens',
    'counters',
    'processed_batches',
    'ingestion_stats',
  ],
  '20261128150000_privacy.js': [
    'erasure_jobs',
    'audit_log',
    'privacy_counters',
  ],
  '20261130120000_otlp.js': ['otlp_streams', 'otlp_dropped_points'],
  '20261201100000_github.js': [
    'github_import_ledger',
    'github_counters',
    'github_coverage',
    'github_import_state',
  ],
};
const MIGRATIONS = Object.keys(TABLES_BY_MIGRATION).sort();
const ALL_TABLES = MIGRATIONS.flatMap(name => TABLES_BY_MIGRATION[name]);

const config = { directory: MIGRATIONS_DIRECTORY };

async function existing(knex: Knex, tables: readonly string[]) {
  const present: string[] = [];
  for (const table of tables) {
    if (await knex.schema.hasTable(table)) present.push(table);
  }
  return present;
}

/** The names of the migrations knex has recorded as run, in order. */
async function completed(knex: Knex): Promise<string[]> {
  const [done] = await knex.migrate.list(config);
  return done.map((m: { name: string } | string) =>
    typeof m === 'string' ? m : m.name,
  );
}

/** The rows the migrations seed, which the stores rely on. */
async function expectSeedRows(knex: Knex) {
  const [{ n: shards }] = await knex('ingestion_stats').count({ n: '*' });
  expect(Number(shards)).toBe(16);
  expect(await knex('privacy_counters').select('name', 'value')).toEqual([
    { name: 'erasure_failures', value: expect.anything() },
  ]);
}

it('lists every migration the package ships', () => {
  const shipped = fs
    .readdirSync(MIGRATIONS_DIRECTORY)
    .filter(file => /\.(js|cjs|mjs|ts)$/.test(file))
    .sort();
  expect(shipped).toEqual(MIGRATIONS);
});

describe.each(STORE_DATABASE_IDS)('migrations on %s', databaseId => {
  const databases = createStoreTestDatabases();

  it('run up, all the way down, and up again', async () => {
    const database = await initStoreDatabase(databases, databaseId);

    // Up, as the plugin runs them at start-up.
    const knex = await getMigratedClient(database);
    expect(await completed(knex)).toEqual(MIGRATIONS);
    expect(await existing(knex, ALL_TABLES)).toEqual(ALL_TABLES);
    await expectSeedRows(knex);

    // All the way down.
    await knex.migrate.rollback(config, true);
    expect(await completed(knex)).toEqual([]);
    expect(await existing(knex, ALL_TABLES)).toEqual([]);

    // Up again, one migration at a time: each creates its own tables and no other's.
    const created: string[] = [];
    for (const migration of MIGRATIONS) {
      await knex.migrate.up(config);
      created.push(...TABLES_BY_MIGRATION[migration]);
      expect(await completed(knex)).toEqual(
        MIGRATIONS.slice(0, MIGRATIONS.indexOf(migration) + 1),
      );
      expect(await existing(knex, ALL_TABLES)).toEqual(created);
    }
    await expectSeedRows(knex);

    // And down one at a time: each drops its own tables and no other's.
    for (const migration of [...MIGRATIONS].reverse()) {
      await knex.migrate.down(config);
      created.splice(
        created.length - TABLES_BY_MIGRATION[migration].length,
        TABLES_BY_MIGRATION[migration].length,
      );
      expect(await existing(knex, ALL_TABLES)).toEqual(created);
    }
    expect(await completed(knex)).toEqual([]);

    // Finally up to the latest again, ready for use.
    await knex.migrate.latest(config);
    expect(await completed(knex)).toEqual(MIGRATIONS);
    expect(await existing(knex, ALL_TABLES)).toEqual(ALL_TABLES);
    await expectSeedRows(knex);
  });
});
