// Plain SQL reads for the hottest paths (every request's user, every GET's version, a list
// page): knex's query builder and pool cost several times what SQLite takes to answer such a
// query, so on SQLite they go to the read-only connection (sqlite-reader.ts).
import type { Knex } from 'knex';
import { engineOf } from './connection.js';
import { sqliteReaderOf } from './sqlite-reader.js';

/** Rows of a SELECT written in SQL both engines understand, with `?` placeholders. */
export async function selectRows<T>(db: Knex | Knex.Transaction, sql: string, bindings: readonly (string | number)[]): Promise<T[]> {
  const reader = sqliteReaderOf(db);
  if (reader) return reader.all<T>(sql, bindings);
  const result = await db.raw(sql, bindings as Knex.RawBinding[]);
  // mysql2 answers [rows, fields]; better-sqlite3 answers the rows.
  return (engineOf(db as Knex) === 'mysql' ? result[0] : result) as T[];
}
