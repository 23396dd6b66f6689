import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseService } from '@backstage/backend-plugin-api';

/**
 * The databases the plugin supports, which every store test runs against. PostgreSQL is
 * required, not optional: scripts/postgres.sh starts Debian's PostgreSQL 15 and prints the
 * connection string.
 */
export const STORE_DATABASE_IDS = ['POSTGRES_15', 'SQLITE_3'] as const;
export type StoreDatabaseId = (typeof STORE_DATABASE_IDS)[number];

const POSTGRES_ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';

/** `TestDatabases` for the store tests; call once per test file, at the top level. */
export function createStoreTestDatabases(): TestDatabases {
  return TestDatabases.create({ ids: [...STORE_DATABASE_IDS] });
}

/**
 * A fresh, empty database of the given kind, as the plugin's database service. Fails (never
 * skips) when PostgreSQL is not configured, so a run without it cannot pass as SQLite only.
 */
export async function initStoreDatabase(
  databases: TestDatabases,
  id: StoreDatabaseId,
): Promise<DatabaseService> {
  if (id === 'POSTGRES_15' && !process.env[POSTGRES_ENV]) {
    throw new Error(
      `${POSTGRES_ENV} is not set: the store tests need PostgreSQL 15. Start it with ` +
        '`scripts/postgres.sh start` and run `eval "$(scripts/postgres.sh env)"` first.',
    );
  }
  const knex = await databases.init(id);
  return mockServices.database({ knex });
}
