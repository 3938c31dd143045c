// Applies the migrations in db/migrations: one function shared by the server, the CLI and
// the tests. The source is a static list, so tsx and the compiled build record the same names.
// On MySQL/MariaDB they run under a lease (migration-lease.ts): several processes may start at
// once, on one server or on the nodes of a Galera cluster, and only one migrates at a time.
import type { Knex } from 'knex';
import { migrations } from '../../db/migrations/index.js';
import { engineOf } from './connection.js';
import { freeStaleKnexLock, withMigrationLease, type LeaseOptions } from './migration-lease.js';

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

/** The migrations this call applied (none when another process had applied them). */
export async function migrateLatest(db: Knex, lease: LeaseOptions = {}): Promise<string[]> {
  const latest = async () => {
    const [, applied] = (await db.migrate.latest({ migrationSource: source })) as [number, string[]];
    return applied;
  };
  if (engineOf(db) !== 'mysql') return latest();
  return withMigrationLease(
    db,
    async () => {
      await freeStaleKnexLock(db, 'knex_migrations_lock', lease.log);
      return latest();
    },
    lease,
  );
}

export async function migrateDownAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource: source }, true);
}
