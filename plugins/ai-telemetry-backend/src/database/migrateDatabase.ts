import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDirectory = resolvePackagePath(
  '@fawkes/plugin-ai-telemetry-backend',
  'migrations',
);

const clients = new WeakMap<DatabaseService, Promise<Knex>>();

/**
 * The plugin's database client, with the migrations shipped in the package applied (unless
 * `database.migrations.skip`). Every store of the plugin shares it, so the migrations run once.
 */
export function getMigratedClient(database: DatabaseService): Promise<Knex> {
  let client = clients.get(database);
  if (!client) {
    client = (async () => {
      const knex = await database.getClient();
      if (!database.migrations?.skip) {
        await knex.migrate.latest({ directory: migrationsDirectory });
      }
      return knex;
    })();
    clients.set(database, client);
  }
  return client;
}
