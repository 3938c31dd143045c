// SQLite: a second, read-only connection for the hottest reads (every request's user, a GET's
// version, a list page's ids and count). knex's single SQLite connection is shared by every
// request through its pool, so a read waits behind a write transaction in progress and pays
// the pool's queueing; better-sqlite3 answers such a query in microseconds, synchronously.
// In WAL mode a reader sees the last committed state and never blocks the writer. Reads inside
// a transaction still go through knex: they must see that transaction's own writes.
import { createRequire } from 'node:module';
import type { Knex } from 'knex';

interface Statement {
  all(...bindings: unknown[]): unknown[];
}
interface Database {
  prepare(sql: string): Statement;
  pragma(sql: string): unknown;
  close(): void;
}
type DatabaseConstructor = new (filename: string, options: { readonly: boolean; fileMustExist: boolean }) => Database;

/**
 * knex prepares every query anew, and preparing costs about as much as running a small query:
 * the same SQL text is prepared once per connection instead (SQLite re-prepares a statement
 * itself after a schema change). Bounded: the importer's multi-row inserts vary in length.
 * Used on knex's connection (connection.ts, 200 kept) and on the reader's (a few queries: 100).
 */
export function reusePreparedStatements<S>(conn: { prepare(sql: string): S }, most: number): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, S>();
  conn.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (kept.size >= most) kept.delete(kept.keys().next().value as string);
      kept.set(sql, statement);
    }
    return statement;
  };
}

export class SqliteReader {
  private database?: Database;

  constructor(private readonly filename: string) {}

  /** Opened on first use: the file exists once the writer has migrated it. */
  private open(): Database {
    if (!this.database) {
      const Sqlite = createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
      this.database = new Sqlite(this.filename, { readonly: true, fileMustExist: true });
      this.database.pragma('busy_timeout = 5000');
      reusePreparedStatements(this.database, 100);
    }
    return this.database;
  }

  all<T>(sql: string, bindings: readonly unknown[]): T[] {
    return this.open().prepare(sql).all(...bindings) as T[];
  }

  close(): void {
    this.database?.close();
    this.database = undefined;
  }
}

const readers = new WeakMap<Knex, SqliteReader>();

/** Gives `db` a reader on `filename`, closed when `db` is destroyed. */
export function attachSqliteReader(db: Knex, filename: string): void {
  const reader = new SqliteReader(filename);
  readers.set(db, reader);
  // knex's destroy() ends in its client's destroy(), which can be wrapped (destroy() cannot).
  const client = db.client as { destroy(callback?: unknown): Promise<void> };
  const destroy = client.destroy.bind(client);
  client.destroy = (callback?: unknown) => {
    reader.close();
    return destroy(callback);
  };
}

/** The reader of `db`, unless `db` is a transaction (or not an SQLite file). */
export function sqliteReaderOf(db: Knex | Knex.Transaction): SqliteReader | undefined {
  return (db as { isTransaction?: boolean }).isTransaction ? undefined : readers.get(db as Knex);
}
