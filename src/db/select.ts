// Plain SQL reads for the hottest paths (every request's user, every GET's version, a list
// page): knex's query builder and pool cost several times what SQLite takes to answer such a
// query, so on SQLite they go to the read-only connection (sqlite-reader.ts); on MySQL they are
// prepared statements (mysql-reader.ts).
import type { Knex } from 'knex';
import { engineOf } from './connection.js';
import { preparedRows } from './mysql-reader.js';
import { sqliteReaderOf } from './sqlite-reader.js';

/** Rows of a SELECT written in SQL both engines understand, with `?` placeholders. */
export async function selectRows<T>(db: Knex | Knex.Transaction, sql: string, bindings: readonly (string | number)[]): Promise<T[]> {
  const reader = sqliteReaderOf(db);
  if (reader) return reader.all<T>(sql, bindings);
  const mysql = engineOf(db as Knex) === 'mysql';
  if (mysql && !(db as { isTransaction?: boolean }).isTransaction) return preparedRows<T>(db as Knex, sql, bindings);
  const result = await db.raw(sql, bindings as Knex.RawBinding[]);
  // mysql2 answers [rows, fields]; better-sqlite3 answers the rows.
  return (mysql ? result[0] : result) as T[];
}

/**
 * An IN list's placeholders and values, padded with its last value to a power of two: the same
 * rows, and a few statement shapes to prepare rather than one per length.
 */
export function inList<T>(values: readonly T[]): { placeholders: string; values: T[] } {
  let size = Math.min(1, values.length);
  while (size < values.length) size *= 2;
  const padded = [...values];
  while (padded.length < size) padded.push(values[values.length - 1]);
  return { placeholders: padded.map(() => '?').join(', '), values: padded };
}
