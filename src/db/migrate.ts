// Applies the migrations in db/migrations: one function shared by the server, the CLI and
// the tests. The source is a static list, so tsx and the compiled build record the same names.
import type { Knex } from 'knex';
import { migrations } from '../../db/migrations/index.js';

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}

export async function migrateDownAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource: source }, true);
}
